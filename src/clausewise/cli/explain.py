"""``clausewise explain``: why one record passed or failed one rule."""

from __future__ import annotations

import click

from ..i18n import N_
from .help import Command
from .options import (
    given_sources,
    lang_option,
    output_option,
    parse_as_of,
    parse_period,
    policy_option,
    source_files,
    source_option,
    trust_sources_option,
)
from .output import emit, run_inputs


@click.command(cls=Command, help=N_(
        "Explain, step by step, why record KEY passed or failed RULE.\n"
        "\n"
        "Shows the rule as written and its parameters, the record's values, each\n"
        "condition and each part of it for this record, the clock (start, pauses,\n"
        "stop or as-of, due) for deadlines, the computed values and why, and the\n"
        "verdict. For a rule that judges groups (aggregate), KEY may name the\n"
        "group: its values or name=value pairs, comma-separated (2026-10, or\n"
        "\"employee_id=E044, period=2026-10\"); the metric and threshold are shown.\n"
        "RULE data-quality lists the record's values that do not fit their\n"
        "declared type, and what each should be. When several records have\n"
        "KEY, the first is explained; --at picks another. Exit code 0, or 2 on\n"
        "errors."
))
@click.argument("export_dir", type=click.Path(file_okay=False))
@click.argument("rule")
@click.argument("key")
@policy_option
@source_option
@trust_sources_option
@click.option("--as-of", "as_of", metavar="TIMESTAMP", help=N_("As for audit."))
@click.option("--period", "period", metavar="PERIOD", help=N_("As for audit."))
@click.option("--at", "at", metavar="N", type=click.IntRange(min=1), help=N_(
    "Of several records with KEY, the one at N, as the findings place it: line N of a CSV or JSON Lines file "
    "(inquiries.csv:7 is --at 7), record N of an XLSX or Parquet file."))
@output_option
@lang_option
def explain(export_dir, rule, key, policy_path, source_texts, trust_export_sources, as_of, period, at, output,
            lang) -> None:
    from ..engine import explain as run_explain
    from ..engine import load
    from ..report.explain import write

    policy = load(policy_path)
    sources = given_sources(source_texts, policy)
    explanation = run_explain(policy, export_dir, rule, key, parse_as_of(as_of, policy.timezone), lang, sources,
                              parse_period(period), trust_export_sources, at)
    emit(write(explanation, lang), output, run_inputs(policy, export_dir) + source_files(sources))
