"""Due times of goals (engine/goals.py): each reading of a duration, its warning time and paused time, in SQL."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from clausewise.engine.calendar import BusinessCalendar, register
from clausewise.engine.goals import Goal, due_sql, warning_sql
from clausewise.model import Duration

NEW_YORK = "America/New_York"


@pytest.fixture(scope="module")
def ny():
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{NEW_YORK}'")
    cal = register(con, BusinessCalendar(country="US", timezone=NEW_YORK), date(2026, 1, 1), date(2026, 12, 31))
    yield con, cal
    con.close()


def due(ny, goal: str, start: str, fraction: float = 1.0, paused: dict[str, str] | None = None) -> str:
    """The due (or warning) time of ``goal`` from ``start`` (an instant with its offset), as UTC text."""
    con, cal = ny
    goal, start = Goal(((None, Duration.parse(goal)),)), f"TIMESTAMPTZ '{start}'"
    sql = warning_sql(goal, start, f"({due_sql(goal, start, cal, paused or {})})", cal, paused or {}, fraction)
    value = con.execute(f"SELECT ({sql}) AT TIME ZONE 'UTC'").fetchone()[0]
    return value.isoformat(sep=" ")


@pytest.mark.parametrize(("goal", "start", "fraction", "expected"), [
    # Saturday 2026-03-07 10:00 EST = 15:00 UTC. 1 day: 24:00 of Sunday 8 March, a 23-hour
    # day, = Monday 00:00 EDT = 04:00 UTC, 37 h after the start.
    ("1 day", "2026-03-07 10:00-05", 1.0, "2026-03-09 04:00:00"),
    # Half of 37 h = 18.5 h: 15:00 + 18:30 = 09:30 UTC (05:30 EDT).
    ("1 day", "2026-03-07 10:00-05", 0.5, "2026-03-08 09:30:00"),
    # 1 day elapsed: 24 real hours.
    ("1 day elapsed", "2026-03-07 10:00-05", 1.0, "2026-03-08 15:00:00"),
    # Saturday 2026-10-31 10:00 EDT = 14:00 UTC. Sunday 1 November has 25 hours: due Monday
    # 00:00 EST = 05:00 UTC, 39 h later; 0.8 × 39 h = 31.2 h = 31:12 → 21:12 UTC on 1 November.
    ("1 day", "2026-10-31 10:00-04", 1.0, "2026-11-02 05:00:00"),
    ("1 day", "2026-10-31 10:00-04", 0.8, "2026-11-01 21:12:00"),
    # 1 working day from Friday 2026-03-06 12:00 EST: Monday 9 March closes at 18:00 EDT = 22:00 UTC.
    ("1 working day", "2026-03-06 12:00-05", 1.0, "2026-03-09 22:00:00"),
    # Its warning: Friday 12:00-18:00 6 h + Monday 9 h = 15 working hours; half is 7.5 h:
    # Friday 6 h, then Monday 09:00 EDT + 1.5 h = 10:30 EDT = 14:30 UTC.
    ("1 working day", "2026-03-06 12:00-05", 0.5, "2026-03-09 14:30:00"),
    # The hour reading: 9 working hours from Friday 12:00: 6 h Friday, 3 h Monday → 12:00 EDT = 16:00 UTC.
    ("1 working day elapsed", "2026-03-06 12:00-05", 1.0, "2026-03-09 16:00:00"),
    # 1 month from 2026-01-31 10:00 EST: 2026-02-28 10:00 EST = 15:00 UTC; half of those 28 days is 14 days.
    ("1 month", "2026-01-31 10:00-05", 1.0, "2026-02-28 15:00:00"),
    ("1 month", "2026-01-31 10:00-05", 0.5, "2026-02-14 15:00:00"),
])
def test_due_and_warning_times(ny, goal, start, fraction, expected):
    assert due(ny, goal, start, fraction) == expected


def test_paused_time_moves_a_day_counted_end_in_its_own_basis(ny):
    # 1 working day from Friday 2026-03-06 12:00 EST ends Monday 18:00 EDT; 2 paused working
    # hours move it to Tuesday 11:00 EDT (Monday closes at 18:00; Tuesday 09:00 + 2 h) = 15:00 UTC.
    assert due(ny, "1 working day", "2026-03-06 12:00-05", paused={"working": "7200"}) == "2026-03-10 15:00:00"
    # 1 day from Saturday 10:00 EST ends Monday 00:00 EDT (04:00 UTC); 2 paused hours: 06:00 UTC.
    assert due(ny, "1 day", "2026-03-07 10:00-05", paused={"calendar": "7200"}) == "2026-03-09 06:00:00"


def test_the_warning_time_is_a_share_of_the_time_before_the_pause_then_the_pause(ny):
    # 1 working day from Friday 2026-03-06 12:00 EST: 15 working hours to Monday's close (6 h Friday, 9 h
    # Monday). Half of them is 7.5 h, and 2 paused working hours make 9.5 h: Friday 6 h, Monday 09:00 EDT
    # + 3.5 h = 12:30 EDT = 16:30 UTC.
    assert due(ny, "1 working day", "2026-03-06 12:00-05", 0.5, {"working": "7200"}) == "2026-03-09 16:30:00"
    # 1 day from Saturday 2026-03-07 10:00 EST (15:00 UTC) ends 37 h later; half is 18.5 h (09:30 UTC on
    # Sunday), and 2 paused hours make it 11:30 UTC.
    assert due(ny, "1 day", "2026-03-07 10:00-05", 0.5, {"calendar": "7200"}) == "2026-03-08 11:30:00"
    # 4 working hours from Friday 12:00 EST, a quarter of them (1 h) and 2 paused working hours: 15:00 EST = 20:00 UTC.
    assert due(ny, "4 working hours", "2026-03-06 12:00-05", 0.25, {"working": "7200"}) == "2026-03-06 20:00:00"
    # 10 hours of wall-clock time from Friday 12:00 EST (17:00 UTC): 0.8 × 10 h = 8 h and 1 paused hour: 02:00 UTC.
    assert due(ny, "10h", "2026-03-06 12:00-05", 0.8, {"calendar": "3600"}) == "2026-03-07 02:00:00"
