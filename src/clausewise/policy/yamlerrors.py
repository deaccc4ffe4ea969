"""YAML problems in plain words, each with its place and the fix.

The YAML parsers speak of tokens ("expected <block end>, but found '<block
mapping start>'"), and libyaml and PyYAML word the same problem differently.
:func:`syntax_error` turns either parser's problem into one sentence an officer
can act on, at file:line:column: a tab becomes "YAML is indented with spaces,
not tabs", a stray ": " in a value becomes "put the value in quotes". A problem
not in the table keeps the parser's own words, on one line.

:func:`forbidden_character` finds what YAML does not allow in a file at all
(NUL bytes and other control characters), before a parser sees the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import Location, PolicyError
from ..i18n import msg

# YAML 1.2 §5.1: what a YAML stream may hold (tab, line breaks, printable
# Unicode; NEL and the byte order mark allowed by the set, the mark only first).
# Written as what it forbids, the complement of [\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd
# \U00010000-\U0010ffff] (the same characters, tested one by one), which compiles in a tenth of the time.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_NAMES = {0x00: "NUL", 0x07: "bell", 0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed", 0x1B: "escape", 0x7F: "delete"}


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of character ``offset``, counting breaks as YAML parsers do."""
    line, start = 1, 0
    for match in _BREAK.finditer(text, 0, offset):
        line, start = line + 1, match.end()
    return line, offset - start + 1


def forbidden_character(text: str, display: str) -> PolicyError | None:
    """The first character YAML forbids in ``text``, as an error at its place; or None."""
    match = _FORBIDDEN.search(text, 1 if text.startswith("\ufeff") else 0)
    if match is None:
        return None
    code = ord(match.group())
    where = Location(display, *position(text, match.start()))
    if code == 0xFEFF:
        return PolicyError(msg("a byte order mark (U+FEFF) inside the file: remove it"), where)
    name = f" ({_NAMES[code]})" if code in _NAMES else ""
    kind = "control character" if code < 0x20 or 0x7F <= code <= 0x9F else "character"
    return PolicyError(msg("{kind} U+{code:04X}{name} is not allowed in a YAML file: remove it", kind=kind, code=code, name=name), where)


@dataclass
class _Problem:
    """One parser problem, with the document's lines to look at what it points to."""

    lines: list[str]
    problem: str
    context: str
    at: tuple[int, int]  # 0-based (line, column) of the problem
    context_at: tuple[int, int] | None

    def char(self, at: tuple[int, int] | None = None) -> str:
        line, column = at or self.at
        text = self.lines[line] if line < len(self.lines) else ""
        return text[column] if column < len(text) else ""

    def before(self) -> str:
        """The text of the problem's line before the problem."""
        line, column = self.at
        return self.lines[line][:column] if line < len(self.lines) else ""


_Explain = Callable[[_Problem], tuple[str, tuple[int, int]]]


def _tab(p: _Problem):
    return "YAML is indented with spaces, not tabs: replace the tab with spaces", p.at


def _cannot_start(p: _Problem):
    char = p.char()
    if char == "\t":
        return _tab(p)
    return msg('a value cannot start with "{char}": put the value in quotes', char=char), p.at


def _stray_colon(p: _Problem):
    """A ": " where no key may start: in a value, after a key-less line, or mis-indented."""
    before = p.before().strip()
    if re.search(r"\s", before):  # "key: some text: more", or text run on from the line above
        return 'this value contains ": ", which YAML reads as a key: put the value in quotes', p.at
    above = _line_above(p)
    if above is not None and not re.search(r":(\s|$)", p.lines[above]):
        return _no_colon_message(), (above, len(p.lines[above]) - len(p.lines[above].lstrip(" ")))
    return _indentation(p)


def _line_above(p: _Problem) -> int | None:
    """The index of the nearest line above the problem that holds more than a comment."""
    for index in range(min(p.at[0], len(p.lines)) - 1, -1, -1):
        text = p.lines[index].strip()
        if text and not text.startswith("#"):
            return index
    return None


