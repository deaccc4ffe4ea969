"""Computed columns and datasets as SQL, run after loading and before any rule.

Each computed column is one SQL expression; the columns of a dataset are
ordered by what they refer to (a cycle is a load error) and built in one
statement. A computed dataset is first grouped (its aggregate columns, such as
weighted averages per evaluator type), then its per-record columns are added.

Scores are computed in floating point and rounded to ``round`` decimal places
(default 6) before anything compares them, so 0.6 × 90 + 0.25 × 90 + 0.15 × 90
is exactly 90 and lands in a band that starts at 90, as it would by hand.

Every computed value also has a *breakdown* — the inputs and contributions
that produced it, as JSON — and a *reason* — codes and one sentence in each
language (``reasons.py``) — which the grades report shows, so each grade can
be traced to its inputs from the output alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter

import sqlglot
from sqlglot import exp

from ..errors import Collector, Location, PolicyError
from ..i18n import msg
from ..model import Dataset, Field, Policy
from ..policy.derived import DEFAULT_ROUND
from . import reasons
from .conditions import Scope, builtin_params, compile_condition
from .convert import shown
from .decision_sql import hit_sql, table_sql
from .sqltext import ident, number, string
from .whitelist import AGGREGATE_FUNCTIONS


@dataclass
class Column:
    """One computed column: its SQL, its breakdown SQL, its reason, and what it refers to."""

    name: str
    sql: str
    breakdown: str
    refers: set[str]
    aggregate: bool = False
    hidden: dict[str, str] = field(default_factory=dict)
    correlated: bool = False
    reason: reasons.Reason | None = None


@dataclass
class DerivePlan:
    """The statements that build every computed column and dataset, in order
    (dataset, statement), and each computed column's breakdown SQL
    (dataset → column → SQL) and reason (dataset → column → :class:`reasons.Reason`)."""

    steps: list[tuple[str, str]] = field(default_factory=list)
    breakdowns: dict[str, dict[str, str]] = field(default_factory=dict)
    # dataset → computed column → the fields it is computed from
    refers: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    reasons: dict[str, dict[str, reasons.Reason]] = field(default_factory=dict)

    def reason_sql(self, lang: str) -> dict[str, dict[str, str]]:
        """dataset → column → the reason's SQL in ``lang``."""
        return {d: {c: r.sql(lang) for c, r in columns.items()} for d, columns in self.reasons.items()}

    def statements(self, datasets) -> list[str]:
        """The statements that build the computed columns of ``datasets`` (names), in order."""
        return [statement for name, statement in self.steps if name in datasets]


_NAMED = re.compile(r'computed column "([^"]+)"')


def failure_location(policy: Policy, message: str) -> Location:
    """Where a computed column that failed at run time is declared.

    A guard's message names its column (``computed column "score": …``);
    DuckDB's own errors (an overflow) do not, and point at the policy file.
    """
    named = _NAMED.search(message)
    if named:
        for dataset in policy.datasets.values():
            found = dataset.fields.get(named[1])
            if found is not None and found.derived is not None and found.location is not None:
                return found.location
    return Location(policy.path)


def derive_plan(policy: Policy, errors: Collector) -> DerivePlan:
    """Compile the computed columns once: what builds them and what explains them."""
    plan = DerivePlan()
    for dataset in _dataset_order(policy, errors):
        columns = _columns(policy, dataset, errors)
        if columns is None:
            continue
        plan.steps += [(dataset.name, statement) for statement in _build(policy, dataset, columns)]
        plan.breakdowns[dataset.name] = {c.name: c.breakdown for c in columns}
        plan.refers[dataset.name] = {c.name: set(c.refers) for c in columns}
        plan.reasons[dataset.name] = {c.name: c.reason for c in columns if c.reason is not None}
    return plan


def _dataset_order(policy: Policy, errors: Collector) -> list[Dataset]:
    """Datasets after those they are computed from or look values up in."""
    graph = {}
    for d in policy.datasets.values():
        needs = {d.source} if d.source else set()
        needs |= {f.derived.spec["lookup"]["from"] for f in d.derived_fields() if f.derived.how == "lookup"}
        graph[d.name] = {n for n in needs if n in policy.datasets and n != d.name}
    try:
        return [policy.datasets[n] for n in TopologicalSorter(graph).static_order()]
    except CycleError as exc:
        cycle = " → ".join(exc.args[1])
        errors.add(PolicyError(msg("computed datasets depend on each other in a cycle: {cycle}",
                                   cycle=cycle), Location(policy.path)))
        return []


