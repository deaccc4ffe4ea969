"""Skipped local times: those DuckDB would move on, in and outside 1970-2100 (engine/zones.py ``skipped_sql``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clausewise.engine import connection
from clausewise.engine.zones import gaps, skipped_sql


def _skipped(zone: str, local: str) -> bool:
    con = connection.connect(zone)
    try:
        sql = skipped_sql("x", zone)
        if sql is None:
            return False
        return bool(con.execute(f"SELECT {sql} FROM (SELECT CAST(? AS TIMESTAMP) AS x)", [local]).fetchone()[0])
    finally:
        con.close()


@pytest.mark.parametrize(("zone", "local", "skipped"), [
    # Zones without a skipped hour since 1970 still have their earlier ones.
    # Kolkata went from +05:30 to +06:30 at 00:00 on 1942-09-01: 00:00-00:59 that night never happened.
    ("Asia/Kolkata", "1942-09-01 00:30:00", True),
    ("Asia/Kolkata", "1942-09-01 01:30:00", False),
    # Tokyo's daylight time began at 24:00 on Saturday 1948-05-01 (00:00 -> 01:00 on 2 May) and on
    # Saturday 1949-04-02 (00:00 -> 01:00 on 3 April).
    ("Asia/Tokyo", "1948-05-02 00:30:00", True),
    ("Asia/Tokyo", "1949-04-03 00:30:00", True),
    ("Asia/Tokyo", "2026-03-08 02:30:00", False),
    # Shanghai's daylight time, 1986-1991, began at 02:00 (to 03:00): on 1987-04-12 02:30 never happened.
    ("Asia/Shanghai", "1987-04-12 02:30:00", True),
    ("Asia/Shanghai", "1987-04-12 01:59:59", False),
    ("Asia/Shanghai", "1987-04-12 03:00:00", False),
    ("Asia/Shanghai", "2026-10-12 02:30:00", False),
    # New York, 2026-03-08: 02:00 jumps to 03:00.
    ("America/New_York", "2026-03-08 02:30:00", True),
    ("America/New_York", "2026-11-01 01:30:00", False),  # shown twice, not skipped
    # Lord Howe Island moves its clocks half an hour: 2026-10-04 02:00 jumps to 02:30.
    ("Australia/Lord_Howe", "2026-10-04 02:15:00", True),
    ("Australia/Lord_Howe", "2026-10-04 02:30:00", False),
])
def test_skipped_times_are_those_duckdb_would_move(zone, local, skipped):
    assert _skipped(zone, local) is skipped


def test_a_fixed_zone_needs_no_check():
    assert skipped_sql("x", "UTC") is None
    assert skipped_sql("x", "Etc/GMT-8") is None


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Australia/Lord_Howe", "Europe/Berlin"])
def test_every_skipped_window_since_1970_is_found(zone):
    # Each window [start, end) that Python's zone data says the clocks skip: its first minute is skipped,
    # the minute before it and its end are not.
    con = connection.connect(zone)
    try:
        sql = skipped_sql("x", zone)
        starts, ends = zip(*gaps(zone))
        got = con.execute(
            f"SELECT list({sql} ORDER BY i) FROM (SELECT unnest(range(len(?::TIMESTAMP[]))) AS i, "
            "unnest(?::TIMESTAMP[]) AS x)",
            [[*starts, *(s - timedelta(minutes=1) for s in starts), *ends]] * 2).fetchone()[0]
    finally:
        con.close()
    n = len(starts)
    assert got == [True] * n + [False] * (2 * n)
