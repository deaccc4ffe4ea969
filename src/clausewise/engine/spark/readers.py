"""Export files read by Spark into raw views, as ``engine/readers`` reads them into raw DuckDB tables.

A raw view has the file's columns in file order (text for CSV and XLSX, the
whole record as JSON text in a ``json`` column for JSON Lines, the stored
types for Parquet) and ``rowid``, the record's position in the file counted
from 0, so that the typing step's ``rowid + 1`` numbers records as DuckDB
does. What DuckDB's readers check is checked here too, mostly by the same
code: the CSV header (``readers.csv``), the encoding (GBK/GB18030 is
transcoded to UTF-8 first, as for DuckDB), the JSON of every line
(``readers.jsonl``), links out of the export folder (``exports``).

- **CSV** is read with quotes ``"`` doubled, every cell text, a line with
  more or fewer fields than the header an error. Quoted fields may hold line
  breaks, so Spark reads a CSV file in one task; it is spread over the
  cluster after reading. Parquet is read in parallel from the start.
- **XLSX**: the first sheet becomes a CSV file in the run's scratch folder
  (``readers.xlsx``: the same cells as for DuckDB), which Spark reads. A
  workbook holds at most about a million rows, so this happens on the driver.

Records are numbered in file order: Spark reads a file in splits, each split
in order, so a record's number is the count of records in the splits before
its own plus its place in its split (one small aggregate per file).
"""

from __future__ import annotations

from pathlib import Path

from ...errors import ClauseWiseError, Collector, DataError, Location
from ...i18n import N_, Message, msg, os_reason
from ...model import Dataset, Policy
from .. import readers
from ..exports import find_file
from ..readers import FORMATS, RawFile
from ..readers import csv as csv_reader
from ..readers.jsonl import broken_line
from ..readers.xlsx import workbook_csv
from .connection import said as _said

# A file larger than this is spread over the cluster's cores after it is read in one task (CSV).
SPREAD_BYTES = 32 << 20
# DuckDB's names for the Spark types of Parquet columns, which the typing step reads (``convert._NATIVE``).
_DUCKDB_TYPES = {
    "ByteType": "TINYINT", "ShortType": "SMALLINT", "IntegerType": "INTEGER", "LongType": "BIGINT",
    "FloatType": "FLOAT", "DoubleType": "DOUBLE", "BooleanType": "BOOLEAN", "DateType": "DATE",
    "TimestampType": "TIMESTAMP WITH TIME ZONE", "TimestampNTZType": "TIMESTAMP", "StringType": "VARCHAR",
    "BinaryType": "BLOB",
}


def read_export(con, policy: Policy, export_dir: Path, scratch: Path) -> dict[str, RawFile | None]:
    """Each exported dataset's file as a raw view on ``con`` (a SparkConnection); None: optional and absent.

    Every problem with every file is raised together (ErrorList), as for DuckDB.
    """
    if not export_dir.is_dir():
        raise DataError(msg("export folder not found"), Location(str(export_dir)))
    errors = Collector()
    out: dict[str, RawFile | None] = {}
    for index, dataset in enumerate(d for d in policy.datasets.values() if d.exported):
        try:
            out[dataset.name] = _read_dataset(con, dataset, export_dir, scratch, f"__raw_{index}")
        except ClauseWiseError as exc:
            errors.add(exc)
    errors.raise_if_any()
    return out


def _read_dataset(con, dataset: Dataset, export_dir: Path, scratch: Path, view: str) -> RawFile | None:
    path = find_file(dataset, export_dir)
    if path is None:
        if dataset.optional:
            return None
        expected = ", ".join(f"{dataset.file}.{ext}" for ext in FORMATS)
        raise DataError(msg('dataset "{name}" is missing: expected one of {expected}', name=dataset.name,
                                expected=expected), Location(str(export_dir)))
    fmt = path.suffix[1:]
    try:
        return _READERS[fmt](con, path, view, dataset, scratch)
    except OSError as exc:
        raise DataError(msg("cannot be read: {value1}", value1=os_reason(exc)),
                        Location(str(path))) from None


def _csv(con, path: Path, view: str, dataset: Dataset, scratch: Path) -> RawFile:
    encoding = csv_reader._encoding(path, dataset.encoding)
    if encoding != "utf-8":
        source = csv_reader._transcode(path, encoding, scratch, dataset.encoding)
    else:
        source = path
        if not _valid_utf8(path):
            if csv_reader._utf8_only(path, dataset.encoding):
                raise csv_reader._not_utf8(path, dataset.encoding)
            encoding, source = "gb18030", csv_reader._transcode(path, "gb18030", scratch)
    raw = _text_csv(con, source, path, view, dataset.delimiter)
    raw.encoding = encoding
    return raw


