"""Shared helpers: the repository root, and small packs written on the fly."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from support import ROOT, SHIPPED, shipped

# Property tests run a few dozen examples by default, to keep the suite fast;
# ``pytest --hypothesis-profile=thorough`` runs many more.
_PROPERTY = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("quick", max_examples=20, **_PROPERTY)
settings.register_profile("thorough", max_examples=1000, **_PROPERTY)
settings.load_profile("quick")

POLICY_HEAD = """\
policy:
  id: t
  version: "1"
  title: {en: Test}
  timezone: Asia/Shanghai
  data_quality: {clause: C-9}
clauses:
  C-1: {title: {en: One}}
  C-9: {title: {en: Data}}
rules: [rules.yaml]
"""


@pytest.fixture(scope="module")
def shipped_packs_once():
    """The commands take the repository's packs from ``support.shipped`` (loaded once per process) instead of
    loading their files again: for a module of tests of what commands do with a pack, not of loading one
    (``pytestmark = pytest.mark.usefixtures("shipped_packs_once")``). Other paths load as usual."""
    import clausewise.engine

    real = clausewise.engine.load

    def load(path, check=True):
        where = Path(path).resolve()
        return shipped(where.name) if where.parent == SHIPPED else real(path, check)

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(clausewise.engine, "load", load)
        yield


@pytest.fixture
def root(monkeypatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def pack(tmp_path):
    """Write a one-file-of-rules pack: ``pack(datasets_yaml, rules_yaml, parameters_yaml="")``."""

    def write(datasets: str, rules: str, parameters: str = "") -> Path:
        body = POLICY_HEAD + "datasets:\n" + textwrap.indent(textwrap.dedent(datasets), "  ")
        if parameters:
            body += "parameters:\n" + textwrap.indent(textwrap.dedent(parameters), "  ")
        (tmp_path / "policy.yaml").write_text(body, encoding="utf-8")
        (tmp_path / "rules.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
        return tmp_path / "policy.yaml"

    return write


@pytest.fixture
def export(tmp_path):
    """Write export files: ``export({"inquiries.csv": "a,b\\n1,2\\n"})`` → folder."""

    def write(files: dict[str, str | bytes]) -> Path:
        folder = tmp_path / "export"
        folder.mkdir(exist_ok=True)
        for name, content in files.items():
            path = folder / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        return folder

    return write


@pytest.fixture(autouse=True)
def no_job_summary(monkeypatch):
    """Under GitHub Actions an audit appends to the job's summary file; tests that want one set their own."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.delenv("CLAUSEWISE_STEP_SUMMARY", raising=False)
