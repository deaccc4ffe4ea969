"""A run's findings and grades, kept in DuckDB until a writer reads them.

An audit may find hundreds of thousands of things. Building a Python object
for each one, then a dict for each one, then JSON text from each dict, is most
of what an audit used to cost. So findings stay in a table on the run's
connection, sorted once, and each writer asks for what it needs: counts and
tallies come from ``GROUP BY``, JSON is rendered by DuckDB (``to_json``), and
iteration fetches :class:`~clausewise.model.Finding` tuples a batch at a time,
so memory does not grow with the number of findings.

:class:`FindingStore` behaves like a read-only sequence of findings (``len``,
iteration in order, indexing); :meth:`FindingStore.of` builds one from a list,
for tests and callers that make findings themselves. :class:`GradeStore`
does the same for the computed values of each record.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import duckdb

from ..errors import UsageError
from ..i18n import msg
from ..model import SEVERITIES, Finding, Grade, severity_rank
from . import connection, frames, runvars
from .convert import shown
from .sqltext import ident, string, strings

RESULT_TABLE = "__result"
BATCH = 10_000
# Rows fetched at a time into Python: DuckDB's vector, 2,048 rows, is the fastest size (a quarter less time
# than 10,000 to make 173,028 findings, measured), and holds little.
FETCH = 2048
COLUMNS = ("rule", "clause", "dataset", "key", "status", "severity", "message", "evidence", "due_at", "grp", "row",
           "fingerprint", "waiver", "baseline")
RESULT_DDL = (
    f"CREATE TABLE {RESULT_TABLE} (rule VARCHAR, clause VARCHAR, dataset VARCHAR, key VARCHAR, status VARCHAR, "
    "severity VARCHAR, message VARCHAR, evidence VARCHAR, due_at TIMESTAMP, grp VARCHAR, row BIGINT, fingerprint VARCHAR, "
    "waiver VARCHAR, baseline VARCHAR)"
)
# The columns the waivers and the baseline comparison fill in later (engine/waivers.py, engine/cycle.py): empty at first.
CYCLE_COLUMNS = "CAST(NULL AS VARCHAR) AS waiver, CAST(NULL AS VARCHAR) AS baseline"
# A finding's fingerprint: the MD5 (32 hex digits) of rule, clause, dataset and record key (or,
# for an aggregate finding, its group as JSON), joined by the unit separator (U+001F). Not the
# message, not the row: the same problem in next month's export, however worded and wherever it
# stands in the file, has the same fingerprint (docs/history.md). MD5 names, it does not protect:
# it is stable everywhere and a third cheaper than SHA-256 over hundreds of thousands of findings.
# A finding of a rule judged per period (``per: month``) has both a key and a group (the period): both count.
FINGERPRINT = ("md5(concat_ws(chr(31), rule, clause, dataset, "
               "CASE WHEN key IS NOT NULL AND grp IS NOT NULL THEN key || chr(30) || grp ELSE coalesce(key, grp, '') END))")
# A time as Python's isoformat(sep=" ") writes it: microseconds only when there are some.
_TIME = "CASE WHEN microsecond({t}) % 1000000 = 0 THEN strftime({t}, '%Y-%m-%d %H:%M:%S') ELSE strftime({t}, '%Y-%m-%d %H:%M:%S.%f') END"
# One finding as the JSON object of the output contract (docs/cli.md, "Findings"; Finding.to_dict): its fields in order.
_FIELDS = (
    ("rule", "rule"), ("clause", "clause"), ("dataset", "dataset"), ('"key"', '"key"'), ('"group"', "json(grp)"),
    ('"row"', '"row"'), ("status", "status"), ("severity", "severity"), ("message", "message"),
    ("evidence", "coalesce(json(evidence), json('{}'))"), ("due_at", _TIME.format(t="due_at")),
    ("fingerprint", "fingerprint"), ("waiver", "json(waiver)"), ("baseline_state", "baseline"),
)
_JSON = f"to_json(struct_pack({', '.join(f'{name} := {value}' for name, value in _FIELDS)}))::VARCHAR"
# The same objects as the columns of a row: DuckDB's ``COPY … (FORMAT json)`` writes each row as ``to_json`` does.
_JSON_COLUMNS = ", ".join(f"{value} AS {name}" for name, value in _FIELDS)
# Each finding's occurrence number among those of its fingerprint, in the findings' order (FindingStore.numbered).
_OCCURRENCE = "__occurrence"
# What findings can be counted by: a column, or ``waived`` (True for a finding a waiver accepted).
TALLY_KEYS = {"rule": "rule", "clause": "clause", "dataset": "dataset", "status": "status", "severity": "severity",
              "baseline": "baseline", "waived": "waiver IS NOT NULL"}


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def batches(con, sql: str, make) -> Iterator:
    """``make(row)`` for each row of ``sql``, fetched a batch at a time on a cursor of its own."""
    cursor = runvars.cursor(con)
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(FETCH):
            yield from map(make, rows)
    finally:
        cursor.close()


class FindingStore:
    """The findings of a run, in the contract's order, read from a DuckDB table."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str = RESULT_TABLE, closer=None,
                 outbox: Path | None = None):
        self._con = con
        self._table = table
        self._len: int | None = None
        self._closer = closer or con.close
        self._outbox = outbox

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> FindingStore:
        """A store holding exactly ``findings``, in the order given (on a connection of its own)."""
        con = duckdb.connect(":memory:")
        con.execute(RESULT_DDL)
        rows = [(f.rule, f.clause, f.dataset, f.key, f.status, f.severity, f.message, f.evidence_json,
                 f.due_at, f.group_json, f.row, f.waiver_json, f.baseline) for f in findings]
        if rows:
            con.executemany(f"INSERT INTO {RESULT_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)", rows)
            con.execute(f"UPDATE {RESULT_TABLE} SET fingerprint = {FINGERPRINT}")
        return cls(con)

    @classmethod
    def from_parquet(cls, path: Path) -> FindingStore:
        """A store holding the findings of a Parquet file with the columns of :data:`COLUMNS`, in file order.

        The file (one clausewise wrote: a run's findings copied out, or a
        history's) is read into the store's own database, under the run's
        memory limit (what does not fit spills into a private folder, removed
        with the store); the store's connection is then locked like a run's.
        """
        scratch = tempfile.TemporaryDirectory(prefix="clausewise-")
        con = connection.connect("UTC", Path(scratch.name))
        try:
            con.execute(RESULT_DDL)
            con.execute(f"INSERT INTO {RESULT_TABLE} SELECT {', '.join(COLUMNS)} FROM read_parquet(?)", [str(path)])
            connection.lock(con)
        except BaseException:
            con.close()
            scratch.cleanup()
            raise

        def close() -> None:
            con.close()
            scratch.cleanup()

        return cls(con, closer=close, outbox=Path(scratch.name) / connection.OUTBOX)

    def execute(self, sql: str, parameters: list | None = None) -> list[tuple]:
        """Run one statement on the run's connection (the engine's own passes: waivers, baseline); its rows.

        ``sql`` is fixed text naming the findings table :data:`RESULT_TABLE`;
        values come as ``parameters``.
        """
        self._len = None
        return self._con.execute(sql, parameters or []).fetchall()

    # ---- a sequence ----------------------------------------------------------
    def __len__(self) -> int:
        if self._len is None:
            self._len = self._con.execute(f"SELECT count(*) FROM {self._table}").fetchone()[0]
        return self._len

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[Finding]:
        return self.where()

    def __eq__(self, other: object) -> bool:
        """Equal to a list or another store holding the same findings in the same order."""
        if isinstance(other, (list, tuple, FindingStore)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # a mutable view of a table: not hashable

    def __repr__(self) -> str:
        return f"<{len(self)} findings>"

    def __getitem__(self, index: int | slice) -> Finding | list[Finding]:
        if isinstance(index, slice):
            return list(self)[index]
        size = len(self)
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            raise IndexError("finding index out of range")
        row = self._con.execute(f"SELECT {', '.join(COLUMNS)} FROM {self._table} LIMIT 1 OFFSET {int(position)}").fetchone()
        return Finding._make(row)

    def where(self, rules: Iterable[str] | None = None, statuses: Iterable[str] | None = None,
              limit: int | None = None, worst_first: bool = False, waived: bool | None = None) -> Iterator[Finding]:
        """Findings of some rules or statuses (waived or not), in order (or worst severity first), a batch at a time."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM {self._table}{self._filter(rules, statuses, waived)}"
        if worst_first:
            ranks = " ".join(f"WHEN {string(s)} THEN {severity_rank(s)}" for s in SEVERITIES)
            sql += f" ORDER BY CASE severity {ranks} END, rowid"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._batches(sql, Finding._make)

    def numbered(self, after: FindingStore | None = None) -> Iterator[tuple[Finding, int]]:
        """Each finding in order with its occurrence number: the n-th finding of its fingerprint has n (from 1).

        Findings that share a fingerprint (a duplicated key, two bad cells of
        one record) are told apart this way (SARIF's ``<fingerprint>:<n>``,
        the run history's matching by count). With ``after``, numbers go on
        from ``after``'s findings of the same fingerprint: a baseline's
        resolved findings come after the run's. The numbers are computed in
        DuckDB (one column of integers in the findings' order, read beside
        them), and ``after`` is asked about one batch's fingerprints at a
        time, so memory does not grow with the number of findings.
        """
        self._con.execute(f"CREATE OR REPLACE TABLE {_OCCURRENCE} AS SELECT row_number() OVER "
                          f"(PARTITION BY fingerprint ORDER BY rowid) AS n FROM {self._table} ORDER BY rowid")
        try:
            rows = self._batches(f"SELECT f.*, o.n FROM (SELECT {', '.join(COLUMNS)} FROM {self._table}) f "
                                 f"POSITIONAL JOIN {_OCCURRENCE} o", lambda row: (Finding._make(row[:-1]), row[-1]))
            for chunk in _chunks(rows, BATCH):
                before = after.fingerprint_counts({f.fingerprint for f, _ in chunk}) if after is not None else {}
                for finding, n in chunk:
                    yield finding, before.get(finding.fingerprint, 0) + n
        finally:
            # A reader that stopped early (`… | head`) may close the store before this generator is collected.
            with contextlib.suppress(duckdb.ConnectionException):
                self._con.execute(f"DROP TABLE IF EXISTS {_OCCURRENCE}")

    def fingerprint_counts(self, fingerprints: Iterable[str]) -> dict[str, int]:
        """How many findings have each of ``fingerprints`` (those with none are left out)."""
        wanted = list(fingerprints)
        if not wanted:
            return {}
        return dict(self._con.execute(f"SELECT fingerprint, count(*) FROM {self._table} "
                                      "WHERE fingerprint IN (SELECT unnest(?)) GROUP BY ALL", [wanted]).fetchall())

    def _filter(self, rules, statuses, waived=None) -> str:
        tests = [] if waived is None else ["waiver IS NOT NULL" if waived else "waiver IS NULL"]
        if rules is not None:
            tests.append(f"rule IN ({strings(rules) or 'NULL'})")
        if statuses is not None:
            tests.append(f"status IN ({strings(statuses) or 'NULL'})")
        return " WHERE " + " AND ".join(tests) if tests else ""

    def _batches(self, sql: str, make) -> Iterator:
        return batches(self._con, sql, make)

    # ---- counting --------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Findings by status: violation, warning, invalid (zeros included)."""
        out = {"violation": 0, "warning": 0, "invalid": 0}
        out.update(self.tally("status"))
        return out

    def tally(self, *keys: str) -> dict[Any, int]:
        """How many findings share each value of ``keys`` (a tuple of values for several keys)."""
        if not keys or any(k not in TALLY_KEYS for k in keys):
            raise ValueError(f"tally by some of {tuple(TALLY_KEYS)}")
        columns = ", ".join(TALLY_KEYS[k] for k in keys)
        rows = self._con.execute(f"SELECT {columns}, count(*) FROM {self._table} GROUP BY ALL").fetchall()
        return {(r[0] if len(keys) == 1 else tuple(r[:-1])): r[-1] for r in rows}

    def failing_count(self, fail_on: str, new_only: bool = False) -> int:
        """Violations and invalid values at or above ``fail_on``, not waived (and, ``new_only``, new since the baseline).

        Warnings never fail a run; a waived finding is reported but fails nothing.
        """
        if fail_on == "never":
            return 0
        severe = [s for s in SEVERITIES if severity_rank(s) <= severity_rank(fail_on)]
        new = " AND baseline = 'new'" if new_only else ""
        return self._con.execute(
            f"SELECT count(*) FROM {self._table} WHERE status <> 'warning' AND waiver IS NULL"
            f" AND severity IN ({strings(severe)}){new}"
        ).fetchone()[0]

    def waived_count(self) -> int:
        """Findings a waiver accepted."""
        return self._con.execute(f"SELECT count(*) FROM {self._table} WHERE waiver IS NOT NULL").fetchone()[0]

    # ---- rendering -------------------------------------------------------------
    def json_lines(self) -> Iterator[str]:
        """Each finding as one line of compact JSON (the output contract), rendered by DuckDB."""
        return self._batches(f"SELECT {_JSON} FROM {self._table}", lambda row: row[0])

    def write_json_lines(self, out: TextIO) -> None:
        """The lines of :meth:`json_lines`, each ending in a newline, written to ``out``.

        DuckDB writes them (``COPY … (FORMAT json)``, on every core) into a file
        in the run's private folder, the one other file a locked run may write;
        the file is then moved into the place of ``out`` when ``out`` offers that
        (``out.take_file(path)``, a report file the command stages on the same
        file system), else copied to ``out`` a megabyte at a time and removed.
        No Python object is made per finding. A store that is not a run's (made
        with :meth:`of` or :meth:`from_parquet`) has no such folder: its lines
        are fetched a batch at a time instead.
        """
        if self._outbox is None:
            for lines in _chunks(self.json_lines(), BATCH):
                out.write("\n".join(lines) + "\n")
            return
        path = self._outbox.with_name(connection.REPORT)
        try:
            self._con.execute(f"COPY (SELECT {_JSON_COLUMNS} FROM {self._table}) TO {string(str(path))} (FORMAT json)")
            take_file = getattr(out, "take_file", None)  # a report file staged by the command (cli/output.py)
            if take_file is not None and take_file(path):
                return
            buffer = getattr(out, "buffer", None)
            if buffer is not None and codecs.lookup(getattr(out, "encoding", None) or "ascii").name == "utf-8":
                out.flush()  # what was written as text goes first; the file's bytes are already UTF-8
                with path.open("rb") as lines:
                    shutil.copyfileobj(lines, buffer, 1 << 20)
                buffer.flush()
            else:
                with path.open(encoding="utf-8", newline="") as lines:
                    shutil.copyfileobj(lines, out, 1 << 20)
        finally:
            path.unlink(missing_ok=True)

    def to_parquet(self) -> Path:
        """Every finding with every column, in order, as a Parquet file in the run's private folder.

        This is how findings leave a locked run's database for another one (the
        run history): the file is the one path the locked connection may write.
        It lasts until the result is closed.
        """
        if self._outbox is None:  # a store made with FindingStore.of: its connection was never locked
            self._outbox = Path(tempfile.mkdtemp(prefix="clausewise-")) / "findings.parquet"
        self._con.execute(f"COPY (SELECT {', '.join(COLUMNS)} FROM {self._table}) TO {string(str(self._outbox))} "
                          "(FORMAT parquet)")
        return self._outbox

    # ---- as tables (engine/frames.py) ---------------------------------------
    def to_arrow(self):
        """Every finding as a pyarrow Table, columns as in ``engine/frames.py`` (needs ``clausewise[arrow]``)."""
        return frames.fetch(self._con, self._frame_sql(), "arrow", "findings.to_arrow()")

    def to_pandas(self):
        """Every finding as a pandas DataFrame, one row per finding (needs ``clausewise[pandas]``)."""
        return frames.fetch(self._con, self._frame_sql(), "pandas", "findings.to_pandas()")

    def to_polars(self):
        """Every finding as a Polars DataFrame, one row per finding (needs ``clausewise[polars]``)."""
        return frames.fetch(self._con, self._frame_sql(), "polars", "findings.to_polars()")

    def _frame_sql(self) -> str:
        return (f"SELECT rule, clause, dataset, \"key\", status, severity, message, evidence, due_at, grp AS \"group\", "
                f"\"row\", fingerprint, waiver, baseline AS baseline_state FROM {self._table}")

    def close(self) -> None:
        """Close the run's database (and its scratch folder)."""
        self._closer()


class GradeStore:
    """The computed values of every record, read dataset by dataset when asked for.

    ``datasets`` maps a dataset to (computed column names, their breakdown SQL,
    the dataset's key and group fields); ``reasons`` maps a dataset to each
    column's reason SQL in the run's language (``reasons.py``). Breakdowns and
    reasons are computed only when a writer reads the grades, never for a
    format that does not print them. Filters (dataset, key, a value) and a
    limit become the query's WHERE and LIMIT.
    """

    def __init__(self, con=None, datasets: dict[str, tuple[list[str], dict[str, str], str, tuple[str, ...]]] | None = None,
                 enums: dict[str, list[str]] | None = None, reasons: dict[str, dict[str, str]] | None = None,
                 timestamps: dict[str, set[str]] | None = None):
        self._con = con
        self._datasets = datasets or {}
        self._enums = enums or {}
        self._reasons = reasons or {}
        self._timestamps = timestamps or {}

    def _value(self, dataset: str, name: str) -> str:
        """SQL of a computed value as shown: an instant as the policy's wall-clock time."""
        return shown(ident(name), "timestamp" if name in self._timestamps.get(dataset, ()) else None)

    @property
    def datasets(self) -> list[str]:
        """The datasets that have computed columns, in the policy's order."""
        return list(self._datasets)

    def __iter__(self) -> Iterator[Grade]:
        return self.where()

    def where(self, datasets: Iterable[str] | None = None, key: str | None = None, grade: str | None = None,
              limit: int | None = None) -> Iterator[Grade]:
        """Records' grades: of some datasets, with a key, with a computed value (``value`` or ``column=value``), at most ``limit``."""
        left = limit
        for dataset, (names, breakdowns, key_field, groups) in self._selected(datasets):
            if left is not None and left <= 0:
                return
            values = ", ".join(self._value(dataset, n) for n in names)
            explained = ", ".join(f"CAST({breakdowns[n]} AS VARCHAR)" for n in names)
            why = ", ".join(f"CAST({self._reason(dataset, n)} AS VARCHAR)" for n in names)
            sql = (f"SELECT CAST({ident(key_field)} AS VARCHAR), __row, {values}, {explained}, {why} "
                   f"FROM {ident(dataset)}{self._filter(names, key_field, key, grade)} ORDER BY {_order(groups)}"
                   f"{'' if left is None else f' LIMIT {int(left)}'}")
            for item in batches(self._con, sql, lambda row, n=names, d=dataset: _grade(d, n, row)):
                yield item
                left = None if left is None else left - 1

    def json_lines(self, datasets: Iterable[str] | None = None, key: str | None = None, grade: str | None = None,
                   limit: int | None = None) -> Iterator[str]:
        """Each record's grade as one line of compact JSON (as ``Grade.to_dict``), rendered by DuckDB."""
        left = limit
        for dataset, (names, breakdowns, key_field, groups) in self._selected(datasets):
            if left is not None and left <= 0:
                return
            values = ", ".join(f"{string(n)}, {self._value(dataset, n)}" for n in names)
            explained = ", ".join(f"{string(n)}, json(CAST({breakdowns[n]} AS VARCHAR))" for n in names)
            why = ", ".join(f"{string(n)}, json(CAST({self._reason(dataset, n)} AS VARCHAR))" for n in names)
            sql = (f"SELECT CAST(json_object('dataset', {string(dataset)}, 'key', CAST({ident(key_field)} AS VARCHAR), "
                   f"'row', __row, 'values', json_object({values}), 'breakdown', json_object({explained}), "
                   f"'reasons', json_object({why})) AS VARCHAR) "
                   f"FROM {ident(dataset)}{self._filter(names, key_field, key, grade)} ORDER BY {_order(groups)}"
                   f"{'' if left is None else f' LIMIT {int(left)}'}")
            for line in batches(self._con, sql, lambda row: row[0]):
                yield line
                left = None if left is None else left - 1

    def count(self, dataset: str | None = None, key: str | None = None, grade: str | None = None,
              datasets: Iterable[str] | None = None) -> int:
        """Records with computed values (of ``dataset``, or of ``datasets``; with a key or value when given)."""
        chosen = [dataset] if dataset is not None else datasets
        total = 0
        for name, (names, _, key_field, _) in self._selected(chosen):
            sql = f"SELECT count(*) FROM {ident(name)}{self._filter(names, key_field, key, grade)}"
            total += self._con.execute(sql).fetchone()[0]
        return total

    def __len__(self) -> int:
        return self.count()

    def __bool__(self) -> bool:
        return bool(self._datasets) and len(self) > 0

    def _selected(self, datasets: Iterable[str] | None):
        wanted = None if datasets is None else set(datasets)
        return [(d, spec) for d, spec in self._datasets.items() if wanted is None or d in wanted]

    def _reason(self, dataset: str, column: str) -> str:
        return self._reasons.get(dataset, {}).get(column, "NULL")

    @staticmethod
    def _filter(names: list[str], key_field: str, key: str | None, grade: str | None) -> str:
        """WHERE for a record key and a computed value (``value``, or ``column=value`` for one column)."""
        tests = [] if key is None else [f"CAST({ident(key_field)} AS VARCHAR) = {string(key)}"]
        if grade is not None:
            column, _, value = grade.partition("=")
            columns, wanted = ([column], value) if value and column in names else (names, grade)
            tests.append("(" + " OR ".join(f"CAST({ident(c)} AS VARCHAR) = {string(wanted)}" for c in columns) + ")")
        return " WHERE " + " AND ".join(tests) if tests else ""

    def distribution(self) -> dict[str, dict[str, int]]:
        """``dataset.column`` → count of each value, for computed columns with a fixed set of values."""
        out = {}
        for dataset, columns in self._enums.items():
            for name in columns:
                rows = self._con.execute(
                    f"SELECT coalesce(CAST({ident(name)} AS VARCHAR), '—'), count(*) FROM {ident(dataset)} GROUP BY ALL"
                ).fetchall()
                out[f"{dataset}.{name}"] = dict(sorted(rows))
        return out


    # ---- as tables (engine/frames.py) ---------------------------------------
    def to_arrow(self, dataset: str | None = None, breakdown: bool = False):
        """The computed values as a pyarrow Table (needs ``clausewise[arrow]``).

        Without ``dataset``: ``dataset, key, row, name, value`` (``value`` as
        text), one row per record and computed column. With ``dataset``:
        ``key, row`` and one column per computed column, in its type.
        ``breakdown`` adds how each value was reached, as JSON text.
        """
        return frames.fetch(self._con, self._frame_sql(dataset, breakdown), "arrow", "grades.to_arrow()")

    def to_pandas(self, dataset: str | None = None, breakdown: bool = False):
        """As :meth:`to_arrow`, a pandas DataFrame (needs ``clausewise[pandas]``)."""
        return frames.fetch(self._con, self._frame_sql(dataset, breakdown), "pandas", "grades.to_pandas()")

    def to_polars(self, dataset: str | None = None, breakdown: bool = False):
        """As :meth:`to_arrow`, a Polars DataFrame (needs ``clausewise[polars]``)."""
        return frames.fetch(self._con, self._frame_sql(dataset, breakdown), "polars", "grades.to_polars()")

    def _frame_sql(self, dataset: str | None, breakdown: bool) -> str:
        if dataset is not None:
            return self._wide_sql(dataset, breakdown)
        parts = [self._long_part(position, name, breakdown) for position, name in enumerate(self._datasets)]
        extra = ", item.breakdown AS breakdown" if breakdown else ""
        if not parts:
            return ("SELECT NULL::VARCHAR AS dataset, NULL::VARCHAR AS \"key\", NULL::BIGINT AS \"row\", "
                    f"NULL::VARCHAR AS name, NULL::VARCHAR AS value{', NULL::VARCHAR AS breakdown' if breakdown else ''} "
                    "WHERE FALSE")
        return (f"SELECT dataset, \"key\", \"row\", item.name AS name, item.value AS value{extra} "
                f"FROM (SELECT *, unnest(items) AS item FROM ({' UNION ALL '.join(parts)})) ORDER BY pos, ord, item.k")

    def _long_part(self, position: int, dataset: str, breakdown: bool) -> str:
        names, breakdowns, key, groups = self._datasets[dataset]
        items = ", ".join(
            f"struct_pack(k := {k}, name := {string(n)}, value := CAST({self._value(dataset, n)} AS VARCHAR)"
            + (f", breakdown := CAST({breakdowns[n]} AS VARCHAR))" if breakdown else ")")
            for k, n in enumerate(names))
        order = ", ".join(["__row", *(ident(g) for g in groups)])
        return (f"SELECT {string(dataset)} AS dataset, CAST({ident(key)} AS VARCHAR) AS \"key\", __row AS \"row\", "
                f"{position} AS pos, row_number() OVER (ORDER BY {order}) AS ord, [{items}] AS items FROM {ident(dataset)}")

    def _wide_sql(self, dataset: str, breakdown: bool) -> str:
        if dataset not in self._datasets:
            raise UsageError(msg('no computed values in dataset "{dataset}"; those with some: {names}',
                                 dataset=dataset, names=", ".join(self._datasets) or msg("none")))
        names, breakdowns, key, groups = self._datasets[dataset]
        columns = ", ".join(ident(n) for n in names)
        if breakdown:
            columns += "".join(f", CAST({breakdowns[n]} AS VARCHAR) AS {ident(n + '_breakdown')}" for n in names)
        order = ", ".join(["__row", *(ident(g) for g in groups)])
        return (f"SELECT CAST({ident(key)} AS VARCHAR) AS \"key\", __row AS \"row\", {columns} "
                f"FROM {ident(dataset)} ORDER BY {order}")


def _order(groups: tuple[str, ...]) -> str:
    return ", ".join(["__row", *(ident(g) for g in groups)])


def _grade(dataset: str, names: list[str], row: tuple) -> Grade:
    key, position, *rest = row
    count = len(names)
    values = dict(zip(names, rest[:count]))
    breakdown = {n: json.loads(b) if b else None for n, b in zip(names, rest[count:2 * count])}
    reasons = {n: json.loads(r) for n, r in zip(names, rest[2 * count:]) if r}
    return Grade(dataset=dataset, key=key, row=position, values=values, breakdown=breakdown, reasons=reasons)
