"""``html``: one self-contained page for a compliance officer's monthly review.

The page has to open the same way offline, mailed as an attachment or archived
for years, so everything is inline and its Content-Security-Policy forbids
loading anything else: no fonts, no images, no chart library from a CDN. The
charts are SVG drawn from the numbers here, so nothing has to run before a
number can be read, and printing works. The little JavaScript there is filters
and sorts the findings table, keeping the filters in the URL fragment
(``report.html#severity=critical``) so that a view can be shared as a link.

Messages and evidence quote export data, so the template is rendered with
autoescaping: a cell holding ``<script>`` stays text. This module only turns a
RunResult into plain values (counts, bar widths, labels in the run's
language); the layout lives in ``templates/report.html.j2``.

With the monthly cycle the page gains: what changed since the recorded run
the audit was compared with (new, persisting and resolved per clause, a state
badge on each finding and a filter for it, the resolved findings), the
waivers and what became of them (a waived finding carries a badge naming its
waiver, with the reason), and a trend chart of findings per clause over the
recorded runs of the policy, one small line per clause.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, TextIO

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..i18n import N_, Words
from ..model import BASELINE_STATES, SEVERITIES, STATUSES, Finding, RunResult, severity_rank
from ..scorecard import OVERALL, ScoreLine, scorecard
from . import cycle
from . import words as wording
from .common import chapter_title, export_position, natural, ran_rules, record_label
from .grades import reason as grade_reason

_ENV = Environment(
    loader=PackageLoader("clausewise.report", "templates"),
    autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
)
LANG_TAGS = {"en": "en", "zh": "zh-CN"}
# Bar segments, worst first; early warnings last, as they fail nothing.
SEGMENTS = (*SEVERITIES, "warning")
# Band colours from the best band to the worst; a policy's bands are spread over them.
BAND_COLOURS = 5
# The findings table shows at most this many (in the run's order); the JSON and SARIF formats list them all.
MAX_FINDINGS = 5_000
_WORDS = Words({
    "report": N_("Compliance report"), "as_of": N_("as of"), "as_of_label": N_("As of"), "nav_summary": N_("Summary"), "nav_clauses": N_("By clause"),
    "nav_scorecard": N_("Scorecard"), "nav_grades": N_("Grades"), "nav_findings": N_("Findings"),
    "nav_run": N_("Run"), "violations": N_("Violations"), "warnings": N_("Early warnings"), "invalid": N_("Invalid values"),
    "rules_run": N_("Rules run"), "records": N_("Records examined"), "checks": N_("{n}"),
    "passed": N_("Passed"), "failed": N_("Failed"), "verdict_pass": N_("no finding at or above “{fail_on}”"),
    "verdict_fail": N_("{n} at or above “{fail_on}”"), "exit": N_("exit code {code}"),
    "verdict_never": N_("nothing fails the run (fail on “never”)"),
    "by_severity": N_("Findings by severity"), "by_clause": N_("Findings by chapter and clause"),
    "no_findings": N_("No findings."), "clause": N_("Clause"), "chapter": N_("Chapter"),
    "scorecard": N_("Compliance scorecard"), "scorecard_note": N_("Each clause is compliant, compliant with warnings or "
    "waivers, or breached at its worst severity, and scores 100 × (1 − the weight of its state); a chapter and the "
    "whole run score the mean of their clauses. A breach caps the band (a critical one at the lowest), and a scope "
    "holding a finding that fails the run is never in the best band."), "score": N_("Score"), "band": N_("Band"),
    "examined": N_("Examined"), "overall": N_("All clauses"), "breached": N_("Clauses breached"), "failing": N_("Failing"),
    "waived_n": N_("Waived"), "band_capped": N_("capped: {why}"), "score_states": {"breached": N_("breached"), "waived": N_("compliant with waivers"),
    "warned": N_("compliant with warnings"), "compliant": N_("compliant"), "not_examined": N_("not examined")},
    "caps": {"critical": N_("critical breach"), "high": N_("high breach"), "medium": N_("medium breach"), "low": N_("low breach"),
             "fails": N_("fails the run")},
    "clauses": N_("Clauses"), "no_score": N_("nothing examined"), "grades": N_("Grades"), "grade": N_("Grade"),
    "grade_list": N_("Computed values and why ({n})"), "grade_capped": N_("The first {shown} of {total} are listed; "
    "clausewise grades --format json lists them all."), "column": N_("Value"), "result": N_("Result"), "reason": N_("Why"),
    "count": N_("Records"), "share": N_("Share of records"), "findings": N_("Findings"), "search": N_("Search"), "search_hint": N_("rule, record, message, evidence…"),
    "status": N_("Status"), "severity": N_("Severity"), "all": N_("All"), "rule": N_("Rule"), "record": N_("Record"),
    "message": N_("Message"), "shown": N_("{shown} of {total} shown"), "no_match": N_("No finding matches the filters."),
    "capped": N_("This page lists the first {shown} of {total} findings; the json, jsonl, csv and sarif formats list them all."),
    "dataset": N_("Dataset"), "row": N_("Row"), "due_at": N_("Due at"), "evidence": N_("Evidence"), "source": N_("Source"),
    "kind": N_("Kind"), "title": N_("Title"), "never": N_("examined no record"), "run": N_("Run"),
    "not_evaluated": N_("not evaluated: every record in scope had an unreadable value"), "unjudged": N_("Not judged"),
    "extra_columns": N_("Columns not declared"), "missing_columns": N_("Optional columns missing"),
    "policy": N_("Policy"), "version": N_("Version"), "hash": N_("Content hash"), "as_of_source": N_("As-of source"), "period": N_("Audit period"),
    "timezone": N_("Timezone"), "fail_on": N_("Fail on"), "export_dir": N_("Export folder"), "engine": N_("Engine"),
    "language": N_("Language"), "data_files": N_("Data files"), "path": N_("File"), "format": N_("Format"),
    "encoding": N_("Encoding"), "rows": N_("Rows"), "rules_list": N_("Rules run"),
    "statuses": {"violation": N_("violation"), "warning": N_("early warning"), "invalid": N_("invalid value")},
    "severities": {"critical": N_("critical"), "high": N_("high"), "medium": N_("medium"), "low": N_("low"), "warning": N_("early warning")},
    "nav_cycle": N_("Since last run"), "nav_trend": N_("Trend"), "cycle": N_("Since the last run and waivers"),
    "since": N_("Since"), "states": {"new": N_("new"), "persisting": N_("persisting"), "resolved": N_("resolved")},
    "waivers": N_("Waivers"), "waiver": N_("Waiver"), "waiver_state": N_("State"), "waived": N_("Waived"),
    "waived_detail": N_("{n} waived"), "matched": N_("Matched"), "approved_by": N_("Approved by"), "reason": N_("Reason"),
    "reference": N_("Reference"), "expires": N_("Last day"),
    "waiver_states": {"used": N_("used"), "unused": N_("unused"), "expired": N_("expired")},
    "waived_badge": N_("waived {id}"), "resolved_list": N_("Resolved findings ({n})"),
    "trend": N_("Findings per clause over the recorded runs"), "trend_note": N_("Each line is one clause, scaled to its "
    "own largest count; the numbers are all findings (violations, early warnings, invalid values)."),
    "total": N_("All clauses"), "this_run": N_("this audit"), "run_n": N_("run {id}"),
})


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    for part in _ENV.get_template("report.html.j2").generate(context(result, fail_on)):
        out.write(part)


def context(result: RunResult, fail_on: str) -> dict[str, Any]:
    """Everything the template shows, as plain values."""
    words = _WORDS[result.lang]
    return {
        "t": words,
        "lang": LANG_TAGS[result.lang],
        "title": result.policy.title.get(result.lang),
        "meta": {**result.meta(), "as_of_source": result.as_of_reason(), "period_source": result.period_reason()},
        "fail_on": fail_on,
        "fail_on_text": wording.fail_on(fail_on, result.lang),
        "headline": _headline(result, fail_on),
        "donut": _donut(_segments(result)),
        "chapters": _chapters(result),
        "scorecard": _scorecard(result, fail_on),
        "grades": _grades(result),
        "grade_values": _grade_values(result),
        "findings": [_finding(result, f) for f in result.findings.where(limit=MAX_FINDINGS)],
        "total": len(result.findings),
        "clauses": sorted(result.findings.tally("clause"), key=natural),
        "severities": SEVERITIES,
        "segments": SEGMENTS,
        "rules": _rules(result),
        "cycle": _cycle(result),
        "compared": result.baseline is not None,
        "trend": _trend(result),
    }


# ---- headline and findings by clause -----------------------------------------


def _headline(result: RunResult, fail_on: str) -> dict[str, Any]:
    words = _WORDS[result.lang]
    failing = result.failing_count(fail_on)
    checks = sum(s.examined for s in result.stats.values())
    threshold = wording.fail_on(fail_on, result.lang)
    if failing:
        verdict = words["verdict_fail"].format(n=wording.count(failing, "finding", result.lang), fail_on=threshold)
    else:
        verdict = words["verdict_never" if fail_on == "never" else "verdict_pass"].format(fail_on=threshold)
    return {
        **result.counts(),
        "failing": failing,
        "verdict": verdict,
        "waived": result.waived_count(),
        "exit_code": result.exit_code(fail_on),
        "rules": len(ran_rules(result)),
        "records": sum(d.rows for d in result.data_files),
        "checks": words["checks"].format(n=wording.count(checks, "record check", result.lang)),
    }


def _segments(result: RunResult, *keys: str) -> dict[tuple, Counter]:
    """Findings counted by ``keys`` and by bar segment: their severity, or ``warning`` for an early warning."""
    out: dict[tuple, Counter] = {}
    for (*group, status, severity), n in result.findings.tally(*keys, "status", "severity").items():
        counts = out.setdefault(tuple(group), Counter())
        # An early warning's status and segment are the same key, counted once.
        counts.update({key: n for key in {status, "warning" if status == "warning" else severity}})
    return out if keys else out.get((), Counter())


def _donut(counts: Counter) -> dict[str, Any]:
    """Arcs of a ring whose circumference is 100, so an arc's length is its percentage."""
    total = sum(counts[key] for key in SEGMENTS)
    arcs, start = [], 0.0
    for key in SEGMENTS:
        share = 100 * counts[key] / total if total else 0
        if share:
            arcs.append({"key": key, "n": counts[key], "length": round(share, 3), "offset": round(25 - start, 3)})
        start += share
    return {"total": total, "arcs": arcs}


