"""Run a compiled policy over an export on an in-process DuckDB.

The order matters for safety: rules are compiled and dry-run against empty
tables before any data is read (so a broken rule file costs nothing), the
export is loaded, and then the connection is locked — no file or network
access, no extension installs, configuration frozen — before a single rule's
SQL runs.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import duckdb

from .. import __version__
from ..errors import Collector, PolicyError, UsageError, did_you_mean
from ..model import Finding, Policy, RuleStats, RunResult
from .exports import load_export, scratch_dir
from .kinds.base import ident
from .plan import FINDINGS_DDL, FINDINGS_TABLE, RESERVED_RULE, CompiledRule, compile_policy

_LOCKDOWN = (
    "SET enable_external_access = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET lock_configuration = true",
)


def connect(timezone: str) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(f"SET TimeZone = '{timezone}'")
    con.execute("SET preserve_insertion_order = true")
    return con


def lock(con: duckdb.DuckDBPyConnection) -> None:
    """From here on nothing the SQL says can touch a file, the network or the settings."""
    for statement in _LOCKDOWN:
        con.execute(statement)


def select_rules(policy: Policy, rule_ids: tuple[str, ...]) -> tuple[str, ...]:
    known = [r.id for r in policy.rules]
    for rule_id in rule_ids:
        if rule_id not in known:
            raise UsageError(f'no rule "{rule_id}" in policy "{policy.id}"{did_you_mean(rule_id, known)}')
    return rule_ids


def validate(
    policy: Policy,
    as_of: datetime | None = None,
    lang: str = "en",
    rule_ids: tuple[str, ...] = (),
    errors: Collector | None = None,
) -> list[CompiledRule]:
    """Compile the rules and let DuckDB bind them against empty tables.

    Problems are added to ``errors`` when given, else raised together.
    """
    own = errors is None
    errors = Collector() if own else errors
    compiled = compile_policy(policy, as_of or datetime(2000, 1, 1), lang, rule_ids, errors)
    con = connect(policy.timezone)
    try:
        _empty_tables(con, policy)
        lock(con)
        for item in compiled:
            try:
                con.execute("EXPLAIN " + item.insert_sql)
                con.execute(f"EXPLAIN SELECT count(*) FILTER (WHERE {item.examined_sql}) FROM {ident(item.rule.dataset)}")
            except duckdb.Error as exc:
                message = str(exc).strip().splitlines()[0]
                errors.add(PolicyError(f'rule "{item.rule.id}": DuckDB cannot run it: {message}', item.rule.location))
    finally:
        con.close()
    if own:
        errors.raise_if_any()
    return compiled


_SQL_TYPES = {
    "string": "VARCHAR", "enum": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE",
    "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP",
}


def _empty_tables(con, policy: Policy) -> None:
    con.execute(FINDINGS_DDL)
    for d in policy.datasets.values():
        cols = ", ".join(f"{ident(f.name)} {_SQL_TYPES[f.type]}" for f in d.fields.values())
        con.execute(f"CREATE TABLE {ident(d.name)} (__row BIGINT, {cols})")


def audit(
    policy: Policy,
    export_dir: str | Path,
    as_of: datetime | None = None,
    lang: str = "en",
    rule_ids: tuple[str, ...] = (),
) -> RunResult:
    """Evaluate ``policy`` over the export in ``export_dir``; see DESIGN.md for the contract."""
    select_rules(policy, rule_ids)
    validate(policy, as_of, lang, rule_ids)
    export_dir = Path(export_dir)
    con = connect(policy.timezone)
    try:
        con.execute(FINDINGS_DDL)
        with scratch_dir() as scratch:
            loaded = load_export(con, policy, export_dir, Path(scratch), lang)
        as_of, source = _as_of(as_of, loaded.latest)
        compiled = compile_policy(policy, as_of, lang, rule_ids)
        lock(con)
        for item in compiled:
            _execute(con, item)
        stats = _stats(con, policy, compiled, loaded.files)
        findings = _findings(con, policy, compiled, lang)
    finally:
        con.close()
    return RunResult(
        policy=policy,
        as_of=as_of,
        as_of_source=source,
        lang=lang,
        findings=findings,
        stats=stats,
        data_files=loaded.files,
        export_dir=str(export_dir),
        engine_version=__version__,
        rules_run=tuple(c.rule.id for c in compiled),
    )


def _execute(con, item: CompiledRule) -> None:
    try:
        con.execute(item.insert_sql)
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0]
        raise PolicyError(f'rule "{item.rule.id}" failed on this export: {message}', item.rule.location) from None


def _as_of(given: datetime | None, latest: datetime | None) -> tuple[datetime, str]:
    if given is not None:
        return given, "given"
    if latest is not None:
        return latest, "latest timestamp in the export"
    return datetime.now().replace(microsecond=0), "now (the export has no timestamps)"


def _stats(con, policy: Policy, compiled: list[CompiledRule], files) -> dict[str, RuleStats]:
    stats = {RESERVED_RULE: RuleStats(examined=sum(f.rows for f in files))}
    by_dataset: dict[str, list[CompiledRule]] = {}
    for item in compiled:
        by_dataset.setdefault(item.rule.dataset, []).append(item)
    for dataset, items in by_dataset.items():
        counts = ", ".join(f"count(*) FILTER (WHERE {i.examined_sql})" for i in items)
        row = con.execute(f"SELECT {counts} FROM {ident(dataset)}").fetchone()
        for item, examined in zip(items, row):
            stats[item.rule.id] = RuleStats(examined=examined)
    for rule, status, n in con.execute(f"SELECT rule, status, count(*) FROM {FINDINGS_TABLE} GROUP BY ALL").fetchall():
        setattr(stats.setdefault(rule, RuleStats()), _COUNTERS[status], n)
    return stats


_COUNTERS = {"violation": "violations", "warning": "warnings", "invalid": "invalid"}


def _natural(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _findings(con, policy: Policy, compiled: list[CompiledRule], lang: str) -> list[Finding]:
    """All findings, sorted by clause (naturally: 3.1.9 before 3.1.10), rule, record."""
    order = sorted(
        [(policy.data_quality_clause, RESERVED_RULE)] + [(c.rule.clause, c.rule.id) for c in compiled],
        key=lambda p: (_natural(p[0]), p[1]),
    )
    rank = {rule: i for i, (_, rule) in enumerate(order)}
    con.execute("CREATE TEMP TABLE __rank (rule VARCHAR, pos INTEGER)")
    con.executemany("INSERT INTO __rank VALUES (?, ?)", list(rank.items()))
    rows = con.execute(
        f"SELECT f.rule, f.row, f.key, f.grp, f.status, f.evidence, f.due_at, f.message FROM {FINDINGS_TABLE} f "
        "JOIN __rank USING (rule) ORDER BY __rank.pos, f.grp NULLS FIRST, f.row NULLS FIRST, f.key, f.status, f.message"
    ).fetchall()
    rules = {c.rule.id: c.rule for c in compiled}
    return [_finding(policy, rules, row) for row in rows]


def _finding(policy: Policy, rules, row) -> Finding:
    rule_id, rownum, key, grp, status, evidence, due_at, message = row
    rule = rules.get(rule_id)
    return Finding(
        rule=rule_id,
        clause=rule.clause if rule else policy.data_quality_clause,
        dataset=rule.dataset if rule else (json.loads(evidence).get("dataset") if evidence else ""),
        key=key,
        status=status,
        severity=rule.severity if rule else policy.data_quality_severity,
        message=message,
        evidence=json.loads(evidence) if evidence else {},
        due_at=due_at,
        group=json.loads(grp) if grp else None,
        row=rownum,
    )
