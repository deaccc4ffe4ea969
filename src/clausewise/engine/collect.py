"""What an audit reads back from DuckDB: per-rule counts, findings, grades, group counts.

Each is one or a few set-based queries over the findings table and the
datasets; findings and grades stay in DuckDB as stores (``findings.py``).
"""

from __future__ import annotations

import re

from ..model import Policy, RuleStats
from . import periods
from .findings import CYCLE_COLUMNS, FINGERPRINT, RESULT_TABLE, FindingStore, GradeStore
from .frames import RuleStatsTable
from .parallel import side_by_side
from .plan import FINDINGS_TABLE, RESERVED_RULE, CompiledRule
from .sqltext import ident, string, strings


class GroupTally:
    """Per value of each scorecard group (``scorecard: group_by``): records examined and findings, per clause.

    Records examined are counted when the run ends; findings are counted
    when the scorecard asks, so that waivers and the baseline comparison
    applied after the run (``engine/cycle.py``) count as they do for the
    exit code. Both are keyed by (group, value, clause, …); a value is text,
    or None for records without one.
    """

    def __init__(self, con, examined: dict[tuple, int], finding_queries: list[str]):
        self._con = con
        self._examined = examined
        self._queries = finding_queries

    def examined(self) -> dict[tuple[str, str | None, str], int]:
        """(group, value, clause) → records examined by the clause's rules."""
        return dict(self._examined)

    def tally(self) -> dict[tuple, int]:
        """(group, value, clause, status, severity, waived, baseline) → findings."""
        out: dict[tuple, int] = {}
        for sql in self._queries:
            for *keys, n in self._con.execute(sql).fetchall():
                out[tuple(keys)] = out.get(tuple(keys), 0) + n
        return out


def group_counts(con, policy: Policy, compiled: list[CompiledRule], datasets=None) -> GroupTally | None:
    """The run's :class:`GroupTally`; None when the policy's scorecard has no groups.

    ``datasets`` is the connection holding the datasets, when not ``con`` (the Spark engine's).
    """
    card = policy.scorecard
    if card is None or not card.group_by:
        return None
    examined: dict[tuple, int] = {}
    queries = []
    for group, fields in card.group_by.items():
        for dataset, column in fields.items():
            rules = [c for c in compiled if c.rule.dataset == dataset]
            if dataset not in policy.datasets or column not in policy.datasets[dataset].fields or not rules:
                continue
            _count_examined(datasets or con, group, policy.datasets[dataset], column, rules, examined)
            queries.append(_findings_sql(group, policy.datasets[dataset], column, rules))
    return GroupTally(con, examined, queries)


def _count_examined(con, group: str, dataset, column: str, rules: list[CompiledRule], into: dict) -> None:
    for table, items in _by_table(rules).items():
        counts = ", ".join(f"count(*) FILTER (WHERE {r.examined_sql})" for r in items)
        for value, *per_rule in con.execute(f"SELECT CAST({ident(column)} AS VARCHAR), {counts} "
                                            f"FROM {table} GROUP BY ALL").fetchall():
            for item, n in zip(items, per_rule):
                key = (group, value, item.rule.clause)
                into[key] = into.get(key, 0) + n


def record_counts(con, compiled: list[CompiledRule]) -> dict[str, tuple[int, int]]:
    """Per rule id: (records examined, records in its scope left unjudged, a value it needs being unreadable).

    Two counts per rule, one pass per table for every rule of it together,
    on ``con`` (a DuckDB or a Spark connection). They feed both the rules
    table of the report (:func:`rule_stats`) and the search for rules that
    were not evaluated (:func:`not_evaluated_candidates`).
    """
    def count(cursor, table_items: tuple[str, list[CompiledRule]]) -> dict[str, tuple[int, int]]:
        table, items = table_items
        counts = ", ".join(f"count(*) FILTER (WHERE {i.examined_sql}), count(*) FILTER (WHERE {i.unjudged_sql})"
                           for i in items)
        row = cursor.execute(f"SELECT {counts} FROM {table}").fetchone()
        return {item.rule.id: (row[2 * k], row[2 * k + 1]) for k, item in enumerate(items)}

    out = {}
    for counted in side_by_side(con, list(_by_table(compiled).items()), count):  # a table at a time, two at once
        out.update(counted)
    return out


def not_evaluated_candidates(counts: dict[str, tuple[int, int]], compiled: list[CompiledRule]) -> list[CompiledRule]:
    """The rules that examined no record in their scope and left some unjudged, a value they need being unreadable.

    Only those can be "not evaluated" (``plan.CompiledRule.not_evaluated_select``),
    whose finding lists the unreadable fields, an aggregate of arrays that is
    costly over millions of records (on Spark it was most of a 10,000,000-record
    run); ``counts`` (:func:`record_counts`) picks them without it.
    """
    return [item for item in compiled if item.unread and counts[item.rule.id][0] == 0 and counts[item.rule.id][1] > 0]


