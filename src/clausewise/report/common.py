"""What several writers share: the rules that ran, positions of records, labels.

The data-quality rule is the engine's own (no YAML defines it), so
:func:`ran_rules` gives it a title and places it at its clause. Positions
point into the export file: a CSV record's line is its row plus the header
line, a JSON Lines record's line is its row; XLSX and Parquet have no lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..errors import Location
from ..model import DATA_QUALITY_TITLE, DataFile, Finding, RunResult, Text

DATA_QUALITY = "data-quality"


@dataclass(frozen=True)
class RanRule:
    """A rule that ran, including the engine's own ``data-quality`` rule, which no YAML file defines."""

    id: str
    clause: str
    kind: str
    severity: str
    title: Text
    description: str | None
    location: Location | None
    defined_by: str  # "rule", or "clause" when only the clause has a place in a file


def ran_rules(result: RunResult) -> list[RanRule]:
    """Rules that ran, ordered like the findings: by clause (3.1.9 before 3.1.10), then id."""
    ids = [*result.rules_run, *(r for r in result.stats if r not in result.rules_run)]
    rules = [_ran_rule(result, rule_id) for rule_id in ids]
    return sorted(rules, key=lambda r: (natural(r.clause), r.id))


def _ran_rule(result: RunResult, rule_id: str) -> RanRule:
    rule = result.policy.rule(rule_id)
    if rule is not None:
        return RanRule(rule.id, rule.clause, rule.kind, rule.severity, rule.title, rule.description, rule.location, "rule")
    # Only the data-quality rule runs without a Rule: it belongs to the policy's data-quality clause.
    policy = result.policy
    clause = policy.clauses[policy.data_quality_clause]
    return RanRule(
        rule_id, clause.id, DATA_QUALITY, policy.data_quality_severity, DATA_QUALITY_TITLE, None, clause.location, "clause"
    )


def chapter_title(result: RunResult, chapter: str) -> str:
    """The title of the clause whose id is the chapter's (``OS-3``), else "" (a chapter has no title of its own)."""
    clause = result.policy.clauses.get(chapter)
    return clause.title.get(result.lang) if clause else ""


def natural(text: str) -> tuple:
    """Sort key that orders ``OS-3.1.9`` before ``OS-3.1.10``, as the engine orders findings."""
    return tuple((1, int(p)) if p.isdigit() else (0, p) for p in re.split(r"(\d+)", text))


def relative_path(path: str) -> str:
    """``path`` with forward slashes, relative to the current folder when it lies inside it."""
    p = Path(path)
    if p.is_absolute() and p.is_relative_to(Path.cwd()):
        p = p.relative_to(Path.cwd())
    return p.as_posix()


def export_position(result: RunResult, finding: Finding) -> tuple[str, int | None] | None:
    """(export file, line) of a finding's record; line is None when unknown, None when no file.

    The line is the file's own (``DataFile.line_of``): a CSV record after one
    whose quoted field holds a line break starts further down than its row.
    """
    data_file = next((d for d in result.data_files if d.dataset == finding.dataset and d.path), None)
    if data_file is None:
        return None
    return relative_path(data_file.path), data_file.line_of(finding.row)


def record_place(path: str, data_file: DataFile | None, row: int | None, record_no: str) -> str:
    """Where a record is, as a person opens it: ``inquiries.csv:302`` (the line of a text file, see
    ``DataFile.line_of``), else ``record_no`` filled with the file and the record's number (an XLSX or Parquet
    file has no lines)."""
    if row is None:
        return path
    line = data_file.line_of(row) if data_file is not None else None
    if line is not None:
        return f"{path}:{line}"
    return record_no.format(file=path, row=row)


def record_label(finding: Finding) -> str:
    """The record a finding is about: its key, its aggregate group, or both for a record judged once a period
    (``E050, period=2026-10``); "" when it has neither."""
    group = ", ".join(f"{k}={v}" for k, v in (finding.group or {}).items())
    return ", ".join(part for part in (finding.key or "", group) if part)


# ---- documents written as they go ---------------------------------------------

_HOLE = "\x00stream:{}\x00"


def hole(name: str) -> str:
    """A placeholder for a list that :func:`write_json` fills from a stream."""
    return _HOLE.format(name)


def write_json(out: TextIO, doc: Any, streams: dict[str, Iterable[str]]) -> None:
    """Write ``doc`` as indented JSON, each ``hole(name)`` in it a list of the JSON texts ``streams[name]`` yields.

    The lists are written an item at a time (one compact item a line), so a
    document with a million findings never exists whole in memory.
    """
    text = json.dumps(doc, ensure_ascii=False, indent=2, default=str)
    position = 0
    for match in re.finditer(r'"\\u0000stream:(\w+)\\u0000"', text):
        out.write(text[position:match.start()])
        line_start = text.rfind("\n", 0, match.start()) + 1
        indent = " " * (len(text[line_start:match.start()]) - len(text[line_start:match.start()].lstrip(" ")))
        _write_list(out, streams[match.group(1)], indent + "  ")
        position = match.end()
    out.write(text[position:] + "\n")


def _write_list(out: TextIO, items: Iterable[str], indent: str) -> None:
    first = True
    for item in items:
        out.write(("[\n" if first else ",\n") + indent + item)
        first = False
    out.write("[]" if first else "\n" + indent[:-2] + "]")
