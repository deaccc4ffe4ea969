"""CSV: UTF-8 with or without a byte-order mark, or GBK/GB18030, read strictly.

No dialect sniffing: the header is the first line, every cell is text, quotes
are ``"`` doubled, and a malformed line is an error naming its line number,
not a reason to guess another dialect. GBK/GB18030 (what Excel writes on
Chinese Windows) is transcoded to UTF-8 in the scratch folder first. A
byte-order mark settles the encoding: UTF-8's makes the file UTF-8 only (a
byte that is not UTF-8 is an error at its line and column); UTF-16's and
UTF-32's make it a file clausewise does not read, and the error says so.

A record's ``row`` is its number (1 = the first record); the line it starts
on is further down when records before it span lines (a quoted field holding
a line break) or blank lines (which DuckDB skips) come before it. Those shifts
are worked out once, set-based: the line breaks inside each record's fields
by a window sum in SQL, the blank lines by one pass of a regular expression
over the file (work per blank line, none per record in Python), and kept as
the few rows where the shift changes (``RawFile.line_shifts``). DuckDB's own
line in a read error counts a record as one line; it is turned into the
file's line by reading the file again (only on that error).
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import replace
from pathlib import Path

from ...errors import DataError, Location
from ...i18n import msg
from ...textfile import UNREAD, Undecodable, file_mark, marked_encoding
from ..sqltext import ident
from .common import RawFile, ReadOptions, blank_lines, create, line_count, literal_path, undecodable

_READ = (
    "SELECT * FROM read_csv(?, header = true, auto_detect = false, columns = ?, delim = ?, "
    "quote = '\"', escape = '\"', null_padding = false, strict_mode = true)"
)


class _NotUtf8(Exception):
    """Bytes that are not UTF-8 in a file whose first megabyte was."""


def read(con, path: Path, table: str, options: ReadOptions, scratch: Path) -> RawFile:
    """The CSV file at ``path`` read into ``table``, every cell as text (its encoding: :func:`_encoding`).

    Raises DataError for a file in an encoding clausewise does not read
    (UTF-16, UTF-32), for bytes that are not the file's encoding (at the
    first one's line and column), and for a malformed line (at its line).
    """
    encoding = _encoding(path, options.encoding)
    try:
        return _read(con, path, table, options, scratch, encoding)
    except _NotUtf8:
        if _utf8_only(path, options.encoding):
            raise _not_utf8(path, options.encoding) from None
        return _read(con, path, table, options, scratch, "gb18030")


def _read(con, path: Path, table: str, options: ReadOptions, scratch: Path, encoding: str) -> RawFile:
    source = path if encoding == "utf-8" else _transcode(path, encoding, scratch, options.encoding)
    raw = read_text_csv(con, source, path, table, options.delimiter, scratch, lines=True)
    raw.encoding = encoding
    return raw


def read_text_csv(con, source: Path, shown: Path, table: str, delimiter: str, scratch: Path,
                  lines: bool = False) -> RawFile:
    """Read UTF-8 CSV ``source`` (reported as ``shown``) into ``table``, every cell as text.

    With ``lines`` (a CSV export, not a CSV written from a workbook or a
    database), a read error names the file's line, and the file's blank
    lines are noted for :func:`line_shifts`.
    """
    header = _header(source, delimiter, shown)
    columns = {name: "VARCHAR" for name in header}
    try:
        create(con, table, _READ, [literal_path(source, scratch), columns, delimiter], shown)
    except DataError as exc:
        if "unicode" in exc.message.lower():
            raise _NotUtf8() from None
        if lines and exc.location is not None and exc.location.line is not None:
            physical = _physical_line(source, delimiter, exc.location.line)
            raise DataError(exc.message, replace(exc.location, line=physical)) from None
        raise
    header_lines = 1 + sum(name.count("\n") for name in header)
    return RawFile(shown, "csv", table, header, header_lines=header_lines, scanned=source if lines else None)


def line_shifts(con, raw: RawFile) -> tuple[tuple[int, int], ...]:
    """Where a record's line stops being its row plus one header line: ``((row, extra lines before it), …)``,
    one pair for each row from which the extra count changes, rows from 1 (``DataFile.line_of``).

    The extra lines before record ``k`` are the line breaks inside the fields
    of the records before it (a window sum over the raw table), the blank
    lines before it (found in the file, placed by an ``ASOF`` join on the
    line each record would start on without them), and the header's own
    line breaks. A file with as many lines as header and records has neither
    (each record takes a line, and one more for each break in its fields or
    blank line before it): one count of its lines settles the usual case.
    Runs after the lock, as every query naming the file's columns does.
    """
    table, header, header_lines = raw.table, raw.columns, raw.header_lines
    blanks: tuple[int, ...] = ()
    if raw.scanned is not None:
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if _line_count(raw.scanned) == header_lines + rows:
            return ((1, header_lines - 1),) if header_lines > 1 else ()
        blanks = _blank_lines(raw.scanned)
    if not blanks and header_lines == 1:
        # No blank line, and (one scan, no sort) no field holding a line break: every record is on its row plus
        # the header's line, and the window below, a sort of the whole table, is not needed.
        held = " OR ".join(f"contains({ident(c)}, chr(10))" for c in header)
        if not con.execute(f"SELECT coalesce(bool_or({held}), false) FROM {table}").fetchone()[0]:
            return ()
    breaks = " + ".join(f"coalesce(length({ident(c)}) - length(replace({ident(c)}, chr(10), '')), 0)"
                        for c in header) or "0"
    inner = (f"SELECT rowid AS k, coalesce(sum({breaks}) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING "
             f"AND 1 PRECEDING), 0) AS e FROM {table}")
    # Without blank lines, record k starts on line header_lines + 1 + k + e; the i-th blank line (from 0), on
    # line b, comes before every record whose such line is at least b - i.
    counted = (f"SELECT r.k, r.e + coalesce(b.n, 0) + {header_lines - 1} AS extra FROM ({inner}) AS r ASOF LEFT JOIN "
               "(SELECT unnest(?::BIGINT[]) AS at, unnest(?::BIGINT[]) AS n) AS b "
               f"ON {header_lines} + 1 + r.k + r.e >= b.at")
    changes = (f"SELECT k + 1, extra FROM (SELECT k, extra, lag(extra, 1, 0) OVER (ORDER BY k) AS before "
               f"FROM ({counted})) WHERE extra <> before ORDER BY k")
    ats = {line - i: i + 1 for i, line in enumerate(blanks)}  # consecutive blank lines share one: the last counts
    return tuple(con.execute(changes, [list(ats), list(ats.values())]).fetchall())


def _blank_lines(source: Path) -> tuple[int, ...]:
    """The lines (from 1) of ``source`` that are empty, outside a quoted field (an even number of quotes before
    them): DuckDB skips them. A line after the file's last line break is no line; the header's line is not one."""
    try:
        return tuple(line for line, quotes in blank_lines(source, rb"\r?") if quotes % 2 == 0 and line > 1)
    except OSError:
        return ()


def _line_count(source: Path) -> int | None:
    try:
        return line_count(source)
    except OSError:
        return None


def _physical_line(source: Path, delimiter: str, counted: int) -> int:
    """The line of ``source`` on which DuckDB's line ``counted`` starts (it counts each record, and each blank line,
    as one line); read again with the standard library's reader, which reads quoted fields as DuckDB does."""
    try:
        with source.open("r", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            last = 0
            for number, _ in enumerate(reader, start=1):
                if number == counted:
                    return last + 1
                last = reader.line_num
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    return counted


def _header(source: Path, delimiter: str, shown: Path) -> list[str]:
    try:
        with source.open("r", encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle, delimiter=delimiter), None)
    except UnicodeDecodeError:
        raise _NotUtf8() from None
    except csv.Error as exc:
        raise DataError(msg("cannot read the header: {exc}", exc=exc), Location(str(shown), line=1)) from None
    if not header:
        if source.stat().st_size > len(codecs.BOM_UTF8):
            raise DataError(msg("the first line is blank; the header row must be the file's first line"),
                            Location(str(shown), line=1))
        raise DataError(msg("the file is empty; a header row is required"), Location(str(shown), line=1))
    other = _other_delimiter(header, delimiter)
    if other:
        written, declared = other.replace("\t", "\\t"), delimiter.replace("\t", "\\t")
        raise DataError(msg("the header is one column holding \"{written}\": the file seems separated by \"{written}\" rather than \"{declared}\"; set the dataset's delimiter: \"{written}\"", written=written, declared=declared), Location(str(shown), line=1))
    seen: dict[str, str] = {}
    for name in header:
        # The database tells names apart but for the case of ASCII letters (Ä and ä are two names, A and a one).
        folded = "".join(c.lower() if c.isascii() else c for c in name)
        if folded in seen:
            said = (msg('column "{name}" appears twice in the header', name=name) if seen[folded] == name else
                    msg('columns "{other}" and "{name}" differ only in upper and lower case, which the database '
                        'does not tell apart; rename one', other=seen[folded], name=name))
            raise DataError(said, Location(str(shown), line=1))
        seen[folded] = name
    return header


