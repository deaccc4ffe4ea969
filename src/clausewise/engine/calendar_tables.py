"""The rows of the business calendar's lookup tables, computed in Python once per run.

:mod:`.calendar` explains what the tables are for. Here every working
interval of every day in the registered range becomes a pair of instants
(epoch microseconds, UTC), placed with :func:`boundary` from the local clock
times the policy configures; then the instants are cut into the three small
tables whose rows the SQL joins by equality:

* ``days``: one row per local date: whether it is worked, how many working
  days there are up to it, when it begins, ends and closes, and how its
  wall-clock times are read;
* ``clock``: one row per *clock bucket* (24 hours of real time, starting in
  the middle of the longest stretch of the day without working hours, so that
  few working intervals cross a bucket's edge), holding the working-time index
  at the bucket's start, the working intervals inside it, the local midnights
  that fall inside it, and the UTC offsets in force;
* ``index``: one row per *index bucket* (a stretch of working time no longer
  than the shortest working interval, so it overlaps only a few intervals),
  holding those intervals.

The work is proportional to the number of days in the range (a few thousand),
never to the number of records.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..i18n import msg
from . import zones

if TYPE_CHECKING:
    from .calendar import BusinessCalendar

US = 1_000_000
DAY_US = 86_400 * US
# A stand-in for "no such instant": later than any instant a record can hold.
NEVER = 2**63 - 1
# An index bucket is at least the shortest working interval long; a daylight
# saving change can make one interval very short, so the bucket is also long
# enough to keep the table below this many rows.
MAX_INDEX_ROWS = 20_000
MAX_CANDIDATES = 32

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)
_HOUR_US = 3600 * US


def to_us(moment: datetime) -> int:
    """Epoch microseconds of an aware datetime, exactly (no float on the way)."""
    return (moment - _EPOCH) // _ONE_US


def from_us(us: int, zone: ZoneInfo | timezone = timezone.utc) -> datetime:
    """The aware datetime of epoch microseconds ``us``, shown in ``zone``."""
    return (_EPOCH + timedelta(microseconds=us)).astimezone(zone)


# A range of fewer days is built by asking the zone (the calendar's template week, when a pack is checked):
# working out the zone's steady stretch reads its offset for every day since 1970, 25 ms.
STEADY_DAYS = 90
_steady_wanted: set[ZoneInfo] = set()


def steady_us(zone: ZoneInfo) -> tuple[int, int, int] | None:
    """(first, end, offset) in microseconds: the instants [first, end) at which ``zone`` keeps one UTC offset,
    its longest such stretch since 1970 (``zones.steady``), or None. Inside it the functions here add or
    subtract the offset instead of asking the zone, with the same answers (tests/engine/test_calendar.py).
    None too until a range of :data:`STEADY_DAYS` or more has been built for the zone."""
    return _steady_us(zone) if zone in _steady_wanted else None


@lru_cache(maxsize=32)
def _steady_us(zone: ZoneInfo) -> tuple[int, int, int] | None:
    found = zones.steady(zone.key) if isinstance(zone, ZoneInfo) and zone.key else None
    if found is None:
        return None
    first, end, offset = found
    off = offset // _ONE_US
    return _naive_us(first) - off, _naive_us(end) - off, off


def _steady_offset(zone: ZoneInfo, us: int) -> int | None:
    """The zone's offset at instant ``us`` when it lies in the steady stretch (:func:`steady_us`), else None."""
    steady = steady_us(zone)
    return steady[2] if steady is not None and steady[0] <= us < steady[1] else None


def _steady_instant(zone: ZoneInfo, wall: datetime) -> int | None:
    """The instant of the naive local time ``wall`` when it lies in the steady stretch, else None."""
    steady = steady_us(zone)
    if steady is None:
        return None
    at = _naive_us(wall) - steady[2]
    return at if steady[0] <= at < steady[1] else None


def _naive_us(wall: datetime) -> int:
    """Microseconds from 1970-01-01 00:00 to the naive ``wall`` on the same clock."""
    return (wall - _NAIVE_EPOCH) // _ONE_US


def wall_clock(zone: ZoneInfo, us: int) -> datetime:
    """What the local clock in ``zone`` reads at instant ``us`` (a naive datetime)."""
    offset = _steady_offset(zone, us)
    if offset is not None:
        return _NAIVE_EPOCH + timedelta(microseconds=us + offset)
    return from_us(us, zone).replace(tzinfo=None)


