"""Calendar periods inside the audit period: which are judged, which are not yet, and their labels.

A per-period obligation ("two meetings a month", "every employee appraised
every month") is judged for each day, week, month, quarter or year that lies
wholly inside the audit period and has ended by the as-of time. One inside
the period that has not ended is *not judged yet*; one outside it is never
judged (docs/time.md, "The audit period"). Weeks are ISO weeks, from Monday.

The SQL here reads the period and the as-of time at run time (``runvars``);
the Python twin, :func:`pending`, lists the periods not judged yet for the
run's statistics.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..model import AuditPeriod
from . import runvars
from .sqltext import string

UNITS = ("day", "week", "month", "quarter", "year")
# How each unit's label is written (quarter: by hand below).
FORMATS = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m", "quarter": None, "year": "%Y"}


def one(unit: str) -> str:
    """One ``unit`` as an interval (units come from the schema's enum, never from text)."""
    return {"day": "INTERVAL 1 DAY", "week": "INTERVAL 7 DAY", "month": "INTERVAL 1 MONTH",
            "quarter": "INTERVAL 3 MONTH", "year": "INTERVAL 1 YEAR"}[unit]


def judged_sql(unit: str) -> str:
    """SQL: the list of the starts of the ``unit``s inside the audit period that have ended by the as-of time.

    The first starts at or after the period's start; the last ends at or before
    both the period's end and the as-of time. Instants, counted on the
    policy's calendar (the connection's timezone).
    """
    start, end = runvars.sql(runvars.PERIOD_START), runvars.sql(runvars.PERIOD_END)
    step, u = one(unit), string(unit)
    first = f"(date_trunc({u}, {start}) + CASE WHEN date_trunc({u}, {start}) < {start} THEN {step} ELSE INTERVAL 0 DAY END)"
    last = f"(date_trunc({u}, least({end}, {runvars.sql(runvars.AS_OF)})) - {step})"
    return f"generate_series({first}, {last}, {step})"


def label_sql(unit: str, start: str) -> str:
    """SQL: the label of the ``unit`` starting at ``start``: 2026-10, 2026-Q4, 2026-W41, 2026-10-05, 2026."""
    fmt = FORMATS[unit]
    if fmt is None:
        return f"strftime({start}, '%Y') || '-Q' || quarter({start})"
    return f"strftime({start}, {string(fmt)})"


def units_sql(unit: str) -> str:
    """SQL: one row per judged ``unit`` — ``__unit_start``, ``__unit_end`` (instants) and ``__unit`` (its label)."""
    return (f"SELECT __s AS __unit_start, __s + {one(unit)} AS __unit_end, {label_sql(unit, '__s')} AS __unit "
            f"FROM (SELECT unnest({judged_sql(unit)}) AS __s)")


def pending(unit: str, period: AuditPeriod, as_of: datetime) -> tuple[tuple[str, datetime], ...]:
    """The ``unit``s inside ``period`` not ended at ``as_of``: (label, when it ends and is judged), in order.

    Naive local times, as the period and the as-of time are.
    """
    out = []
    start = _first(unit, period.start)
    while True:
        end = _next(unit, start)
        if end > period.end:
            break
        if end > as_of:
            out.append((label(unit, start), end))
        start = end
    return tuple(out)


def label(unit: str, start: datetime) -> str:
    """The label of the ``unit`` starting at ``start`` (as :func:`label_sql` writes it)."""
    if unit == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return start.strftime(FORMATS[unit])


def _trunc(unit: str, moment: datetime) -> datetime:
    day = datetime(moment.year, moment.month, moment.day)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return datetime(moment.year, 3 * ((moment.month - 1) // 3) + 1, 1)
    return datetime(moment.year, 1, 1)


def _first(unit: str, moment: datetime) -> datetime:
    start = _trunc(unit, moment)
    return start if start >= moment else _next(unit, start)


def _next(unit: str, start: datetime) -> datetime:
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    index = start.month - 1 + months
    return datetime(start.year + index // 12, index % 12 + 1, 1)
