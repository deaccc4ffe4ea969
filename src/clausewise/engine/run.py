"""Run a compiled policy over an export on an in-process DuckDB.

The order matters for safety: rules are compiled and dry-run against empty
tables before any data is read (so a broken rule file costs nothing), the
export is loaded, and then the connection is locked — no file or network
access, no extension installs, configuration frozen — before a single rule's
SQL runs.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import duckdb

from .. import __version__
from ..errors import Collector, DataError, Location, PolicyError, UsageError, did_you_mean
from ..model import SEVERITIES, Finding, Grade, GroupCount, Policy, RuleStats, RunResult
from ..policy.yamlfile import load_yaml
from .calendar import Calendar, CalendarSQL, register
from .derive import breakdowns, derive_statements
from .exports import LoadedExport, load_export, scratch_dir
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
    as_of = as_of or datetime(2000, 1, 1)
    con = connect(policy.timezone)
    try:
        _empty_tables(con, policy)
        if not _derive(con, policy, errors, as_of):
            return []
        calendar = register_calendar(con, policy, as_of, as_of, errors)
        compiled = compile_policy(policy, as_of, lang, rule_ids, errors, calendar)
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


def business_calendar(policy: Policy) -> Calendar:
    """The policy's calendar as the engine's working-time calendar."""
    spec = policy.calendar
    return Calendar(
        country=spec.country,
        subdivision=spec.subdivision,
        work_start=time.fromisoformat(spec.work_start),
        work_end=time.fromisoformat(spec.work_end),
        extra_holidays=tuple(date.fromisoformat(d) for d in spec.extra_holidays),
        extra_workdays=tuple(date.fromisoformat(d) for d in spec.extra_workdays),
    )


def needs_calendar(policy: Policy) -> bool:
    """True when some goal counts working time (a parameter or a goal written in a rule)."""
    if any(p.type == "duration" and p.value is not None and p.value.working for p in policy.parameters.values()):
        return True
    if any(p.type == "map" and any("working" in str(v) for v in p.value.values()) for p in policy.parameters.values()):
        return True
    return any("working" in str(r.body.get(key, "")) for r in policy.rules for key in ("goal", "every"))


def register_calendar(con, policy: Policy, first: datetime, last: datetime, errors: Collector | None = None) -> CalendarSQL | None:
    """Create the day table working-time rules join; a bad calendar is a policy error.

    A policy without working-time goals gets no table (building it costs a
    look at the holiday calendar for every day of the range), except when
    validating, so that a mistake in the calendar is still reported.
    """
    if errors is None and not needs_calendar(policy):
        return None
    try:
        return register(con, business_calendar(policy), first, last)
    except ValueError as exc:
        error = PolicyError(f"calendar: {exc}", Location(policy.path))
        if errors is None:
            raise error from None
        errors.add(error)
        return None


def _derive(con, policy: Policy, errors: Collector | None, as_of: datetime) -> bool:
    """Add the computed columns and datasets; False when they cannot be built."""
    own = Collector()
    target = errors if errors is not None else own
    before = len(target.errors)
    for statement in derive_statements(policy, target, as_of):
        try:
            con.execute(statement)
        except duckdb.Error as exc:
            message = str(exc).strip().splitlines()[0]
            target.add(PolicyError(f"computed columns: DuckDB cannot build them: {message}", Location(policy.path)))
            break
    own.raise_if_any()
    return len(target.errors) == before


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
    listed = ", ".join("'" + r.replace("'", "''") + "'" for r in severity)
    rows = con.execute(
        f"SELECT CAST(d.{col} AS VARCHAR), f.rule, f.status, count(*) FROM {FINDINGS_TABLE} f "
        f"JOIN {table} d ON {join} WHERE f.rule IN ({listed}) GROUP BY ALL"
    ).fetchall()
    for value, rule, status, n in rows:
        entry = totals.setdefault(value, [0, {s: 0 for s in SEVERITIES}, 0])
        if status == "warning":
            entry[2] += n
        else:
            entry[1][severity[rule]] += n


def fetch_grades(con, policy: Policy, as_of: datetime) -> list[Grade]:
    """Every record's computed values with their breakdowns, dataset by dataset."""
    grades = []
    for dataset in policy.datasets.values():
        fields = dataset.derived_fields()
        if not fields:
            continue
        parts = breakdowns(policy, dataset, Collector(), as_of)
        values = ", ".join(f"{ident(f.name)}" for f in fields)
        explained = ", ".join(f"CAST({parts[f.name]} AS VARCHAR)" for f in fields)
        order = ", ".join(["__row"] + [ident(g) for g in dataset.group_by])
        rows = con.execute(
            f"SELECT CAST({ident(dataset.key)} AS VARCHAR), __row, {values}, {explained} FROM {ident(dataset.name)} ORDER BY {order}"
        ).fetchall()
        names = [f.name for f in fields]
        for key, row, *rest in rows:
            grades.append(Grade(
                dataset=dataset.name, key=key, row=row,
                values=dict(zip(names, rest[: len(names)])),
                breakdown={n: json.loads(b) if b else None for n, b in zip(names, rest[len(names):])},
            ))
    return grades


