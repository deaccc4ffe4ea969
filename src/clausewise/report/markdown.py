"""``markdown``: a summary to post as a PR comment or a GitHub job summary.

Headline and verdict first, because a reviewer reads the top of a comment;
then counts per clause, since compliance officers think in clauses; then the
findings, most severe first and capped, because a comment has a size limit and
the JSON or SARIF report holds the full list. Every clause a rule ran for has a
row, so a clean clause reads as "checked" rather than "forgotten". The
scorecard follows for the whole run, its chapters and groups (the per-clause
lines would repeat the table above): clauses breached, score, band and why
it is capped, findings failing the run (``clausewise.scorecard``); then the
distribution of each computed grade; both are left out when the policy has
none. Under the verdict, the run's warnings, each a quoted line starting ⚠️
(an as-of before the export's latest timestamp, rules not evaluated, columns
no field declares, optional columns missing).

After a comparison with a recorded run, a section counts new, persisting and
resolved findings per clause and each finding says which it is; with
waivers, a section lists each waiver with what became of it (used, unused,
expired) and a waived finding's status names its waiver.

Cells are escaped: finding messages quote export data, and a ``|`` or a line
break in a cell would otherwise break the table.
"""

from __future__ import annotations

import html
from typing import TextIO

from ..i18n import N_, NC_, Words
from ..model import Finding, RunResult
from ..scorecard import OVERALL, ScoreLine, scorecard
from . import cycle
from . import words as wording
from .common import natural, ran_rules, record_label

MAX_FINDINGS = 100
_WORDS = Words({
    "full_stop": NC_("end of a sentence", "."),
    "head": N_("{mark} clausewise: {title}"),
    "meta": N_("Policy `{policy}` {version} · as of {as_of} ({source}, {timezone}) · fail on `{fail_on}`"),
    "period": N_("Audit period {period} ({source})"),
    "pass": N_("**Passed**: no finding at or above `{fail_on}`."),
    "fail": N_("**Failed**: {n} at or above `{fail_on}`."),
    "pass_never": N_("**Passed**: nothing fails the run (fail on `never`)."),
    "by_clause": N_("By clause"), "findings": N_("Findings"), "none": N_("No findings."),
    "clause": N_("Clause"), "title": N_("Title"), "violations": N_("Violations"), "warnings": N_("Warnings"), "invalid": N_("Invalid"),
    "rule": N_("Rule"), "record": N_("Record"), "row": N_("Row"), "status": N_("Status"), "severity": N_("Severity"), "message": N_("Message"),
    "capped": N_("_Showing the {shown} most severe of {total}; the `json` or `sarif` format lists them all._"),
    "scorecard": N_("Scorecard"), "scope": N_("Scope"), "id": N_("Id"), "breached": N_("Clauses breached"), "score": N_("Score"),
    "band": N_("Band"), "failing": N_("Failing"), "chapter": N_("chapter"), "overall": N_("overall"), "band_capped": N_("{band} (capped: {why})"),
    "caps": {"critical": N_("critical breach"), "high": N_("high breach"), "medium": N_("medium breach"), "low": N_("low breach"),
             "fails": N_("fails the run")},
    "grades": N_("Grades"), "column": N_("Computed value"), "distribution": N_("Distribution"),
    "since": N_("Since run {run}"), "since_none": N_("Since the last run"), "new": N_("New"), "persisting": N_("Persisting"),
    "resolved": N_("Resolved"), "state": N_("Since"), "waivers": N_("Waivers"), "waiver": N_("Waiver"), "waiver_state": N_("State"),
    "waived": N_("Waived"), "approved_by": N_("Approved by"), "reason": N_("Reason"), "expires": N_("Expires"),
    "waiver_states": {"used": N_("used"), "unused": N_("unused"), "expired": N_("expired")}, "waived_by": N_("{status}, waived {id}"),
})
_COUNTED = ("violation", "warning", "invalid")


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    words = _WORDS[result.lang]
    parts = [_headline(result, fail_on, words), _by_clause(result, words), _since(result, words),
             _waivers(result, words), _scorecard(result, fail_on, words), _grades(result, words), _findings(result, words)]
    out.write("\n\n".join(part for part in parts if part) + "\n")


def _headline(result: RunResult, fail_on: str, words) -> str:
    failing = result.failing_count(fail_on)
    counts = result.counts()
    lang = result.lang
    threshold = wording.fail_on(fail_on, lang)
    if failing:
        verdict = words["fail"].format(n=wording.count(failing, "finding", lang), fail_on=threshold)
    else:
        verdict = words["pass_never" if fail_on == "never" else "pass"].format(fail_on=threshold)
    totals = wording.counts([(counts["violation"], "violation"), (counts["warning"], "warning"),
                             (counts["invalid"], "invalid value")], lang, keep_zero=True)
    return "\n\n".join([
        "## " + words["head"].format(mark="❌" if failing else "✅", title=cell(result.policy.title.get(lang))),
        words["meta"].format(
            policy=result.policy.id, version=result.policy.version, as_of=result.as_of.isoformat(sep=" "),
            source=result.as_of_reason(), timezone=result.policy.timezone, fail_on=threshold,
        ) + (" · " + words["period"].format(period=result.period.label, source=cell(result.period_reason()))
             if result.period is not None else ""),
        *(f"> ⚠️ {cell(text)}" for text in result.warnings),
        verdict,
        totals + words["full_stop"],
        *(cell(line) for line in cycle.lines(result)),
    ])


