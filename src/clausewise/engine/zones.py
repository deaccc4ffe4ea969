"""Local times that do not exist: the hour a zone's clocks skip when they go forward.

A timestamp written without an offset is a wall-clock time in the policy's
zone. In a zone with daylight saving, one hour a year has no such wall-clock
time (New York, 2026-03-08: 02:00 jumps to 03:00, so 02:30 never happens).
DuckDB would silently move such a value an hour on; clausewise makes it an
``invalid`` value instead, so a record whose time cannot have been written by
a clock is reported, not guessed at.

The repeated hour when clocks go back (01:30 happens twice) is read as the
*later* of the two moments, as DuckDB reads it; an export that means the
earlier one must write the offset (``-04:00``). docs/time.md says so.

Most zones have kept one offset for decades (Asia/Shanghai since 1991). In
that stretch (:func:`steady`) a local time is the instant ``local -
offset``: the typing reads it so (:func:`instant_sql`), a tenth of the work
of looking every value up in the zone's rules, and so do the business
calendar's tables (``calendar_tables.steady_us``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from .sqltext import timestamp

# The years whose changes of the clocks are worked out here (gaps, the steady stretch); a time
# outside them is checked by reading it back through DuckDB's zone data.
FIRST_YEAR, LAST_YEAR = 1970, 2100
_UTC = timezone.utc


@lru_cache(maxsize=32)
def changes(zone: str) -> tuple[tuple[datetime, timedelta, timedelta], ...]:
    """Every change of ``zone``'s UTC offset from 1970 to 2100: (the instant, as a naive UTC datetime, to the
    minute; the offset before; the offset after), in order. The offset is read once a day: no zone has
    changed its clocks and changed them back within a day."""
    tz = ZoneInfo(zone)
    found = []
    start = int(datetime(FIRST_YEAR, 1, 1, tzinfo=_UTC).timestamp())
    end = int(datetime(LAST_YEAR + 1, 1, 1, tzinfo=_UTC).timestamp())
    # fromtimestamp of whole seconds reads an offset in half the time of astimezone.
    offsets = [datetime.fromtimestamp(second, tz).utcoffset() for second in range(start, end + 1, 86_400)]
    for day, (offset, after) in enumerate(zip(offsets, offsets[1:])):
        if after != offset:
            low = datetime.fromtimestamp(start + day * 86_400, _UTC)
            found.append((_change(tz, low, low + timedelta(days=1), offset).replace(tzinfo=None), offset, after))
    return tuple(found)


def gaps(zone: str) -> tuple[tuple[datetime, datetime], ...]:
    """The wall-clock windows [start, end) that ``zone``'s clocks skip, from 1970 to 2100, as naive datetimes."""
    # Clocks that go forward skip the local times from the old reading to the new one.
    return tuple((at + before, at + after) for at, before, after in changes(zone) if after > before)


def _change(tz: ZoneInfo, low: datetime, high: datetime, before: timedelta) -> datetime:
    """The first instant in (low, high] whose offset differs from ``before`` (to the minute)."""
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high.replace(second=0, microsecond=0)


def _fixed(zone: str) -> bool:
    """Whether ``zone``'s offset never changes: the same at its earliest time, in 1970 and in 2101 (a zone of
    tzdata that ever changed its clocks left its local mean time by 1970), with no change listed between."""
    tz = ZoneInfo(zone)
    offsets = {datetime(year, 1, 1, tzinfo=_UTC).astimezone(tz).utcoffset() for year in (2, FIRST_YEAR, LAST_YEAR + 1)}
    return len(offsets) == 1


