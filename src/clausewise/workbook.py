"""Check an XLSX file before python-calamine opens it, so a hostile workbook is a one-line error.

python-calamine (a Rust library) trusts what a workbook says about itself, and in
Rust a failed allocation aborts the whole process, with no exception to catch:

- a 2.8 KB workbook whose first sheet has one cell at ``XFD1048576`` makes it
  allocate the dense grid A1:XFD1048576, 17,179,869,184 cells (512 GiB);
- a shared strings table claiming ``uniqueCount="99999999999"`` makes it reserve
  room for that many strings before it has read one;
- a zip bomb (a few MB that unpack to gigabytes) exhausts memory as it is read.

:func:`check_workbook` looks at the file first, reading only what calamine would
read, in the order it reads it: the zip directory, ``_rels/.rels`` (which folder
holds the workbook), ``xl/workbook.xml`` and its rels (which part is the first
sheet, calamine's sheet index 0), the shared strings table's header, and the
first sheet, streamed in chunks, never as a tree. The sheet's ``<dimension>``
is not trusted: the used range is taken from the cells' own references.

The limits, and why a real export never meets them while a hostile file does:

``MAX_UNPACKED`` (512 MiB)
    the parts' total size once unpacked. A 100,000-row by 12-column export
    written by openpyxl is a 59 MB sheet; 512 MiB is room for about nine times
    that, while a zip bomb is made to unpack to gigabytes.
``MAX_RATIO`` (100) above ``RATIO_FLOOR`` (1 MiB)
    how many times its packed size a part may unpack to. Spreadsheet XML packs
    5 to 15 times (the 100,000-row export above: 7.8; the same rows all
    identical: 13.7); deflate cannot pack better than 1,032 times, and a bomb
    gets close to that. Apache POI refuses parts past the same ratio. Small
    parts are exempt: whatever their ratio, they cannot hurt.
``MAX_CELLS`` (20,000,000)
    the first sheet's used range, counted from A1 to its last row and column,
    as calamine allocates it (about 32 bytes a cell, so at most 640 MB). A
    sheet of 1,048,576 rows (Excel's maximum) by 19 columns fits; the
    hostile ``XFD1048576`` cell asks for 17 billion. The shared strings table
    may not claim more strings than this either.
``MAX_ROWS``, ``MAX_COLUMNS`` (1,048,576 and 16,384)
    Excel's own sheet size: no program that writes XLSX for Excel goes past it.
``MAX_DIRECTORY`` (4 MiB) and ``MAX_METADATA`` (16 MiB)
    the zip's central directory (a real workbook's is a few KB: some 80 bytes a
    part) and each of ``_rels/.rels``, ``workbook.xml`` and its rels, which are
    read whole.

Every part calamine reads is also unpacked here, counting the bytes that come
out, so a zip header that understates a part's size (a lying header) is caught
without unpacking more than it claims plus one chunk (1 MiB).

The sheet scan has a fast path and an exact one. The fast path applies when every
cell tag is written as Excel, LibreOffice, openpyxl and XlsxWriter write it,
``<c r="B7" ...>`` with plain double-quoted attributes: then a regular expression
over the raw bytes finds every cell and its reference. A sheet written any other
way (cells without ``r``, whose place follows from the cells before them, or
prefixed tags like ``<x:c>``) is walked with expat, as calamine would walk it;
XML that expat finds not well-formed, or with a DOCTYPE, is refused.
"""

from __future__ import annotations

import copy
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from xml.parsers import expat

from .errors import ClauseWiseError, Location
from .i18n import Message, msg, os_reason

MAX_UNPACKED = 512 << 20
MAX_RATIO = 100
RATIO_FLOOR = 1 << 20
MAX_CELLS = 20_000_000
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_DIRECTORY = 4 << 20
MAX_METADATA = 16 << 20

_CHUNK = 1 << 20


