"""Mistakes that `validate` names at the value at fault: a calendar with no working time, a parameter's value
that does not suit the rule using it, and goals too long to count with.

Every case runs `clausewise validate` (so `clausewise.load`, with no export) and asserts the one line it prints,
in English and in Chinese, with the line and column counted by hand in the YAML below.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from clausewise.cli import cli

# Line numbers of the policy, counted by hand: the calendar's own line is 8, the parameters 14 to 17.
POLICY = """\
policy:
  id: t
  version: "1"
  title: {en: Test}
  timezone: Asia/Shanghai
  calendar:
    country: CN
%(calendar)s
  data_quality: {clause: C-9}
clauses:
  C-1: {title: {en: One}}
  C-9: {title: {en: Data}}
parameters:
  warn: {type: number, value: %(warn)s}
  allowed: {type: duration, value: %(allowed)s}
  by_prio: {type: map, value: %(map)s}
  late: {type: duration, value: 30m}
datasets:
  tickets:
    key: ticket_id
    fields: {ticket_id: string, priority: string, opened_at: timestamp, resolved_at: timestamp}
rules: [rules.yaml]
"""
# Columns of the parameters' values: "  warn: {type: number, value: " is 2 + 6 + 22 = 30 characters (column 31);
# "  allowed: {type: duration, value: " is 2 + 9 + 24 = 35 (column 36); "  by_prio: {type: map, value: " is
# 2 + 9 + 19 = 30, so the map's "{" is at column 31 and its first entry's value, after "{P1: ", at column 36.
WARN_AT, ALLOWED, MAP, MAP_P1 = "14:31", "15:36", "16:31", "16:36"

# The deadline rule: "goal" on line 9 (column 11, after "    goal: "), "warn_at" on line 10 (column 14, after
# "    warn_at: ").
DEADLINE = """\
rules:
  - id: ticket-resolve
    clause: C-1
    dataset: tickets
    kind: deadline
    severity: high
    start: opened_at
    stop: resolved_at
    goal: %(goal)s
    warn_at: %(warn_at)s
    title: {en: Resolved}
    message: {en: "ticket {key} late"}
"""
# The periodic rule: "every" on line 8, column 12 (after "    every: ").
PERIODIC = """\
rules:
  - id: ticket-cadence
    clause: C-1
    dataset: tickets
    kind: periodic
    severity: high
    field: opened_at
    every: %(goal)s
    title: {en: Regular}
    message: {en: "ticket {key} late"}
"""
# The reference rule: "window" on line 8, column 13 (after "    window: "), where its "{" is.
REFERENCE = """\
rules:
  - id: ticket-resolved-within
    clause: C-1
    dataset: tickets
    kind: reference
    severity: high
    target: tickets
    window: {from: opened_at, field: resolved_at, within: %(goal)s}
    on: {ticket_id: ticket_id}
    title: {en: Resolved}
    message: {en: "ticket {key} late"}
