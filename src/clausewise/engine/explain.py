"""Why one record passed or failed one rule, step by step.

The explanation is computed by the same SQL that decides the audit: the rule
is run over the export, and then the record's values, each part of its
conditions, and (for clocks) the rule's own computed times are read back for
that record alone. Nothing is re-implemented in Python, so an explanation can
never disagree with the verdict.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from sqlglot import exp

from ..errors import Collector, Location, UsageError
from ..model import DATA_QUALITY_TITLE, Explanation, Policy, Rule, Spec, Step, Text
from ..policy.yamlfile import YStr
from . import collect, periods
from .conditions import UNIT_START, compile_condition
from .kinds import KINDS
from .kinds.base import CompileContext
from .plan import RESERVED_RULE
from .run import Session, session
from .sqltext import ident, string

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def explain(policy: Policy, export_dir: str | Path | None, rule_id: str, key: str,
            as_of: datetime | None = None, lang: str = "en", sources=None, period=None,
            trust_export_sources: bool = False) -> Explanation:
    """Explain rule ``rule_id`` for the record whose key is ``key`` (``sources`` as for ``run.run``).

    For a rule that judges groups (aggregate), ``key`` may name the group
    instead: its values or ``name=value`` pairs, comma-separated, as findings
    label it (``2026-10``, ``employee_id=E044, period=2026-10``). For
    ``data-quality``, the engine's own rule, ``key`` is a record key in any
    dataset, and the explanation lists the record's cells that did not fit
    their declared type. A key that names nothing is a UsageError.
    """
    if rule_id == RESERVED_RULE:
        return _explain_data_quality(policy, export_dir, key, as_of, lang, sources, period, trust_export_sources)
    with session(policy, export_dir, as_of, lang, (rule_id,), sources=sources, period=period,
                 trust_export_sources=trust_export_sources) as s:
        item = s.compiled[0]
        rule = item.rule
        dataset = policy.datasets[rule.dataset]
        grouped = KINDS[rule.kind].grouped
        records = _records(s, dataset, key, required=not grouped)
        found = list(collect.findings(s.con, policy, s.compiled).where(rules=[rule_id]))
        if grouped and not records:
            return _explain_group(s, item, key, found)
        group = _group_of(rule, records[0]) if records and grouped else None
        findings = [f for f in found if (f.group == group if group is not None else f.key == key)]
        table = item.table_sql
        return Explanation(
            rule=rule,
            key=key,
            as_of=s.as_of,
            rule_text=_rule_text(rule),
            parameters=_parameters(policy, rule),
            record=records[0] if records else {},
            matches=len(records),
            in_scope=_scalar(s, dataset, key, item.examined_sql, table),
            steps=_steps(s, rule, dataset, key, table),
            timeline=_timeline(s, item, dataset, key),
            findings=findings,
            grades=list(collect.grades(s.con, policy, s.breakdowns, s.reasons).where(datasets=[dataset.name], key=key)),
            group=group,
            **_not_judged(s, item, (group or {}).get("period")),
        )


def _not_judged(s: Session, item, label: str | None) -> dict:
    """For a period ``label`` of a per-period rule: when it is not judged yet, or that it lies outside the audit period."""
    unit = item.per or (item.rule.spec.get("period") or {}).get("unit")
    if unit is None or label is None or s.period is None:
        return {}
    for pending, ends in periods.pending(unit, s.period, s.as_of):
        if pending == label:
            return {"judged_from": ends}
    inside = periods.pending(unit, s.period, s.period.start)  # every unit of the period, as of its start
    return {} if any(label == u for u, _ in inside) else {"outside_period": s.period.label}


def _explain_group(s: Session, item, key: str, found: list) -> Explanation:
    """An aggregate rule for one group: its records in scope, its metric and the threshold it is held to."""
    rule = item.rule
    source, check = item.check.source, item.check
    rows = s.con.execute(f"SELECT {check.group}, __metric, __records FROM {source}").fetchall()
    groups = [(json.loads(g) if g else {}, metric, n) for g, metric, n in rows]
    matching = [g for g in groups if _names_group(key, g[0])]
    unit = (rule.spec.get("period") or {}).get("unit")
    named = _period_named(key) if unit else None
    if not matching and named is not None and _not_judged(s, item, named):
        return Explanation(
            rule=rule, key=key, as_of=s.as_of, rule_text=_rule_text(rule), parameters=_parameters(s.policy, rule),
            record={}, matches=0, in_scope=False, steps=[], timeline=[], findings=[], grades=[],
            group={"period": named}, **_not_judged(s, item, named))
    if not matching:
        known = [_label(g) for g, _, _ in groups][:5]
        hint = f"; its groups include {'; '.join(known)}" if known else "; it judged no group"
        raise UsageError(f'no record with key "{key}" in dataset "{rule.dataset}" and no group of rule "{rule.id}" '
                         f'matches it{hint}')
    if len(matching) > 1:
        shown = "; ".join(_label(g) for g, _, _ in matching[:5])
        raise UsageError(f'"{key}" matches {len(matching)} groups of rule "{rule.id}" ({shown}{" …" if len(matching) > 5 else ""}); '
                         "name more of the group, e.g. name=value, name=value")
    group, metric, records = matching[0]
    threshold = rule.spec.get("threshold")
    if isinstance(threshold, str) and threshold.startswith("$") and threshold[1:] in s.policy.parameters:
        threshold = s.policy.parameters[threshold[1:]].value
    return Explanation(
        rule=rule, key=key, as_of=s.as_of, rule_text=_rule_text(rule), parameters=_parameters(s.policy, rule),
        record={}, matches=0, in_scope=True, steps=[], timeline=[],
        findings=[f for f in found if f.group == group], grades=[], group=group,
        aggregate={"metric_text": str(rule.spec.get("metric")), "metric": metric, "op": rule.spec.get("op"),
                   "threshold": threshold, "records": records},
    )


def _period_named(key: str) -> str | None:
    """The period a group key names (``2026-10`` or ``period=2026-10`` among its parts), if any."""
    for part in (p.strip() for p in key.split(",")):
        name, sep, value = part.partition("=")
        text = value.strip() if sep else part
        if (not sep or name.strip() == "period") and text[:4].isdigit():
            return text
    return None


def _names_group(key: str, group: dict) -> bool:
    """True when every comma-separated part of ``key`` is one of the group's values, or ``name=value`` of it."""
    values = {name: "" if value is None else str(value) for name, value in group.items()}
    for part in (p.strip() for p in key.split(",")):
        name, sep, value = part.partition("=")
        if sep and name.strip() in values:
            if values[name.strip()] != value.strip():
                return False
        elif part not in values.values():
            return False
    return bool(key.strip())


