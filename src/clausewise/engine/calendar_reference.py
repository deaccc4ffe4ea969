"""The business calendar's operations in plain Python, one day at a time.

The same semantics as the SQL of :mod:`.calendar`, written to be obviously
correct rather than fast: each function walks the local days from the start
and looks at every working interval. It is the tests' oracle, and can explain
a single deadline; never use it per record.

Instants are aware datetimes; a naive datetime is local time in the
calendar's timezone, read as the database reads it (see
:func:`.calendar_tables.read_local`). Results that are times come back aware
for aware input and as naive local time for naive input.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from .calendar import BusinessCalendar
from .calendar_tables import US, boundary, from_us, local_day, read_local, to_us, wall_clock

# How far ahead to look for a deadline before giving up.
HORIZON = timedelta(days=4 * 366)


def reference_working_seconds(cal: BusinessCalendar, a: datetime, b: datetime) -> Decimal:
    """Working seconds in [a, b): the overlap of [a, b) with every working interval."""
    start, stop = _us(cal, a), _us(cal, b)
    total = 0
    day = local_day(cal.zone, start) - timedelta(days=1)  # a night shift may reach into a's day
    while stop > start and day <= local_day(cal.zone, stop):
        for begin, end in _intervals(cal, day):
            total += max(min(stop, end) - max(start, begin), 0)
        day += timedelta(days=1)
    return Decimal(total) / US


def reference_add_working_seconds(cal: BusinessCalendar, a: datetime, seconds: Decimal | int) -> datetime:
    """The earliest instant by which ``seconds`` of working time have elapsed since ``a``."""
    remaining = int(Decimal(seconds) * US)
    if remaining <= 0:
        return a
    start = _us(cal, a)
    day = local_day(cal.zone, start) - timedelta(days=1)
    while day <= local_day(cal.zone, start) + HORIZON:
        for begin, end in _intervals(cal, day):
            begin = max(begin, start)
            if end > begin and remaining <= end - begin:
                return _like(cal, a, begin + remaining)
            remaining -= max(end - begin, 0)
        day += timedelta(days=1)
    raise ValueError(f"no deadline within {HORIZON.days} days of {a}")


def reference_end_of_working_days(cal: BusinessCalendar, a: datetime, n: int, at_close: bool = False) -> datetime:
    """The end (24:00, or the close of its working hours) of the n-th working day after a's date."""
    if n <= 0:
        return a
    day, counted = local_day(cal.zone, _us(cal, a)), 0
    while counted < n:
        day += timedelta(days=1)
        counted += bool(cal.working_hours(day))
    end = cal.working_hours(day)[-1][1] if at_close else 86_400
    return _like(cal, a, boundary(cal.zone, day, end))


def reference_end_of_days(cal: BusinessCalendar, a: datetime, n: int) -> datetime:
    """24:00 local time at the end of the n-th calendar day after a's local date."""
    day = local_day(cal.zone, _us(cal, a)) + timedelta(days=n)
    return _like(cal, a, boundary(cal.zone, day, 86_400))


def _intervals(cal: BusinessCalendar, day: date) -> list[tuple[int, int]]:
    return [(boundary(cal.zone, day, s), boundary(cal.zone, day, e)) for s, e in cal.working_hours(day)]


def _us(cal: BusinessCalendar, moment: datetime) -> int:
    return to_us(moment) if moment.tzinfo else read_local(cal.zone, moment)


def _like(cal: BusinessCalendar, a: datetime, us: int) -> datetime:
    return from_us(us, cal.zone) if a.tzinfo else wall_clock(cal.zone, us)
