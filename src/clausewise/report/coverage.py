"""The coverage report: every clause with its rules, every rule with its cases, in the reader's language.

Used by ``clausewise coverage``. The table is as wide as the terminal (see
``layout.py``): long lists of rules and case names wrap. JSON keeps the
machine-readable shape (no words to translate but the clause titles).
"""

from __future__ import annotations

import json

from tabulate import tabulate

from ..coverage import Coverage
from ..i18n import N_, Words
from . import layout

_WORDS = Words({
    "clause": N_("clause"), "title": N_("title"), "rules": N_("rules"), "rule": N_("rule"), "kind": N_("kind"), "cases": N_("cases"),
    "no_reason": N_("no reason given"), "untested": N_("✗ needs pass_ and fail_ cases"),
    "summary": N_("{with_rules} of {observable} observable clauses have rules ({percent:g} %); "
               "{tested} of {all} rules have pass_ and fail_ cases"),
})


def table(result: Coverage, lang: str, width: int = layout.FIXED_WIDTH) -> str:
    """Clauses with their rules (or the reason there are none), then rules with their cases, then a summary."""
    w = _WORDS[lang]
    clauses = [[c.clause, c.title, ", ".join(c.rules) if c.rules else f"— ({c.reason or w['no_reason']})",
                "✓" if c.covered else "✗"] for c in result.clauses]
    rules = [[r.rule, r.clause, r.kind, "\n".join(r.cases) or "—", "✓" if r.tested else w["untested"]]
             for r in result.rules]
    observable = result.observable
    summary = w["summary"].format(with_rules=sum(bool(c.rules) for c in observable), observable=len(observable),
                                  percent=result.percent, tested=sum(r.tested for r in result.rules),
                                  all=len(result.rules))
    first = layout.fit([[w["clause"], w["title"], w["rules"], ""], *clauses], width, flexible=2, least=20, header=True)
    second = layout.fit([[w["rule"], w["clause"], w["kind"], w["cases"], ""], *rules], width, flexible=3, least=20,
                        header=True)
    return (tabulate(first[1:], headers=first[0], tablefmt="simple", disable_numparse=True) + "\n\n"
            + tabulate(second[1:], headers=second[0], tablefmt="simple", disable_numparse=True) + "\n\n"
            + "\n".join(layout.wrap(summary, width)) + "\n")


def json_text(result: Coverage) -> str:
    doc = {
        "percent_observable_covered": result.percent,
        "complete": result.complete,
        "clauses": [{"clause": c.clause, "title": c.title, "observable": c.observable, "reason": c.reason,
                     "rules": list(c.rules)} for c in result.clauses],
        "rules": [{"rule": r.rule, "clause": r.clause, "kind": r.kind, "cases": list(r.cases)} for r in result.rules],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
