"""The wheel, installed where no source tree is: it carries the packs, the sample and the documents.

Builds the wheel from a clean copy of the repository (a ``build/`` folder left
in the source tree could slip stale files into it), installs it with the
pandas extra into a new virtual environment, and from another folder runs
``clausewise sample``, the README's first audit on the copied sample, and the
README's "Use it from Python" section — with the environment's own Python,
so nothing is imported from this repository.

It takes a minute (the installs), so ``pytest -q`` leaves it out (the ``slow``
marker); ``.ci/run`` runs it: ``pytest -m "slow or not slow" --dist loadgroup``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

# One worker builds and installs once: with --dist loadgroup (as .ci/run runs it) the group stays together.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]

# What a clean checkout does not hold: environments, caches, build output, reports of earlier runs.
_NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__",
                                     ".pytest_cache", ".hypothesis", "test-artifacts", ".clausewise", "out")


def _run(args: list, cwd: Path, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict]:
    """(the new environment's bin folder, an environment for commands) with the wheel installed."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=_NOT_SOURCE)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    built = _run([sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-w", work / "dist", "-q"], work, env)
    assert built.returncode == 0, built.stderr
    wheel = next((work / "dist").glob("clausewise-*.whl"))
    venv = work / "venv"
    made = _run([sys.executable, "-m", "venv", venv], work, env)
    assert made.returncode == 0, made.stderr
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    done = _run([bin_dir / "python", "-m", "pip", "install", "-q", f"{wheel}[pandas]"], work, env)
    assert done.returncode == 0, done.stderr
    return bin_dir, env


@pytest.fixture(scope="module")
def sample(installed, tmp_path_factory) -> Path:
    """``clausewise sample demo`` run by the installed command, in a folder outside the repository."""
    bin_dir, env = installed
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = _run([bin_dir / "clausewise", "sample", "demo"], elsewhere, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote ")
    return elsewhere / "demo"


def test_the_package_is_the_installed_one_with_its_licence(installed, tmp_path):
    bin_dir, env = installed
    code = ("import clausewise, importlib.metadata as m; print(clausewise.__file__); "
            "print(m.metadata('clausewise')['License-Expression']); "
            "print(any(str(f).endswith('LICENSE') for f in m.files('clausewise')))")
    result = _run([bin_dir / "python", "-c", code], tmp_path, env)
    where, licence, has_file = result.stdout.split("\n")[:3]
    assert "site-packages" in where and str(ROOT) not in where
    assert licence == "Apache-2.0" and has_file == "True"


def test_sample_holds_the_packs_the_sample_and_the_documents(sample):
    for path in ("policies/ops-support.yaml", "policies/example.yaml", "rules/example/inquiries.yaml",
                 "tests/cases/example/inquiries.yaml", "samples/ops-support/2026-10/staff.xlsx",
                 "examples/example-export/inquiries.csv", "schema/cases.schema.json", "docs/api.md", "docs/time.md"):
        assert (sample / path).is_file(), path
    # The copy is the repository's files, byte for byte.
    assert (sample / "docs/time.md").read_bytes() == (ROOT / "docs/time.md").read_bytes()
    assert (sample / "samples/ops-support/2026-10/staff.xlsx").read_bytes() == \
        (ROOT / "samples/ops-support/2026-10/staff.xlsx").read_bytes()


def test_the_readme_audit_finds_the_injected_violations(installed, sample):
    """The README's first command, in the copy, with two reports from the one audit."""
    bin_dir, env = installed
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "clausewise audit samples/ops-support/2026-10 --policy policies/ops-support.yaml"
    assert command in readme
    result = _run([bin_dir / "clausewise", *command.split()[1:], "--format", "json", "--output", "findings.json",
                   "--format", "table", "--output", "-"], sample, env)
    assert result.returncode == 1, result.stderr  # the sample has violations on purpose
    assert result.stdout.rstrip().splitlines()[-1].startswith("Failed: ")
    found = {(f["rule"], f["key"] if f["group"] is None else json.dumps(f["group"], sort_keys=True, ensure_ascii=False),
              f["status"]) for f in json.loads((sample / "findings.json").read_text(encoding="utf-8"))["findings"]}
    # As of the end of October (the export's period), exactly what the generator injected and wrote down.
    wanted = {(f["rule"], f.get("key") if f.get("group") is None else json.dumps(f["group"], sort_keys=True,
                                                                                ensure_ascii=False), f["status"])
              for f in json.loads((sample / "samples/ops-support/2026-10/expected-findings.json").read_text("utf-8"))}
    assert len(wanted) > 50 and found == wanted


def test_the_readme_python_section_runs(installed, sample):
    bin_dir, env = installed
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Use it from Python"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    result = _run([bin_dir / "python", "-c", code], sample, env)
    assert result.returncode == 0, result.stderr
    # exit_code("high") and the number of findings. The audit of the export folder has 11 violations and 3 invalid
    # values (tests/test_cli.py), none of them about meetings. The snippet gives no meetings: the audit period is
    # October (the month of most timestamps), which has not ended at the as-of time (the latest timestamp, 25
    # October), so the monthly meetings rule judges no month and finds nothing: 11 + 3 = 14, 4 of them high, so
    # exit code 1.
    assert result.stdout.split() == ["1", "14"]
    assert (sample / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_shipped_packs_pass_their_own_cases(installed, sample):
    bin_dir, env = installed
    result = _run([bin_dir / "clausewise", "test", "--policy", "policies/example.yaml"], sample, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().splitlines()[-1] == "26 passed, 0 failed"  # 17 + 9 cases, tests/test_cli.py
