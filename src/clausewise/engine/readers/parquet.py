"""Parquet: read as stored, columns with their own types."""

from __future__ import annotations

from pathlib import Path

from .common import RawFile, ReadOptions, create, literal_path


def read(con, path: Path, table: str, options: ReadOptions, scratch: Path) -> RawFile:
    create(con, table, "SELECT * FROM read_parquet(?)", [literal_path(path, scratch)], path)
    columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
    return RawFile(path, "parquet", table, columns)
