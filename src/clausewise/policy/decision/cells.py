"""Decision tables' model and cell grammar: ``-``, values, ``not(…)``, intervals, comparisons."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ...errors import Collector, Location, PolicyError
from ...i18n import msg
from ..yamlfile import YStr

HIT_POLICIES = ("first", "unique")
FILE_TYPES = (".csv", ".xlsx")
GAP_EXAMPLES = 3
TABLE_KEYS = ("hit_policy", "complete", "inputs", "output", "rows", "file", "input_values", "description")
# How each field type compares: enum and string values as exact text, the others as numbers.
VALUE_KINDS = {"string": "text", "enum": "text", "integer": "integer", "number": "number"}

# Where character ``offset`` of a cell's text stands in its file.
Where = Callable[[int], Location]


# ---- the parsed table ------------------------------------------------------------
@dataclass(frozen=True)
class Literal:
    """A value written in a cell: text, or a :class:`Decimal` once the input is known to be numeric."""

    value: str | Decimal
    quoted: bool
    location: Location


@dataclass(frozen=True)
class Cell:
    """One input test, as written (``text``) and where it stands."""

    text: str
    location: Location


@dataclass(frozen=True)
class AnyCell(Cell):
    """``-`` or empty: matches every value, and an empty input too."""


@dataclass(frozen=True)
class ValuesCell(Cell):
    """``high`` or ``company, customer`` (or ``= 3``): matches any listed value."""

    values: tuple[Literal, ...]


@dataclass(frozen=True)
class NotValuesCell(Cell):
    """``not(company, customer)``: matches any value but the listed ones."""

    values: tuple[Literal, ...]


@dataclass(frozen=True)
class IntervalCell(Cell):
    """``< 8``, ``>= 15``, ``[8..15)``: the numbers between two bounds; None is unbounded."""

    low: Decimal | None
    low_closed: bool
    high: Decimal | None
    high_closed: bool


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    output: Literal
    location: Location


@dataclass(frozen=True)
class DecisionTable:
    """A parsed table; ``input_values`` optionally narrows what an input can hold (DMN's inputValues)."""

    name: str
    inputs: tuple[str, ...]
    output: str
    hit_policy: str
    complete: bool
    rows: tuple[Row, ...]
    location: Location
    input_values: dict[str, Cell] = field(default_factory=dict)


# ---- cells -----------------------------------------------------------------------
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_ITEM = re.compile(r'\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^,"]*))\s*(?P<sep>,|$)')
_NOT = re.compile(r"\s*not\s*\((?P<inner>.*)\)\s*$", re.DOTALL)
_RANGE = re.compile(r"\s*(?P<open>[\[(])(?P<low>.*?)\.\.(?P<high>.*?)(?P<close>[\])])?\s*$", re.DOTALL)
_COMPARISON = re.compile(r"\s*(?P<op><=|>=|<|>|=)\s*(?P<operand>.*?)\s*$", re.DOTALL)
_BOUNDS = {
    "<": lambda n: (None, False, n, False),
    "<=": lambda n: (None, False, n, True),
    ">": lambda n: (n, False, None, False),
    ">=": lambda n: (n, True, None, False),
}
RANGE_EXAMPLE = "like [8..15) (8 included, 15 excluded) or [8..15] (both included)"
LIST_EXAMPLE = 'like "company, customer"'


def as_number(text: str) -> Decimal | None:
    """``8``, ``-2.5``, ``.5`` as an exact number; anything else None."""
    return Decimal(text) if _NUMBER.fullmatch(text.strip()) else None


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())


def _any(text: str, where: Where) -> Cell:
    return AnyCell(text.strip(), where(_lead(text)))


def _values(text: str, where: Where) -> Cell:
    return ValuesCell(text.strip(), where(_lead(text)), _literals(text, 0, len(text), where))


def _not_values(text: str, where: Where) -> Cell:
    match = _NOT.match(text)
    if match is None:
        raise PolicyError(msg('not(...) must end with ")", like not(low, medium)'), where(len(text.rstrip())))
    if not match["inner"].strip():
        raise PolicyError(msg("not() needs at least one value, like not(low, medium)"), where(match.start("inner")))
    return NotValuesCell(text.strip(), where(_lead(text)), _literals(text, match.start("inner"), match.end("inner"), where))


def _interval(text: str, where: Where) -> Cell:
    match = _RANGE.match(text)
    if match is None:
        raise PolicyError(msg('a range needs two numbers separated by "..", {range_example}',
                              range_example=RANGE_EXAMPLE), where(_lead(text)))
    if match["close"] is None:
        raise PolicyError(msg('a range ends with "]" (end included) or ")" (end excluded), {range_example}',
                              range_example=RANGE_EXAMPLE),
                          where(len(text.rstrip())))
    low, high = (_bound(match, part, where) for part in ("low", "high"))
    low_closed, high_closed = match["open"] == "[", match["close"] == "]"
    shown = text.strip()
    if low > high:
        raise PolicyError(msg("the range {shown} is empty: its start {low} is above its end {high}",
                              shown=shown, low=low, high=high), where(match.start("low")))
    if low == high and not (low_closed and high_closed):
        raise PolicyError(msg("the range {shown} is empty; for the single value {low} write {low}",
                              shown=shown, low=low), where(_lead(text)))
    return IntervalCell(shown, where(_lead(text)), low, low_closed, high, high_closed)


