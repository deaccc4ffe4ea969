"""Run every YAML rule case of the repository's policies, one pytest item each."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import shipped

import clausewise
from clausewise.testing import load_cases, run_case

ROOT = Path(__file__).resolve().parent.parent
POLICIES = sorted((ROOT / "policies").glob("*.yaml"))


def _items():
    for path in POLICIES:
        policy = shipped(path.name)
        for case in load_cases(policy):
            yield pytest.param(policy, case, id=f"{policy.id}::{case.rule}::{case.name}")


@pytest.mark.parametrize(("policy", "case"), list(_items()))
def test_rule_case(policy, case):
    result = run_case(policy, case)
    assert result.ok, "\n".join(result.problems)


def test_every_rule_has_a_passing_and_a_failing_case():
    for path in POLICIES:
        policy = shipped(path.name)
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


def test_case_files_accept_the_audit_period(tmp_path, monkeypatch):
    # A year is a YAML integer (2026), a quarter or month is text: the schema takes both, as --period does.
    policy = clausewise.load(_example_pack(tmp_path, (
        "cases:\n"
        "  - {name: pass_year, rule: meetings-per-month, period: 2026}\n"
        "  - {name: pass_quarter, rule: meetings-per-month, period: 2026-Q4}\n"
        "  - {name: pass_month, rule: meetings-per-month, period: 2026-10}\n"
    )))
    monkeypatch.chdir(tmp_path)
    mine = [c for c in load_cases(policy) if c.location.file.endswith("broken.yaml")]
    assert [(c.period.label, c.period.start.isoformat(), c.period.end.isoformat()) for c in mine] == [
        ("2026", "2026-01-01T00:00:00", "2027-01-01T00:00:00"),
        ("2026-Q4", "2026-10-01T00:00:00", "2027-01-01T00:00:00"),
        ("2026-10", "2026-10-01T00:00:00", "2026-11-01T00:00:00"),
    ]


def test_a_bad_case_period_is_an_error_at_its_place(tmp_path, monkeypatch):
    from clausewise.errors import ErrorList

    policy = clausewise.load(_example_pack(tmp_path, (
        "cases:\n"
        "  - {name: pass_q5, rule: meetings-per-month, period: 2026-Q5}\n"
        "  - {name: pass_m13, rule: meetings-per-month, period: 2026-13}\n"
    )))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ErrorList) as raised:
        load_cases(policy)
    # On lines 2 and 3, "  - {name: pass_q5, rule: meetings-per-month, period: " is "  - " 4 + "{" 1 + "name: " 6
    # + "pass_q5" 7 + ", " 2 + "rule: " 6 + "meetings-per-month" 18 + ", " 2 + "period: " 8 = 54 characters
    # (pass_m13 is one longer: 55), so the values start at columns 55 and 56.
    # 2026-Q5 is no period the schema knows; 2026-13 has the form of a month, and --period's own check refuses it.
    assert [str(e) for e in raised.value.errors] == [
        'tests/cases/example/broken.yaml:2:55: "2026-Q5" in cases › item 1 › period is not a month (2026-10), '
        'quarter (2026-Q4) or year (2026)',
        'tests/cases/example/broken.yaml:3:56: case "pass_m13": period "2026-13" has no month 13',
    ]


def test_the_case_schema_names_every_key_the_loader_reads():
    """A key testing.py reads from a case but the schema does not know would be refused in every case file."""
    import ast
    import inspect

    from clausewise import testing
    from clausewise.policy.schema import CASES_SCHEMA

    read = set()
    for node in ast.walk(ast.parse(inspect.getsource(testing))):
        # raw["name"], raw.get("period"), raw.value_at("as_of"): the keys a case's mapping ``raw`` is read at.
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "raw":
            read.add(node.slice.value)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "raw" and node.func.attr in ("get", "value_at", "key_at")):
            read.add(node.args[0].value)
    case = CASES_SCHEMA["properties"]["cases"]["items"]["properties"]
    assert {"name", "rule", "as_of", "period", "lang", "data", "expect"} <= read
    assert read <= set(case)
    expected = CASES_SCHEMA["properties"]["cases"]["items"]["properties"]["expect"]["items"]["properties"]
    assert set(expected) == set(testing.MATCH_KEYS)


def test_a_missing_finding_names_the_case_values_that_did_not_convert(tmp_path, monkeypatch):
    """A case whose record has an unreadable value the rule needs: the rule does not judge the record, and the
    failure says which value did not convert rather than only "expected finding not produced"."""
    policy = clausewise.load(_example_pack(tmp_path, (
        "cases:\n"
        "  - name: fail_late_reply_written_day_first\n"
        "    rule: inquiry-reply-deadline\n"
        "    data:\n"
        "      inquiries:\n"
        "        - {inquiry_id: Q1, answered_on_spot: 'no', received_at: '12/10/2026 09:00', replied_at: '2026-10-13 09:01'}\n"
        "    expect:\n"
        "      - {key: Q1}\n"
    )))
    monkeypatch.chdir(tmp_path)
    case = next(c for c in load_cases(policy) if c.name == "fail_late_reply_written_day_first")
    problems = run_case(policy, case).problems
    assert len(problems) == 1
    first, note = problems[0].split("\n    ", 1)
    assert first == "expected finding not produced: rule=inquiry-reply-deadline, key=Q1"
    assert note.startswith("the case's records have values that do not convert, and a rule does not judge a record "
                           'whose value it reads did not: Q1: value "12/10/2026 09:00" in column "received_at"')


def test_a_passing_case_whose_record_the_rule_could_not_judge_fails(tmp_path, monkeypatch):
    """A pass_ case with no expected finding passes vacuously when its record's timestamp does not convert: the rule
    leaves that record unjudged. The case fails and says why (found by a break test: 25:00 passed)."""
    policy = clausewise.load(_example_pack(tmp_path, (
        "cases:\n"
        "  - name: pass_reply_in_time\n"
        "    rule: inquiry-reply-deadline\n"
        "    data:\n"
        "      inquiries:\n"
        "        - {inquiry_id: Q1, answered_on_spot: 'no', received_at: '2026-10-12 25:00', replied_at: '2026-10-12 13:00'}\n"
    )))
    monkeypatch.chdir(tmp_path)
    case = next(c for c in load_cases(policy) if c.name == "pass_reply_in_time")
    problems = run_case(policy, case).problems
    assert len(problems) == 1
    assert problems[0].startswith("no finding expected and none produced, which proves nothing for a record the rule "
                                  "could not judge; correct the value, or expect its data-quality finding\n    "
                                  'the case\'s records have values that do not convert, and a rule does not judge a '
                                  'record whose value it reads did not: Q1: value "2026-10-12 25:00" in column '
                                  '"received_at"')
