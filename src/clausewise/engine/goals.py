"""Goals: how long something may take, and the due time that follows, in SQL.

A goal is one duration (``24h``, ``3 working days``, ``12 months``) or a lookup
of the duration by a field's value (priority P1 → 4h, P3 → 3 working days).
Calendar durations add wall-clock time, months add calendar months, and
working durations count working time on the policy's business calendar (see
docs/time.md); a working day is one full working day's length of working time.

:func:`due_sql` turns a goal into the SQL due time of each record, shared by
the ``deadline`` and ``periodic`` kinds so both mean the same by "within".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import PolicyError
from ..model import Duration
from ..policy.durations import duration_problem
from .calendar import CalendarSQL
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
    """The goal written at ``key``: a duration, ``$param``, or ``{by, map}``."""
    raw = ctx.spec.get(key)
    if isinstance(raw, dict):
        goal = _lookup_goal(ctx, key, raw)
    else:
        duration = ctx.param_value(raw, key, ("duration",))
        goal = None if duration is None else Goal(((None, duration),))
    return goal if goal is None or _countable(ctx, key, goal) else None


def _countable(ctx: CompileContext, key: str, goal: Goal) -> bool:
    """Working days count as whole working days' time only when every working day is as long."""
    days = [d for _, d in goal.branches if d.basis == "working_days"]
    if days and ctx.calendar is not None and ctx.calendar.day_seconds is None:
        ctx.error(
            f'"{days[0].text}" counts working days, but the calendar\'s working days differ in length; '
            "write the goal in working hours",
            key,
        )
        return False
    return True


def _lookup_goal(ctx: CompileContext, key: str, raw: dict[str, Any]) -> Goal | None:
    column = ctx.field(raw.get("by"), key)
    mapping = ctx.param_value(raw.get("map"), key, ("map",))
    if column is None or mapping is None:
        return None
    branches = []
    for value, text in mapping.items():
        duration = text if isinstance(text, Duration) else Duration.parse(str(text))
        if duration is None:
            _map_error(ctx, key, raw.get("map"), mapping, value, text)
            return None
        branches.append((str(value), duration))
    return Goal(tuple(branches), by=column)


def _map_error(ctx: CompileContext, key: str, name: str, mapping, value, text) -> None:
    """A map value that is not a duration, reported where the map writes it (once, however many rules read it)."""
    where = mapping.value_at(value) if hasattr(mapping, "value_at") else None
    message = f'parameter "{str(name).lstrip("$")}" › {value}: {duration_problem(text)}'
    if where is None:
        ctx.error(message, key)
    else:
        ctx.errors.add(PolicyError(message, where))


def due_sql(goal: Goal, start: str, calendar: CalendarSQL | None, paused: dict[str, str], fraction: float = 1.0) -> str:
    """SQL for the time at which ``fraction`` of the goal has elapsed since ``start``.

    ``start`` and the result are naive local time in the policy's timezone.
    ``paused`` holds SQL for the paused time already spent, in seconds: under
    ``calendar`` for wall-clock and month goals, under ``working`` for
    working-time goals. A record whose lookup value has no goal gets NULL.
    """
    if goal.by is None:
        return _due_one(goal.branches[0][1], start, calendar, paused, fraction)
    whens = " ".join(
        f"WHEN {string(value)} THEN {_due_one(duration, start, calendar, paused, fraction)}"
        for value, duration in goal.branches
    )
    return f"CASE CAST({goal.by} AS VARCHAR) {whens} END"


def _due_one(duration: Duration, start: str, calendar: CalendarSQL | None, paused: dict[str, str], fraction: float) -> str:
    if duration.working:
        seconds = duration.amount * (calendar.day_seconds if duration.basis == "working_days" else 1)
        return calendar.add_working_seconds(start, f"({seconds * fraction} + {paused.get('working', '0')})")
    if duration.basis == "months":
        nominal = f"({start} + INTERVAL {int(duration.amount)} MONTH)"
        if fraction != 1.0:
            nominal = f"make_timestamptz(epoch_us({start}) + CAST((epoch_us({nominal}) - epoch_us({start})) * {fraction} AS BIGINT))"
        return f"({nominal} + to_microseconds(CAST({paused.get('calendar', '0')} * 1000000 AS BIGINT)))"
    micros = f"CAST(({duration.seconds * fraction} + {paused.get('calendar', '0')}) * 1000000 AS BIGINT)"
    return f"({start} + to_microseconds({micros}))"


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

