"""Read an export folder into typed DuckDB tables, keeping every row.

Each dataset is one file ``<stem>.csv|.jsonl|.parquet|.xlsx``. Reading happens
in two steps, both set-based in DuckDB:

1. the file becomes a raw table of text columns plus ``__row``, the record's
   position in the file (1 = the first record after the header);
2. each declared field is converted to its type. A value that does not convert
   becomes an ``invalid`` finding citing the policy's data-quality clause, and
   the field reads as empty for the rules; the row itself always stays.

CSV in GBK/GB18030 (what Excel writes on Chinese Windows) is transcoded to
UTF-8 first; XLSX is read with python-calamine. Timestamps without an offset
are wall-clock time in the policy's timezone (the connection's ``TimeZone``),
those with an offset are converted to it.
"""

from __future__ import annotations

import codecs
import csv
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import duckdb

from ..errors import ClauseWiseError, Collector, DataError, Location
from ..model import DataFile, Dataset, Field, Policy
from ..workbook import check_workbook
from .kinds.base import ident

FORMATS = ("csv", "jsonl", "parquet", "xlsx")
TRUE_WORDS = ("true", "t", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "f", "0", "no", "n", "否")


@dataclass
class LoadedExport:
    files: list[DataFile]
    earliest: datetime | None
    latest: datetime | None


def load_export(con: duckdb.DuckDBPyConnection, policy: Policy, export_dir: Path, scratch: Path, lang: str) -> LoadedExport:
    """Create one typed table per dataset and the data-quality findings."""
    if not export_dir.is_dir():
        raise DataError("export folder not found", Location(str(export_dir)))
    errors = Collector()
    files, loaded = [], []
    for dataset in (d for d in policy.datasets.values() if d.exported):
        try:
            files.append(_load_dataset(con, dataset, export_dir, scratch, lang))
        except ClauseWiseError as exc:
            errors.add(exc)
            continue
        loaded.append(dataset)
    errors.raise_if_any()
    return LoadedExport(files, *_time_range(con, loaded))


@dataclass
class Source:
    """A reader's result: SQL yielding ``__row`` and the file's columns as text."""

    select: str
    columns: list[str]
    encoding: str | None = None


def find_file(dataset: Dataset, export_dir: Path) -> Path | None:
    """The one file holding ``dataset``; two candidates are an error, not a guess."""
    found = [export_dir / f"{dataset.file}.{ext}" for ext in FORMATS if (export_dir / f"{dataset.file}.{ext}").is_file()]
    if len(found) > 1:
        names = " and ".join(p.name for p in found)
        raise DataError(f'dataset "{dataset.name}" is in both {names}; keep one', Location(str(export_dir)))
    return found[0] if found else None


def _load_dataset(con, dataset: Dataset, export_dir: Path, scratch: Path, lang: str) -> DataFile:
    path = find_file(dataset, export_dir)
    if path is None:
        if not dataset.optional:
            expected = ", ".join(f"{dataset.file}.{ext}" for ext in FORMATS)
            raise DataError(f'dataset "{dataset.name}" is missing: expected one of {expected}', Location(str(export_dir)))
        _type_table(con, dataset, Source(_empty_select(dataset), []), path, lang)
        return DataFile(dataset.name, None, None, 0)
    fmt = path.suffix[1:]
    try:
        source = _READERS[fmt](con, path, dataset, scratch)
    except _NotUtf8:
        source = _read_csv(con, path, dataset, scratch, encoding="gb18030")
    _check_columns(source, dataset, path)
    _type_table(con, dataset, source, path, lang)
    rows = con.execute(f"SELECT count(*) FROM {ident(dataset.name)}").fetchone()[0]
    return DataFile(dataset.name, str(path), fmt, rows, source.encoding)


def _empty_select(dataset: Dataset) -> str:
    cols = ", ".join(f"CAST(NULL AS VARCHAR) AS {ident(f.column)}" for f in dataset.file_fields())
    return f"SELECT CAST(NULL AS BIGINT) AS __row, {cols} WHERE FALSE"


