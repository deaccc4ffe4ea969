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
from ..i18n import N_, listed, msg
from ..model import DATA_QUALITY_TITLE, DataFile, Explanation, Policy, Rule, Spec, Step, Text
from ..policy.yamlfile import YStr
from . import collect, periods
from .conditions import UNIT_START, compile_condition
from .kinds import KINDS
from .kinds.base import CompileContext
from .plan import RESERVED_RULE
from .run import Session, session
from .sqltext import ident, string, strings

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def explain(policy: Policy, export_dir: str | Path | None, rule_id: str, key: str,
            as_of: datetime | None = None, lang: str = "en", sources=None, period=None,
            trust_export_sources: bool = False, at: int | None = None) -> Explanation:
    """Explain rule ``rule_id`` for the record whose key is ``key`` (``sources`` as for ``run.run``).

    For a rule that judges groups (aggregate), ``key`` may name the group
    instead: its values or ``name=value`` pairs, comma-separated, as findings
    label it (``2026-10``, ``employee_id=E044, period=2026-10``). For
    ``data-quality``, the engine's own rule, ``key`` is a record key in any
    dataset, and the explanation lists the record's cells that did not fit
    their declared type. A key that names nothing is a UsageError.

    When several records have the key, the first in the file is explained,
    or the one at ``at``: the number the reports place it by (``place_number``:
    the line of a CSV or JSON Lines file, the record's number in an XLSX or
    Parquet file or a table); an ``at`` where no record with the key is, is a
    UsageError that lists where they are.
    """
    if rule_id == RESERVED_RULE:
        return _explain_data_quality(policy, export_dir, key, as_of, lang, sources, period, trust_export_sources)
    with session(policy, export_dir, as_of, lang, (rule_id,), sources=sources, period=period,
                 trust_export_sources=trust_export_sources) as s:
        item = s.compiled[0]
        rule = item.rule
        dataset = policy.datasets[rule.dataset]
        grouped = KINDS[rule.kind].grouped
        records = _records(s, dataset, key, required=not grouped or at is not None)
        store = collect.findings(s.con, policy, s.compiled)
        found = list(store.where(rules=[rule_id]))
        bad = _bad_values(store, dataset.name)
        if grouped and not records:
            return _explain_group(s, item, key, found, bad)
        files = list(s.loaded.files)
        record = _picked(records, at, _data_file(files, dataset.name), key) if records else {}
        row = record.get("__row")
        group = _group_of(rule, record) if records and grouped else None
        findings = [f for f in found if (f.group == group if group is not None else f.key == key and f.row == row)]
        table = item.table_sql
        where = _where_record(dataset, key, row)
        return Explanation(
            rule=rule,
            key=key,
            as_of=s.as_of,
            rule_text=_rule_text(rule),
            parameters=_parameters(policy, rule),
            record=record,
            matches=len(records),
            in_scope=_scalar(s, dataset, where, item.examined_sql, table),
            steps=_steps(s, rule, dataset, where, table),
            timeline=_timeline(s, item, where),
            findings=findings,
            grades=[g for g in collect.grades(s.con, policy, s.breakdowns, s.reasons).where(datasets=[dataset.name],
                                                                                             key=key)
                    if row is None or g.row in (None, row)],
            group=group,
            unreadable=_unreadable(item, bad, row) if records else {},
            rows=[r["__row"] for r in records],
            row=row,
            files=files,
            **_not_judged(s, item, (group or {}).get("period")),
            **_related(s, item, dataset, where, table) if records else {},
        )


def place_number(data_file: DataFile | None, row: int) -> int:
    """The number a report places record ``row`` by: its line in a CSV or JSON Lines file, else its row (the
    record's number in an XLSX or Parquet file or a table), as ``report.common.record_place`` writes it."""
    line = data_file.line_of(row) if data_file is not None else None
    return row if line is None else line


def _data_file(files: list[DataFile], dataset: str) -> DataFile | None:
    return next((d for d in files if d.dataset == dataset), None)


def _picked(records: list[dict], at: int | None, data_file: DataFile | None, key: str) -> dict:
    """The record explained: the first with the key, or the one placed at ``at`` (``place_number``)."""
    if at is None:
        return records[0]
    for record in records:
        if place_number(data_file, record["__row"]) == at:
            return record
    places = listed([str(place_number(data_file, r["__row"])) for r in records])
    raise UsageError(msg('no record with key "{key}" is at {at}; it is at {places} (--at picks one of these)',
                         key=key, at=at, places=places))