def _other_delimiter(header: list[str], delimiter: str) -> str | None:
    """The delimiter a one-column header is really separated by (";" from a European Excel, a tab), or None."""
    if len(header) != 1:
        return None
    return next((d for d in (";", "\t", "|", ",") if d != delimiter and d in header[0]), None)


def _encoding(path: Path, declared: str) -> str:
    """The encoding to read ``path`` in, ``"utf-8"`` or ``"gb18030"``, for the dataset's ``declared`` encoding.

    A byte-order mark decides first. UTF-8's says UTF-8, whatever the first
    megabyte holds (a byte in it that is not UTF-8 is then an error, not a
    reason to read GB18030), and contradicts a declared GBK or GB18030: a
    DataError. UTF-16's and UTF-32's (Excel's "Unicode Text" writes UTF-16)
    name an encoding clausewise does not read: a DataError saying so, with
    how to save the file instead. Without a mark: the declared encoding (GBK
    is read as GB18030, its superset), or for ``auto`` UTF-8 when the first
    megabyte decodes as UTF-8, or holds Chinese (or other non-ASCII) UTF-8
    text before its first byte that does not (:func:`_proven_utf8`; that byte
    is then an error at its line and column), else GB18030. Only the start is
    read here; DuckDB checks the rest as it reads, and a file without a mark
    that turns out not to be UTF-8 further in is read again as GB18030 —
    unless its first megabyte proved it UTF-8 as above.
    """
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    mark = marked_encoding(head)
    if mark in UNREAD:
        raise DataError(msg('the file is {encoding} text (it begins with the {encoding} byte-order mark), but '
                            'clausewise reads CSV files as UTF-8 or GB18030; save it from Excel as "CSV UTF-8 '
                            '(Comma delimited)", or convert it to UTF-8', encoding=mark), Location(str(path)))
    if mark == "UTF-8":
        if declared != "auto" and declared != "utf-8":
            raise DataError(msg('the file begins with the UTF-8 byte-order mark, so it is UTF-8 text, but the dataset '
                                'declares "encoding: {declared}"; set the dataset\'s encoding to utf-8 or auto',
                                declared=declared), Location(str(path)))
        return "utf-8"
    if declared != "auto":
        return {"gbk": "gb18030"}.get(declared, declared)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "utf-8" if _proven_utf8(head) else "gb18030"
    return "utf-8"


