"""The scorecard: clause states, scores, bands and caps by hand, and never a story opposite to the exit code."""

from __future__ import annotations

import dataclasses
import textwrap
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clausewise
from clausewise.engine.findings import FindingStore
from clausewise.errors import ClauseWiseError
from clausewise.model import SEVERITIES, Finding, RuleStats, RunResult
from clausewise.scorecard import OVERALL, scorecard

POLICY = """\
policy:
  id: s
  version: "1"
  title: {en: Scored}
  data_quality: {clause: B-9}
clauses:
  A-1.1: {title: {en: One one}}
  A-1.2: {title: {en: One two}}
  A-2.1: {title: {en: Two one}}
  B-9: {title: {en: Data}}
  Z-1: {title: {en: Declared only}, observable: false, reason: a statement of intent}
datasets:
  items: {key: id, fields: {id: string, n: integer}}
rules: [rules.yaml]
"""
RULES = """\
rules:
  - {id: r11, clause: A-1.1, dataset: items, kind: check, severity: high, assert: n > 0, title: {en: r}, message: {en: m}}
  - {id: r12, clause: A-1.2, dataset: items, kind: check, severity: low, assert: n > 0, title: {en: r}, message: {en: m}}
  - {id: r21, clause: A-2.1, dataset: items, kind: check, severity: critical, assert: n > 0, title: {en: r}, message: {en: m}}
"""
CLAUSE = {"r11": "A-1.1", "r12": "A-1.2", "r21": "A-2.1", "data-quality": "B-9"}


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scored")
    (folder / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (folder / "rules.yaml").write_text(RULES, encoding="utf-8")
    return clausewise.load(folder / "policy.yaml")


def run_of(policy, findings: list[Finding], examined: int = 10, fail_on_new: bool = False) -> RunResult:
    stats = {rule: RuleStats(examined=examined) for rule in CLAUSE}
    return RunResult(policy=policy, as_of=datetime(2026, 11, 1), as_of_source="given", lang="en",
                     findings=FindingStore.of(findings), stats=stats, data_files=[], export_dir="x",
                     engine_version="0", rules_run=("r11", "r12", "r21"), fail_on_new=fail_on_new)


def finding(rule: str, status: str = "violation", severity: str = "high", waived: bool = False,
            baseline: str | None = None, key: str = "K") -> Finding:
    waiver = '{"id": "W-1", "reason": "r", "approved_by": "a", "reference": null, "expires": "2026-12-31"}'
    return Finding(rule, CLAUSE[rule], "items", key, status, severity, "m", waiver_json=waiver if waived else None,
                   baseline=baseline)


def lines(result: RunResult, fail_on: str = "high") -> dict[tuple[str, str], object]:
    return {(line.scope, line.id): line for line in scorecard(result, fail_on)}


def test_clause_states_scores_and_bands(policy):
    result = run_of(policy, [finding("r11"), finding("r11", key="K2"), finding("r12", status="warning", severity="low")])
    card = lines(result)
    # two high violations, worst high: 100 × (1 − 0.4) = 60.0, band C (60 ≤ 60 < 75); both fail at high.
    a11 = card[("clause", "A-1.1")]
    assert (a11.state, a11.worst, a11.score, a11.band, a11.failing) == ("breached", "high", 60.0, "C", 2)
    # an early warning only: 100 × (1 − 0.05) = 95.0, band A; it fails nothing.
    a12 = card[("clause", "A-1.2")]
    assert (a12.state, a12.score, a12.band, a12.fails) == ("warned", 95.0, "A", False)
    # and B-9: examined, nothing found: 100, A. Z-1 is not observable: no line.
    assert (card[("clause", "A-2.1")].state, card[("clause", "A-2.1")].score) == ("compliant", 100.0)
    assert ("clause", "Z-1") not in card
    # Chapter A-1: (60 + 95) / 2 = 77.5 → B by score, but a high breach caps at C.
    a1 = card[("chapter", "A-1")]
    assert (a1.score, a1.band, a1.capped, a1.clauses) == (77.5, "C", "high", {"breached": 1, "warned": 1})
    # The run: (60 + 95 + 100 + 100) / 4 = 88.75 → 88.8, B by score, capped at C by the high breach.
    overall = card[(OVERALL, OVERALL)]
    assert (overall.score, overall.band, overall.capped, overall.failing) == (88.8, "C", "high", 2)


def test_a_critical_breach_caps_at_the_lowest_band(policy):
    card = lines(run_of(policy, [finding("r21", severity="critical")]))
    # scores 100 × (1 − 1.0) = 0, band D. Chapter A-2 is that one clause. The run: (100 + 100 + 0 + 100) / 4
    # = 75.0, band B by score, capped at D.
    assert (card[("clause", "A-2.1")].score, card[("clause", "A-2.1")].band) == (0.0, "D")
    overall = card[(OVERALL, OVERALL)]
    assert (overall.score, overall.band, overall.capped) == (75.0, "D", "critical")


def test_waived_findings_are_shown_but_fail_nothing(policy):
    card = lines(run_of(policy, [finding("r11", waived=True)]))
    a11 = card[("clause", "A-1.1")]
    # Accepted by a waiver: compliant with waivers, 100 × (1 − 0.05) = 95.0, band A, nothing failing.
    assert (a11.state, a11.waived, a11.findings["high"], a11.score, a11.band, a11.fails) == ("waived", 1, 0, 95.0, "A", False)


def test_failing_the_run_keeps_a_scope_out_of_the_best_band(policy):
    # One low violation with --fail-on low: the clause scores 100 × (1 − 0.15) = 85.0 (B). The run scores
    # (100 + 85 + 100 + 100) / 4 = 96.25 → 96.3 (A by score); the low cap (B) already keeps it out of A.
    result = run_of(policy, [finding("r12", severity="low")])
    overall = lines(result, "low")[(OVERALL, OVERALL)]
    assert (overall.score, overall.band, overall.capped, overall.failing) == (96.3, "B", "low", 1)
    # With caps that let a low breach stay in A, failing the run still does not.
    loose = dataclasses.replace(policy.scorecard, caps={"critical": "D"})
    result = dataclasses.replace(result, policy=dataclasses.replace(policy, scorecard=loose))
    overall = lines(result, "low")[(OVERALL, OVERALL)]
    assert (overall.band, overall.capped) == ("B", "fails")
    # At --fail-on high the low violation fails nothing: the run is in A.
    assert lines(result, "high")[(OVERALL, OVERALL)].band == "A"


def test_nothing_examined_has_no_score(policy):
    result = run_of(policy, [], examined=0)
    card = lines(result)
    assert card[("clause", "A-1.1")].state == "not_examined"
    assert card[(OVERALL, OVERALL)].score is None and card[(OVERALL, OVERALL)].band is None


def test_only_new_findings_fail_with_fail_on_new(policy):
    result = run_of(policy, [finding("r11", baseline="persisting"), finding("r21", severity="critical", baseline="new")],
                    fail_on_new=True)
    card = lines(result)
    assert card[("clause", "A-1.1")].failing == 0 and card[("clause", "A-2.1")].failing == 1
    assert card[(OVERALL, OVERALL)].failing == result.failing_count("high") == 1


STATUSES = st.sampled_from(["violation", "warning", "invalid"])
MIX = st.lists(st.tuples(st.sampled_from(list(CLAUSE)), STATUSES, st.sampled_from(SEVERITIES), st.booleans(),
                         st.sampled_from(["new", "persisting", None])), max_size=12)


# Twice the profile's examples (40 quick, 2,000 thorough): the mixes are small and varied.
@settings(max_examples=2 * settings().max_examples)
@given(mix=MIX, fail_on=st.sampled_from([*SEVERITIES, "never"]), new_only=st.booleans(),
       caps=st.dictionaries(st.sampled_from(SEVERITIES), st.sampled_from(["A", "B", "C", "D"])))
def test_scorecard_and_exit_code_never_tell_opposite_stories(policy, mix, fail_on, new_only, caps):
    findings = [finding(rule, status, severity, waived, baseline, key=f"K{i}")
                for i, (rule, status, severity, waived, baseline) in enumerate(mix)]
    card = dataclasses.replace(policy.scorecard, caps=caps)
    result = run_of(dataclasses.replace(policy, scorecard=card), findings, fail_on_new=new_only)
    best = card.band_order()[0]
    every = scorecard(result, fail_on)
    overall = every[0]
    exit_code = result.exit_code(fail_on)
    # The run fails exactly when the scorecard says some finding fails it, and counts the same ones.
    assert overall.fails == (exit_code == 1)
    assert overall.failing == result.failing_count(fail_on)
    assert sum(line.failing for line in every if line.scope == "clause") == overall.failing
    for line in every:
        # A scope holding a failing finding is never in the best band; a passing run has no failing scope.
        if line.fails:
            assert line.band != best, line
        if exit_code == 0:
            assert not line.fails
        # A breach caps the band at its severity's cap, wherever it is.
        order = card.band_order()
        for severity, band in caps.items():
            if line.findings[severity] and line.band is not None:
                assert order.index(line.band) >= order.index(band), (line, severity)


def test_caps_must_name_a_band_and_bands_must_not_start_together(tmp_path):
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    text = POLICY + textwrap.dedent("""\
        scorecard:
          bands: {good: 80, fair: 50, poor: 50}
          caps: {critical: bad}
        """)
    (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ClauseWiseError) as info:
        clausewise.load(tmp_path / "policy.yaml")
    said = str(info.value)
    assert 'scorecard bands "fair" and "poor" both start at 50' in said
    assert 'critical caps at band "bad", which is not one of the bands (good, fair, poor)' in said
    # Each where it is written: "poor" on line 16 (bands), "bad" on line 17 (caps).
    assert "policy.yaml:16:37: scorecard bands" in said and "policy.yaml:17:20: scorecard caps" in said


def test_default_caps_follow_the_bands(tmp_path):
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    text = POLICY + "scorecard:\n  bands: {ok: 50, not_ok: 0}\n"
    (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
    card = clausewise.load(tmp_path / "policy.yaml").scorecard
    # Two bands: any breach caps at the lower one.
    assert card.caps == {"critical": "not_ok", "high": "not_ok", "medium": "not_ok", "low": "not_ok"}
