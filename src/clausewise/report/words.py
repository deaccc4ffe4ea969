"""The words every report shares, in both languages: severities, statuses, counts, scorecard states, durations.

Counts read as people write them: "1 violation", "2 violations"; Chinese has
no plural and puts the measure word after the number ("违规 2 项"). A writer
says ``count(2, "violation", lang)`` and never builds a plural itself, so the
table, JUnit, Markdown, GitHub and HTML reports agree. Error messages and
``--help`` are English only for now; everything a report prints is here or in
the writer's own word table, in both languages.
"""

from __future__ import annotations

from typing import Any

from ..model import SEVERITIES
from ..wording import DURATION_NAMES, duration_words

SEVERITY = {
    "en": {"critical": "critical", "high": "high", "medium": "medium", "low": "low"},
    "zh": {"critical": "严重", "high": "高", "medium": "中", "low": "低"},
}
STATUS = {
    "en": {"violation": "violation", "warning": "warning", "invalid": "invalid"},
    "zh": {"violation": "违规", "warning": "预警", "invalid": "无效值"},
}
# A fail-on threshold as the reader reads it: a severity, or never.
FAIL_ON = {"en": {**SEVERITY["en"], "never": "never"}, "zh": {**SEVERITY["zh"], "never": "从不"}}
# A clause's state on the scorecard (clausewise.scorecard.CLAUSE_STATES).
STATE = {
    "en": {"breached": "breached", "waived": "compliant with waivers", "warned": "compliant with warnings",
           "compliant": "compliant", "not_examined": "not examined"},
    "zh": {"breached": "违反", "waived": "合规（有豁免）", "warned": "合规（有预警）", "compliant": "合规",
           "not_examined": "未检查"},
}
# noun → (English singular, English plural, Chinese with {n}).
_NOUNS = {
    "violation": ("violation", "violations", "违规 {n} 项"),
    "warning": ("warning", "warnings", "预警 {n} 项"),
    "early warning": ("early warning", "early warnings", "预警 {n} 项"),
    "invalid value": ("invalid value", "invalid values", "无效值 {n} 项"),
    "finding": ("finding", "findings", "{n} 项问题"),
    "rule": ("rule", "rules", "{n} 条规则"),
    "clause": ("clause", "clauses", "{n} 个条款"),
    "record": ("record", "records", "{n} 条记录"),
    "row": ("row", "rows", "{n} 行"),
    "data file": ("data file", "data files", "{n} 个数据文件"),
    "record check": ("record check", "record checks", "{n} 次记录检查"),
    "computed value": ("computed value", "computed values", "{n} 个计算值"),
}
_SEP = {"en": ", ", "zh": "，"}


def count(n: int, noun: str, lang: str) -> str:
    """``1 violation``, ``2 violations``, ``违规 2 项``: ``n`` of ``noun`` (a key of the noun table)."""
    one, many, zh = _NOUNS[noun]
    if lang == "zh":
        return zh.format(n=n)
    return f"{n} {one if n == 1 else many}"


def counts(pairs: list[tuple[int, str]], lang: str, keep_zero: bool = False) -> str:
    """Several counts in one phrase (``2 violations, 1 invalid value``); zeros left out unless ``keep_zero``."""
    shown = [count(n, noun, lang) for n, noun in pairs if n or keep_zero]
    return _SEP[lang].join(shown)


def separator(lang: str) -> str:
    """What separates the items of a list in ``lang``."""
    return _SEP[lang]


def severity(name: str | None, lang: str) -> str:
    return SEVERITY[lang].get(name, name or "")


def status(name: str, lang: str) -> str:
    return STATUS[lang].get(name, name)


def fail_on(name: str, lang: str) -> str:
    return FAIL_ON[lang].get(name, name)


def state(name: str, lang: str) -> str:
    return STATE[lang].get(name, name)


def evidence_value(name: str, value: Any, lang: str) -> Any:
    """An evidence value as a person reads it: durations (``elapsed``, ``allowed``) in ``lang``'s words."""
    return duration_words(value, lang) if name in DURATION_NAMES else value


def boolean(value: bool, lang: str) -> str:
    """true/false, or 是/否."""
    return {"en": ("false", "true"), "zh": ("否", "是")}[lang][bool(value)]


def severities(lang: str) -> dict[str, str]:
    """Severity → its name in ``lang``, worst first."""
    return {s: SEVERITY[lang][s] for s in SEVERITIES}