class _NotUtf8(Exception):
    """DuckDB met bytes that are not UTF-8 in a file the first megabyte said was."""


def _numbered(con, dataset: Dataset, select: str, path: Path | None) -> str:
    """Read the rows into a scratch table; SQL giving them numbered in file order from 1.

    Reading into a table first lets DuckDB read the file on every core while
    keeping insertion order, so the row id is the position in the file; a
    numbering window over the reader would hold the whole load to one core.
    """
    raw = ident(f"__raw_{dataset.name}")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS {select}")
    except duckdb.Error as exc:
        raise _reader_error(str(exc), dataset, path) from None
    return f"SELECT rowid + 1 AS __row, * FROM {raw}"


def _reader_error(text: str, dataset: Dataset, path: Path | None) -> Exception:
    if "unicode" in text.lower() and dataset.encoding == "auto" and path is not None and path.suffix == ".csv":
        return _NotUtf8()
    return _read_error(text, path)


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _csv_problem(text: str) -> str:
    """The sentence in DuckDB's CSV error that says what is wrong with the line."""
    lines = [x.strip() for x in text.splitlines()[2:] if x.strip()]
    return lines[0].rstrip(".").lower() if lines and not lines[0].startswith("Possible fixes") else "malformed"


def _read_error(text: str, path: Path) -> DataError:
    """DuckDB's reader error as one line: where, and what is wrong."""
    line = _CSV_LINE.search(text)
    count = _CSV_COUNT.search(text)
    if line and count:
        message = f"this line has {count[2]} fields but the header has {count[1]}"
    elif line:
        message = f"cannot read this line: {_csv_problem(text)}"
    else:
        first = text.strip().splitlines()[0] if text.strip() else "unknown error"
        message = f"cannot read: {first.split(': ', 1)[-1]}"
    return DataError(message, Location(str(path), line=int(line[1]) if line else None))


def _read_csv(con, path: Path, dataset: Dataset, scratch: Path, encoding: str | None = None) -> Source:
    encoding = encoding or _csv_encoding(path, dataset.encoding)
    source = path if encoding == "utf-8" else _transcode(path, encoding, scratch)
    return _csv_source(con, dataset, source, path, encoding)


def _csv_source(con, dataset: Dataset, source: Path, shown: Path, encoding: str | None) -> Source:
    """Read a UTF-8 CSV strictly, with the header as written and every cell as text.

    No dialect sniffing: a malformed row is an error naming its line, not a
    reason to guess a different dialect.
    """
    delimiter = dataset.delimiter if shown.suffix == ".csv" else ","
    header = _header(source, delimiter, shown)
    columns = ", ".join(f"{_sql_text(name)}: 'VARCHAR'" for name in header)
    select = _numbered(
        con, dataset,
        f"SELECT * FROM read_csv({_sql_text(str(source))}, header = true, auto_detect = false, "
        f"columns = {{{columns}}}, delim = {_sql_text(delimiter)}, quote = '\"', escape = '\"', "
        "null_padding = false, strict_mode = true)",
        shown,
    )
    return Source(select, header, encoding)


def _header(source: Path, delimiter: str, shown: Path) -> list[str]:
    try:
        with source.open("r", encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle, delimiter=delimiter), None)
    except UnicodeDecodeError:
        raise _NotUtf8() from None
    if not header:
        raise DataError("the file is empty; a header row is required", Location(str(shown), line=1))
    seen = set()
    for name in header:
        if name in seen:
            raise DataError(f'column "{name}" appears twice in the header', Location(str(shown), line=1))
        seen.add(name)
    return header


def _sql_text(text: str) -> str:
    return "'" + _sq(text) + "'"


