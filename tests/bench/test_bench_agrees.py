"""The benchmark's two sides must agree, or its ratio compares different work.

``bench/bench_audit.py`` times a clausewise audit against the same checks
hand-written in DuckDB SQL. When the engine's meaning moves (the audit period,
records with an unreadable value not judged), the hand-written side must move
with it; this test runs both sides on a small export, untimed, and holds them
to the same number of findings per rule, so the drift is caught here rather
than in a benchmark run months later.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_audit.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_audit", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


@pytest.mark.parametrize("seed", [7, 1])
def test_both_sides_find_the_same_per_rule(bench, tmp_path, seed):
    # 3,000 records hold a few unreadable cells of each kind (about 0.1 % of the times each),
    # whatever the seed: two seeds, so that such a record lands under more than one rule.
    bench.generate(tmp_path, 3000, seed)
    bench.write_policy(tmp_path)
    audit, baseline = bench.run_audit(tmp_path), bench.run_baseline(tmp_path)
    assert bench.compare(audit, baseline) == []
    # Every rule has something to find at this size, so agreement is not agreement on nothing.
    assert all(audit[rule] > 0 for rule in audit) and len(audit) == 11
