"""CSV: UTF-8 with or without a byte-order mark, or GBK/GB18030, read strictly.

No dialect sniffing: the header is the first line, every cell is text, quotes
are ``"`` doubled, and a malformed line is an error naming its line number,
not a reason to guess another dialect. GBK/GB18030 (what Excel writes on
Chinese Windows) is transcoded to UTF-8 in the scratch folder first. A
byte-order mark settles the encoding: UTF-8's makes the file UTF-8 only (a
byte that is not UTF-8 is an error at its line and column); UTF-16's and
UTF-32's make it a file clausewise does not read, and the error says so.

A line ends where a text editor ends one: at ``\r\n``, at ``\n``, and at a
``\r`` alone (a file from an old Mac ends its lines so, and DuckDB reads it),
inside a quoted field as outside. Every line of a file must end alike, as the
header's does (DuckDB refuses a file that mixes them): the first line that
ends otherwise is an error at that line.

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
import io
import itertools
import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from ...errors import DataError, Location
from ...i18n import N_, msg
from ...textfile import UNREAD, Undecodable, file_mark, marked_encoding
from ..sqltext import ident
from .common import RawFile, ReadOptions, blank_lines, chunks, count_breaks, create, literal_path, segments, undecodable

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
        raw = _read(con, path, table, options, scratch, encoding)
        if encoding == "utf-8" and options.encoding == "auto" and file_mark(path) is None:
            raw.doubt = _gbk_too(path)
        return raw
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
    head = _head(source, delimiter, shown)
    header = head.names
    columns = {name: "VARCHAR" for name in header}
    header_lines = 1 + sum(_breaks(name) for name in header)
    read_from = _one_line_header(source, head, delimiter, scratch) if _other_break_in_header(head) else source
    try:
        create(con, table, _READ, [literal_path(read_from, scratch), columns, delimiter], shown)
    except DataError as exc:
        if "unicode" in exc.message.lower():
            raise _NotUtf8() from None
        if lines:
            raise _placed(exc, source, delimiter, head, header_lines) from None
        raise
    return RawFile(shown, "csv", table, header, header_lines=header_lines, scanned=source if lines else None,
                   ending=head.ending, records_at=head.size)


def _other_break_in_header(head: _Head) -> bool:
    """Whether a name in the header holds a line break other than the one the lines end in: DuckDB then takes
    the file's line break to be that one, and reads no record, or records run together, without an error."""
    return any("\r" in name or "\n" in name for name in
               (name.replace(head.ending, "") if head.ending else name for name in head.names))


def _one_line_header(source: Path, head: _Head, delimiter: str, scratch: Path) -> Path:
    """``source`` with its header written on one line (each line break in a name a space): what DuckDB reads
    when a name holds another line break than the lines (``_other_break_in_header``). Its records are the same
    bytes, and DuckDB counts records, not lines, so its read errors still place a record of ``source``."""
    target = scratch / f"header-{len(list(scratch.iterdir()))}.csv"
    names = [re.sub(r"\r\n|\r|\n", " ", name) for name in head.names]
    with source.open("rb") as src, target.open("wb") as dst:
        text = io.StringIO()
        csv.writer(text, delimiter=delimiter, lineterminator=head.ending).writerow(names)
        dst.write(text.getvalue().encode("utf-8"))
        src.seek(head.size)
        shutil.copyfileobj(src, dst, 1 << 20)
    return target


def _placed(exc: DataError, source: Path, delimiter: str, head: _Head, header_lines: int) -> DataError:
    """DuckDB's read error at the file's line; or, when a line before it (or the error names none) ends otherwise
    than the header, an error at that line saying so (DuckDB's own says only that its parser "reached an invalid
    state")."""
    counted = exc.location.line if exc.location is not None else None
    other = _other_ending(source, head.size, head.ending, header_lines, head.shown) if head.ending else None
    if other is not None and (counted is None or other.location.line <= counted):
        return other  # (a record starts on its counted line or below: no need to find the file's line)
    if counted is None:
        return exc
    physical = _physical_line(source, delimiter, counted)
    if other is not None and other.location.line <= physical:
        return other
    return DataError(exc.message, replace(exc.location, line=physical))


