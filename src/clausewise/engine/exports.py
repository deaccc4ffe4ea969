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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ..errors import ClauseWiseError, Collector, DataError, ErrorList, Location
from ..i18n import msg
from ..model import DataFile, Dataset, Policy
from . import given, readers
from .convert import Source, type_table
from .parallel import side_by_side
from .readers import FORMATS, RawFile, ReadOptions
from .sources import Source as DataSource
from .sqltext import ident, json_path
from .unreadable import column_error

TRUE_WORDS = ("true", "t", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "f", "0", "no", "n", "否")


@dataclass
class LoadedExport:
    files: list[DataFile]
    earliest: datetime | None
    latest: datetime | None


def read_export(con: duckdb.DuckDBPyConnection, policy: Policy, export_dir: Path | None, scratch: Path,
                sources: Mapping[str, DataSource] | None = None) -> dict[str, RawFile | None]:
    """Read each exported dataset's file into a raw table: dataset name → raw file (None: optional, absent).

    A dataset in ``sources`` (a table in memory, a database table or query)
    is read from there instead (``given.py``); with no ``export_dir``, every
    dataset comes from ``sources``. Runs before the lock; every problem with
    every file is raised together.
    """
    if export_dir is not None and not export_dir.is_dir():
        raise DataError(msg("export folder not found"), Location(str(export_dir)))
    errors = Collector()
    out: dict[str, RawFile | None] = {}
    # Raw tables are named with a "-", which no dataset's name has; they are ordinary tables, not TEMP ones,
    # so that the typing's cursors (parallel.py), connections of their own, see them.
    for index, dataset in enumerate(d for d in policy.datasets.values() if d.exported):
        try:
            out[dataset.name] = _read_dataset(con, dataset, export_dir, scratch, ident(f"__raw-{index}"), sources or {})
        except ClauseWiseError as exc:
            errors.add(exc)
    errors.raise_if_any()
    return out


def _read_dataset(con, dataset: Dataset, export_dir: Path | None, scratch: Path, table: str,
                  sources: Mapping[str, DataSource]) -> RawFile | None:
    if dataset.name in sources or export_dir is None:
        return given.read(con, dataset, sources.get(dataset.name), table, scratch)
    path = find_file(dataset, export_dir)
    if path is None:
        if dataset.optional:
            return None
        expected = ", ".join(f"{dataset.file}.{ext}" for ext in FORMATS)
        raise DataError(msg('dataset "{name}" is missing: expected one of {expected}', name=dataset.name, expected=expected), Location(str(export_dir)))
    return readers.read(con, path, table, ReadOptions(dataset.delimiter, dataset.encoding), scratch)


def find_file(dataset: Dataset, export_dir: Path) -> Path | None:
    """The one file holding ``dataset``; two candidates are an error, not a guess."""
    found = [export_dir / f"{dataset.file}.{ext}" for ext in FORMATS if (export_dir / f"{dataset.file}.{ext}").is_file()]
    if len(found) > 1:
        names = " and ".join(p.name for p in found)
        raise DataError(msg('dataset "{name}" is in both {names}; keep one', name=dataset.name, names=names), Location(str(export_dir)))
    return inside_export(found[0], export_dir) if found else None


def inside_export(path: Path, export_dir: Path) -> Path:
    """``path``, refused when it leads outside the export folder through a link.

    An export is untrusted like a pack: a file in it that is a link to a file
    elsewhere (a key, another department's records) would be read, and its
    content shown in findings, as if it were part of the export.
    """
    if not path.resolve().is_relative_to(export_dir.resolve()):
        raise DataError(msg("leads outside the export folder through a link; put the file itself in the folder"),
                        Location(str(path)))
    return path


def convert_export(con, policy: Policy, raw: dict[str, RawFile | None], lang: str,
                   whole_columns: bool = True) -> LoadedExport:
    """Create one typed table per dataset and the data-quality findings (after the lock).

    With ``whole_columns``, a column whose values mostly fail to convert is a
    DataError naming the file, the column and the fix (``unreadable.py``);
    every such column of every dataset is raised together.
    """
    def convert(cursor, name: str) -> DataFile | ClauseWiseError:
        try:
            return _convert_dataset(cursor, policy.datasets[name], raw[name], lang, policy.timezone, whole_columns)
        except ClauseWiseError as exc:
            return exc

    errors = Collector()
    files, loaded = [], []
    # Datasets are typed side by side: on a small export, planning each one's typing is most of the work.
    for name, done in zip(raw, side_by_side(con, list(raw), convert), strict=True):
        if isinstance(done, ClauseWiseError):
            errors.add(done)
        else:
            files.append(done)
            loaded.append(policy.datasets[name])
    errors.raise_if_any()
    return LoadedExport(files, *_time_range(con, loaded))


