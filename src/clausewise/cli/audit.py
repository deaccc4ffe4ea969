"""``clausewise audit``: evaluate a policy over an export folder."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import click

from ..errors import UsageError
from ..i18n import N_, msg
from ..report import WRITERS, stream, write
from .help import Command
from .options import (
    HISTORY_FILE,
    as_of_option,
    fail_on_option,
    given_sources,
    history_option,
    lang_option,
    memory_option,
    parse_as_of,
    parse_period,
    period_option,
    policy_option,
    progress_display,
    quiet_option,
    source_files,
    source_option,
    trust_sources_option,
    waivers_option,
)
from .output import append, check_outputs, run_inputs, to_stdout, write_reports

# GitHub Actions names the job summary file in this variable; each step appends Markdown to it.
STEP_SUMMARY = "GITHUB_STEP_SUMMARY"


@click.command(cls=Command, help=N_(
        "Check the exports in EXPORT_DIR (and the datasets given with --source) against a policy.\n"
        "\n"
        "Exit code 0: no finding at or above --fail-on; 1: some; 2: bad usage, a bad\n"
        "rule file or unreadable data. Waived findings are reported but fail nothing."
))
@click.argument("export_dir", type=click.Path(file_okay=False), required=False)
@policy_option
@source_option
@trust_sources_option
@as_of_option
@period_option
@click.option("--format", "-f", "formats", type=click.Choice(sorted(WRITERS)), multiple=True,
              help=N_("Report format (default: table). Repeat, each with its --output, for several reports of one "
                      "audit."))
@click.option("--output", "-o", "outputs", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              multiple=True, help=N_("Write the report to this file instead of standard output (- is standard "
                                     "output). With several --format, one --output each, paired in order."))
@lang_option
@fail_on_option
@click.option("--rule", "rules", multiple=True, metavar="ID", help=N_("Run only this rule (repeat for more)."))
@waivers_option
@click.option("--record/--no-record", default=None,
              help=N_("Record this audit in the run history. Default: the policy's history: setting, else no."))
@history_option(beside_export=True)
@click.option("--baseline", metavar="last|RUN", default=None,
              help=N_("Compare with a recorded run: last (the latest judged before this one) or a run id."))
@click.option("--fail-on-new", is_flag=True,
              help=N_("Fail only on findings new since the baseline run (implies --baseline last)."))
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
              help=N_("Where the rules run: DuckDB in this process, or Apache Spark (pip install "
                      "'clausewise[spark]'; docs/scale.md)."))
@click.option("--spark-master", "spark_master", metavar="URL", default=None,
              help=N_("With --engine spark: the Spark master (local[*], spark://host:7077, yarn). Default: "
                      "local[*]."))
@click.option("--verbose", "-v", is_flag=True,
              help=N_("Table format: list every rule, not only those with findings or that examined no record."))
@click.option("--step-summary/--no-step-summary", "step_summary", default=True, envvar="CLAUSEWISE_STEP_SUMMARY",
              help=N_("When $GITHUB_STEP_SUMMARY is set (GitHub Actions), append the Markdown summary to that file. "
                      "--no-step-summary, or CLAUSEWISE_STEP_SUMMARY=0, leaves it alone."))
@memory_option
@quiet_option
@click.pass_context
def audit(ctx: click.Context, export_dir, policy_path, source_texts, trust_export_sources, as_of, period, formats,
          outputs, lang, fail_on, rules, waivers_path, record, history_path, baseline, fail_on_new, engine,
          spark_master, verbose, step_summary, memory_limit, quiet) -> None:
    from ..engine import audit as run_audit
    from ..engine import complete, load, load_waivers
    from ..history import default_path

    # Running the rules checks them as DuckDB's dry run would (load's docstring); Spark runs long: check first.
    policy = load(policy_path, check=engine == "spark")
    sources = given_sources(source_texts, policy)
    if export_dir is None and not sources:
        raise UsageError(msg("give EXPORT_DIR, or every dataset with --source"))
    waivers = load_waivers(waivers_path, policy) if waivers_path else ()
    record = _recording(record, policy, rules)
    wanted = record or baseline is not None or fail_on_new or history_path is not None
    beside = default_path(export_dir) if export_dir is not None else Path(HISTORY_FILE)
    history = Path(history_path) if history_path else beside if wanted else None
    inputs = run_inputs(policy, export_dir) + source_files(sources) + ([Path(waivers_path)] if waivers_path else [])
    _refuse_history(history, inputs)
    reports = _reports(formats, outputs)
    guarded = inputs + ([history] if history else [])
    check_outputs([output for _, output in reports], guarded)
    summary = _step_summary(step_summary, [output for _, output in reports], guarded)
    when = parse_as_of(as_of, policy.timezone)
    if engine == "spark":
        if memory_limit is not None:
            raise UsageError(msg("--memory-limit is for --engine duckdb; Spark's memory is set with "
                                 "CLAUSEWISE_SPARK_MEMORY (docs/scale.md)"))
        run_audit = _spark_audit(export_dir, sources, spark_master)
    elif spark_master is not None:
        raise UsageError(msg("--spark-master is for --engine spark"))
    else:
        run_audit = partial(run_audit, memory_limit=memory_limit)
    with run_audit(policy, export_dir, when, lang, tuple(rules), progress=progress_display(quiet),
                   sources=sources, period=parse_period(period),
                   trust_export_sources=trust_export_sources) as result:
        complete(result, waivers, history, record, baseline, fail_on_new)
        write_reports([(output, partial(stream, result, fmt, fail_on, verbose=verbose)) for fmt, output in reports],
                      inputs)
        if summary is not None:
            append(write(result, "markdown", fail_on), summary, f"${STEP_SUMMARY}", lang)
        code = result.exit_code(fail_on)
    ctx.exit(code)


def _spark_audit(export_dir, sources: dict, master: str | None):
    """The Spark engine's audit, called as the DuckDB one is; it reads export files only."""
    if sources or export_dir is None:
        raise UsageError(msg("the Spark engine reads export folders; --source is for --engine duckdb"))
    from ..engine.spark import DEFAULT_MASTER
    from ..engine.spark import audit as spark_audit

    def run_audit(policy, export_dir, as_of, lang, rule_ids, progress, sources, period, trust_export_sources):
        return spark_audit(policy, export_dir, as_of, lang, rule_ids, progress, master or DEFAULT_MASTER, period)

    return run_audit


