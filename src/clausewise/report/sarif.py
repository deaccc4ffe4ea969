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

The results are written one at a time (one compact result a line), so the
log of a million findings is never held in memory.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from ..errors import Location
from ..model import Finding, RunResult
from .common import RanRule, export_position, hole, ran_rules, relative_path, write_json

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# SARIF's run.language is a BCP 47 tag; titles and messages are in the run's language.
LANGUAGE_TAGS = {"en": "en-US", "zh": "zh-CN"}
_DEFINED_HERE = {
    "en": {"rule": "rule {id} is defined here", "clause": "clause {id} is declared here"},
    "zh": {"rule": "规则 {id} 定义于此", "clause": "条款 {id} 声明于此"},
}


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    rules = ran_rules(result)
    write_json(out, document(result, fail_on, rules), {"results": _results(result, rules)})


def document(result: RunResult, fail_on: str, rules: list[RanRule]) -> dict[str, Any]:
    """The log with a hole where the results stream in (see ``common.write_json``)."""
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
            "results": hole("results"),
            "properties": {
                "policy": result.meta()["policy"],
                "lang": result.lang,
                "grade_distribution": result.grades.distribution(),
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


def _results(result: RunResult, rules: list[RanRule]) -> Iterator[str]:
    index = {r.id: i for i, r in enumerate(rules)}
    seen: dict[bytes, int] = {}
    for f in result.findings:
        identity = _identity_hash(f)
        digest = bytes.fromhex(identity)
        seen[digest] = seen.get(digest, 0) + 1
        item = _result(result, f, rules[index[f.rule]], index[f.rule], f"{identity}:{seen[digest]}")
        yield json.dumps(item, ensure_ascii=False, default=str, separators=(",", ":"))


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
