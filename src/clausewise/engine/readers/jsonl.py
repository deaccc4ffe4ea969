"""JSON Lines: one JSON object per line, kept whole until the typing step picks its keys.

Which keys matter is known only from the policy, so the raw table holds each
record as JSON; the declared columns are extracted (as text) after the lock.

A file DuckDB cannot read is read again here, line by line, to name the line
that is not JSON and the column where it goes wrong: DuckDB's own line number
is one past the broken line, and further off after blank lines.
"""

from __future__ import annotations

import json
from pathlib import Path

from ...errors import DataError, Location
from ...i18n import msg
from .common import RawFile, ReadOptions, create, literal_path


def read(con, path: Path, table: str, options: ReadOptions, scratch: Path) -> RawFile:
    try:
        create(con, table, "SELECT json FROM read_ndjson_objects(?)", [literal_path(path, scratch)], path)
    except DataError as exc:
        raise broken_line(path) or exc from None
    return RawFile(path, "jsonl", table, encoding="utf-8", json=True)


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def broken_line(path: Path) -> DataError | None:
    """The first line of ``path`` that is not JSON, as an error at its line and column; None if every line is.

    Blank lines are skipped, as DuckDB skips them; ``NaN`` and ``Infinity``,
    which Python's reader would take, are not JSON.
    """
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                problem = _line_problem(raw)
                if problem is not None:
                    message, column = problem
                    return DataError(msg("this line is not JSON: {message}", message=message), Location(str(path), number, column))
    except OSError:
        return None
    return None


def _line_problem(raw: bytes) -> tuple[str, int | None] | None:
    """(what is wrong, the column) for one line that is not JSON; None for JSON and blank lines."""
    try:
        text = raw.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        return f"byte {exc.start + 1} is not UTF-8", exc.start + 1
    if not text.strip():
        return None
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        return exc.msg[0].lower() + exc.msg[1:], exc.colno
    except ValueError as exc:
        return str(exc), None
    except RecursionError:  # nested deeper than Python reads: DuckDB's business, not a broken line
        return None
    return None
