"""Run a compiled pack over an export on an in-process DuckDB.

The order is what keeps a run safe: the export's files are read into raw
tables first (by fixed SQL, with no text from the policy); then the
connection is locked — no file or network access, no extensions,
configuration frozen — and only then does anything the policy wrote run:
typing, computed columns, the business calendar, the rules. What is read
back afterwards lives in ``collect``; the as-of time in ``asof``.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import accumulate
from pathlib import Path
from typing import Any

import duckdb

from .. import __version__
from ..errors import ClauseWiseError, Collector, Location, PolicyError
from ..i18n import msg
from ..model import AuditPeriod, Field, Policy, RunResult
from ..policy import read_policy
from . import asof as audit_time
from . import collect, connection, given, runvars
from . import sources as source_specs
from .derive import failure_location
from .exports import LoadedExport, column_warnings, convert_export, read_export, scratch_dir
from .kinds import KINDS
from .parallel import WORKERS, side_by_side
from .plan import FINDINGS_DDL, FINDINGS_TABLE, CompiledRule, not_evaluated_warning
from .program import Program, compile_program, with_calendar
from .sources import Source
from .sqltext import ident


def load(path: str | Path, check: bool = True) -> Policy:
    """Load a policy and its rule files, compile them once and check everything that needs no data.

    Schema, names, conditions and the SQL each rule compiles to are all
    checked; every problem in the pack is raised together as an ErrorList.
    The returned policy carries its compiled program, which every audit reuses.

    ``check`` false leaves out the last of the checks, DuckDB's dry run of
    every rule against empty tables (``program.Checker``): a command that
    audits at once needs no dry run, as running a rule checks it the same
    way, and what DuckDB refuses is then raised by the run, at the rule and
    in the same words, every such rule together.
    """
    errors = Collector()
    policy = read_policy(path, KINDS, errors)
    try:
        program = compile_program(policy, errors, check=check and not errors)
    except Exception:
        # A pack with reported problems may trip the compiler on what those
        # problems left behind; the problems themselves are what to show.
        if errors:
            errors.raise_if_any()
        raise
    errors.raise_if_any()
    return replace(policy, program=program)


def program_of(policy: Policy) -> Program:
    """The policy's compiled program (compiled now for a policy that did not come from :func:`load`)."""
    if policy.program is not None:
        return policy.program
    errors = Collector()
    program = compile_program(policy, errors)
    errors.raise_if_any()
    return program


def validate(policy: Policy) -> list[CompiledRule]:
    """The compiled rules of a loaded policy (loading has checked them)."""
    return list(program_of(policy).rules)


@dataclass
class Session:
    """An export loaded, computed columns built and rules run, on a locked connection.

    It owns the connection and the run's scratch folder; :meth:`close` lets go of both.
    """

    con: duckdb.DuckDBPyConnection
    policy: Policy
    compiled: list[CompiledRule]
    loaded: LoadedExport
    as_of: datetime
    as_of_source: str
    export_dir: Path | None
    breakdowns: dict[str, dict[str, str]]
    scratch: tempfile.TemporaryDirectory
    reasons: dict[str, dict[str, str]] = field(default_factory=dict)  # dataset → column → reason SQL in the run's language
    period: AuditPeriod | None = None
    warnings: tuple[str, ...] = ()
    not_evaluated: frozenset[str] = frozenset()  # rules that could judge no record, their inputs unreadable
    counts: dict[str, tuple[int, int]] | None = None  # rule id → (examined, unjudged), when counted (strict runs)

    def record_counts(self) -> dict[str, tuple[int, int]]:
        """Per rule id: (records examined, records unjudged), counted once (``collect.record_counts``)."""
        if self.counts is None:
            self.counts = _record_counts(self.con, self.policy, self.compiled)
        return self.counts

    def close(self) -> None:
        self.con.close()
        self.scratch.cleanup()


Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    """The default progress callback: say nothing."""


