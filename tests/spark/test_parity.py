"""The same export, policy and as-of time give the same report on DuckDB and on Spark, finding by finding.

Each engine audits the bundled sample (``samples/ops-support/2026-10`` with
``policies/ops-support.yaml``, whose monthly rules are judged per month of
the audit period) and the example pack; the whole JSON report of each must
be the same document: findings in order with their messages, evidence and
fingerprints, per-rule counts (examined, unjudged, not judged yet), grades
and the scorecard. The expected numbers are the DuckDB engine's, which its
own tests pin (tests/test_ops_support_sample.py, tests/report/golden).
"""

from __future__ import annotations

import json

import pytest
from support import EXAMPLE_EXPORT, EXAMPLE_POLICY, ROOT

from clausewise.engine import audit, load
from clausewise.engine.spark import audit as spark_audit
from clausewise.report import write

pytestmark = pytest.mark.spark

CASES = {
    "ops-support-sample": (ROOT / "policies" / "ops-support.yaml", ROOT / "samples" / "ops-support" / "2026-10"),
    "example-pack": (EXAMPLE_POLICY, EXAMPLE_EXPORT),
}


def _report(result) -> dict:
    return json.loads(write(result, "json", "high"))


@pytest.mark.parametrize("case", ["ops-support-sample", "example-pack"])
def test_same_report_on_duckdb_and_spark(case, spark_ready, monkeypatch):
    policy_path, export = CASES[case]
    monkeypatch.chdir(ROOT)
    policy = load(policy_path.relative_to(ROOT))
    with audit(policy, export.relative_to(ROOT)) as on_duckdb:
        expected = _report(on_duckdb)
    with spark_audit(policy, export.relative_to(ROOT)) as on_spark:
        got = _report(on_spark)
    # Not vacuous: the sample's expected-findings.json and the example's golden report have dozens of findings.
    assert len(expected["findings"]) >= 10
    for i, (want, have) in enumerate(zip(expected["findings"], got["findings"])):
        assert have == want, f"finding {i} differs"
    assert len(got["findings"]) == len(expected["findings"])
    for part in expected:
        assert got[part] == expected[part], f"the report's {part!r} differs"
