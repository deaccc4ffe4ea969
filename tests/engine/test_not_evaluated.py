"""A rule that could judge no record, every one in its scope having an unreadable value, was not evaluated.

It fails the run at its severity as a finding would: one ``invalid`` finding of its own, which the exit
code, the verdict, the scorecard and every report count and say.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from support import render

import clausewise
from clausewise.scorecard import OVERALL, scorecard

POLICY = """\
policy:
  id: ne
  version: "1"
  title: {en: Not evaluated}
  timezone: Asia/Shanghai
  data_quality: {clause: C-9, severity: low}
clauses:
  C-1: {title: {en: Fancy items closed}}
  C-2: {title: {en: Every item closed in time}}
  C-9: {title: {en: Data}}
datasets:
  items:
    key: id
    fields: {id: string, kind: string, closed_at: timestamp}
rules: [rules.yaml]
"""
RULES = """\
rules:
  - id: fancy-closed
    clause: C-1
    dataset: items
    kind: check
    severity: high
    when: kind = 'fancy'
    assert: closed_at >= TIMESTAMP '2026-01-01'
    title: {en: Fancy items closed this year}
    message: {en: "{key} closed before the year"}
  - id: all-closed
    clause: C-2
    dataset: items
    kind: check
    severity: medium
    assert: closed_at < TIMESTAMP '2027-01-01'
    title: {en: Closed before next year}
    message: {en: "{key} closed too late"}