def run(
    policy: Policy,
    export_dir: str | Path | None,
    as_of: datetime | None,
    lang: str,
    rule_ids: tuple[str, ...] = (),
    progress: Progress = _quiet,
    sources: Mapping[str, Source] | None = None,
    period: AuditPeriod | None = None,
    strict: bool = True,
    *,
    trust_export_sources: bool = False,
    memory_limit: str | None = None,
) -> Session:
    """Run the rules over an export; the caller closes the returned session.

    ``as_of`` (naive, the policy's wall-clock time) and ``period`` are the
    moment and the months the audit judges; when not given they are chosen
    as ``asof.py`` says (export.yaml, then the export's own timestamps).

    ``sources`` gives datasets that are not files of ``export_dir`` (tables
    in memory, database tables or queries; see ``sources.py``); they take
    the place of the export folder's files and of the database sources its
    ``export.yaml`` names (its PostgreSQL servers only with
    ``trust_export_sources``). With no ``export_dir`` every dataset comes from
    ``sources``. ``progress(stage, done, total)`` is called as loading and
    rules advance, so a front end can show progress; the engine itself
    prints nothing.

    ``strict`` (the default) holds the run as a whole to account: a column
    whose values mostly fail to convert fails it (a DataError naming the
    file, the column and the fix; ``unreadable.py``), and a rule that could
    judge none of the records in its scope, each having an unreadable value
    it needs, is reported as not evaluated (an ``invalid`` finding at the
    rule's severity; ``plan.CompiledRule.not_evaluated_sql``). Rule cases
    (``clausewise.testing``), whose few records test one value at a time,
    run without.

    ``memory_limit`` bounds DuckDB's memory (``4GB``, ``50%``, ``auto``; None:
    ``CLAUSEWISE_MEMORY_LIMIT``, else ``auto``; ``connection.memory_limit``);
    what does not fit spills into the run's scratch folder. A run that needs
    more than the limit even so is a UsageError saying how to raise it.
    """
    program = program_of(policy)
    compiled = program.selected(policy, rule_ids)
    export_dir = Path(export_dir) if export_dir is not None else None
    given_sources = _sources(policy, export_dir, sources, trust_export_sources)
    scratch = scratch_dir()
    try:
        con = connection.connect(policy.timezone, Path(scratch.name), memory=memory_limit)
    except BaseException:
        scratch.cleanup()
        raise
    try:
        progress("loading", 0, 1)
        raw = read_export(con, policy, export_dir, Path(scratch.name), given_sources)
        connection.lock(con)
        con.execute(FINDINGS_DDL)
        loaded = convert_export(con, policy, raw, lang, whole_columns=strict)
        loaded.files = given.describe(loaded.files, raw, given_sources)
        progress("loading", 1, 1)
        manifest = (audit_time.read_manifest(export_dir, policy.timezone) if export_dir is not None
                    else audit_time.Manifest())
        counts = audit_time.month_counts(con, [d for d in policy.datasets.values() if d.exported])
        inferred = None if period or manifest.period else audit_time.inferred_from(counts)
        period, as_of, source = audit_time.choose(as_of, period, manifest, inferred, loaded.latest, policy.timezone)
        period = period or audit_time.month_of(as_of)
        runvars.set_values(con, {runvars.AS_OF: as_of, runvars.PERIOD_START: period.start,
                                 runvars.PERIOD_END: period.end})
        warnings = audit_time.run_warnings(counts, period, as_of, loaded.latest, source,
                                           any(item.period_unit for item in compiled), lang)
        _derive(con, policy, program)
        first = min(filter(None, [loaded.earliest, as_of]))
        last = max(filter(None, [loaded.latest, as_of]))
        compiled = with_calendar(con, policy, program, compiled, first, last)
        _execute_all(con, policy, compiled, lang, progress, {f.dataset: f.rows for f in loaded.files})
        counts = _record_counts(con, policy, compiled) if strict else None
        not_evaluated = _not_evaluated(con, counts, compiled, lang) if strict else frozenset()
        warnings += tuple(filter(None, [not_evaluated_warning([c.rule.id for c in compiled
                                                               if c.rule.id in not_evaluated], lang)]))
        warnings += column_warnings(loaded.files, lang)
        progress("rules", len(compiled), len(compiled))
    except BaseException as exc:
        con.close()
        scratch.cleanup()
        if isinstance(exc, duckdb.OutOfMemoryException):
            raise connection.out_of_memory(exc) from None
        raise
    return Session(con, policy, compiled, loaded, as_of, source, export_dir, program.derive.breakdowns, scratch,
                   program.derive.reason_sql(lang), period, warnings, not_evaluated, counts)


