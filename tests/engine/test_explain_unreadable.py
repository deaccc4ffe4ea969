"""``explain`` reads a rule's figures from the records the audit judged, and says which it left out as unreadable;
a record whose ``when`` cannot be read is unjudged, not out of scope."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
from support import ROOT

import clausewise
from clausewise.engine.explain import explain
from clausewise.report.explain import write

AS_OF = datetime(2026, 11, 1)
# F-2's satisfaction does not read as an integer; F-1 and F-3 are satisfied (5 and 4), all visited in October 2026.
FOLLOWUPS = """\
{"followup_id": "F-1", "inquiry_id": "Q-001", "visited_at": "2026-10-15 10:00:00", "satisfaction": 5}
{"followup_id": "F-2", "inquiry_id": "Q-002", "visited_at": "2026-10-25 10:00:00", "satisfaction": "x"}
{"followup_id": "F-3", "inquiry_id": "Q-003", "visited_at": "2026-10-16 10:00:00", "satisfaction": 4}
"""


@pytest.fixture
def example(tmp_path):
    """The example pack and export, with ``FOLLOWUPS``; ``example(when=False)`` drops satisfaction-rate's ``when``."""

    def make(when: bool = True, closed_at: str | None = None):
        for part in ("policies", "rules"):
            shutil.copytree(ROOT / part, tmp_path / part, dirs_exist_ok=True)
        shutil.copytree(ROOT / "examples" / "example-export", tmp_path / "export", dirs_exist_ok=True)
        (tmp_path / "export" / "followups.jsonl").write_text(FOLLOWUPS, encoding="utf-8")
        rules = tmp_path / "rules" / "example" / "followups.yaml"
        text = rules.read_text(encoding="utf-8")
        if not when:
            text = text.replace("    when: satisfaction IS NOT NULL\n", "", 1)
            assert "satisfaction IS NOT NULL" not in text
        rules.write_text(text, encoding="utf-8")
        if closed_at is not None:
            csv = tmp_path / "export" / "inquiries.csv"
            csv.write_text(csv.read_text(encoding="utf-8").replace("2026-10-13 10:00:00", closed_at, 1), encoding="utf-8")
        return clausewise.load(tmp_path / "policies" / "example.yaml"), tmp_path / "export"

    return make


def _explained(policy, export, key, rule="satisfaction-rate"):
    return explain(policy, export, rule, key, as_of=AS_OF)


def test_a_group_is_explained_from_the_records_the_audit_judged(example):
    policy, export = example(when=False)
    with clausewise.audit(policy, export, as_of=AS_OF) as result:
        stats = result.stats["satisfaction-rate"]
        # F-2 is left out: 2 examined, 1 unjudged; the metric is 2 satisfied of 2 = 1.0 >= 0.9, no finding.
        assert (stats.examined, stats.unjudged) == (2, 1)
        assert [f for f in result.findings if f.rule == "satisfaction-rate"] == []
    ex = _explained(policy, export, "2026-10")
    assert (ex.aggregate["records"], ex.aggregate["metric"], ex.verdict) == (2, 1.0, "compliant")
    assert ex.left_out == [("F-2", 2, {"satisfaction": "x"})]  # F-2 is line 2 of followups.jsonl
    text = write(ex)
    assert "2 records in scope" in text and "= 1.0; it must be >= 0.9" in text
    # Placed as every report places a record: line 2 of the export's followups.jsonl.
    assert f'F-2 ({export / "followups.jsonl"}:2): satisfaction = unreadable value "x"' in text
    assert "Verdict: COMPLIANT" in text


def test_a_record_left_out_of_its_group_is_not_judged(example):
    policy, export = example(when=False)
    ex = _explained(policy, export, "F-2")
    assert (ex.verdict, ex.unreadable) == ("unjudged", {"satisfaction": "x"})
    text = write(ex)
    assert 'satisfaction = unreadable value "x"' in text and "empty value" not in text
    assert "Verdict: NOT JUDGED" in text


def test_an_unreadable_value_in_when_leaves_the_record_unjudged(example):
    policy, export = example(when=True)
    with clausewise.audit(policy, export, as_of=AS_OF) as result:
        stats = result.stats["satisfaction-rate"]
        # when: satisfaction IS NOT NULL cannot be decided for F-2 ("x"): unjudged, not out of scope.
        # F-1 and F-3 examined: 2; F-2 unjudged: 1 (before, it was counted out of scope: 2 and 0).
        assert (stats.examined, stats.unjudged) == (2, 1)
    text = write(_explained(policy, export, "F-2"))
    assert "empty value" not in text and "scope (when) does not hold" not in text
    assert 'satisfaction IS NOT NULL  → satisfaction = unreadable value "x"' in text
    assert "Verdict: NOT JUDGED" in text


def test_an_unreadable_time_in_when_of_a_reference_is_unjudged(example):
    policy, export = example(closed_at="2026-10-1X 10:00:00")  # Q-001's closed_at
    with clausewise.audit(policy, export, as_of=AS_OF) as result:
        stats = result.stats["inquiry-followed-up"]
        # inquiries.csv has closed_at on 6 of its 7 records (Q-004's is empty); Q-001's does not read now:
        # 6 - 1 = 5 examined, and Q-001 unjudged (when: closed_at IS NOT NULL cannot be decided).
        assert (stats.examined, stats.unjudged) == (5, 1)


def test_a_record_out_of_scope_by_a_readable_when_is_not_unjudged(pack, export):
    policy = clausewise.load(pack("""\
        items:
          key: id
          fields: {id: string, kind: string, closed_at: timestamp}
        """, """\
        rules:
          - {id: fancy-closed, clause: C-1, dataset: items, kind: check, severity: high, when: "kind = 'fancy'",
             assert: "closed_at >= TIMESTAMP '2026-01-01'", title: {en: Closed}, message: {en: "{key}"}}
        """))
    # K1 is plain (out of scope, whatever its closed_at); K2 fancy and unreadable; K3 fancy and readable.
    folder = export({"items.csv": "id,kind,closed_at\nK1,plain,soon\nK2,fancy,later\nK3,fancy,2026-10-01 09:00\n"})
    with clausewise.audit(policy, folder, as_of=AS_OF) as result:
        stats = result.stats["fancy-closed"]
        assert (stats.examined, stats.unjudged) == (1, 1)  # K3 examined; K2 unjudged; K1 neither