def _label(group: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in group.items()) or "all records"


def _explain_data_quality(policy: Policy, export_dir, key: str, as_of, lang: str, sources=None,
                          period=None, trust_export_sources: bool = False) -> Explanation:
    """The engine's data-quality rule for one record key: each cell that did not fit its declared type."""
    with session(policy, export_dir, as_of, lang, (RESERVED_RULE,), sources=sources, period=period,
                 trust_export_sources=trust_export_sources) as s:
        found = [f for f in collect.findings(s.con, policy, []).where(rules=[RESERVED_RULE]) if f.key == key]
        holders = [d for d in policy.datasets.values() if d.exported and _exists(s, d, key)]
        if not found and not holders:
            raise UsageError(f'no record with key "{key}" in any dataset')
        dataset = policy.datasets[found[0].dataset] if found else holders[0]
        records = _records(s, dataset, key, required=False)
        rule = _data_quality_rule(policy, dataset.name)
        return Explanation(
            rule=rule, key=key, as_of=s.as_of, rule_text="", parameters={},
            record=records[0] if records else {}, matches=len(records), in_scope=True, steps=[], timeline=[],
            findings=found, grades=[], cells=[_cell(policy, f) for f in found],
        )


def _exists(s: Session, dataset, key: str) -> bool:
    return s.con.execute(f"SELECT count(*) FROM {ident(dataset.name)} WHERE {_where_key(dataset, key)}").fetchone()[0] > 0


def _data_quality_rule(policy: Policy, dataset: str) -> Rule:
    """The engine's own rule as a Rule, for the explanation's heading (no rule file defines it)."""
    clause = policy.clauses[policy.data_quality_clause]
    return Rule(id=RESERVED_RULE, clause=clause.id, dataset=dataset, kind=RESERVED_RULE,
                severity=policy.data_quality_severity, title=DATA_QUALITY_TITLE, message=Text(), spec=Spec(),
                location=clause.location or Location(policy.path))


def _cell(policy: Policy, f) -> dict:
    """A bad cell: its dataset, file, row, column, value, and the field as declared (type, formats, values)."""
    evidence = f.evidence
    field = policy.datasets[f.dataset].fields.get(str(evidence.get("column")))
    return {"dataset": f.dataset, "file": evidence.get("file"), "row": f.row, "column": evidence.get("column"),
            "value": evidence.get("value"), "expected": evidence.get("expected"),
            "formats": list(field.formats) if field else [], "values": list(field.values) if field else [],
            "message": f.message}


