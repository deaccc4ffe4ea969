"""A record whose due time cannot be known is not late: it cannot be judged, and says which value is missing."""

from __future__ import annotations

from datetime import datetime

import pytest

import clausewise

DATASETS = """\
items:
  key: id
  fields:
    id: string
    priority: string
    started_at: timestamp
    stopped_at: timestamp
    due_by: timestamp
"""
PARAMETERS = """\
by_priority: {type: map, value: {P1: 4h, P2: 24h}}
"""


def _rule(goal: str, severity: str = "high") -> str:
    return f"""\
rules:
  - id: clock
    clause: C-1
    dataset: items
    kind: deadline
    severity: {severity}
    start: started_at
    stop: stopped_at
    {goal}
    title: {{en: Clock}}
    message: {{en: "{{key}} was due by {{due_at}}"}}
"""


def _findings(pack, export, goal, rows, lang="en", severity="high"):
    policy = clausewise.load(pack(DATASETS, _rule(goal, severity), PARAMETERS))
    body = "id,priority,started_at,stopped_at,due_by\n" + "".join(",".join(r) + "\n" for r in rows)
    result = clausewise.audit(policy, export({"items.csv": body}), as_of=datetime(2026, 11, 30), lang=lang)
    with result:
        return {f.key: f for f in result.findings if f.rule == "clock"}, result.exit_code("high"), result.exit_code("critical")


# A1 is on time (due 2026-11-10 12:00, stopped 10:00); A2 has no due time and is still open at the as-of
# time, far past anything: neither late nor warned, it cannot be judged.
DUE_ROWS = [("A1", "", "2026-11-09 09:00", "2026-11-10 10:00", "2026-11-10 12:00"),
            ("A2", "", "2026-11-09 09:00", "", "")]


@pytest.mark.parametrize(("lang", "message"), [
    ("en", 'A2 cannot be judged: the due time "due_by" is empty'),
    ("zh", 'A2 无法判断：截止时间 "due_by" 为空'),
])
def test_an_empty_due_field(pack, export, lang, message):
    found, at_high, at_critical = _findings(pack, export, "due: due_by", DUE_ROWS, lang)
    assert set(found) == {"A2"}
    a2 = found["A2"]
    assert (a2.status, a2.severity, a2.due_at, a2.message) == ("invalid", "high", None, message)
    # An invalid finding at the rule's severity (high) fails the run at high, not at critical.
    assert (at_high, at_critical) == (1, 0)


# P1 4h: B1 started 09:00, stopped 12:00, on time. B2's P9 and B3's empty priority have no time in the map.
GOAL_ROWS = [("B1", "P1", "2026-11-09 09:00", "2026-11-09 12:00", ""),
             ("B2", "P9", "2026-11-09 09:00", "2026-11-09 09:30", ""),
             ("B3", "", "2026-11-09 09:00", "", "")]


@pytest.mark.parametrize(("lang", "b2", "b3"), [
    ("en", "B2 cannot be judged: priority \"P9\" has no time allowed in the goal's map",
     "B3 cannot be judged: priority is empty, so the goal's map gives no time allowed"),
    ("zh", "B2 无法判断：priority“P9”在目标的对照表中没有规定的时限", "B3 无法判断：priority 为空，目标的对照表给不出时限"),
])
def test_a_value_with_no_time_in_the_goals_map(pack, export, lang, b2, b3):
    found, _, _ = _findings(pack, export, "goal: {by: priority, map: $by_priority}", GOAL_ROWS, lang, "medium")
    assert set(found) == {"B2", "B3"}
    assert [(f.status, f.severity, f.due_at, f.message) for f in (found["B2"], found["B3"])] == [
        ("invalid", "medium", None, b2), ("invalid", "medium", None, b3)]


def test_a_due_time_that_does_not_read_leaves_the_record_unjudged_not_invalid_twice(pack, export):
    # A3's due time is there but unreadable: its invalid value is a data-quality finding, and the rule does not
    # judge A3 (it is counted as unjudged), rather than saying its due time is empty. 1 of 2 values failed.
    rows = DUE_ROWS[:1] + [("A3", "", "2026-11-09 09:00", "", "soon")]
    policy = clausewise.load(pack(DATASETS, _rule("due: due_by"), PARAMETERS))
    body = "id,priority,started_at,stopped_at,due_by\n" + "".join(",".join(r) + "\n" for r in rows)
    with clausewise.audit(policy, export({"items.csv": body}), as_of=datetime(2026, 11, 30)) as result:
        assert [(f.rule, f.key) for f in result.findings] == [("data-quality", "A3")]
        assert (result.stats["clock"].examined, result.stats["clock"].unjudged) == (1, 1)
