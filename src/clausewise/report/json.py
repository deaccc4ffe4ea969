"""``json``: one object with the findings, per-rule stats and run metadata."""

from __future__ import annotations

import json
from typing import Any

from ..model import RunResult


def document(result: RunResult, fail_on: str) -> dict[str, Any]:
    """The JSON document as a dict (other writers reuse its parts)."""
    return {
        "run": result.meta(),
        "summary": {**result.counts(), "fail_on": fail_on, "exit_code": result.exit_code(fail_on)},
        "stats": {rule: s.to_dict() for rule, s in sorted(result.stats.items())},
        "findings": [f.to_dict() for f in result.findings],
        "grades": [g.to_dict() for g in result.grades],
        "scorecard": [line.to_dict() for line in result.scorecard()],
    }


def write(result: RunResult, fail_on: str) -> str:
    return json.dumps(document(result, fail_on), ensure_ascii=False, indent=2, default=str) + "\n"
