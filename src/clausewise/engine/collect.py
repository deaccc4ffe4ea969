"""What an audit reads back from DuckDB: per-rule counts, findings, grades, group counts.

Each is one or a few set-based queries over the findings table and the
datasets; findings and grades stay in DuckDB as stores (``findings.py``).
"""

from __future__ import annotations

import re

from ..model import SEVERITIES, GroupCount, Policy, RuleStats
from .findings import CYCLE_COLUMNS, FINGERPRINT, RESULT_TABLE, FindingStore, GradeStore
from .frames import RuleStatsTable
from .plan import FINDINGS_TABLE, RESERVED_RULE, CompiledRule
from .sqltext import ident, strings


def group_counts(con, policy: Policy, compiled: list[CompiledRule]) -> list[GroupCount]:
    """Examined records and findings per value of each scorecard group field."""
    card = policy.scorecard
    if card is None:
        return []
    out = []
    for group, fields in card.group_by.items():
        totals: dict[str | None, list] = {}
        for dataset, column in fields.items():
            rules = [c for c in compiled if c.rule.dataset == dataset]
            if dataset not in policy.datasets or column not in policy.datasets[dataset].fields or not rules:
                continue
            _count_group(con, policy.datasets[dataset], column, rules, totals)
        out += [GroupCount(group, value, t[0], t[1], t[2]) for value, t in sorted(totals.items(), key=lambda i: str(i[0]))]
    return out


def _count_group(con, dataset, column: str, rules: list[CompiledRule], totals: dict) -> None:
    table, col = ident(dataset.name), ident(column)
    examined = " + ".join(f"count(*) FILTER (WHERE {r.examined_sql})" for r in rules)
    for value, n in con.execute(f"SELECT CAST({col} AS VARCHAR), {examined} FROM {table} GROUP BY ALL").fetchall():
        totals.setdefault(value, [0, {s: 0 for s in SEVERITIES}, 0])[0] += n
    severity = {r.rule.id: r.rule.severity for r in rules}
    join = "f.row = d.__row" if dataset.exported else f"f.key = CAST(d.{ident(dataset.key)} AS VARCHAR)"
    listed = strings(severity)
    rows = con.execute(
        f"SELECT CAST(d.{col} AS VARCHAR), f.rule, f.status, count(*) FROM {RESULT_TABLE} f "
        f"JOIN {table} d ON {join} WHERE f.rule IN ({listed}) GROUP BY ALL"
    ).fetchall()
    for value, rule, status, n in rows:
        entry = totals.setdefault(value, [0, {s: 0 for s in SEVERITIES}, 0])
        if status == "warning":
            entry[2] += n
        else:
            entry[1][severity[rule]] += n


def grades(con, policy: Policy, breakdowns: dict[str, dict[str, str]]) -> GradeStore:
    """Every record's computed values, read (with their breakdowns) only when a writer asks."""
    datasets, enums, timestamps = {}, {}, {}
    for dataset in policy.datasets.values():
        fields = dataset.derived_fields()
        if not fields:
            continue
        datasets[dataset.name] = ([f.name for f in fields], breakdowns[dataset.name], dataset.key, dataset.group_by)
        enums[dataset.name] = [f.name for f in fields if f.type == "enum"]
        timestamps[dataset.name] = {f.name for f in fields if f.type == "timestamp"}
    return GradeStore(con, datasets, enums, timestamps)


def rule_stats(con, policy: Policy, compiled: list[CompiledRule], files) -> dict[str, RuleStats]:
    stats = {RESERVED_RULE: RuleStats(examined=sum(f.rows for f in files))}
    by_dataset: dict[str, list[CompiledRule]] = {}
    for item in compiled:
        by_dataset.setdefault(item.rule.dataset, []).append(item)
    for dataset, items in by_dataset.items():
        counts = ", ".join(f"count(*) FILTER (WHERE {i.examined_sql}), count(*) FILTER (WHERE {i.unjudged_sql})"
                           for i in items)
        row = con.execute(f"SELECT {counts} FROM {ident(dataset)}").fetchone()
        for i, item in enumerate(items):
            stats[item.rule.id] = RuleStats(examined=row[2 * i], unjudged=row[2 * i + 1])
    for rule, status, n in con.execute(f"SELECT rule, status, count(*) FROM {RESULT_TABLE} GROUP BY ALL").fetchall():
        setattr(stats.setdefault(rule, RuleStats()), _COUNTERS[status], n)
    return RuleStatsTable(stats, policy)


_COUNTERS = {"violation": "violations", "warning": "warnings", "invalid": "invalid"}


def _natural(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def findings(con, policy: Policy, compiled: list[CompiledRule], closer=None, outbox=None) -> FindingStore:
    """All findings, sorted by clause (naturally: 3.1.9 before 3.1.10), rule, record, in a table of their own.

    Clause, dataset and severity are joined on in SQL; the findings table the
    rules wrote is emptied, so each finding is held once.
    """
    dq = (policy.data_quality_clause, RESERVED_RULE, None, policy.data_quality_severity)
    rules = [dq] + [(c.rule.clause, c.rule.id, c.rule.dataset, c.rule.severity) for c in compiled]
    rules.sort(key=lambda r: (_natural(r[0]), r[1]))
    con.execute("CREATE OR REPLACE TEMP TABLE __rank (pos INTEGER, clause VARCHAR, rule VARCHAR, dataset VARCHAR, severity VARCHAR)")
    con.executemany("INSERT INTO __rank VALUES (?, ?, ?, ?, ?)", [(i, *r) for i, r in enumerate(rules)])
    sorted_findings = (
        "SELECT f.rule, r.clause, coalesce(r.dataset, json_extract_string(f.evidence, '$.dataset')) AS dataset, "
        f"f.key, f.status, r.severity, f.message, f.evidence, f.due_at, f.grp, f.row FROM {FINDINGS_TABLE} f "
        "JOIN __rank r USING (rule) ORDER BY r.pos, f.grp NULLS FIRST, f.row NULLS FIRST, f.key, f.status, f.message"
    )
    con.execute(f"CREATE OR REPLACE TABLE {RESULT_TABLE} AS SELECT *, {FINGERPRINT} AS fingerprint, {CYCLE_COLUMNS} "
                f"FROM ({sorted_findings})")
    con.execute(f"DELETE FROM {FINDINGS_TABLE}")
    return FindingStore(con, closer=closer, outbox=outbox)
