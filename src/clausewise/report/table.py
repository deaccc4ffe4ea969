"""``table``: findings for a terminal, then a per-rule summary and the verdict.

A waived finding's status says so (``violation, waived W-1``); after a
comparison with a recorded run a column says whether each finding is new or
persisting. Before the verdict come the comparison's totals, the waivers'
summary and a line for each expired or unused waiver.
"""

from __future__ import annotations

from typing import TextIO

from tabulate import tabulate

from ..model import RunResult
from . import cycle, grades

_WORDS = {
    "en": {
        "findings": "Findings", "none": "No findings.", "rules": "Rules",
        "grades": "Grades (clausewise grades shows each one and how it was reached)", "scorecard": "Scorecard",
        "clause": "clause", "rule": "rule", "record": "record", "status": "status",
        "severity": "severity", "message": "message", "examined": "examined",
        "violations": "violations", "warnings": "warnings", "invalid": "invalid",
        "head": "{policy} {version} · as of {as_of} ({source}) · {files} data files, {rows} rows",
        "verdict": "{v} violations, {w} warnings, {i} invalid values · exit {code} (fail on {fail_on})",
        "statuses": {"violation": "violation", "warning": "warning", "invalid": "invalid"},
        "capped": "… the first {shown} of {total} findings; --format json, jsonl, csv or sarif lists them all",
        "since": "since", "waived": "{status}, waived {id}",
    },
    "zh": {
        "findings": "发现", "none": "没有发现问题。", "rules": "规则",
        "grades": "评级（clausewise grades 可查看每项结果及其计算过程）", "scorecard": "合规评分",
        "clause": "条款", "rule": "规则", "record": "记录", "status": "状态",
        "severity": "严重度", "message": "说明", "examined": "检查数",
        "violations": "违规", "warnings": "预警", "invalid": "无效值",
        "head": "{policy} {version} · 截至 {as_of}（{source}）· {files} 个数据文件，{rows} 行",
        "verdict": "违规 {v} 项，预警 {w} 项，无效值 {i} 项 · 退出码 {code}（阈值 {fail_on}）",
        "statuses": {"violation": "违规", "warning": "预警", "invalid": "无效"},
        "capped": "…… 仅列出前 {shown} 项（共 {total} 项）；--format json、jsonl、csv 或 sarif 列出全部",
        "since": "对比", "waived": "{status}，已豁免 {id}",
    },
}
MAX_MESSAGE = 100
# A terminal shows at most this many findings; the json, jsonl, csv and sarif formats list them all.
MAX_FINDINGS = 1_000


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    words = _WORDS[result.lang]
    parts = [_head(result, words), _findings(result, words), _rules(result, words)]
    parts += [p for p in (_grades(result, words), _scorecard(result, words), "\n".join(cycle.lines(result))) if p]
    parts.append(_verdict(result, words, fail_on))
    out.write("\n\n".join(parts) + "\n")


def _grades(result: RunResult, words) -> str:
    dist = result.grades.distribution()
    if not dist:
        return ""
    lines = [f"{k}: " + ", ".join(f"{g} {n}" for g, n in v.items()) for k, v in dist.items()]
    return words["grades"] + "\n" + "\n".join(lines)


def _scorecard(result: RunResult, words) -> str:
    if not result.scorecard():
        return ""
    return words["scorecard"] + "\n" + grades.scorecard_table(result, scopes=("chapter",))


def _head(result: RunResult, words) -> str:
    return words["head"].format(
        policy=result.policy.id, version=result.policy.version, as_of=result.as_of.isoformat(sep=" "),
        source=result.as_of_reason(), files=len(result.data_files), rows=sum(f.rows for f in result.data_files),
    )


def _record(f) -> str:
    if f.group:
        return ", ".join(f"{k}={v}" for k, v in f.group.items())
    return f.key if f.key is not None else f"row {f.row}"


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _findings(result: RunResult, words) -> str:
    if not result.findings:
        return words["none"]
    compared = result.baseline is not None
    rows = [
        (f.clause, f.rule, _record(f), _status(f, words), f.severity,
         *([cycle.state_word(result, f.baseline)] if compared else []), _short(f.message))
        for f in result.findings.where(limit=MAX_FINDINGS)
    ]
    names = ("clause", "rule", "record", "status", "severity", *(["since"] if compared else []), "message")
    headers = [words[h] for h in names]
    text = f"{words['findings']}\n" + tabulate(rows, headers=headers, tablefmt="simple")
    if len(result.findings) > MAX_FINDINGS:
        text += "\n" + words["capped"].format(shown=MAX_FINDINGS, total=len(result.findings))
    return text


def _status(f, words) -> str:
    status = words["statuses"][f.status]
    return words["waived"].format(status=status, id=f.waiver["id"]) if f.waiver else status


def _rules(result: RunResult, words) -> str:
    rows = [
        (rule, s.examined, s.violations, s.warnings, s.invalid)
        for rule, s in result.stats.items()
    ]
    headers = [words[h] for h in ("rule", "examined", "violations", "warnings", "invalid")]
    return f"{words['rules']}\n" + tabulate(rows, headers=headers, tablefmt="simple")


def _verdict(result: RunResult, words, fail_on: str) -> str:
    counts = result.counts()
    return words["verdict"].format(
        v=counts["violation"], w=counts["warning"], i=counts["invalid"],
        code=result.exit_code(fail_on), fail_on=fail_on,
    )
