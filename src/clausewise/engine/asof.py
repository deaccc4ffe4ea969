"""The audit's as-of time: given, stated by the export, or read off its data.

An export folder may say which moment it should be judged at in
``export.yaml``: ``as_of: 2026-10-31 18:00`` outright, or ``period: 2026-10``
(or ``2026-Q4``, ``2026``), meaning the end of that period. Without either,
the latest timestamp in the export is used, so a re-run of the same export
gives the same answer.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import DataError, Location
from ..model import in_time_range
from ..policy.yamlfile import load_yaml
from .exports import inside_export

MANIFEST = "export.yaml"
_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])))?$")


def read_manifest(export_dir: Path, timezone: str) -> tuple[datetime | None, str]:
    """The as-of time an export states for itself in ``export.yaml``, if any.

    ``as_of: 2026-10-31 18:00`` states it outright; ``period: 2026-10`` (or
    ``2026-Q4``, ``2026``) means the end of that period, 2026-11-01 00:00.
    """
    path = export_dir / MANIFEST
    if not path.is_file():
        return None, ""
    doc = load_yaml(inside_export(path, export_dir)) or {}
    where = Location(str(path))
    if not isinstance(doc, dict):
        raise DataError("expected a mapping with as_of or period", where)
    if doc.get("as_of") is not None:
        value = doc["as_of"]
        try:
            as_of = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        except ValueError:
            raise DataError(f'as_of "{value}" is not a timestamp', doc.value_at("as_of")) from None
        if as_of.tzinfo is not None:  # an instant: the policy's wall-clock time at that moment
            try:
                as_of = as_of.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
            except OverflowError:  # before the year 1 or after 9999 once converted
                as_of = datetime.min
        return _judged(as_of, value, doc.value_at("as_of")), f"as_of in {MANIFEST}"
    if doc.get("period") is not None:
        end = _period_end(str(doc["period"]), doc.value_at("period"))
        return _judged(end, doc["period"], doc.value_at("period")), f"end of period {doc['period']} in {MANIFEST}"
    return None, ""


def _judged(value: datetime, written, where: Location) -> datetime:
    """``value`` naive in the policy's zone, refused outside the years clausewise judges."""
    if not in_time_range(value):
        raise DataError(f'"{written}" is outside the years 1900 to 2199 that clausewise judges', where)
    return value


def _period_end(period: str, where: Location) -> datetime:
    match = _PERIOD.match(period)
    if not match:
        raise DataError(f'period "{period}" is not a month (2026-10), quarter (2026-Q4) or year (2026)', where)
    year, month, quarter = int(match[1]), match[2], match[3]
    if not in_time_range(datetime(year, 1, 1)):
        raise DataError(f'period "{period}" is outside the years 1900 to 2199 that clausewise judges', where)
    last = int(month) if month else (int(quarter) * 3 if quarter else 12)
    if not 1 <= last <= 12:
        raise DataError(f'period "{period}" has no month {last}', where)
    return datetime(year + last // 12, last % 12 + 1, 1)


def choose_as_of(given: datetime | None, stated: tuple[datetime | None, str], latest: datetime | None) -> tuple[datetime, str]:
    """The audit's reference time: given, stated by the export, its latest timestamp, or now."""
    if given is not None:
        return given, "given"
    if stated[0] is not None:
        return stated
    if latest is not None:
        return latest, "latest timestamp in the export"
    return datetime.now().replace(microsecond=0), "now (the export has no timestamps)"
