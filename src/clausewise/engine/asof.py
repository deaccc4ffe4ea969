"""The audit period and the as-of time: given, stated by the export, or read off its data.

Every audit has an **audit period** — the months its export covers — and an
**as-of** time, the moment it is judged at (docs/time.md, "The audit period").

The period comes from ``--period`` (``2026-10``, ``2026-Q4``, ``2026``), else
``period:`` in the export's ``export.yaml``, else it is inferred: the calendar
month (in the policy's zone) holding the most timestamps of the export.

The as-of time comes from ``--as-of``, else ``as_of:`` in ``export.yaml``,
else the end of a period that was given or stated, else (the period being
inferred) the latest timestamp in the export, else the current time in the
policy's zone. So a re-run of the same export gives the same answer.

All times here are naive wall-clock times in the policy's timezone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import DataError, Location, UsageError, did_you_mean
from ..i18n import NC_, msg
from ..model import AuditPeriod, Dataset, in_time_range
from ..policy.yamlfile import load_yaml
from .exports import inside_export
from .sqltext import ident

MANIFEST = "export.yaml"
# What export.yaml may say (``sources`` is read by sources.py).
MANIFEST_KEYS = ("period", "as_of", "sources")
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])))?$")
INFERRED = "inferred: the month holding most timestamps in the export"
LATEST = "latest timestamp in the export"


@dataclass(frozen=True)
class Manifest:
    """What an export folder says about itself in ``export.yaml`` (naive local times)."""

    as_of: datetime | None = None
    period: AuditPeriod | None = None


def parse_period(text: str, source: str = "given", where: Location | None = None) -> AuditPeriod:
    """``2026-10`` (a month), ``2026-Q4`` (a quarter) or ``2026`` (a year) as an :class:`AuditPeriod`.

    Raises UsageError (``where`` None: the command line) or DataError (at
    ``where``) when the text is none of those or lies outside the years
    1900 to 2199.
    """
    def fail(message: str):
        return DataError(message, where) if where is not None else UsageError(message)

    match = _PERIOD.match(str(text).strip())
    if not match:
        raise fail(msg('period "{text}" is not a month (2026-10), quarter (2026-Q4) or year (2026)', text=text))
    year, month, quarter = int(match[1]), match[2], match[3]
    if not in_time_range(datetime(year, 1, 1)):
        raise fail(msg('period "{text}" is outside the years 1900 to 2199 that clausewise judges', text=text))
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise fail(msg('period "{text}" has no month {month}', text=text, month=int(month)))
        first, months, label = int(month), 1, f"{year}-{int(month):02d}"
    elif quarter is not None:
        first, months, label = 3 * int(quarter) - 2, 3, f"{year}-Q{quarter}"
    else:
        first, months, label = 1, 12, f"{year}"
    start = datetime(year, first, 1)
    last = first - 1 + months  # 1..12
    end = datetime(year + last // 12, last % 12 + 1, 1)
    return AuditPeriod(start, end, label, source)


def read_manifest(export_dir: Path, timezone: str) -> Manifest:
    """What ``export.yaml`` in the export folder states: ``as_of:`` and ``period:``.

    An unknown key is an error with a suggestion (``asof:`` → ``as_of``), so
    a misspelt key is never silently ignored.
    """
    path = export_dir / MANIFEST
    if not path.is_file():
        return Manifest()
    doc = load_yaml(inside_export(path, export_dir)) or {}
    if not isinstance(doc, dict):
        raise DataError(msg("expected a mapping with {names}", names=', '.join(MANIFEST_KEYS)), Location(str(path)))
    for key in doc:
        if key not in MANIFEST_KEYS:
            where = doc.key_at(key) if hasattr(doc, "key_at") else Location(str(path))
            raise DataError(msg('unknown key "{key}"{hint}; export.yaml may hold {names}', key=key, hint=did_you_mean(str(key), MANIFEST_KEYS), names=', '.join(MANIFEST_KEYS)), where)
    period = None
    if doc.get("period") is not None:
        period = parse_period(str(doc["period"]), f"period in {MANIFEST}", doc.value_at("period"))
    as_of = None
    if doc.get("as_of") is not None:
        as_of = _as_of(doc["as_of"], timezone, doc.value_at("as_of"))
    return Manifest(as_of, period)


def _as_of(value, timezone: str, where: Location) -> datetime:
    try:
        as_of = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise DataError(msg('as_of "{value}" is not a timestamp', value=value), where) from None
    as_of = wall_clock(as_of, timezone)
    if as_of is None:
        raise DataError(msg('"{value}" is outside the years 1900 to 2199 that clausewise judges', value=value), where)
    return as_of


def wall_clock(value: datetime, timezone: str) -> datetime | None:
    """An as-of time as the policy's naive wall-clock time: an aware ``value`` is an instant, converted to
    ``timezone``; a naive one is already wall-clock time. None when it lies outside the years clausewise judges
    (1900 to 2199), conversion overflowing included. ``--as-of``, ``as_of`` in the library and ``as_of:`` in
    export.yaml all read a time this way."""
    if value.tzinfo is not None:
        try:
            value = value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
        except OverflowError:  # before the year 1 or after 9999 once converted
            return None
    return value if in_time_range(value) else None


# The UTC hour an instant falls in, counted from 1970 (rounded down, also before 1970: DuckDB's ``//`` truncates).
_HOUR_US = 3_600_000_000
_HOUR = f"((epoch_us({{t}}) - (epoch_us({{t}}) % {_HOUR_US} + {_HOUR_US}) % {_HOUR_US}) // {_HOUR_US})"


def _months_sql(datasets: list[Dataset]) -> str | None:
    """SQL: rows ``(m, n)``: a month (its start, naive local) and how many of the export's timestamps fall in it.

    The month of an instant in a timezone is costly to work out (a calendar
    lookup per value), so the values are first counted by the hour (UTC,
    plain integer arithmetic) and each hour's month is worked out once. An
    hour in which a month begins (in a zone whose offset is not whole hours,
    such as India's +05:30, or Monrovia's -00:44:30 until 1972), or in which
    the clocks change (which may take them back across a month's start:
    St. John's, Newfoundland, at 00:01 on 1 November 2009, 02:31 UTC), has
    its values' months worked out one by one, so the count is exact. None
    when no dataset has a timestamp field.
    """
    parts = [
        f"SELECT {ident(f.name)} AS t FROM {ident(d.name)} WHERE {ident(f.name)} IS NOT NULL"
        for d in datasets for f in d.file_fields() if f.type == "timestamp"
    ]
    if not parts:
        return None
    last = _HOUR_US - 1
    return f"""
        WITH v AS ({' UNION ALL '.join(parts)}),
        b AS (SELECT {_HOUR.format(t="t")} AS k, count(*) AS n FROM v GROUP BY k),
        h AS (SELECT k, n, make_timestamptz(k * {_HOUR_US}) AS s0, make_timestamptz(k * {_HOUR_US} + {last}) AS s1
              FROM b),
        e AS (SELECT k, n, date_trunc('month', s0) AS m0,
                     date_trunc('month', s1) = date_trunc('month', s0)
                     AND epoch_us(CAST(s1 AS TIMESTAMP)) - epoch_us(CAST(s0 AS TIMESTAMP)) = {last} AS whole
              FROM h)
        SELECT m::TIMESTAMP AS m, sum(n) AS n FROM (
            SELECT m0 AS m, n FROM e WHERE whole
            UNION ALL
            SELECT date_trunc('month', v.t) AS m, 1 AS n FROM v
            SEMI JOIN (SELECT k FROM e WHERE NOT whole) AS s ON {_HOUR.format(t="v.t")} = s.k
        ) GROUP BY m"""


def month_counts(con, datasets: list[Dataset]) -> dict[datetime, int]:
    """How many of the export's timestamps fall in each month: month start (naive local) → count; one SQL statement.

    Every timestamp field of every exported dataset counts, each value once;
    months are the policy's (the connection's timezone), each keyed by its first day at 00:00 even when
    that local time was skipped. The period's inference and its warnings are all read off this one count.
    """
    months = _months_sql(datasets)
    # A month whose first midnight was skipped (Asunción, 2023-10-01 00:00 -> 01:00) truncates to its first
    # existing local time, 01:00: each key is made the month's first day at 00:00, as the periods' starts are.
    rows = [] if months is None else con.execute(f"SELECT m, n FROM ({months})").fetchall()
    counts: dict[datetime, int] = {}
    for m, n in rows:
        month = datetime(m.year, m.month, 1)
        counts[month] = counts.get(month, 0) + int(n)
    return counts


def infer_period(con, datasets: list[Dataset]) -> AuditPeriod | None:
    """The calendar month holding the most timestamps of the export (the later one on a tie); None without any."""
    return inferred_from(month_counts(con, datasets))


def inferred_from(counts: dict[datetime, int]) -> AuditPeriod | None:
    """:func:`infer_period` from the month counts (:func:`month_counts`)."""
    if not counts:
        return None
    month = max(counts, key=lambda m: (counts[m], m))
    period = parse_period(f"{month.year}-{month.month:02d}")
    return AuditPeriod(period.start, period.end, period.label, INFERRED)


def choose(given_as_of: datetime | None, given_period: AuditPeriod | None, manifest: Manifest,
           inferred: AuditPeriod | None, latest: datetime | None, timezone: str
           ) -> tuple[AuditPeriod | None, datetime, str]:
    """(the audit period, the as-of time, where the as-of came from), by the order in the module docstring."""
    period = given_period or manifest.period or inferred
    if given_as_of is not None:
        return period, given_as_of, "given"
    if manifest.as_of is not None:
        return period, manifest.as_of, f"as_of in {MANIFEST}"
    if given_period is not None:
        return period, given_period.end, f"end of period {given_period.label}"
    if manifest.period is not None:
        return period, manifest.period.end, f"end of period {manifest.period.label} in {MANIFEST}"
    if latest is not None:
        return period, latest, LATEST
    now = datetime.now(ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)
    return period, now, "now (the export has no timestamps)"


def months_without_records(counts: dict[datetime, int], period: AuditPeriod, as_of: datetime) -> tuple[str, ...]:
    """The months of ``period`` ended by ``as_of`` in which no timestamp of the export falls (labels, in order).

    Those months are judged — "every month" obligations fail there for want of
    records — though the export may simply not cover them (a ``--period
    2026-Q4`` given for an October export): a reader must be told. Nothing
    when the export has no timestamp at all (``counts`` from :func:`month_counts`).
    """
    if not counts:
        return ()
    out, start = [], period.start
    while start < period.end:
        end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1)
        if end <= as_of and start not in counts:
            out.append(f"{start.year}-{start.month:02d}")
        start = end
    return tuple(out)


def month_of(moment: datetime) -> AuditPeriod:
    """The calendar month holding ``moment``: the period of an export that has no timestamps."""
    month = parse_period(f"{moment.year}-{moment.month:02d}")
    return AuditPeriod(month.start, month.end, month.label, "the month of the as-of time (the export has no timestamps)")


def outside_period(counts: dict[datetime, int], period: AuditPeriod) -> tuple[int, int]:
    """(how many of the export's timestamps fall outside ``period``, how many there are), from :func:`month_counts`."""
    outside = sum(n for m, n in counts.items() if not period.start <= m < period.end)
    return outside, sum(counts.values())


def run_warnings(counts: dict[datetime, int], period: AuditPeriod, as_of: datetime, latest: datetime | None,
                 source: str, by_period: bool, lang: str) -> tuple[str, ...]:
    """The run's warnings about its period and as-of time (:func:`warnings`), from the month counts.

    ``counts`` is :func:`month_counts` of the exported datasets; ``by_period`` says whether any rule is
    judged period by period.
    """
    empty = () if period.source == INFERRED else months_without_records(counts, period, as_of)
    outside = outside_period(counts, period) if period.source == INFERRED else (0, 0)
    return warnings(as_of, latest, lang, period, empty, outside, source, by_period)


# An inferred period is doubted when more than this share of the export's timestamps lie outside it.
OUTSIDE_SHARE = 0.25


def warnings(as_of: datetime, latest: datetime | None, lang: str, period: AuditPeriod | None = None,
             empty: tuple[str, ...] = (), outside: tuple[int, int] = (0, 0), source: str = "",
             by_period: bool = False) -> tuple[str, ...]:
    """What a reader must know about the chosen times, one line each.

    - An as-of before some of the export's records: they are judged as if
      their future were known (a reply after the as-of still stops a clock),
      which is rarely meant.
    - Months of the audit period that are judged but hold no record of the
      export (``empty``, see :func:`months_without_records`).
    - An inferred period that more than a quarter of the export's timestamps
      lie outside (``outside``: outside, all; :func:`outside_period`): an
      export of two months is judged on one, and the other silently not.
    - An inferred period not ended at the as-of time while the policy has
      rules judged period by period (``by_period``): those obligations are not
      judged at all, which a green run must not hide.
    - An as-of taken from the latest timestamp that lies beyond the period
      after the audit period: most likely a mistyped date moved the as-of.
    """
    out = []
    if latest is not None and latest > as_of:
        out.append(msg("the as-of time {as_of} is before the export's latest timestamp {latest}: "
                       "records after the as-of time were judged too",
                       as_of=as_of.isoformat(sep=" "), latest=latest.isoformat(sep=" ")).render(lang))
    if empty and period is not None:
        months = NC_("months", ", ").render(lang).join(empty)
        out.append(msg("the export holds no record dated in {months}, which the audit period {period} holds and "
                       "which are judged all the same: check that the period is right",
                       months=months, period=period.label).render(lang))
    if period is not None and period.source == INFERRED:
        beyond, total = outside
        if total and beyond > OUTSIDE_SHARE * total:
            out.append(msg("{outside} of the export's {total} timestamps lie outside the inferred audit period "
                           "{period}, and are not judged month by month: state the period (--period, or period: "
                           "in export.yaml)", outside=beyond, total=total, period=period.label).render(lang))
        if by_period and as_of < period.end:
            out.append(msg("the audit period {period} was inferred and has not ended at the as-of time {as_of}: "
                           "obligations judged month by month are not judged at all; state the period (--period, "
                           "or period: in export.yaml) to judge it at its end",
                           period=period.label, as_of=as_of.isoformat(sep=" ")).render(lang))
    if period is not None and source == LATEST and as_of >= _after(period):
        out.append(msg("the as-of time {as_of} is the export's latest timestamp, long after the audit period {period}: "
                       "a mistyped date? Give --as-of", as_of=as_of.isoformat(sep=" "),
                       period=period.label).render(lang))
    return tuple(out)


def _after(period: AuditPeriod) -> datetime:
    """The end of the period that follows ``period`` (as long as it, in months)."""
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month
    last = period.end.month - 1 + months
    return datetime(period.end.year + last // 12, last % 12 + 1, 1)
