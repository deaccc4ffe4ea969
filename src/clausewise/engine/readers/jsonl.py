"""JSON Lines: one JSON object per line, kept whole until the typing step picks its keys.

Which keys matter is known only from the policy, so the raw table holds each
record as JSON; the declared columns are extracted (as text) after the lock.
"""

from __future__ import annotations

from pathlib import Path

from .common import RawFile, ReadOptions, create, literal_path


def read(con, path: Path, table: str, options: ReadOptions, scratch: Path) -> RawFile:
    create(con, table, "SELECT json FROM read_ndjson_objects(?)", [literal_path(path, scratch)], path)
    return RawFile(path, "jsonl", table, encoding="utf-8", json=True)
