"""Run every YAML rule case of the repository's policies, one pytest item each."""

from __future__ import annotations

from pathlib import Path

import pytest

import clausewise
from clausewise.testing import load_cases, run_case

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.yaml"))


def _items():
    for path in POLICIES:
        policy = clausewise.load(path)
        for case in load_cases(policy):
            yield pytest.param(policy, case, id=f"{policy.id}::{case.rule}::{case.name}")


@pytest.mark.parametrize(("policy", "case"), list(_items()))
def test_rule_case(policy, case):
    result = run_case(policy, case)
    assert result.ok, "\n".join(result.problems)


def test_every_rule_has_a_passing_and_a_failing_case():
    for path in POLICIES:
        policy = clausewise.load(path)
        cases = load_cases(policy)
        for rule in policy.rules:
            names = [c.name for c in cases if c.rule == rule.id]
            assert any(n.startswith("pass_") for n in names), f"{rule.id} has no pass_ case"
            assert any(n.startswith("fail_") for n in names), f"{rule.id} has no fail_ case"