def _sources(policy: Policy, export_dir: Path | None, explicit: Mapping[str, Source] | None,
             trust_servers: bool) -> dict[str, Source]:
    """The export manifest's database sources, overridden by those given explicitly."""
    if export_dir is None or not export_dir.is_dir():
        return dict(explicit or {})
    named = source_specs.from_manifest(export_dir, policy, trust_servers, frozenset(explicit or {}))
    return {**named, **(explicit or {})}


@contextmanager
def session(policy: Policy, export_dir: str | Path | None, as_of: datetime | None, lang: str,
            rule_ids: tuple[str, ...] = (), progress: Progress = _quiet,
            sources: Mapping[str, Source] | None = None, period: AuditPeriod | None = None,
            strict: bool = True, *, trust_export_sources: bool = False,
            memory_limit: str | None = None) -> Iterator[Session]:
    """:func:`run` as a context: the session is closed when the block ends."""
    s = run(policy, export_dir, as_of, lang, rule_ids, progress, sources, period, strict,
            trust_export_sources=trust_export_sources, memory_limit=memory_limit)
    try:
        yield s
    finally:
        s.close()


def audit(
    policy: Policy,
    export_dir: str | Path | None,
    as_of: datetime | None = None,
    lang: str = "en",
    rule_ids: tuple[str, ...] = (),
    progress: Progress = _quiet,
    sources: Mapping[str, Source] | None = None,
    period: AuditPeriod | None = None,
    strict: bool = True,
    *,
    trust_export_sources: bool = False,
    memory_limit: str | None = None,
) -> RunResult:
    """Evaluate ``policy`` over the export in ``export_dir`` (``sources``, ``strict``, ``memory_limit``: see :func:`run`); see docs/cli.md, "Findings".

    The result holds the run's database, where its findings and grades stay
    until read: use it in a ``with`` block, or call ``close()`` when done.
    """
    s = run(policy, export_dir, as_of, lang, rule_ids, progress, sources, period, strict,
            trust_export_sources=trust_export_sources, memory_limit=memory_limit)
    try:
        findings = collect.findings(s.con, policy, s.compiled, closer=s.close,
                                    outbox=Path(s.scratch.name) / connection.OUTBOX)
        return RunResult(
            policy=policy,
            as_of=s.as_of,
            as_of_source=s.as_of_source,
            lang=lang,
            findings=findings,
            stats=collect.rule_stats(s.con, policy, s.compiled, s.loaded.files, s.record_counts(), s.period, s.as_of,
                                     s.not_evaluated),
            data_files=s.loaded.files,
            export_dir=str(s.export_dir) if s.export_dir is not None else "",
            engine_version=__version__,
            rules_run=tuple(c.rule.id for c in s.compiled),
            period=s.period,
            warnings=s.warnings,
            grades=collect.grades(s.con, policy, s.breakdowns, s.reasons),
            group_counts=collect.group_counts(s.con, policy, s.compiled),
        )
    except BaseException as exc:
        s.close()
        if isinstance(exc, duckdb.OutOfMemoryException):
            raise connection.out_of_memory(exc) from None
        raise


def _derive(con, policy: Policy, program: Program) -> None:
    """Add the computed columns and datasets of the datasets this run loaded, and work each out once.

    A computed column of an exported dataset is a view's expression, worked
    out when something reads it: one that fails on this export's values (a
    cast, a division, a guard) would otherwise fail whichever rule or report
    read it first, or nothing at all when none does. Each is worked out here,
    one pass per dataset, and a failure is an error at the column, whatever
    the rules and the report read.
    """
    for statement in program.derive.statements(policy.datasets):
        try:
            con.execute(statement)
        except connection.NO_FAULT:
            raise
        except duckdb.Error as exc:
            raise _computed_failure(policy, exc) from None
    for dataset in (d for d in policy.datasets.values() if d.exported and d.derived_fields()):
        table = ident(dataset.name)
        _at_once_else_each(
            dataset.derived_fields(),
            lambda fields, table=table: con.execute(
                f"SELECT {', '.join(f'count({ident(f.name)})' for f in fields)} FROM {table}"),
            lambda f, exc: _computed_failure(policy, exc, f))


