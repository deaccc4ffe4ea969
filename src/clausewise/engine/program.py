"""A pack compiled once: the SQL of every rule and computed column, checked by DuckDB.

``clausewise.load`` reads a policy and its rule files, then compiles them
into a :class:`Program` and binds every statement against empty tables on a
connection that is locked from its first statement — so a broken rule is a
load error with its file position, and nothing a policy writes ever runs on a
connection that can reach a file. (``audit`` loads without that dry run:
running the rules on its own locked connection checks them the same way.)
``validate``, ``audit``, ``test``,
``explain`` and ``grades`` all reuse the same program: what varies between
runs (the as-of time) is read by the SQL at run time (see ``runvars``).
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from ..errors import ClauseWiseError, Collector, Location, PolicyError, UsageError, did_you_mean
from ..i18n import msg
from ..model import Policy, Rule
from . import connection, runvars
from .calendar import BusinessCalendar, parse_hours, public_holidays, register
from .calendar import plan as plan_calendar
from .convert import empty_table_sql
from .derive import DerivePlan, derive_plan
from .kinds.base import CompileContext
from .plan import FINDINGS_DDL, RESERVED_RULE, CompiledRule, compile_policy, compile_rule

CALENDAR_TABLE = "__calendar"
# The week a pack's working-time rules are checked against at load (any week serves: only the tables' shape matters).
TEMPLATE_WEEK = date(2001, 1, 8)


@dataclass(frozen=True)
class Program:
    """The compiled pack: rules, computed columns, and the business calendar if any rule counts working time.

    Rules that count working time are compiled against a *template* of the
    calendar (its tables over one week, without public holidays), which is
    enough to check them; a run registers the real tables over its own dates
    and compiles just those rules again (``for_calendar``), as the calendar's
    SQL depends on the tables' shape.
    """

    rules: tuple[CompiledRule, ...]
    derive: DerivePlan
    calendar: BusinessCalendar | None

    def selected(self, policy: Policy, rule_ids: tuple[str, ...] = ()) -> list[CompiledRule]:
        """The compiled rules to run: all, or those named (an unknown id is a usage error).

        ``data-quality`` names the engine's own rule, whose findings every
        run makes as it types the export: alone, it selects no rule to run.
        """
        if not rule_ids:
            return list(self.rules)
        known = [r.id for r in policy.rules] + [RESERVED_RULE]
        for rule_id in rule_ids:
            if rule_id not in known:
                raise UsageError(msg('no rule "{rule_id}" in policy "{id}"{hint}', rule_id=rule_id, id=policy.id, hint=did_you_mean(rule_id, known)))
        return [r for r in self.rules if r.rule.id in rule_ids]


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
            problems.add(PolicyError(msg("calendar: {exc}", exc=exc), where))
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


def compile_program(policy: Policy, errors: Collector, check: bool = False) -> Program | None:
    """Compile every rule and computed column; None (with ``errors``) when some cannot be.

    With ``check``, DuckDB also binds every statement against empty tables
    (:class:`Checker`, on a thread of its own: it prepares its connection
    and binds each rule as soon as it is compiled); what DuckDB refuses is a
    load error of its rule, reported when nothing else is.
    """
    before = len(errors.errors)
    calendar = _calendar(policy, errors)
    template = _template(calendar)[1] if calendar else None
    plan = derive_plan(policy, errors)
    checker = Checker(policy, plan, calendar) if check and len(errors.errors) == before else None
    try:
        if checker is not None:
            # Preparing sends a few statements, each waiting for Python's lock while the compiler holds it:
            # prepared first, the binding then keeps pace with the compiler.
            checker.prepared.wait()
        working: list[Rule] = []
        rules = compile_policy(policy, errors, template, plan.refers, compiled=checker.add if checker else None,
                               working=working)
    except BaseException:
        if checker is not None:
            checker.abandon()
        raise
    _working_time(policy, calendar, working, errors)
    if len(errors.errors) > before:
        if checker is not None:
            checker.abandon()
        return None
    timed = any(uses_calendar(r) for r in rules)
    known = not timed or _known_country(calendar.country)  # (looked up while the checker binds the last rules)
    refused = checker.finish() if checker is not None else Collector()
    if refused:
        for problem in refused.errors:
            errors.add(problem)
        return None
    if not timed:
        return Program(tuple(rules), plan, None)
    if not known:
        where = policy.calendar.locations.get("country") or Location(policy.path)
        errors.add(PolicyError(msg('calendar: no holiday calendar for country "{country}"; use an ISO 3166 code such as CN', country=calendar.country), where))
        return None
    if calendar.subdivision:
        try:  # (reads the country's holidays: only a calendar that names a subdivision pays for it here)
            public_holidays(calendar)
        except ValueError as exc:  # a subdivision the holidays package does not know
            where = policy.calendar.locations.get("subdivision") or Location(policy.path)
            errors.add(PolicyError(msg("calendar: {exc}", exc=exc), where))
            return None
    return Program(tuple(rules), plan, calendar)


def _working_time(policy: Policy, calendar: BusinessCalendar | None, rules: list[Rule], errors: Collector) -> None:
    """A calendar with no working time refused, at its ``weekend``, when one of ``rules`` (those that count
    working time, compiled or not) is there.

    Each such rule would fail every audit (its due time never comes); the
    first is named. A calendar with no working days serves rules that count
    elapsed time or calendar days, and passes.
    """
    working = rules[0] if rules else None
    if working is None or calendar is None or not calendar.idle:
        return
    where = policy.calendar.locations.get("weekend") or policy.calendar.locations.get("calendar") or Location(policy.path)
    errors.add(PolicyError(msg('calendar: no day has working time (every weekday is in the weekend, and there are no '
                               'extra_workdays), but rule "{id}" counts working time; take the days worked out of '
                               'the weekend, or list them in extra_workdays', id=working.id), where))


def uses_calendar(item: CompiledRule) -> bool:
    """True when the rule's SQL reads the business calendar's tables."""
    return CALENDAR_TABLE in item.source or CALENDAR_TABLE in item.columns


def _calendar(policy: Policy, errors: Collector) -> BusinessCalendar | None:
    """The business calendar, its hours and dates checked even when no rule needs it."""
    try:
        ZoneInfo(policy.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return None  # the loader has reported the timezone, at its place
    try:
        return business_calendar(policy)
    except ClauseWiseError as exc:
        errors.add(exc)
        return None


def _template(calendar: BusinessCalendar):
    """The calendar's tables over one week without public holidays, and their SQL builder: enough to check rules."""
    return plan_calendar(replace(calendar, country=""), TEMPLATE_WEEK, TEMPLATE_WEEK, CALENDAR_TABLE,
                         pad=timedelta(days=7))


