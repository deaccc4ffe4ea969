"""The inferred audit period: the month holding most of an export's timestamps, in the policy's zone.

``infer_period`` counts the values by UTC hour and works out each hour's
month once; an hour in which a local month begins, or in which the clocks
change, is counted value by value. These cases put values on both sides of
such a boundary, where counting the whole hour as one month would pick the
wrong one.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from clausewise.engine import connection
from clausewise.engine.asof import INFERRED, infer_period, month_counts, months_without_records, parse_period


def _dataset(name: str, *fields: str):
    return SimpleNamespace(name=name, file_fields=lambda: [SimpleNamespace(name=f, type="timestamp") for f in fields])


def _infer(zone: str, values: list[str | None], more: list[str | None] | None = None):
    con = connection.connect(zone)
    try:
        con.execute("CREATE TABLE calls (opened TIMESTAMPTZ, closed TIMESTAMPTZ)")
        other = more if more is not None else [None] * len(values)
        con.executemany("INSERT INTO calls VALUES (CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ))",
                        list(zip(values, other)))
        return infer_period(con, [_dataset("calls", "opened", "closed")])
    finally:
        con.close()


def test_a_month_that_begins_inside_an_hour_is_counted_value_by_value():
    # Monrovia kept -00:44:30 until 1972: 1971-01-01 00:00 local is 1971-01-01 00:44:30 UTC.
    # 00:44:29Z is 1970-12-31 23:59:59 local (December); 00:44:30Z and 00:44:59Z are 1971-01-01
    # 00:00:00 and 00:00:29 local (January). All three lie in the UTC hour 00:00, which begins in
    # December (1970-12-31 23:15:30 local): January has 2 values, December 1, so the period is 1971-01.
    period = _infer("Africa/Monrovia", ["1971-01-01 00:44:29+00", "1971-01-01 00:44:30+00", "1971-01-01 00:44:59+00"])
    assert period.label == "1971-01"
    assert period.source == INFERRED


def test_an_hour_in_which_the_clocks_go_back_across_a_months_start_is_counted_value_by_value():
    # St. John's left daylight time (-02:30) for standard time (-03:30) at 00:01 local on 2009-11-01,
    # 02:31 UTC: the clock went from 00:00:59 on 1 November back to 23:01 on 31 October. The UTC hour
    # 02:00 begins at 23:30 on 31 October (-02:30) and ends at 23:29:59 on 31 October (-03:30): both
    # ends in October, yet 02:30:30Z and 02:30:45Z are 00:00:30 and 00:00:45 on 1 November (-02:30).
    # 02:10Z is 23:40 on 31 October. November 2, October 1: the period is 2009-11 (read as one
    # October hour it would be 2009-10).
    assert _infer("America/St_Johns", ["2009-11-01 02:30:30+00", "2009-11-01 02:30:45+00",
                                       "2009-11-01 02:10:00+00"]).label == "2009-11"


def test_every_timestamp_field_counts_and_a_tie_goes_to_the_later_month():
    # UTC: opened = 2026-09-30 23:59:59 and 2026-10-01 00:00:00 (September 1, October 1); closed =
    # 2026-09-15 12:00 and NULL (September 2). September wins 2 to 1.
    assert _infer("UTC", ["2026-09-30 23:59:59+00", "2026-10-01 00:00:00+00"],
                  ["2026-09-15 12:00:00+00", None]).label == "2026-09"
    # Without the second field: September 1, October 1, a tie: the later month, October.
    assert _infer("UTC", ["2026-09-30 23:59:59+00", "2026-10-01 00:00:00+00"]).label == "2026-10"


def test_instants_before_1970_fall_in_their_own_hour():
    # 1969-12-31 23:59:30 UTC is 30 s before the epoch: its hour is the one that begins at
    # 23:00:00 (rounded down, not toward zero), in December. In Asia/Shanghai (+08:00) it is
    # 1970-01-01 07:59:30 local: January. Two December-local values in UTC would say 1969-12.
    assert _infer("UTC", ["1969-12-31 23:59:30+00", "1969-12-31 23:59:59+00"]).label == "1969-12"
    assert _infer("Asia/Shanghai", ["1969-12-31 23:59:30+00"]).label == "1970-01"


def test_no_timestamps_no_period():
    assert _infer("UTC", [None, None]) is None


def test_a_month_whose_midnight_was_skipped_is_keyed_by_its_first_day():
    # Asunción moved its clocks from 00:00 to 01:00 on 2023-10-01 (-04:00 -> -03:00), so October's first local
    # time is 01:00 and DuckDB's date_trunc('month') gives 2023-10-01 01:00. 2023-10-05 10:00 and 2023-10-20
    # 10:00 (-03:00) are October, 2023-11-02 10:00 November: the counts are {Oct 1 00:00: 2, Nov 1 00:00: 1},
    # and October, which holds records, is not a month without records.
    con = connection.connect("America/Asuncion")
    try:
        con.execute("CREATE TABLE calls (opened TIMESTAMPTZ, closed TIMESTAMPTZ)")
        con.executemany("INSERT INTO calls VALUES (CAST(? AS TIMESTAMPTZ), NULL)",
                        [("2023-10-05 10:00:00-03",), ("2023-10-20 10:00:00-03",), ("2023-11-02 10:00:00-03",)])
        counts = month_counts(con, [_dataset("calls", "opened", "closed")])
    finally:
        con.close()
    assert counts == {datetime(2023, 10, 1): 2, datetime(2023, 11, 1): 1}
    october = parse_period("2023-10")
    assert months_without_records(counts, october, datetime(2023, 11, 1)) == ()