"""
# K1 and K2 are the only fancy items, and their closed_at does not read; K3 to K10 read. The column has 2
# unreadable values of 10 (not more than half): the run goes on, and fancy-closed has nothing it can judge.
ROWS = ["K1,fancy,someday", "K2,fancy,soon"] + [f"K{i},plain,2026-10-0{i - 2} 09:00" for i in range(3, 11)]


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    export = tmp_path / "export"
    export.mkdir()
    (export / "items.csv").write_text("id,kind,closed_at\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    return tmp_path


def _audit(folder, lang="en"):
    return clausewise.audit(folder / "policy.yaml", folder / "export", as_of=datetime(2026, 11, 1), lang=lang)


def test_the_rule_is_not_evaluated_and_says_why(folder):
    with _audit(folder) as result:
        stats = result.stats
        ours = [f for f in result.findings if f.rule == "fancy-closed"]
    assert (stats["fancy-closed"].examined, stats["fancy-closed"].unjudged, stats["fancy-closed"].invalid) == (0, 2, 1)
    assert stats["fancy-closed"].not_evaluated
    # all-closed judged the 8 readable records and left the 2 others: evaluated, and passed.
    assert (stats["all-closed"].examined, stats["all-closed"].unjudged, stats["all-closed"].not_evaluated) == (8, 2, False)
    (finding,) = ours
    assert (finding.status, finding.severity, finding.clause, finding.dataset, finding.key, finding.row) == (
        "invalid", "high", "C-1", "items", None, None)
    assert finding.message == ("not evaluated: all 2 records in the rule's scope have an unreadable value in "
                               "closed_at (see the data-quality findings)")
    assert finding.evidence == {"not_evaluated": True, "unjudged": 2, "unreadable": ["closed_at"]}


def test_in_chinese_and_for_one_record(folder):
    (folder / "export" / "items.csv").write_text(
        "id,kind,closed_at\n" + "\n".join(["K1,fancy,someday"] + ROWS[2:]) + "\n", encoding="utf-8")
    with _audit(folder, "zh") as result:
        (finding,) = [f for f in result.findings if f.rule == "fancy-closed"]
    assert finding.message == "未评估：规则范围内仅有的 1 条记录的 closed_at 有无法读取的值（见数据质量问题）"
    with _audit(folder) as result:
        (finding,) = [f for f in result.findings if f.rule == "fancy-closed"]
    assert finding.message == ("not evaluated: the one record in the rule's scope has an unreadable value in "
                               "closed_at (see the data-quality findings)")


def test_it_fails_the_run_at_its_severity_and_the_verdict_agrees(folder):
    with _audit(folder) as result:
        # The not-evaluated finding is high: it fails at high and below, not at critical. The two invalid
        # values are low (the policy's data-quality severity): they fail only at low.
        assert {fail_on: result.exit_code(fail_on) for fail_on in ("critical", "high", "medium", "low", "never")} == {
            "critical": 0, "high": 1, "medium": 1, "low": 1, "never": 0}
        assert result.failing_count("high") == 1 and result.failing_count("low") == 3
        table = render("table", result, "high")
        assert table.rstrip().endswith("Failed: 1 finding at or above high · 0 violations, 0 warnings, 3 invalid values · exit 1")
        assert render("table", result, "critical").rstrip().endswith(
            "Passed: no finding at or above critical · 0 violations, 0 warnings, 3 invalid values · exit 0")


def test_its_clause_is_breached_not_compliant(folder):
    with _audit(folder) as result:
        lines = {(line.scope, line.id): line for line in scorecard(result, "high")}
        exit_code = result.exit_code("high")
    c1, c2, c9 = lines[("clause", "C-1")], lines[("clause", "C-2")], lines[("clause", "C-9")]
    # C-1: nothing examined, but an invalid finding at high no waiver accepts: breached at high,
    # 100 × (1 − 0.4) = 60.0, band C (60 ≤ 60 < 75), the one finding failing the run.
    assert (c1.state, c1.worst, c1.examined, c1.score, c1.band, c1.failing) == ("breached", "high", 0, 60.0, "C", 1)
    # C-2: 8 examined, nothing found: compliant, 100. C-9: two low invalid values: 100 × (1 − 0.15) = 85.0, B.
    assert (c2.state, c2.score) == ("compliant", 100.0)
    assert (c9.state, c9.worst, c9.score, c9.band) == ("breached", "low", 85.0, "B")
    # The run: (60 + 100 + 85) / 3 = 81.67 → 81.7, B by score, capped at C by the high breach; it fails, as exit 1 says.
    overall = lines[(OVERALL, OVERALL)]
    assert (overall.score, overall.band, overall.capped, overall.fails) == (81.7, "C", "high", exit_code == 1)


def test_every_report_says_so(folder):
    with _audit(folder) as result:
        reports = {fmt: render(fmt, result, "high") for fmt in ("table", "json", "junit", "sarif", "github",
                                                                 "markdown", "html")}
    with _audit(folder, "zh") as result:
        zh = render("table", result, "high")
    said = ("not evaluated: fancy-closed — every record in scope had an unreadable value it needs (see the "
            "data-quality findings); each counts as an invalid finding at its rule's severity")
    message = ("not evaluated: all 2 records in the rule's scope have an unreadable value in closed_at "
               "(see the data-quality findings)")
    table = " ".join(reports["table"].split())  # lines wrapped to the terminal's width, joined again
    assert f"! {said}" in table and message in table
    # Chinese lines wrap between any two characters: compared without the white space.
    assert ("!未评估：fancy-closed——范围内每条记录都有这些规则所需但无法读取的值（见数据质量问题）；"
            "每条规则按其严重度计为一项无效值") in "".join(zh.split())
    assert doc_warnings(reports) == [said]
    doc = json.loads(reports["json"])
    assert doc["summary"]["not_evaluated"] == ["fancy-closed"]
    assert doc["stats"]["fancy-closed"] == {"examined": 0, "violations": 0, "warnings": 0, "invalid": 1,
                                            "unjudged": 2, "not_evaluated": True}
    assert doc["summary"]["exit_code"] == 1
    case = next(c for c in ET.fromstring(reports["junit"]).iter("testcase") if c.get("name").startswith("fancy-closed"))
    failure = case.find("failure")
    assert failure.get("message") == "not evaluated: 2 records in scope could not be judged; 1 invalid value"
    assert failure.get("type") == "high" and failure.text == message
    (result_,) = [r for r in json.loads(reports["sarif"])["runs"][0]["results"] if r["ruleId"] == "fancy-closed"]
    assert (result_["level"], result_["message"]["text"]) == ("error", message)
    assert any(line.startswith("::error file=") and line.endswith("::" + message)
               for line in reports["github"].splitlines())
    assert f"> ⚠️ {said}\n" in reports["markdown"]
    assert f'<p class="sub warn">⚠ {said}</p>'.replace("'", "&#39;") in reports["html"]  # jinja2 escapes '
    assert f"::warning::{said}\n" in reports["github"]
    assert 'class="not-evaluated"' in reports["html"]


def doc_warnings(reports):
    return json.loads(reports["json"])["run"]["warnings"]


def test_a_rule_with_no_record_in_scope_is_not_a_rule_not_evaluated(folder):
    rows = ROWS[2:]  # no fancy item at all: nothing to examine, nothing unjudged
    (folder / "export" / "items.csv").write_text("id,kind,closed_at\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with _audit(folder) as result:
        assert not result.stats["fancy-closed"].not_evaluated
        assert result.exit_code("high") == 0
        assert "not evaluated" not in render("table", result, "high") and result.warnings == ()


def test_records_out_of_scope_do_not_make_it_not_evaluated(folder):
    # A fancy item that reads (K11): fancy-closed judges it, so it was evaluated, though K1 and K2 were not judged.
    rows = ROWS + ["K11,fancy,2026-10-09 09:00"]
    (folder / "export" / "items.csv").write_text("id,kind,closed_at\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with _audit(folder) as result:
        stats = result.stats["fancy-closed"]
        assert (stats.examined, stats.unjudged, stats.not_evaluated, stats.invalid) == (1, 2, False, 0)



# A rule judged per month whose every month of the audit period is still open at the as-of time is not judged yet:
# never "not evaluated", even when every record in its scope has an unreadable value.
MONTHLY = """\
rules:
  - id: closed-in-month
    clause: C-1
    dataset: items
    kind: check
    severity: high
    per: month
    when: kind = 'fancy'
    assert: closed_at < $period_end
    title: {en: Closed within the month}
    message: {en: "{key} not closed in {period}"}
