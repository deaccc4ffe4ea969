"""Decision tables: grading tables an officer can read, and that are proven before they run.

A regulation often grades with a table ("severity × impact scope → priority")
rather than with a sentence. Written as nested conditions such a table hides
its mistakes; written as a DMN-style decision table it can be checked. This
module parses the policy's ``decision_tables:`` (rows inline, or a CSV/XLSX
file next to the policy) into :class:`DecisionTable`, every cell located in
its file, and :func:`analyse` checks a table the way Drools' decision-table
analysis does: rows that overlap under hit policy ``unique``, rows that can
never fire under ``first``, gaps in a table that claims to be ``complete``,
and values an input cannot hold. A wrong table then fails at load instead of
grading records silently wrong.

The analysis is exact, not sampled. Each input's possible values are cut into
a few *atoms* (the enum values, or the intervals between the numbers the cells
mention), every row becomes a box of atoms, and overlaps, masking and gaps are
set operations on boxes. The cell syntax is in docs/decision-tables.md.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import Collector, Location, PolicyError, did_you_mean
from ..workbook import check_workbook
from .yamlfile import MAX_BYTES, YList, YMap, YStr

HIT_POLICIES = ("first", "unique")
FILE_TYPES = (".csv", ".xlsx")
GAP_EXAMPLES = 3
TABLE_KEYS = ("hit_policy", "complete", "inputs", "output", "rows", "file", "input_values", "description")
# How each field type compares: enum and string values as exact text, the others as numbers.
KINDS = {"string": "text", "enum": "text", "integer": "integer", "number": "number"}

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


def _as_number(text: str) -> Decimal | None:
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
        raise PolicyError('not(...) must end with ")", like not(low, medium)', where(len(text.rstrip())))
    if not match["inner"].strip():
        raise PolicyError("not() needs at least one value, like not(low, medium)", where(match.start("inner")))
    return NotValuesCell(text.strip(), where(_lead(text)), _literals(text, match.start("inner"), match.end("inner"), where))


def _interval(text: str, where: Where) -> Cell:
    match = _RANGE.match(text)
    if match is None:
        raise PolicyError(f'a range needs two numbers separated by "..", {RANGE_EXAMPLE}', where(_lead(text)))
    if match["close"] is None:
        raise PolicyError(f'a range ends with "]" (end included) or ")" (end excluded), {RANGE_EXAMPLE}',
                          where(len(text.rstrip())))
    low, high = (_bound(match, part, where) for part in ("low", "high"))
    low_closed, high_closed = match["open"] == "[", match["close"] == "]"
    shown = text.strip()
    if low > high:
        raise PolicyError(f"the range {shown} is empty: its start {low} is above its end {high}", where(match.start("low")))
    if low == high and not (low_closed and high_closed):
        raise PolicyError(f"the range {shown} is empty; for the single value {low} write {low}", where(_lead(text)))
    return IntervalCell(shown, where(_lead(text)), low, low_closed, high, high_closed)


def _bound(match: re.Match, part: str, where: Where) -> Decimal:
    value = _as_number(match[part])
    if value is None:
        shown = match[part].strip()
        found = f'"{shown}" is not a number; ' if shown else ""
        raise PolicyError(f"{found}a range needs a number at each end, {RANGE_EXAMPLE}",
                          where(match.start(part) + _lead(match[part])))
    return value


def _comparison(text: str, where: Where) -> Cell:
    match = _COMPARISON.match(text)
    op, operand = match["op"], match["operand"]
    if op == "=":
        values = _literals(text, match.start("operand"), match.end("operand"), where) if operand else ()
        if len(values) != 1:
            raise PolicyError(f'"=" takes one value, like "= 3"; for several values list them, {LIST_EXAMPLE}',
                              where(match.start("operand")))
        return ValuesCell(text.strip(), where(_lead(text)), values)
    value = _as_number(operand)
    if value is None:
        found = f'; "{operand}" is not a number' if operand else ""
        raise PolicyError(f'"{op}" needs a number after it, like "{op} 8"{found}', where(match.start("operand")))
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
            raise PolicyError(f"empty value; write values separated by commas, {LIST_EXAMPLE}", where(offset))
        found.append(Literal(value, quoted, where(offset)))
        if not match["sep"]:
            return tuple(found)
        pos = match.end()


def _item_error(text: str, pos: int, end: int, where: Where) -> PolicyError:
    at = pos + _lead(text[pos:end])
    if text[at] != '"':
        quote = text.index('"', at, end)
        return PolicyError(f'a quote mark (") can only go around a whole value, {LIST_EXAMPLE}', where(quote))
    closing = text.find('"', at + 1, end)
    if closing < 0:
        return PolicyError('this quote is never closed; a quoted value ends with "', where(at))
    return PolicyError("expected a comma after the quoted value", where(closing + 1))


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
        raise PolicyError('an output cell holds one value, like P1 or 3 ("P1" in quotes to keep it text)',
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
            raise PolicyError(f"YAML reads this cell as {what}; put it in quotes to keep it as written, like {example}",
                              location)
    return ("" if value is None else str(value)), lambda offset: location


def _row(values: list, locations: list[Location], location: Location, errors: Collector) -> Row | None:
    """A row from its raw cells (inputs, then the output); None when a cell is malformed."""
    cells = [_parsed(parse_cell, value, at, errors) for value, at in zip(values[:-1], locations)]
    output = _parsed(_output_cell, values[-1], locations[-1], errors)
    if output is None or None in cells:
        return None
    return Row(tuple(cells), output, location)


def _parsed(parse: Callable[[str, Where], Cell | Literal], value, location: Location, errors: Collector):
    """``parse`` applied to a raw cell; None, with the error collected, when the cell is malformed."""
    try:
        return parse(*_source(value, location))
    except PolicyError as exc:
        errors.add(exc)
        return None


# ---- the decision_tables: section ------------------------------------------------
def parse_tables(raw: YMap, base_dir: Path, errors: Collector) -> dict[str, DecisionTable]:
    """The policy's decision tables by name.

    A table with any error is reported and left out, so that :func:`analyse`
    does not pile guesses onto a typo. ``base_dir`` is the policy's folder:
    table files are read from inside it only.
    """
    if not isinstance(raw, YMap):
        errors.error("decision_tables maps table names to tables", getattr(raw, "location", None))
        return {}
    tables = {}
    for name, spec in raw.items():
        own = Collector()
        table = _table(str(name), spec, raw.key_at(name), base_dir, own)
        for error in own.errors:
            errors.add(error)
        if table is not None and not own:
            tables[table.name] = table
    return tables


def _table(name: str, spec, where: Location, base_dir: Path, errors: Collector) -> DecisionTable | None:
    if not isinstance(spec, YMap):
        errors.error(f'decision table "{name}" must be a mapping with inputs, output, and rows or file', where)
        return None
    for key in spec:
        if key not in TABLE_KEYS:
            errors.error(f'unknown key "{key}" in decision table "{name}"{did_you_mean(key, TABLE_KEYS)}', spec.key_at(key))
    inputs, output = _inputs(spec, errors), _output_name(spec, errors)
    hit_policy, complete = _hit_policy(spec, errors), _complete(spec, errors)
    if inputs is None or output is None:
        return None
    rows = _rows(name, spec, inputs, output, base_dir, where, errors)
    input_values = _input_values(spec, inputs, errors)
    return DecisionTable(name, inputs, output, hit_policy, complete, _typed_outputs(rows), where, input_values)


def _inputs(spec: YMap, errors: Collector) -> tuple[str, ...] | None:
    names = spec.get("inputs")
    if not isinstance(names, YList) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        errors.error("inputs must list the names of the inputs, like [severity, impact_scope]", spec.value_at("inputs"))
        return None
    for index, name in enumerate(names):
        if name in names[:index]:
            errors.error(f'input "{name}" is listed twice', names.item_at(index))
    return tuple(str(n) for n in names)


def _output_name(spec: YMap, errors: Collector) -> str | None:
    name = spec.get("output")
    if not isinstance(name, str) or not name.strip():
        errors.error("output must name the value the table gives, like priority", spec.value_at("output"))
        return None
    return str(name)


def _hit_policy(spec: YMap, errors: Collector) -> str:
    # DMN's default: unique asks the most of a table, so a forgotten hit_policy is checked hardest.
    # DMN tools write FIRST and UNIQUE; either spelling is fine.
    policy = str(spec.get("hit_policy", "unique")).lower()
    if policy not in HIT_POLICIES:
        hint = did_you_mean(policy, HIT_POLICIES)
        errors.error(f'unknown hit_policy "{spec["hit_policy"]}"; expected first or unique{hint}', spec.value_at("hit_policy"))
    return policy


def _complete(spec: YMap, errors: Collector) -> bool:
    complete = spec.get("complete", False)
    if not isinstance(complete, bool):
        errors.error("complete must be true or false", spec.value_at("complete"))
    return complete is True


def _input_values(spec: YMap, inputs: tuple[str, ...], errors: Collector) -> dict[str, Cell]:
    narrowed = spec.get("input_values")
    if narrowed is None:
        return {}
    if not isinstance(narrowed, YMap):
        errors.error('input_values maps inputs to the values they can take, like {score: "[1..25]"}',
                     spec.value_at("input_values"))
        return {}
    cells = {}
    for name, value in narrowed.items():
        if name not in inputs:
            errors.error(f'input_values names "{name}", which is not an input of this table{did_you_mean(name, inputs)}',
                         narrowed.key_at(name))
            continue
        cell = _parsed(parse_cell, value, narrowed.value_at(name), errors)
        if cell is not None:
            cells[name] = cell
    return cells


def _typed_outputs(rows: list[Row]) -> tuple[Row, ...]:
    """Outputs are numbers when every one is an unquoted number; otherwise they are all text."""
    if not all(not r.output.quoted and _as_number(r.output.value) is not None for r in rows):
        return tuple(rows)
    return tuple(replace(r, output=replace(r.output, value=_as_number(r.output.value))) for r in rows)


def _rows(name, spec: YMap, inputs, output, base_dir: Path, where: Location, errors: Collector) -> list[Row]:
    if ("rows" in spec) == ("file" in spec):
        if "rows" in spec:
            errors.error("give the rows here or in a file, not both", spec.key_at("file"))
        else:
            errors.error(f'decision table "{name}" needs rows, or a file (.csv or .xlsx) that holds them', where)
        return []
    if "rows" in spec:
        return _inline_rows(spec, inputs, output, errors)
    return _file_rows(spec, inputs, output, base_dir, errors)


def _inline_rows(spec: YMap, inputs, output, errors: Collector) -> list[Row]:
    rows = spec["rows"]
    if not isinstance(rows, YList):
        errors.error('rows must be a list of rows, each a list of cells like [high, "company, customer", P1]',
                     spec.value_at("rows"))
        return []
    if not rows:
        errors.error("the table has no rows", spec.value_at("rows"))
    width = len(inputs) + 1
    found = []
    for index, item in enumerate(rows):
        where = rows.item_at(index)
        if not isinstance(item, YList):
            errors.error('a row is a list of cells, like [high, "-", P2]', where)
        elif len(item) != width:
            errors.error(_width_message(len(item), inputs, output), where)
        else:
            found.append(_row(list(item), [item.item_at(i) for i in range(width)], where, errors))
    return [r for r in found if r is not None]


def _width_message(count: int, inputs, output) -> str:
    message = f"this row has {count} cells; expected {len(inputs) + 1}: {', '.join(inputs)}, then {output}"
    # In [a, b, c] rows YAML splits unquoted commas: the usual cause of one cell too many.
    return message + ' (put quotes around a cell with a comma, like "company, customer")' if count > len(inputs) + 1 else message


# ---- rows from a CSV or XLSX file ---------------------------------------------------
def _file_rows(spec: YMap, inputs, output, base_dir: Path, errors: Collector) -> list[Row]:
    try:
        path, display = table_file(spec["file"], base_dir, spec.value_at("file"))
        grid = _GRIDS[path.suffix.lower()](path, display)
    except PolicyError as exc:
        errors.add(exc)
        return []
    return _grid_rows(grid, (*inputs, output), display, errors)


def _escapes(text: str) -> bool:
    """True for paths that could leave the folder they are relative to, on any system."""
    return any(p.is_absolute() or p.drive or ".." in p.parts for p in (PurePosixPath(text), PureWindowsPath(text)))


def table_file(text, base_dir: Path, where: Location) -> tuple[Path, str]:
    """The table file a policy names, and its name for messages; refused if it leaves the policy's folder."""
    if not isinstance(text, str) or not text.strip():
        raise PolicyError('file must be a path relative to the policy file, like "tables/risk_grade.csv"', where)
    if _escapes(text):
        raise PolicyError(f'file "{text}" must be inside the policy\'s folder: ".." and absolute paths are refused', where)
    if PurePosixPath(text).suffix.lower() not in FILE_TYPES:
        raise PolicyError(f'file "{text}" must be a .csv or .xlsx file', where)
    path = base_dir / text
    if not path.resolve().is_relative_to(base_dir.resolve()):
        raise PolicyError(f'file "{text}" leads outside the policy\'s folder through a link', where)
    display = str(Path(where.file).parent / text)
    if not path.is_file():
        raise PolicyError("is a folder, expected a .csv or .xlsx file" if path.is_dir() else "file not found", Location(display))
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise PolicyError(f"file is {size} bytes; the limit is {MAX_BYTES}", Location(display))
    return path, display


