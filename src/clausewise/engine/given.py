"""Datasets given otherwise than as files: the step of reading an export that reads them.

:func:`read` is what ``exports.read_export`` calls for a dataset that comes
from a source (``sources.py``): a table in memory or a database table or
query. Like a file, the source becomes the dataset's raw table before the
run's connection is locked; unlike a file, its columns are checked here,
where the source can be named without a line number, and its content gets a
digest, so that the run history tells two different states of a database
apart as it tells two files apart by their bytes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import DataError
from ..i18n import msg
from ..model import DataFile, Dataset
from . import readers
from .readers import RawFile
from .sources import Source, check_columns


def read(con, dataset: Dataset, source: Source | None, table: str, scratch: Path) -> RawFile | None:
    """The raw table of ``dataset`` read from ``source``; None for an optional dataset given no source.

    Raises DataError naming the dataset (and the source) when it is missing,
    cannot be read, or lacks a declared column.
    """
    if source is None:
        if dataset.optional:
            return None
        raise DataError(msg('dataset "{name}" is missing: no table and no database source was given for it',
                            name=dataset.name))
    raw = readers.read_source(con, source, table, scratch)
    check_columns(raw.columns, dataset, source)
    # Order-sensitive (the row number is part of each hash), cheap, and not meant to resist forgery.
    value = con.execute(f"SELECT bit_xor(hash(rowid, r)) FROM {table} AS r").fetchall()[0][0]
    raw.digest = f"{source.format}:{value or 0:016x}:{len(raw.columns)}"
    return raw


def describe(files: list[DataFile], raw: dict[str, RawFile | None], sources: dict[str, Source]) -> list[DataFile]:
    """The run's data files, those that came from a source saying so (no file path, its description, its digest)."""
    out = []
    for item in files:
        source, loaded = sources.get(item.dataset), raw.get(item.dataset)
        if source is not None and loaded is not None:
            item = replace(item, path=None, source=source.shown, digest=loaded.digest)
        out.append(item)
    return out