def _reports(formats: tuple[str, ...], outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(format, output) of each report: --format and --output paired in order, the n-th with the n-th.

    One format without --output goes to standard output, and one --output
    without --format gets the table; past that, each format needs its output.
    """
    if len(formats) <= 1 and len(outputs) <= 1:
        return [(formats[0] if formats else "table", outputs[0] if outputs else None)]
    if len(formats) != len(outputs):
        raise UsageError(msg("{n} --format but {n2} --output: give each report a --format and an --output, in pairs "
                             "(--output - for standard output)",
                             n=len(formats), n2=len(outputs)))
    return list(zip(formats, outputs))


def _step_summary(enabled: bool, outputs: list[str | None], inputs: list[Path]) -> Path | None:
    """The job summary file to append the Markdown summary to, or None.

    None when the option is off, the variable unset or empty, or a report of
    this audit already goes to that file (``--output $GITHUB_STEP_SUMMARY``).
    """
    name = os.environ.get(STEP_SUMMARY, "")
    if not enabled or not name:
        return None
    target = Path(name).resolve()
    if any(not to_stdout(o) and Path(o).resolve() == target for o in outputs):
        return None
    if any(p.resolve() == target for p in inputs):
        raise UsageError(msg("${step_summary} {name} is an input of this run; the summary is not appended to it",
                             step_summary=STEP_SUMMARY, name=name))
    return Path(name)


def _recording(record: bool | None, policy, rules) -> bool:
    """--record, else the policy's ``history: {record: true}``; an audit of some rules only is never recorded."""
    if rules and record:
        raise UsageError(msg("--record records whole audits; leave out --rule"))
    return bool(policy.record_history if record is None else record) and not rules


def _refuse_history(history: Path | None, inputs: list[Path]) -> None:
    if history is not None and any(history.resolve() == p.resolve() for p in inputs):
        raise UsageError(msg("--history {history} is an input of this run; keep the history somewhere else", history=history))
