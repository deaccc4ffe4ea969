"""``sarif``: SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

A finding becomes a SARIF result whose first location is the record in the
export file and whose related location is the rule in its YAML file, so a
reviewer can jump both to the bad data and to the clause-citing rule that
flagged it. Paths are written relative to the current folder (uri-encoded,
without a ``uriBaseId``): CI runs clausewise from the checkout root, which is
what code-scanning tools resolve relative URIs against.

``partialFingerprints["clausewise/v1"]`` hashes rule, dataset and record key
(or aggregate group), not the row, so an alert survives rows being inserted
above it; findings that share that identity (a duplicated key, two bad cells in
one record) are told apart by their order, ``<hash>:<n>``, as GitHub's own
``primaryLocationLineHash`` does.

The run's ``properties`` carry the grade distribution and the compliance
scorecard (the same lists as the ``json`` format), so a dashboard that keeps
only SARIF still has the run's grades.

The location helpers, :func:`ran_rules` and :func:`chapter_title` below are
shared with the ``junit``, ``github``, ``markdown`` and ``html`` writers.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..errors import Location
from ..model import Finding, RunResult, Text
from .grades import distribution

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# SARIF's run.language is a BCP 47 tag; titles and messages are in the run's language.
LANGUAGE_TAGS = {"en": "en-US", "zh": "zh-CN"}
DATA_QUALITY = "data-quality"
# The data-quality rule has no YAML, so no title of its own; the clause title would only repeat the clause.
_DATA_QUALITY_TITLE = Text(zh="值符合声明的类型", en="Values convert to their declared types")
_DEFINED_HERE = {
    "en": {"rule": "rule {id} is defined here", "clause": "clause {id} is declared here"},
    "zh": {"rule": "规则 {id} 定义于此", "clause": "条款 {id} 声明于此"},
}


# ---- parts the other CI writers reuse ---------------------------------------


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
        rule_id, clause.id, DATA_QUALITY, policy.data_quality_severity, _DATA_QUALITY_TITLE, None, clause.location, "clause"
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


# The text line a record starts on is its row plus the lines before the first
# record: CSV has a header line, JSON Lines none. XLSX and Parquet are not text,
# so their records have no line (CSV fields holding line breaks would shift
# lines too; the model carries only the record's position, see Finding.row).
_LINES_BEFORE_FIRST_RECORD = {"csv": 1, "jsonl": 0}


def export_position(result: RunResult, finding: Finding) -> tuple[str, int | None] | None:
    """(export file, line) of a finding's record; line is None when unknown, None when no file."""
    data_file = next((d for d in result.data_files if d.dataset == finding.dataset and d.path), None)
    if data_file is None:
        return None
    before = _LINES_BEFORE_FIRST_RECORD.get(data_file.format or "")
    line = finding.row + before if finding.row is not None and before is not None else None
    return relative_path(data_file.path), line


def record_label(finding: Finding) -> str:
    """The record a finding is about: its aggregate group or its key ("" when it has neither)."""
    if finding.group:
        return ", ".join(f"{k}={v}" for k, v in finding.group.items())
    return finding.key or ""


# ---- the SARIF document -------------------------------------------------------


def write(result: RunResult, fail_on: str) -> str:
    return json.dumps(document(result, fail_on), ensure_ascii=False, indent=2, default=str) + "\n"


def document(result: RunResult, fail_on: str) -> dict[str, Any]:
    rules = ran_rules(result)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "clausewise",
                "version": result.engine_version,
                "rules": [_descriptor(result, r) for r in rules],
            }},
            "invocations": [_invocation(result, fail_on)],
            "language": LANGUAGE_TAGS[result.lang],
            "results": _results(result, rules),
            "properties": {
                "policy": result.meta()["policy"],
                "lang": result.lang,
                "grade_distribution": distribution(result),
                "scorecard": [line.to_dict() for line in result.scorecard()],
            },
        }],
    }


def _descriptor(result: RunResult, rule: RanRule) -> dict[str, Any]:
    title = rule.title.get(result.lang)
    clause_title = result.policy.clauses[rule.clause].title.get(result.lang)
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": rule.description or f"{rule.clause} {clause_title}: {title}"},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "clause": rule.clause,
            "clause_title": clause_title,
            "kind": rule.kind,
            "severity": rule.severity,
            "defined_at": _location_text(rule.location),
        },
    }


def _location_text(location: Location | None) -> str | None:
    if location is None:
        return None
    return str(Location(relative_path(location.file), location.line, location.column))


def _invocation(result: RunResult, fail_on: str) -> dict[str, Any]:
    # The audit finished, so execution succeeded whatever it found; exitCode is the CLI's.
    return {
        "executionSuccessful": True,
        "exitCode": result.exit_code(fail_on),
        "properties": {
            "as_of": result.as_of.isoformat(sep=" "),
            "as_of_source": result.as_of_source,
            "timezone": result.policy.timezone,
            "fail_on": fail_on,
        },
    }


def _results(result: RunResult, rules: list[RanRule]) -> list[dict[str, Any]]:
    index = {r.id: i for i, r in enumerate(rules)}
    seen: dict[str, int] = {}
    out = []
    for f in result.findings:
        identity = _identity_hash(f)
        seen[identity] = seen.get(identity, 0) + 1
        out.append(_result(result, f, rules[index[f.rule]], index[f.rule], f"{identity}:{seen[identity]}"))
    return out


def _identity_hash(f: Finding) -> str:
    identity = [f.rule, f.dataset, f.key, f.group]
    return hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()


def _result(result: RunResult, f: Finding, rule: RanRule, rule_index: int, fingerprint: str) -> dict[str, Any]:
    defined = _physical(rule.location) if rule.location and rule.location.line else None
    primary = _export_location(result, f) or defined
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": "warning" if f.status == "warning" else LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": primary}] if primary else [],
        "partialFingerprints": {"clausewise/v1": fingerprint},
        "properties": _properties(f),
    }
    if defined:
        out["relatedLocations"] = [{"id": 1, "physicalLocation": defined, "message": {"text": _defined_here(result, rule)}}]
    return out


def _defined_here(result: RunResult, rule: RanRule) -> str:
    words = _DEFINED_HERE[result.lang]
    return words["clause"].format(id=rule.clause) if rule.defined_by == "clause" else words["rule"].format(id=rule.id)


def _export_location(result: RunResult, f: Finding) -> dict[str, Any] | None:
    position = export_position(result, f)
    if position is None:
        return None
    path, line = position
    out: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
    if line is not None:
        out["region"] = {"startLine": line}
    return out


def _physical(location: Location) -> dict[str, Any]:
    """A place in a policy or rule file (callers make sure it has a line)."""
    region = {"startLine": location.line}
    if location.column:
        region["startColumn"] = location.column
    return {"artifactLocation": {"uri": _uri(relative_path(location.file))}, "region": region}


def _uri(path: str) -> str:
    """A relative path percent-encoded as a URI reference; an absolute one as a file: URI."""
    p = Path(path)
    return p.as_uri() if p.is_absolute() else quote(path, safe="/")


def _properties(f: Finding) -> dict[str, Any]:
    return {
        "clause": f.clause,
        "dataset": f.dataset,
        "key": f.key,
        "group": f.group,
        "row": f.row,
        "status": f.status,
        "severity": f.severity,
        "evidence": f.evidence,
        "due_at": f.due_at.isoformat(sep=" ") if f.due_at else None,
    }
