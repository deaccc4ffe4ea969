"""``jsonl``: one finding per line, for streaming into other tools.

Each line is the finding's JSON object (docs/cli.md, "Findings"), rendered by
DuckDB from the run's findings table.
"""

from __future__ import annotations

from typing import TextIO

from ..model import RunResult


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    result.findings.write_json_lines(out)