def check_workbook(path: Path, display: str, error: type[ClauseWiseError]) -> None:
    """Raise ``error`` (one line, at ``display``) if ``path`` is not a workbook python-calamine can read safely.

    ``error`` is the caller's class: ``DataError`` for an export, ``PolicyError``
    for a decision table. Refused: a file that is not a zip or has no workbook
    part; a zip bomb (parts unpacking past ``MAX_UNPACKED`` in all, or past
    ``MAX_RATIO`` times their packed size) or a part that unpacks to more than its
    header says; a first sheet whose used range (from A1) holds more than
    ``MAX_CELLS`` cells or has a cell past Excel's ``MAX_ROWS`` or ``MAX_COLUMNS``;
    a shared strings table claiming more than ``MAX_CELLS`` strings. The file is
    read, never changed; nothing is returned.
    """
    try:
        _check(path)
    except _Refused as refused:
        raise error(_one_line(refused.args[0]), Location(display)) from None
    except OSError as exc:
        raise error(msg("cannot read the file: {reason}", reason=os_reason(exc)), Location(display)) from None


class _Refused(Exception):
    """Why the workbook is refused, as the one line the user reads."""


def _one_line(message: Message) -> Message:
    """Part names and references come from the file: a newline or other control character in them is shown escaped."""
    return Message(message.template, {name: _printable(value) if isinstance(value, str) else value
                                      for name, value in (message.params or {}).items()})


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _check(path: Path) -> None:
    with path.open("rb") as handle:
        _check_directory_size(handle)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _Refused(msg('not an XLSX workbook: the file is not a zip archive')) from None
    except NotImplementedError as exc:
        raise _Refused(msg('not an XLSX workbook: its zip archive cannot be read ({reason})',
                           reason=str(exc))) from None
    with archive:
        parts = _Parts(archive)
        folder = _workbook_folder(parts)
        sheet = _first_sheet(parts, folder)
        _check_shared_strings(parts, folder)
        _drain(parts, parts.find(folder + "styles.xml"))
        _check_used_range(parts, sheet)


# ---- the zip directory --------------------------------------------------------------
_END = struct.Struct("<4s4H2LH")
_END64_LOCATOR = struct.Struct("<4sLQL")
_END64 = struct.Struct("<4sQ2H2L4Q")


def _check_directory_size(handle) -> None:
    """Refuse a central directory larger than ``MAX_DIRECTORY`` before zipfile reads it whole.

    Only the end record calamine's zip reader and Python's would both pick is
    accepted: the last one in the file, ending exactly where the file ends.
    """
    size = handle.seek(0, 2)
    handle.seek(max(0, size - _END.size - 0xFFFF))
    tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _END.size > len(tail):
        raise _Refused(msg('not an XLSX workbook: the file is not a zip archive'))
    fields = _END.unpack_from(tail, at)
    if at + _END.size + fields[7] != len(tail):
        raise _Refused(msg('not an XLSX workbook: there are stray bytes after the end of its zip archive'))
    directory = _zip64_directory_size(handle, size - len(tail) + at)
    directory = fields[5] if directory is None else directory
    if directory > MAX_DIRECTORY:
        raise _Refused(msg("its zip directory is {size:,} bytes; the limit is {limit:,} (a workbook's is a few KB)",
                           size=directory, limit=MAX_DIRECTORY))


def _zip64_directory_size(handle, end_at: int) -> int | None:
    """The directory size from the zip64 end record, which both readers use when its locator is there."""
    if end_at < _END64_LOCATOR.size:
        return None
    handle.seek(end_at - _END64_LOCATOR.size)
    locator = handle.read(_END64_LOCATOR.size)
    if locator[:4] != b"PK\x06\x07":
        return None
    handle.seek(_END64_LOCATOR.unpack(locator)[2])
    record = handle.read(_END64.size)
    if len(record) < _END64.size or record[:4] != b"PK\x06\x06":
        raise _Refused(msg('not an XLSX workbook: its zip archive is damaged'))
    return _END64.unpack(record)[8]


_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")


