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


def _example_pack(tmp_path: Path, cases: str) -> Path:
    import shutil

    for folder in ("policies", "rules"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("ops-support*"))
    (tmp_path / "tests/cases/example").mkdir(parents=True)
    (tmp_path / "tests/cases/example/broken.yaml").write_text(cases, encoding="utf-8")
    return tmp_path / "policies/example.yaml"


def test_case_files_are_checked_against_their_schema(tmp_path, monkeypatch):
    from clausewise.errors import ErrorList

    policy = clausewise.load(_example_pack(tmp_path, (
        "cases:\n"
        "  - name: fail_misspelt\n"
        "    rule: inquiry-channel\n"
        "    data: {inquiries: [{inquiry_id: Q1, channel: fax}]}\n"
        "    expcet: [{key: Q1}]\n"
        "  - name: fail_bad_status\n"
        "    rule: inquiry-channel\n"
        "    expect: [{key: Q1, status: violated}]\n"
    )))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ErrorList) as raised:
        load_cases(policy)
    # Line 5 column 5 is "expcet"; on line 8, "    expect: [{key: Q1, status: " is 4 + 7 + 1 + 2 + 4 + 1 + 2 + 1
    # + 1 + 7 + 1 = 31 characters, so the status value starts at column 32.
    assert [str(e) for e in raised.value.errors] == [
        'tests/cases/example/broken.yaml:5:5: unknown key "expcet" in cases › item 1 — did you mean "expect"?',
        'tests/cases/example/broken.yaml:8:32: "violated" is not allowed for cases › item 2 › expect › item 1 › status '
        '— did you mean "violation"?; expected one of: violation, warning, invalid',
    ]
