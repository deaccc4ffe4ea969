"""``json``: one object with the run, its summary, per-rule stats, findings, grades and scorecard.

``run.data_files[*]`` names each file's ``extra_columns`` (no field declares
them; not read) and ``missing_columns`` (optional, absent; read as empty).
``summary.not_evaluated`` lists the rules that could judge no record, every
one in their scope having an unreadable value (``stats[rule].not_evaluated``
is true; each has one ``invalid`` finding at its severity, which the exit
code counts).

The findings and grades lists are written an item at a time, one compact
object a line (rendered by DuckDB), so the report of a million findings is
never held in memory. Each finding carries its ``waiver`` (or null) and its
``baseline_state`` (``new``, ``persisting``, or null when the audit was not
compared with a recorded run); ``waivers`` says what became of each waiver,
``baseline`` what changed since the run compared with, and ``resolved``
lists that run's findings that are gone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from ..model import RunResult
from ..scorecard import scorecard
from .common import hole, write_json


def document(result: RunResult, fail_on: str) -> dict[str, Any]:
    """The JSON document with holes where findings and grades stream in (see ``common.write_json``)."""
    return {
        "run": result.meta(),
        "summary": {**result.counts(), "waived": result.waived_count(), "fail_on": fail_on,
                    "fail_on_new": result.fail_on_new, "exit_code": result.exit_code(fail_on),
                    "recorded_as": result.recorded_as,
                    "not_evaluated": sorted(rule for rule, s in result.stats.items() if s.not_evaluated)},
        "stats": {rule: s.to_dict() for rule, s in sorted(result.stats.items())},
        "waivers": [use.to_dict() for use in result.waivers],
        "baseline": result.baseline.to_dict() if result.baseline else None,
        "findings": hole("findings"),
        "resolved": hole("resolved"),
        "grades": hole("grades"),
        "scorecard": [line.to_dict() for line in scorecard(result, fail_on)],
    }


def resolved_lines(result: RunResult) -> Iterator[str]:
    """The baseline run's findings that are gone, one compact JSON object each (none without a baseline)."""
    resolved = result.baseline.resolved if result.baseline else ()
    if hasattr(resolved, "json_lines"):
        return resolved.json_lines()
    return (json.dumps(f.to_dict(), ensure_ascii=False, separators=(",", ":")) for f in resolved)


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    streams = {"findings": result.findings.json_lines(), "resolved": resolved_lines(result),
               "grades": result.grades.json_lines()}
    write_json(out, document(result, fail_on), streams)
