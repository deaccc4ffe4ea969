"""Durations as each language writes them, for messages and reports.

A duration reaches a reader in one of three spellings: DuckDB's text of an
interval (``1 day 01:01:00``, ``15 days``, ``02:30:00``), the engine's working
time (``60.5 working hours``) and the grammar officers write in policies
(``24h``, ``3 working days``, ``12 months``). English keeps them as they are;
Chinese writes them in words (``1 天 1 小时 1 分钟``, ``60.5 工作小时``,
``3 个工作日``).

Which values are durations is known by name, never guessed from a value's
look (a record's ``10:00:00`` may be a time of day): the evidence named in
:data:`DURATION_NAMES` (the deadline and periodic kinds' ``elapsed`` and
``allowed``, and a rule's own evidence of those names) and parameters of type
duration. The engine writes the same words in SQL for message placeholders
(``engine/durations.py``); a test holds the two to the same answers.
"""

from __future__ import annotations

import re
from typing import Any

from .i18n import NC_
from .model import Duration

# Evidence (and message placeholders) holding a duration: time elapsed, and time allowed.
DURATION_NAMES = ("elapsed", "allowed")

# DuckDB's interval text: years, months, days, then a clock of hours (which may pass 24), minutes, seconds.
INTERVAL = (r"(?:(\d+) years?(?: |$))?(?:(\d+) months?(?: |$))?(?:(\d+) days?(?: |$))?"
            r"(?:(\d+):(\d\d):(\d\d)(?:\.(\d+))?)?")
WORKING_HOURS = r"(\d+(?:\.\d+)?) working hours"
# The policy grammar (model.Duration), without its named groups so that DuckDB's RE2 reads it the same way.
GOAL = re.sub(r"\?P<\w+>", "", Duration.PATTERN.pattern).strip("^$")

# Interval parts in order: group of INTERVAL, its unit's word (English keeps DuckDB's text as it is).
INTERVAL_UNITS = ((1, NC_("duration", "years")), (2, NC_("duration", "months")), (3, NC_("duration", "days")),
                  (4, NC_("duration", "hours")), (5, NC_("duration", "minutes")))
SECONDS = NC_("duration", "seconds")
WORKING_HOURS_WORD = NC_("duration", "working hours")
# A goal's unit, as Duration.parse reads it (s, m, h, d, w, mo, y) → (plain, working) words; None: no working form.
GOAL_UNITS = {"s": (SECONDS, NC_("duration", "working seconds")),
              "m": (NC_("duration", "minutes"), NC_("duration", "working minutes")),
              "h": (NC_("duration", "hours"), WORKING_HOURS_WORD),
              "d": (NC_("duration", "days"), NC_("duration", "working days")),
              "w": (NC_("duration", "weeks"), None), "mo": (NC_("duration", "months"), None),
              "y": (NC_("duration", "years"), None)}
# After a duration written "elapsed" (days counted as a length of time, not as days).
ELAPSED = NC_("duration", "{duration} elapsed")


def goal_unit(unit: str) -> str:
    """The key of :data:`GOAL_UNITS` for a unit as written (``hrs`` → ``h``, ``min`` → ``m``, ``months`` → ``mo``)."""
    unit = unit.lower()
    if unit.startswith("mo"):
        return "mo"
    if unit == "m" or unit.startswith("mi"):
        return "m"
    return unit[0]


def duration_words(text: Any, lang: str) -> Any:
    """``text`` as ``lang`` writes a duration: unchanged in English or when it is not a duration's text.

    ``duration_words("1 day 01:01:00", "zh")`` is ``"1 天 1 小时 1 分钟"``,
    ``"60.0 working hours"`` becomes ``"60 工作小时"``, ``"3 working days"``
    ``"3 个工作日"``, ``"3 working days elapsed"`` ``"3 个工作日（按时长计）"``;
    None and non-text values come back as they are.
    """
    if lang != "zh" or not isinstance(text, str) or not text:
        return text
    interval = re.fullmatch(INTERVAL, text, re.ASCII)
    if interval:
        return _interval_words(interval, lang)
    working = re.fullmatch(WORKING_HOURS, text, re.ASCII)
    if working:
        return f"{re.sub(r'[.]0+$', '', working[1])} {WORKING_HOURS_WORD.render(lang)}"
    goal = re.fullmatch(GOAL, text, re.IGNORECASE | re.ASCII)
    if goal:
        number, working_word, unit, elapsed = goal.groups()
        plain, worked = GOAL_UNITS[goal_unit(unit)]
        word = worked if working_word else plain
        if word is None:
            return text
        written = f"{number} {word.render(lang)}"
        return ELAPSED.render(lang).format(duration=written) if elapsed else written
    return text


def _interval_words(match: re.Match, lang: str) -> str:
    parts = [f"{int(match[group])} {unit.render(lang)}" for group, unit in INTERVAL_UNITS if match[group] and int(match[group])]
    fraction = (match[7] or "").rstrip("0")
    if match[6] and (int(match[6]) or fraction):
        parts.append(f"{int(match[6])}{'.' + fraction if fraction else ''} {SECONDS.render(lang)}")
    return " ".join(parts) or f"0 {SECONDS.render(lang)}"


def parameter_words(value: Any, lang: str) -> str:
    """A parameter as written in the policy (``24h``, ``hotline, online``, ``P1: 4h``), durations in ``lang``'s words.

    A duration parameter is in words; so is each item of a list or map that
    is a duration (a map of goals by priority), and nothing else.
    """
    if isinstance(value, list):
        return ", ".join(_item(v, lang) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_item(v, lang)}" for k, v in value.items())
    text = str(getattr(value, "text", value))
    return duration_words(text, lang) if isinstance(value, Duration) else text


def _item(value: Any, lang: str) -> str:
    text = str(getattr(value, "text", value))
    return duration_words(text, lang) if isinstance(value, Duration) or Duration.parse(text) else text