def _utf8_only(path: Path, declared: str) -> bool:
    """True when ``path`` is to be read as UTF-8 and nothing else: the dataset declares UTF-8, the file begins
    with UTF-8's byte-order mark, or (``auto``) its first megabyte is UTF-8 text with Chinese or other non-ASCII
    characters in it (:func:`_proven_utf8`)."""
    if declared == "utf-8" or file_mark(path) == "UTF-8":
        return True
    with path.open("rb") as handle:
        return declared == "auto" and _proven_utf8(handle.read(1 << 20))


# Bytes beyond one a character that the first megabyte's UTF-8 must hold for the file to count as UTF-8: 16 is 8
# Chinese characters (3 bytes each). A GBK character passes for UTF-8 by chance about one time in ten (its lead
# byte one of C2-DF, 30 of GBK's 126, and its trail byte one of 80-BF, 64 of 190, is 8 %; a three-byte start adds a
# little), so a GBK file passes with 8 such characters and nothing invalid about once in a hundred million.
UTF8_EVIDENCE = 16


def _proven_utf8(head: bytes) -> bool:
    """Whether ``head``, a file's first megabyte, is UTF-8 text holding non-ASCII characters up to its first byte
    that is not UTF-8, if any (at least :data:`UTF8_EVIDENCE` bytes more than characters). Such a file is UTF-8:
    a byte that is not is a fault in it, not a sign that the whole file is GB18030 — read so, every Chinese
    character before that byte would silently become other characters."""
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        head = head[:exc.start]
        text = head.decode("utf-8")
    return len(head) - len(text) >= UTF8_EVIDENCE


