"""The periodic kind: gaps between events per series, and since the last one."""

from __future__ import annotations

from datetime import datetime

import clausewise

DATASETS = """\
backups:
  key: backup_id
  fields:
    backup_id: string
    system: string
    grade: string
    finished_at: timestamp
"""
PARAMETERS = """\
interval: {type: duration, value: 24h}
by_grade: {type: map, value: {high: 30 days, low: 180 days}}
"""


def _rule(every: str) -> str:
    return f"""\
rules:
  - id: every
    clause: C-1
    dataset: backups
    kind: periodic
    severity: high
    field: finished_at
    group_by: [system]
    every: {every}
    title: {{en: Regular}}
    message: {{en: "{{system}}: nothing between {{previous}} and {{next}} (allowed {{allowed}})"}}
"""


def _run(pack, export, every, rows, as_of):
    policy = clausewise.load(pack(DATASETS, _rule(every), PARAMETERS))
    text = "backup_id,system,grade,finished_at\n" + "".join(",".join(r) + "\n" for r in rows)
    return clausewise.audit(policy, export({"backups.csv": text}), as_of=datetime.fromisoformat(as_of))


def test_gaps_within_and_after_the_series(pack, export):
    result = _run(pack, export, "$interval", [
        ("b1", "crm", "", "2026-10-01 02:00"),
        ("b2", "crm", "", "2026-10-02 02:00"),   # exactly 24 h: on time
        ("b3", "crm", "", "2026-10-03 02:01"),   # 24 h 1 min after b2
        ("b4", "erp", "", "2026-10-03 01:00"),
    ], as_of="2026-10-04 01:30")
    found = sorted((f.key, f.evidence["next"]) for f in result.findings)
    # b2 → b3 is one minute too long; erp's last backup is 24.5 h before the as-of time.
    assert found == [("b2", "2026-10-03 02:01:00"), ("b4", "2026-10-04 01:30:00")]
    assert result.findings[0].message.startswith("crm: nothing between 2026-10-02 02:00:00 and 2026-10-03 02:01:00")


def test_interval_looked_up_by_a_field(pack, export):
    result = _run(pack, export, "{by: grade, map: $by_grade}", [
        ("r1", "risk-1", "high", "2026-09-01 10:00"),
        ("r2", "risk-2", "low", "2026-09-01 10:00"),
    ], as_of="2026-10-15 00:00")
    assert [f.key for f in result.findings] == ["r1"]
    assert result.findings[0].evidence["allowed"] == "30 days"
