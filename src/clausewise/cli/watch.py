"""``clausewise watch``: keep auditing a folder, printing only what changed."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from ..i18n import N_, msg, os_reason
from .help import Command
from .options import lang_option, policy_option, waivers_option
from .output import run_inputs


@click.command(cls=Command, help=N_(
        "Audit EXPORT_DIR as records arrive and time passes; print only the changes.\n"
        "\n"
        "The as-of time is the clock's, in the policy's timezone. The first audit\n"
        "prints its totals; after that each line is a new violation, warning or\n"
        "invalid value, a status that changed (an early warning that became a\n"
        "violation), or a resolved finding. A file that cannot be read is\n"
        "reported and watching goes on. Stop with Ctrl-C (exit code 0)."
))
@click.argument("export_dir", type=click.Path(file_okay=False))
@policy_option
@waivers_option
@click.option("--every", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help=N_("Audit again after this many seconds even when no file changed (deadlines fall due as time passes)."))
@click.option("--poll", "interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True,
              help=N_("Look at the folder's files this often (seconds)."))
@click.option("--jsonl", "jsonl_path", type=click.Path(dir_okay=False), default=None,
              help=N_("Also append each change to this file, one JSON object a line."))
@lang_option
def watch(export_dir, policy_path, waivers_path, every, interval, jsonl_path, lang) -> None:
    from ..engine import load, load_waivers
    from ..engine.watch import Watcher
    from ..report.watch import json_line, line

    policy = load(policy_path)
    waivers = load_waivers(waivers_path, policy) if waivers_path else ()
    if jsonl_path and any(Path(jsonl_path).resolve() == p.resolve() for p in run_inputs(policy, export_dir)):
        raise UsageError(msg("--jsonl {jsonl_path} is an input of this watch; write the log somewhere else", jsonl_path=jsonl_path))

    def emit(event) -> None:
        click.echo(line(event, export_dir, lang))
        if jsonl_path:
            try:
                with open(jsonl_path, "a", encoding="utf-8") as log:
                    log.write(json_line(event) + "\n")
            except OSError as exc:
                raise UsageError(msg("cannot append to {jsonl_path}: {strerror}", jsonl_path=jsonl_path, strerror=os_reason(exc))) from None

    Watcher(policy, export_dir, lang, waivers, every).run(emit, interval)
