"""Working-time arithmetic on a business calendar, as set-based DuckDB SQL.

Deadlines such as "within 4 working hours" or "within 2 working days" depend
on which days are worked (weekends, public holidays, and in mainland China the
make-up working days, 调休, that fall on weekends) and on the working hours.
Rules are evaluated over millions of records, so the arithmetic has to run
inside DuckDB as ordinary expressions, never as a Python loop per record.

The trick is a *working-time index*: the number of working microseconds
between the start of the calendar and an instant.  It is non-decreasing, so

* working time in [a, b) is ``index(b) - index(a)``, and
* the instant at which ``s`` of working time has elapsed after ``a`` is the
  earliest instant whose index reaches ``index(a) + s``.

``register`` materialises one row per day (a few thousand rows, built in
Python from the ``holidays`` package: one row per *day*, not per record), with
the index at the start of that day's working hours.  Because every working day
has the same length ``L``, the k-th working day (0-based) starts at index
``k * L``; so an index maps back to its working day by integer division and an
equality lookup, and both directions are plain equality joins on a small
table, which DuckDB decorrelates into hash joins.

Interface
---------
``register(con, cal, first, last)`` creates the day table and returns a
``CalendarSQL`` whose methods take SQL expression strings and return SQL
expression strings (DuckDB dialect) that compose with anything, e.g.::

    sql = register(con, Calendar(), date(2024, 1, 1), date(2026, 12, 31))
    due = sql.add_working_seconds("t.opened_at", str(2 * Calendar().day_seconds))
    con.sql(f"SELECT t.id, t.closed_at <= {due} AS on_time FROM tickets t")

A "working day" amount is ``n * cal.day_seconds`` seconds (docs/time.md).
``reference_working_seconds`` and ``reference_add_working_seconds`` are the
same semantics in plain Python, one day at a time: the tests' oracle.

Timestamps are naive local wall-clock ``TIMESTAMP`` values in the policy's
timezone.  Working time is measured on the wall clock with the full precision
of ``TIMESTAMP`` (microseconds), so it is exact: results are
``DECIMAL(18,6)`` seconds, which add, subtract and compare without rounding.
An instant outside the registered (padded) range raises a DuckDB error rather
than yielding NULL, because a silent NULL would hide a late record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

from .sqltext import ident, string

_US_PER_SECOND = 1_000_000
# Deadlines of records near the edges of the data must still resolve.
DEFAULT_PAD = timedelta(days=366)


@dataclass(frozen=True)
class Calendar:
    """Which days are worked, and the working hours on each of them.

    ``weekend`` holds ``date.weekday()`` numbers (Monday is 0); ``None`` means
    the country's own weekend as known to ``holidays``.  ``extra_holidays``
    and ``extra_workdays`` override the country calendar.
    """

    country: str = "CN"
    subdivision: str | None = None
    work_start: time = time(9)
    work_end: time = time(18)
    extra_holidays: tuple[date, ...] = ()
    extra_workdays: tuple[date, ...] = ()
    weekend: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        # Policies arrive as lists from YAML; tuples keep the calendar hashable.
        object.__setattr__(self, "extra_holidays", tuple(self.extra_holidays))
        object.__setattr__(self, "extra_workdays", tuple(self.extra_workdays))
        if self.weekend is not None:
            object.__setattr__(self, "weekend", tuple(self.weekend))
        _check_hours(self.work_start, self.work_end)
        clash = set(self.extra_holidays) & set(self.extra_workdays)
        if clash:
            raise ValueError(f"dates both extra holiday and extra workday: {sorted(clash)}")

    @property
    def day_seconds(self) -> int:
        """Length of one working day in seconds (32400 for 09:00-18:00)."""
        return _seconds_of_day(self.work_end) - _seconds_of_day(self.work_start)

    def days(self, start: date, end: date) -> list[tuple[date, bool]]:
        """Every day in [start, end] paired with whether it is a working day."""
        start, end = _as_date(start), _as_date(end)
        # holidays records a make-up day while building the year of the
        # holiday it serves, which can be the next year (a late-December
        # Sunday worked for New Year); hence end.year + 1 as well.
        source = self._holidays(range(start.year, end.year + 2))
        weekend = set(source.weekend if self.weekend is None else self.weekend)
        off = set(self.extra_holidays)
        on = set(self.extra_workdays) | source.weekend_workdays
        result = []
        day = start
        while day <= end:
            regular = day.weekday() not in weekend and day not in source
            result.append((day, day not in off and (day in on or regular)))
            day += timedelta(days=1)
        return result

    def _holidays(self, years: range) -> holidays.HolidayBase:
        import holidays  # on first use: a policy without working-time goals never needs it

        try:
            return holidays.country_holidays(self.country, subdiv=self.subdivision, years=years)
        except NotImplementedError as error:  # how holidays reports an unknown code
            raise ValueError(f"no holiday calendar for {self.country}: {error}") from error


def _check_hours(start: time, end: time) -> None:
    if start.tzinfo or end.tzinfo:
        raise ValueError("working hours are naive local wall-clock times")
    if start.microsecond or end.microsecond:
        raise ValueError("working hours have a resolution of one second")
    if not start < end:
        raise ValueError(f"working hours must start before they end: {start}-{end}")


def _as_date(value: date) -> date:
    # Ranges often come from MIN/MAX over timestamp columns.
    return value.date() if isinstance(value, datetime) else value


def _seconds_of_day(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


@dataclass(frozen=True)
class CalendarSQL:
    """Builds SQL expressions over a day table created by ``register``.

    Each expression is one scalar subquery that names each of its inputs
    once, so inputs may themselves be large expressions (even other results
    of this class) without being evaluated twice.  Its own names start with
    ``__cw_`` to stay clear of the caller's columns.
    """

    table: str
    day_us: int
    first: date | None = None
    last: date | None = None

    def working_seconds(self, a_sql: str, b_sql: str) -> str:
        """DECIMAL(18,6) working seconds in [a, b); 0 if b <= a; NULL if either is NULL."""
        stop = self._index("__cw_in.__cw_b", "__cw_db")
        start = self._index("__cw_in.__cw_a", "__cw_da")
        return f"""(SELECT CASE
    WHEN __cw_in.__cw_a IS NULL OR __cw_in.__cw_b IS NULL THEN NULL
    WHEN __cw_da.day IS NULL OR __cw_db.day IS NULL THEN {self._out_of_range("DECIMAL(18,6)")}
    WHEN __cw_in.__cw_b <= __cw_in.__cw_a THEN CAST(0 AS DECIMAL(18,6))
    ELSE CAST({stop} - {start} AS DECIMAL(18,0)) * 0.000001
  END
  FROM (SELECT CAST({a_sql} AS TIMESTAMP) AS __cw_a,
               CAST({b_sql} AS TIMESTAMP) AS __cw_b) AS __cw_in
  {self._day_of("__cw_in.__cw_a", "__cw_da")}
  {self._day_of("__cw_in.__cw_b", "__cw_db")})"""

    def add_working_seconds(self, a_sql: str, seconds_sql: str) -> str:
        """TIMESTAMP at which ``seconds`` of working time have elapsed from a.

        NULL if either input is NULL; ``a`` itself if ``seconds`` <= 0.  When
        the time runs out exactly at the end of a working day the result is
        that end (18:00), not the start of the next working day.
        """
        # The k-th working day holds indexes (k*L, (k+1)*L]; the closed upper
        # end is what makes 18:00 rather than the next 09:00 the answer.
        return f"""(SELECT CASE
    WHEN __cw_at.__cw_a IS NULL OR __cw_at.__cw_us IS NULL THEN NULL
    WHEN __cw_at.__cw_us <= 0 THEN __cw_at.__cw_a
    WHEN __cw_at.__cw_target IS NULL OR __cw_dd.day IS NULL
      THEN {self._out_of_range("TIMESTAMP")}
    ELSE make_timestamp(__cw_dd.ws_us + __cw_at.__cw_target - __cw_dd.before_us)
  END
  FROM (
    SELECT __cw_in.__cw_a, __cw_in.__cw_us,
           {self._index("__cw_in.__cw_a", "__cw_da")} + __cw_in.__cw_us AS __cw_target
    FROM (SELECT CAST({a_sql} AS TIMESTAMP) AS __cw_a,
                 CAST(CAST({seconds_sql} AS DECIMAL(38,6)) * {_US_PER_SECOND} AS BIGINT)
                   AS __cw_us
    ) AS __cw_in
    {self._day_of("__cw_in.__cw_a", "__cw_da")}
  ) AS __cw_at
  LEFT JOIN {self._table()} AS __cw_dd
    ON __cw_dd.ordinal = (__cw_at.__cw_target - 1) // {self.day_us})"""

    def _index(self, instant: str, day_row: str) -> str:
        # The day's index plus the part of its working hours already past,
        # clamped to [0, span] so that off-hours and days off add nothing.
        return (
            f"({day_row}.before_us"
            f" + least(greatest(epoch_us({instant}) - {day_row}.ws_us, 0), {day_row}.span_us))"
        )

    def _day_of(self, instant: str, day_row: str) -> str:
        # LEFT, so that an instant missing from the table is seen and reported.
        return (
            f"LEFT JOIN {self._table()} AS {day_row}"
            f" ON {day_row}.day = CAST({instant} AS DATE)"
        )

    def _table(self) -> str:
        return ident(self.table)

    def _out_of_range(self, sql_type: str) -> str:
        span = f" {self.first}..{self.last}" if self.first else ""
        message = (
            f"clausewise: timestamp or deadline outside the business calendar{span} "
            "(the export's dates plus a year either side)"
        )
        return f"CAST(error({string(message)}) AS {sql_type})"


def register(
    con,
    cal: Calendar,
    first: date,
    last: date,
    name: str = "__calendar",
    pad: timedelta = DEFAULT_PAD,
) -> CalendarSQL:
    """Create (or replace) the day table ``name`` covering [first - pad, last + pad].

    Columns: ``day``; ``is_workday``; ``ordinal`` (0-based number of a
    working day, NULL on days off); ``before_us`` (working microseconds
    before the day's working hours); ``ws_us`` (epoch microseconds of the
    day's work start); ``span_us`` (working microseconds in the day).
    """
    lo, hi = _as_date(first) - pad, _as_date(last) + pad
    days = cal.days(lo, hi)
    day_us = cal.day_seconds * _US_PER_SECOND
    start_us = _seconds_of_day(cal.work_start) * _US_PER_SECOND
    con.execute(
        f"""CREATE OR REPLACE TABLE {ident(name)} AS
WITH flagged AS (
  SELECT unnest(?::DATE[]) AS day, unnest(?::BOOLEAN[]) AS is_workday
), counted AS (
  SELECT day, is_workday,
         CAST(coalesce(sum(CAST(is_workday AS BIGINT)) OVER (
           ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT)
           AS n_before
  FROM flagged
)
SELECT day, is_workday,
       CASE WHEN is_workday THEN n_before END AS ordinal,
       n_before * {day_us} AS before_us,
       epoch_us(CAST(day AS TIMESTAMP)) + {start_us} AS ws_us,
       CASE WHEN is_workday THEN {day_us} ELSE 0 END AS span_us
FROM counted
ORDER BY day""",
        [[d for d, _ in days], [w for _, w in days]],
    )
    return CalendarSQL(table=name, day_us=day_us, first=lo, last=hi)


# Reference implementation: obviously correct, one day at a time, for tests
# and for explaining a single deadline; never use it per record.


@lru_cache(maxsize=64)
def _workdays(cal: Calendar, first_year: int, last_year: int) -> frozenset[date]:
    days = cal.days(date(first_year, 1, 1), date(last_year, 12, 31))
    return frozenset(d for d, working in days if working)


def _working_hours(cal: Calendar, day: date) -> tuple[datetime, datetime]:
    return datetime.combine(day, cal.work_start), datetime.combine(day, cal.work_end)


def reference_working_seconds(cal: Calendar, a: datetime, b: datetime) -> Decimal:
    """Working seconds in [a, b), summed over the working hours of each day."""
    workdays = _workdays(cal, a.year, b.year)
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if day in workdays:
            start, end = _working_hours(cal, day)
            total += max(min(b, end) - max(a, start), timedelta(0))
        day += timedelta(days=1)
    return Decimal(total // timedelta(microseconds=1)) / _US_PER_SECOND


def reference_add_working_seconds(
    cal: Calendar, a: datetime, seconds: Decimal | int, horizon_years: int = 3
) -> datetime:
    """Earliest instant by which ``seconds`` of working time have elapsed from a."""
    remaining = timedelta(microseconds=round(Decimal(seconds) * _US_PER_SECOND))
    if remaining <= timedelta(0):
        return a
    workdays = _workdays(cal, a.year, a.year + horizon_years)
    day = a.date()
    while day.year <= a.year + horizon_years:
        if day in workdays:
            start, end = _working_hours(cal, day)
            available = end - max(a, start)
            if remaining <= available:
                return max(a, start) + remaining
            remaining -= max(available, timedelta(0))
        day += timedelta(days=1)
    raise ValueError(f"no deadline within {horizon_years} years of {a}")