def _fold(name: str) -> str:
    """A part name as calamine looks it up: ASCII case ignored (and ``\\`` read as ``/`` in the zip's names)."""
    return name.encode("utf-8", "surrogateescape").translate(_ASCII_LOWER).decode("utf-8", "surrogateescape")


class _Parts:
    """The zip's parts by name, checked against the limits from the directory alone, before anything is unpacked."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.folded: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            key = _fold(info.filename.replace("\\", "/"))
            if key in self.folded:
                raise _Refused(msg('two parts of the zip are named "{part}": which one is read is unclear',
                                   part=info.filename))
            self.folded[key] = info
        total = sum(info.file_size for info in archive.infolist())
        if total > MAX_UNPACKED:
            raise _Refused(msg('its parts unpack to {total:,} bytes; the limit is {limit:,} (a zip bomb?)',
                               total=total, limit=MAX_UNPACKED))
        for info in archive.infolist():
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * info.compress_size:
                ratio = info.file_size // max(info.compress_size, 1)
                raise _Refused(msg('part "{part}" unpacks to {ratio:,} times its packed size; the limit is {limit} (a zip bomb?)',
                                   part=info.filename, ratio=ratio, limit=MAX_RATIO))

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """The part calamine opens for ``name``: ASCII case ignored, else the exact name."""
        if "\\" not in name and _fold(name) in self.folded:
            return self.folded[_fold(name)]
        try:
            return self.archive.getinfo(name)
        except KeyError:
            return None

    def read(self, info: zipfile.ZipInfo, limit: int = MAX_METADATA) -> bytes:
        if info.file_size > limit:
            raise _Refused(msg('part "{part}" is {size:,} bytes; the limit is {limit:,}',
                               part=info.filename, size=info.file_size, limit=limit))
        return b"".join(self.unpack(info))

    def unpack(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The part's bytes in chunks, never more than its header declares plus one chunk."""
        if info.flag_bits & 0x1:
            raise _Refused(msg('part "{part}" is encrypted', part=info.filename))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused(msg('part "{part}" is packed with method {method}, which the reader cannot unpack',
                               part=info.filename, method=info.compress_type))
        probe = copy.copy(info)
        probe.file_size = info.file_size + _CHUNK  # room to see a lying header's excess before zipfile's CRC check
        seen = 0
        try:
            with self.archive.open(probe) as stream:
                while chunk := stream.read(_CHUNK):
                    seen += len(chunk)
                    if seen > info.file_size:
                        raise _Refused(msg('part "{part}" unpacks to more than the {size:,} bytes its zip header declares (a zip bomb?)',
                                           part=info.filename, size=info.file_size))
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError) as exc:
            raise _Refused(msg('part "{part}" cannot be unpacked: {reason}',
                               part=info.filename, reason=str(exc))) from None
        if seen != info.file_size:
            raise _Refused(msg('part "{part}" unpacks to {seen:,} bytes, not the {size:,} its zip header declares',
                               part=info.filename, seen=seen, size=info.file_size))


def _drain(parts: _Parts, info: zipfile.ZipInfo | None) -> None:
    """Unpack a part calamine reads, to check its true size."""
    if info is not None:
        for _ in parts.unpack(info):
            pass


# ---- XML the way calamine's reader (quick-xml) sees it ------------------------------------
_START, _END_TAG = 0, 1
_MARKUP = re.compile(
    rb"""<(?:!--.*?--|!\[CDATA\[.*?\]\]|\?.*?\?|/(?P<end>[^>]*)|(?P<start>[^!?/](?:[^>"']|"[^"]*"|'[^']*')*))>""",
    re.DOTALL,
)
_XML_SPACE = b" \t\r\n"
_NAME = re.compile(rb"[^ \t\r\n]*")
_ATTR_SPACE = b" \t\r\n\x0c"


