"""The library API for notebooks and pipelines: audit a folder, tables in memory or a database.

::

    import clausewise

    policy = clausewise.load("policies/example.yaml")
    with clausewise.audit(policy, {"inquiries": inquiries_df, "followups": followups_df}) as result:
        result.exit_code("high")            # 0 clean, 1 a finding at or above "high"
        result.findings_df()                # pandas: one row per finding
        result.findings.to_arrow()          # pyarrow: the same table
        result.grades_df()                  # computed values: dataset, key, row, name, value
        result.stats_df()                   # per rule: records examined, violations, warnings, invalid
        result.write("sarif", "findings.sarif")

A run's findings and grades stay in the run's own DuckDB database until the
result is closed (``with`` or :meth:`Result.close`); tables and reports are
read from it on demand. docs/api.md in the project's documentation has the
whole walk-through.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from .engine import frames, load
from .engine import run as engine_run
from .engine import sources as source_specs
from .engine.asof import parse_period, wall_clock
from .errors import UsageError
from .i18n import msg
from .model import AuditPeriod, Policy, RunResult
from .report import WRITERS, report_path, stream

Progress = Callable[[str, int, int], None]


class Result(RunResult):
    """A :class:`~clausewise.model.RunResult` with its findings, grades and statistics as tables, and the writers.

    ``findings`` (a sequence of :class:`~clausewise.model.Finding`), ``grades``
    and ``stats`` each give themselves as tables too: ``.to_arrow()``,
    ``.to_pandas()``, ``.to_polars()`` (pyarrow, pandas and Polars are
    optional: ``pip install 'clausewise[arrow]'``, ``[pandas]``,
    ``[polars]``; a missing one raises :class:`~clausewise.errors.MissingExtra`,
    an ImportError naming the extra). Times in the tables are naive, in the
    policy's timezone (``policy.timezone``).
    """

    def findings_df(self):
        """The findings as a pandas DataFrame, one row per finding, in the report's order.

        Columns: rule, clause, dataset, key, status (violation, warning,
        invalid), severity (critical, high, medium, low), message, evidence
        (JSON text), due_at (naive timestamp, policy timezone; deadline rules),
        group (JSON text; aggregate rules), row (the record's position in its
        dataset, from 1), fingerprint, waiver (JSON text), baseline_state
        (new or persisting, after :func:`clausewise.complete` with a baseline).
        """
        return self.findings.to_pandas()

    def grades_df(self, dataset: str | None = None, breakdown: bool = False):
        """The computed values (scores, grades, priorities) as a pandas DataFrame.

        Without ``dataset``: columns dataset, key, row, name, value (text),
        one row per record and computed column. With ``dataset``: key, row and
        one column per computed column, in its type. ``breakdown`` adds how
        each value was reached, as JSON text. UsageError for a dataset with
        no computed values.
        """
        return self.grades.to_pandas(dataset, breakdown)

    def stats_df(self):
        """Per rule (and ``data-quality``): rule, clause, dataset, kind, severity, examined, violations, warnings, invalid."""
        return frames.stats_table(self.stats, self.policy, "pandas", "stats_df()")

    def write(self, fmt: str, target: str | os.PathLike | TextIO | None = None, fail_on: str = "high") -> str | None:
        """Write the report in format ``fmt`` — the CLI's ``--format``: table, json, jsonl, csv, sarif, junit, github, markdown, html.

        ``target`` is a file path (written as UTF-8, replaced whole; a
        symbolic link's file, the link kept; a pipe or device written into), a text
        stream, or None to get the report back as a string. ``fail_on`` is
        what the report counts as failing (as ``--fail-on``). UsageError for
        an unknown format.
        """
        if fmt not in WRITERS:
            raise UsageError(msg('unknown format "{fmt}"; choose one of {names}', fmt=fmt, names=", ".join(sorted(WRITERS))))
        if target is None:
            buffer = io.StringIO()
            stream(self, fmt, fail_on, buffer)
            return buffer.getvalue()
        if isinstance(target, (str, os.PathLike)):
            path, directly = report_path(Path(target))
            if directly:  # a pipe or a device
                with path.open("w", encoding="utf-8", newline="") as out:
                    stream(self, fmt, fail_on, out)
                return None
            part = path.with_name(f".{path.name}.part")
            try:
                with part.open("w", encoding="utf-8", newline="") as out:
                    stream(self, fmt, fail_on, out)
                os.replace(part, path)
            except BaseException:
                part.unlink(missing_ok=True)  # the previous file stays as it was
                raise
            return None
        stream(self, fmt, fail_on, target)
        return None


def audit(
    policy: Policy | str | os.PathLike,
    data: Any = None,
    as_of: datetime | date | str | None = None,
    lang: str = "en",
    rule_ids: tuple[str, ...] = (),
    progress: Progress | None = None,
    *,
    sources: Mapping[str, Any] | None = None,
    period: AuditPeriod | str | None = None,
    trust_export_sources: bool = False,
    memory_limit: str | None = None,
) -> Result:
    """Audit ``data`` against ``policy``; use the result in a ``with`` block (or ``close()`` it).

    ``policy``: a policy from :func:`clausewise.load`, or the path of a policy
    file (loaded now). ``data`` is one of:

    - an export folder (a path): one file per dataset, as for ``clausewise
      audit``, with the database sources its ``export.yaml`` names;
    - a mapping of dataset name → table: a pandas or Polars DataFrame, a
      pyarrow Table or RecordBatchReader, or a DuckDB relation. Each is copied
      into the run's own database and typed by the same rules as a file (a
      value that does not fit its field is an ``invalid`` finding; ``row`` is
      the record's position in the table, from 1);
    - a DuckDB connection: each dataset from the table or view named like its
      export file (``inquiries``), read on that connection;
    - None, when ``sources`` gives every dataset.

    ``sources`` maps dataset name → a database: a URL
    (``"postgresql://auditor@db/ops"``, ``"sqlite:///ops.db#inquiries"``) or
    ``{"url": …, "table": …}`` / ``{"url": …, "query": …}``; passwords come
    from the environment (``${PGPASSWORD}`` in the URL, or the driver's own
    variables), never written out. See docs/sources.md. A PostgreSQL server
    named by the export folder's own ``export.yaml`` is connected to only
    with ``trust_export_sources=True``: an export is untrusted input, and the
    connection would carry your credentials to the server it names.

    ``as_of`` is the moment deadlines are judged at: a naive datetime is
    wall-clock time in the policy's timezone; an aware one is an instant,
    converted to that timezone; a date means its midnight; a text is read
    like ``--as-of`` (ISO date or timestamp, or ``now``). Default: the
    export's ``export.yaml``, else the end of the audit period when it is given or
    stated, else the export's latest timestamp. ``period`` is the audit period:
    ``"2026-10"``, ``"2026-Q4"``, ``"2026"`` (or an AuditPeriod); default:
    ``period:`` in ``export.yaml``, else the month holding most timestamps. ``lang`` is ``en``
    or ``zh``; ``rule_ids`` runs only those rules; ``progress(stage, done,
    total)`` is told how loading and rules advance.

    ``memory_limit`` is how much memory the run's DuckDB database may use
    before it spills to the run's temporary folder: a size (``"4GB"``,
    ``"1500MB"``), a share of the machine's memory (``"50%"``), or ``"auto"``
    (a sixteenth of the machine's memory, at least 1 GiB); default: the
    ``CLAUSEWISE_MEMORY_LIMIT`` environment variable, else ``"auto"``
    (docs/cli.md, "Memory"). A run that needs more even so is a UsageError.

    Raises :class:`~clausewise.errors.ClauseWiseError` (what the CLI reports
    with exit code 2): PolicyError for a bad pack, DataError for data that
    cannot be read (a missing dataset or column, a database that cannot be
    reached, each naming the dataset and source), UsageError for a bad
    argument.
    """
    if not isinstance(policy, Policy):
        policy = load(policy, check=False)  # running the rules checks them (engine.load)
    when = _as_of(as_of, policy.timezone)
    export_dir, given = _data(data, policy)
    given.update(_database_sources(sources or {}, policy))
    if export_dir is None and not given:
        raise UsageError(msg("nothing to audit: give an export folder, a mapping of tables, a DuckDB connection or sources"))
    if isinstance(period, str):
        period = parse_period(period)
    result = engine_run.audit(policy, export_dir, when, lang, tuple(rule_ids), progress or _quiet, given, period,
                              trust_export_sources=trust_export_sources, memory_limit=memory_limit)
    return Result(**{f.name: getattr(result, f.name) for f in fields(result)})


def _quiet(stage: str, done: int, total: int) -> None:
    """Say nothing."""


def _data(data: Any, policy: Policy) -> tuple[Path | None, dict]:
    """(export folder or None, dataset → source) for what ``audit`` was given."""
    if data is None:
        return None, {}
    if isinstance(data, (str, os.PathLike)):
        return Path(data), {}
    if isinstance(data, Mapping):
        return None, source_specs.from_tables(data, policy)
    if type(data).__module__.split(".")[0] in ("duckdb", "_duckdb") and hasattr(data, "table"):
        return None, source_specs.from_duckdb(data, policy)
    raise UsageError(msg("cannot audit a {kind}: give an export folder, a mapping of dataset name to table, or a DuckDB connection", kind=type(data).__name__))


def _database_sources(sources: Mapping[str, Any], policy: Policy) -> dict:
    out = {}
    for name, spec in sources.items():
        if isinstance(spec, source_specs.Source):
            source = spec
        elif isinstance(spec, str):
            source = source_specs.parse_option(f"{name}={spec}", policy, said="sources")
        elif isinstance(spec, Mapping):
            source = source_specs.from_mapping(str(name), spec, policy)
        else:
            raise UsageError(msg('sources: "{name}" is a {kind}; give a URL or {{"url": …, "table": …}}', name=name, kind=type(spec).__name__))
        out[source.dataset] = source
    return out


def _as_of(value: datetime | date | str | None, timezone: str) -> datetime | None:
    """``as_of`` as a naive datetime in the policy's timezone (see :func:`audit`); UsageError when it is not one."""
    if value is None:
        return None
    written = value
    if isinstance(value, str):
        text = value.strip()
        if text == "now":
            return datetime.now(ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise UsageError(msg('as_of "{text}" is not a date or timestamp; write e.g. "2026-10-31 18:00"', text=text)) from None
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    elif not isinstance(value, datetime):
        raise UsageError(msg("as_of is a {kind}; give a datetime, a date or an ISO text", kind=type(value).__name__))
    value = wall_clock(value, timezone)
    if value is None:
        raise UsageError(msg('as_of "{written}" is outside the years 1900 to 2199 that clausewise judges', written=written))
    return value


__all__ = ["Result", "audit"]