def line_shifts(con, raw: RawFile) -> tuple[tuple[int, int], ...]:
    """Where a record's line stops being its row plus one header line: ``((row, extra lines before it), …)``,
    one pair for each row from which the extra count changes, rows from 1 (``DataFile.line_of``).

    The extra lines before record ``k`` are the line breaks inside the fields
    of the records before it (a window sum over the raw table), the blank
    lines before it (found in the file, placed by an ``ASOF`` join on the
    line each record would start on without them), and the header's own
    line breaks. A file whose records take as many lines as there are records
    has neither (each record takes a line, and one more for each break in its
    fields or blank line before it): one count of its lines settles the usual
    case (``_one_line_each``). Line breaks are ``\r\n``, ``\n`` and a ``\r``
    alone (the module's docstring). Runs after the lock, as every query naming
    the file's columns does.
    """
    table, header, header_lines = raw.table, raw.columns, raw.header_lines
    blanks: tuple[int, ...] = ()
    if raw.scanned is not None:
        rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        each, alone = _one_line_each(raw.scanned, raw.records_at, raw.ending, rows)
        if alone and (other := _other_ending(raw.scanned, raw.records_at, raw.ending, header_lines, raw.path)):
            raise other  # a line DuckDB ended at a "\r" alone, as it does before a space (eating the space)
        if each:
            return ((1, header_lines - 1),) if header_lines > 1 else ()
        blanks = _blank_lines(raw.scanned)
    if not blanks and header_lines == 1:
        # No blank line, and (one scan, no sort) no field holding a line break: every record is on its row plus
        # the header's line, and the window below, a sort of the whole table, is not needed.
        held = " OR ".join(f"contains({ident(c)}, chr(10)) OR contains({ident(c)}, chr(13))" for c in header)
        if not con.execute(f"SELECT coalesce(bool_or({held}), false) FROM {table}").fetchone()[0]:
            return ()
    # A field's line breaks: each "\r\n" and "\r" made a "\n", the "\n" counted.
    ones = "replace(replace({c}, chr(13) || chr(10), chr(10)), chr(13), chr(10))"
    breaks = " + ".join(f"coalesce(length({ones.format(c=ident(c))}) - "
                        f"length(replace({ones.format(c=ident(c))}, chr(10), '')), 0)" for c in header) or "0"
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
        return tuple(line for line, quotes in blank_lines(source, b"", any_break=True)
                     if quotes % 2 == 0 and line > 1)
    except OSError:
        return ()


def _one_line_each(source: Path, start: int, ending: str, rows: int) -> tuple[bool, bool]:
    """Whether the ``rows`` records of ``source``, which start at byte ``start``, take as many lines (no blank
    line among them, no line break in a field: each record is on its row plus the header's lines); and whether
    a ``\r`` alone is among them in a file whose lines end in ``\r\n``.

    The lines are counted exactly, in C, a few megabytes at a time: with
    ``ending`` ``\n``, one for each ``\n`` (and one for a last line without
    one) when no ``\r`` is among them (a search for the byte, which stops at
    the first; one found means "no"); the same with ``\r`` and ``\n``
    swapped; with ``\r\n``, one for each ``\n`` when no ``\r`` is alone (a
    search with a regular expression; a ``\r`` that ends the last line
    counts a line). So a ``\n`` or ``\r`` file costs a count of its lines and
    a search for the other byte; a ``\r\n`` file a count and a search for a
    ``\r`` alone.
    """
    if not ending:
        return rows == 0, False
    primary, other = (b"\r", b"\n") if ending == "\r" else (b"\n", b"\r")
    lines, previous, alone = 0, b"", False
    try:
        for chunk in chunks(source, start):
            if previous.endswith(b"\r") and ending == "\r\n" and not chunk.startswith(b"\n"):
                alone = True  # the last piece's last "\r" is alone
            lines += chunk.count(primary)
            if ending != "\r\n" and other in chunk:
                return False, False
            found = _ALONE.search(chunk) if ending == "\r\n" and not alone else None
            alone = alone or (found is not None and found.start() < len(chunk) - 1)  # a last "\r": see next piece
            previous = chunk
    except OSError:
        return False, False
    last = previous[-1:]
    if last == b"\r" and ending == "\r\n":  # the last line ends in "\r" alone (DuckDB reads it so)
        return not alone and lines + 1 == rows, alone
    return not alone and lines + (last not in (b"", primary)) == rows, alone


_ALONE = re.compile(rb"\r(?!\n)")
# How a line that ends otherwise than the header ends: for each header's line break, patterns each led by a literal
# (a regular expression led by a look-behind or an alternative is tens of times slower).
_OTHER_ENDING = {"\n": (re.compile(rb"\r\n?"),), "\r\n": (_ALONE, re.compile(rb"\n(?<!\r\n)")),
                 "\r": (re.compile(rb"\r?\n"),)}
_ENDINGS = {"\r\n": N_("CR LF (Windows)"), "\n": N_("LF (Unix)"), "\r": N_("CR (old Mac)")}


