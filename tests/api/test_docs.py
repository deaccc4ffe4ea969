"""The Python shown in docs/api.md and in the README runs, in order, as written."""

from __future__ import annotations

import re
import shutil

import pytest
from support import ROOT

pytest.importorskip("pandas", reason="the test extra installs pandas")
pytest.importorskip("pyarrow", reason="the test extra installs pyarrow")


def _blocks(path, start: str | None = None, end: str | None = None) -> list[str]:
    text = path.read_text(encoding="utf-8")
    if start is not None:
        text = text[text.index(start):]
        text = text[:text.index(end, 1)] if end else text
    return re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """The pack, its rule cases and the exports the examples read, in a folder of their own (they write files)."""
    for part in ("policies", "rules", "tests/cases", "examples", "samples/ops-support/2026-10"):
        shutil.copytree(ROOT / part, tmp_path / part)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_api_walk_through_runs(workdir):
    blocks = _blocks(ROOT / "docs" / "api.md")
    assert len(blocks) >= 5
    scope: dict = {}
    for block in blocks:
        if block.lstrip().startswith("clausewise.audit(policy, data=None"):
            continue  # the signature, not a call
        exec(compile(block, "docs/api.md", "exec"), scope)
    assert (workdir / "findings.sarif").stat().st_size > 0
    assert scope["markdown"].startswith("#")
    # The three invalid values, ordered (one rule, data-quality) by row: F-4 is row 4, Q-005 row 5, Q-007 row 7.
    assert scope["bad"]["key"].tolist() == ["F-4", "Q-005", "Q-007"]
    assert scope["risks"].columns[:2].tolist() == ["key", "row"]


def test_the_readme_python_section_runs(workdir):
    blocks = _blocks(ROOT / "README.md", "## Use it from Python", "\n## ")
    assert blocks
    scope: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), scope)
