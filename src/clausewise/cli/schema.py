"""``clausewise schema``: print the JSON Schema of policy and rule files, or of rule-case files."""

from __future__ import annotations

import json

import click

from ..i18n import N_
from .help import Command
from .options import output_option
from .output import emit


@click.command(cls=Command, help=N_(
        "Print the JSON Schema (Draft 2020-12) for policy, rule and waivers files.\n"
        "\n"
        "With --cases, the schema of rule-case files. Point an editor at either with\n"
        "a first line such as\n"
        "`# yaml-language-server: $schema=clausewise.schema.json`."
))
@click.option("--cases", is_flag=True, help=N_("The schema of rule-case files (tests/cases/…) instead."))
@output_option
def schema(cases, output) -> None:
    from ..engine import schema_text
    from ..policy.schema import CASES_SCHEMA

    emit(json.dumps(CASES_SCHEMA, indent=2, ensure_ascii=False) + "\n" if cases else schema_text(), output)