def read_local(zone: ZoneInfo, wall: datetime) -> int:
    """The instant of a naive local time, read as DuckDB's ``CAST(… AS TIMESTAMPTZ)`` reads it.

    A time the clock shows twice (the repeated hour when clocks go back) is
    the second of the two; a time the clock skips (clocks go forward) is read
    with the offset before the change, so 02:30 on a day that jumps from 02:00
    to 03:00 is 03:30. In both cases that is the later of zoneinfo's two
    readings (``fold=0`` and ``fold=1``).
    """
    at = _steady_instant(zone, wall)
    if at is not None:
        return at
    return max(to_us(wall.replace(tzinfo=zone, fold=fold)) for fold in (0, 1))


@lru_cache(maxsize=1 << 16)
def boundary(zone: ZoneInfo, day: date, seconds: int) -> int:
    """The instant at which working hours that start or end ``seconds`` into ``day`` do so.

    It is the first instant at which the local clock reads that day and time
    or later. For a time the clock shows twice that is the first of the two;
    for a time it skips, the moment the clock jumps (a 02:30 boundary on a day
    that jumps from 02:00 to 03:00 falls at 03:00). ``seconds`` may run past
    midnight (``30 * 3600`` is 06:00 the next day).
    """
    wall = datetime.combine(day, time()) + timedelta(seconds=seconds)
    at = _steady_instant(zone, wall)
    if at is not None:
        return at
    first = wall.replace(tzinfo=zone, fold=0)
    at = to_us(first)
    if wall_clock(zone, at) == wall:  # the time exists; fold=0 is its first occurrence
        return at
    # Skipped: the clock reads less than ``wall`` at the fold=1 reading and
    # more at the fold=0 reading; the jump lies between them.
    low, high = to_us(wall.replace(tzinfo=zone, fold=1)), at
    while high - low > 1:
        middle = (low + high) // 2
        if wall_clock(zone, middle) >= wall:
            high = middle
        else:
            low = middle
    return high


def local_day(zone: ZoneInfo, us: int) -> date:
    """The local date of instant ``us``: the day that began at or before it and has not ended."""
    day = wall_clock(zone, us).date()
    while us < boundary(zone, day, 0):
        day -= timedelta(days=1)
    while us >= boundary(zone, day + timedelta(days=1), 0):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class Span:
    """One working interval as instants, and the working time before it."""

    start: int
    end: int
    before: int  # working microseconds from the first interval of the range to ``start``


def working_spans(cal: BusinessCalendar, first: date, last: date) -> list[Span]:
    """Every non-empty working interval of the days in [first, last], in order."""
    zone, spans, before = cal.zone, [], 0
    for day, hours in cal.schedule(first, last):
        for start_s, end_s in hours:
            start, end = boundary(zone, day, start_s), boundary(zone, day, end_s)
            if end > start:  # a change of the clocks can swallow a whole interval
                spans.append(Span(start, end, before))
                before += end - start
    return spans


@dataclass
class Tables:
    """Column-wise rows of the three tables, and the numbers the SQL is written with."""

    lo_us: int  # first instant of the range (local midnight starting ``first``)
    hi_us: int  # first instant after it
    origin_us: int = 0  # where clock bucket 0 starts
    index_step: int = 0  # length of an index bucket, in working microseconds
    pieces: int = 0  # working intervals per clock bucket, at most
    midnights: int = 0  # local midnights per clock bucket, at most
    candidates: int = 0  # working intervals per index bucket, at most
    changes: int = 0  # changes of the clocks per clock bucket, at most
    day_changes: int = 0  # changes of the clocks per local date, at most
    fixed_offset: int | None = None  # the zone's UTC offset, if it never changes in the range
    days: dict[str, list] = field(default_factory=dict)
    clock: dict[str, list] = field(default_factory=dict)
    index: dict[str, list] = field(default_factory=dict)


def build(cal: BusinessCalendar, first: date, last: date) -> Tables:
    """The tables for instants in the local days [first, last]."""
    zone, one = cal.zone, timedelta(days=1)
    if (last - first).days >= STEADY_DAYS:
        _steady_wanted.add(zone)
    # The day before the range contributes its night shift's morning part.
    spans = working_spans(cal, first - one, last)
    dates = [first + timedelta(days=n) for n in range((last - first).days + 2)]
    begins = [boundary(zone, d, 0) for d in dates]  # begins[-1]: the end of the range
    hours = dict(cal.schedule(first, last))  # no hours: a day off
    tables = Tables(lo_us=begins[0], hi_us=begins[-1])
    tables.days = _day_rows(zone, dates, begins, hours)
    _clock_rows(tables, spans, dates, begins, tables.days["through"], quiet_time(cal))
    _index_rows(tables, spans)
    changes = transitions(zone, tables.origin_us - DAY_US, tables.origin_us + len(tables.clock["bucket"]) * DAY_US)
    _clock_offsets(tables, zone, changes)
    _day_offsets(tables, zone, changes)
    offsets = set(tables.clock["off0"]) | set(tables.days["off0"])
    if not changes and len(offsets) == 1:
        tables.fixed_offset = offsets.pop()
    for column in ("ends", "closes"):
        tables.days[f"{column}_local"] = [None if us is None else _wall_us(zone, us) for us in tables.days[column]]
    return tables


