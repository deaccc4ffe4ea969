"""``clausewise diff``: new, persisting and resolved findings between two recorded runs."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ..errors import UsageError
from ..i18n import N_, msg
from .help import Command
from .options import HISTORY_FILE, history_option, lang_option, output_option
from .output import opened


@click.command(cls=Command, help=N_(
        "Compare two recorded runs: which findings are new, which persist, which were resolved.\n"
        "\n"
        "OLD and NEW are run ids (clausewise history lists them). Without NEW, the\n"
        "latest run; without OLD, the run of the same policy judged just before\n"
        "NEW. Findings are matched by fingerprint (docs/history.md). Exit code 0,\n"
        "or 2 on errors."
))
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@history_option(beside_export=False)
@click.option("--policy-id", metavar="ID", default=None,
              help=N_("Without run ids: compare the last two runs of this policy."))
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@output_option
@lang_option
def diff(old, new, history_path, policy_id, fmt, output, lang) -> None:
    from ..engine.findings import FindingStore
    from ..history import STATES, History, compare
    from ..report.history import DIFF_FORMATS

    path = Path(history_path or HISTORY_FILE)
    with History.open(path) as store, tempfile.TemporaryDirectory(prefix="clausewise-") as folder:
        newer = store.run(new) if new is not None else store.latest(store.run(old).policy_id if old else policy_id)
        older = store.run(old) if old is not None else store.before(newer.policy_id, newer.as_of)
        if older is None:
            raise UsageError(msg("run {id} is the first recorded run of policy {policy_id}; nothing to compare", id=newer.id, policy_id=newer.policy_id))
        if older.policy_id != newer.policy_id:
            raise UsageError(msg("runs {id} and {id2} audited different policies ({policy_id}, {policy_id2}); compare runs of one policy", id=older.id, id2=newer.id, policy_id=older.policy_id, policy_id2=newer.policy_id))
        comparison = compare(store, older, newer, Path(folder), states=STATES)
        findings = {state: FindingStore.from_parquet(comparison.files[state]) for state in STATES}
    try:
        with opened(output, [path]) as out:
            DIFF_FORMATS[fmt](comparison, findings, lang, out)
    finally:
        for store in findings.values():
            store.close()
