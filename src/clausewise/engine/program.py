"""A pack compiled once: the SQL of every rule and computed column, checked by DuckDB.

``clausewise.load`` reads a policy and its rule files, then compiles them
into a :class:`Program` and binds every statement against empty tables on a
connection that is locked from its first statement — so a broken rule is a
load error with its file position, and nothing a policy writes ever runs on a
connection that can reach a file. ``validate``, ``audit``, ``test``,
``explain`` and ``grades`` all reuse the same program: what varies between
runs (the as-of time) is read by the SQL at run time (see ``runvars``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import duckdb

from ..errors import Collector, Location, PolicyError, UsageError, did_you_mean
from ..model import Policy
from . import connection, runvars
from .calendar import Calendar, CalendarSQL, register
from .derive import DerivePlan, derive_plan
from .plan import FINDINGS_DDL, CompiledRule, compile_policy
from .sqltext import ident

CALENDAR_TABLE = "__calendar"
_SQL_TYPES = {
    "string": "VARCHAR", "enum": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE",
    "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP",
}


@dataclass(frozen=True)
class Program:
    """The compiled pack: rules, computed columns, and the business calendar if any rule counts working time."""

    rules: tuple[CompiledRule, ...]
    derive: DerivePlan
    calendar: Calendar | None

    def selected(self, policy: Policy, rule_ids: tuple[str, ...] = ()) -> list[CompiledRule]:
        """The compiled rules to run: all, or those named (an unknown id is a usage error)."""
        if not rule_ids:
            return list(self.rules)
        known = [r.id for r in policy.rules]
        for rule_id in rule_ids:
            if rule_id not in known:
                raise UsageError(f'no rule "{rule_id}" in policy "{policy.id}"{did_you_mean(rule_id, known)}')
        return [r for r in self.rules if r.rule.id in rule_ids]


def business_calendar(policy: Policy) -> Calendar:
    """The policy's calendar as the engine's working-time calendar (ValueError when it is impossible)."""
    spec = policy.calendar
    return Calendar(
        country=spec.country,
        subdivision=spec.subdivision,
        work_start=time.fromisoformat(spec.work_start),
        work_end=time.fromisoformat(spec.work_end),
        extra_holidays=tuple(date.fromisoformat(d) for d in spec.extra_holidays),
        extra_workdays=tuple(date.fromisoformat(d) for d in spec.extra_workdays),
    )


def compile_program(policy: Policy, errors: Collector) -> Program | None:
    """Compile every rule and computed column; None (with ``errors``) when some cannot be."""
    before = len(errors.errors)
    calendar = _calendar(policy, errors)
    calendar_sql = CalendarSQL(CALENDAR_TABLE, calendar.day_seconds * 1_000_000) if calendar else None
    plan = derive_plan(policy, errors)
    rules = compile_policy(policy, errors, calendar_sql)
    if len(errors.errors) > before:
        return None
    uses_calendar = any(ident(CALENDAR_TABLE) in r.source or ident(CALENDAR_TABLE) in r.columns for r in rules)
    if not uses_calendar:
        return Program(tuple(rules), plan, None)
    if not _known_country(calendar.country):
        errors.add(PolicyError(f'calendar: no holiday calendar for country "{calendar.country}"; '
                               "use an ISO 3166 code such as CN", Location(policy.path)))
        return None
    return Program(tuple(rules), plan, calendar)


def _calendar(policy: Policy, errors: Collector) -> Calendar | None:
    """The business calendar, its hours and dates checked even when no rule needs it."""
    try:
        return business_calendar(policy)
    except ValueError as exc:
        errors.add(PolicyError(f"calendar: {exc}", Location(policy.path)))
        return None


def _known_country(code: str) -> bool:
    """True when the ``holidays`` package has a calendar for ``code`` (its registry; no calendar is built)."""
    from holidays.registry import COUNTRIES

    return any(code == entry[1] for entry in COUNTRIES.values())


def check_program(policy: Policy, program: Program, errors: Collector) -> None:
    """Bind every statement against empty tables; what DuckDB refuses is a load error of its rule."""
    con = connection.connect(policy.timezone, locked=True)
    try:
        empty_tables(con, policy)
        runvars.set_values(con, {runvars.AS_OF: runvars.PLACEHOLDER})
        if not _derive_empty(con, policy, program, errors):
            return
        if program.calendar is not None:
            register(con, program.calendar, runvars.PLACEHOLDER, runvars.PLACEHOLDER, CALENDAR_TABLE)
        _bind_all(con, program.rules, errors)
    finally:
        con.close()


def _derive_empty(con, policy: Policy, program: Program, errors: Collector) -> bool:
    for statement in program.derive.statements(policy.datasets):
        try:
            con.execute(statement)
        except duckdb.Error as exc:
            message = str(exc).strip().splitlines()[0]
            errors.add(PolicyError(f"computed columns: DuckDB cannot build them: {message}", Location(policy.path)))
            return False
    return True


def _bind_all(con, rules: tuple[CompiledRule, ...], errors: Collector) -> None:
    """Bind every rule in one statement; only when DuckDB refuses it, rule by rule to find which."""
    selects = [f"({item.select_sql('en')})" for item in rules]
    examined = {}
    for item in rules:
        examined.setdefault(item.rule.dataset, []).append(f"count(*) FILTER (WHERE {item.examined_sql})")
    counts = [f"(SELECT {', '.join(parts)} FROM {ident(dataset)})" for dataset, parts in examined.items()]
    try:
        if selects:
            con.execute("DESCRIBE " + " UNION ALL ".join(selects))
        for count in counts:
            con.execute("DESCRIBE " + count)
    except duckdb.Error:
        for item in rules:
            _bind(con, item, errors)


def _bind(con, item: CompiledRule, errors: Collector) -> None:
    """Let DuckDB bind the rule's statements without running them (``DESCRIBE`` binds, and plans nothing)."""
    try:
        con.execute("DESCRIBE " + item.select_sql("en"))
        con.execute(f"DESCRIBE SELECT count(*) FILTER (WHERE {item.examined_sql}) FROM {ident(item.rule.dataset)}")
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0]
        errors.add(PolicyError(f'rule "{item.rule.id}": DuckDB cannot run it: {message}', item.rule.location))


def empty_tables(con, policy: Policy) -> None:
    """The findings table and one empty table per exported dataset, with the declared types."""
    con.execute(FINDINGS_DDL)
    for d in (d for d in policy.datasets.values() if d.exported):
        cols = ", ".join(f"{ident(f.name)} {_SQL_TYPES[f.type]}" for f in d.file_fields())
        con.execute(f"CREATE TABLE {ident(d.name)} (__row BIGINT, {cols})")


def register_calendar(con, policy: Policy, program: Program, first: datetime, last: datetime) -> None:
    """The day table the working-time rules join, over the export's dates (plus padding)."""
    if program.calendar is None:
        return
    try:
        register(con, program.calendar, first, last, CALENDAR_TABLE)
    except ValueError as exc:  # a subdivision the holidays package does not know
        raise PolicyError(f"calendar: {exc}", Location(policy.path)) from None
