"""``clausewise validate``: check a policy and its rule files without any data."""

from __future__ import annotations

import click

from .options import policy_option


@click.command()
@policy_option
def validate(policy_path) -> None:
    """Check a policy and its rule files; print every problem as file:line:col.

    Exit code 0 when the pack is valid, 2 when it is not.
    """
    from ..engine import load
    from ..engine import validate as run_validate

    policy = load(policy_path)
    compiled = run_validate(policy)
    click.echo(f"{policy.path}: policy {policy.id} {policy.version} is valid: "
               f"{len(policy.clauses)} clauses, {len(compiled)} rules, {len(policy.datasets)} datasets")
