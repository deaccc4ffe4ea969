"""An audit on Apache Spark: the compiled pack's SQL, transpiled, over an export Spark reads.

The pack is compiled and checked where it always is (``clausewise.load``, on
DuckDB); then every statement the DuckDB run would execute — typing each
dataset, its computed columns, the business calendar's rules, each rule's
findings — is executed on Spark instead, through :class:`.connection.SparkConnection`,
which transpiles it (``dialect.py``). Before any file is read, every rule is
transpiled once, so a rule Spark cannot run is an error at load time.

The findings come back to DuckDB in one Arrow transfer, into the same
findings table a DuckDB run fills, so that sorting, fingerprints, waivers,
the run history and every report work as they do after a DuckDB run. The
per-rule counts are computed on Spark. Computed values (grades) and the
scorecard's groups are copied to DuckDB only when a report reads them, and
the Spark session is let go of when the result is closed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ... import __version__
from ...errors import ClauseWiseError, Collector, PolicyError, UsageError
from ...i18n import msg
from ...model import AuditPeriod, Policy, RunResult
from .. import asof as audit_time
from .. import collect, connection, runvars
from .. import sources as source_specs
from ..derive import failure_location
from ..exports import column_warnings, convert_export, scratch_dir
from ..plan import FINDINGS_DDL, FINDINGS_TABLE, CompiledRule, not_evaluated_warning
from ..program import Program, with_calendar
from ..run import program_of
from . import calendar as spark_calendar
from . import readers, session
from .connection import FINDINGS_COLUMNS, SparkConnection
from .connection import said as _said
from .dialect import Unsupported, to_spark
from .mirror import Mirrored

Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    """Say nothing."""


def audit(policy: Policy, export_dir: str | Path, as_of: datetime | None = None, lang: str = "en",
          rule_ids: tuple[str, ...] = (), progress: Progress = _quiet,
          master: str = session.DEFAULT_MASTER, period: AuditPeriod | None = None) -> RunResult:
    """Evaluate ``policy`` over the export in ``export_dir`` on Spark (``master``: ``local[*]``, ``spark://…``, ``yarn``).

    The same findings, counts and grades as :func:`clausewise.engine.run.audit`
    on DuckDB; ``as_of`` and ``period`` are chosen as there (``asof.py``).
    Raises PolicyError for a rule Spark cannot run (before any file
    is read), UsageError when pyspark or Java is missing or Spark cannot start,
    DataError for an export that cannot be read. Use the result in a ``with``
    block, or ``close()`` it: it holds the Spark session until then.
    """
    program = program_of(policy)
    compiled = program.selected(policy, rule_ids)
    export_dir = Path(export_dir)
    _refuse_sources(policy, export_dir)
    check(policy, program, compiled, lang)
    spark = session.start(master, policy.timezone)
    sc, scratch = SparkConnection(spark), scratch_dir()
    con = connection.connect(policy.timezone, Path(scratch.name))
    sc.local = con

    def close() -> None:
        con.close()
        sc.close()
        scratch.cleanup()

    try:
        result = _audit(sc, con, policy, program, compiled, export_dir, as_of, period, lang, progress,
                        Path(scratch.name))
    except BaseException:
        close()
        raise
    result.findings._closer = close
    return result


def _audit(sc: SparkConnection, con, policy: Policy, program: Program, compiled: list[CompiledRule],
           export_dir: Path, as_of: datetime | None, period: AuditPeriod | None, lang: str, progress: Progress,
           scratch: Path) -> RunResult:
    progress("loading", 0, 1)
    raw = readers.read_export(sc, policy, export_dir, scratch)
    loaded = convert_export(sc, policy, raw, lang)
    progress("loading", 1, 1)
    manifest = audit_time.read_manifest(export_dir, policy.timezone)
    counts = audit_time.month_counts(sc, [d for d in policy.datasets.values() if d.exported])
    inferred = None if period or manifest.period else audit_time.inferred_from(counts)
    period, as_of, source = audit_time.choose(as_of, period, manifest, inferred, loaded.latest, policy.timezone)
    period = period or audit_time.month_of(as_of)
    values = {runvars.AS_OF: as_of, runvars.PERIOD_START: period.start, runvars.PERIOD_END: period.end}
    sc.values.update(values)
    warnings = audit_time.run_warnings(counts, period, as_of, loaded.latest, source,
                                       any(item.period_unit for item in compiled), lang)
    _derive(sc, policy, program)
    first = min(filter(None, [loaded.earliest, as_of]))
    last = max(filter(None, [loaded.latest, as_of]))
    compiled = with_calendar(sc, policy, program, compiled, first, last, register=spark_calendar.register)
    for done, item in enumerate(compiled):
        progress(f"rule {item.rule.id}", done, len(compiled))
        _prepare(sc, item, lang)
    counts = collect.record_counts(sc, compiled)
    not_evaluated = _not_evaluated(sc, counts, compiled, lang)
    warnings += tuple(filter(None, [not_evaluated_warning([c.rule.id for c in compiled if c.rule.id in not_evaluated],
                                                          lang)]))
    warnings += column_warnings(loaded.files, lang)
    progress("rules", len(compiled), len(compiled))
    _bring_back(sc, con, policy, compiled, lang)
    connection.lock(con)
    runvars.set_values(con, values)
    mirrored = Mirrored(con, sc, _mirrored_datasets(policy, compiled))
    findings = collect.findings(con, policy, compiled, outbox=scratch / connection.OUTBOX)
    return RunResult(
        policy=policy,
        as_of=as_of,
        as_of_source=source,
        lang=lang,
        findings=findings,
        stats=collect.rule_stats(con, policy, compiled, loaded.files, counts, period, as_of, not_evaluated),
        data_files=loaded.files,
        export_dir=str(export_dir),
        engine_version=__version__,
        rules_run=tuple(c.rule.id for c in compiled),
        period=period,
        warnings=warnings,
        grades=collect.grades(mirrored, policy, program.derive.breakdowns, program.derive.reason_sql(lang)),
        group_counts=collect.group_counts(mirrored, policy, compiled, datasets=sc),
    )


def _not_evaluated(sc: SparkConnection, counts: dict[str, tuple[int, int]], compiled: list[CompiledRule],
                   lang: str) -> frozenset[str]:
    """A finding for each rule that could judge no record in its scope, a value it needs being unreadable; their ids.

    As on DuckDB (``plan.CompiledRule.not_evaluated_sql``): the rules that may be such are found with two counts
    per rule, one pass per table (``collect.not_evaluated_candidates``); their findings are made a few at a time.
    """
    from concurrent.futures import ThreadPoolExecutor

    items = collect.not_evaluated_candidates(counts, compiled)
    with ThreadPoolExecutor(max_workers=FETCHING) as pool:
        found = list(pool.map(lambda item: sc.execute(item.not_evaluated_sql(lang)).fetchall(), items))
    return frozenset(rule for rows in found for (rule,) in rows)


def check(policy: Policy, program: Program, compiled: list[CompiledRule], lang: str) -> None:
    """Transpile every statement of the run to Spark SQL; what cannot be is a load error at its rule."""
    errors = Collector()
    values = runvars.placeholders()
    for statement in program.derive.statements(policy.datasets):
        try:
            to_spark(statement, values)
        except Unsupported as exc:
            errors.add(PolicyError(msg("computed columns cannot run on Spark: {said}", said=exc),
                                   failure_location(policy, str(exc))))
    for item in compiled:
        try:
            to_spark(item.select_sql(lang), values)
        except Unsupported as exc:
            errors.add(PolicyError(msg('rule "{rule}" cannot run on Spark: {said}', rule=item.rule.id, said=exc),
                                   item.rule.location))
    errors.raise_if_any()


def _refuse_sources(policy: Policy, export_dir: Path) -> None:
    """The Spark engine reads export files; datasets from databases are DuckDB's (docs/scale.md)."""
    named = source_specs.from_manifest(export_dir, policy) if export_dir.is_dir() else {}
    if named:
        raise UsageError(msg('dataset "{name}" comes from a database (export.yaml sources:); the Spark engine '
                             "reads export files only: use --engine duckdb", name=next(iter(named))))


def _derive(sc: SparkConnection, policy: Policy, program: Program) -> None:
    for statement in program.derive.statements(policy.datasets):
        try:
            sc.execute(statement)
        except ClauseWiseError:
            raise
        except Exception as exc:
            said = _said(exc)
            raise PolicyError(msg("computed columns cannot run on Spark: {said}", said=said),
                              failure_location(policy, said)) from None


def _prepare(sc: SparkConnection, item: CompiledRule, lang: str) -> None:
    """The rule's findings as a DataFrame (Spark checks the statement now; it runs with the others)."""
    try:
        sc.execute(item.insert_sql(lang))
    except ClauseWiseError:
        raise
    except Exception as exc:
        raise PolicyError(msg('rule "{rule}" cannot run on Spark: {said}', rule=item.rule.id, said=_said(exc)),
                          item.rule.location) from None


def _bring_back(sc: SparkConnection, con, policy: Policy, compiled: list[CompiledRule], lang: str) -> None:
    """Every finding Spark made, into DuckDB's findings table, as Arrow.

    Each statement's findings are fetched on their own, a few at a time
    (Spark runs the jobs side by side): one union of a hundred rules' plans
    takes Spark's optimiser longer than all the rules take to run. When Spark
    fails while computing them (a deadline outside the business calendar, an
    overflow), the rules are run one by one to name the rule.
    """
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa

    con.execute(FINDINGS_DDL)
    if not sc.found:
        return
    casts = [f"CAST({c} AS {t}) AS {c}" for c, t in _FINDINGS_TYPES.items()]
    try:
        with ThreadPoolExecutor(max_workers=FETCHING) as pool:
            tables = list(pool.map(lambda frame: frame.selectExpr(*casts).toArrow(), sc.found))
    except Exception as exc:
        raise _failed_rule(sc, compiled, lang, exc) from None
    # Spark marks a column NOT NULL where a statement cannot make a NULL; the findings table's columns allow NULLs.
    schema = pa.schema([field.with_nullable(True) for field in tables[0].schema])
    table = pa.concat_tables([t.cast(schema) for t in tables])  # noqa: F841 (DuckDB reads it by name, below)
    con.register("__spark_findings", table)
    con.execute(f"INSERT INTO {FINDINGS_TABLE} SELECT {', '.join(FINDINGS_COLUMNS)} FROM __spark_findings")
    con.unregister("__spark_findings")


# Statements whose findings are fetched at once: enough to keep the cores busy between small jobs.
FETCHING = 4
_FINDINGS_TYPES = {"rule": "STRING", "row": "BIGINT", "key": "STRING", "grp": "STRING", "status": "STRING",
                   "evidence": "STRING", "due_at": "TIMESTAMP_NTZ", "message": "STRING"}


def _failed_rule(sc: SparkConnection, compiled: list[CompiledRule], lang: str, exc: Exception) -> ClauseWiseError:
    """The error of the first rule that fails on its own (or of the run, when none does)."""
    for item in compiled:
        try:
            sc.sql(item.select_sql(lang)).write.format("noop").mode("overwrite").save()
        except Exception as own:
            return PolicyError(msg('rule "{id}" failed on this export: {said}', id=item.rule.id, said=_said(own)),
                               item.rule.location)
    return PolicyError(msg("the audit failed on Spark: {said}", said=_said(exc)))


def _mirrored_datasets(policy: Policy, compiled: list[CompiledRule]) -> list[str]:
    """Datasets whose records a report may read after the run: those with computed values or scorecard groups."""
    names = [d.name for d in policy.datasets.values() if d.derived_fields()]
    card = policy.scorecard
    if card is not None and card.group_by:
        names += [dataset for fields in card.group_by.values() for dataset in fields]
    ran = {c.rule.dataset for c in compiled} | {d.name for d in policy.datasets.values() if d.derived_fields()}
    return [n for n in dict.fromkeys(names) if n in ran and n in policy.datasets]


__all__ = ["audit", "check"]