def _related(s: Session, item, dataset, where: str, table: str) -> dict:
    """For a rule that looks into another dataset (``Check.related``, a reference): the record's window and the
    other dataset's records paired with it, each with the values and tests the rule's SQL gives it; a window
    still open that nothing meets yet is not judged before it closes (``judged_from``)."""
    related = item.check.related
    if related is None:
        return {}
    target = s.policy.datasets[related.dataset]
    latest = f" ORDER BY {UNIT_START} DESC" if table != ident(dataset.name) else ""
    paired = (f"FROM (SELECT * FROM {table} WHERE {where}{latest} LIMIT 1) AS {ident(dataset.name)} "
              f"JOIN {ident(target.name)} AS __target ON {related.on}")
    values = "".join(f", {sql}" for sql in [*related.shown.values(), *related.tests.values()])
    rows = s.con.execute(f"SELECT CAST(__target.{ident(target.key)} AS VARCHAR), __target.__row{values} {paired} "
                         f"ORDER BY __target.__row LIMIT {RELATED_SHOWN + 1}").fetchall()
    n = len(related.shown)
    records = [(k, r, dict(zip(related.shown, map(_local, rest[:n]))), dict(zip(related.tests, rest[n:])))
               for k, r, *rest in rows[:RELATED_SHOWN]]
    more = s.con.execute(f"SELECT count(*) {paired}").fetchone()[0] - RELATED_SHOWN if len(rows) > RELATED_SHOWN else 0
    out = {"related": {"dataset": target.name, "records": records, "more": more}}
    if "from" in item.check.evidence:
        window = {name: _scalar(s, dataset, where, item.check.evidence[name], table) for name in ("from", "due")}
        window["open"] = _scalar(s, dataset, where, f"NOT ({related.closed})", table) is True
        meets = " AND ".join(f"({sql}) IS TRUE" for sql in related.tests.values()) or "TRUE"
        if window["open"] and not s.con.execute(f"SELECT count(*) {paired} WHERE {meets}").fetchone()[0]:
            out["judged_from"] = window["due"]
        out["window"] = window
    return out


# Records of another dataset an explanation lists (a reference's paired records); the rest are counted.
RELATED_SHOWN = 10


def _bad_values(store, dataset: str) -> dict[int, dict[str, str]]:
    """The dataset's unreadable values, as the data-quality findings hold them: row → field → value as written."""
    out: dict[int, dict[str, str]] = {}
    for f in store.where(rules=[RESERVED_RULE]):
        if f.dataset == dataset and f.row is not None and f.evidence.get("column") is not None:
            out.setdefault(f.row, {})[str(f.evidence["column"])] = str(f.evidence.get("value"))
    return out


def _unreadable(item, bad: dict[int, dict[str, str]], row) -> dict[str, str]:
    """The record's unreadable values among the fields the rule needs (``CompiledRule.unread``): the rule left it
    unjudged."""
    return {name: value for name, value in bad.get(row, {}).items() if name in item.unread}


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


def _explain_group(s: Session, item, key: str, found: list, bad: dict[int, dict[str, str]]) -> Explanation:
    """An aggregate rule for one group: its records in scope, its metric and the threshold it is held to.

    Read, as the audit reads it, from the records the rule can judge
    (``CompiledRule.over_judged``); the records left out of the group as
    unreadable are listed (``left_out``).
    """
    rule = item.rule
    source, check = item.check.source, item.check
    rows = s.con.execute(item.over_judged(f"SELECT {check.group}, __metric, __records FROM {source}")).fetchall()
    groups = [(json.loads(g) if g else {}, metric, n) for g, metric, n in rows]
    written = {json.dumps(json.loads(g), sort_keys=True): g for g, _, _ in rows if g}  # each group as SQL wrote it
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
        hint = msg("; its groups include {groups}", groups="; ".join(known)) if known else N_("; it judged no group")
        raise UsageError(msg('no record with key "{key}" in dataset "{dataset}" and no group of rule "{id}" matches '
                             "it{hint}",
                             key=key, dataset=rule.dataset, id=rule.id, hint=hint))
    if len(matching) > 1:
        shown = "; ".join(_label(g) for g, _, _ in matching[:5])
        raise UsageError(msg('"{key}" matches {n} groups of rule "{id}" ({shown}{value}); name more of the group, '
                             "e.g. name=value, name=value",
                             key=key, n=len(matching), id=rule.id, shown=shown,
                             value=" …" if len(matching) > 5 else ""))
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
        left_out=_left_out(s, item, written.get(json.dumps(group, sort_keys=True)), bad),
        files=list(s.loaded.files),
    )


