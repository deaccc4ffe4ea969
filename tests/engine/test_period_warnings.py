"""The run says when its chosen period or as-of time may not be what the officer meant.

An inferred audit period and an as-of read off the data are guesses; a
guess that leaves obligations unjudged, or judges an export by a mistyped
date, must be said in the run's warnings (every report shows them), never
pass as a clean run.
"""

from __future__ import annotations

from datetime import datetime

import clausewise

DATASETS = """\
meetings:
  key: id
  fields: {id: string, held_at: timestamp}
"""
RULES = """\
rules:
  - id: two-meetings-a-month
    clause: C-1
    dataset: meetings
    kind: aggregate
    severity: high
    period: {field: held_at, unit: month}
    metric: count(*)
    op: ">="
    threshold: 2
    title: {en: Two meetings a month}
    message: {en: "{period}: {metric} meetings"}
"""


def _audit(pack, export, rows: list[tuple[str, str]], **kwargs):
    policy = clausewise.load(pack(DATASETS, RULES))
    folder = export({"meetings.csv": "id,held_at\n" + "".join(f"{i},{t}\n" for i, t in rows)})
    return clausewise.audit(policy, folder, **kwargs)


def test_an_export_of_two_months_judged_on_one_says_so(pack, export):
    # 2 meetings in October, 3 in November: November holds most timestamps and is inferred; the
    # as-of is the latest, 20 November, so November has not ended, and October lies outside the
    # period: no month is judged and there is no finding. 2 of 5 timestamps (40 %, more than a
    # quarter) lie outside the inferred period.
    result = _audit(pack, export, [("M1", "2026-10-05 10:00"), ("M2", "2026-10-19 10:00"),
                                   ("M3", "2026-11-02 10:00"), ("M4", "2026-11-09 10:00"), ("M5", "2026-11-20 10:00")])
    assert (result.period.label, result.as_of) == ("2026-11", datetime(2026, 11, 20, 10))
    assert list(result.findings) == []
    assert result.warnings == (
        "2 of the export's 5 timestamps lie outside the inferred audit period 2026-11, and are not judged month by "
        "month: state the period (--period, or period: in export.yaml)",
        "the audit period 2026-11 was inferred and has not ended at the as-of time 2026-11-20 10:00:00: obligations "
        "judged month by month are not judged at all; state the period (--period, or period: in export.yaml) to "
        "judge it at its end",
    )


def test_a_few_stray_timestamps_and_a_stated_period_say_nothing(pack, export):
    # 1 of 5 timestamps (20 %, not more than a quarter) is outside October. With the period stated,
    # October is judged at its end (4 meetings, M2–M5: no finding) and there is nothing to warn of.
    rows = [("M1", "2026-09-30 10:00"), ("M2", "2026-10-05 10:00"), ("M3", "2026-10-12 10:00"),
            ("M4", "2026-10-19 10:00"), ("M5", "2026-10-26 10:00")]
    assert _audit(pack, export, rows, period="2026-10").warnings == ()
    inferred = _audit(pack, export, rows)
    assert inferred.period.label == "2026-10" and len(inferred.warnings) == 1  # only: October has not ended
    assert inferred.warnings[0].startswith("the audit period 2026-10 was inferred and has not ended")


def test_a_mistyped_year_that_moves_the_as_of_is_a_warning(pack, export):
    # October's meetings and one typed 2062: the inferred period is October (4 of 5 timestamps);
    # the as-of, the latest timestamp, is in 2062 — after the end of November, the month after October.
    rows = [("M1", "2026-10-05 10:00"), ("M2", "2026-10-12 10:00"), ("M3", "2026-10-19 10:00"),
            ("M4", "2026-10-26 10:00"), ("M5", "2062-10-15 13:00")]
    result = _audit(pack, export, rows)
    assert result.as_of == datetime(2062, 10, 15, 13)
    assert result.warnings == (
        "the as-of time 2062-10-15 13:00:00 is the export's latest timestamp, long after the audit period 2026-10: "
        "a mistyped date? Give --as-of",)
    # A record of 3 November in an October export (an as-of before the end of November) is ordinary, and
    # October has ended by then: no warning.
    rows[-1] = ("M5", "2026-11-03 09:00")
    assert _audit(pack, export, rows).warnings == ()
