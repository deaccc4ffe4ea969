"""Benchmark: the working-time calendar's SQL over many rows.

Times each operation of :class:`clausewise.engine.calendar.CalendarSQL` over
``--rows`` random start times in 2024-2026 (stops up to 20 days later, amounts
up to five working days), as deadline rules use them (naive local time,
``naive=True``), on instants (``TIMESTAMPTZ``), and with naive input read by
``CAST`` instead; each in a query layer, as the rules use them, and as a
scalar subquery of its own. Every query counts its results, so all of it is computed;
the best of ``--repeat`` interleaved runs is printed, next to a plain
``a + INTERVAL 1 DAY`` over the same rows for scale.

    python bench/bench_calendar.py --rows 1000000
    python bench/bench_calendar.py --zone America/New_York --country US --hours "22:00-06:00"
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import duckdb

from clausewise.engine.calendar import BusinessCalendar, register

SCALE = "a + INTERVAL 1 DAY (for scale)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--zone", default="Asia/Shanghai")
    parser.add_argument("--country", default="CN")
    parser.add_argument("--hours", default="09:00-18:00")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{args.zone}'")
    con.execute(f"SET threads = {args.threads}")
    started = time.perf_counter()
    cal = register(con, BusinessCalendar(country=args.country, timezone=args.zone, hours=args.hours),
                   date(2024, 1, 1), date(2026, 12, 31))  # fmt: skip
    built = time.perf_counter() - started
    con.execute("SELECT setseed(0.5)")
    con.execute(f"""CREATE TABLE t AS
        SELECT a, a + to_microseconds(CAST(random() * 20 * 86400e6 AS BIGINT)) AS b,
               CAST(random() * 5 * 32400 AS DECIMAL(18,6)) AS s, CAST(random() * 10 AS INTEGER) AS n
        FROM (SELECT TIMESTAMP '2024-01-01' + to_microseconds(CAST(random() * 3 * 365 * 86400e6 AS BIGINT)) AS a
              FROM range({args.rows}))""")
    con.execute("CREATE TABLE tz AS SELECT CAST(a AS TIMESTAMPTZ) AS a, CAST(b AS TIMESTAMPTZ) AS b, s, n FROM t")
    # Each operation as the rules use it, in a query layer that joins the calendar's tables once (the calendar
    # rows a value needs are columns of the layer), and as a scalar subquery of its own (DuckDB decorrelates it
    # into joins of its own, per value).
    operations = {
        "working_seconds, naive=True": ("t", lambda c: c.working_seconds("a", "b", naive=True)),
        "working_seconds, TIMESTAMPTZ": ("tz", lambda c: c.working_seconds("a", "b")),
        "working_seconds, naive read by CAST": ("t", lambda c: c.working_seconds("a", "b")),
        "add_working_seconds, naive=True": ("t", lambda c: c.add_working_seconds("a", "s", naive=True)),
        "add_working_seconds, TIMESTAMPTZ": ("tz", lambda c: c.add_working_seconds("a", "s")),
        "add_working_seconds, naive by CASTs": ("t", lambda c: f"CAST({c.add_working_seconds('a', 's')} AS TIMESTAMP)"),
        "end_of_working_days, TIMESTAMPTZ": ("tz", lambda c: c.end_of_working_days("a", "n")),
        "end_of_days, TIMESTAMPTZ": ("tz", lambda c: c.end_of_days("a", "n")),
    }
    cases = {}
    for label, (table, operation) in operations.items():
        layer = cal.layer("__cw0_")
        cases[(label, "layer")] = f"SELECT {operation(layer)} AS x FROM ({layer.over(f'SELECT * FROM {table}')})"
        cases[(label, "subquery")] = f"SELECT {operation(cal)} AS x FROM {table}"
    cases[SCALE, ""] = "SELECT a + INTERVAL 1 DAY AS x FROM t"
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(args.repeat):
        for key, query in cases.items():
            started = time.perf_counter()
            con.execute(f"SELECT count(x) FROM ({query})").fetchall()
            best[key] = min(best[key], time.perf_counter() - started)
    print(f"{args.zone}, {args.hours}, {args.rows:,} rows, {args.threads} threads; tables built in {built * 1000:.0f} ms (with loading the holiday data)")
    print(f"  {'':40s} {'layer':>9s} {'subquery':>9s}")
    for label in operations:
        print(f"  {label:40s} {best[label, 'layer'] * 1000:6.0f} ms {best[label, 'subquery'] * 1000:6.0f} ms")
    print(f"  {SCALE:40s} {best[SCALE, ''] * 1000:6.0f} ms")

if __name__ == "__main__":
    main()
