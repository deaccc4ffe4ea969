"""The business calendar's tables on Spark: the same rows as on DuckDB, as small DataFrames.

``engine/calendar.py`` computes the tables' rows in Python once per run (one
row per day, never per record) and writes SQL that joins them; on DuckDB the
rows become tables through ``register``, here they become DataFrames with
the same columns and types, kept in memory, under the same names. The SQL
that reads them is the rules' own, transpiled like the rest.
"""

from __future__ import annotations

from datetime import date, timedelta

from ...i18n import msg
from ..calendar import DEFAULT_PAD, BusinessCalendar, CalendarSQL, plan

_INSTANTS = {"begins", "ends", "closes"}
_WALLS = {"ends_local", "closes_local"}


def register(con, cal: BusinessCalendar, first: date, last: date, name: str = "__calendar",
             pad: timedelta = DEFAULT_PAD) -> CalendarSQL:
    """Create the views ``name_days``, ``name_clock``, ``name_index`` on ``con`` (a SparkConnection).

    The session's time zone must be the calendar's; raises ValueError if it
    is not, or if the country has no holiday calendar (as ``calendar.register``).
    """
    zone = con.spark.conf.get("spark.sql.session.timeZone")
    if zone != cal.timezone:
        raise ValueError(msg('the Spark session\'s time zone is "{zone}", the calendar\'s "{timezone}"', zone=zone,
                             timezone=cal.timezone))
    tables, sql = plan(cal, first, last, name, pad)
    dates = {"day"} | {f"day{k}" for k in range(tables.midnights + 1)}
    for part, rows in (("days", tables.days), ("clock", tables.clock), ("index", tables.index)):
        con.register(f"{name}_{part}", _frame(con.spark, rows, dates), keep=True)
    return sql


def _frame(spark, rows: dict[str, list], dates: set[str]):
    """The columns ``rows`` as a DataFrame: dates, a boolean, and epoch microseconds made instants or wall times."""
    from pyspark.sql import functions as F

    def kind(column: str) -> str:
        return "DATE" if column in dates else "BOOLEAN" if column == "is_workday" else "BIGINT"

    schema = ", ".join(f"`{c}` {kind(c)}" for c in rows)
    frame = spark.createDataFrame(list(zip(*rows.values())), schema)
    columns = []
    for c in rows:
        if c in _INSTANTS:
            columns.append(F.expr(f"timestamp_micros(`{c}`)").alias(c))
        elif c in _WALLS:
            columns.append(F.expr(f"TIMESTAMP_NTZ '1970-01-01 00:00:00' + `{c}` * INTERVAL '0.000001' SECOND").alias(c))
        else:
            columns.append(F.col(f"`{c}`"))
    return frame.select(*columns)
