"""The warning time of a goal in working days: the share of the allowed working time, to the microsecond.

The warning time of ``N working days`` is ``warn_at`` × the working time from
the start to the close of the last day (goals.py ``_warning_one``): a DECIMAL
of working seconds times the fraction, turned into microseconds of working
time (calendar.py ``micros``). These tests pin that arithmetic where it is
delicate: a share that falls on half a microsecond, and fractions with many
decimals. The calendar is the default one (CN, 09:00-18:00); the week of
Monday 9 November 2026 has no holiday in mainland China.
"""

from __future__ import annotations

from datetime import datetime

import clausewise

DATASETS = """\
items:
  key: id
  fields:
    id: string
    started_at: timestamp
    stopped_at: timestamp
"""


def _rule(goal: str, warn_at: str) -> str:
    return f"""\
rules:
  - id: clock
    clause: C-1
    dataset: items
    kind: deadline
    severity: high
    start: started_at
    stop: stopped_at
    goal: {goal}
    warn_at: {warn_at}
    title: {{en: Clock}}
    message: {{en: "{{key}} due {{due_at}}, elapsed {{elapsed}} of {{allowed}}"}}
"""


def _found(pack, export, goal: str, warn_at: str, started_at: str, as_of: str) -> dict:
    policy = pack(DATASETS, _rule(goal, warn_at))
    folder = export({"items.csv": f"id,started_at,stopped_at\nopen,{started_at},\n"})
    result = clausewise.audit(clausewise.load(policy), folder, as_of=datetime.fromisoformat(as_of))
    return {f.key: f for f in result.findings}


# 2 working days from Monday 9 Nov 2026 17:47:43.955977: Monday is not counted, Tuesday 10 and Wednesday 11
# are the two days, due Wednesday 11 Nov 18:00. Allowed working time: Monday 17:47:43.955977-18:00 is
# 736.044023 s, Tuesday 32,400 s, Wednesday 32,400 s: 65,536.044023 s.
# warn_at 0.5: half of it is 32,768.0220115 s, exactly half a microsecond past 32,768.022011 s.
# At 32,768.022011 s of working time (Monday's 736.044023 s, then Tuesday 09:00 + 32,031.977988 s
# = Tuesday 17:53:51.977988) less than half has elapsed: no warning yet. From 32,768.022012 s
# (Tuesday 17:53:51.977989) at least half has: a warning.
HALF_MICROSECOND_START = "2026-11-09 17:47:43.955977"


def test_the_warning_starts_at_the_first_microsecond_past_the_share(pack, export):
    warned = _found(pack, export, "2 working days", "0.5", HALF_MICROSECOND_START, "2026-11-10 17:53:51.977989")
    assert (warned["open"].status, warned["open"].due_at) == ("warning", datetime(2026, 11, 11, 18, 0))


def test_no_warning_a_microsecond_before_the_share_has_elapsed(pack, export):
    # The share is rounded half away from zero at the microsecond (calendar.micros): 32,768.022012 s, not
    # 32,768.022011 s, which a DOUBLE's 32,768.02201149999… rounded once gave.
    found = _found(pack, export, "2 working days", "0.5", HALF_MICROSECOND_START, "2026-11-10 17:53:51.977988")
    assert found == {}


def test_a_fraction_with_eight_decimals_warns(pack, export):
    # DECIMAL(18,6) × DECIMAL(9,8) would be DECIMAL(18,14), which holds less than 10,000 s: the share is
    # multiplied in 38 digits (goals._warning_one), where this failed the run with DuckDB's overflow.
    # 2 working days from Monday 9 Nov 2026 10:00: due Wednesday 11 Nov 18:00. Allowed working time:
    # Monday 8 h + Tuesday 9 h + Wednesday 9 h = 26 h = 93,600 s; × 0.33333333 = 31,199.99968800 s.
    # Monday gives 28,800 s (10:00-18:00); the other 2,399.999688 s run from Tuesday 09:00 to
    # 09:39:59.999688. As of Tuesday 10:00 the open item is a warning, due Wednesday 18:00.
    found = _found(pack, export, "2 working days", "0.33333333", "2026-11-09 10:00", "2026-11-10 10:00")
    assert (found["open"].status, found["open"].due_at) == ("warning", datetime(2026, 11, 11, 18, 0))
