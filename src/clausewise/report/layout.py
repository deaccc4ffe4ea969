"""Text laid out for a terminal: its width, display widths, wrapping, and columns that fit.

A terminal report is as wide as the terminal it is printed on
(``shutil.get_terminal_size``, which honours ``COLUMNS``), at least
:data:`MIN_WIDTH`; printed anywhere else (a file, a pipe, a test) it is
:data:`FIXED_WIDTH` columns, so that the same run gives the same text.

Widths are display columns, not characters: a Chinese character takes two
(``wcwidth``). Text wraps at spaces, and between Chinese characters, which
need none; a closing mark (``，``, ``）``) never starts a line and an opening
one (``（``) never ends one. In a table's column a word may also break
after a hyphen between two letters (``inquiry-reply-clock``: a rule id stays
readable in a narrow column), never inside a date or a key (``2026-10-12``,
``Q-005``). Nothing is ever cut: a word longer than the line is split
across lines. Control characters from export data (an escape
sequence could repaint the terminal) are shown as ``�``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence

from tabulate import MIN_PADDING
from wcwidth import wcswidth, wcwidth

FIXED_WIDTH = 100
MIN_WIDTH = 80
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CLOSING = set("，。、；：！？）」』》〉】”’…%,.;:!?)]}")
_OPENING = set("（「『《〈【“‘([{")


def width(out) -> int:
    """Columns available on ``out``: the terminal's width, else :data:`FIXED_WIDTH`."""
    isatty = getattr(out, "isatty", None)
    if isatty is not None and isatty():
        return max(MIN_WIDTH, shutil.get_terminal_size((FIXED_WIDTH, 24)).columns)
    return FIXED_WIDTH


def clean(text: str) -> str:
    """``text`` safe to print: tabs as spaces, other control characters (but line breaks) as ``�``."""
    return _CONTROL.sub("\ufffd", text.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n"))


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (the widest of its lines)."""
    return max((_width(line) for line in text.split("\n")), default=0)


def _width(text: str) -> int:
    n = wcswidth(text)
    return n if n >= 0 else sum(max(wcwidth(c), 0) for c in text)


def wrap(text: str, columns: int, hyphens: bool = False) -> list[str]:
    """``text`` in lines of at most ``columns`` display columns, nothing cut (see the module docstring); with
    ``hyphens``, a word may also break after a hyphen between two letters."""
    columns = max(columns, 2)
    lines: list[str] = []
    for paragraph in clean(text).split("\n"):
        lines += _wrap_paragraph(paragraph, columns, hyphens)
    return lines or [""]


def _tokens(text: str, hyphens: bool = False) -> list[str]:
    """Runs that do not break: a word, one wide character, or spaces; closing marks join what they follow."""
    tokens: list[str] = []
    for char in text:
        wide = wcwidth(char) == 2
        if tokens and char in _CLOSING and not tokens[-1].isspace():
            tokens[-1] += char
        elif tokens and tokens[-1][-1] in _OPENING and not char.isspace():
            tokens[-1] += char
        elif char.isspace():
            if tokens and tokens[-1].isspace():
                tokens[-1] += char
            else:
                tokens.append(char)
        elif wide or not tokens or tokens[-1].isspace() or wcwidth(tokens[-1][-1]) == 2 \
                or hyphens and _after_hyphen(tokens[-1], char):
            tokens.append(char)
        else:
            tokens[-1] += char
    return tokens


def _after_hyphen(token: str, char: str) -> bool:
    """True when a line may break between ``token`` and ``char``: after a hyphen between two letters, as in a
    rule id (``inquiry-`` / ``reply-clock``); never inside a date, a number or a key (``2026-10-12``,
    ``2026-Q4``, ``Q-005``), nor in an option's name (``--fail-on``)."""
    return token.endswith("-") and token[-2:-1].isalpha() and char.isalpha() and not token.startswith("-")


def _wrap_paragraph(text: str, columns: int, hyphens: bool) -> list[str]:
    lines, line, used = [], "", 0
    for token in _tokens(text, hyphens):
        size = _width(token)
        if token.isspace():
            if line:
                line, used = line + token, used + size
            continue
        if used + size > columns and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        while size > columns:  # a word longer than a line: split it, never cut it
            head, token = _split(token, columns - used)
            lines.append((line + head).rstrip())
            line, used, size = "", 0, _width(token)
        line, used = line + token, used + size
    lines.append(line.rstrip())
    return lines


def _split(token: str, columns: int) -> tuple[str, str]:
    """The longest head of ``token`` that fits ``columns`` (at least one character), and the rest."""
    used = 0
    for i, char in enumerate(token):
        used += max(wcwidth(char), 0)
        if used > columns:
            return (token[:i], token[i:]) if i else (token[:1], token[1:])
    return token, ""


def fit(rows: Sequence[Sequence[str]], total: int, flexible: int, indent: int = 0, gap: int = 2,
        least: int = 24, others_least: int = 8, header: bool = False, hyphens: bool = False) -> list[list[str]]:
    """The cells of ``rows`` wrapped (lines joined by ``\\n``) so that the table fits ``total`` columns.

    Column ``flexible`` (the message) takes what the others leave; each other
    column keeps its natural width up to a quarter of the line, and gives
    way only when the flexible one would be narrower than ``least``: down to
    its longest word (a column's words, its header's too, stay whole); then
    the flexible one narrows to its own longest word; only then do the
    others' words split, down to ``others_least``. With ``header``, the first row is the header, which
    tabulate pads by ``MIN_PADDING``. With ``hyphens``, cells may also break
    after a hyphen between two letters (a column of rule ids).
    """
    count = max((len(r) for r in rows), default=0)
    if not count:
        return []
    pad = [MIN_PADDING if header and j == 0 else 0 for j in range(len(rows))]
    natural = [max(display_width(clean(str(r[i]))) + pad[j] for j, r in enumerate(rows)) for i in range(count)]
    words = [max(_longest_word(str(r[i]), hyphens) + pad[j] for j, r in enumerate(rows)) for i in range(count)]
    widths = [n if i == flexible else min(n, max(others_least, total // 4)) for i, n in enumerate(natural)]
    room = total - indent - gap * (count - 1) - sum(w for i, w in enumerate(widths) if i != flexible)
    need = least if natural[flexible] >= least else natural[flexible]
    for floor in ([max(others_least, w) for w in words], [others_least] * count):
        while room < need and any(widths[i] > floor[i] for i in range(count) if i != flexible):
            widest = max((i for i in range(count) if i != flexible and widths[i] > floor[i]), key=lambda i: widths[i])
            widths[widest] -= 1
            room += 1
        need = min(need, max(words[flexible], others_least))  # the flexible column narrows to its longest word
    widths[flexible] = max(min(natural[flexible], room), need)
    return [["\n".join(wrap(str(cell), widths[i] - pad[j], hyphens)) for i, cell in enumerate(row)]
            for j, row in enumerate(rows)]


def _longest_word(text: str, hyphens: bool = False) -> int:
    """Columns of the widest run of ``text`` that wrapping never breaks."""
    tokens = _tokens(clean(text).replace("\n", " "), hyphens)
    return max((_width(token) for token in tokens if not token.isspace()), default=0)


def indent(text: str, prefix: str = "  ") -> str:
    return "\n".join((prefix + line).rstrip() for line in text.split("\n"))
