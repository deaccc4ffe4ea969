"""``clausewise schema``: print the JSON Schema of policy and rule files, or of rule-case files."""

from __future__ import annotations

import json

import click

from .options import output_option
from .output import emit


@click.command()
@click.option("--cases", is_flag=True, help="The schema of rule-case files (tests/cases/…) instead.")
@output_option
def schema(cases, output) -> None:
    """Print the JSON Schema (Draft 2020-12) for policy, rule and waivers files.

    With --cases, the schema of rule-case files. Point an editor at either with
    a first line such as
    `# yaml-language-server: $schema=clausewise.schema.json`.
    """
    from ..engine import schema_text
    from ..policy.schema import CASES_SCHEMA

    emit(json.dumps(CASES_SCHEMA, indent=2, ensure_ascii=False) + "\n" if cases else schema_text(), output)
