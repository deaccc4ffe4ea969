"""``csv``: one finding per row; evidence and group as JSON text."""

from __future__ import annotations

import csv
import io
import json

from ..model import RunResult

COLUMNS = ("clause", "rule", "dataset", "key", "row", "group", "status", "severity", "due_at", "message", "evidence")


def write(result: RunResult, fail_on: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in result.findings:
        d = f.to_dict()
        d["group"] = json.dumps(f.group, ensure_ascii=False) if f.group else ""
        d["evidence"] = json.dumps(f.evidence, ensure_ascii=False, default=str)
        writer.writerow(["" if d[c] is None else d[c] for c in COLUMNS])
    return out.getvalue()
