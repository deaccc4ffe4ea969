"""Proving a decision table before it runs: types, overlaps, masked rows, gaps (as Drools does)."""

from __future__ import annotations

import functools
import itertools
from dataclasses import replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from ...errors import Collector, did_you_mean
from ...i18n import N_, Message, listed, msg
from .cells import (
    GAP_EXAMPLES,
    LIST_EXAMPLE,
    VALUE_KINDS,
    AnyCell,
    Cell,
    DecisionTable,
    IntervalCell,
    Literal,
    NotValuesCell,
    ValuesCell,
    as_number,
)


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
        if field_type not in VALUE_KINDS:
            errors.error(msg('input "{name}" is a {field_type} field; decision tables compare text, enum, integer and '
                             "number fields",
                             name=name, field_type=field_type), table.location)
    if errors:
        return table

    def retype(name: str, cell: Cell) -> Cell:
        return _typed_cell(cell, name, *input_types[name], errors)

    rows = tuple(replace(r, cells=tuple(retype(n, c) for n, c in zip(table.inputs, r.cells))) for r in table.rows)
    narrowed = {name: retype(name, cell) for name, cell in table.input_values.items()}
    return replace(table, rows=rows, input_values=narrowed)


def _typed_cell(cell: Cell, name: str, field_type: str, allowed: tuple[str, ...], errors: Collector) -> Cell:
    if VALUE_KINDS[field_type] == "text":
        _check_text(cell, name, allowed, errors)
        return cell
    if not isinstance(cell, (ValuesCell, NotValuesCell)):
        return cell
    return replace(cell, values=tuple(_numeric(lit, name, field_type, errors) for lit in cell.values))


def _check_text(cell: Cell, name: str, allowed: tuple[str, ...], errors: Collector) -> None:
    if isinstance(cell, IntervalCell):
        errors.error(msg('"{text}" compares numbers, but {name} holds text; list the values instead, {list_example}',
                         text=cell.text, name=name, list_example=LIST_EXAMPLE),
                     cell.location)
    for lit in getattr(cell, "values", ()):
        if allowed and lit.value not in allowed:
            hint = did_you_mean(lit.value, allowed) or f" (its values are {', '.join(allowed)})"
            errors.error(msg('Unknown value: "{value}" is not a value of {name}{hint}',
                             value=lit.value, name=name, hint=hint), lit.location)


def _numeric(lit: Literal, name: str, field_type: str, errors: Collector) -> Literal:
    value = as_number(lit.value)
    if value is None:
        errors.error(msg('"{value}" is not a number, but {name} holds numbers',
                         value=lit.value, name=name), lit.location)
        return lit
    if field_type == "integer" and value != value.to_integral_value():
        errors.error(msg("{name} holds whole numbers, so {value} can never match",
                         name=name, value=lit.value), lit.location)
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
    if VALUE_KINDS[field_type] == "text":
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


_AND = N_("{a} and {b}")


def _region(axes, box: Box) -> Message:
    """``severity=low (any impact_scope)``: what a box holds, in words an officer can check."""
    parts = [axis.describe(atoms) for axis, atoms in zip(axes, box) if atoms != axis.domain]
    full = [axis.name for axis, atoms in zip(axes, box) if atoms == axis.domain]
    anything = msg("any {names}", names=functools.reduce(lambda a, b: msg(_AND, a=a, b=b), full)) if full else ""
    if not parts:
        return anything
    if not full:
        return listed(parts)
    return msg("{parts} ({anything})", parts=listed(parts), anything=anything)


def _check_rows(table: DecisionTable, axes, errors: Collector) -> None:
    boxes = [tuple(axis.atoms_of(cell) & axis.domain for axis, cell in zip(axes, row.cells)) for row in table.rows]
    for position, (row, box) in enumerate(zip(table.rows, boxes), start=1):
        for axis, cell, atoms in zip(axes, row.cells, box):
            if not atoms:
                errors.error(msg('row {position} can never match: no possible value of {name} passes "{text}"{note}',
                                 position=position, name=axis.name, text=cell.text, note=axis.note), cell.location)
    _HIT_CHECKS[table.hit_policy](table, axes, boxes, errors)
    if table.complete:
        _gaps(table, axes, boxes, errors)


def _overlaps(table: DecisionTable, axes, boxes: list[Box], errors: Collector) -> None:
    for later, box in enumerate(boxes):
        for earlier in range(later):
            common = _meet(boxes[earlier], box)
            if common is not None:
                errors.error(msg("Overlap: rows {value} and {value2} both match {region}; with hit policy unique at "
                                 "most one row may match",
                                 value=earlier + 1, value2=later + 1, region=_region(axes, common)), table.rows[later].location)


def _masked(table: DecisionTable, axes, boxes: list[Box], errors: Collector) -> None:
    for later, box in enumerate(boxes):
        if not all(box):
            continue  # already reported as never matching
        region = [box]
        for earlier in boxes[:later]:
            region = _minus(region, earlier)
        if not region:
            errors.error(msg("Subsumption: row {value} can never match because {cover} everything it does (hit policy "
                             "first)",
                             value=later + 1, cover=_cover(boxes, later)), table.rows[later].location)


def _cover(boxes: list[Box], later: int) -> Message:
    """The earlier rows that hide row ``later``: one that contains it, else all that touch it."""
    box = boxes[later]
    single = next((i for i in range(later) if all(x <= y for x, y in zip(box, boxes[i]))), None)
    if single is not None:
        return msg("row {row} matches", row=single + 1)
    touching = [str(i + 1) for i in range(later) if _meet(boxes[i], box) is not None]
    return msg("rows {rows} and {last} together match", rows=listed(touching[:-1]), last=touching[-1])


_HIT_CHECKS = {"unique": _overlaps, "first": _masked}


def _gaps(table: DecisionTable, axes, boxes: list[Box], errors: Collector) -> None:
    whole = tuple(axis.domain for axis in axes)
    region = [whole] if all(whole) else []
    for box in boxes:
        region = _minus(region, box)
    gaps = [g for box in _merged(region) for g in itertools.product(*(a.runs(atoms) for a, atoms in zip(axes, box)))]
    gaps.sort(key=lambda gap: tuple(min(atoms) for atoms in gap))  # in the order the values are listed
    for gap in gaps[:GAP_EXAMPLES]:
        errors.error(msg("Gap: no row matches {region}", region=_region(axes, gap)), table.location)
    if len(gaps) > GAP_EXAMPLES:
        errors.error(msg("Gap: {value} more gaps not shown", value=len(gaps) - GAP_EXAMPLES), table.location)
