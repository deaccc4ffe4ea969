"""Computed columns and datasets: bands, weights, lookups, checks at load, breakdowns."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
from support import DATA

import clausewise
from clausewise.errors import ClauseWiseError
from clausewise.scorecard import scorecard

AS_OF = datetime(2026, 11, 1)


@pytest.fixture
def grades_pack(tmp_path):
    """A copy of tests/data/grades that a test may edit: (policy path, export folder)."""
    target = tmp_path / "grades"
    shutil.copytree(DATA / "grades", target)
    return target / "policy.yaml", target / "export"


def _grades(result, dataset, column):
    return {g.key: g.values[column] for g in result.grades if g.dataset == dataset}


def _write_risks(folder, pairs):
    rows = "".join(f"R{l}x{i},{l},{i},low\n" for l, i in pairs)
    (folder / "risks.csv").write_text("risk_id,likelihood,impact,recorded_grade\n" + rows, encoding="utf-8")


def test_risk_bands_at_every_boundary(grades_pack):
    policy, export = grades_pack
    _write_risks(export, [(1, 7), (2, 4), (1, 14), (3, 5), (5, 5), (1, 1)])
    result = clausewise.audit(clausewise.load(policy), export, as_of=AS_OF)
    assert _grades(result, "risks", "computed_grade") == {
        "R1x7": "low", "R2x4": "medium", "R1x14": "medium", "R3x5": "high", "R5x5": "high", "R1x1": "low",
    }


def _write_appraisals(folder, scores):
    rows = "".join(
        f"A{i}{t},E{i},2026-10,{t},{p},{a},{d}\n" for i, (p, a, d) in enumerate(scores) for t in ("superior", "peer", "self")
    )
    (folder / "appraisals.csv").write_text(
        "appraisal_id,employee_id,period,evaluator_type,performance,ability,attitude\n" + rows, encoding="utf-8")


def test_weighted_score_lands_exactly_on_the_band_boundary(grades_pack):
    policy, export = grades_pack
    # 0.6*90 + 0.25*90 + 0.15*90 is 89.99999999999999 in binary floating point.
    _write_appraisals(export, [(90, 90, 90), (89.99, 90, 90), (80, 80, 80), (60, 60, 60), (59.9, 60, 60)])
    result = clausewise.audit(clausewise.load(policy), export, as_of=AS_OF)
    assert _grades(result, "appraisal_scores", "score") == {"E0": 90.0, "E1": 89.994, "E2": 80.0, "E3": 60.0, "E4": 59.94}
    assert _grades(result, "appraisal_scores", "grade") == {
        "E0": "excellent", "E1": "good", "E2": "good", "E3": "qualified", "E4": "unqualified",
    }


def test_every_grade_traces_to_its_inputs(grades_pack):
    policy, export = grades_pack
    result = clausewise.audit(clausewise.load(policy), export, as_of=AS_OF)
    for g in result.grades:
        if g.dataset == "appraisal_scores" and g.values["score"] is not None:
            parts = g.breakdown["score"]
            assert sum(p["contribution"] for p in parts.values()) == pytest.approx(g.values["score"])
            assert all(p["contribution"] == pytest.approx(p["weight"] * p["average"]) for p in parts.values())
            assert g.breakdown["grade"]["value"] == g.values["score"]


def test_changing_a_weight_in_the_policy_changes_the_grade(grades_pack):
    policy, export = grades_pack
    _write_appraisals(export, [(100, 70, 70)])
    before = clausewise.audit(clausewise.load(policy), export, as_of=AS_OF)
    assert _grades(before, "appraisal_scores", "grade") == {"E0": "good"}          # 88
    text = policy.read_text(encoding="utf-8").replace(
        "{performance: 0.6, ability: 0.25, attitude: 0.15}", "{performance: 0.7, ability: 0.15, attitude: 0.15}")
    policy.write_text(text, encoding="utf-8")
    after = clausewise.audit(clausewise.load(policy), export, as_of=AS_OF)
    assert _grades(after, "appraisal_scores", "grade") == {"E0": "excellent"}      # 91


def test_changing_a_band_threshold_changes_the_grade(grades_pack):
    policy, export = grades_pack
    _write_risks(export, [(2, 4)])
    text = policy.read_text(encoding="utf-8").replace("{high: 15, medium: 8, low: 1}", "{high: 15, medium: 9, low: 1}")
    policy.write_text(text, encoding="utf-8")
    result = clausewise.audit(clausewise.load(policy), export, as_of=AS_OF)
    assert _grades(result, "risks", "computed_grade") == {"R2x4": "low"}


def test_lookup_and_rules_on_computed_datasets(grades_pack):
    policy, export = grades_pack
    result = clausewise.audit(clausewise.load(policy), export, as_of=AS_OF)
    assert _grades(result, "results", "months_average") == {"Q1": 90.0, "Q2": None}
    found = {(f.rule, f.key, f.row) for f in result.findings}
    assert found == {("risk-grade", "R2", 2), ("appraisal-complete", "E2", None)}


@pytest.mark.parametrize(("old", "new", "message"), [
    ("{performance: 0.6, ability: 0.25, attitude: 0.15}", "{performance: 0.6, ability: 0.25, attitude: 0.2}",
     "weights must sum to 1, but performance 0.6 + ability 0.25 + attitude 0.2 = 1.05"),
    ("{excellent: 90, good: 80, qualified: 60, unqualified: 0}", "{excellent: 90, good: 80, qualified: 80, unqualified: 0}",
     'bands "good" and "qualified" overlap: both start at 80'),
    ("{excellent: 90, good: 80, qualified: 60, unqualified: 0}", "{excellent: 90, good: 80, qualified: 60}",
     'scores from 0 up to 60 fall in no band (the lowest, "qualified", starts at 60)'),
    ("risk_score: {expr: likelihood * impact, type: integer}", "risk_score: {expr: computed_grade_n * 2, type: integer}\n      computed_grade_n: {expr: risk_score + 1, type: integer}",
     "depend on each other in a cycle"),
    ("risk_score: {expr: likelihood * impact, type: integer}", "risk_score: {expr: likelyhood * impact, type: integer}",
     'unknown field "likelyhood" in dataset "risks" — did you mean "likelihood"?'),
])
def test_configuration_mistakes_are_load_errors(grades_pack, old, new, message):
    policy, _ = grades_pack
    text = policy.read_text(encoding="utf-8")
    assert old in text
    policy.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ClauseWiseError) as info:
        clausewise.load(policy)
    assert message in str(info.value)
    assert "policy.yaml:" in str(info.value)


def test_scorecard_by_clause_chapter_and_group(grades_pack):
    policy, export = grades_pack
    result = clausewise.audit(clausewise.load(policy), export, as_of=AS_OF)
    card = {(s.scope, s.id): (s.examined, s.state, s.score, s.band) for s in scorecard(result, "high")}
    # C-1: 3 risks examined, R2's recorded grade is wrong (high): 100 × (1 − 0.4) = 60, band C.
    assert card[("clause", "C-1")] == (3, "breached", 60.0, "C")
    # By employee, over the clause their records were examined by (C-2, one appraisal score each):
    # E2 has only 2 evaluator types (high): 60, C; E1 is compliant: 100, A.
    assert card[("employee", "E2")] == (1, "breached", 60.0, "C")
    assert card[("employee", "E1")] == (1, "compliant", 100.0, "A")


def test_decision_table_column_and_its_row(grades_pack):
    policy, export = grades_pack
    _write_risks(export, [(1, 7), (2, 4), (3, 5)])
    result = clausewise.audit(clausewise.load(policy), export, as_of=AS_OF)
    assert _grades(result, "risks", "table_grade") == {"R1x7": "low", "R2x4": "medium", "R3x5": "high"}
    rows = {g.key: g.breakdown["table_grade"]["row"] for g in result.grades if g.dataset == "risks"}
    assert rows == {"R1x7": 3, "R2x4": 2, "R3x5": 1}


def test_overlapping_decision_table_is_a_load_error(grades_pack):
    policy, _ = grades_pack
    text = policy.read_text(encoding="utf-8").replace('- ["[8..15)", medium]', '- ["[8..15]", medium]')
    policy.write_text(text, encoding="utf-8")
    with pytest.raises(ClauseWiseError) as info:
        clausewise.load(policy)
    assert "Overlap" in str(info.value) or "overlap" in str(info.value)


def test_event_log_to_one_record_per_case(pack, export):
    datasets = """\
    events:
      key: event_id
      fields: {event_id: string, case_id: string, state: string, at: timestamp}
    """
    policy = pack(datasets, "rules: []\n")
    text = policy.read_text(encoding="utf-8") + """\
derived:
  cases:
    from: events
    group_by: [case_id]
    key: case_id
    columns:
      last_state: {expr: "arg_max(state, at)", type: string}
      opened: {expr: min(at), type: timestamp}
      any_state: {expr: any_value(state), type: string}
"""
    policy.write_text(text, encoding="utf-8")
    folder = export({"events.csv": "event_id,case_id,state,at\n1,C1,New,2026-10-01 09:00\n2,C1,Resolved,2026-10-02 09:00\n"
                                   "3,C2,New,2026-10-03 09:00\n"})
    result = clausewise.audit(clausewise.load(policy), folder, as_of=AS_OF)
    assert {g.key: g.values["last_state"] for g in result.grades if g.dataset == "cases"} == {"C1": "Resolved", "C2": "New"}
