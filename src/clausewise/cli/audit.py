"""``clausewise audit``: evaluate a policy over an export folder."""

from __future__ import annotations

import click

from ..report import WRITERS, stream
from .options import (
    fail_on_option,
    lang_option,
    output_option,
    parse_as_of,
    policy_option,
    progress_display,
    quiet_option,
)
from .output import check_output, opened, run_inputs


@click.command()
@click.argument("export_dir", type=click.Path(file_okay=False))
@policy_option
@click.option("--as-of", "as_of", metavar="TIMESTAMP",
              help="Judge deadlines as of this time (policy timezone). Default: the latest timestamp in the export.")
@click.option("--format", "-f", "fmt", type=click.Choice(sorted(WRITERS)), default="table", show_default=True,
              help="Report format.")
@output_option
@lang_option
@fail_on_option
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Run only this rule (repeat for more).")
@quiet_option
@click.pass_context
def audit(ctx: click.Context, export_dir, policy_path, as_of, fmt, output, lang, fail_on, rules, quiet) -> None:
    """Check the exports in EXPORT_DIR against a policy.

    Exit code 0: no finding at or above --fail-on; 1: some; 2: bad usage, a bad
    rule file or unreadable data.
    """
    from ..engine import audit as run_audit
    from ..engine import load

    policy = load(policy_path)
    check_output(output, run_inputs(policy, export_dir))
    when = parse_as_of(as_of, policy.timezone)
    with run_audit(policy, export_dir, when, lang, tuple(rules), progress=progress_display(quiet)) as result:
        with opened(output, run_inputs(policy, export_dir)) as out:
            stream(result, fmt, fail_on, out)
        code = result.exit_code(fail_on)
    ctx.exit(code)
