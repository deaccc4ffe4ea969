"""What every reader shares: its options, its result, and reading a path literally."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ...errors import DataError, Location
from ...i18n import N_, Message, msg
from ...textfile import Undecodable, count_breaks, first_undecodable
from ..connection import NO_FAULT


@dataclass(frozen=True)
class ReadOptions:
    """What a policy may say about reading a file: CSV delimiter and encoding."""

    delimiter: str = ","
    encoding: str = "auto"


@dataclass
class RawFile:
    """A file read into a raw table.

    ``columns`` are the file's columns in file order (for JSON Lines, the
    keys are found after the lock, when the declared columns are known);
    ``json`` says the table holds one ``json`` column per record.
    """

    path: Path | str  # a file, or a source's description (engine/sources.py) for a dataset that is not one
    format: str
    table: str
    columns: list[str] = field(default_factory=list)
    encoding: str | None = None
    json: bool = False
    types: dict[str, str] = field(default_factory=dict)  # stored types (Parquet); none means text
    digest: str | None = None  # a source's content, for the run history (a file has its own bytes)
    line: str = "rowid + 1"  # SQL over the raw table: a record's row (JSON Lines: its line, blank lines counted)
    # CSV: the lines its header spans, and the file DuckDB read (UTF-8, None when its lines do not matter:
    # a workbook's sheet), the line break its lines end in ("\n", "\r\n", "\r"; "" when it is its header) and
    # the byte its first record starts at; from them and the raw table, readers.csv.line_shifts works out each
    # record's line.
    header_lines: int = 1
    # CSV read as UTF-8 without being told so, whose text reads as GBK too: (some of it as UTF-8, as GBK).
    doubt: tuple[str, str] | None = None
    scanned: Path | None = None
    ending: str = "\n"
    records_at: int = 0


_GLOB = re.compile(r"[*?\[\]{}~]")


def literal_path(path: Path, scratch: Path) -> str:
    """A name under which DuckDB opens exactly ``path``.

    DuckDB reads a file name as a glob pattern (``exp[1]/a.csv`` would read
    ``exp1/a.csv``); paths given by a user are literal, so a path holding a
    pattern character is opened through a link with a plain name in the
    run's private scratch folder.
    """
    text = str(path)
    if not _GLOB.search(text):
        return text
    if _GLOB.search(str(scratch)):
        raise DataError(msg("the temporary folder's name holds a glob character; set TMPDIR to a plain folder"),
                        Location(str(scratch)))
    link = scratch / f"link-{len(list(scratch.iterdir()))}{path.suffix}"
    os.symlink(path.resolve(), link)
    return str(link)


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _csv_problem(text: str) -> str | Message:
    """The sentence in DuckDB's CSV error that says what is wrong with the line: the last one before its
    "Possible fixes" or "Possible Solution" (the original line quoted before it may span several lines, when a
    quote left open took in the next), else the one after the original line."""
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    advice = next((i for i, x in enumerate(lines) if x.startswith("Possible")), None)
    said = lines[advice - 1] if advice is not None and advice >= 3 else (lines[2] if len(lines) > 2 else "")
    if not said or said.startswith("Possible"):
        return msg("malformed")
    said = said.rstrip(".").lower()
    return _CSV_PROBLEMS.get(said, said)


# DuckDB's words for what is wrong with a CSV line that the catalogue translates; others are shown as DuckDB says.
_CSV_PROBLEMS = {"value with unterminated quote found": N_("value with unterminated quote found")}


def read_error(text: str, path: Path) -> DataError:
    """DuckDB's reader error as one line: where, and what is wrong."""
    line = _CSV_LINE.search(text)
    count = _CSV_COUNT.search(text)
    if line and count:
        # DuckDB stops counting one field past the header, so "more" is all it can say of a long line.
        more = int(count[2]) > int(count[1])
        if more:
            message = msg("this line has more fields than the header's {expected}", expected=count[1])
        elif count[2] == "1":
            message = msg("this line has 1 field but the header has {expected}", expected=count[1])
        else:
            message = msg("this line has {found} fields but the header has {expected}", found=count[2],
                          expected=count[1])
    elif line:
        message = msg("cannot read this line: {exc}", exc=_csv_problem(text))
    else:
        first = text.strip().splitlines()[0].split(": ", 1)[-1] if text.strip() else msg("unknown error")
        message = msg("cannot read: {said}", said=first)
    return DataError(message, Location(str(path), line=int(line[1]) if line else None))


