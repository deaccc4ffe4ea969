"""explain: a rule's parameters shown as the policy file writes them."""

from __future__ import annotations

from support import shipped

from clausewise.engine.explain import _as_written, _parameters


def test_parameters_are_shown_as_the_policy_writes_them():
    """A map, a fraction and a flag as in the policy file, not as Python prints them ({'P1': '4h'}, True)."""
    policy = shipped("ops-support.yaml")
    rule = next(r for r in policy.rules if r.id == "problem-resolution-deadline")
    # policies/ops-support.yaml: resolution_deadline's value is {P1: 4h, P2: 24h, P3: 3 working days,
    # P4: 10 working days}; deadline_warn_fraction's is 0.8.
    assert _parameters(policy, rule) == {
        "resolution_deadline": "{P1: 4h, P2: 24h, P3: 3 working days, P4: 10 working days}",
        "deadline_warn_fraction": "0.8",
    }
    flag = policy.parameters["four_eyes_closure"]
    assert (flag.value, _as_written(flag.value)) == (True, "true")