def _by_table(rules: list[CompiledRule]) -> dict[str, list[CompiledRule]]:
    """Rules by the table they count their records in (a dataset, or a dataset once per period judged)."""
    out: dict[str, list[CompiledRule]] = {}
    for item in rules:
        out.setdefault(item.table_sql, []).append(item)
    return out


def _findings_sql(group: str, dataset, column: str, rules: list[CompiledRule]) -> str:
    """Fixed SQL counting the findings of ``rules`` by the group value of their record."""
    join = "f.row = d.__row" if dataset.exported else f"f.key = CAST(d.{ident(dataset.key)} AS VARCHAR)"
    return (f"SELECT {string(group)}, CAST(d.{ident(column)} AS VARCHAR), f.clause, f.status, f.severity, "
            f"f.waiver IS NOT NULL, f.baseline, count(*) FROM {RESULT_TABLE} f JOIN {ident(dataset.name)} d ON {join} "
            f"WHERE f.rule IN ({strings(r.rule.id for r in rules)}) GROUP BY ALL")


def grades(con, policy: Policy, breakdowns: dict[str, dict[str, str]],
           reasons: dict[str, dict[str, str]] | None = None) -> GradeStore:
    """Every record's computed values, read (with their breakdowns and reasons) only when a writer asks."""
    datasets, enums, timestamps = {}, {}, {}
    for dataset in policy.datasets.values():
        fields = dataset.derived_fields()
        if not fields:
            continue
        datasets[dataset.name] = ([f.name for f in fields], breakdowns[dataset.name], dataset.key, dataset.group_by)
        enums[dataset.name] = [f.name for f in fields if f.type == "enum"]
        timestamps[dataset.name] = {f.name for f in fields if f.type == "timestamp"}
    return GradeStore(con, datasets, enums, reasons, timestamps)


def _pending(item: CompiledRule, period, as_of) -> tuple[str, ...]:
    """The periods of a per-period rule inside the audit period that have not ended at the as-of time."""
    unit = item.period_unit
    if unit is None or period is None:
        return ()
    return tuple(label for label, _ in periods.pending(unit, period, as_of))


def rule_stats(con, policy: Policy, compiled: list[CompiledRule], files, counts: dict[str, tuple[int, int]],
               period=None, as_of=None, not_evaluated: frozenset[str] = frozenset()) -> dict[str, RuleStats]:
    """Per rule: records examined and unjudged (``counts``, :func:`record_counts`), findings by status (read on
    ``con``), the periods not judged yet, and whether it was not evaluated (``not_evaluated``: the rules given
    that finding, ``plan.CompiledRule.not_evaluated_sql``)."""
    stats = {RESERVED_RULE: RuleStats(examined=sum(f.rows for f in files))}
    for item in compiled:
        pending = _pending(item, period, as_of)
        examined, unjudged = counts[item.rule.id]
        stats[item.rule.id] = RuleStats(examined=examined, unjudged=unjudged, pending=pending,
                                        none_judged=bool(pending) and pending == _pending(item, period, period and period.start),
                                        not_evaluated=item.rule.id in not_evaluated)
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
    # One statement with the columns as lists: executemany runs one statement per row.
    columns = [list(column) for column in zip(*((i, *r) for i, r in enumerate(rules)))]
    con.execute("INSERT INTO __rank SELECT unnest(?::INTEGER[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
                "unnest(?::VARCHAR[]), unnest(?::VARCHAR[])", columns)
    sorted_findings = (
        "SELECT f.rule, r.clause, coalesce(r.dataset, json_extract_string(f.evidence, '$.dataset')) AS dataset, "
        f"f.key, f.status, r.severity, f.message, f.evidence, f.due_at, f.grp, f.row FROM {FINDINGS_TABLE} f "
        "JOIN __rank r USING (rule) ORDER BY r.pos, f.grp NULLS FIRST, f.row NULLS FIRST, f.key, f.status, f.message"
    )
    con.execute(f"CREATE OR REPLACE TABLE {RESULT_TABLE} AS SELECT *, {FINGERPRINT} AS fingerprint, {CYCLE_COLUMNS} "
                f"FROM ({sorted_findings})")
    con.execute(f"DELETE FROM {FINDINGS_TABLE}")
    return FindingStore(con, closer=closer, outbox=outbox)
