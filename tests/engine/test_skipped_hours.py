"""Skipped local times outside the listed years, in zones that skipped none from 1970 to 2100."""

from __future__ import annotations

import pytest

from clausewise.engine import connection
from clausewise.engine.zones import skipped_sql


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
    # Kolkata went from +05:30 to +06:30 at 00:00 on 1942-09-01: 00:00-00:59 that night never happened.
    ("Asia/Kolkata", "1942-09-01 00:30:00", True),
    ("Asia/Kolkata", "1942-09-01 01:30:00", False),
    # Tokyo's daylight time began at 24:00 on Saturday 1948-05-01 (00:00 -> 01:00 on 2 May) and on
    # Saturday 1949-04-02 (00:00 -> 01:00 on 3 April).
    ("Asia/Tokyo", "1948-05-02 00:30:00", True),
    ("Asia/Tokyo", "1949-04-03 00:30:00", True),
    ("Asia/Tokyo", "2026-03-08 02:30:00", False),
])
def test_a_zone_without_skipped_hours_since_1970_still_has_its_earlier_ones(zone, local, skipped):
    assert _skipped(zone, local) is skipped


def test_a_fixed_zone_needs_no_check():
    assert skipped_sql("x", "UTC") is None
    assert skipped_sql("x", "Etc/GMT-8") is None
