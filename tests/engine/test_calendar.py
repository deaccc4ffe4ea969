"""Working-time SQL against the day-by-day Python reference, plus hand-worked examples."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from clausewise.engine.calendar import BusinessCalendar, CalendarSQL, micros, parse_hours, register
from clausewise.engine.calendar_reference import (
    reference_add_working_seconds,
    reference_end_of_days,
    reference_end_of_working_days,
    reference_working_seconds,
)
from clausewise.engine.calendar_tables import boundary, read_local, to_us, wall_clock

FIRST, LAST = date(2024, 1, 1), date(2026, 12, 31)
DAY = 9 * 3600  # one working day of the default 09:00-18:00 calendar, in seconds
HOUR = 3600
SHANGHAI, NEW_YORK, BERLIN = "Asia/Shanghai", "America/New_York", "Europe/Berlin"

# Official make-up working days (调休) of the State Council notices for 2024-2026.
MAKE_UP_DAYS = {
    date(2024, 2, 4), date(2024, 2, 18), date(2024, 4, 7), date(2024, 4, 28),
    date(2024, 5, 11), date(2024, 9, 14), date(2024, 9, 29), date(2024, 10, 12),
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28),
    date(2025, 10, 11),
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
    date(2026, 9, 20), date(2026, 10, 10),
}  # fmt: skip


@pytest.fixture(scope="module")
def db():
    """One connection per timezone: ``db(zone)``."""
    connections: dict[str, duckdb.DuckDBPyConnection] = {}

    def connect(zone: str) -> duckdb.DuckDBPyConnection:
        if zone not in connections:
            connections[zone] = duckdb.connect()
            connections[zone].execute(f"SET TimeZone = '{zone}'")
        return connections[zone]

    yield connect
    for connection in connections.values():
        connection.close()


@pytest.fixture(scope="module")
def con(db):
    return db(SHANGHAI)


@pytest.fixture(scope="module")
def cn(con) -> CalendarSQL:
    return register(con, BusinessCalendar(), FIRST, LAST, name="cn_calendar")


def ts(text: str) -> str:
    return f"TIMESTAMP '{text}'"


def tz(text: str) -> str:
    return f"TIMESTAMPTZ '{text}'"


def scalar(con, sql: str):
    return con.execute(f"SELECT {sql}").fetchone()[0]


def iso(moment: datetime) -> str:
    """An instant as text with its offset, which tells the two 01:30s of a night apart."""
    return moment.isoformat()


def due(con, cal: CalendarSQL, start: str, seconds: int | str) -> datetime:
    """The deadline as local time, through both the instant and the naive form."""
    instant = scalar(con, cal.add_working_seconds(ts(start), str(seconds)))
    local = scalar(con, cal.add_working_seconds(ts(start), str(seconds), naive=True))
    assert instant.replace(tzinfo=None) == local
    return local


def elapsed(con, cal: CalendarSQL, a: str, b: str) -> Decimal:
    worked = scalar(con, cal.working_seconds(ts(a), ts(b)))
    assert scalar(con, cal.working_seconds(ts(a), ts(b), naive=True)) == worked
    return worked


def night_calendar(zone: str, hours: str, **kwargs) -> BusinessCalendar:
    return BusinessCalendar(country={NEW_YORK: "US", BERLIN: "DE"}[zone], timezone=zone, hours=hours, **kwargs)


# --- the worked examples of docs/time.md -------------------------------------


def test_friday_plus_one_working_day_lands_on_make_up_saturday(con, cn):
    assert due(con, cn, "2026-10-09 10:00", DAY) == datetime(2026, 10, 10, 10, 0)
    notice = ts("2026-10-12 09:00")
    assert scalar(con, f"{notice} <= {cn.add_working_seconds(ts('2026-10-09 10:00'), DAY)}") is False


def test_one_working_day_spans_national_day(con, cn):
    assert due(con, cn, "2026-09-30 17:00", DAY) == datetime(2026, 10, 8, 17, 0)
    assert elapsed(con, cn, "2026-09-30 17:00", "2026-10-08 10:00") == 2 * HOUR


def test_due_instant_is_on_time_and_one_minute_later_is_late(con, cn):
    deadline = cn.add_working_seconds(ts("2026-09-30 17:00"), DAY)
    assert scalar(con, f"{ts('2026-10-08 17:00')} <= {deadline}") is True
    assert scalar(con, f"{ts('2026-10-08 17:01')} <= {deadline}") is False
    assert elapsed(con, cn, "2026-09-30 17:00", "2026-10-08 17:00") == DAY
    assert elapsed(con, cn, "2026-09-30 17:00", "2026-10-08 17:01") == DAY + 60


def test_working_time_used_up_at_close_ends_at_close_not_next_opening(con, cn):
    assert due(con, cn, "2026-09-29 09:00", 2 * DAY) == datetime(2026, 9, 30, 18, 0)
    assert due(con, cn, "2026-10-03 12:00", 3 * DAY) == datetime(2026, 10, 10, 18, 0)


def test_four_working_hours_skip_mid_autumn_and_the_weekend(con, cn):
    assert due(con, cn, "2026-09-24 16:00", 4 * HOUR) == datetime(2026, 9, 28, 11, 0)


def test_pause_is_subtracted_as_its_own_working_time(con, cn):
    total = elapsed(con, cn, "2026-09-17 16:00", "2026-09-21 15:00")
    paused = elapsed(con, cn, "2026-09-18 10:00", "2026-09-21 11:00")
    assert (total, paused, total - paused) == (26 * HOUR, 19 * HOUR, 7 * HOUR)


def test_start_outside_working_time_counts_from_next_opening(con, cn):
    assert due(con, cn, "2026-10-03 12:00", HOUR) == datetime(2026, 10, 8, 10, 0)
    assert due(con, cn, "2026-10-09 20:00", HOUR) == datetime(2026, 10, 10, 10, 0)
    assert due(con, cn, "2026-10-09 07:00", HOUR) == datetime(2026, 10, 9, 10, 0)


def test_make_up_sunday_counts(con, cn):
    assert elapsed(con, cn, "2026-09-19 00:00", "2026-09-21 00:00") == DAY


# --- more than one interval, night shifts, weekdays of their own ------------------


def test_lunch_break_is_not_working_time(db):
    con = db(SHANGHAI)
    sql = register(con, BusinessCalendar(hours="09:00-12:00, 13:00-18:00"), FIRST, LAST, name="lunch")
    # Monday 12 October 2026, 11:00 + 2 h: 1 h to 12:00, lunch, 1 h from 13:00 → 14:00.
    assert due(con, sql, "2026-10-12 11:00", 2 * HOUR) == datetime(2026, 10, 12, 14, 0)
    assert elapsed(con, sql, "2026-10-12 11:00", "2026-10-12 14:00") == 2 * HOUR
    # 1 h from 11:00 runs out at 12:00 exactly: the answer is 12:00, not 13:00.
    assert due(con, sql, "2026-10-12 11:00", HOUR) == datetime(2026, 10, 12, 12, 0)
    # During lunch the clock stands: 12:30 + 30 min = 13:30.
    assert due(con, sql, "2026-10-12 12:30", 1800) == datetime(2026, 10, 12, 13, 30)
    # A working day is 3 h + 5 h = 8 h.
    assert sql.day_seconds == 8 * HOUR


def test_night_shift_belongs_to_the_day_it_starts_on(db):
    con = db(BERLIN)
    sql = register(con, night_calendar(BERLIN, "22:00-06:00"), FIRST, LAST, name="night")
    # Friday 12 June 2026, 23:00 + 8 h: Friday's shift gives 7 h (to Saturday 06:00);
    # Saturday and Sunday are off, so no shift starts on them; Monday's shift starts
    # at 22:00 and the last hour ends at Monday 23:00.
    assert iso(scalar(con, sql.add_working_seconds(tz("2026-06-12 23:00+02"), 8 * HOUR))) == "2026-06-15T23:00:00+02:00"
    assert due(con, sql, "2026-06-12 23:00", 8 * HOUR) == datetime(2026, 6, 15, 23, 0)
    # Saturday 00:00 to Monday 00:00 holds Friday's shift from midnight on: 6 h.
    assert elapsed(con, sql, "2026-06-13 00:00", "2026-06-15 00:00") == 6 * HOUR
    # 7 h from Friday 23:00 runs out at 06:00, the end of the shift.
    assert due(con, sql, "2026-06-12 23:00", 7 * HOUR) == datetime(2026, 6, 13, 6, 0)
    # Clock buckets start at 14:00, the middle of 06:00-22:00, so no shift is cut in two.
    assert sql.pieces == 1


def test_saturday_hours_of_its_own(db):
    con = db(SHANGHAI)
    cal = BusinessCalendar(weekday_hours={5: "09:00-13:00"})
    sql = register(con, cal, FIRST, LAST, name="saturdays")
    # Friday 12 June 2026, 17:00: 1 h on Friday, then Saturday 13 June is worked 09:00-13:00.
    assert due(con, sql, "2026-06-12 17:00", 2 * HOUR) == datetime(2026, 6, 13, 10, 0)
    assert due(con, sql, "2026-06-12 17:00", 5 * HOUR) == datetime(2026, 6, 13, 13, 0)  # 1 h + 4 h, at close
    # 6 h: 1 h + 4 h, Sunday off, 1 h on Monday 15 June → 10:00.
    assert due(con, sql, "2026-06-12 17:00", 6 * HOUR) == datetime(2026, 6, 15, 10, 0)
    # A make-up Saturday is a Saturday and keeps Saturday's 4 h; the make-up Sunday
    # 20 September has no hours of its own and takes the regular 9 h.
    assert elapsed(con, sql, "2026-10-10 00:00", "2026-10-11 00:00") == 4 * HOUR
    assert elapsed(con, sql, "2026-09-20 00:00", "2026-09-21 00:00") == 9 * HOUR
    assert cal.day_seconds is None


# --- daylight saving time ----------------------------------------------------------


def test_night_shift_over_spring_forward_and_fall_back(db):
    con = db(NEW_YORK)
    sql = register(con, night_calendar(NEW_YORK, "22:00-06:00", weekend=()), FIRST, LAST, name="ny_night")
    # Saturday 7 March 2026 22:00 EST (03:00Z) to Sunday 06:00 EDT (10:00Z): 7 h, not 8.
    worked = sql.working_seconds(tz("2026-03-07 22:00-05"), tz("2026-03-08 06:00-04"))
    assert scalar(con, worked) == 7 * HOUR
    # 8 h from Saturday 22:00: 7 h that night, then 1 h of Sunday's shift (22:00 EDT) → 23:00 EDT.
    start = tz("2026-03-07 22:00-05")
    assert iso(scalar(con, sql.add_working_seconds(start, 8 * HOUR))) == "2026-03-08T23:00:00-04:00"
    # Saturday 31 October 22:00 EDT (02:00Z) to Sunday 06:00 EST (11:00Z): 9 h.
    assert scalar(con, sql.working_seconds(tz("2026-10-31 22:00-04"), tz("2026-11-01 06:00-05"))) == 9 * HOUR


def test_day_hours_on_the_day_the_clocks_change_are_whole(db):
    con = db(NEW_YORK)
    sql = register(con, night_calendar(NEW_YORK, "09:00-18:00", weekend=()), FIRST, LAST, name="ny_day")
    # Sunday 8 March 2026: the clocks jump at 02:00, before the working day; 09:00-18:00 EDT is 9 h.
    assert elapsed(con, sql, "2026-03-08 00:00", "2026-03-09 00:00") == 9 * HOUR


def test_boundaries_in_the_skipped_and_in_the_repeated_hour(db):
    con = db(NEW_YORK)
    early = register(con, night_calendar(NEW_YORK, "02:30-06:00", weekend=()), FIRST, LAST, name="ny_gap")
    # 8 March 2026 skips 02:00-03:00: the 02:30 opening falls at the jump, 03:00 EDT; 03:00-06:00 is 3 h.
    assert scalar(con, early.working_seconds(tz("2026-03-08 00:00-05"), tz("2026-03-08 12:00-04"))) == 3 * HOUR
    assert scalar(con, early.working_seconds(tz("2026-03-09 00:00-04"), tz("2026-03-09 12:00-04"))) == Decimal(3.5 * HOUR)
    # A naive 02:30 in the data is read as DuckDB reads it, moved forward to 03:30 EDT: 2.5 h to 06:00.
    assert elapsed(con, early, "2026-03-08 02:30", "2026-03-08 06:00") == Decimal(2.5 * HOUR)
    late = register(con, night_calendar(NEW_YORK, "01:30-06:00", weekend=()), FIRST, LAST, name="ny_fold")
    # 1 November 2026 shows 01:00-02:00 twice: the opening is the first 01:30 (EDT, 05:30Z),
    # the close 06:00 EST (11:00Z): 5.5 h instead of 4.5 h.
    assert scalar(con, late.working_seconds(tz("2026-11-01 00:00-04"), tz("2026-11-01 12:00-05"))) == Decimal(5.5 * HOUR)
    # A naive 01:30 in the data is the second one (EST, 06:30Z): 4.5 h to 06:00 EST.
    assert elapsed(con, late, "2026-11-01 01:30", "2026-11-01 06:00") == Decimal(4.5 * HOUR)


def test_the_reference_reads_local_time_as_duckdb_does(db):
    con = db(NEW_YORK)
    zone = ZoneInfo(NEW_YORK)
    for text in ["2026-03-08 01:59:59", "2026-03-08 02:00", "2026-03-08 02:30", "2026-03-08 03:00",
                 "2026-11-01 00:59:59", "2026-11-01 01:00", "2026-11-01 01:30", "2026-11-01 02:00"]:  # fmt: skip
        assert read_local(zone, datetime.fromisoformat(text)) == scalar(con, f"epoch_us(CAST({ts(text)} AS TIMESTAMPTZ))")


# --- periods counted in days -------------------------------------------------------


def test_working_days_period_ends_at_midnight_or_close(con, cn):
    # Wednesday 30 September 2026: the day itself is not counted; 1-7 October are off;
    # Thursday 8, Friday 9 and the make-up Saturday 10 October are the 3 working days.
    start = ts("2026-09-30 10:00")
    assert scalar(con, cn.end_of_working_days(start, 3, naive=True)) == datetime(2026, 10, 11, 0, 0)
    assert scalar(con, cn.end_of_working_days(start, 3, at_close=True, naive=True)) == datetime(2026, 10, 10, 18, 0)
    assert iso(scalar(con, cn.end_of_working_days(start, 3))) == "2026-10-11T00:00:00+08:00"
    # Friday 9 October before opening: Friday does not count; the 1st is Saturday 10 October.
    assert scalar(con, cn.end_of_working_days(ts("2026-10-09 08:00"), 1, naive=True)) == datetime(2026, 10, 11, 0, 0)


def test_calendar_days_period_ends_at_midnight(con, cn):
    # 15 days from Wednesday 30 September 2026: 1 … 15 October; it ends at 24:00 on the 15th.
    assert scalar(con, cn.end_of_days(ts("2026-09-30 10:00"), 15, naive=True)) == datetime(2026, 10, 16, 0, 0)
    # Starting at 00:00 or at 23:59 on the 30th makes no difference.
    assert scalar(con, cn.end_of_days(ts("2026-09-30 23:59:59"), 15, naive=True)) == datetime(2026, 10, 16, 0, 0)
    assert scalar(con, cn.end_of_days(ts("2026-09-30 00:00"), 0, naive=True)) == datetime(2026, 10, 1, 0, 0)


def test_day_periods_across_a_clock_change(db):
    con = db(NEW_YORK)
    sql = register(con, night_calendar(NEW_YORK, "22:00-06:00"), FIRST, LAST, name="ny_days")
    # The day after Saturday 7 March is Sunday 8 March, 23 hours long: it ends at 00:00 EDT.
    assert iso(scalar(con, sql.end_of_days(tz("2026-03-07 12:00-05"), 1))) == "2026-03-09T00:00:00-04:00"
    # One working day after Friday 6 March: Monday 9 March, whose shift closes at Tuesday 06:00.
    assert iso(scalar(con, sql.end_of_working_days(tz("2026-03-06 12:00-05"), 1))) == "2026-03-10T00:00:00-04:00"
    closes = sql.end_of_working_days(tz("2026-03-06 12:00-05"), 1, at_close=True)
    assert iso(scalar(con, closes)) == "2026-03-10T06:00:00-04:00"


# --- edges of the interface ----------------------------------------------------


def test_nulls_reversed_intervals_and_non_positive_amounts(con, cn):
    for naive in (False, True):
        assert scalar(con, cn.working_seconds("NULL", ts("2026-10-08 10:00"), naive=naive)) is None
        assert scalar(con, cn.working_seconds(ts("2026-10-08 10:00"), "NULL", naive=naive)) is None
        assert scalar(con, cn.add_working_seconds("NULL", "60", naive=naive)) is None
        assert scalar(con, cn.add_working_seconds(ts("2026-10-09 10:00"), "NULL", naive=naive)) is None
        assert scalar(con, cn.end_of_working_days("NULL", "1", naive=naive)) is None
        assert scalar(con, cn.end_of_working_days(ts("2026-10-09 10:00"), "NULL", naive=naive)) is None
        assert scalar(con, cn.end_of_days("NULL", "1", naive=naive)) is None
        assert scalar(con, cn.end_of_days(ts("2026-10-09 10:00"), "NULL", naive=naive)) is None
    assert elapsed(con, cn, "2026-10-09 12:00", "2026-10-09 10:00") == 0
    assert due(con, cn, "2026-10-03 12:00", 0) == datetime(2026, 10, 3, 12, 0)
    assert due(con, cn, "2026-10-03 12:00", -5) == datetime(2026, 10, 3, 12, 0)
    assert scalar(con, cn.end_of_working_days(ts("2026-10-03 12:00"), 0, naive=True)) == datetime(2026, 10, 3, 12, 0)


def test_sub_second_precision_is_exact(con, cn):
    start = "2026-10-09 17:59:59.75"
    assert due(con, cn, start, "0.5") == datetime(2026, 10, 10, 9, 0, 0, 250000)
    assert elapsed(con, cn, start, "2026-10-10 09:00:00.25") == Decimal("0.5")


@pytest.mark.parametrize(("seconds", "expected"), [
    ("0.000001", 1),
    ("-1.5", -1_500_000),
    ("23040.8", 23_040_800_000),  # 0.8 of 8 working hours: 28,800 s × 0.8
    ("35478000", 35_478_000_000_000),  # 3 × 365 working days of 9 hours (32,400 s): past DECIMAL(18,6)'s 106 days
    ("2199999999.999999", 2_199_999_999_999_999),  # 70 years, the last exact: 2.2e9 s × 1e6 ± half a microsecond
    ("-2199999999.999999", -2_199_999_999_999_999),
])
def test_seconds_become_whole_microseconds_exactly(con, seconds, expected):
    assert scalar(con, micros(f"CAST('{seconds}' AS DECIMAL(18,6))")) == expected


def test_result_types(con, cn):
    a, b = ts("2026-10-09 10:00"), ts("2026-10-09 11:00")
    assert scalar(con, f"typeof({cn.working_seconds(a, b)})") == "DECIMAL(18,6)"
    assert scalar(con, f"typeof({cn.add_working_seconds(a, 60)})") == "TIMESTAMP WITH TIME ZONE"
    assert scalar(con, f"typeof({cn.add_working_seconds(a, 60, naive=True)})") == "TIMESTAMP"
    assert scalar(con, f"typeof({cn.end_of_days(a, 1)})") == "TIMESTAMP WITH TIME ZONE"
    assert scalar(con, f"typeof({cn.end_of_working_days(a, 1, naive=True)})") == "TIMESTAMP"


@pytest.mark.parametrize("naive", [False, True])
@pytest.mark.parametrize("zone", [SHANGHAI, NEW_YORK])  # one offset all year (read without the tables), and two
def test_outside_registered_range_is_an_error_not_null(db, zone, naive):
    con = db(zone)
    cn = register(con, night_calendar(zone, "09:00-18:00") if zone == NEW_YORK else BusinessCalendar(), FIRST, LAST,
                  name="ranged")  # fmt: skip
    early, inside = ts("2020-01-01 10:00"), ts("2026-10-09 10:00")
    for sql in [
        cn.working_seconds(early, ts("2026-01-05 10:00"), naive=naive),
        cn.working_seconds(inside, ts("2031-01-05 10:00"), naive=naive),
        cn.add_working_seconds(inside, str(3 * 365 * DAY), naive=naive),
        cn.add_working_seconds(early, "60", naive=naive),
        cn.end_of_working_days(inside, "2000", naive=naive),
        cn.end_of_days(inside, "2000", naive=naive),
        cn.end_of_days(early, "1", naive=naive),
    ]:
        with pytest.raises(duckdb.Error, match="outside the business calendar"):
            scalar(con, sql)


def test_expressions_compose_over_a_table(con, cn):
    con.execute(
        """CREATE OR REPLACE TABLE tickets AS SELECT * FROM (VALUES
        (1, TIMESTAMP '2026-10-09 10:00', TIMESTAMP '2026-10-10 10:00', TIMESTAMP '2026-10-10 09:30'),
        (2, TIMESTAMP '2026-10-09 10:00', TIMESTAMP '2026-10-12 09:00', NULL),
        (3, NULL, NULL, NULL)) AS t(id, opened, closed, paused)"""
    )
    deadline = cn.add_working_seconds("t.opened", str(DAY))
    net = f"{cn.working_seconds('t.opened', 't.closed')} - {cn.working_seconds('t.paused', 't.closed')}"
    rows = con.execute(
        f"""SELECT id,
                   CASE WHEN closed <= {deadline} THEN 'on time' ELSE 'late' END,
                   {cn.working_seconds(deadline, 't.closed')},
                   {net}
            FROM tickets AS t ORDER BY id"""
    ).fetchall()
    # 1: due Saturday 10:00 (8 h Friday + 1 h); closed then; 9 h - 0.5 h between pause and close.
    # 2: closed Monday 09:00, 23 h after the due time Saturday 10:00 → 8 h of Saturday (make-up day).
    assert rows == [
        (1, "on time", 0, Decimal(DAY - 1800)),
        (2, "late", DAY - HOUR, None),
        (3, "late", None, None),
    ]


def test_caller_columns_named_like_internal_ones_do_not_clash(con, cn):
    con.execute(
        "CREATE OR REPLACE TABLE clash AS "
        "SELECT TIMESTAMP '2026-10-09 10:00' AS day, TIMESTAMP '2026-10-09 12:00' AS bucket"
    )
    assert con.execute(f"SELECT {cn.working_seconds('day', 'bucket')} FROM clash").fetchone() == (7200,)
    # In a layer the calendar's columns join the records' rows: they come under names of the layer's own.
    layer = cn.layer("__cw0_")
    read = layer.working_seconds("day", "bucket")
    assert con.execute(f"SELECT day, bucket, {read} FROM ({layer.over('SELECT * FROM clash')})").fetchone() == (
        datetime(2026, 10, 9, 10, 0), datetime(2026, 10, 9, 12, 0), 7200)  # 10:00 to 12:00 on a working Friday


def test_connection_must_be_in_the_calendars_timezone(db):
    with pytest.raises(ValueError, match="TimeZone"):
        register(db(BERLIN), BusinessCalendar(), FIRST, LAST, name="wrong_zone")


# --- the calendar itself ---------------------------------------------------------


def test_make_up_days_come_from_holidays_for_2024_to_2026():
    days = BusinessCalendar().days(FIRST, LAST)
    weekend_workdays = {d for d, working in days if working and d.weekday() >= 5}
    assert weekend_workdays == MAKE_UP_DAYS


def test_national_day_2026_is_off_and_its_make_up_days_are_on():
    flags = dict(BusinessCalendar().days(date(2026, 9, 19), date(2026, 10, 12)))
    assert [d for d, working in flags.items() if not working] == [
        date(2026, 9, 19), date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27),
        *(date(2026, 10, n) for n in range(1, 8)), date(2026, 10, 11),
    ]  # fmt: skip


def test_policy_overrides_win_over_the_country():
    cal = BusinessCalendar(extra_holidays=[date(2026, 10, 9)], extra_workdays=[date(2026, 10, 4)])
    flags = dict(cal.days(date(2026, 10, 4), date(2026, 10, 9)))
    assert flags[date(2026, 10, 4)] is True
    assert flags[date(2026, 10, 9)] is False


def test_other_countries_and_weekends():
    def flags(cal: BusinessCalendar, start: date, end: date) -> list[bool]:
        return [working for _, working in cal.days(start, end)]

    # 4 July 2026 is a Saturday, observed on Friday the 3rd.
    assert flags(BusinessCalendar(country="US", subdivision="CA"), date(2026, 7, 3), date(2026, 7, 6)) == [
        False, False, False, True,
    ]  # fmt: skip
    # Israel rests on Friday and Saturday.
    assert flags(BusinessCalendar(country="IL"), date(2026, 1, 1), date(2026, 1, 4)) == [True, False, False, True]
    assert flags(BusinessCalendar(country="GB", weekend=[6]), date(2026, 1, 10), date(2026, 1, 11)) == [True, False]
    # Saturday given hours is worked although China rests on it.
    assert flags(BusinessCalendar(weekday_hours={5: "09:00-13:00"}), date(2026, 6, 13), date(2026, 6, 14)) == [True, False]


def test_hours_syntax():
    assert parse_hours("09:00-18:00") == ((9 * HOUR, 18 * HOUR),)
    assert parse_hours(" 13:00-18:00 ,09:00-12:00") == ((9 * HOUR, 12 * HOUR), (13 * HOUR, 18 * HOUR))
    assert parse_hours("22:00-06:00") == ((22 * HOUR, 30 * HOUR),)  # to 06:00 the next day
    assert parse_hours("00:00-24:00") == ((0, 24 * HOUR),)
    assert parse_hours("08:30:15-17:15") == ((8 * HOUR + 1815, 17 * HOUR + 900),)
    assert parse_hours([(time(9), time(12)), (time(13), time(18))]) == parse_hours("09:00-12:00, 13:00-18:00")
    assert parse_hours([(time(18), time(9))]) == ((18 * HOUR, 33 * HOUR),)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("09:00-12:00, 11:00-13:00", "09:00-12:00 and 11:00-13:00 overlap"),
        ("09:00-09:00", "are empty"),
        ([(time(9), time(9))], "are empty"),
        (", ".join(f"{h:02d}:00-{h:02d}:30" for h in range(7)), "at most 6"),
        ("25:00-26:00", '"25:00" is not a time of day'),
        ("09:60-10:00", '"09:60" is not a time of day'),
        ("24:00-06:00", "24:00 can only end"),
        ("9-18", '"9-18" is not working hours'),
        ("", "no working hours"),
        ([(time(9, 0, 0, 5), time(18))], "resolution of one second"),
    ],
)
def test_bad_hours_are_rejected(hours, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(hours=hours)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hours": "09:00-12:00, 22:00-10:00"}, "22:00-10:00 on Monday run into the next day's 09:00-12:00"),
        ({"hours": "20:00-08:00", "weekday_hours": {5: "07:00-12:00"}}, "on Friday run into the next day's 07:00"),
        ({"weekend": [5, 6], "weekday_hours": {5: "09:00-13:00"}}, "Saturday is in the weekend but has working hours"),
        ({"weekday_hours": {7: "09:00-13:00"}}, "not a weekday number"),
        ({"extra_holidays": [date(2026, 1, 5)], "extra_workdays": [date(2026, 1, 5)]}, "both extra holiday"),
        ({"timezone": "Mars/Olympus"}, "unknown timezone"),
    ],
)
def test_invalid_calendars_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**kwargs)


def test_unknown_country_is_a_value_error():
    with pytest.raises(ValueError, match="XX"):
        BusinessCalendar(country="XX").days(FIRST, FIRST)


def test_day_length_follows_working_hours():
    assert BusinessCalendar().day_seconds == DAY
    assert BusinessCalendar(hours=[(time(8, 30), time(17, 15, 30))]).day_seconds == 31530
    assert BusinessCalendar(hours="22:00-06:00").day_seconds == 8 * HOUR
    assert BusinessCalendar(weekday_hours={5: "08:00-17:00"}).day_seconds == DAY  # as long as the others
    assert BusinessCalendar(weekday_hours={5: "09:00-13:00"}).day_seconds is None


def test_register_table_shape(con):
    sql = register(con, BusinessCalendar(), date(2026, 10, 1), date(2026, 10, 31), name="shape", pad=timedelta(0))
    rows = con.execute(
        "SELECT day, is_workday, ordinal, through, begins, ends_local, closes_local FROM shape_days ORDER BY day"
    ).fetchall()
    assert (sql.first, sql.last) == (date(2026, 10, 1), date(2026, 10, 31))
    assert len(rows) == 31
    shanghai = ZoneInfo(SHANGHAI)
    # Thursday 8 October, the first working day of the month: ordinal 0, one working day so far.
    assert rows[7] == (date(2026, 10, 8), True, 0, 1, datetime(2026, 10, 8, tzinfo=shanghai),
                       datetime(2026, 10, 9), datetime(2026, 10, 8, 18))  # fmt: skip
    assert rows[10][:4] == (date(2026, 10, 11), False, None, 3)  # Sunday after 8, 9 and 10 October
    # One clock bucket per day; 09:00-18:00 fits in one whatever the origin; in a 9 h index bucket one interval;
    # Shanghai keeps UTC+8 all year.
    assert (sql.pieces, sql.midnights, sql.candidates, sql.index_step) == (1, 1, 1, DAY * 10**6)
    assert (sql.changes, sql.fixed_offset) == (0, 8 * HOUR * 10**6)
    # Clock buckets start at 01:30, the middle of 18:00-09:00: from 30 September to 31 October, 32 of them.
    assert sql.origin_us == to_us(datetime(2026, 9, 30, 1, 30, tzinfo=shanghai))
    assert con.execute("SELECT count(*) FROM shape_clock").fetchone() == (32,)


def test_register_accepts_timestamps_from_the_data(con):
    sql = register(con, BusinessCalendar(), datetime(2026, 10, 9, 10), datetime(2026, 10, 12, 9), name="ts_range")
    assert (sql.first, sql.last) == (date(2025, 10, 8), date(2027, 10, 13))


def test_boundaries_follow_the_local_clock():
    zone = ZoneInfo(NEW_YORK)
    utc = timezone.utc
    # 02:30 is skipped on 8 March 2026: the boundary is the jump, 07:00Z (03:00 EDT).
    assert boundary(zone, date(2026, 3, 8), 9000) == to_us(datetime(2026, 3, 8, 7, tzinfo=utc))
    # 01:30 comes twice on 1 November: the first, 05:30Z (EDT).
    assert boundary(zone, date(2026, 11, 1), 5400) == to_us(datetime(2026, 11, 1, 5, 30, tzinfo=utc))
    # 30 hours into 7 March is 06:00 on the 8th, EDT: 10:00Z.
    assert boundary(zone, date(2026, 3, 7), 30 * HOUR) == to_us(datetime(2026, 3, 8, 10, tzinfo=utc))


# --- SQL against the reference ---------------------------------------------------------

ZONES = {NEW_YORK: "US", BERLIN: "DE", SHANGHAI: "CN"}
SPAN_FIRST, SPAN_LAST = date(2026, 1, 1), date(2026, 12, 31)
CHANGES = [  # the clock changes of 2026, as instants
    datetime(2026, 3, 8, 7, tzinfo=timezone.utc), datetime(2026, 11, 1, 6, tzinfo=timezone.utc),  # New York
    datetime(2026, 3, 29, 1, tzinfo=timezone.utc), datetime(2026, 10, 25, 1, tzinfo=timezone.utc),  # Berlin
]  # fmt: skip
seconds_of_day = st.one_of(
    st.integers(0, 95).map(lambda q: q * 900),  # quarter hours, so the clock changes' hours come up
    st.integers(0, 86399),
)


@st.composite
def day_hours(draw) -> tuple[tuple[int, int], ...]:
    """1-3 intervals: between sorted clock times, the last possibly crossing midnight."""
    count = draw(st.integers(1, 3))
    points = sorted(draw(st.sets(seconds_of_day, min_size=2 * count, max_size=2 * count)))
    if draw(st.booleans()):  # a night shift: from the 2nd point, the last interval ends at the first
        points = points[1:] + [points[0] + 86400]
    return tuple(zip(points[::2], points[1::2], strict=True))


@st.composite
def calendars(draw) -> BusinessCalendar:
    zone = draw(st.sampled_from(sorted(ZONES)))
    days = st.dates(SPAN_FIRST, SPAN_LAST)
    holidays_ = draw(st.lists(days, max_size=8, unique=True))
    workdays = draw(st.lists(days.filter(lambda d: d not in holidays_), max_size=8, unique=True))
    own = draw(st.dictionaries(st.integers(0, 6), day_hours(), max_size=2))
    weekend = draw(st.one_of(st.none(), st.sets(st.integers(0, 6), max_size=3)))
    try:
        return BusinessCalendar(
            country=ZONES[zone], timezone=zone, hours=draw(day_hours()), weekday_hours=own,
            weekend=None if weekend is None else tuple(weekend - set(own)),
            extra_holidays=holidays_, extra_workdays=workdays,
        )  # fmt: skip
    except ValueError:  # hours of one weekday running into the next weekday's
        assume(False)


@st.composite
def instants(draw, cal: BusinessCalendar) -> int:
    """Epoch microseconds: anywhere, at a clock change, at local midnight, or at a working boundary."""
    zone = cal.zone
    day = draw(st.dates(date(2026, 1, 15), date(2026, 11, 20)))
    kind = draw(st.sampled_from(["anywhere", "clock change", "midnight", "boundary"]))
    if kind == "anywhere":
        at = boundary(zone, day, 0) + draw(st.integers(0, 86_400 * 10**6))
    elif kind == "clock change":
        at = to_us(draw(st.sampled_from(CHANGES)))
    elif kind == "midnight":
        at = boundary(zone, day, 0)
    else:
        hours = draw(st.sampled_from([cal.hours, *dict(cal.weekday_hours).values()]))
        at = boundary(zone, day, draw(st.sampled_from([s for pair in hours for s in pair])))
    nudge = draw(st.sampled_from([0, 0, 1, -1, 60, -60, 1800, -1800, 3600, -3600, 0.25]))
    return at + int(nudge * 10**6)


@st.composite
def cases(draw, cal: BusinessCalendar) -> tuple[int, int, Decimal, int]:
    """A start, a stop (anywhere, or shortly after the start), an amount to add, a number of days."""
    a = draw(instants(cal))
    b = draw(st.one_of(instants(cal), st.integers(0, 12 * 86_400 * 10**6).map(lambda d: a + d)))
    # At most a few days' work, so that deadlines stay inside the registered range.
    shortest = min(sum(e - s for s, e in hours) for hours in [cal.hours, *dict(cal.weekday_hours).values()])
    whole = st.one_of(st.integers(-10, 3 * shortest), st.sampled_from([0, 1, 60, shortest]))
    fraction = st.sampled_from([Decimal(0), Decimal(0), Decimal("0.5"), Decimal("0.000001")])
    return a, b, Decimal(draw(whole)) + draw(fraction), draw(st.integers(-1, 8))


def batch(cal: BusinessCalendar) -> st.SearchStrategy:
    # Many cases per example: one query per batch keeps SQL planning cheap.
    return st.lists(cases(cal), min_size=10, max_size=30)


def check_against_reference(con, cal: BusinessCalendar, sql: CalendarSQL, rows) -> None:
    """Every operation, on instants and on naive local times, equals the reference; as scalar subqueries and
    in a query layer (``CalendarSQL.layer``) alike, one operation's result read by another in both."""
    zone = cal.zone
    walls = [(wall_clock(zone, a), wall_clock(zone, b)) for a, b, _, _ in rows]
    con.execute(
        """CREATE OR REPLACE TABLE cases AS
        SELECT unnest(?::BIGINT[]) AS i, make_timestamptz(unnest(?::BIGINT[])) AS a,
               make_timestamptz(unnest(?::BIGINT[])) AS b, unnest(?::TIMESTAMP[]) AS la,
               unnest(?::TIMESTAMP[]) AS lb, unnest(?::VARCHAR[])::DECIMAL(18,6) AS s, unnest(?::BIGINT[]) AS n""",
        [list(range(len(rows))), [r[0] for r in rows], [r[1] for r in rows], [w[0] for w in walls],
         [w[1] for w in walls], [str(r[2]) for r in rows], [r[3] for r in rows]],
    )  # fmt: skip

    def columns(sql: CalendarSQL) -> str:
        deadline = sql.add_working_seconds("a", "s")
        return ", ".join([
            sql.working_seconds("a", "b"), deadline, sql.working_seconds("a", deadline),
            sql.end_of_working_days("a", "n"), sql.end_of_working_days("a", "n", at_close=True),
            sql.end_of_days("a", "n"),
            sql.working_seconds("la", "lb", naive=True), sql.add_working_seconds("la", "s", naive=True),
            sql.end_of_working_days("la", "n", at_close=True, naive=True), sql.end_of_days("la", "n", naive=True),
        ])  # fmt: skip

    results = con.execute(f"SELECT {columns(sql)} FROM cases ORDER BY i").fetchall()
    layer = sql.layer("__cw0_")
    read = columns(layer)
    assert con.execute(f"SELECT {read} FROM ({layer.over('SELECT * FROM cases')}) ORDER BY i").fetchall() == results
    for (a_us, b_us, s, n), (la, lb), got in zip(rows, walls, results, strict=True):
        a, b = (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=x) for x in (a_us, b_us))
        expected = (
            reference_working_seconds(cal, a, b), to_us(reference_add_working_seconds(cal, a, s)), max(s, Decimal(0)),
            to_us(reference_end_of_working_days(cal, a, n)), to_us(reference_end_of_working_days(cal, a, n, True)),
            to_us(reference_end_of_days(cal, a, n)),
            reference_working_seconds(cal, la, lb), reference_add_working_seconds(cal, la, s),
            reference_end_of_working_days(cal, la, n, True), reference_end_of_days(cal, la, n),
        )  # fmt: skip
        instants_ = [to_us(got[k]) for k in (1, 3, 4, 5)]
        assert (got[0], instants_[0], got[2], *instants_[1:], *got[6:]) == expected, (a, b, la, lb, s, n)


