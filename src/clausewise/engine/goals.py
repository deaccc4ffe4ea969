"""Goals: how long something may take, and the due time that follows, in SQL.

A goal is one duration (``24h``, ``3 working days``, ``12 months``) or a lookup
of the duration by a field's value (priority P1 → 4h, P3 → 3 working days).
Hours and minutes add elapsed time (wall-clock, or working time on the
policy's business calendar for working hours); months add calendar months;
days are counted as statutes count them (PRC Civil Code arts. 201 and 203):
``N days`` is due at 24:00 of the N-th day after the start's date, ``N working
days`` at the close of business of the N-th working day after it, the start's
own day never counted. ``N working days elapsed`` is the former hour reading, N
full working days' length of working time from the start. See docs/time.md.

:func:`due_sql` turns a goal into the SQL due time of each record, shared by
the ``deadline`` and ``periodic`` kinds so both mean the same by "within";
:func:`warning_sql` the time at which a share of it has passed, from the due time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import PolicyError
from ..i18n import msg
from ..model import Duration
from ..policy.durations import duration_problem, too_long
from .calendar import CalendarSQL, micros
from .kinds.base import CompileContext
from .sqltext import string


@dataclass(frozen=True)
class Goal:
    """One duration, or durations by value of ``by`` (SQL of a column)."""

    branches: tuple[tuple[str | None, Duration], ...]
    by: str | None = None

    @property
    def working(self) -> bool:
        return any(d.working for _, d in self.branches)


def parse_goal(ctx: CompileContext, key: str) -> Goal | None:
    """The goal written at ``key``: a duration, ``$param``, or ``{by, map}``.

    A goal that counts working time marks the rule so (``ctx.working``): the
    load then checks that the calendar has working time to count.
    """
    raw = ctx.spec.get(key)
    if isinstance(raw, dict):
        goal = _lookup_goal(ctx, key, raw)
    else:
        duration = ctx.param_value(raw, key, ("duration",))
        ok = duration is not None and _countable(ctx, key, duration, raw)
        goal = Goal(((None, duration),)) if ok else None
    if goal is not None and goal.working:
        ctx.working = True
    return goal


def _countable(ctx: CompileContext, key: str, duration: Duration, written: Any, entry: Any = None) -> bool:
    """Working days elapsed count whole working days' time only when every working day is as long.

    ``written`` is what the rule writes (``$param`` or the duration), ``entry``
    the key of the goal map's entry: a fault is reported where the duration is written.
    """
    if ctx.calendar is None and (duration.working or duration.day_counted):
        return False  # the calendar is wrong, and reported where it is written
    if duration.basis == "working_days_elapsed" and ctx.calendar is not None and ctx.calendar.day_seconds is None:
        ctx.value_error(msg('"{text}" counts working days, but the calendar\'s working days differ in length; '
                            'write the goal in working hours, or count the days (without "elapsed")',
                            text=duration.text), key, written, entry)
        return False
    return True


def _lookup_goal(ctx: CompileContext, key: str, raw: dict[str, Any]) -> Goal | None:
    column = ctx.field(raw.get("by"), key)
    mapping = ctx.param_value(raw.get("map"), key, ("map",))
    if column is None or mapping is None:
        return None
    if not mapping:  # a CASE with no branch: say so, rather than leave DuckDB to refuse it
        ctx.value_error(msg("the map is empty, but a goal looked up by value needs at least one value and its "
                            "duration"), key, raw.get("map"))
        return None
    branches, ok = [], True
    for value, text in mapping.items():
        duration = text if isinstance(text, Duration) else Duration.parse(str(text))
        problem = duration_problem(text) if duration is None else too_long(duration)
        if problem is not None:
            _map_error(ctx, key, raw.get("map"), mapping, value, problem)
            ok = False
        elif not _countable(ctx, key, duration, raw.get("map"), value):
            ok = False
        else:
            branches.append((str(value), duration))
    return Goal(tuple(branches), by=column) if ok else None


def _map_error(ctx: CompileContext, key: str, name: str, mapping, value, problem) -> None:
    """A map value that is not a duration, or too long, reported where the map writes it (once, however many rules
    read it)."""
    where = mapping.value_at(value) if hasattr(mapping, "value_at") else None
    message = msg('parameter "{name}" › {value}: {problem}', name=str(name).lstrip("$"), value=value, problem=problem)
    if where is None:
        ctx.error(message, key)
    else:
        ctx.errors.add(PolicyError(message, where))


def due_sql(goal: Goal, start: str, calendar: CalendarSQL | None, paused: dict[str, str]) -> str:
    """SQL for the due time of each record.

    ``start`` and the result are instants (``TIMESTAMPTZ``). ``paused`` holds
    SQL for the paused time already spent, in seconds: under ``calendar`` for
    wall-clock, calendar-day and month goals, under ``working`` for
    working-time goals; the due time moves later by it, counted in the
    goal's own basis (a day-counted goal's end moves by the paused time, not
    by whole days). A record whose lookup value has no goal gets NULL.
    With ``calendar`` a layer (``CalendarSQL.layer``), the result reads the
    layer's lookups: the caller selects it over ``calendar.over(source)``.
    """
    return _by_value(goal, lambda duration: _due_one(duration, start, calendar, paused))


def warning_sql(goal: Goal, start: str, due: str, calendar: CalendarSQL | None, paused: dict[str, str],
                fraction: float) -> str:
    """SQL for the time at which ``fraction`` (0 < fraction <= 1) of each record's allowed time has passed.

    ``due`` names the record's due time as :func:`due_sql` gives it, already
    computed (a column), so that the due time is worked out once per record:
    the warning time of a goal counted in days is a fraction of the time from
    the start to the end of its last day (working time for working days), and
    that end is the due time less the paused time. ``start``, ``due`` and the
    result are instants; ``paused`` as for :func:`due_sql` (columns, too).
    """
    if fraction == 1.0:
        return due
    return _by_value(goal, lambda duration: _warning_one(duration, start, due, calendar, paused, fraction))


def _by_value(goal: Goal, one) -> str:
    """``one(duration)`` for a goal of one duration; a CASE over the lookup value for a goal by value."""
    if goal.by is None:
        return one(goal.branches[0][1])
    whens = " ".join(f"WHEN {string(value)} THEN {one(duration)}" for value, duration in goal.branches)
    return f"CASE CAST({goal.by} AS VARCHAR) {whens} END"


def _due_one(duration: Duration, start: str, calendar: CalendarSQL | None, paused: dict[str, str]) -> str:
    working_pause, calendar_pause = paused.get("working", "0"), paused.get("calendar", "0")
    if duration.basis == "working_days":
        end = calendar.end_of_working_days(start, str(int(duration.amount)), at_close=True)
        return end if working_pause == "0" else calendar.add_working_seconds(end, working_pause)
    if duration.working:
        return calendar.add_working_seconds(start, f"({_working_amount(duration, calendar)} + {working_pause})")
    if duration.basis == "days":
        return _later(calendar.end_of_days(start, str(int(duration.amount))), calendar_pause)
    if duration.basis == "months":
        return _later(f"({start} + INTERVAL {int(duration.amount)} MONTH)", calendar_pause)
    return _wall(start, duration.elapsed_seconds, calendar_pause)


def _warning_one(duration: Duration, start: str, due: str, calendar: CalendarSQL | None, paused: dict[str, str],
                 fraction: float) -> str:
    working_pause, calendar_pause = paused.get("working", "0"), paused.get("calendar", "0")
    if duration.basis == "working_days":
        # The working time from the start to the close of the last day is the due time's, less the pause.
        allowed = calendar.working_seconds(start, due)
        if working_pause != "0":
            allowed = f"({allowed} - {working_pause})"
        # Exact, in 38 digits: a DECIMAL(18,6) times a fraction of many decimals overflows DuckDB's 18.
        return calendar.add_working_seconds(start, f"(CAST({allowed} AS DECIMAL(38,6)) * {fraction} + {working_pause})")
    if duration.working:
        return calendar.add_working_seconds(
            start, f"({_working_amount(duration, calendar) * fraction} + {working_pause})")
    if duration.basis in ("months", "days"):
        # The fraction of the elapsed time from the start to the nominal end (the due time less the pause).
        pause_us = "0" if calendar_pause == "0" else micros(calendar_pause)
        return (f"make_timestamptz(epoch_us({start}) + CAST((epoch_us({due}) - {pause_us} - epoch_us({start})) "
                f"* {fraction} AS BIGINT) + {pause_us})")
    return _wall(start, duration.elapsed_seconds * fraction, calendar_pause)


def _working_amount(duration: Duration, calendar: CalendarSQL) -> float:
    """The working seconds a goal in working hours (or working days elapsed, of equal length) allows."""
    return duration.amount * (calendar.day_seconds if duration.basis == "working_days_elapsed" else 1)


def _later(nominal: str, calendar_pause: str) -> str:
    """SQL: the instant ``nominal`` moved later by ``calendar_pause`` seconds."""
    if calendar_pause == "0":
        return nominal
    return f"({nominal} + to_microseconds({micros(calendar_pause)}))"


def _wall(start: str, seconds: float, calendar_pause: str) -> str:
    """SQL: ``seconds`` of elapsed (wall-clock) time after ``start``, and the paused time."""
    return f"({start} + to_microseconds(CAST(({seconds} + {calendar_pause}) * 1000000 AS BIGINT)))"


def allowed_text(goal: Goal) -> str:
    """SQL for the goal as the officer wrote it (``24h``, ``3 working days``)."""
    if goal.by is None:
        return string(goal.branches[0][1].text)
    whens = " ".join(f"WHEN {string(v)} THEN {string(d.text)}" for v, d in goal.branches)
    return f"CASE CAST({goal.by} AS VARCHAR) {whens} END"


def is_working(goal: Goal) -> str:
    """SQL: TRUE where the record's goal counts working time."""
    if goal.by is None:
        return "TRUE" if goal.branches[0][1].working else "FALSE"
    whens = " ".join(f"WHEN {string(v)} THEN {'TRUE' if d.working else 'FALSE'}" for v, d in goal.branches)
    return f"CASE CAST({goal.by} AS VARCHAR) {whens} END"


def is_day_counted(goal: Goal) -> str:
    """SQL: TRUE where the record's goal is counted in days (its due time ends a day: 24:00 or the close)."""
    if goal.by is None:
        return "TRUE" if goal.branches[0][1].day_counted else "FALSE"
    whens = " ".join(f"WHEN {string(v)} THEN {'TRUE' if d.day_counted else 'FALSE'}" for v, d in goal.branches)
    return f"CASE CAST({goal.by} AS VARCHAR) {whens} END"


def late_date_sql(date_sql: str, due: str) -> str:
    """SQL: TRUE when a date (no time of day) is after the day ``due`` ends; 00:00 ends the day before (24:00)."""
    return f"CAST({date_sql} AS DATE) > CAST({due} - INTERVAL 1 MICROSECOND AS DATE)"
