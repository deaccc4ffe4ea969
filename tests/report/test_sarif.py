from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from jsonschema import FormatChecker
from jsonschema.validators import validator_for
from support import render

from clausewise.engine.findings import FindingStore
from clausewise.scorecard import scorecard

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def finding(result, rule, **changes):
    """The first finding of ``rule``, changed."""
    return next(f for f in result.findings if f.rule == rule)._replace(**changes)


def with_findings(result, findings):
    return dataclasses.replace(result, findings=FindingStore.of(findings))


def _run(result, fail_on="high") -> dict:
    return json.loads(render("sarif", result, fail_on))["runs"][0]


def _validator():
    checker = FormatChecker()
    # Without rfc3986-validator jsonschema skips URI checks silently, and the
    # encoding of artifact URIs would go untested.
    assert "uri-reference" in checker.checkers, "pip install rfc3986-validator"
    # The schema declares draft-04; validator_for honours that.
    return validator_for(SCHEMA)(SCHEMA, format_checker=checker)


def test_golden(result_en, golden):
    golden("example.sarif", render("sarif", result_en, "high"))


@pytest.mark.parametrize("name", ["result_en", "result_zh", "edge_result", "grades_result"])
def test_valid_against_the_official_schema(name, request):
    log = json.loads(render("sarif", request.getfixturevalue(name), "high"))
    errors = sorted(_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_one_descriptor_per_rule_that_ran_including_data_quality(result_en):
    driver = _run(result_en)["tool"]["driver"]
    assert sorted(r["id"] for r in driver["rules"]) == sorted([*result_en.rules_run, "data-quality"])
    dq = next(r for r in driver["rules"] if r["id"] == "data-quality")
    assert dq["properties"]["clause"] == result_en.policy.data_quality_clause
    assert dq["properties"]["defined_at"].startswith("policies/example.yaml:")


def test_levels_follow_status_then_severity(result_en):
    findings = [
        finding(result_en, "inquiry-channel", severity="critical"),
        finding(result_en, "inquiry-channel", severity="low"),
        finding(result_en, "inquiry-channel", severity="critical", status="warning"),
        finding(result_en, "data-quality", severity="high"),
    ]
    levels = [r["level"] for r in _run(with_findings(result_en, findings))["results"]]
    assert levels == ["error", "note", "warning", "error"]


def test_record_line_counts_the_csv_header_but_no_jsonl_header(result_en):
    by_dataset = {}
    for r in _run(result_en)["results"]:
        region = r["locations"][0]["physicalLocation"].get("region")
        by_dataset.setdefault(r["properties"]["dataset"], []).append((r["properties"]["row"], region))
    assert ("inquiries" in by_dataset) and ("followups" in by_dataset)
    for dataset, pairs in by_dataset.items():
        offset = 1 if dataset != "followups" else 0  # followups is JSON Lines
        for row, region in pairs:
            assert (region is None) if row is None else region["startLine"] == row + offset


def test_an_invalid_csv_cell_is_located_at_its_field(result_en):
    bad = next(r for r in _run(result_en)["results"] if r["properties"]["key"] == "Q-005" and r["ruleId"] == "data-quality")
    # inquiries.csv line 6 (row 5 + the header): "Q-005,email,2026-10-16 10:00:00,合同续签,C-5,maybe,…";
    # "maybe" follows 6 + 6 + 20 + 5 + 4 = 41 characters (合同续签 is 4 characters, one column each),
    # so it spans columns 42 to 46 and the region ends before 47.
    assert bad["locations"][0] == {
        "physicalLocation": {"artifactLocation": {"uri": "examples/example-export/inquiries.csv"},
                             "region": {"startLine": 6, "startColumn": 42, "endLine": 6, "endColumn": 47}},
        "message": {"text": 'column "answered_on_spot"'},
    }


def test_aggregate_finding_points_at_the_file_and_the_rule(result_en):
    result = next(r for r in _run(result_en)["results"] if r["ruleId"] == "satisfaction-rate")
    assert result["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "examples/example-export/followups.jsonl"}}
    related = result["relatedLocations"][0]["physicalLocation"]
    rule = result_en.policy.rule("satisfaction-rate")
    assert related == {
        "artifactLocation": {"uri": "rules/example/followups.yaml"},
        "region": {"startLine": rule.location.line, "startColumn": rule.location.column},
    }


def test_fingerprints_tell_duplicates_apart_and_ignore_the_row(result_en):
    fingerprints = [r["partialFingerprints"]["clausewise/v1"] for r in _run(result_en)["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    moved = with_findings(result_en, [f._replace(row=(f.row or 0) + 10) for f in result_en.findings])
    assert [r["partialFingerprints"]["clausewise/v1"] for r in _run(moved)["results"]] == fingerprints


def test_uris_are_relative_and_encoded(result_en):
    export = Path.cwd() / "exports" / "十月 数据" / "inquiries.csv"
    files = [dataclasses.replace(d, path=str(export)) if d.dataset == "inquiries" else d for d in result_en.data_files]
    log = json.loads(render("sarif", dataclasses.replace(result_en, data_files=files), "high"))
    _validator().validate(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "exports/%E5%8D%81%E6%9C%88%20%E6%95%B0%E6%8D%AE/inquiries.csv"


def test_invocation_carries_as_of_and_exit_code(result_en):
    invocation = _run(result_en, fail_on="never")["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert invocation["exitCode"] == 0
    assert invocation["properties"]["as_of"] == "2026-11-01 09:00:00"


def test_run_properties_carry_grade_distribution_and_scorecard(grades_result):
    props = _run(grades_result)["properties"]
    assert props["grade_distribution"]["risks.computed_grade"] == {"high": 1, "low": 1, "medium": 1}
    lines = {(line["scope"], line["id"]): (line["score"], line["band"]) for line in props["scorecard"]}
    # One high breach in C-2 (E2's appraisal): 100 × (1 − 0.4) = 60, band C; E2's only clause is C-2.
    assert lines[("chapter", "C-2")] == (60.0, "C")
    assert lines[("employee", "E2")] == (60.0, "C")
    assert len(props["scorecard"]) == len(scorecard(grades_result, "high"))
