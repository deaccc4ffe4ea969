"""Typing mistakes in a condition, said in plain words before and after the SQL parser.

An officer who writes on a Chinese keyboard types full-width punctuation
(``coalesce(a，b)``, ``‘无’``, ``（``, ``＜=``) that looks like SQL and is not;
one used to spreadsheets writes ``"hotline"`` for a text, ``<==`` or ``=<`` for
an operator. :func:`scan` finds these in the text as written — outside quoted
texts, quoted names and comments, where any character is allowed — and says
which character it is, where, and what to type instead. :func:`parse_problem`
rewords what sqlglot's parser says about text it could not read, so that no
parser internals (``LTE is missing …``, class names) reach the officer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from ..i18n import Message, msg

# Characters that look like SQL punctuation, and the ASCII a condition needs instead.
_SINGLE_QUOTES = {"‘", "’", "´", "′"}
_QUOTES = _SINGLE_QUOTES | {"“", "”", "「", "」", "『", "』", "`", "″"}
_TWINS = {
    "、": ",", "。": ".", "【": "[", "】": "]", "〔": "(", "〕": ")", "　": " ",
    "–": "-", "—": "-", "−": "-", "≤": "<=", "≥": ">=", "≠": "<>", "×": "*", "÷": "/",
}
_OPERATOR_RUN = re.compile(r"[<>=!]+(?:\s+[<>=]+)*")
_OPERATORS = {"=", "==", "<>", "!=", "<", "<=", ">", ">="}
_MEANT = {"=<": "<=", "=>": ">=", "<==": "<=", ">==": ">=", "!==": "<>", "===": "=", "=!": "<>", "><": "<>",
          "<>=": "<>", "=<>": "<>", "<=>": "IS NOT DISTINCT FROM", "=>=": ">=", "=<=": "<="}


@dataclass(frozen=True)
class Typo:
    """A mistake at ``offset`` (0-based, in the condition's text), in words."""

    offset: int
    message: Message


def twin(char: str) -> str | None:
    """The ASCII character ``char`` stands in for, or None when it is not a look-alike."""
    if char in _TWINS:
        return _TWINS[char]
    if 0xFF01 <= ord(char) <= 0xFF5E:  # the full-width forms of ASCII, in ASCII's order
        return chr(ord(char) - 0xFEE0)
    return None


def _name(char: str) -> str:
    return unicodedata.name(char, f"U+{ord(char):04X}").lower()


def scan(text: str) -> list[Typo]:
    """Every typing mistake in ``text`` outside quotes and comments, in order; empty when there is none.

    A character is reported once, at its first place; an unclosed quote or
    comment ends the scan.
    """
    found: dict[str, Typo] = {}
    for offset, char, state in _outside(text):
        if state is not None:
            found[state] = Typo(offset, state)
            break
        key, typo = _look_alike(text, offset, char)
        if typo is not None and key not in found:
            found[key] = typo
    found.update({f"op{t.offset}": t for t in _operators(text)})
    return sorted(found.values(), key=lambda t: t.offset)


def _look_alike(text: str, offset: int, char: str) -> tuple[str, Typo | None]:
    """(what the mistake is, the mistake) for the character at ``offset``; (…, None) when it is no mistake."""
    if char == "$" and not _names_parameter(text, offset):
        return "$", Typo(offset, msg('"$" starts a parameter and must be followed by its name, such as $limit'))
    if char == ":" and text[offset + 1:offset + 2] not in (":", "=") and text[offset - 1:offset] != ":" \
            and text.count("[", 0, offset) <= text.count("]", 0, offset):  # x[1:2] is a slice, refused as one
        return ":", Typo(offset, msg('":" is not SQL here: to compare a field with a value write =, such as kind = \'plain\''))
    ascii_twin = twin(char) if char not in _QUOTES else None
    if char in _SINGLE_QUOTES or ascii_twin == "'":
        return "quote", Typo(offset, msg('"{char}" ({name}) is not SQL: write the straight quote \' instead',
                                  char=char, name=_name(char)))
    if char in _QUOTES or ascii_twin == '"':
        return "quote", Typo(offset, msg('"{char}" ({name}) is not SQL: a text takes straight single quotes, '
                                         "such as 'hotline'", char=char, name=_name(char)))
    if ascii_twin is None:
        return char, None
    if ascii_twin == ";":
        return char, Typo(offset, msg('"{char}" ({name}) is not SQL, and a condition is one expression '
                                      'with no ";": remove it', char=char, name=_name(char)))
    if ascii_twin == " ":
        return char, Typo(offset, msg('"{char}" ({name}) is not SQL: write a space instead', char=char, name=_name(char)))
    return char, Typo(offset, msg('"{char}" ({name}) is not SQL: write "{twin}" instead',
                                  char=char, name=_name(char), twin=ascii_twin))


def _names_parameter(text: str, offset: int) -> bool:
    """True when the ``$`` at ``offset`` starts a name (``$limit``) or is part of ``$$``."""
    after = text[offset + 1:offset + 2]
    before = text[offset - 1:offset] if offset else ""
    return after == "$" or before == "$" or after == "_" or (after.isascii() and after.isalpha())


def _operators(text: str) -> Iterator[Typo]:
    """Runs of comparison characters that are no operator: ``<==``, ``=<``, ``!==``."""
    masked = _masked(text)
    for match in _OPERATOR_RUN.finditer(masked):
        run = match.group(0)
        if run in _OPERATORS or run == "!":
            continue
        joined = re.sub(r"\s+", "", run)
        meant = _MEANT.get(joined) or ({"==": "="}.get(joined, joined) if joined in _OPERATORS else None)
        if meant:
            yield Typo(match.start(), msg('"{run}" is not an operator: write "{meant}"', run=run, meant=meant))
        else:
            yield Typo(match.start(), msg('"{run}" is not an operator: write one of =, <>, <, <=, >, >=', run=run))


def _masked(text: str) -> str:
    """``text`` with everything inside quotes and comments blanked out, offsets kept."""
    out = [" "] * len(text)
    for offset, char, state in _outside(text):
        if state is not None:
            break
        out[offset] = char
    return "".join(out)


def _outside(text: str) -> Iterator[tuple[int, str, str | None]]:
    """(offset, character, None) for each character outside quotes and comments.

    An unclosed quote or comment yields one last item whose third part says so.
    """
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        pair = text[i:i + 2]
        if char in ("'", '"'):
            end = _closing(text, i, char)
            if end < 0:
                if char == "'":
                    yield i, char, msg("a text opened with {quote} is not closed: add the closing {quote}", quote=char)
                else:
                    yield i, char, msg("a quoted name opened with {quote} is not closed: add the closing {quote}",
                                       quote=char)
                return
            i = end + 1
        elif pair == "--":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif pair == "/*":
            end = text.find("*/", i + 2)
            if end < 0:
                yield i, char, msg("a comment opened with /* is not closed: add */")
                return
            i = end + 2
        else:
            yield i, char, None
            i += 1


def _closing(text: str, start: int, quote: str) -> int:
    """Offset of the quote that closes the one at ``start`` (a doubled quote is part of the text); -1 if none."""
    i = start + 1
    while True:
        i = text.find(quote, i)
        if i < 0:
            return -1
        if text[i + 1:i + 2] == quote:
            i += 2
            continue
        return i


# ---- what the parser says, in plain words -------------------------------------------------------
_MISSING = re.compile(r"Required keyword: '(\w+)' missing for <class '[\w.]*?(\w+)'>")
_SYMBOLS = {
    "EQ": "=", "NEQ": "<>", "LT": "<", "LTE": "<=", "GT": ">", "GTE": ">=", "And": "AND", "Or": "OR", "Not": "NOT",
    "Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "Mod": "%", "IntDiv": "//", "DPipe": "||", "Like": "LIKE",
    "ILike": "ILIKE", "In": "IN", "Is": "IS", "Any": "ANY", "All": "ALL", "Neg": "-", "Paren": "(",
}
_PREFIX = {"Not", "Neg", "Paren", "Any", "All"}  # operators written before what they take
_EXPECTED = {
    "Expecting )": msg('a "(" is not closed, or a "," is missing between two values'),
    "Expected END after CASE": msg("CASE needs END after its last WHEN … THEN …"),
    "Expected ]": msg('a "[" is not closed: add "]"'),
    "Expected }": msg('a "{{" is not closed'),
    "Expected TYPE after CAST": msg("CAST needs a type after AS, such as CAST(x AS DATE)"),
    "Expected AS after CAST": msg("write CAST(x AS type), such as CAST(x AS DATE)"),
    "Expected type": msg('"::" needs a type after it, such as x::DATE'),
}


def parse_problem(description: str, highlight: str | None) -> Message:
    """sqlglot's ``description`` of a parse error (at the text ``highlight``) in plain words."""
    missing = _MISSING.search(description)
    if missing:
        return _missing(*missing.groups())
    if description in _EXPECTED:
        return _EXPECTED[description]
    if description.startswith("Invalid expression") or description.startswith("Unexpected token"):
        shown = (highlight or "").strip()
        return msg('"{shown}" is not expected here', shown=shown) if shown else msg("the condition ends too early")
    if description.startswith("Error tokenizing"):
        return msg("a character here cannot start any part of a condition")
    return msg("this is not a condition SQL can read")


def _missing(keyword: str, node: str) -> Message:
    symbol = _SYMBOLS.get(node)
    if node == "Between":
        return msg("BETWEEN needs two bounds: x BETWEEN low AND high")
    if node == "Case":
        return msg("CASE needs at least one WHEN … THEN …")
    if symbol is None:
        return msg("part of the condition is missing")
    if keyword == "this" and node not in _PREFIX:
        return msg('"{symbol}" has nothing before it', symbol=symbol)
    return msg('"{symbol}" has nothing after it', symbol=symbol)