def _indentation(p: _Problem):
    line = p.at[0]
    text = p.lines[line] if line < len(p.lines) else ""
    column = len(text) - len(text.lstrip(" "))
    message = "this line is indented differently from the lines around it: line it up with the keys or list items it belongs with"
    return message, (line, column)


def _block_end(p: _Problem):
    """Something where the next key (or list item) was expected."""
    before = p.before()
    if before.strip() and before.rstrip().endswith(("'", '"')):
        return "text after the closing quote: put the whole value in quotes (inside single quotes, write '' for ')", p.at
    if p.char() == "-" and p.char((p.at[0], p.at[1] + 1)) in ("", " "):
        return 'a list item ("- ") where a key was expected: indent the list under its key', p.at
    return _indentation(p)


def _no_colon_message() -> str:
    return 'this line has no ": "; in a mapping each entry is written "key: value", with a space after the colon'


def _no_colon(p: _Problem):
    return _no_colon_message(), p.context_at or p.at


def _unclosed_quote(p: _Problem):
    quote = p.char(p.context_at) or '"'
    return msg("this quoted value is never closed: add the closing {quote}", quote=quote), p.context_at or p.at


def _unclosed_flow(opening: str, closing: str, what: str, parts: str) -> _Explain:
    def rule(p: _Problem):
        line, column = p.context_at or p.at
        message = (
            msg('the {what} opened with "{opening}" at line {line}, column {column} is not closed here: add the missing "{closing}", or a "," between its {parts}', what=what, opening=opening, line=line + 1, column=column + 1, closing=closing, parts=parts)
        )
        return message, p.at

    return rule


def _no_value(p: _Problem):
    char = p.char()
    if char == ",":
        return 'an empty item between commas: remove the extra ","', p.at
    if not char:
        return "a value is missing here: add it, or put the text in quotes", p.at
    return _cannot_start(p)


def _inline_list(p: _Problem):
    return 'a list item ("- ") cannot follow a key on its line: put the items on the next lines, indented, or put the value in quotes', p.at


def _question(p: _Problem):
    return 'a value cannot start with "? ": put the value in quotes', p.at


_INDICATORS = {"*": "an alias", "&": "an anchor", "!": "a tag"}


def _indicator(p: _Problem):
    """A value that starts with "*", "&" or "!", which YAML reads as alias, anchor or tag."""
    where = p.context_at or p.at
    char = p.char(where)
    if char not in _INDICATORS:
        where, char = p.at, p.char()
    word = _INDICATORS.get(char, "YAML syntax")
    return msg('a value that starts with "{char}" is read as {word}: put the value in quotes', char=char, word=word), where


def _undefined_alias(p: _Problem):
    name = _name_at(p, p.at)
    return msg('"*{name}" refers to no anchor "&{name}" defined above it: define the anchor first, or put the value in quotes', name=name), p.at


def _duplicate_anchor(p: _Problem):
    first = (p.context_at or p.at)[0] + 1
    name = _name_at(p, p.at)
    return msg('anchor "&{name}" is defined a second time (first at line {first}): give it another name', name=name, first=first), p.at


def _name_at(p: _Problem, at: tuple[int, int]) -> str:
    line, column = at
    text = p.lines[line][column:] if line < len(p.lines) else ""
    match = re.match(r"[&*]([^\s,\[\]{}]+)", text)
    return match.group(1) if match else "?"


def _second_document(p: _Problem):
    return 'a second YAML document starts here: one file holds one document, so remove this "---" line', p.at


def _unknown_tag(p: _Problem):
    match = re.search(r"tag '([^']*)'", p.problem)
    tag = (match.group(1) if match else "?").replace("tag:yaml.org,2002:", "!!")
    return msg('unknown tag "{tag}": remove it; clausewise files use no tags', tag=tag), p.at