def _chapters(result: RunResult) -> list[dict[str, Any]]:
    """Chapters, each with its clauses, counted per status and bar segment, on one scale."""
    counts = {rule.clause: Counter() for rule in ran_rules(result)}
    for (clause,), tally in _segments(result, "clause").items():
        counts[clause] = counts.get(clause, Counter()) + tally
    by_chapter: dict[str, list[str]] = {}
    for clause in sorted(counts, key=natural):
        by_chapter.setdefault(result.policy.clauses[clause].chapter, []).append(clause)
    totals = {ch: sum((counts[c] for c in clauses), Counter()) for ch, clauses in by_chapter.items()}
    scale = max((sum(t[k] for k in SEGMENTS) for t in totals.values()), default=0)
    return [
        {**_bar_row(ch, chapter_title(result, ch), totals[ch], scale),
         "clauses": [_bar_row(c, result.policy.clauses[c].title.get(result.lang), counts[c], scale)
                     for c in clauses if clauses != [ch]]}
        for ch, clauses in by_chapter.items()
    ]


def _bar_row(ident: str, title: str, counts: Counter, scale: int) -> dict[str, Any]:
    return {"id": ident, "title": title, "counts": {s: counts[s] for s in STATUSES},
            "total": sum(counts[k] for k in SEGMENTS), "bar": _stack(counts, scale)}


