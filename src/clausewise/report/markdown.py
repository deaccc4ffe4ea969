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
none.

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

from ..model import Finding, RunResult
from ..scorecard import OVERALL, ScoreLine, scorecard
from . import cycle
from . import words as wording
from .common import natural, ran_rules, record_label

MAX_FINDINGS = 100
_WORDS = {
    "en": {
        "head": "{mark} clausewise: {title}",
        "meta": "Policy `{policy}` {version} · as of {as_of} ({source}, {timezone}) · fail on `{fail_on}`",
        "period": "Audit period {period} ({source})",
        "pass": "**Passed**: no finding at or above `{fail_on}`.",
        "fail": "**Failed**: {n} at or above `{fail_on}`.",
        "pass_never": "**Passed**: nothing fails the run (fail on `never`).",
        "by_clause": "By clause", "findings": "Findings", "none": "No findings.",
        "clause": "Clause", "title": "Title", "violations": "Violations", "warnings": "Warnings", "invalid": "Invalid",
        "rule": "Rule", "record": "Record", "row": "Row", "status": "Status", "severity": "Severity", "message": "Message",
        "capped": "_Showing the {shown} most severe of {total}; the `json` or `sarif` format lists them all._",
        "scorecard": "Scorecard", "scope": "Scope", "id": "Id", "breached": "Clauses breached", "score": "Score",
        "band": "Band", "failing": "Failing", "chapter": "chapter", "overall": "overall", "band_capped": "{band} (capped: {why})",
        "caps": {"critical": "critical breach", "high": "high breach", "medium": "medium breach", "low": "low breach",
                 "fails": "fails the run"},
        "grades": "Grades", "column": "Computed value", "distribution": "Distribution",
        "since": "Since run {run}", "since_none": "Since the last run", "new": "New", "persisting": "Persisting",
        "resolved": "Resolved", "state": "Since", "waivers": "Waivers", "waiver": "Waiver", "waiver_state": "State",
        "waived": "Waived", "approved_by": "Approved by", "reason": "Reason", "expires": "Expires",
        "waiver_states": {"used": "used", "unused": "unused", "expired": "expired"}, "waived_by": "{status}, waived {id}",
    },
    "zh": {
        "head": "{mark} clausewise：{title}",
        "meta": "制度 `{policy}` {version} · 截至 {as_of}（{source}，{timezone}）· 阈值“{fail_on}”",
        "period": "审计期间 {period}（{source}）",
        "pass": "**通过**：没有问题达到阈值“{fail_on}”。",
        "fail": "**未通过**：{n}达到阈值“{fail_on}”。",
        "pass_never": "**通过**：阈值为“从不”，没有问题导致不通过。",
        "by_clause": "按条款", "findings": "发现", "none": "没有发现问题。",
        "clause": "条款", "title": "标题", "violations": "违规", "warnings": "预警", "invalid": "无效值",
        "rule": "规则", "record": "记录", "row": "行", "status": "状态", "severity": "严重度", "message": "说明",
        "capped": "_仅列出最严重的 {shown} 项（共 {total}）；`json` 或 `sarif` 格式列出全部。_",
        "scorecard": "合规评分", "scope": "范围", "id": "编号", "breached": "违反条款", "score": "得分",
        "band": "等级", "failing": "不通过", "chapter": "章节", "overall": "全部", "band_capped": "{band}（封顶：{why}）",
        "caps": {"critical": "严重违反", "high": "高级别违反", "medium": "中级别违反", "low": "低级别违反",
                 "fails": "导致不通过"},
        "grades": "评级", "column": "计算项", "distribution": "分布",
        "since": "与第 {run} 次运行相比", "since_none": "与上次运行相比", "new": "新增", "persisting": "持续",
        "resolved": "已解决", "state": "对比", "waivers": "豁免", "waiver": "豁免", "waiver_state": "状态",
        "waived": "已豁免", "approved_by": "批准人", "reason": "理由", "expires": "到期",
        "waiver_states": {"used": "已使用", "unused": "未使用", "expired": "已过期"}, "waived_by": "{status}，已豁免 {id}",
    },
}
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
        totals + ("。" if lang == "zh" else "."),
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
