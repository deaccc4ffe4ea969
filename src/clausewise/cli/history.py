"""``clausewise history``: the recorded runs, with totals per run and per clause over time."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import N_
from .help import Command
from .options import HISTORY_FILE, history_option, lang_option, output_option
from .output import opened


@click.command(cls=Command, help=N_(
        "List the audits recorded in the run history, oldest first.\n"
        "\n"
        "Each run shows its policy, as-of time, when it was recorded and its\n"
        "findings by status (and how many were waived); then, per policy, the\n"
        "findings of each clause in each run. Exit code 0, or 2 on errors."
))
@history_option(beside_export=False)
@click.option("--policy-id", metavar="ID", default=None, help=N_("Only the runs of this policy (its id, not its file)."))
@click.option("--last", metavar="N", type=click.IntRange(min=1), default=None, help=N_("Only the last N runs."))
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@output_option
@lang_option
def history(history_path, policy_id, last, fmt, output, lang) -> None:
    from ..history import History
    from ..report.history import RUN_FORMATS

    path = Path(history_path or HISTORY_FILE)
    with History.open(path) as store:
        runs = store.runs(policy_id, last)
        by_clause = store.by_clause(runs)
    with opened(output, [path]) as out:
        RUN_FORMATS[fmt](str(path), runs, by_clause, lang, out)