def _csv_encoding(path: Path, declared: str) -> str:
    """UTF-8 (BOM or not) when the first megabyte decodes as UTF-8, else GB18030 (a superset of GBK).

    Only the start is read here; DuckDB checks the rest as it reads, and a file
    that turns out not to be UTF-8 further in is read again as GB18030.
    """
    if declared != "auto":
        return {"gbk": "gb18030"}.get(declared, declared)
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _transcode(path: Path, encoding: str, scratch: Path) -> Path:
    target = scratch / f"{path.stem}.utf8.csv"
    try:
        with path.open("r", encoding=encoding, newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    except UnicodeDecodeError as exc:
        raise DataError(f"not valid {encoding} text (byte {exc.start})", Location(str(path))) from None
    return target


def _read_jsonl(con, path: Path, dataset: Dataset, scratch: Path) -> Source:
    """JSON Lines: each declared column is read as text; a key in no record is a missing column."""
    columns = [f.column for f in dataset.file_fields()]
    numbered = _numbered(con, dataset, f"SELECT json FROM read_ndjson_objects({_sql_text(str(path))})", path)
    raw = ident(f"__json_{dataset.name}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS {numbered}")
    present = ", ".join(f"bool_or(json_exists(json, {_json_path(c)}))" for c in columns)
    found = con.execute(f"SELECT {present} FROM {raw}").fetchone() if columns else ()
    keep = [c for c, ok in zip(columns, found) if ok]
    picks = "".join(f", json ->> {_json_path(c)} AS {ident(c)}" for c in keep)
    return Source(f"SELECT __row{picks} FROM {raw}", keep, "utf-8")


def _json_path(column: str) -> str:
    escaped = column.replace('"', '\\"').replace("'", "''")
    return f"'$.\"{escaped}\"'"


def _read_parquet(con, path: Path, dataset: Dataset, scratch: Path) -> Source:
    reader = f"read_parquet({_sql_text(str(path))})"
    try:
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    except duckdb.Error as exc:
        raise _read_error(str(exc), path) from None
    casts = ", ".join(f"CAST({ident(c)} AS VARCHAR) AS {ident(c)}" for c in columns)
    return Source(_numbered(con, dataset, f"SELECT {casts} FROM {reader}", path), columns)


def _read_xlsx(con, path: Path, dataset: Dataset, scratch: Path) -> Source:
    from python_calamine import CalamineWorkbook

    check_workbook(path, str(path), DataError)  # calamine aborts the process on a zip bomb or a huge used range
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken files
        raise DataError(f"cannot read the workbook: {exc}", Location(str(path))) from None
    target = scratch / f"{path.stem}.xlsx.csv"
    with target.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([_cell(v) for v in row] for row in rows)
    return _csv_source(con, dataset, target, path, None)


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


_READERS = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet, "xlsx": _read_xlsx}


def _check_columns(source: Source, dataset: Dataset, path: Path) -> None:
    header = set(source.columns)
    errors = Collector()
    for f in dataset.file_fields():
        if f.column not in header and not f.optional:
            errors.add(DataError(
                f'missing column "{f.column}" (field "{f.name}" of dataset "{dataset.name}")',
                Location(str(path), line=1),
            ))
    errors.raise_if_any()


# ---- typing ----------------------------------------------------------------------
def _normalised(f: Field, nulls: tuple[str, ...], present: set[str]) -> str:
    """The raw text with blanks and the dataset's null tokens read as NULL.

    The cheap tests come first: a blank cell starts with white space, so only
    such cells are trimmed (and, when the dataset has null tokens, cells that
    end with white space), and a clean column costs a comparison per cell.
    """
    if f.column not in present:
        return "CAST(NULL AS VARCHAR)"  # an optional column the export does not have
    tokens = ", ".join("'" + t.replace("'", "''") + "'" for t in ("", *nulls))
    col = ident(f.column)
    spaced = f"(ascii({col}) <= 32" + (f" OR ascii(right({col}, 1)) <= 32)" if nulls else ")")
    return f"CASE WHEN {col} IN ({tokens}) OR ({spaced} AND trim({col}) IN ({tokens})) THEN NULL ELSE {col} END"


def _converted(f: Field, n: str) -> str:
    """SQL converting normalised text ``n`` to the field's type, NULL when it does not convert."""
    return _CONVERTERS[f.type](f, n)


def _strptime(n: str, formats: tuple[str, ...]) -> str:
    listed = ", ".join("'" + fmt.replace("'", "''") + "'" for fmt in formats)
    return f"try_strptime(trim({n}), [{listed}])"