def _empty_tables(con, policy: Policy) -> None:
    con.execute(FINDINGS_DDL)
    for d in (d for d in policy.datasets.values() if d.exported):
        cols = ", ".join(f"{ident(f.name)} {_SQL_TYPES[f.type]}" for f in d.file_fields())
        con.execute(f"CREATE TABLE {ident(d.name)} (__row BIGINT, {cols})")


@dataclass
class Session:
    """An export loaded, computed columns built and rules run, on a locked connection."""

    con: duckdb.DuckDBPyConnection
    policy: Policy
    compiled: list[CompiledRule]
    loaded: LoadedExport
    as_of: datetime
    as_of_source: str
    export_dir: Path


Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    """The default progress callback: say nothing."""


@contextmanager
def session(
    policy: Policy,
    export_dir: str | Path,
    as_of: datetime | None,
    lang: str,
    rule_ids: tuple[str, ...] = (),
    progress: Progress = _quiet,
) -> Iterator[Session]:
    """Run the rules over an export and keep the connection open for questions.

    ``progress(stage, done, total)`` is called as loading and rules advance,
    so a front end can show progress; the engine itself prints nothing.
    """
    # ``policy`` comes from ``load``, which has compiled and dry-run every rule.
    select_rules(policy, rule_ids)
    export_dir = Path(export_dir)
    con = connect(policy.timezone)
    try:
        con.execute(FINDINGS_DDL)
        progress("loading", 0, 1)
        with scratch_dir() as scratch:
            loaded = load_export(con, policy, export_dir, Path(scratch), lang)
        progress("loading", 1, 1)
        as_of, source = _as_of(as_of, read_manifest(export_dir), loaded.latest)
        first = min(filter(None, [loaded.earliest, as_of]))
        last = max(filter(None, [loaded.latest, as_of]))
        lock(con)
        _derive(con, policy, None, as_of)
        calendar = register_calendar(con, policy, first, last)
        compiled = compile_policy(policy, as_of, lang, rule_ids, calendar=calendar)
        for done, item in enumerate(compiled):
            progress(f"rule {item.rule.id}", done, len(compiled))
            _execute(con, item)
        progress("rules", len(compiled), len(compiled))
        yield Session(con, policy, compiled, loaded, as_of, source, export_dir)
    finally:
        con.close()


def audit(
    policy: Policy,
    export_dir: str | Path,
    as_of: datetime | None = None,
    lang: str = "en",
    rule_ids: tuple[str, ...] = (),
    progress: Progress = _quiet,
) -> RunResult:
    """Evaluate ``policy`` over the export in ``export_dir``; see DESIGN.md for the contract."""
    with session(policy, export_dir, as_of, lang, rule_ids, progress) as s:
        return RunResult(
            policy=policy,
            as_of=s.as_of,
            as_of_source=s.as_of_source,
            lang=lang,
            findings=_findings(s.con, policy, s.compiled, lang),
            stats=_stats(s.con, policy, s.compiled, s.loaded.files),
            data_files=s.loaded.files,
            export_dir=str(s.export_dir),
            engine_version=__version__,
            rules_run=tuple(c.rule.id for c in s.compiled),
            grades=fetch_grades(s.con, policy, s.as_of),
            group_counts=group_counts(s.con, policy, s.compiled),
        )


