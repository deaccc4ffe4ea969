"""The policy's ``decision_tables:`` section: tables with rows inline or in a file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ...errors import Collector, Location, did_you_mean
from ...i18n import msg
from ..yamlfile import YList, YMap
from .cells import HIT_POLICIES, TABLE_KEYS, Cell, DecisionTable, Row, as_number, make_row, parse_cell, parsed
from .files import file_rows


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
        errors.error(msg('decision table "{name}" must be a mapping with inputs, output, and rows or file',
                         name=name), where)
        return None
    misspelt = False
    for key in spec:
        if key not in TABLE_KEYS:
            hint = did_you_mean(key, TABLE_KEYS)
            errors.error(msg('unknown key "{key}" in decision table "{name}"{hint}',
                             key=key, name=name, hint=hint), spec.key_at(key))
            misspelt = misspelt or (bool(hint) and hint.split('"')[1] not in spec)
    if misspelt:  # what the misspelt key meant is missing: saying so again would be the same mistake
        return None
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
            errors.error(msg('input "{name}" is listed twice', name=name), names.item_at(index))
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
        errors.error(msg('unknown hit_policy "{hit_policy}"; expected first or unique{hint}',
                         hit_policy=spec["hit_policy"], hint=hint), spec.value_at("hit_policy"))
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
            errors.error(msg('input_values names "{name}", which is not an input of this table{hint}',
                             name=name, hint=did_you_mean(name, inputs)),
                         narrowed.key_at(name))
            continue
        cell = parsed(parse_cell, value, narrowed.value_at(name), errors)
        if cell is not None:
            cells[name] = cell
    return cells


def _typed_outputs(rows: list[Row]) -> tuple[Row, ...]:
    """Outputs are numbers when every one is an unquoted number; otherwise they are all text."""
    if not all(not r.output.quoted and as_number(r.output.value) is not None for r in rows):
        return tuple(rows)
    return tuple(replace(r, output=replace(r.output, value=as_number(r.output.value))) for r in rows)


def _rows(name, spec: YMap, inputs, output, base_dir: Path, where: Location, errors: Collector) -> list[Row]:
    if ("rows" in spec) == ("file" in spec):
        if "rows" in spec:
            errors.error("give the rows here or in a file, not both", spec.key_at("file"))
        else:
            errors.error(msg('decision table "{name}" needs rows, or a file (.csv or .xlsx) that holds them',
                             name=name), where)
        return []
    if "rows" in spec:
        return _inline_rows(spec, inputs, output, errors)
    return file_rows(spec, inputs, output, base_dir, errors)


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
            found.append(make_row(list(item), [item.item_at(i) for i in range(width)], where, errors))
    return [r for r in found if r is not None]


def _width_message(count: int, inputs, output) -> str:
    message = f"this row has {count} cells; expected {len(inputs) + 1}: {', '.join(inputs)}, then {output}"
    # In [a, b, c] rows YAML splits unquoted commas: the usual cause of one cell too many.
    return message + ' (put quotes around a cell with a comma, like "company, customer")' if count > len(inputs) + 1 else message


