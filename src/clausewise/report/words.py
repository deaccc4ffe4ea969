"""The words every report shares, in both languages: severities, statuses, counts, scorecard states, durations.

Counts read as people write them: "1 violation", "2 violations"; Chinese has
no plural and puts the measure word after the number ("违规 2 项"). A writer
says ``count(2, "violation", lang)`` and never builds a plural itself, so the
table, JUnit, Markdown, GitHub and HTML reports agree. Every word here and
in the writers' own word tables is an English msgid of the message catalogue
(``clausewise.i18n``), its Chinese in ``locale/zh/LC_MESSAGES/clausewise.po``.
"""

from __future__ import annotations

from typing import Any

from ..i18n import N_, NC_, NP_, Words
from ..model import SEVERITIES
from ..wording import DURATION_NAMES, duration_words

SEVERITY = Words({"critical": N_("critical"), "high": N_("high"), "medium": N_("medium"), "low": N_("low")})
STATUS = Words({"violation": N_("violation"), "warning": N_("warning"), "invalid": N_("invalid")})
# A fail-on threshold as the reader reads it: a severity, or never.
FAIL_ON = Words({**SEVERITY.table, "never": N_("never")})
# A clause's state on the scorecard (clausewise.scorecard.CLAUSE_STATES).
STATE = Words({"breached": N_("breached"), "waived": N_("compliant with waivers"),
               "warned": N_("compliant with warnings"), "compliant": N_("compliant"),
               "not_examined": N_("not examined")})
# noun → the count of it, singular and plural (Chinese has one form, the measure word after the number).
_NOUNS = {
    "violation": NP_("{n} violation", "{n} violations"),
    "warning": NP_("{n} warning", "{n} warnings"),
    "early warning": NP_("{n} early warning", "{n} early warnings"),
    "invalid value": NP_("{n} invalid value", "{n} invalid values"),
    "finding": NP_("{n} finding", "{n} findings"),
    "rule": NP_("{n} rule", "{n} rules"),
    "clause": NP_("{n} clause", "{n} clauses"),
    "record": NP_("{n} record", "{n} records"),
    "row": NP_("{n} row", "{n} rows"),
    "data file": NP_("{n} data file", "{n} data files"),
    "record check": NP_("{n} record check", "{n} record checks"),
    "computed value": NP_("{n} computed value", "{n} computed values"),
}
# What separates the items of a list; yes and no.
_SEP = Words({"sep": NC_("list", ", ")})
_BOOLEAN = Words({"false": N_("false"), "true": N_("true")})


def count(n: int, noun: str, lang: str) -> str:
    """``1 violation``, ``2 violations``, ``违规 2 项``: ``n`` of ``noun`` (a key of the noun table)."""
    return _NOUNS[noun].render(n, lang)


def counts(pairs: list[tuple[int, str]], lang: str, keep_zero: bool = False) -> str:
    """Several counts in one phrase (``2 violations, 1 invalid value``); zeros left out unless ``keep_zero``."""
    shown = [count(n, noun, lang) for n, noun in pairs if n or keep_zero]
    return _SEP[lang]["sep"].join(shown)


def separator(lang: str) -> str:
    """What separates the items of a list in ``lang``."""
    return _SEP[lang]["sep"]


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
    return _BOOLEAN[lang]["true" if value else "false"]


def severities(lang: str) -> dict[str, str]:
    """Severity → its name in ``lang``, worst first."""
    return {s: SEVERITY[lang][s] for s in SEVERITIES}