def _timestamp(f: Field, n: str) -> str:
    if f.formats:
        parsed = _strptime(n, f.formats)
        return f"CAST({parsed} AS TIMESTAMP)" if not any("%z" in x for x in f.formats) else f"CAST(CAST({parsed} AS TIMESTAMPTZ) AS TIMESTAMP)"
    # Casting to TIMESTAMPTZ converts an offset to the policy's timezone but is slow;
    # only values that may carry an offset (Z, +hh, or a '-' after the date) take that path.
    # A value the plain cast cannot read (a zone name such as "UTC") takes it too.
    offset = (f"(contains({n}, '+') OR contains({n}, 'Z') OR contains({n}, 'z') OR contains(substr({n}, 12), '-') "
              f"OR TRY_CAST({n} AS TIMESTAMP) IS NULL)")
    return f"CASE WHEN {offset} THEN CAST(TRY_CAST({n} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST({n} AS TIMESTAMP) END"


def _date(f: Field, n: str) -> str:
    if f.formats:
        return f"CAST({_strptime(n, f.formats)} AS DATE)"
    return f"coalesce(TRY_CAST({n} AS DATE), CAST(TRY_CAST({n} AS TIMESTAMP) AS DATE))"


def _integer(f: Field, n: str) -> str:
    """Whole numbers, also written 5.0; 5.5 does not convert (a cast alone would round it)."""
    number = f"TRY_CAST({n} AS DOUBLE)"
    fraction = f"CASE WHEN {number} = floor({number}) AND abs({number}) < 9e18 THEN CAST({number} AS BIGINT) END"
    return f"CASE WHEN contains({n}, '.') OR contains(lower({n}), 'e') THEN {fraction} ELSE TRY_CAST({n} AS BIGINT) END"


def _boolean(f: Field, n: str) -> str:
    words = lambda ws: ", ".join(f"'{w}'" for w in ws)  # noqa: E731
    low = f"lower(trim({n}))"
    return f"CASE WHEN {low} IN ({words(TRUE_WORDS)}) THEN TRUE WHEN {low} IN ({words(FALSE_WORDS)}) THEN FALSE END"


def _enum(f: Field, n: str) -> str:
    listed = ", ".join("'" + v.replace("'", "''") + "'" for v in f.values)
    return f"CASE WHEN {n} IN ({listed}) THEN {n} WHEN trim({n}) IN ({listed}) THEN trim({n}) END"


_CONVERTERS = {
    "string": lambda f, n: n,
    "integer": _integer,
    "number": lambda f, n: f"TRY_CAST({n} AS DOUBLE)",
    "boolean": _boolean,
    "date": _date,
    "timestamp": _timestamp,
    "enum": _enum,
}

_EXPECTED = {
    "integer": ("a whole number", "整数"),
    "number": ("a number", "数字"),
    "boolean": ("true/false, 1/0, yes/no or 是/否", "布尔值（true/false、1/0、yes/no、是/否）"),
    "date": ("a date (YYYY-MM-DD)", "日期（YYYY-MM-DD）"),
    "timestamp": ("a timestamp (YYYY-MM-DD HH:MM:SS)", "时间（YYYY-MM-DD HH:MM:SS）"),
    "enum": ("one of the allowed values", "允许的取值之一"),
    "string": ("text", "文本"),
}


def _expected(f: Field, lang: int) -> str:
    if f.type == "enum":
        return ("one of: " if lang == 0 else "以下取值之一：") + ", ".join(f.values)
    if f.formats and f.type in ("date", "timestamp"):
        return ("format " if lang == 0 else "格式 ") + " or ".join(f.formats)
    return _EXPECTED[f.type][lang]