def _escape(p: _Problem):
    line, column = p.at
    backslash = p.lines[line].rfind("\\", 0, column + 1) if line < len(p.lines) else -1
    at = (line, backslash) if backslash >= 0 else p.at
    return 'a backslash in double quotes starts an escape: write "\\\\" for a backslash, or use single quotes', at


def _directive(p: _Problem):
    line = (p.context_at or p.at)[0]
    return 'a line that starts with "%" is a YAML directive, which clausewise files do not use: remove it', (line, 0)


def _after_document(p: _Problem):
    above = _line_above(p)
    if above is not None and p.lines[above].strip().startswith("..."):
        return 'the line above ("...") ends the document: remove it', (above, 0)
    return _indentation(p)


def _tag_misfit(p: _Problem):
    found = p.problem.rsplit(" ", 1)[-1]
    return msg("the tag on this value does not fit a {found}: remove the tag", found=found), p.at


def _block_header(p: _Problem):
    return 'after "|" or ">" the text starts on the next line; only "-", "+" or a digit 1-9 may follow them', p.at


# (pattern over "context | problem", rule); the first match wins. Each pattern
# covers both parsers' wordings of one problem.
_RULES: list[tuple[re.Pattern, _Explain]] = [
    (re.compile(p), rule)
    for p, rule in [
        (r"tab character", _tab),
        (r"cannot start any token", _cannot_start),
        (r"mapping values are not allowed|found unexpected ':'", _stray_colon),
        (r"expected <block end>|did not find expected key|did not find expected '-' indicator", _block_end),
        (r"<document start>", _after_document),
        (r"could not find expected ':'", _no_colon),
        (r"quoted scalar \| found unexpected (end of stream|document)", _unclosed_quote),
        (r"flow sequence \| .*expected ',' or '\]'", _unclosed_flow("[", "]", "list", "items")),
        (r"flow mapping \| .*expected ',' or '}'", _unclosed_flow("{", "}", "mapping", "entries")),
        (r"node content", _no_value),
        (r"sequence entries are not allowed", _inline_list),
        (r"mapping keys are not allowed", _question),
        (r"directive|incompatible YAML document|duplicate tag handle", _directive),
        (r"while (scanning|parsing) an? (alias|anchor|tag)|tag handle|non-specific tag", _indicator),
        (r"expected a (scalar|sequence|mapping) node, but found", _tag_misfit),
        (r"found undefined alias", _undefined_alias),
        (r"found duplicate anchor", _duplicate_anchor),
        (r"expected a single document", _second_document),
        (r"could not determine a constructor for the tag", _unknown_tag),
        (r"escape|hexdecimal|hexadecimal", _escape),
        (r"while scanning a block scalar", _block_header),
    ]
]

# PyYAML quotes a character with repr(): '\t', '\x07'. Say it as people do.
_REPR = re.compile(r"'(\\(?:t|n|r|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}))'")


def syntax_error(problem: str | None, context: str | None, at, context_at, text: str, display: str) -> PolicyError:
    """A parser problem as one plain sentence at file:line:column.

    ``at`` and ``context_at`` are 0-based (line, column) pairs, or None.
    """
    p = _Problem(text.splitlines(), problem or "", context or "", at or context_at or (0, 0), context_at)
    key = f"{p.context} | {p.problem}"
    for pattern, rule in _RULES:
        if pattern.search(key):
            message, (line, column) = rule(p)
            return PolicyError(message, Location(display, line + 1, column + 1))
    line, column = p.at
    return PolicyError(msg("invalid YAML: {plain}", plain=_plain(p.problem or p.context)), Location(display, line + 1, column + 1))


def _plain(text: str) -> str:
    def say(match: re.Match) -> str:
        code = int(match.group(1)[2:], 16) if match.group(1)[1] in "xuU" else ord({"t": "\t", "n": "\n", "r": "\r"}[match.group(1)[1]])
        return "a tab" if code == 9 else f"U+{code:04X}"

    return " ".join(_REPR.sub(say, text).split())