def _at_once_else_each(items: list, attempt: Callable[[list], Any],
                       failure: Callable[[Any, duckdb.Error], PolicyError]) -> list:
    """``[attempt(items)]`` when DuckDB takes them in one statement; else ``attempt([item])`` for each, to say which.

    Returns the answers; every item DuckDB refuses is ``failure(item, exc)``,
    raised together once all are tried. Running out of memory and an
    interrupt (Ctrl-C) are raised at once (``connection.NO_FAULT``: no item's fault).
    """
    try:
        return [attempt(items)]
    except connection.NO_FAULT:
        raise
    except duckdb.Error:
        pass
    answers, errors = [], Collector()
    for item in items:
        try:
            answers.append(attempt([item]))
        except connection.NO_FAULT:
            raise
        except duckdb.Error as exc:
            errors.add(failure(item, exc))
    errors.raise_if_any()
    return answers


def _computed_failure(policy: Policy, exc: duckdb.Error, column: Field | None = None) -> PolicyError:
    """A computed column that failed on the export's values, at its declaration.

    A guard names its column in its message (``computed column "score": …``);
    DuckDB's own errors (a cast) do not, and are told with ``column``'s name
    when it is known, else at the policy file.
    """
    said = _said(exc)
    if column is None or said.startswith("computed column "):
        return PolicyError(msg("computed columns failed on this export: {said}", said=said),
                           failure_location(policy, said))
    return PolicyError(msg('computed column "{name}" failed on this export: {said}', name=column.name, said=said),
                       column.location or Location(policy.path))


# Rules sent to DuckDB in one statement, at most. On a small export a statement's fixed costs (parsing,
# binding, a transaction) are much of a rule's time, and a larger statement plans more slowly again: the
# ops-support sample's 127 rules took 0.90 s one per statement, 0.68 s eight per statement, 1.35 s all in one
# (one after another). A pack of few rules is cut into at least two statements per worker, so that the
# workers share the rules evenly.
RULES_PER_STATEMENT = 8
# A rule whose dataset has at least this many records (DuckDB's row group) runs in a statement of its own:
# there its fixed costs are nothing, and the rules of one statement run at once, each holding its memory
# (eight working-time deadlines over 1,000,000 records needed 1 GB together, 400 MB one by one).
SMALL_RECORDS = 122_880


def _execute_all(con, policy: Policy, compiled: list[CompiledRule], lang: str, progress: Progress,
                 records: Mapping[str, int]) -> None:
    """Run every rule, inserting its findings: up to eight rules of small datasets a statement, two
    statements at a time (``parallel.side_by_side``).

    ``records`` is the number of records per dataset (a dataset not in it,
    a computed one, counts as large). A statement DuckDB refuses is run again
    rule by rule, to say which rule failed (the others' findings are then
    inserted one by one). Every rule that fails is raised together, in the
    pack's order (an ErrorList of PolicyErrors at the rules), once all have
    run; running out of memory or an interrupt is raised at once.
    """
    batches = _statements(compiled, records)

    def one(cursor, batch: list[CompiledRule]) -> ClauseWiseError | None:
        try:
            _at_once_else_each(batch, lambda items: cursor.execute(_insert_sql(items, lang)),
                               lambda item, exc: _failure(policy, item, exc))
        except ClauseWiseError as exc:
            return exc
        return None

    done = [0, *accumulate(len(batch) for batch in batches)]  # rules before each statement
    failed = side_by_side(con, batches, one,
                          lambda n, batch: progress(f"rule {batch[0].rule.id}", done[n], len(compiled)))
    errors = Collector()
    for exc in filter(None, failed):
        errors.add(exc)
    errors.raise_if_any()


