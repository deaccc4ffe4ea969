"""``clausewise sample``: copy the shipped packs, sample exports, schemas and documentation into a folder."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import N_, NP_, msg, render
from .help import Command
from .options import lang_option


@click.command(cls=Command, help=N_(
    "Copy the example and ops-support packs, their rule cases, the sample exports, the JSON Schemas and the "
    "documentation into FOLDER, laid out as in the source repository.\n"
    "\n"
    "FOLDER is made if missing; no file in it is ever replaced: when one of the files exists already, nothing is "
    "written (exit code 2). Then, in FOLDER, `clausewise audit samples/ops-support/2026-10 --policy "
    "policies/ops-support.yaml` audits the sample month."
))
@click.argument("folder", type=click.Path(file_okay=False))
@lang_option
def sample(folder, lang) -> None:
    """``clausewise sample FOLDER``: copy the shipped files into FOLDER (the help above)."""
    from ..report.layout import display_width
    from ..shipped import copy_out, summary

    target = Path(folder)
    files = copy_out(target)
    click.echo(msg("wrote {n} files into {target}:", n=len(files), target=target).render(lang))
    rows = [(f"{where}/", _FILES.render(n, lang), render(what, lang)) for where, n, what in summary(files)]
    width = max(display_width(r[0]) for r in rows)
    count_width = max(display_width(r[1]) for r in rows)
    for where, count, what in rows:
        # Padded by display width, so a column stays straight when the counts are Chinese (2 columns a character).
        click.echo(f"  {where}{' ' * (width - display_width(where))}  "
                   f"{' ' * (count_width - display_width(count))}{count}  {what}".rstrip())
    click.echo(msg("try: {command}", command=f"cd {target} && clausewise audit samples/ops-support/2026-10 "
                                             "--policy policies/ops-support.yaml").render(lang))


_FILES = NP_("{n} file", "{n} files")
