"""An explanation as text a compliance officer can follow on one screen."""

from __future__ import annotations

import re
from datetime import datetime

from ..model import Explanation
from .grades import explain as explain_breakdown

_WORDS = {
    "en": {
        "rule": "Rule", "kind": "kind", "severity": "severity", "written": "As written", "params": "Parameters",
        "record": "Record", "row": "row", "conditions": "Conditions, for this record", "clock": "Clock",
        "grades": "Computed values", "verdict": "Verdict", "scope_no": "not examined: the rule's scope (when) does not hold",
        "start": "started", "stop": "stopped", "end": "judged at", "due": "due", "warn": "warning from",
        "event": "event", "next": "next event / as of", "true": "true", "false": "false", "null": "unknown (empty value)",
        "group": "this rule judges groups; the record is in {group}", "all": "all records",
        "elapsed": "elapsed", "allowed": "allowed:", "as_of": "as of", "dupes": "{n} records have this key; the first is shown",
        "verdicts": {"violation": "VIOLATION", "warning": "WARNING", "invalid": "INVALID DATA",
                     "compliant": "COMPLIANT", "not examined": "NOT EXAMINED"},
    },
    "zh": {
        "rule": "规则", "kind": "类型", "severity": "严重度", "written": "规则原文", "params": "参数",
        "record": "记录", "row": "行", "conditions": "条件（针对此记录）", "clock": "计时",
        "grades": "计算值", "verdict": "结论", "scope_no": "不在检查范围内：规则的适用条件（when）不成立",
        "start": "开始", "stop": "停止", "end": "判定时点", "due": "截止", "warn": "预警起点",
        "event": "事件", "next": "下一事件 / 截至时点", "true": "是", "false": "否", "null": "未知（值为空）",
        "group": "此规则按组判定；该记录属于 {group}", "all": "全部记录",
        "elapsed": "已用时", "allowed": "时限", "as_of": "截至", "dupes": "有 {n} 条记录使用此键，显示第一条",
        "verdicts": {"violation": "违规", "warning": "预警", "invalid": "数据无效",
                     "compliant": "合规", "not examined": "未检查"},
    },
}
_LABELS = {"start": "start", "stop": "stop", "end": "end", "due": "due", "warn": "warn", "event": "event", "next": "next"}


def write(ex: Explanation, lang: str = "en") -> str:
    w = _WORDS[lang]
    rule = ex.rule
    parts = [
        f"{w['rule']} {rule.id} — {rule.title.get(lang)} ({rule.clause}) · {w['kind']} {rule.kind} · "
        f"{w['severity']} {rule.severity} · {w['as_of']} {_value(ex.as_of, w)}",
        f"{w['written']} ({rule.location}):\n{ex.rule_text}" if ex.rule_text else "",
        f"{w['params']}: " + ", ".join(f"${k} = {v}" for k, v in ex.parameters.items()) if ex.parameters else "",
        _record(ex, w),
        _steps(ex, w),
        _timeline(ex, w),
        _grades(ex, w),
        _verdict(ex, w),
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def _value(value, w) -> str:
    if value is None:
        return w["null"]
    if isinstance(value, bool):
        return w["true"] if value else w["false"]
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _record(ex: Explanation, w) -> str:
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", ex.rule_text))
    shown = {k: v for k, v in ex.record.items() if k in words}
    row = ex.record.get("__row")
    head = f"{w['record']} {ex.key}" + (f" ({w['row']} {row})" if row is not None else "")
    if ex.matches > 1:
        head += " · " + w["dupes"].format(n=ex.matches)
    return head + ": " + ", ".join(f"{k} = {_value(v, w)}" for k, v in shown.items())


def _steps(ex: Explanation, w) -> str:
    if not ex.steps:
        return ""
    width = max(len(s.text) for s in ex.steps if s.depth == 0) if ex.steps else 0
    lines = []
    for step in ex.steps:
        label = f"{step.key:<7}" if step.key else " " * 7
        text = ("  " * step.depth + step.text)
        lines.append(f"  {label}{text:<{max(width, 20)}}  → {_value(step.value, w)}")
    return w["conditions"] + ":\n" + "\n".join(lines)


def _timeline(ex: Explanation, w) -> str:
    if not ex.timeline:
        return ""
    lines = [f"  {w[_LABELS.get(name, name)]:<18}{_value(value, w)}" for name, value in ex.timeline if name in _LABELS]
    evidence = ex.findings[0].evidence if ex.findings else {}
    if "elapsed" in evidence:
        lines.append(f"  {w['elapsed']:<18}{evidence['elapsed']} ({w['allowed']} {evidence.get('allowed')})")
    return w["clock"] + ":\n" + "\n".join(lines)


def _grades(ex: Explanation, w) -> str:
    lines = [
        f"  {name} = {_value(value, w)}  ({explain_breakdown(g.breakdown.get(name))})"
        for g in ex.grades
        for name, value in g.values.items()
    ]
    return w["grades"] + ":\n" + "\n".join(lines) if lines else ""


def _verdict(ex: Explanation, w) -> str:
    head = f"{w['verdict']}: {w['verdicts'][ex.verdict]}"
    if ex.group is not None:
        label = ", ".join(f"{k}={v}" for k, v in ex.group.items()) or w["all"]
        head += f" · {w['group'].format(group=label)}"
    if not ex.in_scope and not ex.findings:
        return f"{head} — {w['scope_no']}"
    messages = [f.message for f in ex.findings]
    return head + ("".join(f"\n  {m}" for m in messages) if messages else "")
