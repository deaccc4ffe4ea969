"""``junit``: JUnit XML, so CI test tabs (Jenkins, GitLab, Azure DevOps) list the rules.

One ``<testsuite>`` per clause chapter (``OS-3.1.1`` → ``OS-3``, see
``Clause.chapter``), one ``<testcase>`` per rule that ran. Suites per chapter
rather than one for the run because a regulation pack has hundreds of rules and
CI test tabs fold and count per suite, so a reader sees which chapter breaks;
the price is that the run's properties (policy id, version, hash, as-of) repeat
in each suite, as the Jenkins schema allows properties on suites only; so do
the run's warnings (``warning.1``, ``warning.2``, …: rules not evaluated,
columns no field declares, optional columns missing, an early as-of). A
suite's properties also carry its chapter's line of the compliance scorecard
(``state``, ``score``, ``band``, why the band is ``capped``, how many findings
are ``failing`` the run, ``examined``; no score when nothing was examined; see
``clausewise.scorecard``), since the chapter is the unit a CI tab shows and a
reader asks "how compliant".

A rule with any violation or invalid value fails (``<failure>`` lists the
records, capped); early warnings alone do not fail, they go to ``<system-out>``;
a rule that examined no record is ``<skipped>``, so "passed" always means
"looked at records and found nothing wrong" — unless it could judge none of
the records in its scope (each had an unreadable value it needs): then it
was not evaluated, and fails, its message saying so. A rule whose violations and
invalid values were all waived is ``<skipped>`` too, its message naming the
waivers and their reasons and its text listing the waived records; waived
findings never count as failures. ``fail_on`` does not change outcomes here:
it is recorded as a property for the reader, with the audit period, the
waivers' summary, expired and unused waivers, and the comparison
with the baseline run.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from ..i18n import N_, Words
from ..model import Finding, RunResult
from ..scorecard import ScoreLine, scorecard
from . import cycle
from . import words as wordings
from .common import RanRule, chapter_title, ran_rules, record_label

MAX_LINES = 50
_WORDS = Words({
    "more": N_("… and {n} more"), "row": N_("row {row}"),
    "unexamined": N_("no records to examine"), "waived": N_("{n} waived: {why}"),
    "not_evaluated": N_("not evaluated: {n} records in scope could not be judged"), "then": N_("; "),
})
# XML 1.0 cannot carry most control characters, not even escaped, and export data may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    root = ET.Element("testsuites", name=f"clausewise {result.policy.id} {result.policy.version}")
    scores = {line.id: line for line in scorecard(result, fail_on) if line.scope == "chapter"}
    counts = result.findings.tally("rule", "status", "waived")
    for chapter, rules in _chapters(result).items():
        root.append(_suite(result, fail_on, chapter, rules, scores.get(chapter), counts))
    _sum_suites(root, root.findall("testsuite"))
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")


def _chapters(result: RunResult) -> dict[str, list[RanRule]]:
    out: dict[str, list[RanRule]] = {}
    for rule in ran_rules(result):
        out.setdefault(result.policy.clauses[rule.clause].chapter, []).append(rule)
    return out


def _suite(result: RunResult, fail_on: str, chapter: str, rules: list[RanRule], score: ScoreLine | None,
           counts: dict) -> ET.Element:
    name = f"{chapter} {chapter_title(result, chapter)}".rstrip()
    suite = ET.Element("testsuite", name=name)
    suite.append(_properties(result, fail_on, score))
    cases = [_case(result, rule, counts) for rule in rules]
    suite.extend(cases)
    _count_cases(suite, cases)
    return suite


def _count_cases(suite: ET.Element, cases: list[ET.Element]) -> None:
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(c.find("failure") is not None for c in cases)))
    suite.set("errors", "0")
    suite.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))
    suite.set("time", "0")


def _sum_suites(root: ET.Element, suites: list[ET.Element]) -> None:
    for attr in ("tests", "failures", "errors"):
        root.set(attr, str(sum(int(s.get(attr)) for s in suites)))
    root.set("time", "0")


def _properties(result: RunResult, fail_on: str, score: ScoreLine | None) -> ET.Element:
    values = {
        "policy.id": result.policy.id, "policy.version": result.policy.version,
        "policy.hash": result.policy.content_hash, "as_of": result.as_of.isoformat(sep=" "),
        "as_of_source": result.as_of_source, "timezone": result.policy.timezone, "fail_on": fail_on,
        **({"period": result.period.label, "period_source": result.period.source} if result.period else {}),
        **{f"warning.{n}": text for n, text in enumerate(result.warnings, 1)},
        **_score(score), **_cycle(result),
    }
    props = ET.Element("properties")
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=_xml(value))
    return props


def _cycle(result: RunResult) -> dict[str, str]:
    """The waivers' summary and notices, and the comparison with the baseline run, as properties."""
    values = {"waived": cycle.waived_line(result), "baseline": cycle.baseline_line(result)}
    values.update({f"waiver.{use.waiver.id}": cycle.notice(result, use) for use in result.waiver_notices()})
    return {name: value for name, value in values.items() if value}


