"""JSON Lines: one JSON object per line, kept whole until the typing step picks its keys.

Which keys matter is known only from the policy, so the raw table holds each
record as JSON; the declared columns are extracted (as text) after the lock.

A file DuckDB cannot read is read again here, line by line, to name the line
that is not JSON and the column where it goes wrong: DuckDB's own line number
is one past the broken line, and further off after blank lines.

A record's row is its line in the file, so that a finding on it points at
the line an editor shows. DuckDB skips blank lines (nothing but spaces, tabs
and carriage returns) and numbers the records it reads, so a file with blank
lines before a record keeps each record's line in a column of the raw table
(``__line``), worked out by one pass of a regular expression over the file
for its blank lines (no work per record in Python) and an ``ASOF`` join.
"""

from __future__ import annotations

import json
from pathlib import Path

from ...errors import DataError, Location
from ...i18n import N_, Message, msg
from ...textfile import UNREAD, file_mark
from .common import RawFile, ReadOptions, blank_lines, create, literal_path


def read(con, path: Path, table: str, options: ReadOptions, scratch: Path) -> RawFile:
    try:
        create(con, table, "SELECT json FROM read_ndjson_objects(?)", [literal_path(path, scratch)], path)
    except DataError as exc:
        raise broken_line(path) or exc from None
    skips = blank_skips(path)
    if not skips:
        raw = RawFile(path, "jsonl", table, encoding="utf-8", json=True)
    else:
        # Record k (counted from 0) is on line k + 1 + the number of blank lines before it: the skips at or below k.
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT r.json, r.rowid + 1 + coalesce(b.n, 0) AS __line "
                    f"FROM {table} AS r ASOF LEFT JOIN (SELECT unnest(?::BIGINT[]) AS k, unnest(?::BIGINT[]) AS n) AS b "
                    "ON r.rowid >= b.k ORDER BY r.rowid", [list(skips), list(skips.values())])
        raw = RawFile(path, "jsonl", table, encoding="utf-8", json=True, line='"__line"')
    return raw


# What a line that is JSON but not an object holds, by JSON's own name for it (the same in every language),
# from DuckDB's json_type; any other type is a number.
_NOT_OBJECT = {"NULL": "null", "ARRAY": "array", "VARCHAR": "string", "BOOLEAN": "boolean"}


def check_records(con, raw: RawFile) -> None:
    """Each line is one record: a JSON object (not ``null``, an array, a string or a number) with each key once.

    A key written twice would be read as its first value here and as its last
    by most JSON parsers, so the record is ambiguous and refused. One query
    over the raw table, after the lock, finds the first bad line; a DataError
    names it.
    """
    keys = "json_keys(json)"
    found = con.execute(
        f"SELECT {raw.line}, json_type(json), {keys} FROM {raw.table} WHERE json_type(json) <> 'OBJECT' "
        f"OR len({keys}) <> len(list_distinct({keys})) ORDER BY rowid LIMIT 1").fetchone()
    if found is None:
        return
    line, kind, names = found
    where = Location(str(raw.path), line=line)
    if kind != "OBJECT":
        raise DataError(msg("this line is a JSON {kind}, not an object: each line must be one record, "
                            '{{"field": value, …}}', kind=_NOT_OBJECT.get(kind, "number")), where)
    twice = next(name for i, name in enumerate(names) if name in names[:i])
    raise DataError(msg('key "{key}" appears twice in this record; write each key once', key=twice), where)


def blank_skips(path: Path) -> dict[int, int]:
    """For the blank lines of ``path``: the index (from 0) of the first record after each → blank lines up to it.

    Blank line number ``b`` (from 1), the ``i``-th (from 0), has ``b - 1 - i``
    records before it, so it comes before record ``b - 1 - i`` and every later
    one. Consecutive blank lines share that index; the count kept is the
    last. Empty when the file has no blank line before its last record's
    index can be reached (a trailing blank line still counts, harmlessly).
    """
    skips: dict[int, int] = {}
    try:
        for found, (line, _) in enumerate(blank_lines(path, rb"[ \t\r]*")):
            skips[line - 1 - found] = found + 1
    except OSError:
        return {}
    return skips


def _refuse_constant(name: str) -> None:
    raise ValueError(msg("{name} is not JSON", name=name))


def broken_line(path: Path) -> DataError | None:
    """The first line of ``path`` that is not JSON, as an error at its line and column; None if every line is.

    Blank lines are skipped, as DuckDB skips them; ``NaN`` and ``Infinity``,
    which Python's reader would take, are not JSON. A line that is not UTF-8
    is an error at its first byte that is not; a file that begins with a
    UTF-16 or UTF-32 byte-order mark is an error saying so, for the whole file.
    """
    try:
        mark = file_mark(path)
        if mark in UNREAD:
            return DataError(msg("the file is {encoding} text (it begins with the {encoding} byte-order mark), but "
                                 "clausewise reads JSON Lines files as UTF-8; write it as UTF-8", encoding=mark),
                             Location(str(path)))
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                problem = _line_problem(raw)
                if problem is not None:
                    message, column = problem
                    return DataError(message, Location(str(path), number, column))
    except OSError:
        return None
    return None


def _line_problem(raw: bytes) -> tuple[Message, int | None] | None:
    """(what is wrong, the column) for one line that is not JSON; None for JSON and blank lines."""
    try:
        text = raw.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        # exc.object is the line without its byte-order mark, if any: the characters before the byte are the column.
        column = len(exc.object[:exc.start].decode("utf-8")) + 1
        return msg("not valid UTF-8 text (byte 0x{byte:02X}); JSON Lines files are read as UTF-8",
                   byte=exc.object[exc.start]), column
    if not text.strip():
        return None
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        said = exc.msg[0].lower() + exc.msg[1:]
        return msg("this line is not JSON: {message}", message=_JSON_PROBLEMS.get(said, said)), exc.colno
    except ValueError as exc:
        said = exc.args[0] if exc.args and isinstance(exc.args[0], Message) else str(exc)
        return msg("this line is not JSON: {message}", message=said), None
    except RecursionError:  # nested deeper than Python reads: DuckDB's business, not a broken line
        return None
    return None


# What Python's JSON reader says is wrong (its first letter lowered), in the catalogue; others are shown as it says.
_JSON_PROBLEMS = {said: said for said in (
    N_("expecting value"), N_("expecting ',' delimiter"), N_("expecting ':' delimiter"),
    N_("expecting property name enclosed in double quotes"), N_("unterminated string starting at"),
    N_("invalid control character at"), N_("invalid \\escape"), N_("invalid \\uXXXX escape"), N_("extra data"))}
