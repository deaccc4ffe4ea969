"""The run history and the comparison of two runs, as text, JSON or Markdown.

Used by ``clausewise history`` (the recorded runs with their totals, then
findings per clause across the runs of each policy) and ``clausewise diff``
(new, persisting and resolved findings between two runs, per clause, then
listed). Listings in the table and Markdown formats are capped; JSON lists
every finding, one compact object a line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from tabulate import tabulate

from ..i18n import N_, Words
from ..model import BASELINE_STATES, Finding
from .common import hole, natural, record_label, write_json
from .markdown import cell

MAX_LISTED = 200
_WORDS = Words({
    "runs": N_("Runs recorded in {path}"), "none": N_("No runs recorded in {path}."),
    "by_clause": N_("Findings per clause, {policy}"), "clause": N_("clause"),
    "run": N_("run"), "policy": N_("policy"), "version": N_("version"), "period": N_("period"), "as_of": N_("as of"),
    "recorded": N_("recorded (UTC)"), "findings": N_("findings"), "violation": N_("violations"), "warning": N_("warnings"),
    "invalid": N_("invalid"), "waived": N_("waived"),
    "diff": N_("{policy}: run {old} (as of {old_as_of}) → run {new} (as of {new_as_of})"),
    "totals": N_("{new} new, {persisting} persisting, {resolved} resolved"),
    "new": N_("new"), "persisting": N_("persisting"), "resolved": N_("resolved"),
    "listed": {"new": N_("New ({n})"), "persisting": N_("Persisting ({n})"), "resolved": N_("Resolved ({n})")},
    "rule": N_("rule"), "record": N_("record"), "status": N_("status"), "severity": N_("severity"), "message": N_("message"),
    "capped": N_("… the first {shown} of {total}; --format json lists them all"),
})
_COUNTS = ("findings", "violation", "warning", "invalid", "waived")


# ---- clausewise history ----------------------------------------------------------


def runs_table(path: str, runs: list, by_clause: dict[str, dict[str, dict[int, int]]], lang: str, out: TextIO) -> None:
    """The runs, oldest first, then per policy a clause × run table of findings."""
    w = _WORDS[lang]
    if not runs:
        out.write(w["none"].format(path=path) + "\n")
        return
    headers = [w[h] for h in ("run", "policy", "version", "period", "as_of", "recorded", *_COUNTS)]
    rows = [(r.id, r.policy_id, r.policy_version, r.period or "", r.as_of.isoformat(sep=" "),
             r.recorded_at.isoformat(sep=" ", timespec="seconds") if r.recorded_at else "",
             *(r.counts[c] for c in _COUNTS)) for r in runs]
    parts = [w["runs"].format(path=path) + "\n" + tabulate(rows, headers=headers, tablefmt="simple")]
    for policy, clauses in by_clause.items():
        ids = [r.id for r in runs if r.policy_id == policy]
        matrix = [(c, *(clauses[c].get(i, 0) for i in ids)) for c in sorted(clauses, key=natural)]
        head = [w["clause"], *(f"{w['run']} {i}" for i in ids)]
        parts.append(w["by_clause"].format(policy=policy) + "\n" + tabulate(matrix, headers=head, tablefmt="simple"))
    out.write("\n\n".join(parts) + "\n")


def runs_json(path: str, runs: list, by_clause: dict[str, dict[str, dict[int, int]]], lang: str, out: TextIO) -> None:
    """``{"history", "runs", "by_clause": {policy: {clause: {run id: findings}}}}``."""
    doc = {"history": path, "runs": [r.to_dict() for r in runs],
           "by_clause": {p: {c: {str(i): n for i, n in runs_.items()} for c, runs_ in sorted(clauses.items(),
                                                                                      key=lambda item: natural(item[0]))}
                         for p, clauses in by_clause.items()}}
    out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


RUN_FORMATS: dict[str, Callable] = {"table": runs_table, "json": runs_json}


# ---- clausewise diff ---------------------------------------------------------------


def diff_table(comparison, findings: dict[str, Any], lang: str, out: TextIO) -> None:
    """Head line, totals, the counts per clause, then each state's findings (capped)."""
    w = _WORDS[lang]
    parts = [_head(comparison, w), _clauses_table(comparison, w)]
    for state in BASELINE_STATES:
        parts.append(_listing(findings[state], comparison.totals()[state], w, state))
    out.write("\n\n".join(parts) + "\n")


