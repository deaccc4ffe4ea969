"""Export readers: one module per file format, each reading a file into a raw table.

A reader runs before the connection is locked, because it is the only step
that touches the file system, so it is kept free of anything the policy
writes: it is given a file, the name of the table to create and a few plain
options (a delimiter, an encoding), and runs fixed SQL whose values are
passed as query parameters. Nothing policy-specific happens here — which
columns are declared, their types, null tokens — that is the typing step's
work, after the lock (``engine/exports.py``).

A raw table has the file's columns in file order (text for CSV and XLSX, the
whole record as JSON in a ``json`` column for JSON Lines, the stored types for
Parquet); a record's position in the file is its ``rowid`` + 1.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import DataError, Location
from ...i18n import msg, os_reason
from . import csv, database, jsonl, memory, parquet, xlsx
from .common import RawFile, ReadOptions

READERS = {
    "csv": csv.read,
    "jsonl": jsonl.read,
    "parquet": parquet.read,
    "xlsx": xlsx.read,
}
FORMATS = tuple(READERS)
# Datasets that are not files (engine/sources.py): each kind of source and the module that reads it.
SOURCE_READERS = {
    "TableSource": memory.read,
    "DatabaseSource": database.read,
}


def read(con, path: Path, table: str, options: ReadOptions, scratch: Path) -> RawFile:
    """Read ``path`` (its suffix names the format) into the raw table ``table``.

    Raises :class:`~clausewise.errors.DataError` naming the file (and line,
    where the reader knows it) for anything that cannot be read.
    """
    try:
        return READERS[path.suffix[1:]](con, path, table, options, scratch)
    except OSError as exc:
        raise DataError(msg("cannot be read: {value1}", value1=os_reason(exc)), Location(str(path))) from None


def read_source(con, source, table: str, scratch: Path) -> RawFile:
    """Read a dataset that is not a file (a table in memory, a database table or query) into ``table``.

    The raw table is like a file's: the source's columns in its order, a
    record's position is its ``rowid`` + 1; ``RawFile.path`` is the source's
    description (``source.shown``), never a password. Raises DataError naming
    the dataset and the source.
    """
    return SOURCE_READERS[type(source).__name__](con, source, table, scratch)


__all__ = ["FORMATS", "READERS", "SOURCE_READERS", "RawFile", "ReadOptions", "read", "read_source"]
