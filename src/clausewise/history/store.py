"""The run history: an embedded DuckDB file holding recorded audits and their findings.

Tables (see docs/history.md for every column):

- ``runs``: one row a recorded audit — policy id, version and content hash,
  audit period (when the run knows it), as-of time and its source, the
  export's folder and hash, the rules that ran, counts by status and of
  waived findings, when it was recorded;
- ``run_files``: the export files the audit read, each with its SHA-256;
- ``run_waivers``: what became of each waiver in the run;
- ``findings``: every finding of every run, in the run's order, with its
  fingerprint and the waiver that accepted it.

A run is identified by its policy hash, export hash and as-of time:
recording the same again replaces that run's rows (keeping its id) instead of
adding a second. Recording is one transaction, so a process killed at any
point leaves the history as it was or with the whole run; a file lock
(``lock.py``) serialises writers across processes.

Every statement here is fixed text: values reach DuckDB only as query
parameters, never pasted into SQL. The findings arrive as the Parquet file a
locked run wrote (``FindingStore.to_parquet``), read by this module's own
connection.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from ..errors import UsageError
from ..i18n import msg, os_reason
from ..model import RunResult, TrendPoint
from .lock import FileLock

SCHEMA_VERSION = "1"
# How long an audit waits for another to finish recording before giving up.
TIMEOUT = 60.0
_DDL = (
    "CREATE TABLE IF NOT EXISTS history_meta (name VARCHAR, value VARCHAR)",
    "CREATE TABLE IF NOT EXISTS runs (id BIGINT NOT NULL, policy_id VARCHAR NOT NULL, policy_version VARCHAR, "
    "policy_hash VARCHAR NOT NULL, policy_path VARCHAR, period VARCHAR, as_of TIMESTAMP NOT NULL, "
    "as_of_source VARCHAR, timezone VARCHAR, lang VARCHAR, export_dir VARCHAR, export_hash VARCHAR NOT NULL, "
    "rules_run VARCHAR[], engine VARCHAR, recorded_at TIMESTAMP, findings BIGINT, violations BIGINT, "
    "warnings BIGINT, invalid BIGINT, waived BIGINT)",
    "CREATE TABLE IF NOT EXISTS run_files (run_id BIGINT, dataset VARCHAR, path VARCHAR, format VARCHAR, "
    "rows BIGINT, sha256 VARCHAR)",
    "CREATE TABLE IF NOT EXISTS run_waivers (run_id BIGINT, waiver VARCHAR, state VARCHAR, matched BIGINT, "
    "waived BIGINT, approved_by VARCHAR, reason VARCHAR, reference VARCHAR, expires DATE)",
    "CREATE TABLE IF NOT EXISTS findings (run_id BIGINT, position BIGINT, rule VARCHAR, clause VARCHAR, "
    "dataset VARCHAR, key VARCHAR, status VARCHAR, severity VARCHAR, message VARCHAR, evidence VARCHAR, "
    "due_at TIMESTAMP, grp VARCHAR, row BIGINT, fingerprint VARCHAR, waiver VARCHAR)",
)
_RUN_COLUMNS = ("id", "policy_id", "policy_version", "policy_hash", "policy_path", "period", "as_of", "as_of_source",
                "timezone", "lang", "export_dir", "export_hash", "rules_run", "engine", "recorded_at", "findings",
                "violations", "warnings", "invalid", "waived")
_SELECT_RUNS = f"SELECT {', '.join(_RUN_COLUMNS)} FROM runs"
_SAME_RUN = "SELECT id FROM runs WHERE policy_id = ? AND policy_hash = ? AND export_hash = ? AND as_of = ?"
_FORGET = (
    "DELETE FROM runs WHERE id = ?",
    "DELETE FROM run_files WHERE run_id = ?",
    "DELETE FROM run_waivers WHERE run_id = ?",
    "DELETE FROM findings WHERE run_id = ?",
)
_INSERT_FINDINGS = (
    "INSERT INTO findings SELECT ?, file_row_number, rule, clause, dataset, key, status, severity, message, evidence, "
    "due_at, grp, row, fingerprint, waiver FROM read_parquet(?, file_row_number = true)"
)
_COUNT = (
    "UPDATE runs SET findings = c.n, violations = c.v, warnings = c.w, invalid = c.i, waived = c.waived FROM ("
    "SELECT count(*) AS n, count(*) FILTER (WHERE status = 'violation') AS v, "
    "count(*) FILTER (WHERE status = 'warning') AS w, count(*) FILTER (WHERE status = 'invalid') AS i, "
    "count(*) FILTER (WHERE waiver IS NOT NULL) AS waived FROM findings WHERE run_id = ?) c WHERE runs.id = ?"
)


@dataclass(frozen=True)
class RunInfo:
    """One recorded run: who judged what, when, and how many findings of each status it had.

    ``as_of`` is naive in the policy's timezone; ``recorded_at`` naive UTC.
    ``counts`` has ``findings``, ``violation``, ``warning``, ``invalid`` and
    ``waived``.
    """

    id: int
    policy_id: str
    policy_version: str | None
    policy_hash: str
    policy_path: str | None
    period: str | None
    as_of: datetime
    as_of_source: str | None
    timezone: str | None
    lang: str | None
    export_dir: str | None
    export_hash: str
    rules_run: tuple[str, ...]
    engine: str | None
    recorded_at: datetime | None
    counts: dict[str, int]

    @classmethod
    def of(cls, row: tuple) -> RunInfo:
        values = dict(zip(_RUN_COLUMNS, row))
        counts = {"findings": values.pop("findings") or 0, "violation": values.pop("violations") or 0,
                  "warning": values.pop("warnings") or 0, "invalid": values.pop("invalid") or 0,
                  "waived": values.pop("waived") or 0}
        values["rules_run"] = tuple(values["rules_run"] or ())
        return cls(**values, counts=counts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "policy": {"id": self.policy_id, "version": self.policy_version, "hash": self.policy_hash,
                       "path": self.policy_path},
            "period": self.period,
            "as_of": self.as_of.isoformat(sep=" "),
            "as_of_source": self.as_of_source,
            "timezone": self.timezone,
            "export_dir": self.export_dir,
            "export_hash": self.export_hash,
            "recorded_at": self.recorded_at.isoformat(sep=" ", timespec="seconds") + "Z" if self.recorded_at else None,
            **self.counts,
        }


def default_path(export_dir: str | Path) -> Path:
    """``.clausewise/history.duckdb`` in the folder that holds the export folder (so months share one history)."""
    return Path(export_dir).resolve().parent / ".clausewise" / "history.duckdb"


class History:
    """An open run history; use :meth:`open` in a ``with`` block.

    Opened to write, it holds the history's lock exclusively until closed;
    opened to read, it shares the lock with other readers.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, lock: FileLock):
        self.con = con
        self.path = path
        self._lock = lock

    @classmethod
    @contextmanager
    def open(cls, path: str | Path, write: bool = False, timeout: float = TIMEOUT) -> Iterator[History]:
        """The history at ``path``, created (with its folder) when opened to write.

        Raises UsageError when ``path`` holds no history and ``write`` is
        false, when it is some other file, when another process holds it
        for longer than ``timeout`` seconds, or when a newer clausewise wrote it.
        """
        path = Path(path)
        if not write and not path.is_file():
            raise UsageError(msg("no run history at {path}; record audits into it with --record", path=path))
        if path.is_dir():
            raise UsageError(msg("the run history {path} is a folder; give a file name", path=path))
        if write:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(msg("cannot create {parent}: {strerror}",
                                     parent=path.parent, strerror=os_reason(exc))) from None
        lock = FileLock(path.with_name(path.name + ".lock"), exclusive=write, timeout=timeout)
        with lock:
            con = _connect(path, write, timeout)
            try:
                history = cls(con, path, lock)
                history._check(write)
                yield history
            finally:
                con.close()

    def _check(self, write: bool) -> None:
        if write:
            self.con.execute("BEGIN TRANSACTION")
            for statement in _DDL:
                self.con.execute(statement)
            if not self.con.execute("SELECT count(*) FROM history_meta").fetchone()[0]:
                self.con.execute("INSERT INTO history_meta VALUES ('schema', ?)", [SCHEMA_VERSION])
            self.con.execute("COMMIT")
        try:
            version = self.con.execute("SELECT value FROM history_meta WHERE name = 'schema'").fetchone()
        except duckdb.Error:
            version = None
        if version is None:
            raise UsageError(msg("{path} is not a clausewise run history", path=self.path))
        if version[0] != SCHEMA_VERSION:
            raise UsageError(msg("{path} was written by another version of clausewise (history schema {version}, this "
                                 "one reads {schema_version})",
                                 path=self.path, version=version[0], schema_version=SCHEMA_VERSION))

    # ---- recording ----------------------------------------------------------

    def record(self, result: RunResult) -> tuple[int, bool]:
        """Record ``result`` with all its findings in one transaction; (its run id, True when it replaced one).

        A run with the same policy hash, export hash and as-of time as a
        recorded one replaces it, keeping its id.
        """
        parquet = result.findings.to_parquet()
        files = [_file_row(d) for d in result.data_files]
        export_hash = _export_hash(files)
        identity = [result.policy.id, result.policy.content_hash, export_hash, result.as_of]
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            same = con.execute(_SAME_RUN, identity).fetchone()
            run_id = same[0] if same else con.execute("SELECT coalesce(max(id), 0) + 1 FROM runs").fetchone()[0]
            for statement in _FORGET:
                con.execute(statement, [run_id])
            con.execute(f"INSERT INTO runs ({', '.join(_RUN_COLUMNS[:15])}) VALUES ({', '.join('?' * 15)})",
                        _run_row(result, run_id, export_hash))
            con.execute(_INSERT_FINDINGS, [run_id, str(parquet)])
            if files:
                con.executemany("INSERT INTO run_files VALUES (?, ?, ?, ?, ?, ?)", [(run_id, *f) for f in files])
            if result.waivers:
                con.executemany("INSERT INTO run_waivers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [_waiver_row(run_id, use) for use in result.waivers])
            con.execute(_COUNT, [run_id, run_id])
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise
        return run_id, same is not None

    # ---- reading --------------------------------------------------------------

    def runs(self, policy_id: str | None = None, last: int | None = None) -> list[RunInfo]:
        """Recorded runs, oldest first (by as-of time, then id); of one policy, the ``last`` few."""
        rows = self.con.execute(
            f"{_SELECT_RUNS} WHERE ? IS NULL OR policy_id = ? ORDER BY as_of DESC, id DESC LIMIT ?",
            [policy_id, policy_id, last if last is not None else 1 << 62],
        ).fetchall()
        return [RunInfo.of(row) for row in reversed(rows)]

    def run(self, run_id: int) -> RunInfo:
        """The run with id ``run_id``; UsageError when there is none."""
        row = self.con.execute(f"{_SELECT_RUNS} WHERE id = ?", [run_id]).fetchone()
        if row is None:
            raise UsageError(msg("no run {run_id} in the run history {path} (clausewise history lists them)",
                                 run_id=run_id, path=self.path))
        return RunInfo.of(row)

    def latest(self, policy_id: str | None = None) -> RunInfo:
        """The run with the latest as-of time (of one policy); UsageError when there is none."""
        runs = self.runs(policy_id, last=1)
        if not runs:
            of = msg(" of policy {policy_id}", policy_id=policy_id) if policy_id else ""
            raise UsageError(msg("no run{of} in the run history {path}", of=of, path=self.path))
        return runs[0]

    def before(self, policy_id: str, as_of: datetime) -> RunInfo | None:
        """The latest run of ``policy_id`` judged before ``as_of`` (naive, policy timezone), or None."""
        row = self.con.execute(
            f"{_SELECT_RUNS} WHERE policy_id = ? AND as_of < ? ORDER BY as_of DESC, id DESC LIMIT 1",
            [policy_id, as_of],
        ).fetchone()
        return RunInfo.of(row) if row else None

    def files(self, run_id: int) -> list[dict[str, Any]]:
        """The export files a run read, with their SHA-256."""
        rows = self.con.execute("SELECT dataset, path, format, rows, sha256 FROM run_files WHERE run_id = ? "
                                "ORDER BY dataset", [run_id]).fetchall()
        return [dict(zip(("dataset", "path", "format", "rows", "sha256"), row)) for row in rows]

    def clause_counts(self, run_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
        """Run id → clause → status → findings, for the given runs."""
        rows = self.con.execute(
            "SELECT run_id, clause, status, count(*) FROM findings WHERE list_contains(?, run_id) GROUP BY ALL "
            "ORDER BY ALL", [list(run_ids)],
        ).fetchall()
        out: dict[int, dict[str, dict[str, int]]] = {run_id: {} for run_id in run_ids}
        for run_id, clause, status, n in rows:
            out[run_id].setdefault(clause, {})[status] = n
        return out

    def by_clause(self, runs: list[RunInfo]) -> dict[str, dict[str, dict[int, int]]]:
        """Policy id → clause → run id → findings (every status), for the given runs."""
        counts = self.clause_counts([r.id for r in runs])
        out: dict[str, dict[str, dict[int, int]]] = {}
        for run in runs:
            for clause, statuses in counts[run.id].items():
                out.setdefault(run.policy_id, {}).setdefault(clause, {})[run.id] = sum(statuses.values())
        return out

    def trend(self, policy_id: str, upto: datetime, last: int = 12) -> list[TrendPoint]:
        """Findings per clause and status of the ``last`` runs of ``policy_id`` judged up to ``upto``, oldest first."""
        rows = self.con.execute(
            f"{_SELECT_RUNS} WHERE policy_id = ? AND as_of <= ? ORDER BY as_of DESC, id DESC LIMIT ?",
            [policy_id, upto, last],
        ).fetchall()
        runs = [RunInfo.of(row) for row in reversed(rows)]
        counts = self.clause_counts([r.id for r in runs])
        return [TrendPoint(r.id, r.as_of, r.period, counts[r.id]) for r in runs]


def _connect(path: Path, write: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    """A connection to the file; retried while another process holds DuckDB's own lock (no fcntl)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return duckdb.connect(str(path), read_only=not write)
        except duckdb.IOException as exc:
            if "not a valid DuckDB database" in str(exc):
                raise UsageError(msg("{path} is not a clausewise run history", path=path)) from None
            if "lock" in str(exc).lower() and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            raise UsageError(msg("cannot open the run history {path}: {said}", path=path, said=_said(exc))) from None
        except duckdb.Error as exc:
            raise UsageError(msg("{path} is not a clausewise run history ({said})",
                                 path=path, said=_said(exc))) from None


def _said(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0]
    return first.split(" Error: ", 1)[1] if " Error: " in first else first


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def _run_row(result: RunResult, run_id: int, export_hash: str) -> list:
    policy = result.policy
    period = getattr(result, "period", None)  # the audit period, where the run knows it
    return [run_id, policy.id, policy.version, policy.content_hash, policy.path,
            None if period is None else str(period), result.as_of, result.as_of_source, policy.timezone,
            result.lang, result.export_dir, export_hash, [*result.rules_run, "data-quality"],
            f"clausewise {result.engine_version}", datetime.now(UTC).replace(tzinfo=None)]


def _waiver_row(run_id: int, use) -> tuple:
    w = use.waiver
    return (run_id, w.id, use.state, use.matched, use.waived, w.approved_by, w.reason, w.reference, w.expires)


def _file_row(data_file) -> tuple:
    """(dataset, path, format, rows, hash); a dataset read from a table or database has its description and digest."""
    source, digest = getattr(data_file, "source", None), getattr(data_file, "digest", None)
    return (data_file.dataset, data_file.path or source, data_file.format, data_file.rows,
            digest or _file_hash(data_file.path))


def _file_hash(path: str | None) -> str | None:
    """SHA-256 of a file's bytes, or None when the dataset had no file (an optional one, absent)."""
    if not path:
        return None
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise UsageError(msg("cannot read {path} to record it: {strerror}", path=path, strerror=os_reason(exc))) from None
    return digest.hexdigest()


def _export_hash(files: list[tuple]) -> str:
    """SHA-256 over each dataset's file name, format and content hash: the export's identity."""
    parts = sorted((dataset, Path(path).name if path else None, fmt, sha) for dataset, path, fmt, _, sha in files)
    return "sha256:" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()
