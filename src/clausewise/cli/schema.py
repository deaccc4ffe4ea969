"""``clausewise schema``: print the JSON Schema of policy and rule files."""

from __future__ import annotations

import click

from .options import output_option
from .output import emit


@click.command()
@output_option
def schema(output) -> None:
    """Print the JSON Schema (Draft 2020-12) for policy and rule files.

    Point an editor at it with a first line such as
    `# yaml-language-server: $schema=clausewise.schema.json`.
    """
    from ..engine import schema_text

    emit(schema_text(), output)