def _events(data: bytes, part: str) -> Iterator[tuple[int, bytes, bytes]]:
    """(kind, name, raw attributes) for each tag of a small part; ``<a/>`` gives a start and an end."""
    pos = 0
    while (at := data.find(b"<", pos)) >= 0:
        match = _MARKUP.match(data, at)
        if match is None:
            raise _Refused(msg('part "{part}" is not XML this check can read (at byte {at})', part=part, at=at))
        pos = match.end()
        if match["end"] is not None:
            yield _END_TAG, match["end"].rstrip(_XML_SPACE), b""
        elif match["start"] is not None:
            body = match["start"]
            empty = body.endswith(b"/")
            body = body[:-1] if empty else body
            cut = _NAME.match(body).end()
            yield _START, body[:cut], body[cut:]
            if empty:
                yield _END_TAG, body[:cut], b""


def _local(name: bytes) -> bytes:
    return name[name.find(b":") + 1:]


def _attributes(raw: bytes, part: str) -> Iterator[tuple[bytes, bytes]]:
    """Key and value pairs exactly as calamine splits them (key: up to ``=``; value: quoted, not unescaped)."""
    pos, size = 0, len(raw)
    while True:
        while pos < size and raw[pos] in _ATTR_SPACE:
            pos += 1
        if pos >= size:
            return
        equals = raw.find(b"=", pos)
        if equals < 0:
            raise _Refused(msg('part "{part}" has a malformed attribute', part=part))
        key = raw[pos:equals].rstrip(_ATTR_SPACE)
        pos = equals + 1
        while pos < size and raw[pos] in _ATTR_SPACE:
            pos += 1
        if pos >= size or raw[pos] not in b"\"'":
            raise _Refused(msg('part "{part}" has an attribute without quotes', part=part))
        close = raw.find(raw[pos:pos + 1], pos + 1)
        close = size if close < 0 else close
        yield key, raw[pos + 1:close]
        pos = close + 1


def _attribute(raw: bytes, key: bytes, part: str) -> bytes | None:
    """The first attribute named ``key``, as calamine's ``raw_attr``."""
    return next((value for name, value in _attributes(raw, part) if name == key), None)


def _some_attributes(raw: bytes, keys: tuple[bytes, ...], part: str) -> dict[bytes, bytes]:
    """As calamine's ``get_attrs!``: a later duplicate wins, but reading stops once as many keys were seen as asked for."""
    found: dict[bytes, bytes] = {}
    seen = 0
    for name, value in _attributes(raw, part):
        if name in keys:
            found[name] = value
            seen += 1
        if seen == len(keys):
            break
    return found


_ENTITY = re.compile(rb"&(?:(lt|gt|amp|apos|quot)|#([0-9]+)|#x([0-9a-fA-F]+));")


def _text(value: bytes, part: str, unescape: bool = False) -> str:
    """An attribute value as calamine decodes it: UTF-8, with XML's entities replaced where it unescapes."""
    if unescape and b"&" in _ENTITY.sub(b"", value):
        raise _Refused(msg('part "{part}" has an unknown XML entity', part=part))
    try:
        text = value.decode("utf-8")
        return _ENTITY_TEXT.sub(_entity, text) if unescape else text
    except (UnicodeDecodeError, ValueError, OverflowError):
        raise _Refused(msg('part "{part}" has an attribute that is not UTF-8 text', part=part)) from None


_ENTITY_TEXT = re.compile(_ENTITY.pattern.decode("ascii"))
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "apos": "'", "quot": '"'}


def _entity(match: re.Match) -> str:
    named, decimal, hexadecimal = match.groups()
    return _NAMED[named] if named else chr(int(decimal, 10) if decimal else int(hexadecimal, 16))


# ---- which part is the first sheet ---------------------------------------------------------
def _metadata(parts: _Parts, name: str, missing: Message) -> tuple[bytes, str]:
    info = parts.find(name)
    if info is None:
        raise _Refused(missing)
    return parts.read(info), info.filename