def create(con, table: str, select: str, parameters: list, path: Path) -> None:
    """``CREATE TABLE table AS select`` with the reader's parameters; reader errors become DataErrors."""
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {select}", parameters)
    except NO_FAULT:
        raise  # not the file's fault: out of memory (the run says how to give DuckDB more) or Ctrl-C
    except duckdb.Error as exc:
        raise read_error(str(exc), path) from None


# How much of a file a scan holds at a time (plus the line it stops in).
SCAN_CHUNK = 4 << 20

# A line break as a text editor reads one: "\r\n", "\n", or "\r" alone. A CSV export's lines end at each
# (docs/rules.md); a JSON Lines file's at "\n" alone, as DuckDB's reader splits it.
ANY_BREAK = rb"\r\n|\r(?!\n)|\n"


def blank_lines(path: Path, content: bytes, any_break: bool = False) -> Iterator[tuple[int, int]]:
    """Each blank line of ``path``: (its number from 1, the count of ``"`` before it), in file order.

    A line is blank when its text (without its line break) matches the
    regular expression ``content`` (``""`` for CSV, ``[ \t\r]*`` for JSON
    Lines); lines end at ``\n``, or with ``any_break`` at any line break
    (``\r\n``, ``\n``, a ``\r`` alone; see ``ANY_BREAK``). A line after the
    file's final line break is no line. The file is read a few megabytes at
    a time (``SCAN_CHUNK``), never whole, so memory does not grow with it;
    the work per line is a regular expression's search for a line break (no
    Python per line). A file without a blank line, the usual case, is read
    once; one with some is read again to count lines and quotes up to each.
    """
    brk = ANY_BREAK if any_break else rb"\n"
    first = re.compile(b"(?:" + content + b")(?:" + brk + rb"|\Z)")
    after = re.compile(b"(?:" + brk + b")(?=(?:" + content + b")(?:" + brk + rb"|\Z))")
    count = count_breaks if any_break else (lambda piece: piece.count(b"\n"))

    def starts(segment: bytes) -> Iterator[int]:
        """Where the blank lines of a segment of whole lines start."""
        if first.match(segment):
            yield 0
        for match in after.finditer(segment):
            yield match.end()

    if not any(start < len(segment) for segment in segments(path, any_break) for start in starts(segment)):
        return
    line, quotes = 1, 0
    for segment in segments(path, any_break):
        at = 0
        for start in starts(segment):
            if start >= len(segment):  # after the final line break
                break
            piece = segment[at:start]
            line, quotes, at = line + count(piece), quotes + piece.count(b'"'), start
            yield line, quotes
        piece = segment[at:]
        line, quotes = line + count(piece), quotes + piece.count(b'"')


def undecodable(path: Path, encoding: str) -> Undecodable | None:
    """The first byte of ``path`` that does not decode as ``encoding``, with its line and column
    (:func:`clausewise.textfile.first_undecodable`, over the file read in :func:`segments`, a line ending at any
    break); None when every byte decodes or the file cannot be read. For a file already found not to read: the
    whole file is decoded once."""
    try:
        return first_undecodable(segments(path, any_break=True), encoding)
    except OSError:
        return None


def chunks(path: Path, start: int = 0) -> Iterator[bytes]:
    """``path`` from byte ``start`` in pieces of ``SCAN_CHUNK`` bytes (the last may be shorter), as read."""
    with path.open("rb") as handle:
        handle.seek(start)
        while chunk := handle.read(SCAN_CHUNK):
            yield chunk


def segments(path: Path, any_break: bool = False, start: int = 0) -> Iterator[bytes]:
    """``path`` from byte ``start`` in pieces of whole lines, about ``SCAN_CHUNK`` bytes each (the last may not
    end in a line break).

    Lines end at ``\n``, or with ``any_break`` at a ``\r`` too (never between
    the ``\r`` and ``\n`` of a ``\r\n``).
    """
    carry = b""
    for chunk in chunks(path, start):
        data = carry + chunk
        cut = data.rfind(b"\n") + 1
        if any_break:
            cut = max(cut, data.rfind(b"\r", 0, len(data) - 1) + 1)  # a "\r" last may be a "\r\n"'s first half
        carry = data[cut:]
        if cut:
            yield data[:cut]
    if carry:
        yield carry
