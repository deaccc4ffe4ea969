"""Run a policy over an export on an in-process DuckDB.

The order matters for safety: ``validate`` (called by ``load``) compiles every
rule and dry-runs it against empty tables before any data is read, so a broken
rule file costs nothing; then the export is loaded, and the connection is
locked — no file or network access, no extension installs, configuration
frozen — before a single rule's SQL runs. What is read back afterwards lives
in ``collect``; the as-of time in ``asof``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from .. import __version__
from ..errors import Collector, ErrorList, Location, PolicyError, UsageError, did_you_mean
from ..model import Policy, RunResult
from . import collect
from .asof import choose_as_of, read_manifest
from .calendar import BusinessCalendar, CalendarSQL, parse_hours, register
from .derive import DerivePlan, derive_plan
from .exports import LoadedExport, load_export, scratch_dir
from .kinds.base import ident
from .plan import FINDINGS_DDL, CompiledRule, compile_policy

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
        if _derive(con, policy, errors, as_of) is None:
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


def business_calendar(policy: Policy) -> BusinessCalendar:
    """The policy's calendar as the engine's working-time calendar.

    Raises PolicyError (ErrorList for several) at the keys that are wrong: the
    hours that do not parse, or the ``calendar:`` key for settings that
    contradict each other.
    """
    spec, problems = policy.calendar, Collector()

    def checked(build, key: str):
        try:
            return build()
        except ValueError as exc:
            where = spec.locations.get(key) or spec.locations.get("calendar") or Location(policy.path)
            problems.add(PolicyError(f"calendar: {exc}", where))
            return None

    hours = checked(lambda: parse_hours(spec.work_hours), "work_hours")
    own = {day: checked(lambda text=text: parse_hours(text), f"weekday_hours.{day}") for day, text in spec.weekday_hours}
    problems.raise_if_any()
    calendar = checked(lambda: BusinessCalendar(
        country=spec.country,
        subdivision=spec.subdivision,
        timezone=policy.timezone,
        hours=hours,
        weekday_hours=own,
        weekend=spec.weekend,
        extra_holidays=tuple(date.fromisoformat(d) for d in spec.extra_holidays),
        extra_workdays=tuple(date.fromisoformat(d) for d in spec.extra_workdays),
    ), "calendar")
    problems.raise_if_any()
    return calendar


def needs_calendar(policy: Policy) -> bool:
    """True when some goal counts working time (a parameter or a goal written in a rule)."""
    if any(p.type == "duration" and p.value is not None and p.value.working for p in policy.parameters.values()):
        return True
    if any(p.type == "map" and any("working" in str(v) for v in p.value.values()) for p in policy.parameters.values()):
        return True
    return any("working" in str(r.body.get(key, "")) for r in policy.rules for key in ("goal", "every"))


def register_calendar(con, policy: Policy, first: datetime, last: datetime, errors: Collector | None = None) -> CalendarSQL | None:
    """Create the tables working-time rules join; a bad calendar is a policy error.

    A policy without working-time goals gets no tables (building them costs a
    look at the holiday calendar for every day of the range), except when
    validating, so that a mistake in the calendar is still reported; the
    rules are then checked against the default calendar, so the mistake is
    reported once rather than again by every working-time rule.
    """
    if errors is None and not needs_calendar(policy):
        return None
    try:
        return register(con, business_calendar(policy), first, last)
    except (PolicyError, ErrorList) as error:
        problem = error
    except ValueError as exc:  # the country has no holiday calendar
        problem = PolicyError(f"calendar: {exc}", policy.calendar.locations.get("country") or Location(policy.path))
    if errors is None:
        raise problem
    errors.add(problem)
    return register(con, BusinessCalendar(timezone=policy.timezone), first, last)


def _derive(con, policy: Policy, errors: Collector, as_of: datetime) -> DerivePlan | None:
    """Add the computed columns and datasets; None (with errors) when they cannot be built."""
    before = len(errors.errors)
    plan = derive_plan(policy, errors, as_of)
    for statement in plan.statements:
        try:
            con.execute(statement)
        except duckdb.Error as exc:
            message = str(exc).strip().splitlines()[0]
            errors.add(PolicyError(f"computed columns: DuckDB cannot build them: {message}", Location(policy.path)))
            break
    return plan if len(errors.errors) == before else None


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
    breakdowns: dict[str, dict[str, str]]


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
        as_of, source = choose_as_of(as_of, read_manifest(export_dir), loaded.latest)
        first = min(filter(None, [loaded.earliest, as_of]))
        last = max(filter(None, [loaded.latest, as_of]))
        lock(con)
        errors = Collector()
        derived = _derive(con, policy, errors, as_of)
        errors.raise_if_any()
        calendar = register_calendar(con, policy, first, last)
        compiled = compile_policy(policy, as_of, lang, rule_ids, calendar=calendar)
        for done, item in enumerate(compiled):
            progress(f"rule {item.rule.id}", done, len(compiled))
            _execute(con, item)
        progress("rules", len(compiled), len(compiled))
        yield Session(con, policy, compiled, loaded, as_of, source, export_dir, derived.breakdowns)
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
            findings=collect.findings(s.con, policy, s.compiled, lang),
            stats=collect.rule_stats(s.con, policy, s.compiled, s.loaded.files),
            data_files=s.loaded.files,
            export_dir=str(s.export_dir),
            engine_version=__version__,
            rules_run=tuple(c.rule.id for c in s.compiled),
            grades=collect.fetch_grades(s.con, policy, s.breakdowns),
            group_counts=collect.group_counts(s.con, policy, s.compiled),
        )


def _execute(con, item: CompiledRule) -> None:
    try:
        con.execute(item.insert_sql)
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0]
        raise PolicyError(f'rule "{item.rule.id}" failed on this export: {message}', item.rule.location) from None


