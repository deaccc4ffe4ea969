"""The command line: exact exit codes and messages, with click's CliRunner."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewise.cli import cli

EXAMPLE = ["examples/example-export", "--policy", "policies/example.yaml"]

# Commands on the repository's packs take them loaded once (conftest.py); loading is tested elsewhere.
pytestmark = pytest.mark.usefixtures("shipped_packs_once")


@pytest.fixture
def run(root):
    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_audit_with_findings_exits_1(run):
    result = run("audit", *EXAMPLE)
    assert result.exit_code == 1
    assert "inquiry-reply-deadline" in result.output
    # As of the latest timestamp (2026-10-26 10:00): 9 violations, 4 of them high (contact, recorded, reply
    # clock and reply deadline on Q-002/Q-004); Q-007's unreadable receipt time is an invalid value, not judged
    # late; the follow-up windows of Q-005 and Q-007 (closed 22 and 23 October, 7 days) are still open, so
    # their missing visits are not judged yet.
    assert result.output.rstrip().splitlines()[-1] == (
        "Failed: 4 findings at or above high · 9 violations, 0 warnings, 3 invalid values · exit 1")


def test_fail_on_never_exits_0(run):
    assert run("audit", *EXAMPLE, "--fail-on", "never").exit_code == 0


def test_fail_on_critical_exits_0_when_nothing_is_critical(run):
    assert run("audit", *EXAMPLE, "--fail-on", "critical").exit_code == 0


def test_clean_export_exits_0(run):
    result = run("audit", *EXAMPLE, "--rule", "inquiry-times-in-order", "--fail-on", "medium", "--as-of", "2026-10-01")
    assert result.exit_code == 1  # the sample has one out-of-order inquiry and invalid values
    result = run("audit", *EXAMPLE, "--rule", "satisfaction-rate", "--fail-on", "high")
    assert result.exit_code == 0, result.output


def test_json_has_findings_stats_and_metadata(run):
    result = run("audit", *EXAMPLE, "--format", "json", "--as-of", "2026-10-31 18:00")
    doc = json.loads(result.output)
    assert doc["run"]["policy"]["id"] == "example"
    assert doc["run"]["policy"]["hash"].startswith("sha256:")
    assert doc["run"]["as_of"] == "2026-10-31 18:00:00"
    assert {f["dataset"]: f["rows"] for f in doc["run"]["data_files"]} == {"inquiries": 7, "followups": 4, "meetings": 4}
    assert doc["stats"]["inquiry-channel"] == {"examined": 7, "violations": 1, "warnings": 0, "invalid": 0,
                                                    "unjudged": 0, "not_evaluated": False}
    assert doc["summary"]["not_evaluated"] == []
    first = doc["findings"][0]
    assert set(first) >= {"rule", "clause", "dataset", "key", "status", "severity", "message", "evidence"}


def test_findings_are_sorted_deterministically(run):
    one = run("audit", *EXAMPLE, "--format", "jsonl").output
    two = run("audit", *EXAMPLE, "--format", "jsonl").output
    assert one == two
    clauses = [json.loads(line)["clause"] for line in one.splitlines()]
    assert clauses == sorted(clauses)


def test_zh_messages(run):
    result = run("audit", *EXAMPLE, "--lang", "zh")
    assert "咨询 Q-003 的渠道为“wechat”" in result.output
    assert "违规" in result.output


def test_rule_filter_runs_only_that_rule(run):
    doc = json.loads(run("audit", *EXAMPLE, "--rule", "inquiry-channel", "--format", "json").output)
    assert {f["rule"] for f in doc["findings"]} == {"inquiry-channel", "data-quality"}
    assert doc["run"]["rules_run"] == ["inquiry-channel"]


def test_csv_output_to_file(run, tmp_path):
    target = tmp_path / "out.csv"
    result = run("audit", *EXAMPLE, "--format", "csv", "--output", str(target))
    assert result.exit_code == 1
    assert result.output == ""
    assert target.read_text(encoding="utf-8").startswith("clause,rule,dataset,key,row,")


def test_unknown_rule_exits_2_with_suggestion(run):
    result = run("audit", *EXAMPLE, "--rule", "inquiry-chanel")
    assert result.exit_code == 2
    assert result.output.strip() == 'no rule "inquiry-chanel" in policy "example" — did you mean "inquiry-channel"?'


def test_missing_export_folder_exits_2(run):
    result = run("audit", "no/such/folder", "--policy", "policies/example.yaml")
    assert result.exit_code == 2
    assert result.output.strip() == "no/such/folder: export folder not found"


def test_bad_as_of_exits_2(run):
    result = run("audit", *EXAMPLE, "--as-of", "yesterday")
    assert result.exit_code == 2
    assert "--as-of \"yesterday\" is not a date or timestamp" in result.output


def test_bad_format_is_a_usage_error(run):
    result = CliRunner().invoke(cli, ["audit", *EXAMPLE, "--format", "pdf"])
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output


def test_validate_reports_three_mistakes_with_positions(run):
    result = run("validate", "--policy", "tests/data/broken/policy.yaml")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines == [
        'tests/data/broken/rules/inquiries.yaml:7:13: rule "reply-in-time" assert: unknown field "replyed_at" '
        'in dataset "inquiries" — did you mean "replied_at"?',
        'tests/data/broken/rules/inquiries.yaml:11:13: unknown clause "B-7" — did you mean "B-9"?',
        'tests/data/broken/rules/inquiries.yaml:25:5: unknown key "mesage" in rule "reply-after-receipt" '
        '— did you mean "message"?',
        "3 problems found",
    ]
    assert "Traceback" not in result.output


def test_validate_ok(run):
    result = run("validate", "--policy", "policies/example.yaml")
    assert result.exit_code == 0
    assert "policy example 2026.11 is valid: 5 clauses, 11 rules, 3 datasets" in result.output


def test_missing_policy_file_exits_2(run):
    result = run("validate", "--policy", "policies/nope.yaml")
    assert result.exit_code == 2
    assert result.output.strip() == "policies/nope.yaml: file not found"


def test_schema_is_json_schema_2020_12(run):
    doc = json.loads(run("schema").output)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_file_in_repo_is_current(run, root):
    assert (root / "schema" / "clausewise.schema.json").read_text(encoding="utf-8") == run("schema").output


def test_cases_schema_file_in_repo_is_current(run, root):
    text = run("schema", "--cases").output
    assert json.loads(text)["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (root / "schema" / "cases.schema.json").read_text(encoding="utf-8") == text


def test_every_case_file_names_its_schema_for_editors(root):
    files = sorted((root / "tests" / "cases").rglob("*.yaml"))
    assert files
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        # tests/cases/<policy>/<file>.yaml is three folders below the repository root, where schema/ is.
        assert first == "# yaml-language-server: $schema=../../../schema/cases.schema.json", path


def _commands():
    return sorted(cli.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_and_docs(run, root, name):
    result = run(name, "--help")
    assert result.exit_code == 0
    assert len(result.output.splitlines()) > 3
    docs = (root / "docs" / "cli.md").read_text(encoding="utf-8")
    assert re.search(rf"^## `clausewise {name}`", docs, re.M), f"docs/cli.md has no section for {name}"


def test_readme_quick_start_names_existing_files(root):
    readme = (root / "README.md").read_text(encoding="utf-8")
    for path in ("samples/ops-support/2026-10", "policies/ops-support.yaml"):
        assert path in readme
        assert Path(root / path).exists()


def test_test_command_passes_on_the_example(run):
    result = run("test", "--policy", "policies/example.yaml")
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1].endswith(" passed, 0 failed")


@pytest.mark.parametrize(("args", "message"), [
    (["-k", "NOMATCH"], '-k "NOMATCH" selects none of the 27 rule cases; it matches a case\'s rule id or name'),
])
def test_test_command_selecting_no_case_exits_2(run, args, message):
    # The example pack has 26 cases: 17 in tests/cases/example/inquiries.yaml and 9 in followups.yaml.
    result = CliRunner().invoke(cli, ["test", "--policy", "policies/example.yaml", *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == message


def test_test_command_without_cases_exits_2(run, tmp_path, root):
    import shutil

    for folder in ("policies", "rules"):
        shutil.copytree(root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("ops-support*"))
    policy = tmp_path / "policies/example.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("tests:\n  - ../tests/cases/example/*.yaml", ""),
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", "--policy", str(policy)])
    assert result.exit_code == 2
    assert result.stderr.strip() == 'policy "example" has no rule cases; list case files under tests: in the policy'


def test_test_command_shows_expected_against_actual(run, tmp_path, root):
    import shutil

    for folder in ("policies", "rules", "tests/cases"):
        shutil.copytree(root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("ops-support*"))
    case = tmp_path / "tests/cases/example/inquiries.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("{key: Q1, evidence: {elapsed: \"1 day 00:01:00\"}}",
                                                             "{key: Q1, evidence: {elapsed: \"1 day 00:02:00\"}}"), encoding="utf-8")
    result = run("test", "--policy", str(tmp_path / "policies/example.yaml"), "-k", "inquiry-reply-deadline")
    assert result.exit_code == 1
    assert "FAIL inquiry-reply-deadline fail_reply_one_minute_late" in result.output
    assert "evidence: expected {'elapsed': '1 day 00:02:00'}" in result.output
    assert result.output.strip().splitlines()[-1] == "4 passed, 1 failed"
    # The same in Chinese: the comparison's words and the count (the case's values and PASS/FAIL as written).
    chinese = run("test", "--policy", str(tmp_path / "policies/example.yaml"), "-k", "inquiry-reply-deadline",
                  "--lang", "zh")
    assert chinese.exit_code == 1
    assert "预期的发现没有产生：rule=inquiry-reply-deadline, key=Q1, evidence={'elapsed': '1 day 00:02:00'}" in chinese.output
    assert "最接近的发现不同之处：evidence：预期 {'elapsed': '1 day 00:02:00'}，实际 " in chinese.output
    assert chinese.output.strip().splitlines()[-1] == "4 个通过，1 个失败"
    nothing = run("test", "--policy", str(tmp_path / "policies/example.yaml"), "-k", "nomatch*", "--lang", "zh")
    assert nothing.exit_code == 2
    assert nothing.stderr.strip().startswith('-k "nomatch*" 在 ')


def test_coverage_lists_clauses_with_reasons(run):
    result = run("coverage", "--policy", "policies/example.yaml")
    assert result.exit_code == 0
    assert "EX-0" in result.output and "(declarative)" in result.output
    assert "4 of 4 observable clauses have rules (100 %)" in result.output


def test_explain_a_late_deadline_shows_timeline_and_reason(run):
    result = run("explain", "examples/example-export", "inquiry-reply-clock", "Q-002", "--policy", "policies/example.yaml")
    assert result.exit_code == 0
    out = result.output
    assert "Parameters: $reply_deadline = 24h" in out
    assert "NOT answered_on_spot  → true" in out
    assert "due               2026-10-13 09:00:00" in out
    assert "elapsed           1 day 01:01:00 (allowed: 24h)" in out
    assert out.rstrip().endswith("Verdict: VIOLATION\n  inquiry Q-002 was due a reply by 2026-10-13 09:00:00 (within 24h); elapsed: 1 day 01:01:00")
    assert len(out.splitlines()) <= 45


def test_explain_compliant_and_out_of_scope_records(run):
    ok = run("explain", "examples/example-export", "inquiry-reply-clock", "Q-001", "--policy", "policies/example.yaml")
    assert ok.output.rstrip().endswith("Verdict: COMPLIANT")
    out = run("explain", "examples/example-export", "inquiry-reply-clock", "Q-003", "--policy", "policies/example.yaml",
              "--lang", "zh")
    # The Chinese explanation puts a full-width colon after its labels, never an ASCII one.
    assert "结论：未检查" in out.output and "结论: " not in out.output
    # Q-003 was answered on the spot: outside the rule's `when`, said once ("NOT EXAMINED — not examined" before).
    out = run("explain", "examples/example-export", "inquiry-reply-clock", "Q-003", "--policy", "policies/example.yaml")
    assert out.output.rstrip().endswith("Verdict: NOT EXAMINED — the rule's scope (when) does not hold")


def test_explain_at_counts_from_1(run):
    # --at names a line or record number, which starts at 1: 0 and below are usage errors, before any work.
    for at in ("0", "-1"):
        result = run("explain", "examples/example-export", "inquiry-reply-clock", "Q-001", "--policy",
                     "policies/example.yaml", "--at", at)
        assert result.exit_code == 2 and "--at" in result.output


def test_explain_unknown_key_exits_2(run):
    result = run("explain", "examples/example-export", "inquiry-reply-clock", "Q-999", "--policy", "policies/example.yaml")
    assert result.exit_code == 2
    assert result.output.strip() == 'no record with key "Q-999" in dataset "inquiries"'


def test_progress_is_silent_when_not_a_terminal(run, tmp_path):
    result = CliRunner().invoke(cli, ["audit", *EXAMPLE, "-o", str(tmp_path / "r.txt")])
    assert result.output == ""


def test_progress_on_a_terminal(monkeypatch):
    from clausewise.cli import options

    shown = []
    monkeypatch.setattr(options.sys, "stderr", type("T", (), {"isatty": lambda self: True})())
    monkeypatch.setattr(options.click, "echo", lambda text, **kw: shown.append(text))
    show = options.progress_display(quiet=False)
    show("rule inquiry-channel", 0, 9)
    show("rules", 9, 9)
    assert shown == ["\r\033[Kclausewise: rule inquiry-channel (1/9)", "\r\033[K"]
    assert options.progress_display(quiet=True)("rule x", 0, 2) is None


def test_explain_an_aggregate_names_the_records_group(run):
    result = run("explain", "examples/example-export", "satisfaction-rate", "F-2", "--policy", "policies/example.yaml",
                 "--as-of", "2026-11-01")
    assert "satisfaction IS NOT NULL  → true" in result.output
    assert "satisfaction IS NULL" not in result.output
    assert "Verdict: VIOLATION · this rule judges groups; the record is in period=2026-10" in result.output


def test_explain_a_group_by_its_period(run):
    # meetings-per-month counts meetings with minutes per month: October has 1 (M-2 has none), September 2.
    result = run("explain", "examples/example-export", "meetings-per-month", "2026-10", "--policy", "policies/example.yaml",
                 "--as-of", "2026-11-01")
    assert result.exit_code == 0
    out = result.output
    assert "Group period=2026-10: 1 record in scope\nMetric, for this group: count(*) = 1; it must be >= 2" in out
    assert out.rstrip().endswith("Verdict: VIOLATION\n  2026-10: 1 meetings with minutes; at least 2 required")
    # September lies in the audit period only when the period says so (2026-Q3 holds July to September).
    ok = run("explain", "examples/example-export", "meetings-per-month", "period=2026-09", "--policy",
             "policies/example.yaml", "--as-of", "2026-11-01", "--period", "2026-Q3")
    assert "Group period=2026-09: 2 records in scope" in ok.output and ok.output.rstrip().endswith("Verdict: COMPLIANT")


def test_explain_a_month_outside_the_period_or_not_ended(run):
    # The example export's period is October (the month of most of its timestamps).
    outside = run("explain", "examples/example-export", "meetings-per-month", "period=2026-09", "--policy",
                  "policies/example.yaml", "--as-of", "2026-11-01")
    assert outside.exit_code == 0
    assert outside.output.rstrip().endswith(
        "Verdict: NOT JUDGED — 2026-09 is outside the audit period 2026-10: it is never judged in this audit")
    # As of 31 October 00:00, October has not ended: it is judged from 1 November 00:00.
    running = run("explain", "examples/example-export", "meetings-per-month", "2026-10", "--policy",
                  "policies/example.yaml", "--as-of", "2026-10-31")
    assert running.output.rstrip().endswith(
        "Verdict: NOT JUDGED YET — 2026-10 has not ended at the as-of time; it is judged from 2026-11-01 00:00:00")


def test_explain_a_group_that_is_not_there_names_some_that_are(run):
    result = run("explain", "examples/example-export", "meetings-per-month", "M-9", "--policy", "policies/example.yaml",
                 "--as-of", "2026-11-01")
    assert result.exit_code == 2
    assert result.output.strip() == ('no record with key "M-9" in dataset "meetings" and no group of rule '
                                     '"meetings-per-month" matches it; its groups include period=2026-10')


def test_explain_data_quality_shows_the_bad_cell_and_what_was_expected(run):
    result = run("explain", "examples/example-export", "data-quality", "Q-007", "--policy", "policies/example.yaml",
                 "--as-of", "2026-11-01", "--lang", "zh")
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("规则 data-quality — 值符合声明的类型 (EX-9) · 类型 data-quality · 严重度 中")
    # Q-007 is the 7th record of inquiries.csv: line 8, after the header.
    assert ("examples/example-export/inquiries.csv:8 的 received_at = \"2026-10-2X 10:00\"：应为 日期时间" in out)
    assert "结论：数据无效" in out
    clean = run("explain", "examples/example-export", "data-quality", "Q-001", "--policy", "policies/example.yaml")
    assert clean.output.rstrip().endswith("Verdict: COMPLIANT")
    missing = run("explain", "examples/example-export", "data-quality", "Q-0", "--policy", "policies/example.yaml")
    assert missing.exit_code == 2 and missing.output.strip() == 'no record with key "Q-0" in any dataset'


def test_coverage_in_chinese(run):
    result = run("coverage", "--policy", "policies/example.yaml", "--lang", "zh")
    assert result.output.startswith("条款    标题")
    # 5 clauses, EX-0 declarative: 4 observable, each with rules; the example's 11 rules all have both kinds of case.
    assert result.output.rstrip().endswith("4 个可观察条款中 4 个有规则（100 %）；11 条规则中 11 条有 pass_ 和 fail_ 用例")


def test_explain_a_reference_shows_the_window_and_the_records_it_looked_for(run):
    # Q-002 was closed on 13 October at 11:00; $followup_window is 7 days, so its window ends on 20 October
    # at 11:00. Its only follow-up, F-2 (line 2 of followups.jsonl), was on 25 October: outside the window.
    late = run("explain", "examples/example-export", "inquiry-followed-up", "Q-002", "--policy", "policies/example.yaml")
    assert late.exit_code == 0
    assert ("Window: from 2026-10-13 11:00:00 to 2026-10-20 11:00:00\n"
            "Records of followups paired with it (on inquiry_id = inquiry_id):\n"
            "  F-2 (examples/example-export/followups.jsonl:2): visited_at = 2026-10-25 10:00:00; outside the window\n"
            "\nVerdict: VIOLATION\n") in late.output
    # Q-001, closed 13 October 10:00 (window to 20 October 10:00), was visited on 15 October (F-1): it counts.
    met = run("explain", "examples/example-export", "inquiry-followed-up", "Q-001", "--policy", "policies/example.yaml")
    assert "  F-1 (examples/example-export/followups.jsonl:1): visited_at = 2026-10-15 10:00:00; in the window; " \
           "counts\n\nVerdict: COMPLIANT\n" in met.output


def test_explain_picks_one_of_a_duplicated_key_by_where_it_is(run):
    # Q-005 is records 5 and 6 of inquiries.csv, lines 6 and 7 under the header. The second was closed on
    # 22 October at 09:00, so its window runs to 29 October 09:00, after the as-of time (26 October 10:00, the
    # export's latest timestamp), and its one follow-up (F-4, 18 October) is before the window: not judged yet.
    args = ["explain", "examples/example-export", "inquiry-followed-up", "Q-005", "--policy", "policies/example.yaml"]
    first = run(*args)
    assert "Record Q-005 (examples/example-export/inquiries.csv:6): inquiry_id = Q-005, closed_at = " \
           "2026-10-16 11:00:00\n2 records have this key (examples/example-export/inquiries.csv:6, " \
           "examples/example-export/inquiries.csv:7); --at N picks one\n" in first.output
    # The first, closed 16 October 11:00 (window to 23 October 11:00), was visited on 18 October: compliant.
    assert first.output.rstrip().endswith("Verdict: COMPLIANT")
    second = run(*args, "--at", "7")
    assert "Record Q-005 (examples/example-export/inquiries.csv:7): inquiry_id = Q-005, closed_at = " \
           "2026-10-22 09:00:00\n" in second.output
    assert "Window: from 2026-10-22 09:00:00 to 2026-10-29 09:00:00 — still open at the as-of time\n" in second.output
    assert second.output.rstrip().endswith(
        "Verdict: NOT JUDGED YET — its window has not closed at the as-of time; it is judged from 2026-10-29 09:00:00")
    wrong = run(*args, "--at", "5")
    assert (wrong.exit_code, wrong.output) == (2, 'no record with key "Q-005" is at 5; it is at 6, 7 (--at picks one of '
                                                  "these)\n")


def test_a_duplicated_key_is_placed_by_its_line_past_a_quoted_line_break(run, tmp_path):
    """A unique finding's first record (evidence first_row, a record's number) is placed as the reports place
    records: a CSV field holding a line break moves every later record a line down."""
    export = tmp_path / "export"
    shutil.copytree("examples/example-export", export)
    inquiries = export / "inquiries.csv"
    text = inquiries.read_text(encoding="utf-8")
    inquiries.write_text(text.replace("Q-001,hotline,2026-10-12 09:00:00,账户冻结,", 'Q-001,hotline,2026-10-12 09:00:00,"账户\n冻结",'),
                         encoding="utf-8")
    # Header line 1, Q-001 on lines 2-3, Q-002 4, Q-003 5, Q-004 6: the two Q-005 records (records 5 and 6) are on
    # lines 7 and 8.
    audit = json.loads(run("audit", str(export), "--policy", "policies/example.yaml", "-f", "json", "--rule",
                           "inquiry-id-unique").output)
    unique = [f for f in audit["findings"] if f["rule"] == "inquiry-id-unique"]
    assert [(f["row"], f["evidence"]["first_row"]) for f in unique] == [(5, 5), (6, 5)]
    args = ["explain", str(export), "inquiry-id-unique", "Q-005", "--policy", "policies/example.yaml"]
    second = run(*args, "--at", "8")
    assert f"Record Q-005 ({export}/inquiries.csv:8): inquiry_id = Q-005\n" in second.output
    assert second.output.rstrip().endswith(
        f"Verdict: VIOLATION\n  inquiry id Q-005 appears 2 times\n  The first record with these values: {export}/inquiries.csv:7")