def skipped_sql(naive: str, zone: str) -> str | None:
    """SQL, TRUE when the naive local time ``naive`` lies in an hour ``zone`` skips; None when it skips none
    (a zone whose offset never changes, such as UTC).

    (FALSE or NULL otherwise.) A time is skipped when DuckDB, reading it in
    the zone and showing it again, shows another time (it moves a skipped
    time on by the jump): the same zone data that reads the instant decides.
    That is asked only of times from the zone's first skipped hour since
    1970 to its last, and of times outside 1970-2100; any other time is not
    skipped, which two comparisons settle (a zone that last changed its clocks
    in 1991 costs modern data nothing more, and its statement stays short).
    """
    listed = gaps(zone)
    back = f"CAST(CAST({naive} AS TIMESTAMPTZ) AS TIMESTAMP) <> {naive}"
    outside = f"{naive} < {timestamp(datetime(FIRST_YEAR, 1, 1))} OR {naive} >= {timestamp(datetime(LAST_YEAR + 1, 1, 1))}"
    if not listed:
        if _fixed(zone):
            return None
        # No skipped hour from 1970 to 2100, but there may be earlier ones (Kolkata 1942, Tokyo 1948-1951).
        return f"CASE WHEN {outside} THEN {back} ELSE FALSE END"
    first, last = listed[0][0], listed[-1][1]
    return (f"CASE WHEN ({naive} >= {timestamp(first)} AND {naive} < {timestamp(last)}) OR {outside} "
            f"THEN {back} ELSE FALSE END")


# A stretch of local time shorter than this is not worth reading by arithmetic (a zone with daylight saving).
STEADY_MIN = timedelta(days=366)
# Kept away from the changes at either end: local times shown twice or skipped are DuckDB's to read.
_MARGIN = timedelta(days=1)
# How often DuckDB's own zone data is sampled to confirm a stretch: no zone keeps an offset for less than a week.
_PROBE = timedelta(days=7)
_confirmed: dict[str, tuple[datetime, datetime, int] | None] = {}


def steady(zone: str) -> tuple[datetime, datetime, timedelta] | None:
    """The longest stretch of local time from 1970 to 2100 in which ``zone``'s offset does not change, by
    Python's zone data: (first, end, offset); naive local times in [first, end) are the instant ``local -
    offset``. A day is kept clear of the changes at each end. None when no stretch is a year long."""
    listed = changes(zone)
    bounds = [datetime(FIRST_YEAR, 1, 1), *(at for at, _, _ in listed), datetime(LAST_YEAR + 1, 1, 1)]
    offsets = [datetime(FIRST_YEAR, 1, 1, tzinfo=_UTC).astimezone(ZoneInfo(zone)).utcoffset(),
               *(after for _, _, after in listed)]
    start, end, offset = max(zip(bounds, bounds[1:], offsets), key=lambda span: span[1] - span[0])
    first, last = start + offset + _MARGIN, end + offset - _MARGIN
    return (first, last, offset) if last - first >= STEADY_MIN else None


def steady_span(con, zone: str) -> tuple[datetime, datetime, int] | None:
    """:func:`steady` as DuckDB reads local times on ``con`` (whose TimeZone is ``zone``): (first, end, offset
    in microseconds), or None.

    DuckDB carries zone data of its own, which may be of another release than
    Python's; the stretch is used only when DuckDB reads a local time in it
    every week of it, and its last, as ``local - offset``. Worked out once per
    zone in a process.
    """
    if zone not in _confirmed:
        found = steady(zone)
        if found is not None:
            first, end, offset = found
            us = offset // timedelta(microseconds=1)
            agree = con.execute(
                "SELECT bool_and(CAST(t AS TIMESTAMPTZ) = make_timestamptz(epoch_us(t) - ?)) FROM "
                "(SELECT unnest(generate_series(?::TIMESTAMP, ?::TIMESTAMP, ?::INTERVAL)) AS t "
                "UNION ALL SELECT ?::TIMESTAMP - INTERVAL 1 MICROSECOND)",
                [us, first, end, _PROBE, end]).fetchone()[0]
            found = (first, end, us) if agree else None
        _confirmed[zone] = found
    return _confirmed[zone]


def instant_sql(naive: str, span: tuple[datetime, datetime, int] | None) -> str:
    """SQL: the instant of the naive local time ``naive`` in the connection's zone, as ``CAST(… AS
    TIMESTAMPTZ)`` reads it; inside the steady stretch ``span`` (:func:`steady_span`) by subtracting its
    offset, a tenth of the work of looking the zone up (measured: 2 ms against 43 ms a million values)."""
    cast = f"CAST({naive} AS TIMESTAMPTZ)"
    if span is None:
        return cast
    first, end, us = span
    return (f"CASE WHEN {naive} >= {timestamp(first)} AND {naive} < {timestamp(end)} "
            f"THEN make_timestamptz(epoch_us({naive}) - {us}) ELSE {cast} END")
