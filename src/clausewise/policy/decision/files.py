"""Decision-table rows read from a CSV or XLSX file beside the policy, confined to its folder."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from ...errors import Collector, Location, PolicyError, did_you_mean
from ...i18n import N_, msg, os_reason
from ...textfile import UNREAD, NotDecodable, decode_pieces, marked_encoding
from ..yamlfile import MAX_BYTES, YMap
from .cells import FILE_TYPES, Row, make_row


# ---- rows from a CSV or XLSX file ---------------------------------------------------
def file_rows(spec: YMap, inputs, output, base_dir: Path, errors: Collector) -> list[Row]:
    try:
        path, display = table_file(spec["file"], base_dir, spec.value_at("file"))
        grid = _GRIDS[path.suffix.lower()](path, display)
    except PolicyError as exc:
        errors.add(exc)
        return []
    return _grid_rows(grid, (*inputs, output), display, errors)


def _escapes(text: str) -> bool:
    """True for paths that could leave the folder they are relative to, on any system."""
    return any(p.is_absolute() or p.drive or ".." in p.parts for p in (PurePosixPath(text), PureWindowsPath(text)))


def table_file(text, base_dir: Path, where: Location) -> tuple[Path, str]:
    """The table file a policy names, and its name for messages; refused if it leaves the policy's folder."""
    if not isinstance(text, str) or not text.strip():
        raise PolicyError(msg('file must be a path relative to the policy file, like "tables/risk_grade.csv"'), where)
    if _escapes(text):
        raise PolicyError(msg("file \"{text}\" must be inside the policy's folder: \"..\" and absolute paths are refused",
                              text=text), where)
    if PurePosixPath(text).suffix.lower() not in FILE_TYPES:
        raise PolicyError(msg('file "{text}" must be a .csv or .xlsx file', text=text), where)
    path = base_dir / text
    if not path.resolve().is_relative_to(base_dir.resolve()):
        raise PolicyError(msg("file \"{text}\" leads outside the policy's folder through a link", text=text), where)
    display = str(Path(where.file).parent / text)
    if not path.is_file():
        raise PolicyError(msg("is a folder, expected a .csv or .xlsx file") if path.is_dir() else msg("file not found"),
                          Location(display))
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise PolicyError(msg("file is {size} bytes; the limit is {max_bytes}",
                              size=size, max_bytes=MAX_BYTES), Location(display))
    return path, display


def _csv_grid(path: Path, display: str) -> list[list[str]]:
    try:
        data = path.read_bytes()
    except PermissionError:
        raise PolicyError(msg("cannot be read: permission denied"), Location(display)) from None
    except OSError as exc:
        raise PolicyError(msg("cannot be read: {value}",
                              value=os_reason(exc)), Location(display)) from None
    reader = csv.reader(io.StringIO(_utf8_text(data, display), newline=""), strict=True)
    try:
        return list(reader)
    except csv.Error as exc:
        raise PolicyError(msg("cannot read this line: {exc}", exc=_csv_problem(str(exc))),
                          Location(display, line=reader.line_num)) from None


def _utf8_text(data: bytes, display: str) -> str:
    """A decision table's bytes as text: UTF-8, with or without a byte-order mark. A UTF-16 or UTF-32 one (its
    byte-order mark says so) is refused as such; a byte that is not UTF-8, at its line and column."""
    mark = marked_encoding(data)
    if mark in UNREAD:
        raise PolicyError(msg('the file is {encoding} text (it begins with the {encoding} byte-order mark), but '
                              'decision tables are read as UTF-8; save it as "CSV UTF-8" or as .xlsx', encoding=mark),
                          Location(display))
    try:
        return "".join(decode_pieces([data], "utf-8")).removeprefix("\ufeff")
    except NotDecodable as exc:
        bad = exc.where
        raise PolicyError(msg('not UTF-8 text (byte 0x{byte:02X}); save it as "CSV UTF-8" or as .xlsx', byte=bad.byte),
                          Location(display, bad.line, bad.column)) from None


# What Python's CSV reader says is wrong with a line, in the catalogue.
_CSV_PROBLEMS = {said: said for said in (N_("unexpected end of data"), N_("',' expected after '\"'"))}
_FIELD_LIMIT = re.compile(r"field larger than field limit \((\d+)\)")


def _csv_problem(said: str) -> str:
    """Python's CSV reader's words for what is wrong with a line, as a text of the catalogue when it has them."""
    limit = _FIELD_LIMIT.fullmatch(said)
    if limit:
        return msg("field larger than field limit ({limit})", limit=limit[1])
    return _CSV_PROBLEMS.get(said, said)


def _xlsx_grid(path: Path, display: str) -> list[list[str]]:
    from python_calamine import (
        CalamineWorkbook,  # loaded only when a table is a workbook
    )

    from ...workbook import check_workbook  # here, not with the module: only an XLSX table needs it

    check_workbook(path, display, PolicyError)  # calamine aborts the process on a zip bomb or a huge used range
    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken files
        raise PolicyError(msg("cannot read the workbook: {exc}", exc=exc), Location(display)) from None
    return [[_sheet_text(value) for value in row] for row in rows]


def _sheet_text(value) -> str:
    """A workbook cell as the text a CSV would hold (Excel stores 3 as 3.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_GRIDS = {".csv": _csv_grid, ".xlsx": _xlsx_grid}


def _grid_rows(grid: list[list[str]], names: tuple[str, ...], display: str, errors: Collector) -> list[Row]:
    """Rows under a header naming the inputs and the output, in any order; row 1 is the first under it."""
    header = _trimmed(grid[0]) if grid else []
    columns = _columns(header, names, display, errors)
    records = grid[1:]
    while records and not any(c.strip() for c in records[-1]):
        records.pop()  # spreadsheets often end in blank rows
    if columns is None:
        return []
    if not records:
        errors.error("the file has no rows under its header", Location(display))
    found = []
    for position, record in enumerate(records, start=1):
        where = Location(display, row=position)
        problem = _record_problem(record, len(header))
        if problem:
            errors.error(problem, where)
            continue
        cells = [record[columns[n]] for n in names]
        found.append(make_row(cells, [Location(display, row=position, field=n) for n in names], where, errors))
    return [r for r in found if r is not None]


def _trimmed(cells: list[str]) -> list[str]:
    cells = [c.strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _columns(header: list[str], names: tuple[str, ...], display: str, errors: Collector) -> dict[str, int] | None:
    """Where each input and the output stand in the header; None when the header is wrong."""
    where = Location(display, line=1)
    expected = f"the first row must name the inputs and the output: {', '.join(names)}"
    problems = [f'column "{h}" appears twice in the header' for i, h in enumerate(header) if h in header[:i]]
    problems += [f'the header has no column "{n}"{did_you_mean(n, header) or "; " + expected}' for n in names if n not in header]
    if not problems:
        problems = [f'unknown column "{h}"; {expected}' for h in header if h not in names]
    for problem in problems:
        errors.error(problem, where)
    return None if problems else {n: header.index(n) for n in names}


def _record_problem(record: list[str], width: int) -> str | None:
    if not any(c.strip() for c in record):
        return "empty row between rules; delete it, so that row numbers stay the rule numbers"
    if any(c.strip() for c in record[width:]):
        return f"this row has more cells than the header has columns ({width})"
    if len(record) < width:
        return f"this row has {len(record)} cells but the header has {width}"
    return None


