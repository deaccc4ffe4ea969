"""``clausewise grades``: only the computed values, their breakdowns and the scorecard."""

from __future__ import annotations

import click

from ..errors import UsageError
from ..report.grades import FORMATS
from .options import (
    given_sources,
    lang_option,
    output_option,
    parse_as_of,
    policy_option,
    source_files,
    source_option,
)
from .output import opened, run_inputs


@click.command()
@click.argument("export_dir", type=click.Path(file_okay=False), required=False)
@policy_option
@source_option
@click.option("--as-of", "as_of", metavar="TIMESTAMP", help="As for audit.")
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(FORMATS)), default="table", show_default=True)
@output_option
@lang_option
def grades(export_dir, policy_path, source_texts, as_of, fmt, output, lang) -> None:
    """Print every computed value (scores, grades, priorities) with how it was reached.

    Each line shows the record, the value, and its inputs: weights and
    contributions for weighted scores, the band's lower bound for grades, the
    deciding row for decision tables. The JSON format adds the scorecard.
    Exit code 0, or 2 on errors.
    """
    from ..engine import audit as run_audit
    from ..engine import load

    policy = load(policy_path)
    sources = given_sources(source_texts, policy)
    if export_dir is None and not sources:
        raise UsageError("give EXPORT_DIR, or every dataset with --source")
    with run_audit(policy, export_dir, parse_as_of(as_of, policy.timezone), lang, sources=sources) as result:
        with opened(output, run_inputs(policy, export_dir) + source_files(sources)) as out:
            FORMATS[fmt](result, "high", out)
