"""``sarif``: SARIF 2.1.0, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

A finding becomes a SARIF result whose first location is the record in the
export file and whose related location is the rule in its YAML file, so a
reviewer can jump both to the bad data and to the clause-citing rule that
flagged it. An invalid value in a CSV or JSON Lines export is located at its
cell: the region's ``startLine``/``startColumn`` to ``endLine``/``endColumn``
span the field as written (quotes included), columns counted in UTF-16 code
units from 1 (the run says ``columnKind: utf16CodeUnits``), read again from
the file (see ``report/cells.py``); other records get the line their row
implies. XLSX and Parquet files have no lines, so the location's message says
where the record is: the sheet and row (the cell, for an invalid value) of a
workbook, the record number of a Parquet file. Paths are written relative to the current folder (uri-encoded,
without a ``uriBaseId``): CI runs clausewise from the checkout root, which is
what code-scanning tools resolve relative URIs against.

``partialFingerprints["clausewise/v1"]`` is the finding's fingerprint (rule,
clause, dataset and record key or aggregate group, not the row; see
docs/history.md), so an alert survives rows being inserted above it and is
recognised in next month's export; findings that share it (a duplicated key,
two bad cells in one record) are told apart by their order, ``<hash>:<n>``, as
GitHub's own ``primaryLocationLineHash`` does, and as the run history matches
them.

When the audit was compared with a recorded run (``--baseline``), each result
has a ``baselineState`` (``new`` or ``unchanged``) and the baseline's findings
that are gone follow as results whose state is ``absent`` (located at their
rule: their rows were in an export that is no longer there). A waived finding
carries a ``suppressions`` entry (``external``, ``accepted``) whose
justification is the waiver's reason; expired and unused waivers are
notifications of the invocation, after the run's own warnings (level
``warning``: an as-of before the export's latest timestamp, months of the
period with no record, rules not evaluated, columns no field declares,
optional columns missing). A rule not evaluated (every record in its scope
unreadable) is also a result like any finding, whose message says so. The
invocation's properties name the as-of time and the audit period, with where
each came from.

The run's ``properties`` carry the grade distribution and the compliance
scorecard (the same lists as the ``json`` format), so a dashboard that keeps
only SARIF still has the run's grades.

The results are written one at a time (one compact result a line), so the
log of a million findings is never held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from ..engine.findings import FindingStore
from ..errors import Location
from ..i18n import N_, Words
from ..model import Finding, RunResult
from ..scorecard import scorecard
from . import cycle
from .cells import Cell, Cells
from .common import RanRule, export_position, hole, ran_rules, relative_path, write_json

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# SARIF's run.language is a BCP 47 tag; titles and messages are in the run's language.
LANGUAGE_TAGS = {"en": "en-US", "zh": "zh-CN"}
_DEFINED_HERE = Words({"rule": N_("rule {id} is defined here"), "clause": N_("clause {id} is declared here")})
# Where a record or cell is in a file without lines (XLSX, Parquet), and which column a text cell is.
_PLACE = Words({
    "sheet_row": N_('sheet "{sheet}", row {row}'), "sheet_cell": N_('sheet "{sheet}", cell {address} (column "{column}")'),
    "row": N_("row {row}"), "record": N_("record {row}"), "record_cell": N_('record {row}, column "{column}"'),
    "column": N_('column "{column}"'),
})


SARIF_STATES = {"new": "new", "persisting": "unchanged", "resolved": "absent"}


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    rules = ran_rules(result)
    cells = Cells(result)
    # The baseline's resolved findings of a fingerprint are its occurrences after this run's (matched
    # by count, see docs/history.md), so their numbering goes on from this run's.
    given = result.baseline.resolved if result.baseline else None
    resolved = given if given is None or isinstance(given, FindingStore) else FindingStore.of(given)
    try:
        results = chain(_results(result, rules, result.findings.numbered(), cells),
                        _results(result, rules, resolved.numbered(after=result.findings) if resolved else (), cells))
        write_json(out, document(result, fail_on, rules), {"results": results})
    finally:
        cells.close()
        if resolved is not given:
            resolved.close()


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
            "columnKind": "utf16CodeUnits",
            "results": hole("results"),
            "properties": {
                "policy": result.meta()["policy"],
                "lang": result.lang,
                "grade_distribution": result.grades.distribution(),
                "scorecard": [line.to_dict() for line in scorecard(result, fail_on)],
                "waived": result.waived_count(),
                "waivers": [use.to_dict() for use in result.waivers],
                "baseline": result.baseline.to_dict() if result.baseline else None,
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
    out: dict[str, Any] = {
        "executionSuccessful": True,
        "exitCode": result.exit_code(fail_on),
        "properties": {
            "as_of": result.as_of.isoformat(sep=" "),
            "as_of_source": result.as_of_source,
            **({"period": result.period.label, "period_source": result.period.source} if result.period else {}),
            "timezone": result.policy.timezone,
            "fail_on": fail_on,
        },
    }
    # What a reader must know about the run's times (an as-of before some records), then the waivers to act on.
    notes = [{"level": "warning", "message": {"text": text}} for text in result.warnings]
    notes += [{"level": "warning", "message": {"text": cycle.notice(result, use)},
               "properties": {"waiver": use.waiver.id, "state": use.state}} for use in result.waiver_notices()]
    if notes:
        out["toolExecutionNotifications"] = notes
    return out


def _results(result: RunResult, rules: list[RanRule], findings: Iterable[tuple[Finding, int]],
             cells: Cells) -> Iterator[str]:
    """One compact result a finding; the n-th finding of a fingerprint is ``<fingerprint>:<n>``."""
    index = {r.id: i for i, r in enumerate(rules)}
    for f, n in findings:
        if f.rule not in index:  # a resolved finding of a rule this run did not report on
            continue
        item = _result(result, f, rules[index[f.rule]], index[f.rule], f"{f.fingerprint}:{n}", cells)
        yield json.dumps(item, ensure_ascii=False, default=str, separators=(",", ":"))


def _result(result: RunResult, f: Finding, rule: RanRule, rule_index: int, fingerprint: str,
            cells: Cells) -> dict[str, Any]:
    defined = _physical(rule.location) if rule.location and rule.location.line else None
    here = f.baseline != "resolved"  # a resolved finding's record was in the baseline's export, not this one
    primary = (_export_location(result, f, cells) if here else None) or ({"physicalLocation": defined} if defined else None)
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": "warning" if f.status == "warning" else LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [primary] if primary else [],
        "partialFingerprints": {"clausewise/v1": fingerprint},
        "properties": _properties(f),
    }
    if f.baseline:
        out["baselineState"] = SARIF_STATES[f.baseline]
    if f.waiver:
        out["suppressions"] = [_suppression(f.waiver)]
    if defined:
        out["relatedLocations"] = [{"id": 1, "physicalLocation": defined, "message": {"text": _defined_here(result, rule)}}]
    return out


def _suppression(waiver: dict[str, Any]) -> dict[str, Any]:
    """A waiver as SARIF sees it: accepted outside the source, justified by its reason."""
    return {"kind": "external", "status": "accepted", "justification": waiver["reason"],
            "properties": {k: waiver[k] for k in ("id", "approved_by", "reference", "expires")}}


def _defined_here(result: RunResult, rule: RanRule) -> str:
    words = _DEFINED_HERE[result.lang]
    return words["clause"].format(id=rule.clause) if rule.defined_by == "clause" else words["rule"].format(id=rule.id)


def _export_location(result: RunResult, f: Finding, cells: Cells) -> dict[str, Any] | None:
    """The record's (or the bad cell's) place in its export file, as a SARIF location; None without a file."""
    position = export_position(result, f)
    if position is None:
        return None
    path, line = position
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path)}}
    cell = cells.of(f)
    if cell is not None and cell.line is not None:
        physical["region"] = {"startLine": cell.line, "startColumn": cell.start_column,
                              "endLine": cell.end_line, "endColumn": cell.end_column}
    elif line is not None:
        physical["region"] = {"startLine": line}
    out: dict[str, Any] = {"physicalLocation": physical}
    message = _place(result, f, line, cell, cells)
    if message:
        out["message"] = {"text": message}
    return out


def _place(result: RunResult, f: Finding, line: int | None, cell: Cell | None, cells: Cells) -> str | None:
    """Words for where the record is when its file has no lines, or which column a text file's bad cell is in."""
    words = _PLACE[result.lang]
    if line is not None:
        return words["column"].format(column=cell.column) if cell is not None else None
    if f.row is None:
        return None
    column = f.evidence.get("column") if f.status == "invalid" else None
    fmt = next((d.format for d in result.data_files if d.dataset == f.dataset and d.path), None)
    if fmt == "xlsx":  # the header is the sheet's row 1
        sheet = cells.sheet(f.dataset)
        if sheet is None:
            return words["row"].format(row=f.row + 1)
        if cell is not None and cell.address is not None:
            return words["sheet_cell"].format(sheet=sheet, address=cell.address, column=cell.column)
        return words["sheet_row"].format(sheet=sheet, row=f.row + 1)
    return words["record_cell" if column else "record"].format(row=f.row, column=column)


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
