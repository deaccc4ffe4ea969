"""Every rule kind's YAML cases, one pytest item each, and the keys they must cover.

Each kind has tests/kinds/<kind>.yaml: rules of that kind on the test pack
(tests/kinds/policy.yaml) and their cases, run by the machinery that runs a
pack's cases (``clausewise test``). For every key a kind accepts — its
schema's keys, and ``when`` — some rule using the key has a pass_ and a fail_
case, so a new key without cases fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kindpack import build_pack, case_files, kind_keys, misfiled, read, untested_keys

import clausewise
from clausewise.engine.kinds import KINDS
from clausewise.testing import load_cases, run_case

FILES = case_files()


def _cases():
    for kind, path in FILES.items():
        for case in read(path).get("cases") or []:
            yield pytest.param(kind, str(case["name"]), id=f"{kind}::{case['rule']}::{case['name']}")


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    """The test pack with every kind's rules, loaded once; and its cases by (kind, name)."""
    texts = {kind: path.read_text(encoding="utf-8") for kind, path in FILES.items()}
    policy = clausewise.load(build_pack(tmp_path_factory.mktemp("kinds"), texts))
    return policy, {(Path(c.location.file).stem, c.name): c for c in load_cases(policy)}


@pytest.mark.parametrize(("kind", "name"), list(_cases()))
def test_kind_case(pack, kind, name):
    policy, cases = pack
    result = run_case(policy, cases[(kind, name)])
    assert result.ok, "\n".join(result.problems)


def test_every_kind_has_a_case_file():
    assert sorted(FILES) == sorted(KINDS), "tests/kinds/<kind>.yaml: one file for each registered kind, no other"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_key_has_a_pass_and_a_fail_case(kind):
    problems = untested_keys(kind_keys(KINDS[kind]), read(FILES[kind]))
    assert not problems, f"tests/kinds/{kind}.yaml: " + "; ".join(problems)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_rules_are_of_their_kind_and_each_has_both_cases(kind):
    problems = misfiled(kind, read(FILES[kind]))
    assert not problems, f"tests/kinds/{kind}.yaml: " + "; ".join(problems)