def _execute(con, item: CompiledRule) -> None:
    try:
        con.execute(item.insert_sql)
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0]
        raise PolicyError(f'rule "{item.rule.id}" failed on this export: {message}', item.rule.location) from None


MANIFEST = "export.yaml"
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])))?$")


def read_manifest(export_dir: Path) -> tuple[datetime | None, str]:
    """The as-of time an export states for itself in ``export.yaml``, if any.

    ``as_of: 2026-10-31 18:00`` states it outright; ``period: 2026-10`` (or
    ``2026-Q4``, ``2026``) means the end of that period, 2026-11-01 00:00.
    """
    path = export_dir / MANIFEST
    if not path.is_file():
        return None, ""
    doc = load_yaml(path) or {}
    where = Location(str(path))
    if not isinstance(doc, dict):
        raise DataError("expected a mapping with as_of or period", where)
    if doc.get("as_of") is not None:
        value = doc["as_of"]
        try:
            return (value if isinstance(value, datetime) else datetime.fromisoformat(str(value))), f"as_of in {MANIFEST}"
        except ValueError:
            raise DataError(f'as_of "{value}" is not a timestamp', doc.value_at("as_of")) from None
    if doc.get("period") is not None:
        return _period_end(str(doc["period"]), doc.value_at("period")), f"end of period {doc['period']} in {MANIFEST}"
    return None, ""


def _period_end(period: str, where: Location) -> datetime:
    match = _PERIOD.match(period)
    if not match:
        raise DataError(f'period "{period}" is not a month (2026-10), quarter (2026-Q4) or year (2026)', where)
    year, month, quarter = int(match[1]), match[2], match[3]
    last = int(month) if month else (int(quarter) * 3 if quarter else 12)
    if not 1 <= last <= 12:
        raise DataError(f'period "{period}" has no month {last}', where)
    return datetime(year + last // 12, last % 12 + 1, 1)


def _as_of(given: datetime | None, stated: tuple[datetime | None, str], latest: datetime | None) -> tuple[datetime, str]:
    """The audit's reference time: given, stated by the export, its latest timestamp, or now."""
    if given is not None:
        return given, "given"
    if stated[0] is not None:
        return stated
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
    """All findings, sorted by clause (naturally: 3.1.9 before 3.1.10), rule, record.

    Clause, dataset and severity are joined on in SQL, so each row arrives
    ready to become a Finding.
    """
    dq = (policy.data_quality_clause, RESERVED_RULE, None, policy.data_quality_severity)
    rules = [dq] + [(c.rule.clause, c.rule.id, c.rule.dataset, c.rule.severity) for c in compiled]
    rules.sort(key=lambda r: (_natural(r[0]), r[1]))
    con.execute("CREATE OR REPLACE TEMP TABLE __rank (pos INTEGER, clause VARCHAR, rule VARCHAR, dataset VARCHAR, severity VARCHAR)")
    con.executemany("INSERT INTO __rank VALUES (?, ?, ?, ?, ?)", [(i, *r) for i, r in enumerate(rules)])
    with _no_gc():
        return _fetch_findings(con)


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cycle collector while building many small objects that hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fetch_findings(con) -> list[Finding]:
    rows = con.execute(
        "SELECT f.rule, r.clause, coalesce(r.dataset, json_extract_string(f.evidence, '$.dataset')), f.key, f.status, "
        f"r.severity, f.message, f.evidence, f.due_at, f.grp, f.row FROM {FINDINGS_TABLE} f JOIN __rank r USING (rule) "
        "ORDER BY r.pos, f.grp NULLS FIRST, f.row NULLS FIRST, f.key, f.status, f.message"
    ).fetchall()
    return list(map(Finding._make, rows))