def _score(line: ScoreLine | None) -> dict[str, str]:
    """The chapter's scorecard line as properties; none without a scorecard, no score without records."""
    if line is None:
        return {}
    values = {"state": line.state, "score": None if line.score is None else f"{line.score:g}", "band": line.band,
              "capped": line.capped, "failing": str(line.failing), "examined": str(line.examined)}
    return {name: value for name, value in values.items() if value is not None}


def _case(result: RunResult, rule: RanRule, counts: dict) -> ET.Element:
    """The rule's testcase; at most ``MAX_LINES`` findings of each outcome are read from the store."""
    words = _WORDS[result.lang]
    case = ET.Element("testcase", classname=rule.clause, name=_xml(f"{rule.id}: {rule.title.get(result.lang)}"), time="0")
    violations, invalid = counts.get((rule.id, "violation", False), 0), counts.get((rule.id, "invalid", False), 0)
    waived = counts.get((rule.id, "violation", True), 0) + counts.get((rule.id, "invalid", True), 0)
    warnings = counts.get((rule.id, "warning", False), 0) + counts.get((rule.id, "warning", True), 0)
    failing_statuses = ["violation", "invalid"]
    if violations or invalid:
        failing = result.findings.where(rules=[rule.id], statuses=failing_statuses, limit=MAX_LINES, waived=False)
        message = wordings.counts([(violations, "violation"), (invalid, "invalid value")], result.lang)
        stats = result.stats.get(rule.id)
        if stats is not None and stats.not_evaluated:
            message = words["not_evaluated"].format(n=stats.unjudged) + words["then"] + message
        failure = ET.SubElement(case, "failure", message=message, type=rule.severity)
        failure.text = _listing(failing, violations + invalid, words)
    elif waived:
        accepted = list(result.findings.where(rules=[rule.id], statuses=failing_statuses, limit=MAX_LINES, waived=True))
        skipped = ET.SubElement(case, "skipped", message=_xml(words["waived"].format(n=waived, why=_why(accepted))))
        skipped.text = _listing(accepted, waived, words)
    elif not warnings and result.stats[rule.id].examined == 0:
        ET.SubElement(case, "skipped", message=words["unexamined"])
    if warnings:
        shown = result.findings.where(rules=[rule.id], statuses=["warning"], limit=MAX_LINES)
        ET.SubElement(case, "system-out").text = _listing(shown, warnings, words)
    return case


def _why(findings: list[Finding]) -> str:
    """``W-1 (reason); W-2 (reason)``: each waiver of the findings once, in their order."""
    reasons = {f.waiver["id"]: f.waiver["reason"] for f in findings}
    return "; ".join(f"{ident} ({reason})" for ident, reason in reasons.items())


def _listing(findings, total: int, words) -> str:
    lines = [_line(f, words) for f in findings]
    if total > MAX_LINES:
        lines.append(words["more"].format(n=total - MAX_LINES))
    return _xml("\n".join(lines))


def _line(f: Finding, words) -> str:
    """``Q-005, row 6: message``: the row tells apart records that share a key."""
    where = ", ".join(w for w in [record_label(f)] + ([words["row"].format(row=f.row)] if f.row is not None else []) if w)
    return f"{where}: {f.message}" if where else f.message


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
