"""``clausewise grades``: only the computed values, their breakdowns and the scorecard."""

from __future__ import annotations

import click

from ..report.grades import FORMATS
from .options import lang_option, output_option, parse_as_of, policy_option
from .output import opened, run_inputs


@click.command()
@click.argument("export_dir", type=click.Path(file_okay=False))
@policy_option
@click.option("--as-of", "as_of", metavar="TIMESTAMP", help="As for audit.")
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(FORMATS)), default="table", show_default=True)
@output_option
@lang_option
def grades(export_dir, policy_path, as_of, fmt, output, lang) -> None:
    """Print every computed value (scores, grades, priorities) with how it was reached.

    Each line shows the record, the value, and its inputs: weights and
    contributions for weighted scores, the band's lower bound for grades, the
    deciding row for decision tables. The JSON format adds the scorecard.
    Exit code 0, or 2 on errors.
    """
    from ..engine import audit as run_audit
    from ..engine import load

    policy = load(policy_path)
    with run_audit(policy, export_dir, parse_as_of(as_of, policy.timezone), lang) as result:
        with opened(output, run_inputs(policy, export_dir)) as out:
            FORMATS[fmt](result, "high", out)