def _since(result: RunResult, words) -> str:
    """New, persisting and resolved findings per clause, after a comparison with a recorded run."""
    base = result.baseline
    if base is None:
        return ""
    title = words["since"].format(run=base.run_id) if base.run_id else words["since_none"]
    states = ("new", "persisting", "resolved")
    rows = [[cell(clause), *(str(counts.get(s, 0)) for s in states)]
            for clause, counts in sorted(base.by_clause.items(), key=lambda item: natural(item[0]))]
    return f"### {title}\n\n" + _table([words["clause"], *(words[s] for s in states)], rows, numeric=3)


def _waivers(result: RunResult, words) -> str:
    if not result.waivers:
        return ""
    headers = [words[h] for h in ("waiver", "waiver_state", "waived", "approved_by", "reason", "expires")]
    rows = [[cell(u.waiver.id), words["waiver_states"][u.state], str(u.waived), cell(u.waiver.approved_by),
             cell(u.waiver.reason), u.waiver.expires.isoformat()] for u in result.waivers]
    return f"### {words['waivers']}\n\n" + _table(headers, rows)


def _by_clause(result: RunResult, words) -> str:
    counts = {rule.clause: dict.fromkeys(_COUNTED, 0) for rule in ran_rules(result)}
    for (clause, status), n in result.findings.tally("clause", "status").items():
        counts.setdefault(clause, dict.fromkeys(_COUNTED, 0))[status] += n
    rows = [
        [cell(clause), cell(result.policy.clauses[clause].title.get(result.lang)), *map(str, n.values())]
        for clause, n in sorted(counts.items(), key=lambda item: natural(item[0]))
    ]
    headers = [words[h] for h in ("clause", "title", "violations", "warnings", "invalid")]
    return f"### {words['by_clause']}\n\n" + _table(headers, rows, numeric=3)


def _scorecard(result: RunResult, fail_on: str, words) -> str:
    lines = [line for line in scorecard(result, fail_on) if line.scope != "clause"]
    if not lines:
        return ""
    headers = [words[h] for h in ("scope", "id", "title", "breached", "score", "band", "failing")]
    rows = [_score_row(result, line, words) for line in lines]
    return f"### {words['scorecard']}\n\n" + _table(headers, rows, numeric=4)


def _score_row(result: RunResult, line: ScoreLine, words) -> list[str]:
    scope = words.get(line.scope, line.scope) if line.scope in (OVERALL, "chapter") else line.scope
    ident = "" if line.scope == OVERALL else line.id
    scored = sum(n for state, n in line.clauses.items() if state != "not_examined")
    score = "—" if line.score is None else f"{line.score:.1f}"
    band = line.band or "—"
    if line.capped:
        band = words["band_capped"].format(band=band, why=words["caps"][line.capped])
    return [cell(scope), cell(ident), cell(line.title), f"{line.clauses.get('breached', 0)} / {scored}", score,
            cell(band), str(line.failing)]


def _grades(result: RunResult, words) -> str:
    dist = result.grades.distribution()
    if not dist:
        return ""
    rows = [[f"`{column}`", cell(" · ".join(f"{grade} {n}" for grade, n in counts.items()))] for column, counts in dist.items()]
    return f"### {words['grades']}\n\n" + _table([words["column"], words["distribution"]], rows)


def _findings(result: RunResult, words) -> str:
    if not result.findings:
        return f"### {words['findings']}\n\n{words['none']}"
    # Within a severity the engine's order (clause, rule, record) stays.
    shown = result.findings.where(worst_first=True, limit=MAX_FINDINGS)
    compared = result.baseline is not None
    names = ("clause", "rule", "record", "row", "status", "severity", *(["state"] if compared else []), "message")
    rows = [_finding_row(result, f, words, compared) for f in shown]
    text = f"### {words['findings']}\n\n" + _table([words[h] for h in names], rows)
    if len(result.findings) > MAX_FINDINGS:
        text += "\n\n" + words["capped"].format(shown=MAX_FINDINGS, total=wording.count(len(result.findings), "finding", result.lang))
    return text


def _finding_row(result: RunResult, f: Finding, words, compared: bool) -> list[str]:
    row = "" if f.row is None else str(f.row)
    status = wording.status(f.status, result.lang)
    if f.waiver:
        status = words["waived_by"].format(status=status, id=cell(f.waiver["id"]))
    state = [cycle.state_word(result, f.baseline)] if compared else []
    return [cell(f.clause), f"`{f.rule}`", cell(record_label(f)), row, status, wording.severity(f.severity, result.lang),
            *state, cell(f.message)]


def _table(headers: list[str], rows: list[list[str]], numeric: int = 0) -> str:
    """A GitHub-flavoured table; the last ``numeric`` columns align right."""
    align = ["---"] * (len(headers) - numeric) + ["--:"] * numeric
    lines = [headers, align, *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def cell(text: str) -> str:
    """Text safe inside a table cell: no HTML, no column break, no line break."""
    # Backslashes first, so that one written before a pipe cannot cancel the pipe's escape.
    escaped = html.escape(text, quote=False).replace("\\", "\\\\").replace("|", "\\|")
    return escaped.replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")
