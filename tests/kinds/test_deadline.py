"""The deadline kind: calendar and working-time goals, pauses, as-of, warnings."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
from support import DATA

import clausewise

DATASETS = """\
items:
  key: id
  fields:
    id: string
    priority: string
    started_at: timestamp
    stopped_at: timestamp
    paused_at: timestamp
    resumed_at: timestamp
"""
PARAMETERS = """\
reply: {type: duration, value: 24h}
one_day: {type: duration, value: 1 working day elapsed}
by_priority: {type: map, value: {P1: 4h, P2: 24h, P3: 3 working days elapsed, P4: 10 working days elapsed}}
counted: {type: duration, value: 1 working day}
"""


def _rule(goal: str, extra: str = "") -> str:
    return f"""\
rules:
  - id: clock
    clause: C-1
    dataset: items
    kind: deadline
    severity: high
    start: started_at
    stop: stopped_at
    {goal}
    {extra}
    title: {{en: Clock}}
    message: {{en: "{{key}} due {{due_at}}, elapsed {{elapsed}} of {{allowed}}"}}
"""


def _run(pack, export, goal, rows, as_of="2026-11-30 00:00", extra=""):
    header = "id,priority,started_at,stopped_at,paused_at,resumed_at\n"
    policy = pack(DATASETS, _rule(goal, extra), PARAMETERS)
    folder = export({"items.csv": header + "".join(",".join(r) + "\n" for r in rows)})
    result = clausewise.audit(clausewise.load(policy), folder, as_of=datetime.fromisoformat(as_of))
    return {f.key: f for f in result.findings}, result


def test_calendar_goal_boundary(pack, export):
    found, _ = _run(pack, export, "goal: $reply", [
        ("A", "", "2026-10-12 09:00", "2026-10-13 09:00", "", ""),
        ("B", "", "2026-10-12 09:00", "2026-10-13 09:01", "", ""),
        ("C", "", "2026-10-12 09:00", "2026-10-13 10:01", "", ""),
    ])
    assert set(found) == {"B", "C"}
    assert found["C"].due_at == datetime(2026, 10, 13, 9, 0)
    assert found["C"].evidence["elapsed"] == "1 day 01:01:00"
    assert found["C"].evidence["allowed"] == "24h"


def test_working_day_over_a_make_up_saturday(pack, export):
    # Saturday 2026-10-10 is a working day, so one working day from Friday 10:00 ends Saturday 10:00.
    found, _ = _run(pack, export, "goal: $one_day", [
        ("late", "", "2026-10-09 10:00", "2026-10-12 09:00", "", ""),
        ("sat", "", "2026-10-09 10:00", "2026-10-10 10:00", "", ""),
    ])
    assert set(found) == {"late"}
    assert found["late"].due_at == datetime(2026, 10, 10, 10, 0)


def test_working_day_across_national_day(pack, export):
    found, _ = _run(pack, export, "goal: $one_day", [
        ("ontime", "", "2026-09-30 17:00", "2026-10-08 10:00", "", ""),
        ("late", "", "2026-09-30 17:00", "2026-10-08 17:01", "", ""),
    ])
    assert set(found) == {"late"}
    assert found["late"].due_at == datetime(2026, 10, 8, 17, 0)
    assert found["late"].evidence["elapsed"] == "9.02 working hours"


def test_clock_starting_on_a_holiday_begins_next_working_morning(pack, export):
    found, _ = _run(pack, export, "goal: $one_day", [
        ("holiday", "", "2026-10-03 11:00", "2026-10-08 18:01", "", ""),
    ])
    assert found["holiday"].due_at == datetime(2026, 10, 8, 18, 0)


def test_pause_across_a_weekend_in_calendar_time(pack, export):
    # 24 h goal; paused Friday 18:00 to Monday 09:00 (63 h), so due Monday 2026-10-19 09:00 + 63 h - ... :
    found, _ = _run(pack, export, "goal: $reply", [
        ("paused", "", "2026-10-16 09:00", "2026-10-19 17:59", "2026-10-16 18:00", "2026-10-19 09:00"),
        ("late", "", "2026-10-16 09:00", "2026-10-20 00:01", "2026-10-16 18:00", "2026-10-19 09:00"),
    ], extra="pauses: [[paused_at, resumed_at]]")
    assert set(found) == {"late"}
    assert found["late"].due_at == datetime(2026, 10, 20, 0, 0)


def test_pause_in_working_time(pack, export):
    # 3 working days = 27 working hours from Monday 2026-10-12 09:00 → Wednesday 18:00;
    # paused Monday 12:00 to Tuesday 12:00 (9 working hours) → Thursday 18:00.
    found, _ = _run(pack, export, "goal: {by: priority, map: $by_priority}", [
        ("ok", "P3", "2026-10-12 09:00", "2026-10-15 18:00", "2026-10-12 12:00", "2026-10-13 12:00"),
        ("late", "P3", "2026-10-12 09:00", "2026-10-15 18:01", "2026-10-12 12:00", "2026-10-13 12:00"),
    ], extra="pauses: [[paused_at, resumed_at]]")
    assert set(found) == {"late"}
    assert found["late"].due_at == datetime(2026, 10, 15, 18, 0)


def test_goal_by_priority_mixes_calendar_and_working_time(pack, export):
    found, _ = _run(pack, export, "goal: {by: priority, map: $by_priority}", [
        ("p1-ok", "P1", "2026-10-12 09:00", "2026-10-12 13:00", "", ""),
        ("p1-late", "P1", "2026-10-12 09:00", "2026-10-12 13:01", "", ""),
        ("p4-ok", "P4", "2026-10-12 09:00", "2026-10-23 18:00", "", ""),
        ("p4-late", "P4", "2026-10-12 09:00", "2026-10-26 09:01", "", ""),
        ("unknown", "P9", "2026-10-12 09:00", "2026-10-12 09:01", "", ""),
    ])
    assert set(found) == {"p1-late", "p4-late", "unknown"}
    assert found["p4-late"].evidence["allowed"] == "10 working days elapsed"
    assert found["unknown"].due_at is None


def test_open_items_warn_then_violate_at_the_as_of_time(pack, export):
    rows = [("open", "", "2026-10-12 09:00", "", "", "")]
    assert _run(pack, export, "goal: $reply", rows, as_of="2026-10-12 20:00")[0] == {}
    warned = _run(pack, export, "goal: $reply", rows, as_of="2026-10-13 04:12")[0]
    assert warned["open"].status == "warning"
    late = _run(pack, export, "goal: $reply", rows, as_of="2026-10-13 09:01")[0]
    assert late["open"].status == "violation"
    custom = _run(pack, export, "goal: $reply", rows, as_of="2026-10-13 04:12", extra="warn_at: 0.9")[0]
    assert custom == {}


def test_stopped_items_are_never_warnings_and_no_start_is_not_examined(pack, export):
    found, result = _run(pack, export, "goal: $reply", [
        ("done", "", "2026-10-12 09:00", "2026-10-13 08:59", "", ""),
        ("nostart", "", "", "2026-10-13 08:59", "", ""),
    ], as_of="2026-10-13 09:00")
    assert found == {}
    assert result.stats["clock"].examined == 1


def test_months(pack, export):
    params = "review: {type: duration, value: 12 months}"
    policy = pack(DATASETS, _rule("goal: $review"), PARAMETERS + params)
    folder = export({"items.csv": "id,priority,started_at,stopped_at,paused_at,resumed_at\n"
                                  "a,,2025-10-31 10:00,2026-10-31 10:00,,\nb,,2025-10-31 10:00,2026-10-31 10:01,,\n"})
    result = clausewise.audit(clausewise.load(policy), folder, as_of=datetime(2026, 11, 30))
    assert [f.key for f in result.findings] == ["b"]


BOSTON_DATASETS = """\
requests:
  key: case_enquiry_id
  file: {file}
  formats: {{timestamp: "{fmt}"}}
  fields:
    case_enquiry_id: string
    open_dt: timestamp
    target_dt: timestamp
    closed_dt: timestamp
    ontime: {{type: enum, values: [ONTIME, OVERDUE]}}
