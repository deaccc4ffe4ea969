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
from ..model import AuditPeriod, Dataset, in_time_range
from ..policy.yamlfile import load_yaml
from .exports import inside_export
from .sqltext import ident

MANIFEST = "export.yaml"
# What export.yaml may say (``sources`` is read by sources.py).
MANIFEST_KEYS = ("period", "as_of", "sources")
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])))?$")
INFERRED = "inferred: the month holding most timestamps in the export"


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
        raise fail(f'period "{text}" is not a month (2026-10), quarter (2026-Q4) or year (2026)')
    year, month, quarter = int(match[1]), match[2], match[3]
    if not in_time_range(datetime(year, 1, 1)):
        raise fail(f'period "{text}" is outside the years 1900 to 2199 that clausewise judges')
    if month is not None:
        if not 1 <= int(month) <= 12:
            raise fail(f'period "{text}" has no month {int(month)}')
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
        raise DataError(f"expected a mapping with {', '.join(MANIFEST_KEYS)}", Location(str(path)))
    for key in doc:
        if key not in MANIFEST_KEYS:
            where = doc.key_at(key) if hasattr(doc, "key_at") else Location(str(path))
            raise DataError(f'unknown key "{key}"{did_you_mean(str(key), MANIFEST_KEYS)}; '
                            f"export.yaml may hold {', '.join(MANIFEST_KEYS)}", where)
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
        raise DataError(f'as_of "{value}" is not a timestamp', where) from None
    if as_of.tzinfo is not None:  # an instant: the policy's wall-clock time at that moment
        try:
            as_of = as_of.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
        except OverflowError:  # before the year 1 or after 9999 once converted
            as_of = datetime.min
    if not in_time_range(as_of):
        raise DataError(f'"{value}" is outside the years 1900 to 2199 that clausewise judges', where)
    return as_of


def infer_period(con, datasets: list[Dataset]) -> AuditPeriod | None:
    """The calendar month holding the most timestamps of the export (the later one on a tie); None without any.

    Every timestamp field of every exported dataset counts, each value once;
    months are the policy's (the connection's timezone). One SQL pass.
    """
    parts = [
        f"SELECT date_trunc('month', {ident(f.name)})::TIMESTAMP AS m FROM {ident(d.name)} WHERE {ident(f.name)} IS NOT NULL"
        for d in datasets for f in d.file_fields() if f.type == "timestamp"
    ]
    if not parts:
        return None
    row = con.execute(f"SELECT m FROM ({' UNION ALL '.join(parts)}) GROUP BY m ORDER BY count(*) DESC, m DESC LIMIT 1"
                      ).fetchone()
    if row is None:
        return None
    month: datetime = row[0]
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
        return period, latest, "latest timestamp in the export"
    now = datetime.now(ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)
    return period, now, "now (the export has no timestamps)"


def month_of(moment: datetime) -> AuditPeriod:
    """The calendar month holding ``moment``: the period of an export that has no timestamps."""
    month = parse_period(f"{moment.year}-{moment.month:02d}")
    return AuditPeriod(month.start, month.end, month.label, "the month of the as-of time (the export has no timestamps)")


def warnings(as_of: datetime, latest: datetime | None, lang: str) -> tuple[str, ...]:
    """What a reader must know about the chosen times: an as-of before some of the export's records.

    Records after the as-of time are judged as if their future were known
    (a reply after the as-of still stops a clock), which is rarely meant.
    """
    if latest is None or latest <= as_of:
        return ()
    shown_as_of, shown_latest = as_of.isoformat(sep=" "), latest.isoformat(sep=" ")
    if lang == "zh":
        return (f"截至时间 {shown_as_of} 早于导出数据中最晚的时间 {shown_latest}：晚于截至时间的记录也参与了判断",)
    return (f"the as-of time {shown_as_of} is before the export's latest timestamp {shown_latest}: "
            "records after the as-of time were judged too",)
