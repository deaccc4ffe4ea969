"""Durations as officers write them, in English and in Chinese, and what is said about the ones that are not."""

from __future__ import annotations

import pytest

from clausewise.model import Duration
from clausewise.policy.durations import duration_problem


@pytest.mark.parametrize(("text", "amount", "basis"), [
    ("24h", 86400, "calendar"),
    ("24小时", 86400, "calendar"),            # 24 × 3600
    ("24 小时", 86400, "calendar"),
    ("2个小时", 7200, "calendar"),            # 2 × 3600
    ("30分钟", 1800, "calendar"),             # 30 × 60
    ("10秒", 10, "calendar"),
    ("5天", 432000, "calendar"),              # 5 × 86400
    ("7日", 604800, "calendar"),              # 7 × 86400
    ("3个自然日", 259200, "calendar"),         # 3 × 86400
    ("2周", 1209600, "calendar"),             # 2 × 7 × 86400
    ("1个星期", 604800, "calendar"),
    ("3个月", 3, "months"),
    ("1年", 12, "months"),
    ("3个工作日", 3, "working_days"),
    ("3工作日", 3, "working_days"),
    ("4个工作小时", 14400, "working_hours"),   # 4 × 3600 seconds of working time
    ("90工作分钟", 5400, "working_hours"),     # 90 × 60
])
def test_english_and_chinese_units(text, amount, basis):
    duration = Duration.parse(text)
    assert (duration.amount, duration.basis, duration.text) == (amount, basis, text)


@pytest.mark.parametrize(("text", "problem"), [
    ("24 hourz", '"24 hourz" is not a duration — did you mean "24 hours"?'),
    ("1 hourz", '"1 hourz" is not a duration — did you mean "1 hour"?'),
    ("3 wrking days", '"3 wrking days" is not a duration — did you mean "3 working days"?'),
    ("3 workdays", '"3 workdays" is not a duration — did you mean "3 working days"?'),
    ("24 小时x", '"24 小时x" is not a duration — did you mean "24小时"?'),
    ("3个工作曰", '"3个工作曰" is not a duration — did you mean "3个工作日"?'),
    ("P1D", '"P1D" is an ISO 8601 duration, which clausewise does not read: write "1 day"'),
    ("PT4H", '"PT4H" is an ISO 8601 duration, which clausewise does not read: write "4 hours"'),
    ("P1Y2M", '"P1Y2M" is an ISO 8601 duration, which clausewise does not read; write e.g. 24h, 30m, 7 days, '
              "3 working days, 4 working hours or 24小时, 3个工作日"),
    ("-1 day", '"-1 day" is not a duration: the time allowed cannot be negative'),
    ("24", '"24" is not a duration: give a unit, e.g. 24h or 24 days'),
    ("3 working months", '"3 working months" is not a duration: working time is counted in working days, hours or minutes'),
    ("1.5 months", '"1.5 months" is not a duration: months and years are counted whole (write e.g. 1 month or 30 days)'),
    ("soon", '"soon" is not a duration; write e.g. 24h, 30m, 7 days, 3 working days, 4 working hours or 24小时, 3个工作日'),
    ("pending", '"pending" is not a duration; write e.g. 24h, 30m, 7 days, 3 working days, 4 working hours or 24小时, 3个工作日'),
])
def test_what_is_wrong_with_a_duration(text, problem):
    assert Duration.parse(text) is None
    assert duration_problem(text) == problem
