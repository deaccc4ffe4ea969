"""``csv``: one finding per row; evidence and group as JSON text.

``waiver`` is the id of the waiver that accepted the finding (the JSON
format has its approver, reason and expiry); ``baseline_state`` is ``new``
or ``persisting`` when the audit was compared with a recorded run.
"""

from __future__ import annotations

import csv
from typing import TextIO

from ..model import RunResult

COLUMNS = ("clause", "rule", "dataset", "key", "row", "group", "status", "severity", "due_at", "message", "evidence",
           "fingerprint", "waiver", "baseline_state")
_ROWS = 5_000


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    batch = []
    for f in result.findings:
        batch.append((f.clause, f.rule, f.dataset, f.key or "", "" if f.row is None else f.row, f.group_json or "",
                      f.status, f.severity, "" if f.due_at is None else f.due_at.isoformat(sep=" "), f.message,
                      f.evidence_json or "{}", f.fingerprint or "", (f.waiver or {}).get("id", ""), f.baseline or ""))
        if len(batch) == _ROWS:
            writer.writerows(batch)
            batch = []
    writer.writerows(batch)