def _known_country(code: str) -> bool:
    """True when the ``holidays`` package has a calendar for ``code`` (its registry; no calendar is built)."""
    from holidays.registry import COUNTRIES

    return any(code == entry[1] for entry in COUNTRIES.values())


class Checker:
    """Binds compiled statements against empty tables on a locked connection of its own, on a thread of its own.

    The thread makes the connection, locks it, and gives it the datasets'
    empty tables, the computed columns and the calendar's template tables;
    then it binds the rules as the compiler hands them over (:meth:`add`),
    several in one ``DESCRIBE`` (binding plans nothing; one statement binds
    faster than one per rule), and only when DuckDB refuses such a batch,
    rule by rule to find which. DuckDB lets go of Python's lock meanwhile, so
    the binding runs beside the compiling. :meth:`finish` waits for the last
    rule and returns what DuckDB refused, in the rules' order.
    """

    # Rules bound in one statement, at least (more when more are waiting): fewer statements bind faster.
    BATCH = 16

    def __init__(self, policy: Policy, plan: DerivePlan, calendar: BusinessCalendar | None):
        self._policy, self._plan, self._calendar = policy, plan, calendar
        self._refused = Collector()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._fault: BaseException | None = None
        self._done = False
        self.prepared = threading.Event()  # set once the connection is ready to bind (or has failed)
        self._thread = threading.Thread(target=self._work, name="clausewise-check", daemon=True)
        self._thread.start()

    def add(self, item: CompiledRule) -> None:
        """Hand over one compiled rule to bind."""
        self._queue.put(item)

    def finish(self, rules: list[CompiledRule] = ()) -> Collector:
        """Bind ``rules`` too, wait for every rule handed over; what DuckDB refused, in their order.

        An error of the checker itself (not of a rule) is raised here. Calling
        it again returns the same answer.
        """
        if not self._done:
            for item in rules:
                self._queue.put(item)
            self._queue.put(_END)
            self._thread.join()
            self._done = True
        if self._fault is not None:
            raise self._fault
        return self._refused

    def abandon(self) -> None:
        """Stop binding and let the connection go (the compiler has failed)."""
        if not self._done:
            self._queue.put(_ABANDON)
            self._thread.join()
            self._done = True

    def _work(self) -> None:
        con = other = None
        try:
            # Empty tables need little memory: the machine's default, whatever a run's limit is set to.
            con = connection.connect(self._policy.timezone, locked=True, memory=connection.AUTO)
            ready = self._prepare(con)
            other = runvars.cursor(con) if ready else None
            self.prepared.set()
            while (batch := self._next_batch()) is not None:
                if ready:
                    self._bind(con, other, batch)
        except BaseException as exc:  # raised again by finish()
            self._fault = exc
            self.prepared.set()
            self._drain()
        finally:
            for connected in (other, con):
                if connected is not None:
                    connected.close()

    def _bind(self, con, other, batch: list[CompiledRule]) -> None:
        """Bind a batch; a large one in two halves side by side, on ``con`` and the cursor ``other``.

        Binding one statement is one thread's work in DuckDB; the rules left
        when the compiler is done are most of them, and two statements bind
        them in about half the time on two cores. What is refused is added in
        the batch's order.
        """
        if len(batch) < 2 * self.BATCH:
            _bind_all(con, batch, self._refused)
            return
        half = len(batch) // 2
        second, fault = Collector(), []

        def bind_second() -> None:
            try:
                _bind_all(other, batch[half:], second)
            except BaseException as exc:  # raised here, on the checker's thread
                fault.append(exc)

        helper = threading.Thread(target=bind_second, name="clausewise-check-2", daemon=True)
        helper.start()
        _bind_all(con, batch[:half], self._refused)
        helper.join()
        if fault:
            raise fault[0]
        for problem in second.errors:
            self._refused.add(problem)

    def _next_batch(self) -> list[CompiledRule] | None:
        """At least :attr:`BATCH` rules (fewer at the end), and all that wait besides; None when told to stop."""
        batch = []
        while True:
            item = self._queue.get() if len(batch) < self.BATCH else self._take()
            if item is None:  # nothing more waits
                return batch
            if item is _ABANDON:
                return None
            if item is _END:
                self._queue.put(_END)  # seen again by the next call, which then stops
                return batch or None
            batch.append(item)

    def _take(self):
        try:
            return self._queue.get_nowait()
        except queue.Empty:
            return None

    def _drain(self) -> None:
        """After a fault: wait for the end, so that finish() and abandon() return."""
        while self._queue.get() not in (_END, _ABANDON):
            pass

    def _prepare(self, con) -> bool:
        """The empty tables, computed columns and calendar the rules read; False when the computed columns fail."""
        # One script each: every statement this thread sends waits for Python's lock, which the compiler holds.
        con.execute(";\n".join([*empty_tables(self._policy), *runvars.statements(runvars.placeholders())]))
        computed = self._plan.statements(self._policy.datasets)
        try:
            if computed:
                con.execute(";\n".join(computed))
        except duckdb.Error as exc:
            message = str(exc).strip().splitlines()[0]
            self._refused.add(PolicyError(msg("computed columns: DuckDB cannot build them: {message}",
                                              message=message), Location(self._policy.path)))
            return False
        if self._calendar is not None:
            register(con, replace(self._calendar, country=""), TEMPLATE_WEEK, TEMPLATE_WEEK, CALENDAR_TABLE,
                     pad=timedelta(days=7))
        return True


