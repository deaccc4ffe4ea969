"""A policy reaches only files inside its pack; paths a user gives are literal."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from support import ROOT

import clausewise
from clausewise.cli import cli
from clausewise.errors import ClauseWiseError
from clausewise.policy import packfiles


@pytest.fixture
def pack(tmp_path, monkeypatch):
    """The example pack laid out as policies/ rules/ beside an outside/ folder holding a rule file."""
    (tmp_path / "pack" / "policies").mkdir(parents=True)
    shutil.copytree(ROOT / "rules" / "example", tmp_path / "pack" / "rules")
    text = (ROOT / "policies" / "example.yaml").read_text(encoding="utf-8")
    text = text.replace("../rules/example/*.yaml", "../rules/*.yaml").replace("  - ../tests/cases/example/*.yaml\n", "")
    (tmp_path / "pack" / "policies" / "example.yaml").write_text(text.replace("tests:\n", ""), encoding="utf-8")
    (tmp_path / "outside").mkdir()
    shutil.copy(ROOT / "rules" / "example" / "inquiries.yaml", tmp_path / "outside" / "evil.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "pack"


def _with_rules(pack, pattern: str):
    policy = pack / "policies" / "example.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace('../rules/*.yaml', pattern), encoding="utf-8")
    return policy


def _error(policy) -> str:
    with pytest.raises(ClauseWiseError) as caught:
        clausewise.load(policy)
    return str(caught.value)


def test_the_pack_itself_loads(pack):
    assert len(clausewise.load(pack / "policies" / "example.yaml").rules) == 11


@pytest.mark.parametrize("pattern", ["../../outside/*.yaml", "../../outside/evil.yaml", "../../../../**/*.yml",
                                     "/etc/*.yaml", "../rules/../../outside/*.yaml"])
def test_patterns_that_leave_the_pack_are_refused(pack, pattern):
    error = _error(_with_rules(pack, pattern))
    assert error.startswith("pack/policies/example.yaml:57:5: ")
    assert "outside the pack folder" in error or "absolute path" in error


def test_a_linked_file_leading_outside_is_refused(pack):
    (pack / "rules" / "more.yaml").symlink_to(pack.parent / "outside" / "evil.yaml")
    assert _error(pack / "policies" / "example.yaml") == (
        'pack/policies/example.yaml:57:5: "../rules/*.yaml" matches more.yaml, which leads outside the pack folder through a link'
    )


def test_a_linked_folder_is_not_followed_and_cannot_be_named(pack):
    (pack / "rules" / "sub").symlink_to(pack.parent / "outside")
    assert len(clausewise.load(_with_rules(pack, "../rules/**/*.yaml")).rules) == 11  # sub/ is not walked
    policy = pack / "policies" / "example.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("../rules/**/*.yaml", "../rules/sub/*.yaml"),
                      encoding="utf-8")
    assert "leads outside the pack folder pack through a link" in _error(policy)


def test_a_glob_that_looks_at_too_much_is_an_error_not_a_hang(pack, monkeypatch):
    monkeypatch.setattr(packfiles, "MAX_VISITED", 5)
    for n in range(10):
        (pack / "rules" / f"extra{n}.txt").write_text("", encoding="utf-8")
    assert "looks at more than 5 files and folders" in _error(_with_rules(pack, "../**/*.yaml"))


def test_the_policy_is_never_one_of_its_own_rule_files(pack):
    policy = pack / "rules" / "policy.yaml"
    text = (pack / "policies" / "example.yaml").read_text(encoding="utf-8").replace("../rules/*.yaml", '"*.yaml"')
    policy.write_text(text, encoding="utf-8")
    assert len(clausewise.load(policy).rules) == 11


def test_a_policy_listed_as_a_rule_file_is_named_as_such(pack):
    shutil.copy(pack / "policies" / "example.yaml", pack / "rules" / "zz.yaml")
    assert _error(pack / "policies" / "example.yaml") == (
        'pack/rules/zz.yaml:1:1: this is a policy file, not a rule file; remove it from "rules:" in pack/policies/example.yaml'
    )


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("*.yaml", "a.yaml", True), ("*.yaml", "sub/a.yaml", False), ("**/*.yaml", "a.yaml", True),
    ("**/*.yaml", "x/y/a.yaml", True), ("r?.yaml", "r1.yaml", True), ("r[12].yaml", "r3.yaml", False),
    ("r[!12].yaml", "r3.yaml", True), ("a.yaml", "a_yaml", False),
])
def test_glob_patterns(pattern, path, matches):
    assert bool(packfiles._regex(pattern).fullmatch(path)) is matches


def test_an_export_folder_name_is_literal_not_a_pattern(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("exp1", "exp[1]"):
        shutil.copytree(ROOT / "examples" / "example-export", tmp_path / name)
    marked = tmp_path / "exp[1]" / "inquiries.csv"
    marked.write_text(marked.read_text(encoding="utf-8").replace("Q-001,", "Q-LITERAL,"), encoding="utf-8")
    policy = ROOT / "policies" / "example.yaml"
    for args in (["exp[1]"], ["exp*"]):
        result = CliRunner().invoke(cli, ["audit", *args, "-p", str(policy), "--format", "jsonl", "--fail-on", "never"])
        if args == ["exp*"]:
            assert result.exit_code == 2 and "exp*: export folder not found" in result.output
        else:
            assert result.exit_code == 0
            keys = {json.loads(line)["key"] for line in result.output.splitlines()}
            assert "Q-LITERAL" in keys and "Q-001" not in keys