def _workbook_folder(parts: _Parts) -> str:
    """The folder of the workbook part (``xl/``), from the last officeDocument relationship in ``_rels/.rels``."""
    data, part = _metadata(parts, "_rels/.rels", msg('not an XLSX workbook: it has no _rels/.rels part'))
    events = _events(data, part)
    if not any(kind == _START and _local(name) == b"Relationships" for kind, name, _ in events):
        raise _Refused(msg('not an XLSX workbook: part "{part}" has no <Relationships>', part=part))
    target = None
    for kind, name, raw in events:
        if kind == _END_TAG and _local(name) == b"Relationships":
            break
        if kind == _START and _local(name) == b"Relationship":
            attributes = _some_attributes(raw, (b"Type", b"Target"), part)
            if attributes.get(b"Type", b"").endswith(b"/relationships/officeDocument") and b"Target" in attributes:
                target = _text(attributes[b"Target"], part, unescape=True)
    else:
        raise _Refused(msg('not an XLSX workbook: part "{part}" ends inside <Relationships>', part=part))
    if target is None:
        raise _Refused(msg('not an XLSX workbook: it has no workbook part'))
    folder = target[: target.rfind("/") + 1]
    return folder[1:] if folder.startswith("/") else folder


def _first_sheet(parts: _Parts, folder: str) -> zipfile.ZipInfo:
    """The part calamine reads as sheet index 0: the first ``<sheet>`` of workbook.xml, through the workbook's rels."""
    data, part = _metadata(parts, folder + "workbook.xml", msg('not an XLSX workbook: it has no workbook part ({folder}workbook.xml)',
                                                               folder=folder))
    relation = _first_sheet_relation(data, part)
    rels_name = folder + "_rels/workbook.xml.rels"
    rels, rels_part = _metadata(parts, rels_name, msg('not an XLSX workbook: it has no {part}', part=rels_name))
    relationships = _relationships(rels, rels_part)
    if relation not in relationships:
        raise _Refused(msg('the first sheet\'s relationship "{relation}" is not in {part}',
                           relation=_text(relation, part), part=rels_part))
    target = _text(relationships[relation], rels_part)
    name = target[1:] if target.startswith("/") else folder + target
    info = parts.find(name)
    if info is None:
        raise _Refused(msg('the first sheet\'s part "{part}" is missing', part=name))
    return info


def _first_sheet_relation(data: bytes, part: str) -> bytes:
    """The relationship id of the first ``<sheet>``, skipping ``<definedName>`` contents as calamine does."""
    events = _events(data, part)
    for kind, name, raw in events:
        local = _local(name)
        if kind == _END_TAG and local == b"workbook":
            break
        if kind != _START:
            continue
        if local == b"sheet":
            ids = [value for key, value in _attributes(raw, part) if key == b"id" or key.endswith(b":id")]
            return ids[-1] if ids else b""
        if local == b"definedName" and _attribute(raw, b"name", part) is not None:
            next((1 for k, n, _ in events if k == _END_TAG and n == name), None)
    raise _Refused(msg('the workbook has no sheet'))


def _relationships(data: bytes, part: str) -> dict[bytes, bytes]:
    """Relationship id → target, a later duplicate id winning, as calamine builds it."""
    found = {}
    for kind, name, raw in _events(data, part):
        local = _local(name)
        if kind == _END_TAG and local == b"Relationships":
            break
        if kind == _START and local == b"Relationship":
            attributes = _some_attributes(raw, (b"Id", b"Type", b"Target"), part)
            if b"Id" in attributes:
                found[attributes[b"Id"]] = attributes.get(b"Target", b"")
    return found


# ---- the shared strings table -------------------------------------------------------------
_COUNT = re.compile(rb"\+?([0-9]+)")


def _check_shared_strings(parts: _Parts, folder: str) -> None:
    """Refuse a table whose ``uniqueCount`` (calamine reserves room for that many strings up front) passes ``MAX_CELLS``."""
    info = parts.find(folder + "sharedStrings.xml")
    if info is None:
        return
    chunks = parts.unpack(info)
    head = next(chunks, b"")[:65536]
    for kind, name, raw in _events(head[: head.rfind(b">") + 1], info.filename):
        if kind == _START and _local(name) == b"sst":
            count = _COUNT.fullmatch(_attribute(raw, b"uniqueCount", info.filename) or b"")
            if count and int(count[1]) > MAX_CELLS:
                raise _Refused(msg('its shared strings table claims {count:,} strings; the limit is {limit:,}',
                                   count=int(count[1]), limit=MAX_CELLS))
            break
    else:
        raise _Refused(msg('part "{part}" does not begin with <sst>', part=info.filename))
    for _ in chunks:
        pass


