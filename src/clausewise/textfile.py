"""What a text file's bytes say of its encoding: the byte-order mark it begins with, and the first byte that does not decode.

clausewise reads an export's CSV files as UTF-8 (with or without a
byte-order mark) or GB18030, its JSON Lines files and a policy's decision
tables as UTF-8 only. When a file does not read, two things its bytes say
settle what to tell the user:

- the **byte-order mark** it begins with names its encoding.
  ``EF BB BF`` says UTF-8: a byte further in that is not UTF-8 is a fault in
  the file, not a sign that it is GB18030 (read as GB18030, the mark itself
  would become two characters in front of the first column's name).
  ``FF FE`` and ``FE FF`` say UTF-16 (what Excel's "Unicode Text" writes),
  ``FF FE 00 00`` and ``00 00 FE FF`` UTF-32: encodings clausewise does not
  read, which a reader names as such rather than reporting one bad byte, or
  reading the file as GB18030 into nonsense.
- the **first byte that does not decode** (:func:`first_undecodable`), at
  its line and column.

It sits below the engine and the policy, which both read such files.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Longest first: UTF-32 LE's mark begins with UTF-16 LE's.
_MARKS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"), (codecs.BOM_UTF8, "UTF-8"),
          (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))
# The encodings a byte-order mark may name that no reader of clausewise reads.
UNREAD = ("UTF-16", "UTF-32")


def marked_encoding(start: bytes) -> str | None:
    """The encoding named by a byte-order mark at the start of ``start`` (a file's first bytes, four are enough):
    ``"UTF-8"``, ``"UTF-16"`` or ``"UTF-32"``; None when it begins with none."""
    return next((name for mark, name in _MARKS if start.startswith(mark)), None)


def file_mark(path: Path) -> str | None:
    """:func:`marked_encoding` of the file at ``path`` (its first four bytes read); raises OSError as ``open`` does."""
    with path.open("rb") as handle:
        return marked_encoding(handle.read(4))


@dataclass(frozen=True)
class Undecodable:
    """The first byte of a file that does not decode.

    ``line`` counts from 1; ``column`` counts the characters before it on its
    line, from 1 (a byte-order mark is no character); ``byte`` is its value,
    ``offset`` its place in the file in bytes from 0.
    """

    line: int
    column: int
    byte: int
    offset: int


class NotDecodable(ValueError):
    """Bytes that do not decode, raised by :func:`decode_pieces`; ``where`` says which (an :class:`Undecodable`)."""

    def __init__(self, where: Undecodable):
        super().__init__(f"byte 0x{where.byte:02X} at line {where.line}, column {where.column}")
        self.where = where


def count_breaks(data: bytes) -> int:
    """The line breaks in ``data`` as a text editor counts them: each ``\r\n``, ``\n`` and ``\r`` alone, one.

    Counted in C (``bytes.count``); ``data`` must not end between the two
    bytes of a ``\r\n`` (``engine.readers.common.segments`` cuts a file so).
    """
    if b"\r" not in data:
        return data.count(b"\n")
    if b"\n" not in data:
        return data.count(b"\r")
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def decode_pieces(pieces: Iterable[bytes], encoding: str) -> Iterator[str]:
    """The text of a file, piece by piece, decoded from ``encoding``; raises :class:`NotDecodable` at the first
    byte that does not decode.

    ``pieces`` is the file in pieces of whole lines, each but the last ending
    in ``\n`` (``engine.readers.common.segments`` reads a file so, a few
    megabytes at a time), or the whole file as one piece. ``encoding`` is a
    Python codec in which no character's bytes hold ``\n`` (UTF-8, GB18030,
    GBK), so each piece decodes on its own: the work is one decode per piece,
    in C, and one count of its line breaks.
    """
    line, offset = 1, 0
    for piece in pieces:
        try:
            text = piece.decode(encoding)
        except UnicodeDecodeError as exc:
            raise NotDecodable(_where(piece, exc.start, line, offset, encoding)) from None
        yield text
        line, offset = line + count_breaks(piece), offset + len(piece)


def _where(piece: bytes, at: int, line: int, offset: int, encoding: str) -> Undecodable:
    """Byte ``at`` of ``piece``, which starts on ``line`` at ``offset`` of the file: its line and column."""
    before = piece[:at]
    start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
    text = before[start:]
    if offset + start == 0 and codecs.lookup(encoding).name == "utf-8":
        text = text.removeprefix(codecs.BOM_UTF8)  # the file's mark is no character of its first line
    return Undecodable(line + count_breaks(before), len(text.decode(encoding)) + 1, piece[at], offset + at)


def first_undecodable(pieces: Iterable[bytes], encoding: str) -> Undecodable | None:
    """Where the bytes of a file (``pieces``, as :func:`decode_pieces` takes them) first fail to decode as
    ``encoding``; None when they all decode. For a file already found not to read: it is decoded whole, once."""
    try:
        for _ in decode_pieces(pieces, encoding):
            pass
    except NotDecodable as exc:
        return exc.where
    return None


__all__ = ["UNREAD", "NotDecodable", "Undecodable", "count_breaks", "decode_pieces", "file_mark", "first_undecodable", "marked_encoding"]
