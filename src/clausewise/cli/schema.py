"""``clausewise schema``: print the JSON Schema of policy and rule files."""

from __future__ import annotations

import click
from ..i18n import N_
from .help import Command

from .options import output_option
from .output import emit


@click.command(cls=Command, help=N_(
        "Print the JSON Schema (Draft 2020-12) for policy and rule files.\n"
        "\n"
        "Point an editor at it with a first line such as\n"
        "`# yaml-language-server: $schema=clausewise.schema.json`."
))
@output_option
def schema(output) -> None:
    from ..engine import schema_text

    emit(schema_text(), output)
