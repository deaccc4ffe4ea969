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
from . import csv, jsonl, parquet, xlsx
from .common import RawFile, ReadOptions

READERS = {
    "csv": csv.read,
    "jsonl": jsonl.read,
    "parquet": parquet.read,
    "xlsx": xlsx.read,
}
FORMATS = tuple(READERS)


def read(con, path: Path, table: str, options: ReadOptions, scratch: Path) -> RawFile:
    """Read ``path`` (its suffix names the format) into the raw table ``table``.

    Raises :class:`~clausewise.errors.DataError` naming the file (and line,
    where the reader knows it) for anything that cannot be read.
    """
    try:
        return READERS[path.suffix[1:]](con, path, table, options, scratch)
    except OSError as exc:
        raise DataError(f"cannot be read: {(exc.strerror or str(exc)).lower()}", Location(str(path))) from None


__all__ = ["FORMATS", "READERS", "RawFile", "ReadOptions", "read"]
