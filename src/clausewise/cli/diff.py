"""``clausewise diff``: new, persisting and resolved findings between two recorded runs."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ..errors import UsageError
from .options import HISTORY_FILE, history_option, lang_option, output_option
from .output import opened


@click.command()
@click.argument("old", type=int, required=False)
@click.argument("new", type=int, required=False)
@history_option(beside_export=False)
@click.option("--policy-id", metavar="ID", default=None,
              help="Without run ids: compare the last two runs of this policy.")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table",
              show_default=True)
@output_option
@lang_option
def diff(old, new, history_path, policy_id, fmt, output, lang) -> None:
    """Compare two recorded runs: which findings are new, which persist, which were resolved.

    OLD and NEW are run ids (clausewise history lists them). Without NEW, the
    latest run; without OLD, the run of the same policy judged just before
    NEW. Findings are matched by fingerprint (docs/history.md). Exit code 0,
    or 2 on errors.
    """
    from ..engine.findings import FindingStore
    from ..history import STATES, History, compare
    from ..report.history import DIFF_FORMATS

    path = Path(history_path or HISTORY_FILE)
    with History.open(path) as store, tempfile.TemporaryDirectory(prefix="clausewise-") as folder:
        newer = store.run(new) if new is not None else store.latest(store.run(old).policy_id if old else policy_id)
        older = store.run(old) if old is not None else store.before(newer.policy_id, newer.as_of)
        if older is None:
            raise UsageError(f"run {newer.id} is the first recorded run of policy {newer.policy_id}; nothing to compare")
        if older.policy_id != newer.policy_id:
            raise UsageError(f"runs {older.id} and {newer.id} audited different policies "
                             f"({older.policy_id}, {newer.policy_id}); compare runs of one policy")
        comparison = compare(store, older, newer, Path(folder), states=STATES)
        findings = {state: FindingStore.from_parquet(comparison.files[state]) for state in STATES}
    try:
        with opened(output, [path]) as out:
            DIFF_FORMATS[fmt](comparison, findings, lang, out)
    finally:
        for store in findings.values():
            store.close()
