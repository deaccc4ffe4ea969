"""Read an export folder into typed DuckDB tables, keeping every row.

Each dataset is one file ``<stem>.csv|.jsonl|.parquet|.xlsx``. Reading happens
in two steps, both set-based in DuckDB:

1. :func:`read_export`, before the connection is locked: each file becomes a
   raw table (``engine/readers``: one module per format). This is the only
   step that touches the file system, and it runs no SQL that a policy wrote.
2. :func:`convert_export`, after the lock: each declared field is converted
   to its type. A value that does not convert becomes an ``invalid`` finding
   citing the policy's data-quality clause, and the field reads as empty for
   the rules; the row itself always stays.

Timestamps without an offset are wall-clock time in the policy's timezone
(the connection's ``TimeZone``), those with an offset are converted to it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from ..errors import ClauseWiseError, Collector, DataError, Location
from ..model import EARLIEST, LATEST, DataFile, Dataset, Field, Policy
from . import given, readers
from .readers import FORMATS, RawFile, ReadOptions
from .sources import Source
from .sqltext import ident, json_path, literal, string, strings, timestamp

TRUE_WORDS = ("true", "t", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "f", "0", "no", "n", "否")


@dataclass
class LoadedExport:
    files: list[DataFile]
    earliest: datetime | None
    latest: datetime | None


def read_export(con: duckdb.DuckDBPyConnection, policy: Policy, export_dir: Path | None, scratch: Path,
                sources: Mapping[str, Source] | None = None) -> dict[str, RawFile | None]:
    """Read each exported dataset's file into a raw table: dataset name → raw file (None: optional, absent).

    A dataset in ``sources`` (a table in memory, a database table or query)
    is read from there instead (``given.py``); with no ``export_dir``, every
    dataset comes from ``sources``. Runs before the lock; every problem with
    every file is raised together.
    """
    if export_dir is not None and not export_dir.is_dir():
        raise DataError("export folder not found", Location(str(export_dir)))
    errors = Collector()
    out: dict[str, RawFile | None] = {}
    for index, dataset in enumerate(d for d in policy.datasets.values() if d.exported):
        try:
            out[dataset.name] = _read_dataset(con, dataset, export_dir, scratch, ident(f"__raw_{index}"), sources or {})
        except ClauseWiseError as exc:
            errors.add(exc)
    errors.raise_if_any()
    return out


def _read_dataset(con, dataset: Dataset, export_dir: Path | None, scratch: Path, table: str,
                  sources: Mapping[str, Source]) -> RawFile | None:
    if dataset.name in sources or export_dir is None:
        return given.read(con, dataset, sources.get(dataset.name), table, scratch)
    path = find_file(dataset, export_dir)
    if path is None:
        if dataset.optional:
            return None
        expected = ", ".join(f"{dataset.file}.{ext}" for ext in FORMATS)
        raise DataError(f'dataset "{dataset.name}" is missing: expected one of {expected}', Location(str(export_dir)))
    return readers.read(con, path, table, ReadOptions(dataset.delimiter, dataset.encoding), scratch)


def find_file(dataset: Dataset, export_dir: Path) -> Path | None:
    """The one file holding ``dataset``; two candidates are an error, not a guess."""
    found = [export_dir / f"{dataset.file}.{ext}" for ext in FORMATS if (export_dir / f"{dataset.file}.{ext}").is_file()]
    if len(found) > 1:
        names = " and ".join(p.name for p in found)
        raise DataError(f'dataset "{dataset.name}" is in both {names}; keep one', Location(str(export_dir)))
    return inside_export(found[0], export_dir) if found else None


def inside_export(path: Path, export_dir: Path) -> Path:
    """``path``, refused when it leads outside the export folder through a link.

    An export is untrusted like a pack: a file in it that is a link to a file
    elsewhere (a key, another department's records) would be read, and its
    content shown in findings, as if it were part of the export.
    """
    if not path.resolve().is_relative_to(export_dir.resolve()):
        raise DataError("leads outside the export folder through a link; put the file itself in the folder",
                        Location(str(path)))
    return path


def convert_export(con, policy: Policy, raw: dict[str, RawFile | None], lang: str) -> LoadedExport:
    """Create one typed table per dataset and the data-quality findings (after the lock)."""
    errors = Collector()
    files, loaded = [], []
    for name, raw_file in raw.items():
        dataset = policy.datasets[name]
        try:
            files.append(_convert_dataset(con, dataset, raw_file, lang))
        except ClauseWiseError as exc:
            errors.add(exc)
            continue
        loaded.append(dataset)
    errors.raise_if_any()
    return LoadedExport(files, *_time_range(con, loaded))


@dataclass
class Source:
    """SQL yielding ``__row`` and the file's columns, which columns the file has, and their stored types.

    A column without a stored type (CSV, XLSX, JSON Lines) is text; a Parquet
    column keeps the type it was written with.
    """

    select: str
    columns: list[str]
    types: dict[str, str] = field(default_factory=dict)


def _convert_dataset(con, dataset: Dataset, raw: RawFile | None, lang: str) -> DataFile:
    if raw is None:
        _type_table(con, dataset, Source(_empty_select(dataset), []), None, lang)
        return DataFile(dataset.name, None, None, 0)
    try:
        source = _source(con, dataset, raw)
        _check_columns(source, dataset, raw.path)
        _type_table(con, dataset, source, raw.path, lang)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {raw.table}")
    rows = con.execute(f"SELECT count(*) FROM {ident(dataset.name)}").fetchone()[0]
    return DataFile(dataset.name, str(raw.path), raw.format, rows, raw.encoding)


def _source(con, dataset: Dataset, raw: RawFile) -> Source:
    """The raw table as text columns numbered by their position in the file."""
    if raw.json:
        return _json_source(con, dataset, raw)
    return Source(f"SELECT rowid + 1 AS __row, * FROM {raw.table}", raw.columns, raw.types)


def _json_source(con, dataset: Dataset, raw: RawFile) -> Source:
    """JSON Lines: each declared column read as text; a key in no record is a missing column."""
    columns = [f.column for f in dataset.file_fields()]
    present = ", ".join(f"bool_or(json_exists(json, {json_path(c)}))" for c in columns)
    found = con.execute(f"SELECT {present} FROM {raw.table}").fetchone() if columns else ()
    keep = [c for c, ok in zip(columns, found) if ok]
    picks = "".join(f", json ->> {json_path(c)} AS {ident(c)}" for c in keep)
    return Source(f"SELECT rowid + 1 AS __row{picks} FROM {raw.table}", keep)


def _empty_select(dataset: Dataset) -> str:
    cols = ", ".join(f"CAST(NULL AS VARCHAR) AS {ident(f.column)}" for f in dataset.file_fields())
    return f"SELECT CAST(NULL AS BIGINT) AS __row, {cols} WHERE FALSE"


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
def _normalised(f: Field, nulls: tuple[str, ...], present: set[str], text: bool = False) -> str:
    """The raw text with blanks and the dataset's null tokens read as NULL.

    The cheap tests come first: a blank cell starts with white space, so only
    such cells are trimmed (and, when the dataset has null tokens, cells that
    end with white space), and a clean column costs a comparison per cell.
    ``text`` casts a column stored with another type to text first.
    """
    if f.column not in present:
        return "CAST(NULL AS VARCHAR)"  # an optional column the export does not have
    tokens = strings(("", *nulls))
    col = f"CAST({ident(f.column)} AS VARCHAR)" if text else ident(f.column)
    spaced = f"(ascii({col}) <= 32" + (f" OR ascii(right({col}, 1)) <= 32)" if nulls else ")")
    return f"CASE WHEN {col} IN ({tokens}) OR ({spaced} AND trim({col}) IN ({tokens})) THEN NULL ELSE {col} END"


def _converted(f: Field, n: str) -> str:
    """SQL converting normalised text ``n`` to the field's type, NULL when it does not convert."""
    return _CONVERTERS[f.type](f, n)


def _strptime(n: str, formats: tuple[str, ...]) -> str:
    return f"try_strptime(trim({n}), [{strings(formats)}])"


def _parsed_timestamp(f: Field, n: str) -> str:
    if f.formats:
        parsed = _strptime(n, f.formats)
        return f"CAST({parsed} AS TIMESTAMP)" if not any("%z" in x for x in f.formats) else f"CAST(CAST({parsed} AS TIMESTAMPTZ) AS TIMESTAMP)"
    # Casting to TIMESTAMPTZ converts an offset to the policy's timezone but is slow;
    # only values that may carry an offset (Z, +hh, or a '-' after the date) take that path.
    # A value the plain cast cannot read (a zone name such as "UTC") takes it too.
    offset = (f"(contains({n}, '+') OR contains({n}, 'Z') OR contains({n}, 'z') OR contains(substr({n}, 12), '-') "
              f"OR TRY_CAST({n} AS TIMESTAMP) IS NULL)")
    return f"CASE WHEN {offset} THEN CAST(TRY_CAST({n} AS TIMESTAMPTZ) AS TIMESTAMP) ELSE TRY_CAST({n} AS TIMESTAMP) END"


def _parsed_date(f: Field, n: str) -> str:
    if f.formats:
        return _strptime(n, f.formats)
    return f"coalesce(TRY_CAST({n} AS DATE), CAST(TRY_CAST({n} AS TIMESTAMP) AS DATE))"


def _integer(f: Field, n: str) -> str:
    """Whole numbers, also written 5.0; 5.5 does not convert (a cast alone would round it)."""
    number = f"TRY_CAST({n} AS DOUBLE)"
    fraction = f"CASE WHEN {number} = floor({number}) AND abs({number}) < 9e18 THEN CAST({number} AS BIGINT) END"
    return f"CASE WHEN contains({n}, '.') OR contains(lower({n}), 'e') THEN {fraction} ELSE TRY_CAST({n} AS BIGINT) END"


def _boolean(f: Field, n: str) -> str:
    low = f"lower(trim({n}))"
    return f"CASE WHEN {low} IN ({strings(TRUE_WORDS)}) THEN TRUE WHEN {low} IN ({strings(FALSE_WORDS)}) THEN FALSE END"


def _enum(f: Field, n: str) -> str:
    listed = strings(f.values)
    return f"CASE WHEN {n} IN ({listed}) THEN {n} WHEN trim({n}) IN ({listed}) THEN trim({n}) END"


_CONVERTERS = {
    "string": lambda f, n: n,
    "integer": _integer,
    "number": lambda f, n: f"CASE WHEN isfinite(TRY_CAST({n} AS DOUBLE)) THEN TRY_CAST({n} AS DOUBLE) END",  # NaN and infinity are not data
    "boolean": _boolean,
    "enum": _enum,
}

_UNBOUNDED = {"date": _parsed_date, "timestamp": _parsed_timestamp}

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
    empty for almost every row), so the file is read once. A column stored
    with a type that fits its field (a Parquet timestamp for a timestamp
    field) is used as it is, never turned into text and parsed back.
    """
    fields = dataset.file_fields()
    present = set(source.columns) if path is not None else {f.column for f in fields}
    native = {f.name: _native(f, source.types.get(f.column)) for f in fields if f.column in present}
    norm = ", ".join(
        f"{_first_pass(f, dataset.null_values, present, native.get(f.name), source.types.get(f.column))} "
        f"AS {ident('n_' + f.name)}" for f in fields
    )
    # Each value is parsed once (p_…), then held to the years judged: a time is written once in the SQL.
    parsed = ", ".join(f"{_second_pass(f, ident('n_' + f.name), native.get(f.name))} AS {ident('p_' + f.name)}"
                       for f in fields)
    typed = ", ".join(f"{_bounded(f, ident('p_' + f.name))} AS {ident(f.name)}" for f in fields)
    kept = ", ".join(ident(prefix + f.name) for f in fields for prefix in ("n_", "p_"))
    checks = [_invalid_item(dataset, f, path, lang, native.get(f.name)) for f in fields if f.type != "string"]
    invalid = (f"CASE WHEN {' OR '.join(c for c, _ in checks)} THEN list_filter([{', '.join(i for _, i in checks)}], "
               "lambda x: x IS NOT NULL) END") if checks else "NULL"
    columns = ", ".join(ident(f.name) for f in fields)
    statement = (
        f"CREATE TABLE {ident(dataset.name)} AS SELECT __row, {columns}, {invalid} AS __invalid "
        f"FROM (SELECT __row, {typed}, {kept} FROM (SELECT __row, {parsed}, {', '.join(ident('n_' + f.name) for f in fields)} "
        f"FROM (SELECT __row, {norm} FROM ({source.select}))))"
    )
    con.execute(statement)
    _invalid_findings(con, dataset)


# Stored types that hold each field type's values as they are (DuckDB's names for Parquet's types).
_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT")
_TIMES = ("DATE", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE")
_NATIVE = {
    "integer": _INTEGERS,
    "number": (*_INTEGERS, "FLOAT", "DOUBLE", "DECIMAL"),
    "boolean": ("BOOLEAN",),
    "date": _TIMES,
    "timestamp": _TIMES,
}
_SQL_TYPES = {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP"}


def _native(f: Field, stored: str | None) -> str | None:
    """The stored type when it holds the field's values as they are, else None (the column is read as text)."""
    if stored is None:
        return None
    family = stored.split("(")[0].upper()
    return stored if family in _NATIVE.get(f.type, ()) else None