"""


def _monthly(folder, as_of):
    (folder / "rules.yaml").write_text(MONTHLY, encoding="utf-8")
    return clausewise.audit(folder / "policy.yaml", folder / "export", as_of=as_of)


def test_a_month_not_judged_yet_is_not_a_rule_not_evaluated(folder):
    # The export's timestamps (K3 to K10) are in October 2026: the audit period is 2026-10. As of 2026-10-20 the
    # month has not ended, so no month is judged: 0 records examined, none unjudged, October pending.
    with _monthly(folder, datetime(2026, 10, 20)) as result:
        stats = result.stats["closed-in-month"]
        assert (stats.examined, stats.unjudged, stats.pending, stats.not_evaluated) == (0, 0, ("2026-10",), False)
        assert [f for f in result.findings if f.rule == "closed-in-month"] == []
        assert result.exit_code("high") == 0 and not any("not evaluated" in w for w in result.warnings)


def test_a_judged_month_whose_records_are_all_unreadable_is_not_evaluated(folder):
    # As of 2026-11-01 October has ended and is judged: K1 and K2, the fancy items, have unreadable closed_at,
    # so October's 2 record-months are unjudged, none examined: not evaluated, one high invalid finding.
    with _monthly(folder, datetime(2026, 11, 1)) as result:
        stats = result.stats["closed-in-month"]
        (finding,) = [f for f in result.findings if f.rule == "closed-in-month"]
        assert (stats.examined, stats.unjudged, stats.pending, stats.not_evaluated) == (0, 2, (), True)
        assert (finding.status, finding.severity) == ("invalid", "high")
        assert result.exit_code("high") == 1


# ---- an unreadable value is never shown as an empty one ("—") in another rule's message ------------------------

def test_a_message_showing_an_unreadable_value_says_it_is_unreadable(tmp_path):
    policy = POLICY.replace("    fields: {id: string, kind: string, closed_at: timestamp}",
                            "    fields: {id: string, kind: string, closed_at: timestamp, n: integer}")
    rules = """\
rules:
  - id: positive
    clause: C-1
    dataset: items
    kind: check
    severity: high
    assert: n >= 0
    title: {en: Positive}
    message: {en: "{key} is negative (closed at {closed_at})"}
"""
    (tmp_path / "policy.yaml").write_text(policy, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
    (tmp_path / "export").mkdir()
    # K1: closed_at unreadable ("someday"), n negative; K2 to K4 read: 1 unreadable value of 4, the run goes on.
    rows = ["K1,plain,someday,-1", "K2,plain,2026-10-01 09:00,-2", "K3,plain,2026-10-02 09:00,3",
            "K4,plain,,-4"]
    (tmp_path / "export" / "items.csv").write_text("id,kind,closed_at,n\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with clausewise.audit(tmp_path / "policy.yaml", tmp_path / "export", as_of=datetime(2026, 11, 1)) as result:
        got = [(f.rule, f.key, f.status, f.message) for f in result.findings if f.rule == "positive"]
        stats = result.stats["positive"]
    # The rule reads n only, so it judges all 4: K1, K2 and K4 are negative, K3 is not. K1's closed_at, shown in
    # the message, did not read: it says so, not "—", which is what K4's empty closed_at shows.
    assert got == [("positive", "K1", "violation", "K1 is negative (closed at (unreadable))"),
                   ("positive", "K2", "violation", "K2 is negative (closed at 2026-10-01 09:00:00)"),
                   ("positive", "K4", "violation", "K4 is negative (closed at —)")]
    assert (stats.examined, stats.unjudged) == (4, 0)
