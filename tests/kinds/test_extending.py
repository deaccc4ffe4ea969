"""docs/extending.md's worked kind is real: its three blocks, used as they stand, make a working kind.

The test takes the module, the registry lines and the case file from the
page (each block follows a ``<!-- file: PATH -->`` line), imports the module
as a kind of the engine, registers it for the test only, and runs on it what
runs on every registered kind: its cases on the kinds' test pack, the key
coverage of those cases, its reference section and its example in the
ops-support pack.
"""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest
from kindpack import build_pack, example_pack, kind_keys, misfiled, read, untested_keys
from support import ROOT

import clausewise
from clausewise.engine.kinds import KINDS, docs
from clausewise.testing import load_cases, run_case

PAGE = ROOT / "docs" / "extending.md"
MODULE = "src/clausewise/engine/kinds/exclusive.py"
REGISTRY = "src/clausewise/engine/kinds/__init__.py"
CASES = "tests/kinds/exclusive.yaml"


def blocks() -> dict[str, str]:
    """The page's file blocks: path → the block's text."""
    text = PAGE.read_text(encoding="utf-8")
    found = re.findall(r"^<!-- file: (\S+) -->\n```\w*\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
    return dict(found)


def test_the_page_shows_exactly_the_three_places():
    assert sorted(blocks()) == sorted([MODULE, REGISTRY, CASES])


@pytest.fixture
def exclusive(monkeypatch, tmp_path):
    """The page's kind, imported from its block and registered as its registry block says."""
    page = blocks()
    name, module_name, entry = _registry_line(page[REGISTRY])
    path = tmp_path / f"{module_name}.py"
    path.write_text(page[MODULE], encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"clausewise.engine.kinds.{module_name}", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    kind = getattr(module, entry)()
    assert kind.name == name, "the registry line should name the kind as the kind names itself"
    assert kind.name not in KINDS, "the page's kind should be new"
    monkeypatch.setitem(KINDS, kind.name, kind)
    return kind


def _registry_line(block: str) -> tuple[str, str, str]:
    """(the kind's name, its module, its class) from the one REGISTRY line."""
    lines = [line for line in block.splitlines() if line.strip()]
    assert len(lines) == 1, "the registry block should be one line"
    found = re.fullmatch(r' {4}"(\w+)": "(\w+)\.(\w+)",', lines[0])
    assert found, f"unexpected registry line: {lines}"
    return found.group(1), found.group(2), found.group(3)


def test_worked_kind_passes_its_cases(exclusive, tmp_path):
    text = blocks()[CASES]
    policy = clausewise.load(build_pack(tmp_path / "pack", {exclusive.name: text}))
    cases = load_cases(policy)
    # The page's own case file: one pass_ and one fail_ case.
    assert sorted(c.name for c in cases) == ["fail_two_or_more_filled", "pass_none_or_one_filled"]
    for case in cases:
        result = run_case(policy, case)
        assert result.ok, f"{case.name}: " + "\n".join(result.problems)


def test_worked_kind_cases_cover_its_keys(exclusive, tmp_path):
    path = tmp_path / "exclusive.yaml"
    path.write_text(blocks()[CASES], encoding="utf-8")
    doc = read(path)
    assert untested_keys(kind_keys(exclusive), doc) == []
    assert misfiled(exclusive.name, doc) == []


def test_worked_kind_documents_itself(exclusive, tmp_path):
    section = docs.kind_markdown(exclusive)
    assert section.startswith("### exclusive\n\nAt most one of some fields is filled in.\n")
    assert "| `fields` | list of text | yes | Fields of which at most one may be filled in. |" in section
    assert section in docs.reference_markdown()
    policy = clausewise.load(example_pack(tmp_path, docs.example(exclusive)))
    assert [(r.id, r.kind) for r in policy.rules] == [("application-one-outcome", "exclusive")]
    assert clausewise.schema()["else"]["else"]["properties"]["rules"]["items"]["properties"]["kind"]["enum"].count("exclusive") == 1
