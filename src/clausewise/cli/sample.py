"""``clausewise sample``: copy the shipped packs, sample exports, schemas and documentation into a folder."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
def sample(folder) -> None:
    """Copy the example and ops-support packs, their rule cases, the sample exports, the JSON Schemas and the
    documentation into FOLDER, laid out as in the source repository.

    FOLDER is made if missing; no file in it is ever replaced: when one of the
    files exists already, nothing is written (exit code 2). Then, in FOLDER,
    `clausewise audit samples/ops-support/2026-10 --policy policies/ops-support.yaml`
    audits the sample month.
    """
    from ..shipped import copy_out, summary

    target = Path(folder)
    files = copy_out(target)
    click.echo(f"wrote {len(files)} files into {target}:")
    rows = [(f"{where}/", f"{n} file{'s' if n != 1 else ''}", what) for where, n, what in summary(files)]
    width = max(len(r[0]) for r in rows)
    for where, count, what in rows:
        click.echo(f"  {where:<{width}}  {count:>8}  {what}".rstrip())
    click.echo(f"try: cd {target} && clausewise audit samples/ops-support/2026-10 --policy policies/ops-support.yaml")