def _columns(policy: Policy, dataset: Dataset, errors: Collector) -> list[Column] | None:
    fields = dataset.derived_fields()
    if not fields:
        return None
    before = len(errors.errors)
    built = [_column(policy, dataset, f, errors) for f in fields]
    if len(errors.errors) > before:
        return None
    return _ordered(dataset, [c for c in built if c is not None], errors)


def _ordered(dataset: Dataset, columns: list[Column], errors: Collector) -> list[Column] | None:
    names = {c.name: c for c in columns}
    graph = {c.name: {r for r in c.refers if r in names and r != c.name} for c in columns}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = " → ".join(exc.args[1])
        first = dataset.fields[exc.args[1][0]]
        errors.add(PolicyError(msg('computed columns of "{name}" depend on each other in a cycle: {cycle}',
                                   name=dataset.name, cycle=cycle), first.location))
        return None
    ordered = [names[n] for n in order]
    for column in ordered:  # a column's reason tells what was missing from the computed columns it uses
        for used in sorted(column.refers):
            if used in names and used != column.name and column.reason and names[used].reason:
                known = {code for _, code, _ in column.reason.issues}
                column.reason.issues += [i for i in names[used].reason.issues if i[1] not in known]
    return ordered


def _scope(policy: Policy, dataset: Dataset, aggregates: bool) -> Scope:
    columns = {name: f.type for name, f in dataset.fields.items()}
    return Scope(columns, policy.parameters, dataset.name, aggregates, builtin_params())


def _source(policy: Policy, dataset: Dataset) -> Dataset | None:
    return policy.datasets.get(dataset.source) if dataset.source else None


def _column(policy: Policy, dataset: Dataset, f: Field, errors: Collector) -> Column | None:
    return _BUILDERS[f.derived.how](policy, dataset, f, errors)


def _round(f: Field, sql: str) -> str:
    digits = DEFAULT_ROUND if f.derived.round is None else f.derived.round
    return f"round(CAST({sql} AS DOUBLE), {number(digits)})"


def _shown(dataset: Dataset, name: str) -> str:
    """SQL of a field's value as a breakdown shows it (an instant as the policy's wall-clock time)."""
    f = dataset.fields.get(name)
    return shown(ident(name), f.type if f else None)


def _has_aggregate(text: str) -> bool:
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except sqlglot.errors.SqlglotError:
        return False
    names = {n.lower() for n in AGGREGATE_FUNCTIONS}
    return any(isinstance(n, exp.AggFunc) or (isinstance(n, exp.Anonymous) and n.name.lower() in names) for n in tree.walk())


def _expr(policy, dataset, f, errors) -> Column | None:
    text = f.derived.spec["expr"]
    source = _source(policy, dataset)
    aggregate = source is not None and _has_aggregate(text)
    scope = _scope(policy, source if aggregate else dataset, aggregate)
    if not aggregate:
        scope.columns.pop(f.name, None)
    tree = compile_condition(text, scope, msg('computed column "{name}"', name=f.name), errors, expect_boolean=False)
    if tree is None:
        return None
    refers = {c.name for c in tree.find_all(exp.Column)}
    value = tree.sql(dialect="duckdb")
    value = _round(f, value) if f.type == "number" else value
    inputs = ", ".join(f"{string(r)}, {_shown(dataset, r)}" for r in sorted(refers)) if not aggregate else ""
    breakdown = f"json_object({inputs})" if inputs else "NULL"
    reason = reasons.expr(ident(f.name), str(text), sorted(refers), aggregate)
    return Column(f.name, value, breakdown, refers, aggregate, reason=reason)