# ---- the first sheet's used range --------------------------------------------------------
def _check_used_range(parts: _Parts, info: zipfile.ZipInfo) -> None:
    scan = _FastScan()
    for chunk in parts.unpack(info):
        scan.feed(chunk)
    scan.close()
    rows, columns = scan.extent() if not scan.exact else _walk(parts, info)
    if rows > MAX_ROWS:
        raise _Refused(msg("the first sheet has a cell below row {limit:,}, where Excel's sheets end", limit=MAX_ROWS))
    if columns > MAX_COLUMNS:
        raise _Refused(msg("the first sheet has a cell right of column XFD ({limit:,}), where Excel's sheets end",
                           limit=MAX_COLUMNS))
    if rows * columns > MAX_CELLS:
        raise _Refused(msg("the first sheet's used range A1:{column}{rows} holds {cells:,} cells; the limit is {limit:,}",
                           column=_column_name(columns), rows=rows, cells=rows * columns, limit=MAX_CELLS))


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _column_name(number: int) -> str:
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


# A cell tag as Excel writes it; its other attributes (group 3) are checked once per distinct text.
_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})([1-9][0-9]{0,6})"([^<>]*)>')
_PLAIN_ATTRIBUTES = re.compile(rb'(?:[ \t\r\n]+[A-Za-z_][A-Za-z0-9_.:-]*="[^"<>]*")*[ \t\r\n]*/?')
# Cell tags written any other way: without attributes, with a tab or newline after the name, or with a prefix.
_OTHER_CELL_TAGS = (re.compile(rb"<c[>/\t\n\r]"), re.compile(rb":c[ >/\t\n\r]"))


class _FastScan:
    """The largest row and column of a sheet whose every cell tag reads ``<c r="B7" ...>``.

    Any other cell tag sets ``exact``: the sheet must then be walked. A cell tag
    has no ``<`` inside, so each chunk is cut before its last ``<`` and the rest
    carried to the next; no tag is ever split.
    """

    def __init__(self) -> None:
        self.exact = False
        self.rows = 0
        self.letters: set[bytes] = set()
        self.carry = b""
        self.started = False
        self.plain_attributes: set[bytes] = set()

    def feed(self, chunk: bytes) -> None:
        if not self.started:
            self.started = True
            _check_encoding(chunk)
        if self.exact:
            return
        data = self.carry + chunk
        cut = data.rfind(b"<")
        if cut > 0:
            data, self.carry = data[:cut], data[cut:]
        else:  # a tag longer than a chunk, or none: scan it whole
            self.carry = b""
        self._scan(data)

    def close(self) -> None:
        if not self.exact and self.carry:
            self._scan(self.carry)
        self.carry = b""

    def _scan(self, data: bytes) -> None:
        if any(tags.search(data) for tags in _OTHER_CELL_TAGS):
            self.exact = True
            return
        cells = _CELL.findall(data)
        if len(cells) != data.count(b"<c "):
            self.exact = True
            return
        attributes = set(map(itemgetter(2), cells))
        if not all(_plain(text) for text in attributes - self.plain_attributes):
            self.exact = True
            return
        self.plain_attributes |= attributes
        if any(text.endswith(b"/") for text in attributes):
            cells = [cell for cell in cells if not cell[2].endswith(b"/")]  # <c r="B7" s="1"/> holds no value
        if cells:
            self.letters.update(map(itemgetter(0), cells))
            self.rows = max(self.rows, max(map(int, set(map(itemgetter(1), cells)))))

    def extent(self) -> tuple[int, int]:
        """(last row, last column), both from 1; (0, 0) for a sheet without a value."""
        return self.rows, max(map(_column_number, self.letters), default=0)


