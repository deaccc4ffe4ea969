"""The policy's ``calendar:``: the hours syntax reaches the engine, and mistakes point at their place."""

from __future__ import annotations

import textwrap

import pytest

import clausewise
from clausewise.engine.program import business_calendar
from clausewise.errors import ClauseWiseError

DATASETS = """\
items:
  key: id
  fields: {id: string, started_at: timestamp, stopped_at: timestamp}
"""
GOAL = """\
rules:
  - id: clock
    clause: C-1
    dataset: items
    kind: deadline
    severity: high
    start: started_at
    stop: stopped_at
    goal: {goal}
    title: {{en: Clock}}
    message: {{en: "{{key}}"}}
"""
HOUR = 3600


def _policy(pack, calendar: str, goal: str = "4 working hours"):
    """A pack whose policy has ``calendar`` (YAML lines) on line 6, after the timezone on line 5."""
    path = pack(DATASETS, GOAL.format(goal=goal))
    block = "  calendar:\n" + textwrap.indent(textwrap.dedent(calendar), "    ")
    text = path.read_text(encoding="utf-8").replace("  timezone: Asia/Shanghai\n", "  timezone: Asia/Shanghai\n" + block)
    path.write_text(text, encoding="utf-8")
    return path


def _error(pack, calendar: str, goal: str = "4 working hours") -> str:
    with pytest.raises(ClauseWiseError) as info:
        clausewise.load(_policy(pack, calendar, goal))
    return str(info.value)


def test_hours_by_weekday_and_weekend_reach_the_engine(pack):
    policy = clausewise.load(_policy(pack, """\
        work_hours: 22:00-06:00
        weekday_hours:
          sat: 09:00-12:00, 13:00-15:00
        weekend: [sun]
    """))
    cal = business_calendar(policy)
    assert cal.hours == ((22 * HOUR, 30 * HOUR),)  # 06:00 the next day
    assert cal.weekday_hours == ((5, ((9 * HOUR, 12 * HOUR), (13 * HOUR, 15 * HOUR))),)
    assert (cal.weekend, cal.timezone) == ((6,), "Asia/Shanghai")


def test_weekday_ranges(pack):
    policy = clausewise.load(_policy(pack, "weekday_hours: {mon-thu: 08:00-17:00, fri: 08:00-14:00}\n"))
    own = dict(business_calendar(policy).weekday_hours)
    assert sorted(own) == [0, 1, 2, 3, 4]
    assert own[3] == ((8 * HOUR, 17 * HOUR),) and own[4] == ((8 * HOUR, 14 * HOUR),)


def test_default_calendar_is_china_nine_to_six(pack):
    cal = business_calendar(clausewise.load(pack(DATASETS, GOAL.format(goal="1 working day"))))
    assert (cal.country, cal.hours, cal.weekday_hours, cal.weekend) == ("CN", ((9 * HOUR, 18 * HOUR),), (), None)


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        # line 7 is the first line inside calendar:, its values start after "    work_hours: " (column 17)
        ("work_hours: 09:00-12:00, 11:00-13:00\n",
         "policy.yaml:7:17: calendar: working hours 09:00-12:00 and 11:00-13:00 overlap"),
        ("work_hours: 09:00-09:00\n", "policy.yaml:7:17: calendar: working hours 09:00-09:00 are empty"),
        ("weekday_hours: {sat: 25:00-13:00}\n", 'policy.yaml:7:26: calendar: "25:00" is not a time of day'),
        ("weekday_hours: {mon-fri: 09:00-17:00, wed: 10:00-12:00}\n",
         "policy.yaml:7:43: weekday_hours: wed has hours twice"),
        ("weekend: [sat, sun]\nweekday_hours: {sat: 09:00-13:00}\n",
         "policy.yaml:7:5: calendar: Saturday is in the weekend but has working hours"),
        ("work_hours: 09:00-12:00, 20:00-10:00\n",
         "policy.yaml:7:5: calendar: working hours 20:00-10:00 on Monday run into the next day's 09:00-12:00"),
        ("country: XX\n", 'policy.yaml:7:14: calendar: no holiday calendar for country "XX"; use an ISO 3166 code'),
        ("work_hours: 9-18\n", "policy.yaml:7:17: "),
        ("weekend: [saturday]\n", "policy.yaml:7:15: "),
    ],
)
def test_mistakes_point_at_their_place(pack, calendar, expected):
    assert expected in _error(pack, calendar)


def test_a_night_shift_validates(pack):
    # 22:00-06:00 used to fail deep inside the engine.
    assert clausewise.load(_policy(pack, "work_hours: 22:00-06:00\n")).calendar.work_hours == "22:00-06:00"


def test_working_days_need_days_of_one_length(pack):
    # Working days read as hours (each one working day's length) need days of one length.
    message = _error(pack, "weekday_hours: {sat: 09:00-13:00}\n", goal="2 working days elapsed")
    assert 'rules.yaml:9:11: rule "clock": "2 working days elapsed" counts working days, but the calendar\'s working' in message
    # Working hours, and working days counted as days, are fine on such a calendar.
    clausewise.load(_policy(pack, "weekday_hours: {sat: 09:00-13:00}\n", goal="12 working hours"))
    clausewise.load(_policy(pack, "weekday_hours: {sat: 09:00-13:00}\n", goal="2 working days"))