def _weighted(policy, dataset, f, errors) -> Column | None:
    spec = f.derived.spec["weighted"]
    weights = f.derived.weights  # checked at load
    if weights is None:  # reported at load
        return None
    if "by" in spec:
        return _weighted_by(policy, dataset, f, spec, weights, errors)
    missing = [k for k in weights if k not in dataset.fields]
    if missing:
        hint = f'"{missing[0]}" is not a field of "{dataset.name}"'
        errors.add(PolicyError(msg('computed column "{name}": weights name fields; {hint}',
                                   name=f.name, hint=hint), spec.value_at("weights")))
        return None
    terms = " + ".join(f"{number(w)} * CAST({ident(k)} AS DOUBLE)" for k, w in weights.items())
    parts = ", ".join(
        f"{string(k)}, json_object('value', {ident(k)}, 'weight', {number(w)}, "
        f"'contribution', {_round(f, number(w) + ' * ' + ident(k))})"
        for k, w in weights.items()
    )
    reason = reasons.weighted(ident(f.name), [(k, ident(k), f"{w:g}") for k, w in weights.items()],
                              reasons.missing(list(weights)))
    return Column(f.name, _round(f, terms), f"json_object({parts})", set(weights), reason=reason)


def _weighted_by(policy, dataset, f, spec, weights, errors) -> Column | None:
    source = _source(policy, dataset)
    where = spec.value_at("by")
    if source is None:
        errors.add(PolicyError(msg('computed column "{name}": "by" needs a dataset computed with "from:"',
                                   name=f.name), where))
        return None
    by, value = spec["by"], spec.get("value")
    for name in (by, value):
        if name is None or name not in source.fields:
            errors.add(PolicyError(msg('computed column "{name}": "{name2}" is not a field of "{name3}"',
                                       name=f.name, name2=name, name3=source.name), where))
            return None
    hidden = {
        f"__{f.name}__{k}": f"avg(CAST({ident(value)} AS DOUBLE)) FILTER (WHERE CAST({ident(by)} AS VARCHAR) = {string(k)})"
        for k in weights
    }
    terms = " + ".join(f"{number(w)} * {ident(f'__{f.name}__{k}')}" for k, w in weights.items())
    parts = ", ".join(
        f"{string(k)}, json_object('average', {_round(f, ident(f'__{f.name}__{k}'))}, 'weight', {number(w)}, "
        f"'contribution', {_round(f, number(w) + ' * ' + ident(f'__{f.name}__{k}'))})"
        for k, w in weights.items()
    )
    reason = reasons.weighted(
        ident(f.name), [(k, f"round({ident(f'__{f.name}__{k}')}, 2)", f"{w:g}") for k, w in weights.items()],
        [(f"{ident(f'__{f.name}__{k}')} IS NULL", f"missing:{k}", reasons.words("missing_by", by=by, value=k))
         for k in weights])
    return Column(f.name, _round(f, terms), f"json_object({parts})", set(hidden), aggregate=True, hidden=hidden,
                  reason=reason)


def _bands(policy, dataset, f, errors) -> Column | None:
    spec = f.derived.spec["bands"]
    bands = f.derived.bands  # checked at load
    if bands is None:  # reported at load
        return None
    of = spec["of"]
    if of not in dataset.fields:
        errors.add(PolicyError(msg('computed column "{name}": "{of}" is not a field of "{name2}"',
                                   name=f.name, of=of, name2=dataset.name), spec.value_at("of")))
        return None
    whens = " ".join(f"WHEN {ident(of)} >= {number(low)} THEN {string(name)}" for name, low in bands.items())
    starts = " ".join(f"WHEN {ident(of)} >= {number(low)} THEN {number(low)}" for _, low in bands.items())
    breakdown = f"json_object('of', {string(of)}, 'value', {ident(of)}, 'band_starts_at', CASE {starts} END)"
    top = float(spec["range"][1]) if "range" in spec else None
    return Column(f.name, f"CASE {whens} END", breakdown, {of}, reason=reasons.bands(of, bands, top))


def _table(policy, dataset, f, errors) -> Column | None:
    table = f.derived.table
    if table is None:  # reported at load
        return None
    spec = f.derived.spec
    inputs = {name: (spec.get("inputs") or {}).get(name, name) for name in table.inputs}
    columns = {name: ident(column) for name, column in inputs.items()}
    values = ", ".join(f"{string(n)}, {_shown(dataset, inputs[n])}" for n in columns)
    breakdown = f"json_object('table', {string(table.name)}, 'row', {hit_sql(table, columns)}, {values})"
    reason = reasons.table(ident(f.name), table.name, hit_sql(table, columns), columns)
    return Column(f.name, table_sql(table, columns), breakdown, set(inputs.values()), reason=reason)