_END, _ABANDON = object(), object()


def _bind_all(con, rules: list[CompiledRule], errors: Collector) -> None:
    """Bind every rule in one statement; only when DuckDB refuses it, rule by rule to find which."""
    selects = [f"({item.select_sql('en')})" for item in rules]
    examined = {}
    for item in rules:
        examined.setdefault(item.table_sql, []).append(
            f"count(*) FILTER (WHERE {item.examined_sql}), count(*) FILTER (WHERE {item.unjudged_sql})")
    counts = [f"(SELECT {', '.join(parts)} FROM {table})" for table, parts in examined.items()]
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
        con.execute(f"DESCRIBE SELECT count(*) FILTER (WHERE {item.examined_sql}), "
                    f"count(*) FILTER (WHERE {item.unjudged_sql}) FROM {item.table_sql}")
    except duckdb.Error as exc:
        message = str(exc).strip().splitlines()[0]
        errors.add(PolicyError(msg('rule "{id}": DuckDB cannot run it: {message}', id=item.rule.id, message=message), item.rule.location))


def empty_tables(policy: Policy) -> list[str]:
    """The statements creating the findings table and one empty table per exported dataset, with the declared types."""
    return [FINDINGS_DDL, *(empty_table_sql(d) for d in policy.datasets.values() if d.exported)]


def with_calendar(con, policy: Policy, program: Program, compiled: list[CompiledRule],
                  first: datetime, last: datetime, register=register) -> list[CompiledRule]:
    """Register the business calendar over the run's dates and compile its working-time rules for it.

    ``register`` creates the calendar's tables on ``con`` (``calendar.register``; the Spark engine has its own).
    """
    if program.calendar is None:
        return compiled
    try:
        calendar = register(con, program.calendar, first, last, CALENDAR_TABLE)
    except ValueError as exc:  # a subdivision the holidays package does not know
        where = policy.calendar.locations.get("subdivision") or Location(policy.path)
        raise PolicyError(msg("calendar: {exc}", exc=exc), where) from None
    out = []
    for item in compiled:
        if not uses_calendar(item):
            out.append(item)
            continue
        errors = Collector()
        again = compile_rule(CompileContext(policy, item.rule, errors, calendar), program.derive.refers)
        errors.raise_if_any()
        out.append(again)
    return out
