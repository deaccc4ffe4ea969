from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from support import render

from clausewise.engine.findings import FindingStore
from clausewise.model import RuleStats
from clausewise.report import junit

XSD = xmlschema.XMLSchema(Path(__file__).parent / "data" / "junit-10.xsd")


def case(text: str, rule: str) -> ET.Element:
    root = ET.fromstring(text)
    return next(c for c in root.iter("testcase") if c.get("name").startswith(f"{rule}: "))


def test_golden(result_en, golden):
    golden("example.junit.xml", render("junit", result_en, "high"))


@pytest.mark.parametrize("name", ["result_en", "result_zh", "edge_result", "grades_result"])
def test_valid_against_the_jenkins_schema(name, request):
    XSD.validate(render("junit", request.getfixturevalue(name), "high"))


def test_one_suite_per_chapter_one_case_per_rule(result_en):
    root = ET.fromstring(render("junit", result_en, "high"))
    suites = root.findall("testsuite")
    assert [s.get("name").split()[0] for s in suites] == ["EX-1", "EX-2", "EX-3", "EX-9"]
    assert int(root.get("tests")) == len(result_en.rules_run) + 1  # + data-quality
    assert int(root.get("failures")) == sum(int(s.get("failures")) for s in suites)
    props = {p.get("name"): p.get("value") for p in suites[0].iter("property")}
    assert props["policy.id"] == "example" and props["as_of"] == "2026-11-01 09:00:00"


def test_warnings_alone_go_to_system_out_not_failure(result_en):
    warning = result_en.findings[0]._replace(status="warning")
    result = dataclasses.replace(result_en, findings=FindingStore.of([warning]))
    element = case(render("junit", result, "high"), warning.rule)
    assert element.find("failure") is None
    assert warning.message in element.find("system-out").text


def test_failure_lists_records_capped(result_en):
    first = result_en.findings[0]
    many = [first._replace(key=f"Q-{i:03}", row=i) for i in range(1, junit.MAX_LINES + 8)]
    failure = case(render("junit", dataclasses.replace(result_en, findings=FindingStore.of(many)), "high"), first.rule).find("failure")
    lines = failure.text.splitlines()
    assert len(lines) == junit.MAX_LINES + 1
    assert lines[0].startswith("Q-001, row 1: ")
    assert lines[-1] == "… and 7 more"


def test_rule_that_examined_nothing_is_skipped(result_en):
    stats = {**result_en.stats, "inquiry-channel": RuleStats(examined=0)}
    result = dataclasses.replace(result_en, stats=stats, findings=FindingStore.of([f for f in result_en.findings if f.rule != "inquiry-channel"]))
    text = render("junit", result, "high")
    assert case(text, "inquiry-channel").find("skipped") is not None
    assert ET.fromstring(text).find("testsuite").get("skipped") == "1"


def test_control_characters_in_data_still_make_valid_xml(result_en):
    bad = result_en.findings[0]._replace(message="value \x01\x1b[31m")
    text = render("junit", dataclasses.replace(result_en, findings=FindingStore.of([bad])), "high")
    XSD.validate(text)
    assert "value \ufffd\ufffd[31m" in case(text, bad.rule).find("failure").text


def suite_properties(text: str) -> dict[str, dict[str, str]]:
    return {s.get("name"): {p.get("name"): p.get("value") for p in s.iter("property")} for s in ET.fromstring(text).findall("testsuite")}


def test_suite_properties_carry_the_chapters_score_and_band(grades_result):
    props = suite_properties(render("junit", grades_result, "high"))
    # C-1 and C-2 each hold one high breach: 100 × (1 − 0.4) = 60, band C, one finding failing at high;
    # C-9 (data quality, 10 rows examined) is compliant: 100, band A.
    assert {name: (p["state"], p["score"], p["band"], p["failing"], p["examined"]) for name, p in props.items()} == {
        "C-1 Risks": ("breached", "60", "C", "1", "3"), "C-2 Appraisals": ("breached", "60", "C", "1", "2"),
        "C-9 Data": ("compliant", "100", "A", "0", "10"),
    }


def test_chapter_that_examined_nothing_has_no_score(result_en):
    stats = {rule: RuleStats(examined=0) if result_en.policy.rule(rule) and result_en.policy.rule(rule).clause == "EX-3" else s
             for rule, s in result_en.stats.items()}
    result = dataclasses.replace(result_en, stats=stats, findings=FindingStore.of([f for f in result_en.findings if f.clause != "EX-3"]))
    props = suite_properties(render("junit", result, "high"))["EX-3 Team meetings"]
    assert props["examined"] == "0" and "score" not in props and "band" not in props