"""
NINE_TO_SIX = "    work_hours: 09:00-18:00"
EVERY_DAY_OFF = "    weekend: [mon, tue, wed, thu, fri, sat, sun]"


def _validate(tmp_path, lang="en", calendar=NINE_TO_SIX, warn="0.8", allowed="4h", goal_map="{P1: 8 working hours}",
              rules=DEADLINE, goal="$allowed", warn_at="$warn"):
    values = {"calendar": calendar, "warn": warn, "allowed": allowed, "map": goal_map}
    (tmp_path / "policy.yaml").write_text(POLICY % values, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(rules % {"goal": goal, "warn_at": warn_at}, encoding="utf-8")
    return CliRunner().invoke(cli, ["validate", "--policy", str(tmp_path / "policy.yaml"), "--lang", lang])


def _said(tmp_path, **pack) -> tuple[str, str]:
    """The one line `validate` prints for the pack in English and in Chinese (exit code 2 both times), without the
    folder of the pack."""
    said = []
    for lang in ("en", "zh"):
        result = _validate(tmp_path, lang, **pack)
        assert result.exit_code == 2, result.output
        assert result.output.count("\n") == 1, result.output
        said.append(result.output.rstrip("\n").replace(f"{tmp_path}/", ""))
    return said[0], said[1]


def test_the_pack_as_written_is_valid(tmp_path):
    assert _validate(tmp_path).exit_code == 0


# ---- a business calendar with no working time ----

IDLE_EN = ("policy.yaml:8:14: calendar: no day has working time (every weekday is in the weekend, and there are no "
           'extra_workdays), but rule "{id}" counts working time; take the days worked out of the weekend, or list '
           "them in extra_workdays")
IDLE_ZH = ("policy.yaml:8:14：日历：没有任何一天有工作时间（一周七天都在周末中，也没有额外工作日 extra_workdays），"
           "但规则“{id}”按工作时间计算；请把上班的日子移出周末（weekend），或列入 extra_workdays")


@pytest.mark.parametrize(("rules", "goal", "rule"), [
    (DEADLINE, "8 working hours", "ticket-resolve"),
    (DEADLINE, "2 working days", "ticket-resolve"),
    (DEADLINE, "{by: priority, map: $by_prio}", "ticket-resolve"),  # P1: 8 working hours
    (PERIODIC, "5 working days", "ticket-cadence"),
])
def test_a_calendar_with_no_working_time_is_refused_at_its_weekend(tmp_path, rules, goal, rule):
    # Every working-time rule failed the audit, each record's deadline "outside the business calendar".
    # Line 8, column 14: the weekend's "[" after the 13 characters of "    weekend: ".
    assert _said(tmp_path, calendar=EVERY_DAY_OFF, rules=rules, goal=goal) == (IDLE_EN.format(id=rule),
                                                                              IDLE_ZH.format(id=rule))


@pytest.mark.parametrize(("calendar", "goal"), [
    # Working time on the extra workdays only: a company that opens on the days it lists.
    ("    weekend: [mon, tue, wed, thu, fri, sat, sun]\n    extra_workdays: [2026-10-10]", "8 working hours"),
    # No working time, but no rule counts any: calendar days and elapsed time need none.
    (EVERY_DAY_OFF, "7 days"),
    (EVERY_DAY_OFF, "24h"),
    # Six days off leave one working day a week.
    ("    weekend: [mon, tue, wed, thu, fri, sat]", "8 working hours"),
])
def test_a_calendar_with_some_working_time_or_no_rule_needing_any_loads(tmp_path, calendar, goal):
    result = _validate(tmp_path, calendar=calendar, goal=goal)
    assert result.exit_code == 0, result.output


def test_zero_length_working_hours_are_refused_at_their_place(tmp_path):
    # The other way to a day without working time, hours that hold none, was refused already (calendar.parse_hours):
    # pinned here with the idle calendar. Line 8, column 26: Saturday's hours after "    weekday_hours: {sat: ".
    assert _said(tmp_path, calendar='    weekday_hours: {sat: "13:00-13:00"}') == (
        "policy.yaml:8:26: calendar: working hours 13:00-13:00 are empty; the whole day is 00:00-24:00",
        "policy.yaml:8:26：日历：工作时间 13:00-13:00 为空；全天请写 00:00-24:00")


# ---- a parameter's value that does not suit the rule using it: said at the value ----

def test_a_warn_at_parameter_out_of_range_is_located_at_its_value(tmp_path):
    # It was located at the rule's "warn_at: $warn" (rules.yaml:10:14).
    assert _said(tmp_path, warn="1.5") == (
        f'policy.yaml:{WARN_AT}: parameter "warn": warn_at must be a fraction above 0 and at most 1, not 1.5 '
        '(used by rule "ticket-resolve")',
        f"policy.yaml:{WARN_AT}：参数“warn”：warn_at 必须是大于 0、不超过 1 的比例，而不是 1.5（规则“ticket-resolve”使用此参数）")


def test_a_warn_at_written_in_the_rule_is_still_located_there(tmp_path):
    en, _ = _said(tmp_path, warn_at="0")
    assert en == 'rules.yaml:10:14: rule "ticket-resolve": warn_at must be a fraction above 0 and at most 1, not 0'


def test_a_window_parameter_that_is_not_calendar_time_is_located_at_its_value(tmp_path):
    # The reference's window takes elapsed time; it was located at the rule's window (rules.yaml:8:13).
    assert _said(tmp_path, rules=REFERENCE, allowed="2 working days") == (
        f'policy.yaml:{ALLOWED}: parameter "allowed": window "within" must be a calendar duration, not 2 working days '
        '(used by rule "ticket-resolved-within")',
        f"policy.yaml:{ALLOWED}：参数“allowed”：窗口“within”必须是日历时长，而不是 2 working days"
        "（规则“ticket-resolved-within”使用此参数）")


ELAPSED_EN = ('"{text}" counts working days, but the calendar\'s working days differ in length; write the goal in '
              'working hours, or count the days (without "elapsed") (used by rule "ticket-resolve")')
ELAPSED_ZH = ("“{text}”按工作日的时长计算，但日历中各工作日的长短不一；请以工作小时写目标，或按日计算（去掉“elapsed”）"
              "（规则“ticket-resolve”使用此参数）")
# Saturday mornings worked: a 3-hour Saturday beside 9-hour weekdays.
SHORT_SATURDAY = "    weekday_hours: {sat: 09:00-12:00}"


def test_working_days_elapsed_on_uneven_days_are_located_at_the_parameter(tmp_path):
    # It was located at the rule's "goal: $allowed" (rules.yaml:9:11), and said in English under --lang zh.
    assert _said(tmp_path, calendar=SHORT_SATURDAY, allowed="2 working days elapsed") == (
        f'policy.yaml:{ALLOWED}: parameter "allowed": ' + ELAPSED_EN.format(text="2 working days elapsed"),
        f"policy.yaml:{ALLOWED}：参数“allowed”：" + ELAPSED_ZH.format(text="2 working days elapsed"))


def test_working_days_elapsed_on_uneven_days_are_located_at_the_map_entry(tmp_path):
    # P2's value: "  by_prio: {type: map, value: {P1: 4h, P2: " is 30 + 13 = 43 characters, column 44.
    assert _said(tmp_path, calendar=SHORT_SATURDAY, goal="{by: priority, map: $by_prio}",
                 goal_map="{P1: 4h, P2: 3 working days elapsed}") == (
        'policy.yaml:16:44: parameter "by_prio" › P2: ' + ELAPSED_EN.format(text="3 working days elapsed"),
        "policy.yaml:16:44：参数“by_prio” › P2：" + ELAPSED_ZH.format(text="3 working days elapsed"))


def test_an_empty_goal_map_is_located_at_its_value(tmp_path):
    # It was located at the rule's goal (rules.yaml:9:11).
    assert _said(tmp_path, goal="{by: priority, map: $by_prio}", goal_map="{}") == (
        f'policy.yaml:{MAP}: parameter "by_prio": the map is empty, but a goal looked up by value needs at least one '
        'value and its duration (used by rule "ticket-resolve")',
        f"policy.yaml:{MAP}：参数“by_prio”：映射为空，而按取值查找的时限至少需要一个取值及其时限（规则“ticket-resolve”使用此参数）")


# ---- goals too long to count with ----
# The longest accepted is 100 years of the goal's unit (policy/durations.py LONGEST): 1200 months, 36500 days
# (100 × 365), 876000 hours (36500 × 24), the same in working days and working hours.

def _too_long(written: str, longest_en: str, longest_zh: str) -> tuple[str, str]:
    return (f'"{written}" is too long: the longest duration clausewise counts is 100 years ({longest_en})',
            f"“{written}”太长：clausewise 能计算的最长时长为 100 年（{longest_zh}）")


TOO_LONG = [
    # DuckDB refused these at the audit: "Casting value "9360000000000.0" to type DECIMAL(18,6) failed" …
    ("2600000000 working hours", "876000 working hours", "876000 工作小时"),
    # … "Type INT64 with value 99999999999 can't be cast … INT32" …
    ("99999999999 days", "36500 days", "36500 天"),
    # … "ICU date overflows timestamp range"; 1201 months was counted, past any regulation's need.
    ("4000000 months", "1200 months", "1200 个月"),
    ("1201 months", "1200 months", "1200 个月"),
    ("101 years", "1200 months", "1200 个月"),
    ("876001h", "876000 hours", "876000 小时"),
    ("36501 working days", "36500 working days", "36500 个工作日"),
    ("99999999999天", "36500 days", "36500 天"),
]


@pytest.mark.parametrize(("written", "longest_en", "longest_zh"), TOO_LONG, ids=[case[0] for case in TOO_LONG])
def test_a_duration_parameter_too_long_is_refused_at_its_value(tmp_path, written, longest_en, longest_zh):
    en, zh = _too_long(written, longest_en, longest_zh)
    assert _said(tmp_path, allowed=written) == (f'policy.yaml:{ALLOWED}: parameter "allowed": {en}',
                                                f"policy.yaml:{ALLOWED}：参数“allowed”：{zh}")


@pytest.mark.parametrize(("rules", "place", "rule"), [
    (DEADLINE, "9:11", "ticket-resolve"),
    (PERIODIC, "8:12", "ticket-cadence"),
    (REFERENCE, "8:13", "ticket-resolved-within"),
])
def test_a_goal_written_in_the_rule_too_long_is_refused_there(tmp_path, rules, place, rule):
    en, zh = _too_long("99999999999 days", "36500 days", "36500 天")
    assert _said(tmp_path, rules=rules, goal="99999999999 days") == (f'rules.yaml:{place}: rule "{rule}": {en}',
                                                                     f"rules.yaml:{place}：规则“{rule}”：{zh}")


def test_a_goal_map_entry_too_long_is_refused_at_the_entry(tmp_path):
    # P2's value at column 44, as above (the 13 characters of "{P1: 4h, P2: " from the map's "{" at column 31).
    en, zh = _too_long("2600000000 working hours", "876000 working hours", "876000 工作小时")
    assert _said(tmp_path, goal="{by: priority, map: $by_prio}", goal_map="{P1: 4h, P2: 2600000000 working hours}") == (
        f'policy.yaml:16:44: parameter "by_prio" › P2: {en}', f"policy.yaml:16:44：参数“by_prio” › P2：{zh}")


LONGEST = "{P1: 1200 months, P2: 876000h, P3: 36500 days, P4: 876000 working hours, P5: 36500 working days, " \
          "P6: 36500 working days elapsed, P7: 100 years, P8: 52560000 working minutes}"


@pytest.mark.parametrize("rules", [DEADLINE, PERIODIC])
def test_the_longest_goals_load(tmp_path, rules):
    result = _validate(tmp_path, allowed="876000 working hours", goal_map=LONGEST, rules=rules,
                       goal="{by: priority, map: $by_prio}")
    assert result.exit_code == 0, result.output


def test_the_longest_goals_counted_without_the_calendar_run(tmp_path):
    # Months, years and hours are added to the start on the clock; the engine's arithmetic holds them.
    # (Goals counted in days or in working time also need their due time inside the calendar a run builds, a year
    # past the export and the as-of time: docs/time.md, "Limits".)
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "tickets.csv").write_text(
        "ticket_id,priority,opened_at,resolved_at\n"
        "T1,P1,2026-03-02 10:00:00,\nT2,P2,2026-03-02 10:00:00,\nT7,P7,2026-03-02 10:00:00,\n", encoding="utf-8")
    # (A map with no goal in days or working time: a run then builds no calendar, here one of a hundred years.)
    longest = "{P1: 1200 months, P2: 876000h, P7: 100 years}"
    assert _validate(tmp_path, goal_map=longest, goal="{by: priority, map: $by_prio}").exit_code == 0
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / "export"), "--policy", str(tmp_path / "policy.yaml"),
                                      "--as-of", "2127-01-01", "--format", "jsonl"])
    assert result.exit_code == 1, result.output
    due = {f["key"]: f["due_at"] for f in map(json.loads, result.stdout.splitlines()) if f["rule"] == "ticket-resolve"}
    # 1200 months and 100 years after 2026-03-02 10:00: 2126-03-02 10:00. 876000 hours are 36500 days; the 100
    # years from 2026-03-02 hold 36524 (24 leap days: 2028 to 2124 in steps of 4 is 25 years, less 2100), so
    # 36500 days end 24 days earlier: 2126-03-02 less 2 days is 28 February (2126 is no leap year), less 22 more
    # is 6 February.
    assert due == {"T1": "2126-03-02 10:00:00", "T2": "2126-02-06 10:00:00", "T7": "2126-03-02 10:00:00"}


def test_a_calendar_with_no_working_time_is_reported_with_the_rules_other_mistakes(tmp_path):
    # Every mistake at once: the rule's warn_at of 2 and the idle calendar (found by a break test: the calendar's
    # error appeared only once warn_at was mended). The pack's warn parameter is line 14, column 31; the weekend
    # line 8, column 14.
    result = _validate(tmp_path, calendar=EVERY_DAY_OFF, goal="8 working hours", warn="2")
    assert result.exit_code == 2
    lines = result.output.replace(f"{tmp_path}/", "").splitlines()
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == ["policy.yaml:8:14", f"policy.yaml:{WARN_AT}"]
    assert lines[0] == IDLE_EN.format(id="ticket-resolve") and lines[-1] == "2 problems found"