def _statements(compiled: list[CompiledRule], records: Mapping[str, int]) -> list[list[CompiledRule]]:
    """The rules cut into statements, in the pack's order: a rule that reads a large dataset alone (its own
    or, for a ``reference``, its target), consecutive rules of small ones together, up to
    :data:`RULES_PER_STATEMENT` (fewer in a small pack)."""
    size = max(1, min(RULES_PER_STATEMENT, -(-len(compiled) // (2 * WORKERS))))
    out: list[list[CompiledRule]] = []
    joining: list[CompiledRule] | None = None  # the statement small rules are added to
    for item in compiled:
        read = (item.rule.dataset, *KINDS[item.rule.kind].reads(item.rule.spec))
        if max(records.get(name, SMALL_RECORDS) for name in read) >= SMALL_RECORDS:
            out.append([item])
            joining = None
        elif joining is not None and len(joining) < size:
            joining.append(item)
        else:
            joining = [item]
            out.append(joining)
    return out


def _insert_sql(items: list[CompiledRule], lang: str) -> str:
    """One ``INSERT`` of the findings of ``items``. Every kind's rows have the findings table's column types
    (or an untyped NULL), so the union converts nothing (tests/engine/test_rule_batches.py)."""
    if len(items) == 1:
        return items[0].insert_sql(lang)
    return f"INSERT INTO {FINDINGS_TABLE} " + " UNION ALL ".join(f"({item.select_sql(lang)})" for item in items)


def _failure(policy: Policy, item: CompiledRule, exc: duckdb.Error) -> PolicyError:
    """A rule's statement that DuckDB refused or that failed on the data, as an error at the rule.

    What DuckDB cannot bind (a name or type it does not know) is a fault of
    the pack, told as the load's check tells it; what fails on the values
    (a cast, a division) is told as a failure on this export; a computed
    column's guard (``computed column "…": …``) at the column.
    """
    said = _said(exc)
    if said.startswith("computed column "):  # computed columns are views, evaluated as rules read them
        return PolicyError(msg("computed columns failed on this export: {said}",
                               said=said), failure_location(policy, said))
    if isinstance(exc, (duckdb.BinderException, duckdb.CatalogException, duckdb.ParserException)):
        return PolicyError(msg('rule "{id}": DuckDB cannot run it: {message}', id=item.rule.id, message=said),
                           item.rule.location)
    return PolicyError(msg('rule "{id}" failed on this export: {said}', id=item.rule.id, said=said),
                       item.rule.location)


def _record_counts(con, policy: Policy, compiled: list[CompiledRule]) -> dict[str, tuple[int, int]]:
    """``collect.record_counts``; when DuckDB refuses the counts, rule by rule to say which, all together."""
    counts: dict[str, tuple[int, int]] = {}
    for counted in _at_once_else_each(compiled, lambda items: collect.record_counts(con, items),
                                      lambda item, exc: _failure(policy, item, exc)):
        counts.update(counted)
    return counts


def _not_evaluated(con, counts: dict[str, tuple[int, int]], compiled: list[CompiledRule],
                   lang: str) -> frozenset[str]:
    """A finding for each rule that could judge no record in its scope, a value it needs being unreadable; their ids.

    The rules that may be such are found from the run's two counts per rule
    (``collect.not_evaluated_candidates``); their findings are made in one statement.
    """
    selects = [f"({item.not_evaluated_select(lang)})" for item in collect.not_evaluated_candidates(counts, compiled)]
    if not selects:
        return frozenset()
    inserted = con.execute(f"INSERT INTO {FINDINGS_TABLE} {' UNION ALL '.join(selects)} RETURNING rule").fetchall()
    return frozenset(rule for (rule,) in inserted)


# DuckDB's words for a whole-number division by zero, whose advice (TRY, SET) a rule cannot follow.
_DIVISION = re.compile(r"^Division by zero in expression (.*?)\. Use TRY\(")


def _said(exc: duckdb.Error) -> str:
    """DuckDB's message, first line, without its "Invalid Input Error:"-style prefix; a division by zero told
    with the advice a rule can follow (``nullif``, which the conditions allow)."""
    first = str(exc).strip().splitlines()[0]
    said = first.split(" Error: ", 1)[1] if " Error: " in first else first
    division = _DIVISION.match(said)
    if division:
        return msg("division by zero in {expression}; divide by nullif(divisor, 0) to leave the result empty "
                   "where the divisor is 0", expression=division.group(1))
    return said
