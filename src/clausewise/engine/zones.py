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
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from .sqltext import timestamp

# The years whose skipped hours are listed one by one; times outside them are
# checked by reading them back through the zone's rules, which is slower.
FIRST_YEAR, LAST_YEAR = 1970, 2100
# More skipped hours than this are checked by reading back instead of listed.
MAX_LISTED = 24
_UTC = timezone.utc


@lru_cache(maxsize=32)
def gaps(zone: str) -> tuple[tuple[datetime, datetime], ...]:
    """The wall-clock windows [start, end) that ``zone``'s clocks skip, from 1970 to 2100, as naive datetimes."""
    tz = ZoneInfo(zone)
    found = []
    day = datetime(FIRST_YEAR, 1, 1, tzinfo=_UTC)
    end = datetime(LAST_YEAR + 1, 1, 1, tzinfo=_UTC)
    offset = day.astimezone(tz).utcoffset()
    while day < end:
        following = day + timedelta(days=1)
        after = following.astimezone(tz).utcoffset()
        if after != offset:
            change = _change(tz, day, following, offset)
            if after > offset:  # clocks go forward: local times from old to new reading are skipped
                found.append(((change + offset).replace(tzinfo=None), (change + after).replace(tzinfo=None)))
            offset = after
        day = following
    return tuple(found)


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

    (FALSE or NULL otherwise.) A time between the first listed window and
    the last is checked against each window; one outside the listed years
    is read back through the zone's rules; any other time is not skipped,
    which two comparisons settle (a zone that last changed its clocks in
    1991 costs modern data nothing more).
    """
    listed = gaps(zone)
    back = f"CAST(CAST({naive} AS TIMESTAMPTZ) AS TIMESTAMP) <> {naive}"
    outside = f"{naive} < {timestamp(datetime(FIRST_YEAR, 1, 1))} OR {naive} >= {timestamp(datetime(LAST_YEAR + 1, 1, 1))}"
    if not listed:
        if _fixed(zone):
            return None
        # No skipped hour from 1970 to 2100, but there may be earlier ones (Kolkata 1942, Tokyo 1948-1951).
        return f"CASE WHEN {outside} THEN {back} ELSE FALSE END"
    if len(listed) > MAX_LISTED:
        return back
    windows = " OR ".join(f"({naive} >= {timestamp(a)} AND {naive} < {timestamp(b)})" for a, b in listed)
    first, last = min(a for a, _ in listed), max(b for _, b in listed)
    return (f"CASE WHEN {naive} >= {timestamp(first)} AND {naive} < {timestamp(last)} THEN ({windows}) "
            f"WHEN {outside} THEN {back} ELSE FALSE END")