def _valid_utf8(path: Path) -> bool:
    """True when the whole file is UTF-8 (DuckDB finds out while reading; Spark would read on, replacing bytes)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _text_csv(con, source: Path, shown: Path, view: str, delimiter: str) -> RawFile:
    """UTF-8 CSV ``source`` (reported as ``shown``) as a raw view of text columns."""
    from pyspark.sql.types import StringType, StructField, StructType

    try:
        header = csv_reader._header(source, delimiter, shown)
    except csv_reader._NotUtf8:
        raise DataError(msg("not valid UTF-8 text; set the dataset's encoding"), Location(str(shown))) from None
    schema = StructType([StructField(f"c{i}", StringType()) for i in range(len(header))])
    frame = (con.spark.read.schema(schema)
             .option("header", True).option("multiLine", True).option("sep", delimiter)
             .option("quote", '"').option("escape", '"').option("mode", "FAILFAST").option("encoding", "UTF-8")
             .csv(str(source)))
    frame = frame.toDF(*header)
    spread = source.stat().st_size > SPREAD_BYTES
    _register(con, view, frame, shown, spread, N_("cannot be read as CSV (a line with more or fewer fields than "
                                                  "the header, or a quote that is not closed): {said}"))
    return RawFile(shown, "csv", view, header)


def _xlsx(con, path: Path, view: str, dataset: Dataset, scratch: Path) -> RawFile:
    raw = _text_csv(con, workbook_csv(path, scratch), path, view, ",")
    raw.format, raw.encoding = "xlsx", None
    return raw


def _jsonl(con, path: Path, view: str, dataset: Dataset, scratch: Path) -> RawFile:
    from pyspark.sql import functions as F

    # Every line is numbered, blank ones too, so a record's rowid + 1 is its line as an editor shows it (the
    # DuckDB reader's "__line"); then the blank lines (nothing but spaces, tabs and carriage returns) are left out.
    frame = con.spark.read.text(str(path)).select(F.col("value").alias("json"))
    _register(con, view, frame, path, False, _AS_JSONL)
    kept = con.held.pop(view, [])
    con.register(view, con.tables[view].where(~F.col("json").rlike(r"^[ \t\r]*$")), holds=kept[0] if kept else None,
                 origins=[str(path)])
    try:
        bad = con.tables[view].where(F.json_object_keys(F.col("json")).isNull()).limit(1).count()
    except Exception as exc:
        raise DataError(msg(_AS_JSONL.template, said=_said(exc)), Location(str(path))) from None
    if bad:
        raise broken_line(path) or DataError(msg("a line is not a JSON object"), Location(str(path)))
    return RawFile(path, "jsonl", view, encoding="utf-8", json=True)


def _parquet(con, path: Path, view: str, dataset: Dataset, scratch: Path) -> RawFile:
    try:
        frame = con.spark.read.parquet(str(path))
    except Exception as exc:  # an analysis error: not a Parquet file
        raise DataError(msg("cannot read: {said}", said=_said(exc)), Location(str(path))) from None
    types = {f.name: _duckdb_type(f.dataType) for f in frame.schema.fields}
    _register(con, view, frame, path, False, N_("cannot be read as Parquet: {said}"))
    return RawFile(path, "parquet", view, list(types), types=types)


def _duckdb_type(spark_type) -> str:
    name = type(spark_type).__name__
    if name == "DecimalType":
        return f"DECIMAL({spark_type.precision},{spark_type.scale})"
    return _DUCKDB_TYPES.get(name, spark_type.simpleString().upper())


def _register(con, view: str, frame, path: Path, spread: bool, problem: Message) -> None:
    """``frame`` numbered in file order as the raw view ``view``; reading errors name the file.

    ``problem`` is the error's template (``N_``), with ``{said}`` for what Spark said.
    """
    try:
        numbered, kept = number_rows(frame)
    except ClauseWiseError:
        raise
    except Exception as exc:  # Spark reports a malformed file when a job reads it, with its own error types
        raise DataError(msg(problem.template, said=_said(exc)), Location(str(path))) from None
    if spread:
        numbered = numbered.repartition(con.spark.sparkContext.defaultParallelism)
    con.register(view, numbered, holds=kept, origins=[str(path)])


def number_rows(frame):
    """(``frame`` with ``rowid``, each record's position in its file from 0; the copy of the file it reads).

    ``frame`` is read once, into memory or local disk (a local checkpoint), so
    that the numbers are those of one reading. Within a split Spark keeps file
    order, and ``monotonically_increasing_id`` counts up within a task; so one
    aggregate finds each split's first id and size, and a record's number is
    the records of earlier splits plus its distance from its split's first id.
    """
    from pyspark.sql import functions as F

    columns = [F.col(f"`{c}`") for c in frame.columns]
    if frame.rdd.getNumPartitions() <= 1:  # one split, read in one task: ids count from 0 in file order
        return frame.select(F.monotonically_increasing_id().alias("rowid"), *columns), None
    tagged = frame.select(F.monotonically_increasing_id().alias("__mid"), F.spark_partition_id().alias("__pid"),
                          F.input_file_block_start().alias("__blk"), "*")
    tagged = tagged.localCheckpoint(eager=True)
    splits = tagged.groupBy("__pid", "__blk").agg(F.min("__mid").alias("__first"), F.count(F.lit(1)).alias("__n"))
    rows = sorted(splits.collect(), key=lambda r: (r["__blk"], r["__first"]))
    offsets, before = [], 0
    for row in rows:
        offsets.append((row["__pid"], row["__blk"], row["__first"] - before))
        before += row["__n"]
    if len(offsets) <= 1:  # one split (a CSV file, a small file): its ids count from its first
        shift = offsets[0][2] if offsets else 0
        return tagged.select((F.col("__mid") - F.lit(shift)).alias("rowid"), *columns), tagged
    starts = frame.sparkSession.createDataFrame(offsets, "__pid INT, __blk BIGINT, __shift BIGINT")
    joined = tagged.join(F.broadcast(starts), ["__pid", "__blk"])
    return joined.select((F.col("__mid") - F.col("__shift")).alias("rowid"), *columns), tagged


_AS_JSONL = N_("cannot be read as JSON Lines: {said}")
_READERS = {"csv": _csv, "jsonl": _jsonl, "parquet": _parquet, "xlsx": _xlsx}
assert set(_READERS) == set(readers.FORMATS)
