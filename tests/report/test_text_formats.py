"""Golden outputs of the table, json, jsonl and csv writers, and the grades report."""

from __future__ import annotations

import csv
import io
import json

import pytest
from support import render

from clausewise.report import grades


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
@pytest.mark.parametrize("name", ["result_en", "result_zh"])
def test_golden(fmt, name, request, golden):
    result = request.getfixturevalue(name)
    golden(f"example-{result.lang}.{fmt}.txt", render(fmt, result))


@pytest.mark.parametrize("fmt", sorted(grades.FORMATS))
def test_grades_report_golden(fmt, grades_result, golden):
    buffer = io.StringIO()
    grades.FORMATS[fmt](grades_result, "high", buffer)
    golden(f"grades.{fmt}.txt", buffer.getvalue())


def test_json_is_one_document_with_everything(result_en):
    doc = json.loads(render("json", result_en))
    assert set(doc) == {"run", "summary", "stats", "waivers", "baseline", "findings", "resolved", "grades", "scorecard"}
    assert len(doc["findings"]) == len(result_en.findings)


def test_jsonl_and_csv_hold_one_finding_per_line(result_en):
    lines = render("jsonl", result_en).splitlines()
    assert [json.loads(line)["rule"] for line in lines] == [f.rule for f in result_en.findings]
    rows = list(csv.DictReader(io.StringIO(render("csv", result_en))))
    assert [r["key"] for r in rows] == [f.key or "" for f in result_en.findings]
