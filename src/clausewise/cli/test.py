"""``clausewise test``: run a pack's YAML rule cases."""

from __future__ import annotations

import fnmatch

import click

from ..errors import UsageError
from ..i18n import N_, msg, render
from .help import Command
from .options import lang_option, policy_option


@click.command(cls=Command, name="test", help=N_(
        "Run the rule cases the policy lists under tests: (records in, findings out).\n"
        "\n"
        "A failing case shows the expected finding against the closest actual one,\n"
        "field by field. Exit code 0 when all pass, 1 when any fails, 2 on errors\n"
        "and when no case is selected (a -k that matches nothing, a policy without\n"
        "cases): a run that tested nothing must not pass."
))
@policy_option
@click.option("-k", "pattern", metavar="PATTERN", help=N_("Run only cases whose rule or name matches (shell-style, e.g. 'inquiry-*')."))
@click.option("--verbose", "-v", is_flag=True, help=N_("List passing cases too."))
@lang_option
@click.pass_context
def test_command(ctx: click.Context, policy_path, pattern, verbose, lang) -> None:
    from ..engine import load
    from ..testing import load_cases, run_case

    policy = load(policy_path)
    every = load_cases(policy)
    cases = [c for c in every if not pattern or _matches(pattern, c)]
    if not cases:
        raise UsageError(_nothing_selected(policy, pattern, len(every)))
    failed = 0
    for case in cases:
        result = run_case(policy, case)
        if result.ok:
            if verbose:
                click.echo(f"PASS {case.rule} {case.name}")
            continue
        failed += 1
        click.echo(f"FAIL {case.rule} {case.name} ({case.location})")
        for problem in result.problems:
            click.echo("  " + str(render(problem, lang)))
    click.echo(msg("{passed} passed, {failed} failed", passed=len(cases) - failed, failed=failed).render(lang))
    ctx.exit(1 if failed else 0)


def _nothing_selected(policy, pattern: str | None, total: int):
    if total == 0:
        return msg('policy "{id}" has no rule cases; list case files under tests: in the policy', id=policy.id)
    return msg('-k "{pattern}" selects none of the {total} rule cases; it matches a case\'s rule id or name',
               pattern=pattern, total=total)


def _matches(pattern: str, case) -> bool:
    return any(fnmatch.fnmatch(text, pattern) or pattern in text for text in (case.rule, case.name))
