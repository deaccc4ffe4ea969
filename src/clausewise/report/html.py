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
_WORDS = {
    "en": {
        "report": "Compliance report", "as_of": "as of", "as_of_label": "As of", "nav_summary": "Summary", "nav_clauses": "By clause",
        "nav_scorecard": "Scorecard", "nav_grades": "Grades", "nav_findings": "Findings",
        "nav_run": "Run", "violations": "Violations", "warnings": "Early warnings", "invalid": "Invalid values",
        "rules_run": "Rules run", "records": "Records examined", "checks": "{n}",
        "passed": "Passed", "failed": "Failed", "verdict_pass": "no finding at or above “{fail_on}”",
        "verdict_fail": "{n} at or above “{fail_on}”", "exit": "exit code {code}",
        "verdict_never": "nothing fails the run (fail on “never”)",
        "by_severity": "Findings by severity", "by_clause": "Findings by chapter and clause",
        "no_findings": "No findings.", "clause": "Clause", "chapter": "Chapter",
        "scorecard": "Compliance scorecard", "scorecard_note": "Each clause is compliant, compliant with warnings or "
        "waivers, or breached at its worst severity, and scores 100 × (1 − the weight of its state); a chapter and the "
        "whole run score the mean of their clauses. A breach caps the band (a critical one at the lowest), and a scope "
        "holding a finding that fails the run is never in the best band.", "score": "Score", "band": "Band",
        "examined": "Examined", "overall": "All clauses", "breached": "Clauses breached", "failing": "Failing",
        "waived_n": "Waived", "band_capped": "capped: {why}", "score_states": {"breached": "breached", "waived": "compliant with waivers",
        "warned": "compliant with warnings", "compliant": "compliant", "not_examined": "not examined"},
        "caps": {"critical": "critical breach", "high": "high breach", "medium": "medium breach", "low": "low breach",
                 "fails": "fails the run"},
        "clauses": "Clauses", "no_score": "nothing examined", "grades": "Grades", "grade": "Grade",
        "grade_list": "Computed values and why ({n})", "grade_capped": "The first {shown} of {total} are listed; "
        "clausewise grades --format json lists them all.", "column": "Value", "result": "Result", "reason": "Why",
        "count": "Records", "findings": "Findings", "search": "Search", "search_hint": "rule, record, message, evidence…",
        "status": "Status", "severity": "Severity", "all": "All", "rule": "Rule", "record": "Record",
        "message": "Message", "shown": "{shown} of {total} shown", "no_match": "No finding matches the filters.",
        "capped": "This page lists the first {shown} of {total} findings; the json, jsonl, csv and sarif formats list them all.",
        "dataset": "Dataset", "row": "Row", "due_at": "Due at", "evidence": "Evidence", "source": "Source",
        "kind": "Kind", "title": "Title", "never": "examined no record", "run": "Run",
        "policy": "Policy", "version": "Version", "hash": "Content hash", "as_of_source": "As-of source", "period": "Audit period",
        "timezone": "Timezone", "fail_on": "Fail on", "export_dir": "Export folder", "engine": "Engine",
        "language": "Language", "data_files": "Data files", "path": "File", "format": "Format",
        "encoding": "Encoding", "rows": "Rows", "rules_list": "Rules run",
        "statuses": {"violation": "violation", "warning": "early warning", "invalid": "invalid value"},
        "severities": {"critical": "critical", "high": "high", "medium": "medium", "low": "low", "warning": "early warning"},
        "nav_cycle": "Since last run", "nav_trend": "Trend", "cycle": "Since the last run and waivers",
        "since": "Since", "states": {"new": "new", "persisting": "persisting", "resolved": "resolved"},
        "waivers": "Waivers", "waiver": "Waiver", "waiver_state": "State", "waived": "Waived",
        "waived_detail": "{n} waived", "matched": "Matched", "approved_by": "Approved by", "reason": "Reason",
        "reference": "Reference", "expires": "Last day",
        "waiver_states": {"used": "used", "unused": "unused", "expired": "expired"},
        "waived_badge": "waived {id}", "resolved_list": "Resolved findings ({n})",
        "trend": "Findings per clause over the recorded runs", "trend_note": "Each line is one clause, scaled to its "
        "own largest count; the numbers are all findings (violations, early warnings, invalid values).",
        "total": "All clauses", "this_run": "this audit", "run_n": "run {id}",
    },
    "zh": {
        "report": "合规报告", "as_of": "截至", "as_of_label": "截至时间", "nav_summary": "概要", "nav_clauses": "按条款",
        "nav_scorecard": "合规评分", "nav_grades": "评级", "nav_findings": "发现",
        "nav_run": "运行信息", "violations": "违规", "warnings": "预警", "invalid": "无效值",
        "rules_run": "已运行规则", "records": "检查记录数", "checks": "共 {n}",
        "passed": "通过", "failed": "未通过", "verdict_pass": "没有达到阈值“{fail_on}”的问题",
        "verdict_fail": "{n}达到阈值“{fail_on}”", "exit": "退出码 {code}",
        "verdict_never": "阈值为“从不”，没有问题导致不通过",
        "by_severity": "按严重度", "by_clause": "按章节与条款",
        "no_findings": "没有发现问题。", "clause": "条款", "chapter": "章节",
        "scorecard": "合规评分", "scorecard_note": "每个条款或合规、或有预警或豁免而合规、或按最严重的问题判为违反，"
        "得分 = 100 ×（1 − 该状态的权重）；章节与全部条款的得分为其条款得分的平均值。违反会限制等级（严重违反最低），"
        "含有导致不通过的问题的范围不会处于最高等级。",
        "score": "得分", "band": "等级", "examined": "检查数", "clauses": "条款", "no_score": "没有检查记录",
        "overall": "全部条款", "breached": "违反条款", "failing": "不通过", "waived_n": "已豁免", "band_capped": "封顶：{why}",
        "score_states": {"breached": "违反", "waived": "合规（有豁免）", "warned": "合规（有预警）", "compliant": "合规",
                   "not_examined": "未检查"},
        "caps": {"critical": "严重违反", "high": "高级别违反", "medium": "中级别违反", "low": "低级别违反", "fails": "导致不通过"},
        "grades": "评级", "grade": "评级", "count": "记录数", "findings": "发现",
        "grade_list": "计算值及原因（{n}）", "grade_capped": "列出前 {shown}（共 {total}）；clausewise grades --format json 列出全部。",
        "column": "计算项", "result": "结果", "reason": "原因",
        "search": "搜索", "search_hint": "规则、记录、说明、依据……", "status": "状态", "severity": "严重度",
        "all": "全部", "rule": "规则", "record": "记录", "message": "说明",
        "shown": "显示 {shown} / {total} 项", "no_match": "没有符合筛选条件的发现。",
        "capped": "本页列出前 {shown} 项（共 {total} 项）；json、jsonl、csv 和 sarif 格式列出全部。",
        "dataset": "数据集", "row": "行", "due_at": "期限", "evidence": "依据", "source": "位置",
        "kind": "类型", "title": "标题", "never": "没有检查任何记录", "run": "运行信息",
        "policy": "制度", "version": "版本", "hash": "内容哈希", "as_of_source": "截至时间来源", "period": "审计期间",
        "timezone": "时区", "fail_on": "阈值", "export_dir": "导出目录", "engine": "引擎",
        "language": "语言", "data_files": "数据文件", "path": "文件", "format": "格式",
        "encoding": "编码", "rows": "行数", "rules_list": "已运行规则",
        "statuses": {"violation": "违规", "warning": "预警", "invalid": "无效值"},
        "severities": {"critical": "严重", "high": "高", "medium": "中", "low": "低", "warning": "预警"},
        "nav_cycle": "与上次相比", "nav_trend": "趋势", "cycle": "与上次运行相比及豁免",
        "since": "对比", "states": {"new": "新增", "persisting": "持续", "resolved": "已解决"},
        "waivers": "豁免", "waiver": "豁免", "waiver_state": "状态", "waived": "已豁免",
        "waived_detail": "已豁免 {n} 项", "matched": "匹配", "approved_by": "批准人", "reason": "理由",
        "reference": "依据", "expires": "最后一天",
        "waiver_states": {"used": "已使用", "unused": "未使用", "expired": "已过期"},
        "waived_badge": "已豁免 {id}", "resolved_list": "已解决的问题（{n} 项）",
        "trend": "各条款问题数随已记录运行的变化", "trend_note": "每条线为一个条款，按其自身最大值缩放；数字为全部问题（违规、预警、无效值）。",
        "total": "全部条款", "this_run": "本次审计", "run_n": "第 {id} 次",
    },
}


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
