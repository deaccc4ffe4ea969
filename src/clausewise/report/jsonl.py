"""``jsonl``: one finding per line, for streaming into other tools."""

from __future__ import annotations

import json

from ..model import RunResult


def write(result: RunResult, fail_on: str) -> str:
    return "".join(json.dumps(f.to_dict(), ensure_ascii=False, default=str) + "\n" for f in result.findings)