def _stack(counts: Counter, scale: int) -> list[dict[str, Any]]:
    """Segments of a stacked bar 100 units long at ``scale`` findings."""
    out, x = [], 0.0
    for key in SEGMENTS:
        if counts[key]:
            width = 100 * counts[key] / scale
            out.append({"key": key, "n": counts[key], "x": round(x, 3), "width": round(width, 3)})
            x += width
    return out


# ---- scorecard and grades -------------------------------------------------------


def _scorecard(result: RunResult, fail_on: str) -> dict[str, Any] | None:
    lines = scorecard(result, fail_on)
    if not lines:
        return None
    colours = _band_colours(result.policy.scorecard.bands)
    groups: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        groups.setdefault(line.scope, []).append(_score_row(result, line, colours))
    overall = groups.pop(OVERALL, [])
    return {
        "chapters": overall + groups.pop("chapter", []),
        "clauses": groups.pop("clause", []),
        "groups": groups,
        "ticks": sorted({round(low, 3) for low in result.policy.scorecard.bands.values() if 0 < low < 100}),
    }


def _band_colours(bands: dict[str, float]) -> dict[str, int]:
    """Band name → colour index, 0 for the best band and ``BAND_COLOURS - 1`` for the worst."""
    names = [name for name, _ in sorted(bands.items(), key=lambda b: -b[1])]
    last = max(len(names) - 1, 1)
    return {name: round(i * (BAND_COLOURS - 1) / last) for i, name in enumerate(names)}