def _bound(match: re.Match, part: str, where: Where) -> Decimal:
    value = as_number(match[part])
    if value is None:
        shown = match[part].strip()
        found = msg('"{shown}" is not a number; ', shown=shown) if shown else ""
        raise PolicyError(msg("{found}a range needs a number at each end, {range_example}",
                              found=found, range_example=RANGE_EXAMPLE),
                          where(match.start(part) + _lead(match[part])))
    return value


def _comparison(text: str, where: Where) -> Cell:
    match = _COMPARISON.match(text)
    op, operand = match["op"], match["operand"]
    if op == "=":
        values = _literals(text, match.start("operand"), match.end("operand"), where) if operand else ()
        if len(values) != 1:
            raise PolicyError(msg('"=" takes one value, like "= 3"; for several values list them, {list_example}',
                                  list_example=LIST_EXAMPLE),
                              where(match.start("operand")))
        return ValuesCell(text.strip(), where(_lead(text)), values)
    value = as_number(operand)
    if value is None:
        found = msg('; "{operand}" is not a number', operand=operand) if operand else ""
        raise PolicyError(msg('"{op}" needs a number after it, like "{op} 8"{found}',
                              op=op, found=found), where(match.start("operand")))
    return IntervalCell(text.strip(), where(_lead(text)), *_BOUNDS[op](value))


def _literals(text: str, start: int, end: int, where: Where) -> tuple[Literal, ...]:
    """The comma-separated values in ``text[start:end]``; quotes keep a comma inside a value."""
    found, pos = [], start
    while True:
        match = _ITEM.match(text, pos, end)
        if match is None:
            raise _item_error(text, pos, end, where)
        quoted = match["quoted"] is not None
        value = match["quoted"] if quoted else match["bare"].strip()
        offset = match.start("quoted") - 1 if quoted else match.start("bare")
        if not value:
            raise PolicyError(msg("empty value; write values separated by commas, {list_example}",
                                  list_example=LIST_EXAMPLE), where(offset))
        found.append(Literal(value, quoted, where(offset)))
        if not match["sep"]:
            return tuple(found)
        pos = match.end()


def _item_error(text: str, pos: int, end: int, where: Where) -> PolicyError:
    at = pos + _lead(text[pos:end])
    if text[at] != '"':
        quote = text.index('"', at, end)
        return PolicyError(msg('a quote mark (") can only go around a whole value, {list_example}',
                               list_example=LIST_EXAMPLE), where(quote))
    closing = text.find('"', at + 1, end)
    if closing < 0:
        return PolicyError(msg('this quote is never closed; a quoted value ends with "'), where(at))
    return PolicyError(msg("expected a comma after the quoted value"), where(closing + 1))


# Tried in order: the first pattern that matches the start of the cell decides its form.
_FORMS: tuple[tuple[re.Pattern, Callable[[str, Where], Cell]], ...] = (
    (re.compile(r"\s*-?\s*$"), _any),
    (re.compile(r"\s*not\s*\("), _not_values),
    (re.compile(r"\s*[\[(]"), _interval),
    (re.compile(r"\s*(?:<|>|=)"), _comparison),
    (re.compile(""), _values),
)


def parse_cell(text: str, where: Where) -> Cell:
    """One input cell; a PolicyError at the offending character says what was expected."""
    build = next(build for pattern, build in _FORMS if pattern.match(text))
    return build(text, where)


def _output_cell(text: str, where: Where) -> Literal:
    """An output cell: one value, text or number; quotes make it text."""
    body = text.strip()
    quoted = len(body) >= 2 and body[0] == body[-1] == '"'
    value = body[1:-1] if quoted else body
    if value in ("", "-") or '"' in value:
        raise PolicyError(msg('an output cell holds one value, like P1 or 3 ("P1" in quotes to keep it text)'),
                          where(_lead(text)))
    return Literal(value, quoted, where(_lead(text)))


# ---- where cells come from: YAML scalars or spreadsheet cells ----------------------
# YAML turns some unquoted words into other types; a cell needs them as written.
# (Dates stay text: the policy loader keeps them as written.)
_YAML_READS = (
    (bool, "true/false", '"true"'),
    (list, "a list", '"[8..15]"'),
    (dict, "a mapping", '"{a}"'),
)


def _source(value, location: Location) -> tuple[str, Where]:
    """A cell's text and how to locate a character in it."""
    if isinstance(value, YStr):
        return str(value), value.locate
    for kind, what, example in _YAML_READS:
        if isinstance(value, kind):
            raise PolicyError(msg("YAML reads this cell as {what}; put it in quotes to keep it as written, like "
                                  "{example}",
                                  what=what, example=example),
                              location)
    return ("" if value is None else str(value)), lambda offset: location


def make_row(values: list, locations: list[Location], location: Location, errors: Collector) -> Row | None:
    """A row from its raw cells (inputs, then the output); None when a cell is malformed."""
    cells = [parsed(parse_cell, value, at, errors) for value, at in zip(values[:-1], locations)]
    output = parsed(_output_cell, values[-1], locations[-1], errors)
    if output is None or None in cells:
        return None
    return Row(tuple(cells), output, location)


def parsed(parse: Callable[[str, Where], Cell | Literal], value, location: Location, errors: Collector):
    """``parse`` applied to a raw cell; None, with the error collected, when the cell is malformed."""
    try:
        return parse(*_source(value, location))
    except PolicyError as exc:
        errors.add(exc)
        return None