def _lookup(policy, dataset, f, errors) -> Column | None:
    spec = f.derived.spec["lookup"]
    target = policy.datasets.get(spec["from"])
    where = spec.value_at("from")
    if target is None:
        errors.add(PolicyError(msg('computed column "{name}": unknown dataset "{from_}"',
                                   name=f.name, from_=spec["from"]), where))
        return None
    for here, there in [*spec["on"].items(), (None, spec["value"])]:
        if (here is not None and here not in dataset.fields) or there not in target.fields:
            missing = here if here is not None and here not in dataset.fields else there
            errors.add(PolicyError(msg('computed column "{name}": no field "{missing}" to look up with',
                                       name=f.name, missing=missing), where))
            return None
    match = " AND ".join(f"__l.{ident(there)} = __d.{ident(here)}" for here, there in spec["on"].items())
    # any_value: the lookup must name one record; duplicates are a unique rule's business.
    value = f"(SELECT any_value(__l.{ident(spec['value'])}) FROM {ident(target.name)} AS __l WHERE {match})"
    keys = ", ".join(f"{string(here)}, {_shown(dataset, here)}" for here in spec["on"])
    reason = reasons.lookup(ident(f.name), target.name, list(spec["on"]))
    return Column(f.name, value, f"json_object('from', {string(target.name)}, {keys})", set(spec["on"]), correlated=True,
                  reason=reason)


_BUILDERS = {"expr": _expr, "weighted": _weighted, "bands": _bands, "table": _table, "lookup": _lookup}


def _build(policy: Policy, dataset: Dataset, columns: list[Column]) -> list[str]:
    """The statements that give ``dataset`` its computed columns.

    An exported dataset becomes a view over its stored table: a computed
    column costs nothing until a rule reads it, and DuckDB drops the columns a
    query does not use. A computed dataset (one record per group) is a table,
    built once, since every rule on it reads the grouping.
    """
    table = ident(dataset.name)
    row_level = [c for c in columns if not c.aggregate]
    if dataset.exported:
        stored = ident(f"__stored_{dataset.name}")
        base = stored
    else:
        base = _grouped(policy, dataset, [c for c in columns if c.aggregate])
    for index, column in enumerate(row_level):
        alias = "__d" if column.correlated else f"__d{index}"
        base = f"(SELECT *, {column.sql} AS {ident(column.name)} FROM {base} AS {alias})"
    if dataset.exported:
        return [f"ALTER TABLE {table} RENAME TO {stored}", f"CREATE VIEW {table} AS SELECT * FROM {base} AS __d"]
    staged = ident(f"__derived_{dataset.name}")
    return [
        f"CREATE OR REPLACE TABLE {staged} AS SELECT * FROM {base} AS __d ORDER BY __row, {_order(dataset)}",
        f"DROP TABLE IF EXISTS {table}",
        f"ALTER TABLE {staged} RENAME TO {table}",
    ]


def _order(dataset: Dataset) -> str:
    return ", ".join(ident(g) for g in dataset.group_by) or "1"


def _grouped(policy: Policy, dataset: Dataset, aggregates: list[Column]) -> str:
    groups = ", ".join(ident(g) for g in dataset.group_by)
    cols = [f"{sql} AS {ident(name)}" for c in aggregates for name, sql in c.hidden.items()]
    cols += [f"{c.sql} AS {ident(c.name)}" for c in aggregates if not c.hidden]
    inner = f"SELECT {groups}{''.join(', ' + c for c in cols)} FROM {ident(dataset.source)} GROUP BY {groups}"
    weighted = [c for c in aggregates if c.hidden]
    outer = ", ".join(f"{c.sql} AS {ident(c.name)}" for c in weighted)
    # A computed record has no row in any export file.
    return f"(SELECT *, CAST(NULL AS BIGINT) AS __row{', ' + outer if outer else ''} FROM ({inner}) AS __g)"
