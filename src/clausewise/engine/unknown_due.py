"""Records whose due time cannot be known: their status and their message, in both languages.

A ``deadline`` (or ``periodic``) rule reads its due time from a field
(``due: due_by``) or looks the time allowed up in a map by a field's value
(``goal: {by: priority, map: $times}``). When that field is empty, or its
value has no time in the map (``P9``), the record has no due time: it is
neither late nor on time. Calling it late ("was due by —") would be a
violation no one committed, so such a record is reported as ``invalid`` at
the rule's severity, with a message of its own in place of the rule's,
saying which value is missing:

- ``Q-7 cannot be judged: the due time "due_by" is empty``
  (``Q-7 无法判断：截止时间 "due_by" 为空``);
- ``Q-7 cannot be judged: priority "P9" has no time allowed in the goal's map``
  (``Q-7 无法判断：priority "P9" 在目标的对照表中没有规定的时限``);
- ``Q-7 cannot be judged: priority is empty, so the goal's map gives no time allowed``
  (``Q-7 无法判断：priority 为空，目标的对照表给不出时限``).

Field names come from the policy and reach SQL only as string literals.
"""

from __future__ import annotations

from typing import Any

from ..model import LANGS
from .sqltext import string

UNKNOWN = "'invalid'"

_WORDS = {
    "en": {"head": " cannot be judged: ", "due": 'the due time "{field}" is empty',
           "unmapped": ('{field} "', "\" has no time allowed in the goal's map"),
           "empty": "{field} is empty, so the goal's map gives no time allowed"},
    "zh": {"head": " 无法判断：", "due": '截止时间 "{field}" 为空',
           "unmapped": ('{field} "', '" 在目标的对照表中没有规定的时限'),
           "empty": "{field} 为空，目标的对照表给不出时限"},
}


def status_sql(due: str, otherwise: str) -> str:
    """SQL: ``invalid`` where the due time ``due`` is unknown (NULL), else the status ``otherwise`` gives."""
    return f"CASE WHEN {due} IS NULL THEN {UNKNOWN} ELSE {otherwise} END"


def messages(key_sql: str, status: str, due_field: str | None = None, by: tuple[str, str] | None = None) -> dict[str, str]:
    """Per language, SQL of the message of a record whose ``status`` is ``invalid`` (NULL for the others).

    ``key_sql`` is the record key, ``due_field`` the name of the field a
    ``due:`` reads, ``by`` the (name, SQL) of the field a ``{by, map}`` goal
    looks its time up by. With neither, no message replaces the rule's.
    """
    if due_field is None and by is None:
        return {}
    return {lang: _message(lang, key_sql, status, due_field, by) for lang in LANGS}


def _message(lang: str, key_sql: str, status: str, due_field: str | None, by: tuple[str, str] | None) -> str:
    w = _WORDS[lang]
    head = f"coalesce(CAST({key_sql} AS VARCHAR), '—') || {string(w['head'])}"
    if due_field is not None:
        reason = string(w["due"].format(field=due_field))
    else:
        name, column = by
        value = f"CAST({column} AS VARCHAR)"
        before, after = w["unmapped"]
        reason = (f"CASE WHEN {value} IS NULL THEN {string(w['empty'].format(field=name))} "
                  f"ELSE {string(before.format(field=name))} || {value} || {string(after)} END")
    return f"CASE WHEN {status} = {UNKNOWN} THEN {head} || {reason} END"


def by_field(goal_spec: Any) -> str | None:
    """The field name a ``{by, map}`` goal looks its time up by, else None."""
    return str(goal_spec["by"]) if isinstance(goal_spec, dict) and "by" in goal_spec else None
