"""Parquet: read as stored, columns with their own types."""

from __future__ import annotations

from pathlib import Path

from .common import RawFile, ReadOptions, create, literal_path


def read(con, path: Path, table: str, options: ReadOptions, scratch: Path) -> RawFile:
    create(con, table, "SELECT * FROM read_parquet(?)", [literal_path(path, scratch)], path)
    described = con.execute(f"DESCRIBE {table}").fetchall()
    return RawFile(path, "parquet", table, [row[0] for row in described], types={row[0]: row[1] for row in described})