"""
BOSTON_RULES = """\
rules:
  - id: on-time
    clause: C-1
    dataset: requests
    kind: deadline
    severity: medium
    when: target_dt IS NOT NULL
    start: open_dt
    stop: closed_dt
    due: target_dt
    title: {en: Closed by the target date}
    message: {en: "{key} due {due_at}"}
"""


@pytest.mark.parametrize(("name", "fmt"), [("boston311-100", "%Y-%m-%d %H:%M:%S"), ("boston311-dmy-100", "%d/%m/%Y %H:%M:%S")])
def test_boston311_reproduces_the_citys_ontime_column(pack, tmp_path, name, fmt):
    folder = tmp_path / "b"
    folder.mkdir()
    shutil.copy(DATA / "realdata" / f"{name}.csv", folder)
    policy = clausewise.load(pack(BOSTON_DATASETS.format(file=name, fmt=fmt), BOSTON_RULES))
    result = clausewise.audit(policy, folder, as_of=datetime(2023, 1, 1))
    overdue = {f.key for f in result.findings if f.status == "violation"}
    import csv

    with (folder / f"{name}.csv").open(encoding="utf-8") as handle:
        city = {r["case_enquiry_id"] for r in csv.DictReader(handle) if r["ontime"] == "OVERDUE"}
    assert len(city) == 17
    assert overdue == city


@pytest.mark.parametrize(("manifest", "as_of"), [
    ("period: 2026-10\n", datetime(2026, 11, 1)),
    ("period: 2026-Q4\n", datetime(2027, 1, 1)),
    ("period: '2026'\n", datetime(2027, 1, 1)),
    ("as_of: 2026-10-20 18:00\n", datetime(2026, 10, 20, 18)),
])
def test_export_manifest_sets_the_default_as_of(pack, export, manifest, as_of):
    policy = clausewise.load(pack(DATASETS, _rule("goal: $reply"), PARAMETERS))
    folder = export({"items.csv": "id,priority,started_at,stopped_at,paused_at,resumed_at\n",
                     "export.yaml": manifest})
    result = clausewise.audit(policy, folder)
    assert result.as_of == as_of
    assert "export.yaml" in result.as_of_source


def test_bad_manifest_period_is_a_data_error(pack, export):
    policy = clausewise.load(pack(DATASETS, _rule("goal: $reply"), PARAMETERS))
    folder = export({"items.csv": "id,priority,started_at,stopped_at,paused_at,resumed_at\n",
                     "export.yaml": "period: October\n"})
    with pytest.raises(clausewise.errors.DataError, match='period "October" is not a month'):
        clausewise.audit(policy, folder)



def test_a_misspelt_manifest_key_is_an_error_with_a_suggestion(pack, export):
    policy = clausewise.load(pack(DATASETS, _rule("goal: $reply"), PARAMETERS))
    folder = export({"items.csv": "id,priority,started_at,stopped_at,paused_at,resumed_at\n",
                     "export.yaml": "period: 2026-10\nasof: 2026-10-20\n"})
    with pytest.raises(clausewise.errors.DataError) as caught:
        clausewise.audit(policy, folder)
    assert 'unknown key "asof" — did you mean "as_of"?' in str(caught.value)
    assert caught.value.location.line == 2 and caught.value.location.file.endswith("export.yaml")


def test_the_last_resort_as_of_is_now_in_the_policys_zone(pack, export):
    # No timestamps, no manifest, no --as-of: "now", as the Shanghai wall clock reads it
    # (UTC+8 all year), whatever zone the machine is in.
    from zoneinfo import ZoneInfo

    policy = clausewise.load(pack(DATASETS, _rule("goal: $reply"), PARAMETERS))
    folder = export({"items.csv": "id,priority,started_at,stopped_at,paused_at,resumed_at\n"})
    before = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, microsecond=0)
    result = clausewise.audit(policy, folder)
    after = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert before <= result.as_of <= after
    assert result.as_of_source.startswith("now")
    # An export with no timestamps is audited for the month of that moment.
    assert result.period.start == datetime(result.as_of.year, result.as_of.month, 1)


def test_an_as_of_before_the_exports_records_is_a_warning_in_every_report(pack, export):
    policy = clausewise.load(pack(DATASETS, _rule("goal: $reply"), PARAMETERS))
    folder = export({"items.csv": "id,priority,started_at,stopped_at,paused_at,resumed_at\n"
                                  "A,P1,2026-10-12 09:00,2026-10-12 10:00,,\n"
                                  "B,P1,2026-10-20 09:00,2026-10-20 09:30,,\n"})
    later = clausewise.audit(policy, folder, as_of=datetime(2026, 10, 20, 9, 30))
    assert later.warnings == ()  # as of the latest timestamp exactly: nothing to say
    early = clausewise.audit(policy, folder, as_of=datetime(2026, 10, 15))
    assert early.warnings == ("the as-of time 2026-10-15 00:00:00 is before the export's latest timestamp "
                              "2026-10-20 09:30:00: records after the as-of time were judged too",)
    assert early.meta()["warnings"] == list(early.warnings)
    import io

    from clausewise.report import table
    out = io.StringIO()
    table.write(early, "high", out)
    assert "! the as-of time 2026-10-15 00:00:00 is before" in out.getvalue()

# ---- property: the SQL verdict equals a day-by-day Python reference ----------------
from datetime import timedelta, timezone  # noqa: E402
from decimal import Decimal  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from clausewise.engine.calendar import BusinessCalendar  # noqa: E402
from clausewise.engine.calendar_reference import (  # noqa: E402
    reference_add_working_seconds,
    reference_end_of_working_days,
    reference_working_seconds,
)

CN = BusinessCalendar()
BASE = datetime(2026, 9, 14)
SHANGHAI = timezone(timedelta(hours=8))
minutes = st.integers(0, 60 * 24 * 60)  # two months around National Day 2026


@st.composite
def clock(draw):
    start = BASE + timedelta(minutes=draw(minutes))
    stop = start + timedelta(minutes=draw(st.integers(0, 60 * 24 * 12)))
    pause = None
    if draw(st.booleans()):
        p1 = start + timedelta(minutes=draw(st.integers(0, 60 * 24 * 6)))
        pause = (p1, p1 + timedelta(minutes=draw(st.integers(0, 60 * 24 * 4))))
    offset = draw(st.sampled_from([None, 0, 8, -5, 9]))
    return start, stop, pause, offset


def _render(moment: datetime | None, offset: int | None) -> str:
    if moment is None:
        return ""
    if offset is None:
        return moment.isoformat(sep=" ")
    return moment.replace(tzinfo=SHANGHAI).astimezone(timezone(timedelta(hours=offset))).isoformat()


def _reference_late(start, stop, pause, goal: str) -> bool:
    paused = Decimal(0)
    if pause is not None:
        lo, hi = max(pause[0], start), min(pause[1], stop)
        if hi > lo:
            paused = reference_working_seconds(CN, lo, hi)
    if goal in DAY_COUNTED:
        # The close of the n-th working day after the start's day, moved on by the paused working time.
        end = reference_end_of_working_days(CN, start, DAY_COUNTED[goal], at_close=True)
        return stop > reference_add_working_seconds(CN, end, paused)
    return stop > reference_add_working_seconds(CN, start, ELAPSED[goal] + paused)


ELAPSED = {"1 working day elapsed": 9 * 3600, "3 working days elapsed": 27 * 3600, "4 working hours": 4 * 3600}
DAY_COUNTED = {"1 working day": 1, "3 working days": 3}


_LOADED: dict[tuple, object] = {}


def _loaded(pack, datasets: str, goal: str, extra: str):
    """The clock rule with ``goal``, loaded once per pack folder, datasets and goal (examples share it)."""
    params = f"goal_param: {{type: duration, value: {goal}}}"
    path = pack(datasets, _rule("goal: $goal_param", extra), params)
    key = (str(path), datasets, goal, extra)
    if key not in _LOADED:
        _LOADED[key] = clausewise.load(path)
    return _LOADED[key]


# As many examples as the profile runs (20 quick, 1,000 thorough); each audits up to 25 records.
@settings(max_examples=settings().max_examples, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(clock(), min_size=5, max_size=25), st.sampled_from([*ELAPSED, *DAY_COUNTED]))
def test_verdicts_match_reference_across_offsets_and_pauses(pack, export, clocks, goal):
    policy = _loaded(pack, DATASETS, goal, "pauses: [[paused_at, resumed_at]]")
    rows = "".join(
        f"c{i},,{_render(s, o)},{_render(e, o)},{_render(p and p[0], o)},{_render(p and p[1], o)}\n"
        for i, (s, e, p, o) in enumerate(clocks)
    )
    folder = export({"items.csv": "id,priority,started_at,stopped_at,paused_at,resumed_at\n" + rows})
    result = clausewise.audit(policy, folder, as_of=datetime(2027, 1, 1))
    late = {f.key for f in result.findings}
    expected = {f"c{i}" for i, (s, e, p, _) in enumerate(clocks) if _reference_late(s, e, p, goal)}
    assert late == expected


def test_a_due_date_means_the_end_of_that_day(pack, export):
    datasets = "items:\n  key: id\n  fields: {id: string, started_at: timestamp, stopped_at: timestamp, due_on: date}\n"
    rules = """\
