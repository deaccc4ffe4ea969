"""``clausewise validate``: check a policy and its rule files without any data."""

from __future__ import annotations

import click

from ..i18n import N_, NP_, listed, msg
from .help import Command
from .options import lang_option, policy_option


@click.command(cls=Command, help=N_(
        "Check a policy and its rule files; print every problem as file:line:col.\n"
        "\n"
        "Exit code 0 when the pack is valid, 2 when it is not."
))
@policy_option
@lang_option
def validate(policy_path, lang) -> None:
    from ..engine import load
    from ..engine import validate as run_validate

    policy = load(policy_path)
    compiled = run_validate(policy)
    counted = [NP_("{n} clause", "{n} clauses").render(len(policy.clauses), lang),
               NP_("{n} rule", "{n} rules").render(len(compiled), lang),
               NP_("{n} dataset", "{n} datasets").render(len(policy.datasets), lang)]
    click.echo(msg("{path}: policy {id} {version} is valid: {counts}", path=policy.path, id=policy.id,
                   version=policy.version, counts=listed(counted)).render(lang))