def _wall_us(zone: ZoneInfo, us: int) -> int:
    """Wall-clock time at instant ``us`` as microseconds since 1970-01-01 00:00 (of that clock)."""
    return us + utc_offset(zone, us)


def utc_offset(zone: ZoneInfo, us: int) -> int:
    """The zone's offset from UTC at instant ``us``, in microseconds.

    Read at the whole second ``us`` falls in: the clocks change at whole
    seconds (the tz database counts no finer), so that is exact, and one
    call (``fromtimestamp`` of an integer) is a third of the work of going
    through a timedelta.
    """
    offset = _steady_offset(zone, us)
    if offset is not None:
        return offset
    return datetime.fromtimestamp(us // US, zone).utcoffset() // _ONE_US


def transitions(zone: ZoneInfo, start: int, end: int) -> list[tuple[int, int]]:
    """Every change of the zone's UTC offset in (start, end]: (instant, offset from then on)."""
    if _steady_offset(zone, start) is not None and _steady_offset(zone, end) is not None:
        return []  # both ends inside the one stretch: no change between
    found, step = [], 6 * _HOUR_US  # no zone changes its clocks twice within six hours
    here, offset = start, utc_offset(zone, start)
    while here < end:
        there = min(here + step, end)
        after = utc_offset(zone, there)
        if after != offset:
            low, high = here, there
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (low, middle) if utc_offset(zone, middle) == after else (middle, high)
            found.append((high, after))
        here, offset = there, after
    return found


def _clock_offsets(tables: Tables, zone: ZoneInfo, changes: list[tuple[int, int]]) -> None:
    """Per clock bucket: the offset at its start and the changes inside it (instant → local time)."""
    starts = [tables.origin_us + b * DAY_US for b in tables.clock["bucket"]]
    at = [c for c, _ in changes]
    inside = [changes[bisect_right(at, bs):bisect_left(at, bs + DAY_US)] for bs in starts]
    tables.changes = max(map(len, inside), default=0)
    tables.clock["off0"] = [utc_offset(zone, bs) for bs in starts]
    for k in range(1, tables.changes + 1):
        tables.clock[f"tr{k}"] = [found[k - 1][0] if k <= len(found) else NEVER for found in inside]
        tables.clock[f"off{k}"] = [found[k - 1][1] if k <= len(found) else None for found in inside]


def _day_offsets(tables: Tables, zone: ZoneInfo, changes: list[tuple[int, int]]) -> None:
    """Per local date: how its wall-clock times are read (local time → instant).

    A wall-clock time reads with the offset in force before a change of the
    clocks until the clock shows the time it jumped to, and with the new one
    from then on; so a skipped time moves forward by the jump and a repeated
    time is the second one, as :func:`read_local` has it.
    """
    days = tables.days["day"]
    walls = {}  # date → [(wall-clock microseconds from which it holds, offset)]
    for instant, offset in changes:
        wall = instant + offset
        walls.setdefault((_EPOCH + timedelta(microseconds=wall)).date(), []).append((wall, offset))
    tables.day_changes = max((len(walls.get(d, ())) for d in days), default=0)
    midnight = [to_us(datetime.combine(d, time(), timezone.utc)) for d in days]
    tables.days["off0"] = [m - read_local(zone, datetime.combine(d, time())) for d, m in zip(days, midnight, strict=True)]
    for k in range(1, tables.day_changes + 1):
        found = [walls.get(d, [])[k - 1] if k <= len(walls.get(d, [])) else None for d in days]
        tables.days[f"wall{k}"] = [f[0] if f else NEVER for f in found]
        tables.days[f"off{k}"] = [f[1] if f else None for f in found]


def _day_rows(zone, dates, begins, hours) -> dict[str, list]:
    rows = {"day": [], "is_workday": [], "ordinal": [], "through": [], "begins": [], "ends": [], "closes": []}
    count = 0
    for n, day in enumerate(dates[:-1]):
        working = bool(hours[day])
        rows["day"].append(day)
        rows["is_workday"].append(working)
        rows["ordinal"].append(count if working else None)
        count += working
        rows["through"].append(count)
        rows["begins"].append(begins[n])
        rows["ends"].append(begins[n + 1])
        rows["closes"].append(boundary(zone, day, hours[day][-1][1]) if working else None)
    return rows


def _clock_rows(tables: Tables, spans: list[Span], dates, begins, through, quiet: int) -> None:
    starts, ends = [s.start for s in spans], [s.end for s in spans]
    # Bucket edges at a quiet time of day cut few working intervals in two.
    tables.origin_us = tables.lo_us + quiet * US - DAY_US
    # Deadlines in the night shift of the range's last day lie after its end.
    count = (max(tables.hi_us, ends[-1] if ends else 0) - 1 - tables.origin_us) // DAY_US + 1
    buckets = [tables.origin_us + b * DAY_US for b in range(count)]
    tables.pieces = max(1, max(bisect_left(starts, bs + DAY_US) - bisect_right(ends, bs) for bs in buckets))
    inner = begins[:-1]  # the range's own end is never inside: later instants are refused
    midnights = [range(bisect_right(inner, bs), bisect_left(inner, bs + DAY_US)) for bs in buckets]
    tables.midnights = max(1, max(map(len, midnights)))
    rows: dict[str, list] = {"bucket": list(range(count)), "w0": [], "day0": [], "through0": []}
    for k in range(1, tables.pieces + 1):
        rows[f"s{k}"], rows[f"n{k}"] = [], []
    for k in range(1, tables.midnights + 1):
        rows[f"m{k}"], rows[f"day{k}"], rows[f"through{k}"] = [], [], []
    for bs, inside in zip(buckets, midnights, strict=True):
        rows["w0"].append(_index_at(spans, starts, bs))
        cut = [(max(s.start, bs), min(s.end, bs + DAY_US)) for s in spans[bisect_right(ends, bs):bisect_left(starts, bs + DAY_US)]]
        for k in range(1, tables.pieces + 1):
            start, end = cut[k - 1] if k <= len(cut) else (0, 0)
            rows[f"s{k}"].append(start)
            rows[f"n{k}"].append(end - start)
        # The local day at the bucket's start; before the range that is the day
        # before ``first``, which the range check keeps away from the SQL.
        at = bisect_right(inner, bs) - 1
        rows["day0"].append(dates[at] if at >= 0 else dates[0] - timedelta(days=1))
        rows["through0"].append(through[at] if at >= 0 else 0)
        for k in range(1, tables.midnights + 1):
            n = inside[k - 1] if k <= len(inside) else None
            rows[f"m{k}"].append(begins[n] if n is not None else NEVER)
            rows[f"day{k}"].append(dates[n] if n is not None else None)
            rows[f"through{k}"].append(through[n] if n is not None else None)
    tables.clock = rows


def quiet_time(cal: BusinessCalendar) -> int:
    """Seconds after midnight in the middle of the longest stretch of the day no working hours cover."""
    spans = sorted({span for hours in (cal.hours, *dict(cal.weekday_hours).values()) for span in hours})
    # Walk round the clock: each gap runs from the furthest end so far to the next start.
    reach, best, longest = spans[0][1], 0, 0
    for start, end in spans[1:] + [(spans[0][0] + 86_400, 0)]:
        if start - reach > longest:
            best, longest = reach + (start - reach) // 2, start - reach
        reach = max(reach, end)
    return best % 86_400


def _index_at(spans: list[Span], starts: list[int], us: int) -> int:
    """Working microseconds before instant ``us`` (since the first span)."""
    at = bisect_right(starts, us) - 1
    if at < 0:
        return 0
    span = spans[at]
    return span.before + min(us - span.start, span.end - span.start)


def _index_rows(tables: Tables, spans: list[Span]) -> None:
    total = spans[-1].before + spans[-1].end - spans[-1].start if spans else 0
    shortest = min((s.end - s.start for s in spans), default=1)
    step = max(shortest, -(-total // MAX_INDEX_ROWS), 1)
    buckets: dict[int, list[Span]] = {}
    for span in spans:
        for b in range(span.before // step, (span.before + span.end - span.start - 1) // step + 1):
            buckets.setdefault(b, []).append(span)
    tables.index_step = step
    tables.candidates = max(1, max(map(len, buckets.values()), default=1))
    if tables.candidates > MAX_CANDIDATES:
        raise ValueError(msg("working hours too fragmented: some working intervals are only seconds long"))
    rows: dict[str, list] = {"bucket": sorted(buckets)}
    for k in range(1, tables.candidates + 1):
        rows[f"e{k}"], rows[f"d{k}"] = [], []
    for b in rows["bucket"]:
        found = buckets[b]
        for k in range(1, tables.candidates + 1):
            span = found[k - 1] if k <= len(found) else None
            rows[f"e{k}"].append(span.before + span.end - span.start if span else None)
            rows[f"d{k}"].append(span.start - span.before if span else None)
    tables.index = rows
