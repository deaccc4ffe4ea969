"""XLSX: the first sheet, read with python-calamine, cells written as a CSV export would hold them."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from pathlib import Path

from ...errors import DataError, Location
from ...i18n import msg
from .common import RawFile, ReadOptions
from .csv import read_text_csv


def read(con, path: Path, table: str, options: ReadOptions, scratch: Path) -> RawFile:
    raw = read_text_csv(con, workbook_csv(path, scratch), path, table, ",", scratch)
    raw.format = "xlsx"
    return raw


def workbook_csv(path: Path, scratch: Path) -> Path:
    """The first sheet of ``path`` as a UTF-8 CSV file in ``scratch`` (also how the Spark engine reads a workbook)."""
    from python_calamine import CalamineWorkbook

    from ...workbook import check_workbook  # here, not with the module: only an XLSX export needs it

    check_workbook(path, str(path), DataError)
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken files
        raise DataError(msg("cannot read the workbook: {exc}", exc=exc), Location(str(path))) from None
    target = scratch / f"workbook-{len(list(scratch.iterdir()))}.csv"
    with target.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([_cell(v) for v in row] for row in rows)
    return target


def _cell(value) -> str:
    """A workbook cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)