def _other_ending(source: Path, start: int, ending: str, header_lines: int, shown) -> DataError | None:
    """The error at the first line of ``source`` after the header (which ends in ``ending`` and ``start`` bytes
    on) that ends otherwise, outside a quoted field (an even number of quotes before it); None when every line
    ends alike.

    Found by a regular expression over the file a few megabytes at a time
    (``segments``); Python runs for each such ending inside a quoted field,
    not for each line. Lines are counted as ``line_shifts`` counts them.
    """
    try:
        size = source.stat().st_size
    except OSError:
        return None
    size = size if ending == "\r\n" else None  # DuckDB reads a last "\r" alone as the end of a "\r\n" file only
    found = [f for f in (_first_outside(source, start, p, size) for p in _OTHER_ENDING[ending]) if f is not None]
    if not found:
        return None
    line, kind = min(found)
    line += header_lines
    said = msg("this line ends in {found}, the lines above it in {expected}: a CSV file's lines must all end the "
               "same way; save it with one kind of line ending", found=_ENDINGS[kind], expected=_ENDINGS[ending])
    return DataError(said, Location(str(shown), line=line))


def _first_outside(source: Path, start: int, pattern: re.Pattern, size: int | None) -> tuple[int, str] | None:
    """The first match of ``pattern`` in ``source`` from byte ``start`` with an even number of quotes before it:
    (its line, from 1 at ``start``; the text matched), or None. With the file's ``size``, a ``\r`` that ends the
    file is none (the end of the last line of a ``\r\n`` file, as DuckDB and a text editor read it)."""
    line, quotes, offset = 1, 0, start
    try:
        for segment in segments(source, any_break=True, start=start):
            at = 0
            for match in pattern.finditer(segment):
                piece = segment[at:match.start()]
                line, quotes, at = line + count_breaks(piece), quotes + piece.count(b'"'), match.start()
                if quotes % 2 == 0 and not (match.group() == b"\r" and offset + match.end() == size):
                    return line, match.group().decode()
            piece = segment[at:]
            line, quotes, offset = line + count_breaks(piece), quotes + piece.count(b'"'), offset + len(segment)
    except OSError:
        pass
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


@dataclass(frozen=True)
class _Head:
    """A CSV file's header: its names, the line break its (last) line ends in ("\n", "\r\n", "\r"; "" when
    the file is its header), and its size in bytes with that line break (and a byte-order mark before it)."""

    shown: Path
    names: list[str]
    ending: str
    size: int


