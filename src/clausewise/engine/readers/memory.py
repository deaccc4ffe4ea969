"""Tables in memory: pandas or Polars DataFrames, pyarrow tables and readers, DuckDB relations.

The run's connection is its own (in memory, in the policy's timezone, locked
before the rules run), so a table handed to the library is copied into it,
not shared: a pandas DataFrame is scanned by DuckDB directly; anything else
that speaks the Arrow C stream interface (``__arrow_c_stream__``: pyarrow,
Polars, a relation of another DuckDB connection, which runs its query there)
is streamed in batch by batch. Neither needs pyarrow, nor is any text of the
table's pasted into SQL: the table is registered under a fixed name.

The raw table keeps the types the table had (DuckDB's names for them), like
a Parquet file's; a record's row number is its position in the table, from 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ...errors import DataError
from ...i18n import msg
from .common import RawFile, create

if TYPE_CHECKING:
    from ..sources import TableSource

_VIEW = "__given_table"


class _Stream:
    """Hands DuckDB the Arrow C stream of an object whose own type it would not scan (a Polars frame, a relation)."""

    def __init__(self, table):
        self._table = table

    def __arrow_c_stream__(self, requested_schema=None):
        return self._table.__arrow_c_stream__(requested_schema)


def read(con, source: TableSource, table: str, scratch: Path) -> RawFile:
    """Copy ``source``'s table into the raw table ``table``; DataError naming the dataset when it cannot be read."""
    given = source.table
    if source.format == "polars" and hasattr(given, "collect"):  # a LazyFrame: its query runs now
        given = given.collect()
    scannable = given if source.format == "pandas" else _Stream(given)
    try:
        con.register(_VIEW, scannable)
    except duckdb.Error as exc:
        raise DataError(msg("cannot be read: {first_line}", first_line=_first_line(exc)), source.where()) from None
    try:
        create(con, table, f"SELECT * FROM {_VIEW}", [], source.shown)
    finally:
        con.unregister(_VIEW)
    described = con.execute(f"DESCRIBE {table}").fetchall()
    return RawFile(source.shown, source.format, table, [row[0] for row in described],
                   types={row[0]: row[1] for row in described})


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0].split(" Error: ", 1)[-1]
