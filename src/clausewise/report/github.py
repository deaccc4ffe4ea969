"""``github``: GitHub Actions workflow commands, so findings show as annotations on a PR.

One command a finding: ``::error`` for what fails the run (violations and
invalid data at or above ``--fail-on``), ``::warning`` for violations and
invalid data below it, ``::notice`` for early warnings, which never fail a run.
The annotation points at the record's line in the export file when it has one,
else at the rule in its YAML file (aggregate findings, XLSX and Parquet
exports). A last ``::notice::`` states the totals, because GitHub shows only the
first few annotations of each level per step. A waived finding is a
``::notice`` whose message starts with its waiver; expired and unused waivers
are ``::warning`` lines, and so are the run's warnings (an as-of before the
export's latest timestamp, rules not evaluated, columns no field declares,
optional columns missing); the waivers' summary and the comparison with the
baseline run are notices before the totals. A rule not evaluated (every
record in its scope unreadable) is annotated like a finding, at its rule.

Data is escaped as the Actions toolkit escapes it (``escapeData`` and
``escapeProperty`` in @actions/core): without it a newline in a message would end
the command early and the rest of the line would run as a new command.
"""

from __future__ import annotations

from typing import TextIO

from ..i18n import N_, Words
from ..model import Finding, RunResult
from . import cycle, words
from .common import RanRule, export_position, ran_rules, relative_path

_WORDS = Words({
    "summary": N_("clausewise {policy} {version} as of {as_of}: {counts}; {failing} failing (fail on {fail_on}), "
               "exit {code}"),
})


def write(result: RunResult, fail_on: str, out: TextIO) -> None:
    rules = {r.id: r for r in ran_rules(result)}
    for f in result.findings:
        out.write(_command(result, f, rules[f.rule], result.fails(f, fail_on)) + "\n")
    for line in cycle.notices(result):
        out.write(f"::warning::{escape_data(line)}\n")
    for line in result.warnings:
        out.write(f"::warning::{escape_data(line)}\n")
    for line in (cycle.baseline_line(result), cycle.waived_line(result)):
        if line:
            out.write(f"::notice::{escape_data(line)}\n")
    out.write(f"::notice::{escape_data(_summary(result, fail_on))}\n")


def _command(result: RunResult, f: Finding, rule: RanRule, failing: bool) -> str:
    level = "notice" if f.status == "warning" or f.waiver else "error" if failing else "warning"
    props = [*_place(result, f, rule), ("title", f"{f.clause} {f.rule}: {rule.title.get(result.lang)}")]
    joined = ",".join(f"{name}={escape_property(str(value))}" for name, value in props)
    waived = cycle.waiver_note(result, f)
    message = f"{waived} — {f.message}" if waived else f.message
    return f"::{level} {joined}::{escape_data(message)}"


def _place(result: RunResult, f: Finding, rule: RanRule) -> list[tuple[str, object]]:
    """file and line of the record in the export, else of the rule that flagged it."""
    position = export_position(result, f)
    if position and position[1] is not None:
        return [("file", position[0]), ("line", position[1])]
    if rule.location and rule.location.line:
        return [("file", relative_path(rule.location.file)), ("line", rule.location.line)]
    return [("file", position[0])] if position else []


def _summary(result: RunResult, fail_on: str) -> str:
    counts = result.counts()
    return _WORDS[result.lang]["summary"].format(
        policy=result.policy.id, version=result.policy.version, as_of=result.as_of.isoformat(sep=" "),
        counts=words.counts([(counts["violation"], "violation"), (counts["warning"], "warning"),
                             (counts["invalid"], "invalid value")], result.lang, keep_zero=True),
        failing=result.failing_count(fail_on), fail_on=words.fail_on(fail_on, result.lang), code=result.exit_code(fail_on),
    )


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