def _csv_grid(path: Path, display: str) -> list[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except PermissionError:
        raise PolicyError("cannot be read: permission denied", Location(display)) from None
    except OSError as exc:
        raise PolicyError(f"cannot be read: {exc.strerror or type(exc).__name__}", Location(display)) from None
    except UnicodeDecodeError as exc:
        raise PolicyError(f'not UTF-8 text (byte {exc.start}); save it as "CSV UTF-8" or as .xlsx', Location(display)) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return list(reader)
    except csv.Error as exc:
        raise PolicyError(f"cannot read this line: {exc}", Location(display, line=reader.line_num)) from None


def _xlsx_grid(path: Path, display: str) -> list[list[str]]:
    from python_calamine import (
        CalamineWorkbook,  # loaded only when a table is a workbook
    )

    check_workbook(path, display, PolicyError)  # calamine aborts the process on a zip bomb or a huge used range
    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken files
        raise PolicyError(f"cannot read the workbook: {exc}", Location(display)) from None
    return [[_sheet_text(value) for value in row] for row in rows]


def _sheet_text(value) -> str:
    """A workbook cell as the text a CSV would hold (Excel stores 3 as 3.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_GRIDS = {".csv": _csv_grid, ".xlsx": _xlsx_grid}


def _grid_rows(grid: list[list[str]], names: tuple[str, ...], display: str, errors: Collector) -> list[Row]:
    """Rows under a header naming the inputs and the output, in any order; row 1 is the first under it."""
    header = _trimmed(grid[0]) if grid else []
    columns = _columns(header, names, display, errors)
    records = grid[1:]
    while records and not any(c.strip() for c in records[-1]):
        records.pop()  # spreadsheets often end in blank rows
    if columns is None:
        return []
    if not records:
        errors.error("the file has no rows under its header", Location(display))
    found = []
    for position, record in enumerate(records, start=1):
        where = Location(display, row=position)
        problem = _record_problem(record, len(header))
        if problem:
            errors.error(problem, where)
            continue
        cells = [record[columns[n]] for n in names]
        found.append(_row(cells, [Location(display, row=position, field=n) for n in names], where, errors))
    return [r for r in found if r is not None]


def _trimmed(cells: list[str]) -> list[str]:
    cells = [c.strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _columns(header: list[str], names: tuple[str, ...], display: str, errors: Collector) -> dict[str, int] | None:
    """Where each input and the output stand in the header; None when the header is wrong."""
    where = Location(display, line=1)
    expected = f"the first row must name the inputs and the output: {', '.join(names)}"
    problems = [f'column "{h}" appears twice in the header' for i, h in enumerate(header) if h in header[:i]]
    problems += [f'the header has no column "{n}"{did_you_mean(n, header) or "; " + expected}' for n in names if n not in header]
    if not problems:
        problems = [f'unknown column "{h}"; {expected}' for h in header if h not in names]
    for problem in problems:
        errors.error(problem, where)
    return None if problems else {n: header.index(n) for n in names}


def _record_problem(record: list[str], width: int) -> str | None:
    if not any(c.strip() for c in record):
        return "empty row between rules; delete it, so that row numbers stay the rule numbers"
    if any(c.strip() for c in record[width:]):
        return f"this row has more cells than the header has columns ({width})"
    if len(record) < width:
        return f"this row has {len(record)} cells but the header has {width}"
    return None


# ---- analysis --------------------------------------------------------------------
def analyse(table: DecisionTable, input_types: dict[str, tuple[str, tuple[str, ...]]], errors: Collector) -> DecisionTable:
    """Check ``table`` against its inputs' types; return it with numeric inputs' values as numbers.

    ``input_types`` maps each input to its field type and enum values, e.g.
    ``{"severity": ("enum", ("critical", "high", "medium", "low"))}``. Reported,
    each at the row or cell concerned: values of the wrong kind or not among
    the enum values, rows that can never match, overlapping rows (``unique``),
    rows that earlier rows hide (``first``) and, with ``complete: true``, the
    input combinations no row covers. The SQL for a table should be made from
    the table this returns.
    """
    if any(name not in input_types for name in table.inputs):
        return table  # naming inputs that are not fields is the caller's error to report
    own = Collector()
    typed = _typed(table, input_types, own)
    if not own:
        axes = [_axis(typed, name, *input_types[name]) for name in typed.inputs]
        _check_rows(typed, axes, own)
    for error in own.errors:
        errors.add(error)
    return typed


def _typed(table: DecisionTable, input_types, errors: Collector) -> DecisionTable:
    for name in table.inputs:
        field_type = input_types[name][0]
        if field_type not in KINDS:
            errors.error(f'input "{name}" is a {field_type} field; decision tables compare text, enum, integer and '
                         "number fields", table.location)
    if errors:
        return table

    def retype(name: str, cell: Cell) -> Cell:
        return _typed_cell(cell, name, *input_types[name], errors)

    rows = tuple(replace(r, cells=tuple(retype(n, c) for n, c in zip(table.inputs, r.cells))) for r in table.rows)
    narrowed = {name: retype(name, cell) for name, cell in table.input_values.items()}
    return replace(table, rows=rows, input_values=narrowed)


def _typed_cell(cell: Cell, name: str, field_type: str, allowed: tuple[str, ...], errors: Collector) -> Cell:
    if KINDS[field_type] == "text":
        _check_text(cell, name, allowed, errors)
        return cell
    if not isinstance(cell, (ValuesCell, NotValuesCell)):
        return cell
    return replace(cell, values=tuple(_numeric(lit, name, field_type, errors) for lit in cell.values))


def _check_text(cell: Cell, name: str, allowed: tuple[str, ...], errors: Collector) -> None:
    if isinstance(cell, IntervalCell):
        errors.error(f'"{cell.text}" compares numbers, but {name} holds text; list the values instead, {LIST_EXAMPLE}',
                     cell.location)
    for lit in getattr(cell, "values", ()):
        if allowed and lit.value not in allowed:
            hint = did_you_mean(lit.value, allowed) or f" (its values are {', '.join(allowed)})"
            errors.error(f'Unknown value: "{lit.value}" is not a value of {name}{hint}', lit.location)


def _numeric(lit: Literal, name: str, field_type: str, errors: Collector) -> Literal:
    value = _as_number(lit.value)
    if value is None:
        errors.error(f'"{lit.value}" is not a number, but {name} holds numbers', lit.location)
        return lit
    if field_type == "integer" and value != value.to_integral_value():
        errors.error(f"{name} holds whole numbers, so {lit.value} can never match", lit.location)
    return replace(lit, value=value)


# An input's possible values, cut into atoms so that every cell is a set of atoms.
class _TextAxis:
    """Atoms are the enum values or, for free text, every value the cells name plus "any other text"."""

    domain: frozenset[int]  # the atoms the input can hold: all, unless input_values narrows them

    def __init__(self, name: str, values: tuple[str, ...], closed: bool, note: str):
        self.name, self.values, self.note = name, values, note
        self.index = {v: i for i, v in enumerate(values)}
        self.universe = frozenset(range(len(values) + (0 if closed else 1)))

    def atoms_of(self, cell: Cell) -> frozenset[int]:
        if isinstance(cell, AnyCell):
            return self.universe
        listed = frozenset(self.index[lit.value] for lit in cell.values if lit.value in self.index)
        return listed if isinstance(cell, ValuesCell) else self.universe - listed

    def runs(self, atoms: frozenset[int]) -> list[frozenset[int]]:
        return [atoms]

    def describe(self, atoms: frozenset[int]) -> str:
        named = [_shown(self.values[i]) for i in sorted(atoms) if i < len(self.values)]
        if len(named) == len(atoms):
            return f"{self.name}={named[0]}" if len(named) == 1 else f"{self.name} in ({', '.join(named)})"
        others = [_shown(v) for i, v in enumerate(self.values) if i not in atoms]
        return f"{self.name} not in ({', '.join(others)})"


class _NumberAxis:
    """Atoms alternate between the open intervals around and the points at every number the cells name.

    With points p0 < p1 < …, atom 0 is (-∞, p0), atom 1 is p0, atom 2 is
    (p0, p1) and so on. For integer inputs, atoms holding no whole number
    (the point 2.5, the interval (7, 8)) are left out.
    """

    domain: frozenset[int]

    def __init__(self, name: str, points: list[Decimal], integer: bool, note: str):
        self.name, self.points, self.integer, self.note = name, points, integer, note
        self.index = {p: 2 * i + 1 for i, p in enumerate(points)}
        self.universe = frozenset(i for i in range(2 * len(points) + 1) if not self._empty(i))

    def _low(self, atom: int) -> tuple[Decimal | None, bool]:
        if atom % 2:
            return self.points[atom // 2], True
        return (self.points[atom // 2 - 1] if atom else None), False

    def _high(self, atom: int) -> tuple[Decimal | None, bool]:
        if atom % 2:
            return self.points[atom // 2], True
        return (self.points[atom // 2] if atom // 2 < len(self.points) else None), False

    def _empty(self, atom: int) -> bool:
        if not self.integer:
            return False
        (low, _), (high, _) = self._low(atom), self._high(atom)
        if atom % 2:
            return low != low.to_integral_value()
        return low is not None and high is not None and _whole(low, False, 1) > _whole(high, False, -1)

    def atoms_of(self, cell: Cell) -> frozenset[int]:
        if isinstance(cell, AnyCell):
            return self.universe
        if isinstance(cell, IntervalCell):
            return frozenset(a for a in self.universe if self._inside(a, cell))
        listed = frozenset(self.index[lit.value] for lit in cell.values) & self.universe
        return listed if isinstance(cell, ValuesCell) else self.universe - listed

    def _inside(self, atom: int, cell: IntervalCell) -> bool:
        (low, low_closed), (high, high_closed) = self._low(atom), self._high(atom)
        return (_within(low, low_closed, cell.low, cell.low_closed, 1)
                and _within(high, high_closed, cell.high, cell.high_closed, -1))

    def runs(self, atoms: frozenset[int]) -> list[frozenset[int]]:
        """``atoms`` as unbroken stretches of the number line."""
        groups = itertools.groupby(sorted(self.universe), key=lambda a: a in atoms)
        return [frozenset(run) for inside, run in groups if inside]

    def describe(self, atoms: frozenset[int]) -> str:
        return " or ".join(self._stretch(min(run), max(run)) for run in self.runs(atoms))

    def _stretch(self, first: int, last: int) -> str:
        (low, low_closed), (high, high_closed) = self._low(first), self._high(last)
        if self.integer:  # whole numbers read best as closed ranges: [8..14] rather than [8..15)
            low, high, low_closed, high_closed = _whole(low, low_closed, 1), _whole(high, high_closed, -1), True, True
        if low is None:
            return f"{self.name} {'<=' if high_closed else '<'} {high}"
        if high is None:
            return f"{self.name} {'>=' if low_closed else '>'} {low}"
        if low == high:
            return f"{self.name} = {low}"
        return f"{self.name} in {'[' if low_closed else '('}{low}..{high}{']' if high_closed else ')'}"


def _whole(edge: Decimal | None, closed: bool, side: int) -> Decimal | None:
    """The whole number nearest inside an edge: ``side`` 1 for a lower edge, -1 for an upper one."""
    if edge is None:
        return None
    if side > 0:
        return edge.to_integral_value(ROUND_CEILING) if closed else edge.to_integral_value(ROUND_FLOOR) + 1
    return edge.to_integral_value(ROUND_FLOOR) if closed else edge.to_integral_value(ROUND_CEILING) - 1


def _within(edge, edge_closed: bool, bound, bound_closed: bool, side: int) -> bool:
    """Whether an atom's edge lies inside a cell's bound; ``side`` 1 for lower edges, -1 for upper."""
    if bound is None:
        return True
    if edge is None:
        return False
    return (edge - bound) * side > 0 or (edge == bound and (bound_closed or not edge_closed))


def _shown(value: str) -> str:
    return f'"{value}"' if "," in value or value != value.strip() else value


def _axis(table: DecisionTable, name: str, field_type: str, allowed: tuple[str, ...]):
    column = table.inputs.index(name)
    narrowed = table.input_values.get(name)
    cells = [row.cells[column] for row in table.rows] + ([narrowed] if narrowed else [])
    notes = [f"input_values {narrowed.text}"] if narrowed else []
    if KINDS[field_type] == "text":
        named = sorted({lit.value for cell in cells for lit in getattr(cell, "values", ())})
        notes += [f"its values are {', '.join(allowed)}"] if allowed else []
        axis = _TextAxis(name, allowed or tuple(named), bool(allowed), _note(notes))
    else:
        notes += ["it holds whole numbers"] if field_type == "integer" else []
        axis = _NumberAxis(name, sorted(_numbers(cells)), field_type == "integer", _note(notes))
    axis.domain = axis.atoms_of(narrowed) if narrowed else axis.universe
    return axis


def _numbers(cells: list[Cell]) -> set[Decimal]:
    found = set()
    for cell in cells:
        found.update(lit.value for lit in getattr(cell, "values", ()))
        found.update(b for b in (getattr(cell, "low", None), getattr(cell, "high", None)) if b is not None)
    return found


def _note(notes: list[str]) -> str:
    return f" ({'; '.join(notes)})" if notes else ""


# ---- boxes: one set of atoms per input ------------------------------------------
Box = tuple[frozenset[int], ...]


def _meet(a: Box, b: Box) -> Box | None:
    common = tuple(x & y for x, y in zip(a, b))
    return common if all(common) else None


def _minus(region: list[Box], cut: Box) -> list[Box]:
    """The boxes of ``region`` with ``cut`` taken out, as disjoint boxes."""
    out = []
    for box in region:
        if _meet(box, cut) is None:
            out.append(box)
            continue
        rest = list(box)
        for d, atoms in enumerate(cut):
            outside = rest[d] - atoms
            if outside:
                out.append((*rest[:d], outside, *rest[d + 1:]))
            rest[d] = rest[d] & atoms
    return out


def _merged(boxes: list[Box]) -> list[Box]:
    """Fewer, larger boxes: two boxes that differ in one input only become one."""
    changed = True
    while changed:
        changed = False
        for d in range(len(boxes[0]) if boxes else 0):
            groups: dict[Box, frozenset[int]] = {}
            for box in boxes:
                key = box[:d] + box[d + 1:]
                groups[key] = groups.get(key, frozenset()) | box[d]
            changed |= len(groups) < len(boxes)
            boxes = [key[:d] + (atoms,) + key[d:] for key, atoms in groups.items()]
    return boxes


def _region(axes, box: Box) -> str:
    """``severity=low (any impact_scope)``: what a box holds, in words an officer can check."""
    parts = [axis.describe(atoms) for axis, atoms in zip(axes, box) if atoms != axis.domain]
    full = " and ".join(axis.name for axis, atoms in zip(axes, box) if atoms == axis.domain)
    if not parts:
        return f"any {full}"
    return ", ".join(parts) + (f" (any {full})" if full else "")


def _check_rows(table: DecisionTable, axes, errors: Collector) -> None:
    boxes = [tuple(axis.atoms_of(cell) & axis.domain for axis, cell in zip(axes, row.cells)) for row in table.rows]
    for position, (row, box) in enumerate(zip(table.rows, boxes), start=1):
        for axis, cell, atoms in zip(axes, row.cells, box):
            if not atoms:
                errors.error(f'row {position} can never match: no possible value of {axis.name} passes "{cell.text}"'
                             f"{axis.note}", cell.location)
    _HIT_CHECKS[table.hit_policy](table, axes, boxes, errors)
    if table.complete:
        _gaps(table, axes, boxes, errors)


def _overlaps(table: DecisionTable, axes, boxes: list[Box], errors: Collector) -> None:
    for later, box in enumerate(boxes):
        for earlier in range(later):
            common = _meet(boxes[earlier], box)
            if common is not None:
                errors.error(f"Overlap: rows {earlier + 1} and {later + 1} both match {_region(axes, common)}; "
                             "with hit policy unique at most one row may match", table.rows[later].location)


def _masked(table: DecisionTable, axes, boxes: list[Box], errors: Collector) -> None:
    for later, box in enumerate(boxes):
        if not all(box):
            continue  # already reported as never matching
        region = [box]
        for earlier in boxes[:later]:
            region = _minus(region, earlier)
        if not region:
            errors.error(f"Subsumption: row {later + 1} can never match because {_cover(boxes, later)} everything "
                         "it does (hit policy first)", table.rows[later].location)


def _cover(boxes: list[Box], later: int) -> str:
    """The earlier rows that hide row ``later``: one that contains it, else all that touch it."""
    box = boxes[later]
    single = next((i for i in range(later) if all(x <= y for x, y in zip(box, boxes[i]))), None)
    if single is not None:
        return f"row {single + 1} matches"
    touching = [str(i + 1) for i in range(later) if _meet(boxes[i], box) is not None]
    return f"rows {', '.join(touching[:-1])} and {touching[-1]} together match"


_HIT_CHECKS = {"unique": _overlaps, "first": _masked}


def _gaps(table: DecisionTable, axes, boxes: list[Box], errors: Collector) -> None:
    whole = tuple(axis.domain for axis in axes)
    region = [whole] if all(whole) else []
    for box in boxes:
        region = _minus(region, box)
    gaps = [g for box in _merged(region) for g in itertools.product(*(a.runs(atoms) for a, atoms in zip(axes, box)))]
    gaps.sort(key=lambda gap: tuple(min(atoms) for atoms in gap))  # in the order the values are listed
    for gap in gaps[:GAP_EXAMPLES]:
        errors.error(f"Gap: no row matches {_region(axes, gap)}", table.location)
    if len(gaps) > GAP_EXAMPLES:
        errors.error(f"Gap: {len(gaps) - GAP_EXAMPLES} more gaps not shown", table.location)
