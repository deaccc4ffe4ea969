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


def test_a_goal_map_without_the_records_key_shows_no_allowed_time(tmp_path):
    """A record whose priority the goal map lacks has no due time; its clock said "(allowed: None)"."""
    import shutil
    from pathlib import Path

    from click.testing import CliRunner

    from clausewise.cli import cli

    root = Path(__file__).resolve().parents[2]
    for folder in ("policies", "rules"):
        shutil.copytree(root / folder, tmp_path / folder)
    policy = tmp_path / "policies" / "ops-support.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "{P1: 4h, P2: 24h, P3: 3 working days, P4: 10 working days}" in text
    policy.write_text(text.replace(", P4: 10 working days}", "}"), encoding="utf-8")
    # WT2610-0000003 is a P4 problem of the sample (samples/ops-support/2026-10/problems.csv).
    result = CliRunner().invoke(cli, ["explain", str(root / "samples/ops-support/2026-10"),
                                      "problem-resolution-deadline", "WT2610-0000003", "--policy", str(policy)])
    assert result.exit_code == 0, result.output
    assert "priority = P4" in result.output
    assert "(allowed: unknown (empty value))" in result.output and "None" not in result.output
