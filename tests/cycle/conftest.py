"""Shared exports for the monthly cycle's tests: the bundled October sample and a generated November.

Both are written once per session (the generator takes about a second) into a
folder that holds the two month folders, as an officer's export tree would.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest
from support import shipped

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "ops-support"


@pytest.fixture(scope="session")
def ops_policy():
    return shipped("ops-support.yaml")


@pytest.fixture(scope="session")
def example_policy():
    return shipped("example.yaml")


@pytest.fixture(scope="session")
def months(tmp_path_factory) -> Path:
    """A folder holding ``2026-10`` (the bundled sample) and ``2026-11`` (generated with the same rows and seed)."""
    tree = tmp_path_factory.mktemp("exports")
    shutil.copytree(SAMPLES / "2026-10", tree / "2026-10")
    spec = importlib.util.spec_from_file_location("ops_support_generate_cycle", SAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        # The bundled October was written with the defaults (300 rows, seed 1), so November is too.
        module.main(["--month", "2026-11", "--out", str(tree / "2026-11")])
    finally:
        del sys.modules[spec.name]
    return tree
