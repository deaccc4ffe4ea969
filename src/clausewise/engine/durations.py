"""Durations in words, as SQL: what ``clausewise.wording.duration_words`` does, for message placeholders.

A message is written by DuckDB as the rule's findings are inserted, so a
duration in it (``已用时 {elapsed}``) is put in words there too, set-based. The
patterns and words are :mod:`clausewise.wording`'s; a test runs both over
the same values and expects the same text.
"""

from __future__ import annotations

from ..wording import ELAPSED, GOAL, GOAL_UNITS, INTERVAL, INTERVAL_UNITS, SECONDS, WORKING_HOURS, WORKING_HOURS_WORD
from .sqltext import string

_V = "__v"  # the lambda's parameter: the value as text, computed once


def duration_words_sql(value_sql: str, lang: str) -> str:
    """SQL for ``value_sql`` as text, a duration's text put in ``lang``'s words (only Chinese changes it)."""
    text = f"CAST({value_sql} AS VARCHAR)"
    if lang != "zh":
        return text
    cases = (f"WHEN {_V} <> '' AND regexp_full_match({_V}, {string(INTERVAL)}) THEN {_interval(lang)} "
             f"WHEN regexp_full_match({_V}, {string(WORKING_HOURS)}) THEN {_working(lang)} "
             f"WHEN regexp_full_match({_V}, {string('(?i)' + GOAL)}) THEN {_goal(lang)} ")
    return f"list_transform([{text}], lambda {_V}: CASE {cases}ELSE {_V} END)[1]"


def _part(pattern: str, group: int, flags: str = "") -> str:
    return f"regexp_extract({_V}, {string(flags + '^' + pattern + '$')}, {group})"


def _interval(lang: str) -> str:
    def whole(group: int) -> str:
        return f"CAST(TRY_CAST(nullif({_part(INTERVAL, group)}, '') AS HUGEINT) AS VARCHAR)"

    parts = [f"CASE WHEN {whole(g)} <> '0' THEN {whole(g)} || {string(' ' + unit.render(lang))} END" for g, unit in INTERVAL_UNITS]
    fraction = f"rtrim({_part(INTERVAL, 7)}, '0')"
    seconds = (f"CASE WHEN {whole(6)} <> '0' OR {fraction} <> '' THEN {whole(6)} || "
               f"CASE WHEN {fraction} <> '' THEN '.' || {fraction} ELSE '' END || {string(' ' + SECONDS.render(lang))} END")
    return f"coalesce(nullif(concat_ws(' ', {', '.join(parts)}, {seconds}), ''), {string('0 ' + SECONDS.render(lang))})"


def _working(lang: str) -> str:
    return f"regexp_replace({_part(WORKING_HOURS, 1)}, '[.]0+$', '') || {string(' ' + WORKING_HOURS_WORD.render(lang))}"


def _goal(lang: str) -> str:
    number, working, unit, elapsed = (_part(GOAL, g, "(?i)") for g in (1, 2, 3, 4))
    unit = f"lower({unit})"
    key = (f"CASE WHEN {unit} LIKE 'mo%' THEN 'mo' WHEN {unit} = 'm' OR {unit} LIKE 'mi%' THEN 'm' "
           f"ELSE left({unit}, 1) END")
    plain = " ".join(f"WHEN {string(k)} THEN {string(p.render(lang))}" for k, (p, _) in GOAL_UNITS.items())
    worked = " ".join(f"WHEN {string(k)} THEN {string(w.render(lang))}" for k, (_, w) in GOAL_UNITS.items() if w)
    word = f"CASE WHEN {working} = '' THEN CASE {key} {plain} END ELSE CASE {key} {worked} END END"
    before, after = ELAPSED.render(lang).split("{duration}")
    written = f"{number} || ' ' || {word}"
    return (f"coalesce(CASE WHEN {elapsed} = '' THEN {written} "
            f"ELSE {string(before)} || {written} || {string(after)} END, {_V})")
