"""Fixtures for the report writers: real engine runs on the example pack, and golden files.

Golden files live in ``tests/report/golden/``. After a deliberate change to a
writer (or to the example pack), rewrite them and review the diff::

    CLAUSEWISE_UPDATE_GOLDEN=1 pytest tests/report
"""

from __future__ import annotations

import dataclasses
import os
from datetime import datetime
from pathlib import Path

import pytest

import clausewise
from clausewise.engine.findings import FindingStore
from clausewise.model import RunResult

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
# After October has closed, so the monthly aggregate rules report too (findings
# with a group and no row), besides the per-record and data-quality findings.
AS_OF = datetime(2026, 11, 1, 9, 0)


@pytest.fixture(autouse=True)
def at_repo_root(monkeypatch):
    """Writers print paths relative to the current folder; pin it so outputs match on any machine."""
    monkeypatch.chdir(ROOT)


def _audit(lang: str, policy: str = "policies/example.yaml", export: str = "examples/example-export") -> RunResult:
    # Relative paths in, so that no path in the result (evidence included) names this machine.
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)
        result = clausewise.audit(clausewise.load(policy), export, as_of=AS_OF, lang=lang)
    # Pin what changes with any edit of the pack or any release, so that the goldens
    # change only when some output does.
    policy = dataclasses.replace(result.policy, content_hash="sha256:" + "0" * 64)
    return dataclasses.replace(result, policy=policy, engine_version="0.0.0")


@pytest.fixture(scope="session")
def result_en() -> RunResult:
    return _audit("en")


@pytest.fixture(scope="session")
def result_zh() -> RunResult:
    return _audit("zh")


@pytest.fixture(scope="session")
def grades_result() -> RunResult:
    """A run with computed grades and a scorecard grouped by employee (tests/data/grades)."""
    return _audit("en", "tests/data/grades/policy.yaml", "tests/data/grades/export")


@pytest.fixture(scope="session")
def edge_result(result_en) -> RunResult:
    """The example run plus what it lacks: an early warning whose message breaks tables and commands."""
    warning = result_en.findings[0]._replace(status="warning", key="Q-009", row=9,
        message="due soon | 50% used\nsecond line, with: punctuation", due_at=datetime(2026, 11, 2, 9, 0),
    )
    return dataclasses.replace(result_en, findings=FindingStore.of([*result_en.findings, warning]))


@pytest.fixture
def golden():
    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if os.environ.get("CLAUSEWISE_UPDATE_GOLDEN") == "1":
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
        assert text == path.read_bytes().decode("utf-8"), f"{name} differs; see the module docstring to update"

    return check
