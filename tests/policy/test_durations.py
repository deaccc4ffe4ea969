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
    # Days are day-counted (the amount is the number of days); a week is 7 of them.
    ("5天", 5, "days"),
    ("7日", 7, "days"),
    ("3个自然日", 3, "days"),
    ("2周", 14, "days"),                      # 2 × 7
    ("1个星期", 7, "days"),
    ("5 days", 5, "days"),
    ("1 day", 1, "days"),
    ("2 weeks", 14, "days"),                  # 2 × 7
    ("5 working days", 5, "working_days"),
    ("5个工作日", 5, "working_days"),
    # "elapsed": the hour reading, days as lengths of time.
    ("7 days elapsed", 604800, "calendar"),   # 7 × 86400
    ("1.5 days elapsed", 129600, "calendar"),  # 1.5 × 86400
    ("1 week elapsed", 604800, "calendar"),   # 7 × 86400
    ("5 working days elapsed", 5, "working_days_elapsed"),
    ("2.5 Working Days Elapsed", 2.5, "working_days_elapsed"),
    ("24h elapsed", 86400, "calendar"),       # hours are elapsed anyway
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
    ("1.5 days", '"1.5 days" is not a duration: days are counted whole; for a part of a day write hours ("36h"), '
                 'or "1.5 days elapsed"'),                                   # 1.5 × 24 = 36
    ("0.5 weeks", '"0.5 weeks" is not a duration: days are counted whole; for a part of a day write hours ("84h"), '
                  'or "0.5 weeks elapsed"'),                                # 0.5 × 7 × 24 = 84
    ("1.5天", '"1.5天" is not a duration: days are counted whole; for a part of a day write hours, e.g. "36小时"'),
    ("2.5 working days", '"2.5 working days" is not a duration: days are counted whole; for a part of a day write '
                         'working hours, or "2.5 working days elapsed"'),
    ("1.5个工作日", '"1.5个工作日" is not a duration: days are counted whole; for a part of a day write working hours, '
                 'e.g. "4个工作小时"'),
    ("5 working days by the clock", '"5 working days by the clock" is not a duration — did you mean "5 working days '
                                    'elapsed"? Days are counted as days (the start\'s day not counted); "elapsed" counts '
                                    'them as hours'),
    ("5 working days elapsd", '"5 working days elapsd" is not a duration — did you mean "5 working days elapsed"? Days '
                              'are counted as days (the start\'s day not counted); "elapsed" counts them as hours'),
    ("7 days in hours", '"7 days in hours" is not a duration — did you mean "7 days elapsed"? Days are counted as days '
                        '(the start\'s day not counted); "elapsed" counts them as hours'),
    ("3 months elapsed", '"3 months elapsed" is not a duration — did you mean "3 months"?'),
    ("soon", '"soon" is not a duration; write e.g. 24h, 30m, 7 days, 3 working days, 4 working hours or 24小时, 3个工作日'),
    ("pending", '"pending" is not a duration; write e.g. 24h, 30m, 7 days, 3 working days, 4 working hours or 24小时, 3个工作日'),
])
def test_what_is_wrong_with_a_duration(text, problem):
    assert Duration.parse(text) is None
    assert duration_problem(text) == problem
