"""``clausewise coverage``: clauses with their rules, rules with their cases."""

from __future__ import annotations

import sys

import click

from ..i18n import N_
from .help import Command
from .options import lang_option, output_option, policy_option
from .output import emit, run_inputs


@click.command(cls=Command, help=N_(
        "List every clause with its rules, and every rule with its test cases.\n"
        "\n"
        "A clause without rules shows the reason the policy gives for it. Exit code\n"
        "0 when every observable clause has a rule and every rule has a pass_ and a\n"
        "fail_ case, 1 when not, 2 on errors."
))
@policy_option
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@output_option
@lang_option
@click.pass_context
def coverage(ctx: click.Context, policy_path, fmt, output, lang) -> None:
    from ..coverage import coverage as compute
    from ..engine import load
    from ..report import coverage as report
    from ..report.layout import FIXED_WIDTH, width
    from ..testing import load_cases

    policy = load(policy_path)
    result = compute(policy, load_cases(policy), lang)
    columns = width(sys.stdout) if output is None else FIXED_WIDTH
    text = report.json_text(result) if fmt == "json" else report.table(result, lang, columns)
    emit(text, output, run_inputs(policy))
    ctx.exit(0 if result.complete else 1)
