"""An explanation as text a compliance officer can follow on one screen.

A record's explanation walks through the rule's conditions, its clock and its
computed values; a group's (an aggregate rule's period or group) shows the
metric, the threshold and the records in scope; a data-quality explanation
lists each cell that did not fit its declared type, with what was expected.
Severities, verdicts and durations are in the run's language.
"""

from __future__ import annotations

import re
from datetime import datetime

from ..i18n import N_, Words
from ..model import Explanation
from . import words as wording
from .common import record_place
from .grades import explain as explain_breakdown
from .grades import reason as grade_reason

_WORDS = Words({
    "rule": N_("Rule"), "kind": N_("kind"), "severity": N_("severity"), "written": N_("As written"), "params": N_("Parameters"),
    "record": N_("Record"), "row": N_("row"), "conditions": N_("Conditions, for this record"), "clock": N_("Clock"),
    "grades": N_("Computed values"), "verdict": N_("Verdict"), "scope_no": N_("not examined: the rule's scope (when) does not hold"),
    "start": N_("started"), "stop": N_("stopped"), "end": N_("judged at"), "due": N_("due"), "warn": N_("warning from"),
    "event": N_("event"), "next": N_("next event / as of"), "true": N_("true"), "false": N_("false"), "null": N_("unknown (empty value)"),
    "group": N_("this rule judges groups; the record is in {group}"), "all": N_("all records"),
    "elapsed": N_("elapsed"), "allowed": N_("allowed:"), "as_of": N_("as of"), "dupes": N_("{n} records have this key; the first is shown"),
    "group_head": N_("Group {group}: {records} in scope"), "metric": N_("Metric, for this group"),
    "holds": N_("{metric} = {value}; it must be {op} {threshold}"), "cells": N_("Cells that do not fit their type"),
    "cell": N_("{column} = {value} in {where}: expected {expected}"), "one_of": N_("one of {values}"),
    "formats": N_("{type} ({formats})"), "none_bad": N_("every value of this record fits its declared type"),
    "record_no": N_("{file} record {row}"),
    "types": {"string": N_("text"), "integer": N_("a whole number"), "number": N_("a number"), "boolean": N_("true or false"),
              "date": N_("a date"), "timestamp": N_("a date and time"), "enum": N_("one of the listed values")},
    "verdicts": {"violation": N_("VIOLATION"), "warning": N_("WARNING"), "invalid": N_("INVALID DATA"),
                 "compliant": N_("COMPLIANT"), "not examined": N_("NOT EXAMINED"), "not judged yet": N_("NOT JUDGED YET"),
                 "outside the period": N_("NOT JUDGED")},
    "pending": N_("{period} has not ended at the as-of time; it is judged from {at}"),
    "outside": N_("{period} is outside the audit period {audit}: it is never judged in this audit"),
})
_LABELS = {"start": "start", "stop": "stop", "end": "end", "due": "due", "warn": "warn", "event": "event", "next": "next"}


def write(ex: Explanation, lang: str = "en") -> str:
    w = _WORDS[lang]
    rule = ex.rule
    parts = [
        f"{w['rule']} {rule.id} — {rule.title.get(lang)} ({rule.clause}) · {w['kind']} {rule.kind} · "
        f"{w['severity']} {wording.severity(rule.severity, lang)} · {w['as_of']} {_value(ex.as_of, w)}",
        f"{w['written']} ({rule.location}):\n{ex.rule_text}" if ex.rule_text else "",
        f"{w['params']}: " + ", ".join(f"${k} = {v}" for k, v in ex.parameters.items()) if ex.parameters else "",
        _group(ex, w, lang) if ex.aggregate is not None else _record(ex, w),
        _cells(ex, w) if rule.kind == "data-quality" else "",
        _steps(ex, w),
        _timeline(ex, w, lang),
        _grades(ex, w),
        _verdict(ex, w),
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def _format_of(path: str | None) -> str | None:
    return path.rsplit(".", 1)[-1].lower() if path and "." in path else None


def _group(ex: Explanation, w, lang: str) -> str:
    """A group of an aggregate rule: its records in scope, and its metric against the threshold."""
    agg = ex.aggregate
    label = ", ".join(f"{k}={v}" for k, v in (ex.group or {}).items()) or w["all"]
    head = w["group_head"].format(group=label, records=wording.count(agg["records"], "record", lang))
    holds = w["holds"].format(metric=agg["metric_text"], value=_value(agg["metric"], w), op=agg["op"],
                              threshold=_value(agg["threshold"], w))
    return f"{head}\n{w['metric']}: {holds}"


def _cells(ex: Explanation, w) -> str:
    """Each cell of the record that did not fit its declared type, with what the policy expects."""
    if not ex.cells:
        return ""
    lines = []
    for cell in ex.cells:
        expected = cell["expected"]
        if cell["values"]:
            expected = w["one_of"].format(values=", ".join(map(str, cell["values"])))
        elif cell["formats"]:
            expected = w["formats"].format(type=w["types"].get(expected, expected), formats=", ".join(cell["formats"]))
        else:
            expected = w["types"].get(expected, expected)
        where = record_place(cell["file"] or cell["dataset"], _format_of(cell["file"]), cell["row"], w["record_no"])
        lines.append("  " + w["cell"].format(column=cell["column"], value=f'"{cell["value"]}"', where=where,
                                             expected=expected))
    return w["cells"] + ":\n" + "\n".join(lines)


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
    return head + (": " + ", ".join(f"{k} = {_value(v, w)}" for k, v in shown.items()) if shown else "")


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


def _timeline(ex: Explanation, w, lang: str = "en") -> str:
    if not ex.timeline:
        return ""
    lines = [f"  {w[_LABELS.get(name, name)]:<18}{_value(value, w)}" for name, value in ex.timeline if name in _LABELS]
    evidence = ex.findings[0].evidence if ex.findings else {}
    if "elapsed" in evidence:
        elapsed = wording.evidence_value("elapsed", evidence["elapsed"], lang)
        allowed = wording.evidence_value("allowed", evidence.get("allowed"), lang)
        lines.append(f"  {w['elapsed']:<18}{elapsed} ({w['allowed']} {allowed})")
    return w["clock"] + ":\n" + "\n".join(lines)


def _grades(ex: Explanation, w) -> str:
    lines = [
        f"  {name} = {_value(value, w)}  ({grade_reason(g, name) or explain_breakdown(g.breakdown.get(name))})"
        for g in ex.grades
        for name, value in g.values.items()
    ]
    return w["grades"] + ":\n" + "\n".join(lines) if lines else ""


def _verdict(ex: Explanation, w) -> str:
    head = f"{w['verdict']}: {w['verdicts'][ex.verdict]}"
    if ex.group is not None and ex.aggregate is None and ex.matches:  # a record explained by its group
        label = ", ".join(f"{k}={v}" for k, v in ex.group.items()) or w["all"]
        head += f" · {w['group'].format(group=label)}"
    label = (ex.group or {}).get("period", "")
    if ex.judged_from is not None:
        return f"{head} — {w['pending'].format(period=label, at=ex.judged_from.isoformat(sep=' '))}"
    if ex.outside_period is not None:
        return f"{head} — {w['outside'].format(period=label, audit=ex.outside_period)}"
    if not ex.in_scope and not ex.findings:
        return f"{head} — {w['scope_no']}"
    messages = [f.message for f in ex.findings]
    return head + ("".join(f"\n  {m}" for m in messages) if messages else "")
