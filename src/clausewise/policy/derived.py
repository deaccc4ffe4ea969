"""Computed columns and datasets: declared in the policy, checked at load.

``derived:`` adds columns to a dataset (a risk score, its grade) or builds a
new dataset from another, one record per group (an employee's weighted
appraisal score per period). This module turns the YAML into fields of the
model and checks what needs no SQL: names, weights that must sum to 1, and
bands that must neither overlap nor leave part of the score range uncovered.
The SQL is built by the engine (``engine/derive.py``).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..errors import Collector, Location, did_you_mean
from ..i18n import listed, msg
from ..model import Dataset, Derived, Field, Parameter
from .decision import DecisionTable, analyse

HOW = ("expr", "weighted", "bands", "table", "lookup")
DEFAULT_ROUND = 6
WEIGHT_TOLERANCE = 1e-9


def add_derived(raw: dict, datasets: dict[str, Dataset], params: dict[str, Parameter],
                tables: dict[str, DecisionTable], errors: Collector) -> tuple[dict[str, Dataset], bool]:
    """The datasets with their computed columns added, and the computed datasets; and whether all were placed.

    Columns declared for a dataset that does not exist belong nowhere: the
    rules that use them cannot be checked without telling the officer those
    columns are unknown, which is the same mistake again. The caller stops
    after this pass when the second value is False.
    """
    out, placed = dict(datasets), True
    for name, spec in raw.items():
        if "from" in spec:
            dataset = _new_dataset(str(name), spec, out, raw, errors)
        else:
            dataset = _extended(str(name), spec, out, raw, errors)
        placed = placed and dataset is not None
        if dataset is not None:
            dataset = _with_columns(dataset, spec, params, tables, errors)
            out[dataset.name] = dataset
    return out, placed


def _extended(name: str, spec, datasets: dict[str, Dataset], raw, errors: Collector) -> Dataset | None:
    if name not in datasets:
        hint = did_you_mean(name, datasets)
        errors.error(msg('unknown dataset "{name}"{hint}; add "from:" to compute a new dataset',
                         name=name, hint=hint), raw.key_at(name))
        return None
    return datasets[name]


def _new_dataset(name: str, spec, datasets: dict[str, Dataset], raw, errors: Collector) -> Dataset | None:
    source = datasets.get(spec["from"])
    if name in datasets:
        errors.error(msg('a dataset "{name}" exists already; choose another name for the computed one',
                         name=name), raw.key_at(name))
        return None
    if source is None:
        errors.error(msg('unknown dataset "{from_}"{hint}',
                         from_=spec["from"], hint=did_you_mean(spec["from"], datasets)), spec.value_at("from"))
        return None
    groups = {}
    for index, field in enumerate(spec["group_by"]):
        if field not in source.fields:
            hint = did_you_mean(field, source.fields)
            errors.error(msg('unknown field "{field}" in dataset "{name}"{hint}',
                             field=field, name=source.name, hint=hint), spec["group_by"].item_at(index))
            continue
        original = source.fields[field]
        groups[field] = Field(field, original.type, field, original.values, location=original.location)
    return Dataset(name=name, file=name, key=str(spec["key"]), fields=groups, location=raw.key_at(name),
                   source=source.name, group_by=tuple(groups))


def _with_columns(dataset: Dataset, spec, params: dict[str, Parameter], tables, errors: Collector) -> Dataset:
    fields = dict(dataset.fields)
    columns = spec["columns"]
    # Decision tables last: their inputs may be any other computed column, whose type they need.
    ordered = sorted(columns.items(), key=lambda item: "table" in item[1])
    for column, body in ordered:
        where = columns.key_at(column)
        if column in fields:
            errors.error(msg('"{column}" is already a field of dataset "{name}"',
                             column=column, name=dataset.name), where)
            continue
        how = next(h for h in HOW if h in body)
        if how == "table":
            fields[str(column)] = _table_column(str(column), body, fields, tables, where, errors)
            continue
        derived = _checked(how, body, params, errors)
        ftype = {"weighted": "number", "bands": "enum"}.get(how) or str(body.get("type", "number"))
        values = tuple(derived.bands or ()) if how == "bands" else ()
        fields[str(column)] = Field(str(column), ftype, str(column), values, location=where, derived=derived)
    if dataset.source is not None and dataset.key not in fields:
        hint = did_you_mean(dataset.key, fields)
        errors.error(msg('key "{key}" is not a group field or computed column of "{name}"{hint}',
                         key=dataset.key, name=dataset.name, hint=hint),
                     spec.value_at("key"))
    return replace(dataset, fields=fields)


def _checked(how: str, body, params, errors: Collector) -> Derived:
    """The column's Derived, with its weights or bands checked once, here (the engine reads them, never re-checks)."""
    weights = check_weights(body["weighted"], params, errors) if how == "weighted" else None
    bands = check_bands(body["bands"], params, errors) if how == "bands" else None
    return Derived(how=how, spec=body, round=body.get("round"), weights=weights, bands=bands)


