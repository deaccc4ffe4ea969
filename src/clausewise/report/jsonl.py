"""``jsonl``: one finding per line, for streaming into other tools.

Each line is the finding's JSON object (docs/cli.md, "Findings"), rendered by
DuckDB from the run's findings table.
"""

from __future__ import annotations

from typing import TextIO

from ..model import RunResult

_LINES = 5_000


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    batch = []
    for line in result.findings.json_lines():
        batch.append(line)
        if len(batch) == _LINES:
            out.write("\n".join(batch) + "\n")
            batch = []
    if batch:
        out.write("\n".join(batch) + "\n")
