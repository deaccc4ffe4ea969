"""``clausewise coverage``: clauses with their rules, rules with their cases."""

from __future__ import annotations

import json

import click

from .options import lang_option, output_option, policy_option
from .output import emit, run_inputs


@click.command()
@policy_option
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@output_option
@lang_option
@click.pass_context
def coverage(ctx: click.Context, policy_path, fmt, output, lang) -> None:
    """List every clause with its rules, and every rule with its test cases.

    A clause without rules shows the reason the policy gives for it. Exit code
    0 when every observable clause has a rule and every rule has a pass_ and a
    fail_ case, 1 when not, 2 on errors.
    """
    from ..coverage import coverage as compute
    from ..engine import load
    from ..testing import load_cases

    policy = load(policy_path)
    result = compute(policy, load_cases(policy), lang)
    emit(_json(result) if fmt == "json" else _table(result), output, run_inputs(policy))
    ctx.exit(0 if result.complete else 1)


def _table(result) -> str:
    from tabulate import tabulate

    clauses = [
        (c.clause, c.title, ", ".join(c.rules) if c.rules else f"— ({c.reason or 'no reason given'})",
         "✓" if c.covered else "✗")
        for c in result.clauses
    ]
    rules = [(r.rule, r.clause, r.kind, "\n".join(r.cases) or "—", "✓" if r.tested else "✗ needs pass_ and fail_ cases")
             for r in result.rules]
    observable = result.observable
    summary = (f"{sum(bool(c.rules) for c in observable)} of {len(observable)} observable clauses have rules "
               f"({result.percent:g} %); {sum(r.tested for r in result.rules)} of {len(result.rules)} rules have "
               "pass_ and fail_ cases")
    return (tabulate(clauses, headers=["clause", "title", "rules", ""], tablefmt="simple") + "\n\n"
            + tabulate(rules, headers=["rule", "clause", "kind", "cases", ""], tablefmt="simple") + "\n\n" + summary + "\n")


def _json(result) -> str:
    doc = {
        "percent_observable_covered": result.percent,
        "complete": result.complete,
        "clauses": [{"clause": c.clause, "title": c.title, "observable": c.observable, "reason": c.reason,
                     "rules": list(c.rules)} for c in result.clauses],
        "rules": [{"rule": r.rule, "clause": r.clause, "kind": r.kind, "cases": list(r.cases)} for r in result.rules],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
