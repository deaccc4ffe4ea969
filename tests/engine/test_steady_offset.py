"""Local times read by arithmetic where the zone's offset holds still (zones.steady_span, zones.instant_sql).

The typing reads a naive local time as ``local - offset`` inside the longest
stretch in which the policy's zone keeps one offset, instead of looking the
zone up for every value; that must give exactly what ``CAST(… AS
TIMESTAMPTZ)`` gives, for every local time, in and out of the stretch.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from clausewise.engine import connection, zones


@pytest.fixture
def fresh(monkeypatch):
    """The per-process memo of confirmed stretches, empty for the test."""
    monkeypatch.setattr(zones, "_confirmed", {})


def test_shanghai_reads_by_arithmetic_from_a_day_after_its_last_clock_change():
    # China's last daylight saving time ended at 02:00 on 1991-09-15 (+09:00 back to +08:00), the
    # instant 1991-09-14 17:00 UTC. The stretch starts a day clear of it: 17:00 UTC + 8 h = 1991-09-15
    # 01:00 local, + 1 day = 1991-09-16 01:00; it ends a day before 2101-01-01 00:00 UTC read at +08:00,
    # 2101-01-01 08:00 - 1 day = 2100-12-31 08:00. The offset is 8 h = 28,800,000,000 microseconds.
    assert zones.steady("Asia/Shanghai") == (datetime(1991, 9, 16, 1), datetime(2100, 12, 31, 8), timedelta(hours=8))


def test_a_zone_with_daylight_saving_every_year_has_no_stretch():
    # New York changes its clocks twice a year since 1970: no stretch is 366 days long.
    assert zones.steady("America/New_York") is None


def test_mexico_city_since_it_stopped_daylight_saving():
    # Mexico's last change: 2022-10-30 02:00 CDT (-05:00) back to 01:00 CST (-06:00), the instant
    # 2022-10-30 07:00 UTC; 07:00 - 6 h = 01:00 local, + 1 day = 2022-10-31 01:00.
    first, _, offset = zones.steady("America/Mexico_City")
    assert (first, offset) == (datetime(2022, 10, 31, 1), timedelta(hours=-6))


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Kolkata", "UTC", "America/Mexico_City", "Europe/Moscow",
                                  "America/New_York", "Australia/Lord_Howe"])
def test_the_arithmetic_reads_every_local_time_as_the_cast_does(zone, fresh):
    con = connection.connect(zone)
    try:
        span = zones.steady_span(con, zone)
        read = zones.instant_sql("t", span)
        # Every 23 h 13 min from 1969 to 2102 (each step 47 minutes later in the day: every hour of the day,
        # every season), and every minute of the two days either side of each end of the stretch, where a
        # change of the clocks may be near.
        edges = [] if span is None else [span[0], span[1]]
        differ = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE ({read}) IS DISTINCT FROM CAST(t AS TIMESTAMPTZ)) FROM ("
            "SELECT unnest(generate_series(TIMESTAMP '1969-01-01', TIMESTAMP '2102-01-01', INTERVAL '23 hours 13 minutes')) AS t "
            "UNION ALL SELECT unnest(generate_series(e - INTERVAL 2 DAY, e + INTERVAL 2 DAY, INTERVAL 1 MINUTE)) "
            "FROM (SELECT unnest(?::TIMESTAMP[]) AS e))", [edges]).fetchone()
    finally:
        con.close()
    assert differ[0] > 50_000  # 133 years / 23 h 13 min = 50,200 times, and the edges' minutes
    assert differ[1] == 0


def test_a_stretch_duckdb_reads_otherwise_is_not_used(fresh, monkeypatch):
    # As if Python's zone data said Shanghai kept +07:00: DuckDB reads those local times at +08:00, so the
    # stretch is refused and every value is looked up.
    monkeypatch.setattr(zones, "steady", lambda zone: (datetime(2000, 1, 1), datetime(2090, 1, 1), timedelta(hours=7)))
    con = connection.connect("Asia/Shanghai")
    try:
        assert zones.steady_span(con, "Asia/Shanghai") is None
    finally:
        con.close()
    assert zones.instant_sql("t", None) == "CAST(t AS TIMESTAMPTZ)"


def test_the_typing_reads_shanghai_local_times_by_arithmetic(fresh):
    con = connection.connect("Asia/Shanghai")
    try:
        span = zones.steady_span(con, "Asia/Shanghai")
        # 2026-10-12 09:30 at +08:00 is 01:30 UTC: 1,791,768,600 s after 1970 (20,738 days * 86,400 + 5,400).
        got = con.execute(f"SELECT epoch_us({zones.instant_sql('t', span)}) FROM (SELECT TIMESTAMP '2026-10-12 09:30' AS t)").fetchone()[0]
    finally:
        con.close()
    assert span == (datetime(1991, 9, 16, 1), datetime(2100, 12, 31, 8), 28_800_000_000)
    assert got == (20_738 * 86_400 + 5_400) * 1_000_000