def _score_row(result: RunResult, line: ScoreLine, colours: dict[str, int]) -> dict[str, Any]:
    words = _WORDS[result.lang]
    scored = sum(n for state, n in line.clauses.items() if state != "not_examined")
    return {"id": "" if line.scope == OVERALL else line.id,
            "title": words["overall"] if line.scope == OVERALL else _scope_title(result, line),
            "overall": line.scope == OVERALL, "examined": line.examined, "findings": line.findings,
            "warnings": line.warnings, "waived": line.waived, "score": line.score, "band": line.band,
            "state": words["score_states"][line.state], "state_key": line.state,
            "breached": f"{line.clauses.get('breached', 0)} / {scored}", "failing": line.failing,
            "capped": words["band_capped"].format(why=words["caps"][line.capped]) if line.capped else "",
            "colour": colours.get(line.band, BAND_COLOURS - 1)}


def _scope_title(result: RunResult, line: ScoreLine) -> str:
    """A clause's or chapter's title (a chapter's is its clause's, if it has one); a group value has none."""
    return line.title if line.scope in ("clause", "chapter") else ""


def _grades(result: RunResult) -> list[dict[str, Any]]:
    """One bar chart per computed column; bands in the policy's order, each shown even when empty."""
    charts = []
    for column, counts in result.grades.distribution().items():
        dataset, name = column.split(".", 1)
        order = result.policy.datasets[dataset].fields[name].values
        counts = {**dict.fromkeys(order, 0), **counts}
        scale = max(counts.values())
        bars = [{"value": value, "n": n, "width": round(100 * n / scale, 3)} for value, n in counts.items()]
        charts.append({"column": column, "total": sum(counts.values()), "bars": bars})
    return charts


# Records whose computed values the page lists at most; clausewise grades --format json lists them all.
MAX_GRADES = 1_000


