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

from ..i18n import N_, NC_, Words
from ..model import Explanation
from . import words as wording
from .common import record_place, relative_path
from .grades import explain as explain_breakdown
from .grades import reason as grade_reason

_WORDS = Words({
    "rule": N_("Rule"), "kind": N_("kind"), "severity": N_("severity"), "written": N_("As written"), "params": N_("Parameters"),
    "record": N_("Record"), "conditions": N_("Conditions, for this record"), "clock": N_("Clock"),
    "grades": N_("Computed values"), "verdict": N_("Verdict"), "scope_no": N_("the rule's scope (when) does not hold"),
    "start": N_("started"), "stop": N_("stopped"), "end": N_("judged at"), "due": N_("due"), "warn": N_("warning from"),
    "event": N_("event"), "next": N_("next event / as of"), "true": N_("true"), "false": N_("false"), "null": N_("unknown (empty value)"),
    "group": N_("this rule judges groups; the record is in {group}"), "all": N_("all records"),
    "elapsed": N_("elapsed"), "allowed": N_("allowed:"), "as_of": N_("as of"),
    "group_head": N_("Group {group}: {records} in scope"), "metric": N_("Metric, for this group"),
    "holds": N_("{metric} = {value}; it must be {op} {threshold}"), "cells": N_("Cells that do not fit their type"),
    "cell": N_("{column} = {value} in {where}: expected {expected}"), "one_of": N_("one of {values}"),
    "formats": N_("{type} ({formats})"), "none_bad": N_("every value of this record fits its declared type"),
    "record_no": N_("{file} record {row}"),
    "dupes_at": N_("{n} records have this key ({places}); --at N picks one"),
    "window": N_("Window: from {start} to {due}"),
    "window_open": N_(" — still open at the as-of time"),
    "window_pending": N_("its window has not closed at the as-of time; it is judged from {at}"),
    "related": N_("Records of {dataset} paired with it (on {on})"),
    "related_none": N_("no record of {dataset} is paired with it (on {on})"),
    "related_more": N_("… and {n} more"),
    "counts": N_("counts"),
    "tests": {"window": {True: N_("in the window"), False: N_("outside the window"), None: N_("no time to place")},
              "target_when": {True: N_("target_when holds"), False: N_("target_when does not hold"),
                              None: N_("target_when is unknown (empty value)")}},
    "first": N_("The first record with these values: {place}"),
    "sep": NC_("enumeration", ", "), "colon": NC_("punctuation", ": "),
    "semicolon": NC_("punctuation", "; "),
    "types": {"string": N_("text"), "integer": N_("a whole number"), "number": N_("a number"), "boolean": N_("true or false"),
              "date": N_("a date"), "timestamp": N_("a date and time"), "enum": N_("one of the listed values")},
    "verdicts": {"violation": N_("VIOLATION"), "warning": N_("WARNING"), "invalid": N_("INVALID DATA"),
                 "compliant": N_("COMPLIANT"), "not examined": N_("NOT EXAMINED"), "not judged yet": N_("NOT JUDGED YET"),
                 "outside the period": N_("NOT JUDGED"), "unjudged": N_("NOT JUDGED")},
    "unreadable": N_("unreadable value {value}"),
    "unjudged": N_("not judged: a value the rule needs is unreadable ({values}); the audit counts the record as unjudged"),
    "left_out": N_("Left out as unreadable (not judged, counted as unjudged)"),
    "left_one": N_("{key} ({where}): {values}"),
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
        f"{w['written']} ({rule.location}){w['colon'].rstrip()}\n{ex.rule_text}" if ex.rule_text else "",
        f"{w['params']}{w['colon']}" + ", ".join(f"${k} = {v}" for k, v in ex.parameters.items()) if ex.parameters else "",
        _group(ex, w, lang) if ex.aggregate is not None else _record(ex, w),
        _cells(ex, w) if rule.kind == "data-quality" else "",
        _steps(ex, w),
        _timeline(ex, w, lang),
        _related(ex, w),
        _grades(ex, w),
        _verdict(ex, w),
    ]
    return "\n\n".join(p for p in parts if p) + "\n"


def _group(ex: Explanation, w, lang: str) -> str:
    """A group of an aggregate rule: its records in scope, and its metric against the threshold."""
    agg = ex.aggregate
    label = ", ".join(f"{k}={v}" for k, v in (ex.group or {}).items()) or w["all"]
    head = w["group_head"].format(group=label, records=wording.count(agg["records"], "record", lang))
    holds = w["holds"].format(metric=agg["metric_text"], value=_value(agg["metric"], w), op=agg["op"],
                              threshold=_value(agg["threshold"], w))
    out = f"{head}\n{w['metric']}{w['colon']}{holds}"
    if ex.left_out:
        rows = [w["left_one"].format(key=key, where=_place(ex, ex.rule.dataset, row, w),
                                     values=_unreadable_list(values, w))
                for key, row, values in ex.left_out]
        out += f"\n{w['left_out']}{w['colon'].rstrip()}\n" + "\n".join(f"  {r}" for r in rows)
    return out


def _unreadable_list(values: dict[str, str], w) -> str:
    """``satisfaction = unreadable value "x", …``: each unreadable field with its value as written."""
    return ", ".join(f"{name} = {w['unreadable'].format(value=_quoted(value))}" for name, value in values.items())


def _quoted(value: str) -> str:
    return '"' + str(value).replace('"', '\\"') + '"'


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
        where = record_place(cell["file"] or cell["dataset"], cell.get("data_file"), cell["row"], w["record_no"])
        lines.append("  " + w["cell"].format(column=cell["column"], value=f'"{cell["value"]}"', where=where,
                                             expected=expected))
    return w["cells"] + w["colon"].rstrip() + "\n" + "\n".join(lines)


def _value(value, w) -> str:
    if value is None:
        return w["null"]
    if isinstance(value, bool):
        return w["true"] if value else w["false"]
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _place(ex: Explanation, dataset: str, row, w) -> str:
    """Where record ``row`` of ``dataset`` is, as every report places it: ``inquiries.csv:7``, ``staff.xlsx record 15``."""
    data_file = next((d for d in ex.files if d.dataset == dataset), None)
    path = relative_path(data_file.path) if data_file is not None and data_file.path else dataset
    return record_place(path, data_file, row, w["record_no"])


def _record(ex: Explanation, w) -> str:
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", ex.rule_text))
    shown = {k: v for k, v in ex.record.items() if k in words}
    row = ex.record.get("__row")
    head = f"{w['record']} {ex.key}" + (f" ({_place(ex, ex.rule.dataset, row, w)})" if row is not None else "")
    head += w["colon"] + w["sep"].join(f"{k} = {_shown_value(ex, k, v, w)}" for k, v in shown.items()) if shown else ""
    if ex.matches > 1:
        places = [_place(ex, ex.rule.dataset, r, w) for r in ex.rows[:DUPLICATES_SHOWN]]
        places += ["…"] if ex.matches > DUPLICATES_SHOWN else []
        head += "\n" + w["dupes_at"].format(n=ex.matches, places=w["sep"].join(places))
    return head


# Places of a duplicated key's records the record's heading lists.
DUPLICATES_SHOWN = 5


def _related(ex: Explanation, w) -> str:
    """A reference: the record's window, and the other dataset's records paired with it, each with the tests the
    rule puts it to (all true: it counts)."""
    if ex.related is None or ex.in_scope is False:  # (a record out of scope is not looked for)
        return ""
    out = []
    if ex.window is not None:
        out.append(w["window"].format(start=_value(ex.window["from"], w), due=_value(ex.window["due"], w))
                   + (w["window_open"] if ex.window.get("open") else ""))
    related = ex.related
    dataset = related["dataset"]
    on = ", ".join(f"{here} = {there}" for here, there in ex.rule.spec.get("on", {}).items())
    if not related["records"]:
        out.append(w["related_none"].format(dataset=dataset, on=on))
        return "\n".join(out)
    lines = []
    for key, row, values, tests in related["records"]:
        said = [f"{name} = {_value(value, w)}" for name, value in values.items()]
        said += [w["tests"][name][value] for name, value in tests.items()]
        if all(tests.values()):
            said.append(w["counts"])
        lines.append(f"  {key} ({_place(ex, dataset, row, w)}){w['colon']}" + w["semicolon"].join(said))
    if related["more"]:
        lines.append("  " + w["related_more"].format(n=related["more"]))
    out.append(w["related"].format(dataset=dataset, on=on) + w["colon"].rstrip() + "\n" + "\n".join(lines))
    return "\n".join(out)


def _shown_value(ex: Explanation, name: str, value, w) -> str:
    """A field of the record: an unreadable one as written, never as an empty value."""
    if name in ex.unreadable:
        return w["unreadable"].format(value=_quoted(ex.unreadable[name]))
    return _value(value, w)


def _steps(ex: Explanation, w) -> str:
    if not ex.steps:
        return ""
    width = max(len(s.text) for s in ex.steps if s.depth == 0) if ex.steps else 0
    lines = []
    for step in ex.steps:
        label = f"{step.key:<7}" if step.key else " " * 7
        text = ("  " * step.depth + step.text)
        read = [n for n in ex.unreadable if re.search(rf"\b{re.escape(n)}\b", step.text)]
        # A part that reads an unreadable value is not decided by the NULL that stands for it.
        value = _unreadable_list({n: ex.unreadable[n] for n in read}, w) if read else _value(step.value, w)
        lines.append(f"  {label}{text:<{max(width, 20)}}  → {value}")
    return w["conditions"] + w["colon"].rstrip() + "\n" + "\n".join(lines)


def _timeline(ex: Explanation, w, lang: str = "en") -> str:
    if not ex.timeline:
        return ""
    lines = [f"  {w[_LABELS.get(name, name)]:<18}{_value(value, w)}" for name, value in ex.timeline if name in _LABELS]
    evidence = ex.findings[0].evidence if ex.findings else {}
    if "elapsed" in evidence:
        elapsed = wording.evidence_value("elapsed", evidence["elapsed"], lang)
        allowed = (_value(None, w) if evidence.get("allowed") is None  # a goal map without the record's key
                   else wording.evidence_value("allowed", evidence["allowed"], lang))
        lines.append(f"  {w['elapsed']:<18}{elapsed} ({w['allowed']} {allowed})")
    return w["clock"] + w["colon"].rstrip() + "\n" + "\n".join(lines)


def _grades(ex: Explanation, w) -> str:
    lines = [
        f"  {name} = {_value(value, w)}  ({grade_reason(g, name) or explain_breakdown(g.breakdown.get(name))})"
        for g in ex.grades
        for name, value in g.values.items()
    ]
    return w["grades"] + w["colon"].rstrip() + "\n" + "\n".join(lines) if lines else ""


def _verdict(ex: Explanation, w) -> str:
    head = f"{w['verdict']}{w['colon']}{w['verdicts'][ex.verdict]}"
    if ex.group is not None and ex.aggregate is None and ex.matches:  # a record explained by its group
        label = ", ".join(f"{k}={v}" for k, v in ex.group.items()) or w["all"]
        head += f" · {w['group'].format(group=label)}"
    label = (ex.group or {}).get("period", "")
    if ex.judged_from is not None:
        pending = w["pending"] if label else w["window_pending"]
        return f"{head} — {pending.format(period=label, at=ex.judged_from.isoformat(sep=' '))}"
    if ex.outside_period is not None:
        return f"{head} — {w['outside'].format(period=label, audit=ex.outside_period)}"
    if ex.unreadable:
        return f"{head} — {w['unjudged'].format(values=_unreadable_list(ex.unreadable, w))}"
    if not ex.in_scope and not ex.findings:
        return f"{head} — {w['scope_no']}"
    messages = [f.message for f in ex.findings]
    # A unique rule's first record with the same values (evidence first_row, a row as findings number them),
    # placed as the reports place records: a CSV record's row is not its line.
    firsts = dict.fromkeys(f.evidence["first_row"] for f in ex.findings if isinstance(f.evidence.get("first_row"), int))
    messages += [w["first"].format(place=_place(ex, ex.rule.dataset, row, w)) for row in firsts]
    return head + ("".join(f"\n  {m}" for m in messages) if messages else "")
