"""CSV: UTF-8 with or without a byte-order mark, or GBK/GB18030, read strictly.

No dialect sniffing: the header is the first line, every cell is text, quotes
are ``"`` doubled, and a malformed line is an error naming its line number,
not a reason to guess another dialect. GBK/GB18030 (what Excel writes on
Chinese Windows) is transcoded to UTF-8 in the scratch folder first.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

from ...errors import DataError, Location
from ...i18n import msg
from .common import RawFile, ReadOptions, create, literal_path

_READ = (
    "SELECT * FROM read_csv(?, header = true, auto_detect = false, columns = ?, delim = ?, "
    "quote = '\"', escape = '\"', null_padding = false, strict_mode = true)"
)


class _NotUtf8(Exception):
    """Bytes that are not UTF-8 in a file whose first megabyte was."""


def read(con, path: Path, table: str, options: ReadOptions, scratch: Path) -> RawFile:
    encoding = _encoding(path, options.encoding)
    try:
        return _read(con, path, table, options, scratch, encoding)
    except _NotUtf8:
        if options.encoding != "auto":
            raise DataError(msg("not valid UTF-8 text; set the dataset's encoding"), Location(str(path))) from None
        return _read(con, path, table, options, scratch, "gb18030")


def _read(con, path: Path, table: str, options: ReadOptions, scratch: Path, encoding: str) -> RawFile:
    source = path if encoding == "utf-8" else _transcode(path, encoding, scratch)
    raw = read_text_csv(con, source, path, table, options.delimiter, scratch)
    raw.encoding = encoding
    return raw


def read_text_csv(con, source: Path, shown: Path, table: str, delimiter: str, scratch: Path) -> RawFile:
    """Read UTF-8 CSV ``source`` (reported as ``shown``) into ``table``, every cell as text."""
    header = _header(source, delimiter, shown)
    columns = {name: "VARCHAR" for name in header}
    try:
        create(con, table, _READ, [literal_path(source, scratch), columns, delimiter], shown)
    except DataError as exc:
        if "unicode" in exc.message.lower():
            raise _NotUtf8() from None
        raise
    return RawFile(shown, "csv", table, header)


def _header(source: Path, delimiter: str, shown: Path) -> list[str]:
    try:
        with source.open("r", encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle, delimiter=delimiter), None)
    except UnicodeDecodeError:
        raise _NotUtf8() from None
    except csv.Error as exc:
        raise DataError(msg("cannot read the header: {exc}", exc=exc), Location(str(shown), line=1)) from None
    if not header:
        raise DataError(msg("the file is empty; a header row is required"), Location(str(shown), line=1))
    other = _other_delimiter(header, delimiter)
    if other:
        written, declared = other.replace("\t", "\\t"), delimiter.replace("\t", "\\t")
        raise DataError(msg("the header is one column holding \"{written}\": the file seems separated by \"{written}\" rather than \"{declared}\"; set the dataset's delimiter: \"{written}\"", written=written, declared=declared), Location(str(shown), line=1))
    seen = set()
    for name in header:
        if name in seen:
            raise DataError(msg('column "{name}" appears twice in the header', name=name), Location(str(shown), line=1))
        seen.add(name)
    return header


def _other_delimiter(header: list[str], delimiter: str) -> str | None:
    """The delimiter a one-column header is really separated by (";" from a European Excel, a tab), or None."""
    if len(header) != 1:
        return None
    return next((d for d in (";", "\t", "|", ",") if d != delimiter and d in header[0]), None)


def _encoding(path: Path, declared: str) -> str:
    """UTF-8 (BOM or not) when the first megabyte decodes as UTF-8, else GB18030 (a superset of GBK).

    Only the start is read here; DuckDB checks the rest as it reads, and a file
    that turns out not to be UTF-8 further in is read again as GB18030.
    """
    if declared != "auto":
        return {"gbk": "gb18030"}.get(declared, declared)
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _transcode(path: Path, encoding: str, scratch: Path) -> Path:
    """``path`` re-encoded as UTF-8 in the scratch folder; bytes that do not decode are an error at their line."""
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
                line = lines + exc.object[:exc.start].count(b"\n")
                where = read - pending + exc.start
                raise DataError(msg("not valid {value1} text (byte 0x{value3:02X} at offset {where})", value1=encoding.upper(), value3=exc.object[exc.start], where=where),
                                Location(str(path), line=line)) from None
            dst.write(text)
            read, lines = read + len(chunk), lines + text.count("\n")
            if not chunk:
                return target


__all__ = ["read", "read_text_csv"]