def _grade_values(result: RunResult) -> dict[str, Any] | None:
    """Each record's computed values with their reasons, for the first MAX_GRADES records."""
    total = len(result.grades) if result.grades else 0
    if not total:
        return None
    lang = result.lang
    rows = [{"dataset": g.dataset, "record": g.key or "", "column": name, "value": _value(value, lang),
             "reason": grade_reason(g, name)}
            for g in result.grades.where(limit=MAX_GRADES) for name, value in g.values.items()]
    return {"rows": rows, "total": wording.count(total, "record", lang),
            "shown": wording.count(min(total, MAX_GRADES), "record", lang), "capped": total > MAX_GRADES}


# ---- findings table and rules ---------------------------------------------------


def _finding(result: RunResult, f: Finding) -> dict[str, Any]:
    position = export_position(result, f)
    source = None if position is None else position[0] + ("" if position[1] is None else f":{position[1]}")
    return {
        "clause": f.clause, "rule": f.rule, "record": record_label(f), "dataset": f.dataset, "row": f.row,
        "status": f.status, "status_rank": STATUSES.index(f.status),
        "severity": f.severity, "severity_rank": severity_rank(f.severity), "message": f.message,
        "due_at": f.due_at.isoformat(sep=" ") if f.due_at else None,
        "evidence": [(name, _value(wording.evidence_value(name, value, result.lang), result.lang))
                     for name, value in f.evidence.items()],
        "source": source,
        "waiver": f.waiver, "since": f.baseline,
    }


def _value(value: Any, lang: str = "en") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return wording.boolean(value, lang)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _rules(result: RunResult) -> list[dict[str, Any]]:
    return [
        {"id": r.id, "clause": r.clause, "kind": r.kind, "severity": r.severity, "title": r.title.get(result.lang),
         **result.stats[r.id].to_dict()}
        for r in ran_rules(result)
    ]


# ---- the monthly cycle: baseline, waivers, trend --------------------------------

# Resolved findings listed on the page at most; the json format lists them all.
MAX_RESOLVED = 500


def _cycle(result: RunResult) -> dict[str, Any] | None:
    """The comparison with the baseline run and the waivers, when the audit had either."""
    if result.baseline is None and not result.waivers:
        return None
    base = result.baseline
    by_clause = [] if base is None else [
        {"clause": clause, **{s: counts.get(s, 0) for s in BASELINE_STATES}}
        for clause, counts in sorted(base.by_clause.items(), key=lambda item: natural(item[0]))
    ]
    resolved = [] if base is None else list(_first(base.resolved, MAX_RESOLVED))
    return {
        "lines": cycle.lines(result),
        "by_clause": by_clause,
        "resolved": [_finding(result, f) for f in resolved],
        "resolved_total": base.totals()["resolved"] if base else 0,
        "waivers": [{**u.to_dict(), "reference": u.waiver.reference or "—"} for u in result.waivers],
    }


def _first(findings, n: int):
    where = getattr(findings, "where", None)
    return where(limit=n) if where else list(findings)[:n]


def _trend(result: RunResult) -> dict[str, Any] | None:
    """Per clause, its findings in each recorded run (oldest first) and a line 100 wide, 20 high, through them."""
    points = result.trend
    if len(points) < 2:
        return None
    words = _WORDS[result.lang]
    clauses = sorted({c for p in points for c in p.counts}, key=natural)
    runs = [{"label": p.as_of.date().isoformat(), "period": p.period,
             "run": words["this_run"] if p.run_id is None else words["run_n"].format(id=p.run_id)} for p in points]
    rows = [_trend_row(words["total"], "", [p.total() for p in points])]
    rows += [_trend_row(c, result.policy.clauses[c].title.get(result.lang) if c in result.policy.clauses else "",
                        [p.total(c) for p in points]) for c in clauses]
    return {"runs": runs, "rows": rows}


def _trend_row(ident: str, title: str, counts: list[int]) -> dict[str, Any]:
    top = max(counts) or 1
    step = 100 / (len(counts) - 1)
    points = " ".join(f"{round(i * step, 3)},{round(20 - 18 * n / top - 1, 3)}" for i, n in enumerate(counts))
    return {"id": ident, "title": title, "counts": counts, "points": points}