def _first_pass(f: Field, nulls: tuple[str, ...], present: set[str], native: str | None, stored_type: str | None) -> str:
    """The column as stored when native; else its text, with blanks and null tokens read as NULL."""
    if f.column in present and native is not None:
        return ident(f.column)
    return _normalised(f, nulls, present, text=stored_type is not None and stored_type != "VARCHAR")


def _second_pass(f: Field, n: str, native: str | None) -> str:
    """The field's value from the first pass: a cast of a native column, a conversion of text.

    Dates and times are not yet held to the years judged (:func:`_bounded` does).
    """
    if f.type in _UNBOUNDED:
        return f"CAST({n} AS TIMESTAMP)" if native else _UNBOUNDED[f.type](f, n)
    if native is None:
        return _converted(f, n)
    if f.type == "number":  # NaN and infinity are not data
        return f"CASE WHEN isfinite(CAST({n} AS DOUBLE)) THEN CAST({n} AS DOUBLE) END"
    return f"TRY_CAST({n} AS {_SQL_TYPES[f.type]})"


def _bounded(f: Field, p: str) -> str:
    """The parsed value ``p`` as the field holds it: dates and times only in the years judged."""
    if f.type not in _UNBOUNDED:
        return p
    low, high = timestamp(EARLIEST), timestamp(LATEST)
    return f"CASE WHEN {p} >= {low} AND {p} < {high} THEN CAST({p} AS {_SQL_TYPES[f.type]}) END"