def _not_utf8(path: Path, declared: str) -> DataError:
    """The error for a file read as UTF-8 only (:func:`_utf8_only`) that is not UTF-8, at the line and column of
    its first byte that is not (the file is decoded once more, in pieces, to find it)."""
    bad = undecodable(path, "utf-8")
    if bad is None:  # DuckDB refused what Python's decoder takes; none is known
        return DataError(msg("not valid UTF-8 text; set the dataset's encoding"), Location(str(path)))
    where = Location(str(path), bad.line, bad.column)
    if file_mark(path) == "UTF-8":
        return DataError(msg("not valid UTF-8 text (byte 0x{byte:02X}), though the file begins with the UTF-8 "
                             "byte-order mark; correct the byte, or export the file again", byte=bad.byte), where)
    if declared == "auto":
        return DataError(msg("not valid UTF-8 text (byte 0x{byte:02X}), though the file's text before it is UTF-8; "
                             "correct the byte, or export the file again", byte=bad.byte), where)
    return _not_declared(bad, "UTF-8", declared, where)


def _not_declared(bad: Undecodable, encoding: str, declared: str, where: Location) -> DataError:
    """The error for a byte that is not the encoding the dataset declares."""
    return DataError(msg('not valid {encoding} text (byte 0x{byte:02X}), the encoding the dataset declares '
                         '("encoding: {declared}"); set the dataset\'s encoding to the file\'s, or to auto',
                         encoding=encoding, byte=bad.byte, declared=declared), where)


def _transcode(path: Path, encoding: str, scratch: Path, declared: str = "auto") -> Path:
    """``path`` re-encoded as UTF-8 in the scratch folder; bytes that do not decode are an error at their line and
    column, naming the encoding the dataset declares (``declared``), if it declares one.

    Decoded a megabyte at a time, in C; only when a byte does not decode is
    the file read once more, in pieces of whole lines, for its line and
    column (:func:`.common.undecodable`).
    """
    target = scratch / f"transcoded-{len(list(scratch.iterdir()))}.csv"
    decoder = codecs.getincrementaldecoder(encoding)()
    read, lines = 0, 1
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = src.read(1 << 20)
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # Where the scan finds it; were the file changed since, where this read found it, without a column.
                bad = undecodable(path, encoding) or Undecodable(lines + exc.object[:exc.start].count(b"\n"), 0,
                                                                exc.object[exc.start], read - pending + exc.start)
                where = Location(str(path), bad.line, bad.column or None)
                if declared != "auto":
                    raise _not_declared(bad, declared.upper(), declared, where) from None
                raise DataError(msg("not valid {value1} text (byte 0x{value3:02X} at offset {where})",
                                    value1=encoding.upper(), value3=bad.byte, where=bad.offset), where) from None
            dst.write(text)
            read, lines = read + len(chunk), lines + text.count("\n")
            if not chunk:
                return target


__all__ = ["line_shifts", "read", "read_text_csv"]