def _convert_dataset(con, dataset: Dataset, raw: RawFile | None, lang: str, zone: str, whole_columns: bool) -> DataFile:
    if raw is None:
        type_table(con, dataset, Source(_empty_select(dataset), []), None, lang, zone)
        return DataFile(dataset.name, None, None, 0)
    shifts = ()
    try:
        raw_text = getattr(con, "checks_raw_text", True)  # see SparkConnection.checks_raw_text
        if raw.format == "jsonl" and raw.json and raw_text:
            readers.jsonl.check_records(con, raw)
        if raw.format == "csv" and raw_text:
            shifts = readers.csv.line_shifts(con, raw)
        source = _source(con, dataset, raw)
        _check_columns(source, dataset, raw.path)
        failed = type_table(con, dataset, source, raw.path, lang, zone, whole_columns)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {raw.table}")
    if failed:
        raise ErrorList([column_error(con, dataset, column, str(raw.path), zone) for column in failed])
    rows = con.execute(f"SELECT count(*) FROM {ident(dataset.name)}").fetchone()[0]
    extra, missing = _drift(dataset, source)
    return DataFile(dataset.name, str(raw.path), raw.format, rows, raw.encoding,
                    extra_columns=extra, missing_columns=missing, line_shifts=shifts, encoding_doubt=raw.doubt)


def _drift(dataset: Dataset, source: Source) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the file's columns no field declares, the optional columns it lacks), in file and field order.

    A notice of the run, not a failure (schema drift): an extra column is not
    read; a missing optional column's field reads as empty.
    """
    declared = {f.column for f in dataset.file_fields()}
    present = set(source.columns)
    extra = tuple(c for c in source.all_columns or source.columns if c not in declared and c.strip())
    missing = tuple(f.column for f in dataset.file_fields() if f.optional and f.column not in present)
    return extra, missing


_DRIFT = {
    "en": {"extra": ("{file}: {n} column that no field declares, not read: {names}",
                     "{file}: {n} columns that no field declares, not read: {names}"),
           "missing": ("{file}: {n} optional column missing, read as empty: {names}",
                       "{file}: {n} optional columns missing, read as empty: {names}"),
           "sep": ", "},
    "zh": {"extra": ("{file}：{n} 列未被任何字段声明，未读取：{names}",) * 2,
           "missing": ("{file}：缺少 {n} 个可选列，按空值读取：{names}",) * 2,
           "sep": "、"},
}


def column_warnings(files: list[DataFile], lang: str) -> tuple[str, ...]:
    """The run's warnings about its files' columns, one line each, in ``lang``.

    A line for each file with columns no field declares (not read), one
    for each file lacking optional columns (their fields read as empty), and
    one for each CSV file read as UTF-8 whose bytes read as GBK too
    (``readers.csv``: a few short Chinese names in GBK can be valid UTF-8):
    schema drift the officer should know of, not a failure. A file is named
    by its file name (the export folder is the report's), a table read from
    a source by its source.
    """
    words, out = _DRIFT[lang], []
    for d in files:
        label = Path(d.path).name if d.path else d.source or d.dataset
        for kind, names in (("extra", d.extra_columns), ("missing", d.missing_columns)):
            if names:
                out.append(words[kind][len(names) != 1].format(file=label, n=len(names), names=words["sep"].join(names)))
        if d.encoding_doubt:
            out.append(msg('{file}: read as UTF-8 text, but its bytes read as GBK too ("{utf8}" or "{gbk}"); declare '
                           '"encoding: gbk" or "encoding: utf-8" for dataset "{dataset}" to say which',
                           file=label, utf8=d.encoding_doubt[0], gbk=d.encoding_doubt[1], dataset=d.dataset).render(lang))
    return tuple(out)


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
    # Every key of every record, in the order first met, for the notice of undeclared columns.
    # (Written so that the Spark engine's transpiler reads it too: no generate_subscripts.)
    keys = con.execute(f"SELECT k FROM (SELECT rowid AS r, json_keys(json) AS ks, unnest(json_keys(json)) AS k "
                       f"FROM {raw.table}) GROUP BY k ORDER BY min(r), min(array_position(ks, k)), k").fetchall()
    return Source(f"SELECT {raw.line} AS __row{picks} FROM {raw.table}", keep, all_columns=[k for (k,) in keys])


def _empty_select(dataset: Dataset) -> str:
    cols = ", ".join(f"CAST(NULL AS VARCHAR) AS {ident(f.column)}" for f in dataset.file_fields())
    return f"SELECT CAST(NULL AS BIGINT) AS __row, {cols} WHERE FALSE"


def _check_columns(source: Source, dataset: Dataset, path: Path) -> None:
    header = set(source.columns)
    errors = Collector()
    for f in dataset.file_fields():
        if f.column not in header and not f.optional:
            errors.add(DataError(
                msg('missing column "{column}" (field "{name}" of dataset "{name2}")', column=f.column, name=f.name, name2=dataset.name),
                Location(str(path), line=1),
            ))
    errors.raise_if_any()


def _time_range(con, datasets: list[Dataset]) -> tuple[datetime | None, datetime | None]:
    """The earliest and latest date or timestamp anywhere in the export, as naive local times.

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
        f"SELECT max({ident(f.name)})::TIMESTAMP AS t FROM {ident(d.name)}"
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