def _invalid_item(dataset: Dataset, f: Field, path: Path | None, lang: str, native: str | None) -> tuple[str, str]:
    """(SQL: this value did not convert, SQL: the struct describing it)."""
    stored, t = ident("n_" + f.name), ident(f.name)
    bad = f"({stored} IS NOT NULL AND {t} IS NULL)"
    n = f"CAST({stored} AS VARCHAR)" if native else stored
    if lang == "zh":
        before, after, outside = "列“" + f.column + "”的值“", "”不是" + _expected(f, 1), "”不在 1900 至 2199 年之间"
    else:
        before, after = 'value "', '" in column "' + f.column + '" is not ' + _expected(f, 0)
        outside = '" in column "' + f.column + '" is outside the years 1900 to 2199'
    reason = string(after)
    if f.type in _UNBOUNDED:  # a time that reads but lies outside the years judged says so
        reason = f"CASE WHEN {ident('p_' + f.name)} IS NOT NULL THEN {string(outside)} ELSE {reason} END"
    message = f"{string(before)} || {n} || {reason}"
    evidence = (f"CAST(json_object('dataset', {literal(dataset.name)}, 'file', {literal(path and str(path))}, "
                f"'column', {literal(f.column)}, 'value', {n}, 'expected', {literal(f.type)}) AS VARCHAR)")
    key = f"CAST({ident('n_' + dataset.key)} AS VARCHAR)"
    item = f"CASE WHEN {bad} THEN struct_pack(key := {key}, evidence := {evidence}, message := {message}) END"
    return bad, item


def _invalid_findings(con, dataset: Dataset) -> None:
    con.execute(
        "INSERT INTO __findings SELECT 'data-quality', __row, bad.key, NULL, 'invalid', bad.evidence, NULL, bad.message "
        f"FROM (SELECT __row, unnest(__invalid) AS bad FROM {ident(dataset.name)} WHERE __invalid IS NOT NULL)"
    )


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
    """The run's private folder: transcoded files, links to oddly named files, DuckDB's spill space."""
    return tempfile.TemporaryDirectory(prefix="clausewise-")
