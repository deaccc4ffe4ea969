"""Why each computed value is what it is (engine/reasons.py), and picking grades by dataset, key, value and limit."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest
from click.testing import CliRunner
from support import DATA

import clausewise
from clausewise.cli import cli

AS_OF = datetime(2026, 11, 1)


@pytest.fixture
def grades_pack(tmp_path):
    target = tmp_path / "grades"
    shutil.copytree(DATA / "grades", target)
    return target / "policy.yaml", target / "export"


def _reasons(result, dataset: str, column: str) -> dict:
    return {g.key: g.reasons[column] for g in result.grades.where(datasets=[dataset])}


def _write_appraisals(folder, rows: list[tuple[str, str, float]]):
    """(employee, evaluator type, one score used for all three dimensions)."""
    body = "".join(f"A{i},{e},2026-10,{t},{s},{s},{s}\n" for i, (e, t, s) in enumerate(rows))
    (folder / "appraisals.csv").write_text(
        "appraisal_id,employee_id,period,evaluator_type,performance,ability,attitude\n" + body, encoding="utf-8")


def test_a_band_says_its_bounds_and_the_weighted_score_its_terms(grades_pack):
    policy, export = grades_pack
    # E1: superior 80, peer 70, self 60 → 0.5 × 80 + 0.3 × 70 + 0.2 × 60 = 40 + 21 + 12 = 73.0, in [60, 80): qualified.
    _write_appraisals(export, [("E1", "superior", 80), ("E1", "peer", 70), ("E1", "self", 60)])
    with clausewise.audit(clausewise.load(policy), export, as_of=AS_OF) as result:
        grade = _reasons(result, "appraisal_scores", "grade")["E1"]
        score = _reasons(result, "appraisal_scores", "score")["E1"]
    assert grade == {"codes": ["in_band"], "text": "qualified: score 73.0 in [60, 80)"}
    assert score == {"codes": ["weighted"], "text": "weighted score 73.0 = superior 80.0 × 0.5 + peer 70.0 × 0.3 + self 60.0 × 0.2"}


def test_an_empty_grade_says_which_input_is_missing_in_both_languages(grades_pack):
    policy, export = grades_pack
    _write_appraisals(export, [("E1", "superior", 80), ("E1", "peer", 70)])
    loaded = clausewise.load(policy)
    with clausewise.audit(loaded, export, as_of=AS_OF) as result:
        en = _reasons(result, "appraisal_scores", "grade")["E1"]
    with clausewise.audit(loaded, export, as_of=AS_OF, lang="zh") as result:
        zh = _reasons(result, "appraisal_scores", "grade")["E1"]
    assert en == {"codes": ["unknown", "missing:self"], "text": 'no band: score unknown; no record with evaluator_type "self"'}
    assert zh == {"codes": ["unknown", "missing:self"], "text": "无等级：score 未知；缺少 evaluator_type 为“self”的记录"}


def test_table_rows_lookups_and_expressions_say_why(grades_pack):
    policy, export = grades_pack
    (export / "risks.csv").write_text("risk_id,likelihood,impact,recorded_grade\nR1,2,4,low\nR2,,4,low\n", encoding="utf-8")
    with clausewise.audit(clausewise.load(policy), export, as_of=AS_OF) as result:
        table = _reasons(result, "risks", "table_grade")
        score = _reasons(result, "risks", "risk_score")
        band = _reasons(result, "risks", "computed_grade")
        found = _reasons(result, "results", "months_average")
    # 2 × 4 = 8: the second row of risk_table ([8..15) → medium); band medium starts at 8, high at 15.
    assert table["R1"] == {"codes": ["table_row"], "text": "medium: row 2 of risk_table (score 8)"}
    assert band["R1"]["text"] == "medium: risk_score 8 in [8, 15)"
    # R2 has no likelihood: no score, no band, no table row, and each says likelihood is missing.
    assert score["R2"] == {"codes": ["unknown", "missing:likelihood"],
                           "text": "unknown: likelihood * impact (impact 4, likelihood —); likelihood missing"}
    assert band["R2"]["codes"] == ["unknown", "missing:likelihood"]
    assert table["R2"]["codes"][0] == "no_table_row"
    assert found["Q2"] == {"codes": ["not_found"], "text": "nothing found in quarterly_scores (employee_id E9, period 2026-Q4)"}


def test_grades_filters_are_where_and_limit(grades_pack):
    policy, export = grades_pack
    with clausewise.audit(clausewise.load(policy), export, as_of=AS_OF) as result:
        grades = result.grades
        # risks R1 (15: high), R2 (8: medium), R3 (7: low): "high" is the computed and the table grade of R1 only.
        assert [g.key for g in grades.where(grade="high")] == ["R1"]
        assert [g.key for g in grades.where(grade="computed_grade=medium")] == ["R2"]
        assert [g.key for g in grades.where(datasets=["appraisal_scores"], key="E2")] == ["E2"]
        # 2 results + 3 risks + 5 appraisals + 2 appraisal scores + 2 quarterly scores = 14; the limit spans datasets.
        assert len(grades) == 14 and [g.key for g in grades.where(limit=3)] == ["Q1", "Q2", "R1"]
        assert grades.count(grade="high") == 1 and grades.count(datasets=["risks", "results"]) == 5
        lines = [json.loads(line) for line in grades.json_lines(datasets=["risks"], limit=2)]
    assert [line["key"] for line in lines] == ["R1", "R2"]


def test_grades_command_filters_and_says_how_many_more(grades_pack):
    policy, export = grades_pack
    args = ["grades", str(export), "-p", str(policy), "--as-of", "2026-11-01"]
    out = CliRunner().invoke(cli, [*args, "--dataset", "risks", "--limit", "2"]).output
    # risks has 3 records; 2 are listed, so 1 more.
    assert out.startswith("risks: 3 records\n") and "\nR3 " not in out
    assert "\n… 1 record not listed; narrow with --dataset" in out
    done = CliRunner().invoke(cli, [*args, "--grade", "unqualified"])
    assert done.exit_code == 0 and done.output.startswith("No computed value matches.")
    wrong = CliRunner().invoke(cli, [*args, "--dataset", "risk"])
    assert wrong.exit_code == 2 and 'did you mean "risks"?' in wrong.output
    rows = CliRunner().invoke(cli, [*args, "--format", "csv", "--key", "E2", "--dataset", "appraisal_scores"]).output
    assert rows.splitlines()[0].endswith(",reason_codes,reason") and len(rows.splitlines()) == 1 + 4  # 4 columns