def _group_of(rule, record: dict) -> dict:
    """The group an aggregate rule puts the record in, as findings name it."""
    group = {name: record.get(name) for name in rule.spec.get("group_by", [])}
    period = rule.spec.get("period")
    if period and record.get(period["field"]) is not None:
        group["period"] = _period_label(record[period["field"]], period["unit"])
    return group


def _period_label(moment, unit: str) -> str:
    return periods.label(unit, moment)


def _where_key(dataset, key: str) -> str:
    return f"CAST({ident(dataset.key)} AS VARCHAR) = {string(key)}"


def _records(s: Session, dataset, key: str, required: bool = True) -> list[dict]:
    cursor = s.con.execute(f"SELECT * FROM {ident(dataset.name)} WHERE {_where_key(dataset, key)} ORDER BY __row")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, map(_local, r))) for r in cursor.fetchall()]
    if not rows and dataset.exported and required:
        raise UsageError(f'no record with key "{key}" in dataset "{dataset.name}"')
    return rows


def _scalar(s: Session, dataset, key: str, sql: str, table: str | None = None):
    """``sql`` for the record (in a rule judged per period: for the latest period judged)."""
    table = table or ident(dataset.name)
    latest = f" ORDER BY {UNIT_START} DESC" if table != ident(dataset.name) else ""
    row = s.con.execute(f"SELECT ({sql}) FROM {table} WHERE {_where_key(dataset, key)}{latest} LIMIT 1").fetchone()
    return _local(row[0]) if row else None


def _local(value):
    """A value as explain shows it: an instant as the policy's wall-clock time (DuckDB hands it over in that zone)."""
    return value.replace(tzinfo=None) if isinstance(value, datetime) and value.tzinfo is not None else value


def _steps(s: Session, rule, dataset, key: str, table: str | None = None) -> list[Step]:
    """Each condition of the rule, and each part of it, evaluated for the record."""
    ctx = CompileContext(s.policy, rule, Collector())
    steps = []
    kind = KINDS[rule.kind]
    for name in (*kind.conditions, *kind.expressions):
        text = rule.spec.get(name)
        if not isinstance(text, str):
            continue
        tree = compile_condition(text, ctx.scope(), name, Collector(), expect_boolean=name in kind.conditions)
        if tree is None:
            continue
        for depth, part in _parts(tree):
            value = _scalar(s, dataset, key, part.sql(dialect="duckdb"), table)
            shown = str(text).strip() if depth == 0 else part.sql(dialect="duckdb").replace('"', "")
            steps.append(Step(name if depth == 0 else "", depth, shown, value))
    return steps


def _parts(tree: exp.Expression, depth: int = 0) -> list[tuple[int, exp.Expression]]:
    """The condition and its AND/OR/NOT operands, two levels deep."""
    out = [(depth, tree)]
    inner = tree.this if isinstance(tree, exp.Paren) else tree
    if depth < 2 and isinstance(inner, (exp.And, exp.Or)):
        for child in (inner.this, inner.expression):
            out += _parts(child, depth + 1)
    elif depth < 2 and isinstance(inner, exp.Not) and isinstance(inner.this, (exp.And, exp.Or, exp.Paren)):
        out += _parts(inner.this, depth + 1)  # NOT (a AND b); but "x IS NOT NULL" stays whole
    return out


def _timeline(s: Session, item, dataset, key: str) -> list[tuple[str, object]]:
    """A clock's start, stop, due and warning times as the rule computed them."""
    source = item.check.source
    timeline = KINDS[item.rule.kind].timeline
    if not source or not timeline:
        return []
    cursor = s.con.execute(f"SELECT * FROM {source} WHERE {_where_key(dataset, key)} LIMIT 1")
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    if row is None:
        return []
    values = dict(zip(names, map(_local, row)))
    return [(n.strip("_"), values[n]) for n in timeline if n in values]


def _rule_text(rule) -> str:
    """The rule as written in its file: its lines up to the next rule."""
    loc = rule.location
    try:
        lines = Path(loc.file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    start, column = (loc.line or 1) - 1, (loc.column or 1) - 1
    out = [lines[start]]
    for line in lines[start + 1:]:
        if line.strip() and len(line) - len(line.lstrip(" ")) < column:
            break
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def _parameters(policy: Policy, rule) -> dict[str, str]:
    """Every $parameter the rule uses, with the value it resolved to."""
    found: dict[str, str] = {}
    for value in _strings(rule.spec.written()):
        for name in _PARAM.findall(value):
            param = policy.parameters.get(name)
            if param is not None:
                found[name] = str(getattr(param.value, "text", param.value))
    return found


def _strings(node) -> list[str]:
    if isinstance(node, (str, YStr)):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []

