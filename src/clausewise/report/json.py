"""``json``: one object with the run, its summary, per-rule stats, findings, grades and scorecard.

The findings and grades lists are written an item at a time, one compact
object a line (rendered by DuckDB), so the report of a million findings is
never held in memory.
"""

from __future__ import annotations

from typing import Any, TextIO

from ..model import RunResult
from .common import hole, write_json


def document(result: RunResult, fail_on: str) -> dict[str, Any]:
    """The JSON document with holes where findings and grades stream in (see ``common.write_json``)."""
    return {
        "run": result.meta(),
        "summary": {**result.counts(), "fail_on": fail_on, "exit_code": result.exit_code(fail_on)},
        "stats": {rule: s.to_dict() for rule, s in sorted(result.stats.items())},
        "findings": hole("findings"),
        "grades": hole("grades"),
        "scorecard": [line.to_dict() for line in result.scorecard()],
    }


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    streams = {"findings": result.findings.json_lines(), "grades": result.grades.json_lines()}
    write_json(out, document(result, fail_on), streams)