def _breaks(text: str) -> int:
    """The line breaks in ``text``: each ``\r\n``, ``\n`` and ``\r`` alone."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _header(source: Path, delimiter: str, shown: Path) -> list[str]:
    """The names in the header of UTF-8 CSV ``source`` (reported as ``shown``), checked; see ``_head``."""
    return _head(source, delimiter, shown).names


def _head(source: Path, delimiter: str, shown: Path) -> _Head:
    """The header of UTF-8 CSV ``source``, read with the standard library's reader (which ends a line at
    ``\r\n``, ``\n`` or ``\r`` and reads quoted fields as DuckDB does); a header DuckDB could not use
    (blank, a name twice, a name written with another delimiter) is an error at line 1."""
    try:
        with source.open("r", encoding="utf-8-sig", newline="") as handle:
            taken: list[str] = []
            header = next(csv.reader(_kept(handle, taken), delimiter=delimiter), None)
    except UnicodeDecodeError:
        raise _NotUtf8() from None
    except csv.Error as exc:
        raise DataError(msg("cannot read the header: {exc}", exc=exc), Location(str(shown), line=1)) from None
    last = taken[-1] if taken else ""
    ending = "\r\n" if last.endswith("\r\n") else last[-1:] if last.endswith(("\r", "\n")) else ""
    size = sum(len(line.encode("utf-8")) for line in taken) + (3 if _starts_with_bom(source) else 0)
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
    return _Head(shown, header, ending, size)


def _kept(lines, taken: list[str]):
    """``lines``, each also put in ``taken`` as it is read (the lines a reader's first record took)."""
    for line in lines:
        taken.append(line)
        yield line


def _starts_with_bom(source: Path) -> bool:
    with source.open("rb") as handle:
        return handle.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8


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
    megabyte decodes as UTF-8, or is mostly UTF-8 text with a fault
    (:func:`_mostly_utf8`; the fault is then an error at its line and
    column), else GB18030. Only the start is read here; DuckDB checks the
    rest as it reads, and a file without a mark that turns out not to be
    UTF-8 further in is read again as GB18030 — unless the whole file is
    mostly UTF-8 as above.
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
        return "utf-8" if _mostly_utf8([head]) else "gb18030"
    return "utf-8"


def _utf8_only(path: Path, declared: str) -> bool:
    """True when ``path`` is to be read as UTF-8 and nothing else: the dataset declares UTF-8, the file begins
    with UTF-8's byte-order mark, or (``auto``) its text is mostly UTF-8 (:func:`_mostly_utf8`, the whole file
    read once more: this is asked only of a file that turned out not to be UTF-8 somewhere)."""
    if declared == "utf-8" or file_mark(path) == "UTF-8":
        return True
    return declared == "auto" and _mostly_utf8(chunks(path))


# A file that is not UTF-8 throughout is still UTF-8, with a fault, when its text read as UTF-8 holds at least
# this many characters beyond ASCII (Chinese, say) for each byte that does not read. GBK text read as UTF-8 gives
# the reverse: a GBK character passes for UTF-8 about one time in ten (a lead byte C2-DF, 30 of GBK's 126, then a
# trail byte 80-BF, 64 of 190, is 8 %; a three-byte start adds a little), and most of the others do not read, so
# GBK has about one such character for ten bytes that do not read, forty times short of this.
UTF8_PER_FAULT = 4
# And at least this many: one or two characters that read are no evidence either way.
UTF8_LEAST = 2


def _mostly_utf8(pieces) -> bool:
    """Whether the bytes ``pieces`` (a file's first megabyte, or the whole file in pieces) read as UTF-8 with at
    least :data:`UTF8_LEAST` characters beyond ASCII and :data:`UTF8_PER_FAULT` of them for each byte that does
    not read. Such a file is UTF-8 with a fault, not GB18030: read as GB18030, every Chinese character in it would
    silently become other characters (张三 as 寮犱笁). Decoded in C, a piece at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    beyond = faults = 0
    for piece in itertools.chain(pieces, [b""]):  # the empty piece last flushes the decoder
        text = decoder.decode(piece, final=not piece)
        bad = text.count("\ufffd")
        faults += bad
        beyond += len(text) - len(text.encode("ascii", "ignore")) - bad
    return beyond >= UTF8_LEAST and beyond >= UTF8_PER_FAULT * faults


# Text beyond two-byte UTF-8 (Chinese in UTF-8 takes three bytes a character); and what GBK makes of Chinese text
# beyond ASCII (Chinese, its punctuation, full-width forms, private characters) — anything else it does not.
_BEYOND_TWO_BYTES = re.compile("[^\x00-\u07ff]")
_NOT_CHINESE = re.compile("[^\x00-\x7f\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\ue000-\uf8ff]")


def _gbk_too(path: Path) -> tuple[str, str] | None:
    """(Some of the text as UTF-8, as GBK) when the first megabyte of ``path``, read as UTF-8, has characters
    beyond ASCII, all of two bytes (Latin, Greek, Cyrillic…), which GBK reads as Chinese: 陆平 in GBK is valid
    UTF-8 (½ƽ), and no byte tells the two apart. None otherwise: an ASCII file, or a UTF-8 file with Chinese in
    it, which has three-byte characters. Each test is one scan in C."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if head.isascii():
        return None
    head = head[:head.rfind(b"\n") + 1] or head  # whole lines: no character cut in two
    try:
        text = head.decode("utf-8")
        if _BEYOND_TWO_BYTES.search(text):
            return None
        gbk = head.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if _NOT_CHINESE.search(gbk):
        return None
    start = next(i for i, byte in enumerate(head) if byte > 0x7F)
    end = start
    while end < len(head) and head[end] > 0x7F and end - start < 8:
        end += 1
    run = head[start:start + (end - start) // 2 * 2]
    return run.decode("utf-8", "replace"), run.decode("gb18030", "replace")


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
        return DataError(msg("not valid UTF-8 text (byte 0x{byte:02X}), though the file's other text is UTF-8; "
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
    read, lines, cr = 0, 1, False  # cr: the text so far ends in "\r", which a "\n" next would end the line with
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        while True:
            chunk = src.read(1 << 20)
            pending = len(decoder.getstate()[0])
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                # Where the scan finds it; were the file changed since, where this read found it, without a column.
                bad = undecodable(path, encoding) or Undecodable(
                    lines + count_breaks(exc.object[:exc.start]) - (cr and exc.object.startswith(b"\n")), 0,
                                                                exc.object[exc.start], read - pending + exc.start)
                where = Location(str(path), bad.line, bad.column or None)
                if declared != "auto":
                    raise _not_declared(bad, declared.upper(), declared, where) from None
                raise DataError(msg("not valid {value1} text (byte 0x{value3:02X} at offset {where})",
                                    value1=encoding.upper(), value3=bad.byte, where=bad.offset), where) from None
            dst.write(text)
            read, lines = read + len(chunk), lines + _breaks(text) - (cr and text.startswith("\n"))
            cr = text.endswith("\r") if text else cr
            if not chunk:
                return target


__all__ = ["line_shifts", "read", "read_text_csv"]