def _plain(attributes: bytes) -> bool:
    """True when the attributes after ``r`` are plain ``name="value"`` pairs with no second ``r``."""
    return (_PLAIN_ATTRIBUTES.fullmatch(attributes) is not None
            and all(key != b"r" for key, _ in _attributes(attributes.rstrip(b"/"), "")))


def _check_encoding(head: bytes) -> None:
    """calamine's XML reader works on bytes: a UTF-16 or UTF-32 sheet would be read as nonsense, so it is refused."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        raise _Refused(msg('the first sheet is not UTF-8 XML'))


class _Walk:
    """calamine's cell positions, replayed over expat's events: for a sheet the fast scan cannot read.

    Within ``<sheetData>``, a ``<row r>`` sets the row and each ``</row>`` moves
    to the next, back to column A; a ``<c>`` without ``r`` sits one column right
    of the cell before it. A cell holds a value when it has a ``<v>`` or ``<is>``.
    """

    def __init__(self) -> None:
        self.inside = False
        self.row = self.column = 0  # from 0, as calamine counts
        self.depth = 0
        self.place = (0, 0)
        self.valued = False
        self.rows = self.columns = 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name[name.find(":") + 1:]
        if self.depth:
            self.valued |= self.depth == 1 and local in ("v", "is")
            self.depth += 1
        elif not self.inside:
            self.inside = local == "sheetData"
        elif local == "row" and "r" in attributes:
            self.row = _reference(attributes["r"], need_column=False)[0]
        elif local == "c":
            self.place = _reference(attributes["r"], need_column=True) if "r" in attributes else (self.row, self.column)
            self.column = self.place[1] + 1
            self.depth, self.valued = 1, False

    def end(self, name: str) -> None:
        local = name[name.find(":") + 1:]
        if self.depth:
            self.depth -= 1
            if not self.depth and self.valued:
                self.rows = max(self.rows, self.place[0] + 1)
                self.columns = max(self.columns, self.place[1] + 1)
        elif self.inside and local == "row":
            self.row, self.column = self.row + 1, 0
        elif self.inside and local == "sheetData":
            raise _SheetDataEnd


class _SheetDataEnd(Exception):
    """calamine stops reading at ``</sheetData>``; so does the walk."""


_REFERENCE = re.compile(r"([A-Za-z]*)0*([0-9]+)")


def _reference(text: str, need_column: bool) -> tuple[int, int]:
    """(row, column) from 0 of a reference like ``B7`` (a row's ``r`` may omit the column).

    Past Excel's limits the exact number does not matter (the sheet is refused),
    so a longer one reads as the first row or column past the limit.
    """
    match = _REFERENCE.fullmatch(text)
    if match is None or match[2] == "0" or (need_column and not match[1]):
        raise _Refused(msg('the first sheet has a cell reference "{reference}" that is not one', reference=text[:20]))
    row = int(match[2]) if len(match[2]) <= 7 else MAX_ROWS + 1
    column = _column_number(match[1].encode("ascii")) if len(match[1]) <= 3 else MAX_COLUMNS + 1
    return row - 1, column - 1


def _walk(parts: _Parts, info: zipfile.ZipInfo) -> tuple[int, int]:
    walk = _Walk()
    parser = expat.ParserCreate()
    parser.StartElementHandler = walk.start
    parser.EndElementHandler = walk.end
    parser.StartDoctypeDeclHandler = _no_doctype
    try:
        for chunk in parts.unpack(info):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _SheetDataEnd:
        pass
    except expat.ExpatError as exc:
        raise _Refused(msg('the first sheet is not well-formed XML (line {line}, column {column})',
                           line=exc.lineno, column=exc.offset + 1)) from None
    return walk.rows, walk.columns


def _no_doctype(*_) -> None:
    raise _Refused(msg('the first sheet has a DOCTYPE, which no spreadsheet writes'))