rules:
  - id: by-date
    clause: C-1
    dataset: items
    kind: deadline
    severity: high
    start: started_at
    stop: stopped_at
    due: due_on
    title: {en: T}
    message: {en: "{key} due {due_at}"}
"""
    folder = export({"items.csv": "id,started_at,stopped_at,due_on\n"
                                  "same-day,2026-10-12 09:00,2026-10-20 23:59,2026-10-20\n"
                                  "next-day,2026-10-12 09:00,2026-10-21 00:01,2026-10-20\n"})
    result = clausewise.audit(clausewise.load(pack(datasets, rules)), folder, as_of=datetime(2026, 11, 1))
    assert [(f.key, f.due_at) for f in result.findings] == [("next-day", datetime(2026, 10, 21))]


def test_policy_calendar_adds_holidays_and_working_days(pack, export):
    policy = pack(DATASETS, _rule("goal: $one_day"), PARAMETERS)
    text = policy.read_text(encoding="utf-8").replace(
        "  timezone: Asia/Shanghai\n",
        "  timezone: Asia/Shanghai\n  calendar: {extra_holidays: [2026-10-12], extra_workdays: [2026-10-11], work_hours: '08:00-17:00'}\n")
    policy.write_text(text, encoding="utf-8")
    # Friday 10-09 16:00 + 9 working hours (08:00-17:00): 1 h on Friday, Saturday 10-10 (make-up day) 8 h → 16:00.
    # Without the make-up day it would run into Sunday 10-11 (an extra working day here), and Monday 10-12 is off.
    folder = export({"items.csv": "id,priority,started_at,stopped_at,paused_at,resumed_at\n"
                                  "a,,2026-10-09 16:00,2026-10-10 16:01,,\n"})
    result = clausewise.audit(clausewise.load(policy), folder, as_of=datetime(2026, 11, 1))
    assert [(f.key, f.due_at) for f in result.findings] == [("a", datetime(2026, 10, 10, 16, 0))]
    folder = export({"items.csv": "id,priority,started_at,stopped_at,paused_at,resumed_at\n"
                                  "b,,2026-10-10 16:00,2026-10-13 08:00,,\n"})
    result = clausewise.audit(clausewise.load(policy), folder, as_of=datetime(2026, 11, 1))
    # From Saturday 16:00: 1 h Saturday, 8 h on the extra working Sunday → Sunday 16:00 (Monday is a holiday).
    assert [(f.key, f.due_at) for f in result.findings] == [("b", datetime(2026, 10, 11, 16, 0))]


def test_night_shift_calendar(pack, export):
    policy = pack(DATASETS, _rule("goal: 8 working hours"), PARAMETERS)
    text = policy.read_text(encoding="utf-8").replace(
        "  timezone: Asia/Shanghai\n", "  timezone: Asia/Shanghai\n  calendar: {work_hours: '22:00-06:00'}\n")
    policy.write_text(text, encoding="utf-8")
    # Friday 2026-10-16 23:00 + 8 working hours: Friday's shift gives 7 h (to Saturday 06:00);
    # no shift starts on the weekend; Monday's starts at 22:00 → due Monday 2026-10-19 23:00.
    folder = export({"items.csv": "id,priority,started_at,stopped_at,paused_at,resumed_at\n"
                                  "late,,2026-10-16 23:00,2026-10-19 23:01,,\n"
                                  "ok,,2026-10-16 23:00,2026-10-19 23:00,,\n"})
    result = clausewise.audit(clausewise.load(policy), folder, as_of=datetime(2026, 11, 1))
    assert [(f.key, f.due_at, f.evidence["elapsed"]) for f in result.findings] == [
        ("late", datetime(2026, 10, 19, 23, 0), "8.02 working hours"),  # 7 h + 1 h 1 min
    ]


# ---- day-counted goals in a zone with daylight saving ------------------------------
def _new_york(pack, export, goal: str, rows, as_of: str, extra: str = ""):
    """The clock rule in America/New_York (US holidays, 09:00-18:00); findings by key."""
    policy = pack(DATASETS, _rule(goal, extra), PARAMETERS)
    text = policy.read_text(encoding="utf-8").replace(
        "  timezone: Asia/Shanghai\n", "  timezone: America/New_York\n  calendar: {country: US}\n")
    assert "America/New_York" in text
    policy.write_text(text, encoding="utf-8")
    folder = export({"items.csv": "id,priority,started_at,stopped_at,paused_at,resumed_at\n"
                     + "".join(",".join(r) + "\n" for r in rows)})
    result = clausewise.audit(clausewise.load(policy), folder, as_of=datetime.fromisoformat(as_of))
    return {f.key: f for f in result.findings}


def test_day_counted_goals_across_daylight_saving(pack, export):
    # 1 day from Saturday 2026-03-07 10:00 EST (15:00 UTC): Saturday is not counted, the
    # period is Sunday 8 March, 23 hours long (the clocks jump 02:00 → 03:00), ending at
    # 24:00, i.e. Monday 2026-03-09 00:00 EDT (04:00 UTC): 37 hours after the start.
    # 1 day from Saturday 2026-10-31 10:00 EDT: Sunday 1 November has 25 hours (01:00-02:00
    # twice); due Monday 2026-11-02 00:00 EST.
    found = _new_york(pack, export, "goal: 1 day", [
        ("spring-ok", "", "2026-03-07 10:00", "2026-03-08 23:59", "", ""),
        ("spring-late", "", "2026-03-07 10:00", "2026-03-09 00:01", "", ""),
        ("fall-ok", "", "2026-10-31 10:00", "2026-11-01 23:59", "", ""),
        ("fall-late", "", "2026-10-31 10:00", "2026-11-02 00:00:01", "", ""),
    ], as_of="2026-11-30 00:00")
    assert set(found) == {"spring-late", "fall-late"}
    assert found["spring-late"].due_at == datetime(2026, 3, 9, 0, 0)
    # 15:00 UTC to 04:01 UTC two days later: 37 h 1 min (the wall clocks differ by 38 h 1 min).
    assert found["spring-late"].evidence["elapsed"] == "1 day 13:01:00"
    assert found["fall-late"].due_at == datetime(2026, 11, 2, 0, 0)
    # 14:00 UTC on 31 October to 05:00:01 UTC on 2 November: 39 h 0 min 1 s.
    assert found["fall-late"].evidence["elapsed"] == "1 day 15:00:01"


def test_day_counted_warning_is_a_fraction_of_real_time(pack, export):
    # Open since Saturday 2026-03-07 10:00 EST, 1 day: due 2026-03-09 00:00 EDT, 37 real
    # hours later. warn_at 0.5: 18.5 h after 15:00 UTC is 09:30 UTC = 05:30 EDT on Sunday
    # (half of the 38 wall-clock hours would be 05:00).
    rows = [("open", "", "2026-03-07 10:00", "", "", "")]
    assert _new_york(pack, export, "goal: 1 day", rows, as_of="2026-03-08 05:29", extra="warn_at: 0.5") == {}
    warned = _new_york(pack, export, "goal: 1 day", rows, as_of="2026-03-08 05:31", extra="warn_at: 0.5")
    assert (warned["open"].status, warned["open"].due_at) == ("warning", datetime(2026, 3, 9, 0, 0))
    late = _new_york(pack, export, "goal: 1 day", rows, as_of="2026-03-09 00:00:01", extra="warn_at: 0.5")
    assert late["open"].status == "violation"


def test_day_counted_working_days_across_daylight_saving(pack, export):
    # 1 working day from Friday 2026-03-06 12:00 EST: Friday not counted, the weekend
    # (with the change of the clocks) off, Monday 9 March closes at 18:00 EDT.
    found = _new_york(pack, export, "goal: $counted", [
        ("ok", "", "2026-03-06 12:00", "2026-03-09 18:00", "", ""),
        ("late", "", "2026-03-06 12:00", "2026-03-09 18:01", "", ""),
    ], as_of="2026-11-30 00:00")
    assert set(found) == {"late"}
    assert found["late"].due_at == datetime(2026, 3, 9, 18, 0)
    # Friday 12:00-18:00 6 h + Monday 09:00-18:00 9 h = 15 working hours.
    assert found["late"].evidence["elapsed"] == "15.0 working hours"


# ---- property: two pauses count as their union -------------------------------------
TWO_PAUSES = DATASETS + "    paused2_at: timestamp\n    resumed2_at: timestamp\n"


@st.composite
def paused_clock(draw):
    # Pauses near the start and stops within a few days, so that the stop often falls
    # between the due time of the union and that of the pauses added up.
    start = BASE + timedelta(minutes=draw(st.integers(0, 60 * 24 * 40)))
    stop = start + timedelta(minutes=draw(st.integers(0, 60 * 60)))
    pauses = []
    for _ in range(2):
        begin = start + timedelta(minutes=draw(st.integers(-60 * 12, 60 * 24)))
        pauses.append((begin, begin + timedelta(minutes=draw(st.integers(0, 60 * 16)))))
    return start, stop, pauses


def _union_late(start, stop, pauses, goal: str) -> bool:
    """The verdict with the pauses merged by hand: cut to [start, stop], sorted, overlaps joined."""
    cut = sorted((max(a, start), min(b, stop)) for a, b in pauses if min(b, stop) > max(a, start))
    merged: list[list[datetime]] = []
    for a, b in cut:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    if goal == "10h":
        paused = sum(((b - a) for a, b in merged), timedelta())
        return stop > start + timedelta(hours=10) + paused
    paused = sum((reference_working_seconds(CN, a, b) for a, b in merged), Decimal(0))
    if goal in DAY_COUNTED:
        end = reference_end_of_working_days(CN, start, DAY_COUNTED[goal], at_close=True)
        return stop > reference_add_working_seconds(CN, end, paused)
    return stop > reference_add_working_seconds(CN, start, ELAPSED[goal] + paused)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(paused_clock(), min_size=5, max_size=25), st.sampled_from(["10h", "4 working hours", "1 working day"]))
def test_overlapping_pauses_match_their_union(pack, export, clocks, goal):
    policy = _loaded(pack, TWO_PAUSES, goal, "pauses: [[paused_at, resumed_at], [paused2_at, resumed2_at]]")
    rows = "".join(
        f"c{i},,{s},{e},{p[0][0]},{p[0][1]},{p[1][0]},{p[1][1]}\n" for i, (s, e, p) in enumerate(clocks)
    )
    header = "id,priority,started_at,stopped_at,paused_at,resumed_at,paused2_at,resumed2_at\n"
    result = clausewise.audit(policy, export({"items.csv": header + rows}), as_of=datetime(2027, 1, 1))
    late = {f.key for f in result.findings}
    assert late == {f"c{i}" for i, (s, e, p) in enumerate(clocks) if _union_late(s, e, p, goal)}


def test_every_mistake_of_a_deadline_is_reported_at_once(tmp_path):
    # A misspelt stop field, a goal that is not a duration and a warn_at above 1 in one rule: three problems,
    # each at its own line (the goal used to be read only once everything else was right).
    import shutil

    from support import ROOT

    import clausewise
    from clausewise.errors import ClauseWiseError

    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    path = tmp_path / "rules" / "example" / "inquiries.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("id: inquiry-reply-clock")
    text = text[:at] + text[at:].replace("    stop: replied_at\n    goal: $reply_deadline\n",
                                         "    stop: repled_at\n    goal: 3 workdays\n    warn_at: 1.5\n", 1)
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line = {key: next(i for i, ln in enumerate(lines, 1) if i > text[:at].count("\n") and ln.strip().startswith(key))
            for key in ("stop:", "goal:", "warn_at:")}
    with pytest.raises(ClauseWiseError) as caught:
        clausewise.load(tmp_path / "policies" / "example.yaml")
    said = str(caught.value)
    assert f"inquiries.yaml:{line['stop:']}:11: " in said and 'unknown field "repled_at"' in said
    assert f"inquiries.yaml:{line['goal:']}:11: " in said and '"3 workdays" is not a duration' in said
    assert f"inquiries.yaml:{line['warn_at:']}:14: " in said and "warn_at must be a fraction" in said


# ---- the warning time of a goal in working days, to the microsecond ----
# warn_at × the working time from the start to the close of the last day (goals.py ``_warning_one``): a DECIMAL
# of working seconds times the fraction, made microseconds of working time (calendar.py ``micros``). The calendar
# is the default one (CN, 09:00-18:00); the week of Monday 9 November 2026 has no holiday in mainland China.

# 2 working days from Monday 9 Nov 2026 17:47:43.955977: Monday is not counted, Tuesday 10 and Wednesday 11
# are the two days, due Wednesday 11 Nov 18:00. Allowed working time: Monday 17:47:43.955977-18:00 is
# 736.044023 s, Tuesday 32,400 s, Wednesday 32,400 s: 65,536.044023 s.
# warn_at 0.5: half of it is 32,768.0220115 s, exactly half a microsecond past 32,768.022011 s.
# At 32,768.022011 s of working time (Monday's 736.044023 s, then Tuesday 09:00 + 32,031.977988 s
# = Tuesday 17:53:51.977988) less than half has elapsed: no warning yet. From 32,768.022012 s
# (Tuesday 17:53:51.977989) at least half has: a warning.
HALF_MICROSECOND_START = "2026-11-09 17:47:43.955977"


def _open(pack, export, goal: str, warn_at: str, started_at: str, as_of: str) -> dict:
    """The findings of one open item started at ``started_at``, judged ``as_of``."""
    return _run(pack, export, f"goal: {goal}", [("open", "", started_at, "", "", "")], as_of, f"warn_at: {warn_at}")[0]


def test_the_warning_starts_at_the_first_microsecond_past_the_share(pack, export):
    warned = _open(pack, export, "2 working days", "0.5", HALF_MICROSECOND_START, "2026-11-10 17:53:51.977989")
    assert (warned["open"].status, warned["open"].due_at) == ("warning", datetime(2026, 11, 11, 18, 0))


def test_no_warning_a_microsecond_before_the_share_has_elapsed(pack, export):
    # The share is rounded half away from zero at the microsecond (calendar.micros): 32,768.022012 s, not
    # 32,768.022011 s, which a DOUBLE's 32,768.02201149999… rounded once gave.
    found = _open(pack, export, "2 working days", "0.5", HALF_MICROSECOND_START, "2026-11-10 17:53:51.977988")
    assert found == {}


def test_a_fraction_with_eight_decimals_warns(pack, export):
    # DECIMAL(18,6) × DECIMAL(9,8) would be DECIMAL(18,14), which holds less than 10,000 s: the share is
    # multiplied in 38 digits (goals._warning_one), where this failed the run with DuckDB's overflow.
    # 2 working days from Monday 9 Nov 2026 10:00: due Wednesday 11 Nov 18:00. Allowed working time:
    # Monday 8 h + Tuesday 9 h + Wednesday 9 h = 26 h = 93,600 s; × 0.33333333 = 31,199.99968800 s.
    # Monday gives 28,800 s (10:00-18:00); the other 2,399.999688 s run from Tuesday 09:00 to
    # 09:39:59.999688. As of Tuesday 10:00 the open item is a warning, due Wednesday 18:00.
    found = _open(pack, export, "2 working days", "0.33333333", "2026-11-09 10:00", "2026-11-10 10:00")
    assert (found["open"].status, found["open"].due_at) == ("warning", datetime(2026, 11, 11, 18, 0))