def _head(comparison, w) -> str:
    old, new = comparison.old, comparison.new
    head = w["diff"].format(policy=new.policy_id, old=old.id, old_as_of=old.as_of.isoformat(sep=" "), new=new.id,
                            new_as_of=new.as_of.isoformat(sep=" "))
    return head + "\n" + w["totals"].format(**comparison.totals())


def _clause_rows(comparison) -> list[tuple]:
    return [(clause, *(counts.get(s, 0) for s in BASELINE_STATES))
            for clause, counts in sorted(comparison.by_clause.items(), key=lambda item: natural(item[0]))]


def _clauses_table(comparison, w) -> str:
    headers = [w["clause"], *(w[s] for s in BASELINE_STATES)]
    return tabulate(_clause_rows(comparison), headers=headers, tablefmt="simple")


def _listing(store, total: int, w, state: str) -> str:
    title = w["listed"][state].format(n=total)
    if not total:
        return title
    rows = [(f.clause, f.rule, record_label(f), f.status, f.severity, _short(f.message))
            for f in _first(store, MAX_LISTED)]
    headers = [w[h] for h in ("clause", "rule", "record", "status", "severity", "message")]
    text = title + "\n" + tabulate(rows, headers=headers, tablefmt="simple")
    return text + ("\n" + w["capped"].format(shown=MAX_LISTED, total=total) if total > MAX_LISTED else "")


def _short(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _first(store, n: int) -> Iterable[Finding]:
    return store.where(limit=n)


def diff_json(comparison, findings: dict[str, Any], lang: str, out: TextIO) -> None:
    """``{"old", "new" (the runs), "totals", "by_clause", "findings": {"new", "persisting", "resolved"}}``."""
    doc = {"old": comparison.old.to_dict(), "new": comparison.new.to_dict(), "totals": comparison.totals(),
           "by_clause": {c: dict(zip(BASELINE_STATES, n)) for c, *n in _clause_rows(comparison)},
           "findings": {state: hole(state) for state in BASELINE_STATES}}
    write_json(out, doc, {state: findings[state].json_lines() for state in BASELINE_STATES})


def diff_markdown(comparison, findings: dict[str, Any], lang: str, out: TextIO) -> None:
    """A summary for a pull request or a monthly note: totals, counts per clause, new and resolved findings."""
    w = _WORDS[lang]
    head, totals = _head(comparison, w).split("\n")
    lines = [f"## {head}", "", totals, "", _md_table([w["clause"], *(w[s] for s in BASELINE_STATES)],
                                                    [[str(x) for x in row] for row in _clause_rows(comparison)])]
    for state in ("new", "resolved"):
        total = comparison.totals()[state]
        lines += ["", "### " + w["listed"][state].format(n=total)]
        if total:
            rows = [[f.clause, f"`{f.rule}`", cell(record_label(f)), f.status, f.severity, cell(f.message)]
                    for f in _first(findings[state], MAX_LISTED)]
            lines += ["", _md_table([w[h] for h in ("clause", "rule", "record", "status", "severity", "message")], rows)]
            if total > MAX_LISTED:
                lines += ["", "_" + w["capped"].format(shown=MAX_LISTED, total=total) + "_"]
    out.write("\n".join(lines) + "\n")


def _md_table(headers: list[str], rows: list[list[str]]) -> str:
    return "\n".join("| " + " | ".join(line) + " |" for line in [headers, ["---"] * len(headers), *rows])


DIFF_FORMATS: dict[str, Callable] = {"table": diff_table, "json": diff_json, "markdown": diff_markdown}