def _left_out(s: Session, item, group: str | None, bad: dict[int, dict[str, str]]) -> list[tuple[str, int, dict[str, str]]]:
    """The records of ``group`` the rule left unjudged (``CompiledRule.unjudged_sql``), and those it could not
    place in any group, a field that places them being unreadable: (key, row, {field: value as written}).

    ``group`` is the group's JSON as the rule's SQL writes it (``Check.group``), so that SQL compares like with like.
    """
    if not item.unread:
        return []
    rule, dataset = item.rule, s.policy.datasets[item.rule.dataset]
    period = rule.spec.get("period")
    placing = [*(rule.spec.get("group_by") or []), *([period["field"]] if period else [])]
    trunc = f", date_trunc({string(period['unit'])}, {ident(period['field'])}) AS __period" if period else ""
    records = f"(SELECT *{trunc} FROM {item.table_sql} WHERE {item.unjudged_sql})"
    where, params = "TRUE", []
    if item.check.group != "NULL":
        where, params = f"{item.check.group} = ?", [group]
        if placing:
            where += f" OR list_has_any(__unread, [{strings(placing)}])"
    rows = s.con.execute(f"SELECT CAST({ident(dataset.key)} AS VARCHAR), __row FROM {records} WHERE {where} "
                         "ORDER BY __row", params).fetchall()
    return [(k, row, _unreadable(item, bad, row)) for k, row in rows]


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
            raise UsageError(msg('no record with key "{key}" in any dataset', key=key))
        dataset = policy.datasets[found[0].dataset] if found else holders[0]
        records = _records(s, dataset, key, required=False)
        rule = _data_quality_rule(policy, dataset.name)
        return Explanation(
            rule=rule, key=key, as_of=s.as_of, rule_text="", parameters={},
            record=records[0] if records else {}, matches=len(records), in_scope=True, steps=[], timeline=[],
            findings=found, grades=[], cells=[_cell(policy, f, s.loaded.files) for f in found],
            rows=[r["__row"] for r in records], row=records[0]["__row"] if records else None,
            files=list(s.loaded.files),
        )


def _exists(s: Session, dataset, key: str) -> bool:
    return s.con.execute(f"SELECT count(*) FROM {ident(dataset.name)} WHERE {_where_key(dataset, key)}").fetchone()[0] > 0


def _data_quality_rule(policy: Policy, dataset: str) -> Rule:
    """The engine's own rule as a Rule, for the explanation's heading (no rule file defines it)."""
    clause = policy.clauses[policy.data_quality_clause]
    return Rule(id=RESERVED_RULE, clause=clause.id, dataset=dataset, kind=RESERVED_RULE,
                severity=policy.data_quality_severity, title=DATA_QUALITY_TITLE, message=Text(), spec=Spec(),
                location=clause.location or Location(policy.path))


def _cell(policy: Policy, f, files) -> dict:
    """A bad cell: its dataset, file (and ``data_file``, the run's DataFile, for its lines), row, column, value, and
    the field as declared (type, formats, values)."""
    evidence = f.evidence
    field = policy.datasets[f.dataset].fields.get(str(evidence.get("column")))
    data_file = next((d for d in files if d.dataset == f.dataset and d.path), None)
    return {"dataset": f.dataset, "file": evidence.get("file"), "data_file": data_file, "row": f.row,
            "column": evidence.get("column"),
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


def _where_record(dataset, key: str, row: int | None) -> str:
    """SQL choosing the record explained: its key, and its row when it has one (a key may be duplicated)."""
    where = _where_key(dataset, key)
    return where if row is None else f"{where} AND __row = {int(row)}"


def _records(s: Session, dataset, key: str, required: bool = True) -> list[dict]:
    cursor = s.con.execute(f"SELECT * FROM {ident(dataset.name)} WHERE {_where_key(dataset, key)} ORDER BY __row")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, map(_local, r))) for r in cursor.fetchall()]
    if not rows and dataset.exported and required:
        raise UsageError(msg('no record with key "{key}" in dataset "{name}"', key=key, name=dataset.name))
    return rows


def _scalar(s: Session, dataset, where: str, sql: str, table: str | None = None):
    """``sql`` for the record chosen by ``where`` (``_where_record``; in a rule judged per period: for the latest
    period judged)."""
    table = table or ident(dataset.name)
    latest = f" ORDER BY {UNIT_START} DESC" if table != ident(dataset.name) else ""
    row = s.con.execute(f"SELECT ({sql}) FROM {table} WHERE {where}{latest} LIMIT 1").fetchone()
    return _local(row[0]) if row else None


def _local(value):
    """A value as explain shows it: an instant as the policy's wall-clock time (DuckDB hands it over in that zone)."""
    return value.replace(tzinfo=None) if isinstance(value, datetime) and value.tzinfo is not None else value


def _steps(s: Session, rule, dataset, where: str, table: str | None = None) -> list[Step]:
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
            value = _scalar(s, dataset, where, part.sql(dialect="duckdb"), table)
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


def _timeline(s: Session, item, where: str) -> list[tuple[str, object]]:
    """A clock's start, stop, due and warning times as the rule computed them."""
    source = item.check.source
    timeline = KINDS[item.rule.kind].timeline
    if not source or not timeline:
        return []
    cursor = s.con.execute(f"SELECT * FROM {source} WHERE {where} LIMIT 1")
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
                found[name] = _as_written(param.value)
    return found


def _as_written(value) -> str:
    """A parameter's value as a policy file writes it: ``4h``, ``true``, ``{P1: 4h, P2: 3 working days}``."""
    if hasattr(value, "text"):  # a duration
        return str(value.text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_as_written(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_as_written(item) for item in value) + "]"
    return str(value)


def _strings(node) -> list[str]:
    if isinstance(node, (str, YStr)):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []

