"""Working-time SQL against the day-by-day Python reference, plus the documented examples."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausewise.engine.calendar import (
    Calendar,
    CalendarSQL,
    reference_add_working_seconds,
    reference_working_seconds,
    register,
)

FIRST, LAST = date(2024, 1, 1), date(2026, 12, 31)
DAY = 9 * 3600  # one working day of the default 09:00-18:00 calendar, in seconds

# Official make-up working days (调休) of the State Council notices for 2024-2026.
MAKE_UP_DAYS = {
    date(2024, 2, 4), date(2024, 2, 18), date(2024, 4, 7), date(2024, 4, 28),
    date(2024, 5, 11), date(2024, 9, 14), date(2024, 9, 29), date(2024, 10, 12),
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28),
    date(2025, 10, 11),
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
    date(2026, 9, 20), date(2026, 10, 10),
}  # fmt: skip

# First days of long breaks, where off-by-one-day mistakes would show.
HOLIDAY_SPANS = [
    date(2024, 2, 10), date(2024, 5, 1), date(2024, 10, 1),
    date(2025, 1, 28), date(2025, 5, 1), date(2025, 10, 1),
    date(2026, 1, 1), date(2026, 2, 15), date(2026, 5, 1), date(2026, 10, 1),
]  # fmt: skip


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def cn(con) -> CalendarSQL:
    return register(con, Calendar(), FIRST, LAST, name="cn_calendar")


def ts(text: str) -> str:
    return f"TIMESTAMP '{text}'"


def scalar(con, sql: str):
    return con.execute(f"SELECT {sql}").fetchone()[0]


def due(con, cal: CalendarSQL, start: str, seconds: int | str) -> datetime:
    return scalar(con, cal.add_working_seconds(ts(start), str(seconds)))


def elapsed(con, cal: CalendarSQL, a: str, b: str) -> Decimal:
    return scalar(con, cal.working_seconds(ts(a), ts(b)))


# --- the worked examples of docs/time.md -------------------------------------


def test_friday_plus_one_working_day_lands_on_make_up_saturday(con, cn):
    assert due(con, cn, "2026-10-09 10:00", DAY) == datetime(2026, 10, 10, 10, 0)
    notice = ts("2026-10-12 09:00")
    assert scalar(con, f"{notice} <= {cn.add_working_seconds(ts('2026-10-09 10:00'), DAY)}") is False


def test_one_working_day_spans_national_day(con, cn):
    assert due(con, cn, "2026-09-30 17:00", DAY) == datetime(2026, 10, 8, 17, 0)
    assert elapsed(con, cn, "2026-09-30 17:00", "2026-10-08 10:00") == 2 * 3600


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
    assert due(con, cn, "2026-09-24 16:00", 4 * 3600) == datetime(2026, 9, 28, 11, 0)


def test_pause_is_subtracted_as_its_own_working_time(con, cn):
    total = elapsed(con, cn, "2026-09-17 16:00", "2026-09-21 15:00")
    paused = elapsed(con, cn, "2026-09-18 10:00", "2026-09-21 11:00")
    assert (total, paused, total - paused) == (26 * 3600, 19 * 3600, 7 * 3600)


def test_start_outside_working_time_counts_from_next_opening(con, cn):
    assert due(con, cn, "2026-10-03 12:00", 3600) == datetime(2026, 10, 8, 10, 0)
    assert due(con, cn, "2026-10-09 20:00", 3600) == datetime(2026, 10, 10, 10, 0)
    assert due(con, cn, "2026-10-09 07:00", 3600) == datetime(2026, 10, 9, 10, 0)


def test_make_up_sunday_counts(con, cn):
    assert elapsed(con, cn, "2026-09-19 00:00", "2026-09-21 00:00") == DAY


# --- edges of the interface ----------------------------------------------------


def test_nulls_reversed_intervals_and_non_positive_amounts(con, cn):
    assert scalar(con, cn.working_seconds("NULL", ts("2026-10-08 10:00"))) is None
    assert scalar(con, cn.working_seconds(ts("2026-10-08 10:00"), "NULL")) is None
    assert elapsed(con, cn, "2026-10-09 12:00", "2026-10-09 10:00") == 0
    assert scalar(con, cn.add_working_seconds("NULL", "60")) is None
    assert scalar(con, cn.add_working_seconds(ts("2026-10-09 10:00"), "NULL")) is None
    assert due(con, cn, "2026-10-03 12:00", 0) == datetime(2026, 10, 3, 12, 0)
    assert due(con, cn, "2026-10-03 12:00", -5) == datetime(2026, 10, 3, 12, 0)


def test_sub_second_precision_is_exact(con, cn):
    start = "2026-10-09 17:59:59.75"
    assert due(con, cn, start, "0.5") == datetime(2026, 10, 10, 9, 0, 0, 250000)
    assert elapsed(con, cn, start, "2026-10-10 09:00:00.25") == Decimal("0.5")


def test_result_type_is_exact_decimal(con, cn):
    sql = cn.working_seconds(ts("2026-10-09 10:00"), ts("2026-10-09 11:00"))
    assert scalar(con, f"typeof({sql})") == "DECIMAL(18,6)"


def test_outside_registered_range_is_an_error_not_null(con, cn):
    with pytest.raises(duckdb.Error, match="outside the business calendar"):
        elapsed(con, cn, "2020-01-01 10:00", "2026-01-05 10:00")
    with pytest.raises(duckdb.Error, match="outside the business calendar"):
        due(con, cn, "2026-10-09 10:00", 3 * 365 * DAY)


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
    assert rows == [
        (1, "on time", 0, Decimal(DAY - 1800)),
        (2, "late", DAY - 3600, None),
        (3, "late", None, None),
    ]


def test_caller_columns_named_like_internal_ones_do_not_clash(con, cn):
    con.execute(
        "CREATE OR REPLACE TABLE clash AS "
        "SELECT TIMESTAMP '2026-10-09 10:00' AS day, TIMESTAMP '2026-10-09 12:00' AS ws_us"
    )
    assert con.execute(f"SELECT {cn.working_seconds('day', 'ws_us')} FROM clash").fetchone() == (7200,)


# --- the calendar itself ---------------------------------------------------------


def test_make_up_days_come_from_holidays_for_2024_to_2026():
    days = Calendar().days(FIRST, LAST)
    weekend_workdays = {d for d, working in days if working and d.weekday() >= 5}
    assert weekend_workdays == MAKE_UP_DAYS


def test_national_day_2026_is_off_and_its_make_up_days_are_on():
    flags = dict(Calendar().days(date(2026, 9, 19), date(2026, 10, 12)))
    assert [d for d, working in flags.items() if not working] == [
        date(2026, 9, 19), date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27),
        *(date(2026, 10, n) for n in range(1, 8)), date(2026, 10, 11),
    ]  # fmt: skip


def test_policy_overrides_win_over_the_country():
    cal = Calendar(extra_holidays=[date(2026, 10, 9)], extra_workdays=[date(2026, 10, 4)])
    flags = dict(cal.days(date(2026, 10, 4), date(2026, 10, 9)))
    assert flags[date(2026, 10, 4)] is True
    assert flags[date(2026, 10, 9)] is False


def test_other_countries_and_weekends():
    def flags(cal: Calendar, start: date, end: date) -> list[bool]:
        return [working for _, working in cal.days(start, end)]

    # 4 July 2026 is a Saturday, observed on Friday the 3rd.
    assert flags(Calendar(country="US", subdivision="CA"), date(2026, 7, 3), date(2026, 7, 6)) == [
        False, False, False, True,
    ]  # fmt: skip
    # Israel rests on Friday and Saturday.
    assert flags(Calendar(country="IL"), date(2026, 1, 1), date(2026, 1, 4)) == [True, False, False, True]
    assert flags(Calendar(country="GB", weekend=[6]), date(2026, 1, 10), date(2026, 1, 11)) == [True, False]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"work_start": time(18), "work_end": time(9)},
        {"work_start": time(9), "work_end": time(9)},
        {"work_start": time(9, 0, 0, 5)},
        {"extra_holidays": [date(2026, 1, 5)], "extra_workdays": [date(2026, 1, 5)]},
    ],
)
def test_invalid_calendars_are_rejected(kwargs):
    with pytest.raises(ValueError):
        Calendar(**kwargs)


def test_unknown_country_is_a_value_error():
    with pytest.raises(ValueError, match="XX"):
        Calendar(country="XX").days(FIRST, FIRST)


def test_day_length_follows_working_hours():
    assert Calendar().day_seconds == DAY
    assert Calendar(work_start=time(8, 30), work_end=time(17, 15, 30)).day_seconds == 31530


def test_register_table_shape(con):
    sql = register(con, Calendar(), date(2026, 10, 1), date(2026, 10, 31), name="shape", pad=timedelta(0))
    rows = con.execute("SELECT day, is_workday, ordinal, before_us, span_us FROM shape ORDER BY day").fetchall()
    assert (sql.first, sql.last) == (date(2026, 10, 1), date(2026, 10, 31))
    assert len(rows) == 31
    assert rows[7] == (date(2026, 10, 8), True, 0, 0, DAY * 10**6)
    assert rows[9] == (date(2026, 10, 10), True, 2, 2 * DAY * 10**6, DAY * 10**6)
    assert rows[10] == (date(2026, 10, 11), False, None, 3 * DAY * 10**6, 0)


def test_register_accepts_timestamps_from_the_data(con):
    sql = register(con, Calendar(), datetime(2026, 10, 9, 10), datetime(2026, 10, 12, 9), name="ts_range")
    assert (sql.first, sql.last) == (date(2025, 10, 8), date(2027, 10, 13))


# --- SQL against the reference ---------------------------------------------------------


@st.composite
def instants(draw, cal: Calendar) -> datetime:
    """Anywhere in 2024-2026, around long holidays, or at/near opening and closing."""
    kind = draw(st.sampled_from(["anywhere", "near a holiday", "at a boundary"]))
    if kind == "anywhere":
        day = draw(st.dates(FIRST, LAST))
    else:
        day = draw(st.sampled_from(HOLIDAY_SPANS)) + timedelta(days=draw(st.integers(-10, 12)))
    if kind == "at a boundary":
        clock = datetime.combine(day, draw(st.sampled_from([cal.work_start, cal.work_end])))
        nudge = draw(st.sampled_from([0, 0, 1, -1, 60, -60, 0.25]))
        return clock + timedelta(seconds=nudge)
    second = draw(st.integers(0, 86399))
    micro = draw(st.one_of(st.just(0), st.integers(0, 999_999)))
    return datetime.combine(day, time()) + timedelta(seconds=second, microseconds=micro)


@st.composite
def amounts(draw, cal: Calendar) -> Decimal:
    day = cal.day_seconds
    whole = st.one_of(
        st.integers(0, 6 * day),
        st.integers(1, 4).map(lambda n: n * day),
        st.sampled_from([1, 60, 3600]),
    )
    fraction = st.sampled_from([Decimal(0), Decimal(0), Decimal("0.5"), Decimal("0.000001")])
    return Decimal(draw(whole)) + draw(fraction)


@st.composite
def cases(draw, cal: Calendar) -> tuple[datetime, datetime, Decimal]:
    """A start, a stop (anywhere, or shortly after the start) and an amount to add."""
    a = draw(instants(cal))
    later = st.timedeltas(timedelta(0), timedelta(days=20)).map(lambda d: a + d)
    return a, draw(st.one_of(instants(cal), later)), draw(amounts(cal))


@st.composite
def calendars(draw) -> Calendar:
    start = draw(st.integers(0, 20 * 3600))
    end = draw(st.integers(start + 60, 86399))
    span_days = st.dates(FIRST, LAST)
    holidays_ = draw(st.lists(span_days, max_size=8, unique=True))
    workdays = draw(st.lists(span_days.filter(lambda d: d not in holidays_), max_size=8, unique=True))
    return Calendar(
        country=draw(st.sampled_from(["CN", "CN", "CN", "US", "DE"])),
        work_start=_clock(start),
        work_end=_clock(end),
        extra_holidays=holidays_,
        extra_workdays=workdays,
        weekend=draw(st.one_of(st.none(), st.sets(st.integers(0, 6), max_size=3).map(tuple))),
    )


def batch(cal: Calendar) -> st.SearchStrategy:
    # Many cases per example: one query per batch keeps SQL planning cheap.
    return st.lists(cases(cal), min_size=10, max_size=40)


def _clock(seconds: int) -> time:
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


def check_against_reference(con, cal: Calendar, sql: CalendarSQL, rows) -> None:
    con.execute(
        """CREATE OR REPLACE TABLE cases AS
        SELECT unnest(?::BIGINT[]) AS i, unnest(?::TIMESTAMP[]) AS a,
               unnest(?::TIMESTAMP[]) AS b, unnest(?::VARCHAR[])::DECIMAL(18,6) AS s""",
        [list(range(len(rows))), [r[0] for r in rows], [r[1] for r in rows], [str(r[2]) for r in rows]],
    )
    deadline = sql.add_working_seconds("a", "s")
    results = con.execute(
        f"""SELECT {sql.working_seconds("a", "b")}, {deadline}, {sql.working_seconds("a", deadline)}
            FROM cases ORDER BY i"""
    ).fetchall()
    for (a, b, s), (worked, due_at, round_trip) in zip(rows, results, strict=True):
        assert worked == reference_working_seconds(cal, a, b), (a, b)
        assert due_at == reference_add_working_seconds(cal, a, s), (a, s)
        assert round_trip == s, (a, s)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_default_calendar_matches_reference(con, cn, data):
    check_against_reference(con, Calendar(), cn, data.draw(batch(Calendar())))


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_calendar_matches_reference(con, data):
    cal = data.draw(calendars())
    sql = register(con, cal, FIRST, LAST, name="random_calendar")
    check_against_reference(con, cal, sql, data.draw(batch(cal)))