def _table_column(name: str, body, fields: dict[str, Field], tables, where: Location, errors: Collector) -> Field:
    """A decision-table column, its table checked against the types of its inputs."""
    table = tables.get(body["table"])
    derived = Derived(how="table", spec=body)
    if table is None and body["table"] in tables:  # the table is there but broken, and reported where it is
        return Field(name, "string", name, location=where, derived=derived)
    if table is None:
        known = ", ".join(tables) or "none"
        errors.error(msg('no decision table "{table}"{hint} (tables: {known})',
                         table=body["table"], hint=did_you_mean(body["table"], tables), known=known),
                     body.value_at("table"))
        return Field(name, "string", name, location=where, derived=derived)
    inputs = {i: (body.get("inputs") or {}).get(i, i) for i in table.inputs}
    missing = [f for f in inputs.values() if f not in fields]
    if missing:
        errors.error(msg('decision table "{name}" needs field "{missing}"{hint}',
                         name=table.name, missing=missing[0], hint=did_you_mean(missing[0], fields)),
                     body.value_at("table"))
        return Field(name, "string", name, location=where, derived=derived)
    types = {i: (fields[f].type, fields[f].values) for i, f in inputs.items()}
    checked = analyse(table, types, errors)
    outputs = [row.output.value for row in checked.rows]
    numeric = outputs and all(isinstance(v, Decimal) for v in outputs)
    values = () if numeric else tuple(dict.fromkeys(str(v) for v in outputs))
    derived = Derived(how="table", spec=body, table=checked)
    return Field(name, "number" if numeric else "enum", name, values, location=where, derived=derived)


def resolve(value: Any, params: dict[str, Parameter], where: Location, errors: Collector, wanted: str = "map") -> Any:
    """A literal mapping, or ``$name`` looked up among the parameters; None after a problem."""
    if isinstance(value, str) and value.startswith("$"):
        param = params.get(value[1:])
        if param is None:
            errors.error(msg('unknown parameter "{value}"{hint}',
                             value=value, hint=did_you_mean(value[1:], params)), where)
            return None
        if param.value is None:  # written wrongly, and reported where it is
            return None
        if param.type != wanted:
            errors.error(msg('parameter "{value}" is a {type}; expected a {wanted}',
                             value=value, type=param.type, wanted=wanted), where)
            return None
        return param.value
    return value


def check_weights(spec, params, errors: Collector) -> dict[str, float] | None:
    """Weights must be numbers that sum to 1; the checked weights (name → weight), or None after a problem."""
    where = spec.value_at("weights")
    weights = resolve(spec["weights"], params, where, errors)
    if weights is None:
        return None
    if not weights:
        errors.error("weights: name at least one, with weights that sum to 1", where)
        return None
    wrong = [f"{k}: {v}" for k, v in weights.items() if not _number(v)]
    if wrong:
        errors.error(msg("weights must be numbers, not {wrong}", wrong=listed(wrong)), where)
        return None
    total = sum(weights.values())
    if abs(total - 1) > WEIGHT_TOLERANCE:
        parts = " + ".join(f"{k} {v}" for k, v in weights.items())
        errors.error(msg("weights must sum to 1, but {parts} = {total}", parts=parts, total=round(total, 9)), where)
        return None
    return {str(k): float(v) for k, v in weights.items()}


def check_bands(spec, params, errors: Collector) -> dict[str, float] | None:
    """Bands are lower bounds (inclusive); they must differ and cover the declared range.

    The checked bands (band → lower bound, highest first), or None after a problem.
    """
    where = spec.value_at("using")
    bands = resolve(spec["using"], params, where, errors)
    if bands is None:
        return None
    if not bands:
        errors.error("bands: name at least one band, with the score it starts at", where)
        return None
    wrong = [f"{k}: {v}" for k, v in bands.items() if not _number(v)]
    if wrong:
        errors.error(msg("band lower bounds must be numbers, not {wrong}", wrong=listed(wrong)), where)
        return None
    before = len(errors.errors)
    ordered = sorted(((float(v), str(k)) for k, v in bands.items()), reverse=True)
    for (low, name), (other, other_name) in zip(ordered, ordered[1:]):
        if low == other:
            errors.error(msg('bands "{other_name}" and "{name}" overlap: both start at {low}',
                             other_name=other_name, name=name, low=format(low, 'g')), where)
    if "range" in spec:
        low, high = spec["range"]
        lowest, name = ordered[-1]
        if lowest > low:
            errors.error(msg('scores from {low} up to {lowest} fall in no band (the lowest, "{name}", starts at '
                             "{lowest})",
                             low=format(low, 'g'), lowest=format(lowest, 'g'), name=name), where)
        above = [n for v, n in ordered if v > high]
        if above:
            errors.error(msg('band "{above}" starts above the range end {high}',
                             above=above[0], high=format(high, 'g')), where)
    return None if len(errors.errors) > before else {name: low for low, name in ordered}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