def _type_table(con, dataset: Dataset, source: Source, path: Path | None, lang: str) -> None:
    """The typed table in one pass over the file, then one invalid finding per bad value.

    Each row keeps a list of the values that did not convert (``__invalid``,
    empty for almost every row), so the file is read once.
    """
    fields = dataset.file_fields()
    present = set(source.columns) if path is not None else {f.column for f in fields}
    norm = ", ".join(f"{_normalised(f, dataset.null_values, present)} AS {ident('n_' + f.name)}" for f in fields)
    typed = ", ".join(f"{_converted(f, ident('n_' + f.name))} AS {ident(f.name)}" for f in fields)
    kept = ", ".join(ident("n_" + f.name) for f in fields)
    checks = [_invalid_item(dataset, f, path, lang) for f in fields if f.type != "string"]
    invalid = (f"CASE WHEN {' OR '.join(c for c, _ in checks)} THEN list_filter([{', '.join(i for _, i in checks)}], "
               "lambda x: x IS NOT NULL) END") if checks else "NULL"
    columns = ", ".join(ident(f.name) for f in fields)
    statement = (
        f"CREATE TABLE {ident(dataset.name)} AS SELECT __row, {columns}, {invalid} AS __invalid "
        f"FROM (SELECT __row, {typed}, {kept} FROM (SELECT __row, {norm} FROM ({source.select})))"
    )
    try:
        con.execute(statement)
    finally:
        for scratch in ("__raw_", "__json_"):
            con.execute(f"DROP TABLE IF EXISTS {ident(scratch + dataset.name)}")
    _invalid_findings(con, dataset)


def _invalid_item(dataset: Dataset, f: Field, path: Path | None, lang: str) -> tuple[str, str]:
    """(SQL: this value did not convert, SQL: the struct describing it)."""
    n, t = ident("n_" + f.name), ident(f.name)
    bad = f"({n} IS NOT NULL AND {t} IS NULL)"
    if lang == "zh":
        message = f"'列“{_sq(f.column)}”的值“' || {n} || '”不是{_sq(_expected(f, 1))}'"
    else:
        message = f"'value \"' || {n} || '\" in column \"{_sq(f.column)}\" is not {_sq(_expected(f, 0))}'"
    evidence = (f"CAST(json_object('dataset', {_lit(dataset.name)}, 'file', {_lit(path)}, 'column', {_lit(f.column)}, "
                f"'value', {n}, 'expected', {_lit(f.type)}) AS VARCHAR)")
    item = f"CASE WHEN {bad} THEN struct_pack(key := {ident('n_' + dataset.key)}, evidence := {evidence}, message := {message}) END"
    return bad, item


def _invalid_findings(con, dataset: Dataset) -> None:
    con.execute(
        "INSERT INTO __findings SELECT 'data-quality', __row, bad.key, NULL, 'invalid', bad.evidence, NULL, bad.message "
        f"FROM (SELECT __row, unnest(__invalid) AS bad FROM {ident(dataset.name)} WHERE __invalid IS NOT NULL)"
    )


def _sq(text: str) -> str:
    return text.replace("'", "''")


def _lit(value) -> str:
    return "NULL" if value is None else _sql_text(str(value))


def _time_range(con, datasets: list[Dataset]) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest date or timestamp anywhere in the export.

    The latest timestamp is the default as-of time; the whole range sizes the
    business calendar.
    """
    parts = [
        f"SELECT min({ident(f.name)})::TIMESTAMP AS lo, max({ident(f.name)})::TIMESTAMP AS hi FROM {ident(d.name)}"
        for d in datasets
        for f in d.file_fields()
        if f.type in ("timestamp", "date")
    ]
    if not parts:
        return None, None
    lo, hi = con.execute(f"SELECT min(lo), max(hi) FROM ({' UNION ALL '.join(parts)})").fetchone()
    latest = _latest_timestamp(con, datasets)
    return lo, latest if latest is not None else hi


def _latest_timestamp(con, datasets: list[Dataset]) -> datetime | None:
    parts = [
        f"SELECT max({ident(f.name)}) AS t FROM {ident(d.name)}"
        for d in datasets
        for f in d.file_fields()
        if f.type == "timestamp"
    ]
    if not parts:
        return None
    return con.execute(f"SELECT max(t) FROM ({' UNION ALL '.join(parts)})").fetchone()[0]


def scratch_dir() -> tempfile.TemporaryDirectory:
    """A private folder for transcoded files, removed after loading."""
    return tempfile.TemporaryDirectory(prefix="clausewise-")
