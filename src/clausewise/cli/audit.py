"""``clausewise audit``: evaluate a policy over an export folder."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from ..report import WRITERS, stream
from .options import (
    HISTORY_FILE,
    as_of_option,
    fail_on_option,
    given_sources,
    history_option,
    lang_option,
    output_option,
    parse_as_of,
    parse_period,
    period_option,
    policy_option,
    progress_display,
    quiet_option,
    source_files,
    source_option,
    waivers_option,
)
from .output import check_output, opened, run_inputs


@click.command()
@click.argument("export_dir", type=click.Path(file_okay=False), required=False)
@policy_option
@source_option
@as_of_option
@period_option
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(WRITERS)), default="table", show_default=True,
              help="Report format.")
@output_option
@lang_option
@fail_on_option
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Run only this rule (repeat for more).")
@waivers_option
@click.option("--record/--no-record", default=None,
              help="Record this audit in the run history. Default: the policy's history: setting, else no.")
@history_option(beside_export=True)
@click.option("--baseline", metavar="last|RUN", default=None,
              help="Compare with a recorded run: last (the latest judged before this one) or a run id.")
@click.option("--fail-on-new", is_flag=True,
              help="Fail only on findings new since the baseline run (implies --baseline last).")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True,
              help="Where the rules run: DuckDB in this process, or Apache Spark (pip install 'clausewise[spark]'; "
                   "docs/scale.md).")
@click.option("--spark-master", "spark_master", metavar="URL", default=None,
              help="With --engine spark: the Spark master (local[*], spark://host:7077, yarn). Default: local[*].")
@click.option("--verbose", "-v", is_flag=True,
              help="Table format: list every rule, not only those with findings or that examined no record.")
@quiet_option
@click.pass_context
def audit(ctx: click.Context, export_dir, policy_path, source_texts, as_of, period, fmt, output, lang, fail_on, rules,
          waivers_path, record, history_path, baseline, fail_on_new, engine, spark_master, verbose, quiet) -> None:
    """Check the exports in EXPORT_DIR (and the datasets given with --source) against a policy.

    Exit code 0: no finding at or above --fail-on; 1: some; 2: bad usage, a bad
    rule file or unreadable data. Waived findings are reported but fail nothing.
    """
    from ..engine import audit as run_audit
    from ..engine import complete, load, load_waivers
    from ..history import default_path

    policy = load(policy_path)
    sources = given_sources(source_texts, policy)
    if export_dir is None and not sources:
        raise UsageError("give EXPORT_DIR, or every dataset with --source")
    waivers = load_waivers(waivers_path, policy) if waivers_path else ()
    record = _recording(record, policy, rules)
    wanted = record or baseline is not None or fail_on_new or history_path is not None
    beside = default_path(export_dir) if export_dir is not None else Path(HISTORY_FILE)
    history = Path(history_path) if history_path else beside if wanted else None
    inputs = run_inputs(policy, export_dir) + source_files(sources) + ([Path(waivers_path)] if waivers_path else [])
    _refuse_history(history, inputs)
    check_output(output, inputs + ([history] if history else []))
    when = parse_as_of(as_of, policy.timezone)
    if engine == "spark":
        run_audit = _spark_audit(export_dir, sources, spark_master)
    elif spark_master is not None:
        raise UsageError("--spark-master is for --engine spark")
    with run_audit(policy, export_dir, when, lang, tuple(rules), progress=progress_display(quiet),
                   sources=sources, period=parse_period(period)) as result:
        complete(result, waivers, history, record, baseline, fail_on_new)
        with opened(output, inputs) as out:
            stream(result, fmt, fail_on, out, verbose=verbose)
        code = result.exit_code(fail_on)
    ctx.exit(code)


def _spark_audit(export_dir, sources: dict, master: str | None):
    """The Spark engine's audit, called as the DuckDB one is; it reads export files only."""
    if sources or export_dir is None:
        raise UsageError("the Spark engine reads export folders; --source is for --engine duckdb")
    from ..engine.spark import DEFAULT_MASTER
    from ..engine.spark import audit as spark_audit

    def run_audit(policy, export_dir, as_of, lang, rule_ids, progress, sources, period):
        return spark_audit(policy, export_dir, as_of, lang, rule_ids, progress, master or DEFAULT_MASTER, period)

    return run_audit


def _recording(record: bool | None, policy, rules) -> bool:
    """--record, else the policy's ``history: {record: true}``; an audit of some rules only is never recorded."""
    if rules and record:
        raise UsageError("--record records whole audits; leave out --rule")
    return bool(policy.record_history if record is None else record) and not rules


def _refuse_history(history: Path | None, inputs: list[Path]) -> None:
    if history is not None and any(history.resolve() == p.resolve() for p in inputs):
        raise UsageError(f"--history {history} is an input of this run; keep the history somewhere else")