# The default calendar's tables are built once; its cases are mostly covered by
# the random calendars too, so it gets half the profile's examples.
@settings(max_examples=max(5, settings().max_examples // 2))
@given(st.data())
def test_default_calendar_matches_reference(con, cn, data):
    check_against_reference(con, BusinessCalendar(), cn, data.draw(batch(BusinessCalendar())))


@given(st.data())
def test_any_calendar_matches_reference(db, data):
    cal = data.draw(calendars())
    con = db(cal.timezone)
    sql = register(con, cal, SPAN_FIRST, SPAN_LAST, name="random_calendar", pad=timedelta(days=60))
    check_against_reference(con, cal, sql, data.draw(batch(cal)))


@pytest.mark.parametrize(("zone", "first", "last"), [
    ("Asia/Shanghai", date(2016, 3, 14), date(2027, 11, 2)),  # the sample's range: all of it steady (+08:00)
    ("Asia/Shanghai", date(1991, 6, 1), date(1992, 6, 1)),  # across the last change, 1991-09-15, and the stretch's start
    ("America/Mexico_City", date(2022, 6, 1), date(2023, 6, 1)),  # across its last change, 2022-10-30
    ("Europe/Berlin", date(2025, 1, 1), date(2026, 12, 31)),  # no steady stretch: every day asks the zone
    ("Asia/Kolkata", date(2100, 6, 1), date(2100, 12, 31)),  # up to the end of the stretch, 2100-12-31
])
def test_the_steady_stretch_gives_the_tables_the_zone_gives(monkeypatch, zone, first, last):
    # Inside a zone's steady stretch (calendar_tables.steady_us) the tables add and subtract the offset instead
    # of asking the zone; with the stretch taken away every instant is asked, and the tables must be the same.
    from dataclasses import asdict

    from clausewise.engine import calendar_tables

    cal = BusinessCalendar(country="CN", timezone=zone)
    fast = asdict(calendar_tables.build(cal, first, last))
    monkeypatch.setattr(calendar_tables, "steady_us", lambda zone: None)
    calendar_tables.boundary.cache_clear()
    try:
        slow = asdict(calendar_tables.build(cal, first, last))
    finally:
        calendar_tables.boundary.cache_clear()
    assert fast == slow
    assert len(fast["days"]["day"]) == (last - first).days + 1
