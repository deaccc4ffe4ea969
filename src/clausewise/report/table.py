"""``table``: a report for a terminal, as wide as the terminal (100 columns when not printed on one).

Findings come rule by rule, under a heading that names the clause, the rule,
its title, its severity and its counts; each finding is one row: where it is
(``file:line`` of a CSV or JSON Lines record, the file and record number in
an XLSX or Parquet export, the dataset of a computed record, nothing for an
aggregate group), the record (its key, or its group), its status, and its
message, wrapped and never cut. Two findings on a duplicated key differ by
their place. At most :data:`MAX_FINDINGS` are listed, read from the store a
batch at a time; the json, jsonl, csv and sarif formats list them all.

The head ends with the run's warnings, each a line starting ``!`` (an as-of
before the export's latest timestamp, rules not evaluated, columns no field
declares, optional columns missing). The rules table lists the rules
with findings and those that examined no record (so "no finding" and "never
ran" are told apart), then one line for the rest; ``verbose`` lists every rule. Then the grades' distributions, the
scorecard's overall and chapter lines (``clausewise.scorecard``), the
monthly cycle, and the verdict. A waived finding's status names its waiver;
after a comparison with a recorded run a column says whether each finding
is new or persisting. Widths and wrapping are in ``layout.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby
from pathlib import Path
from typing import TextIO

from tabulate import tabulate

from ..i18n import N_, Words
from ..model import Finding, RunResult
from ..scorecard import OVERALL, ScoreLine, scorecard
from . import cycle, layout, words
from .common import ran_rules, record_label, record_place

_WORDS = Words({
    "findings": N_("Findings: {counts}"), "none": N_("No findings."), "rules": N_("Rules"),
    "grades": N_("Grades (clausewise grades shows each one and how it was reached)"), "scorecard": N_("Scorecard"),
    "rule": N_("rule"), "clause": N_("clause"), "where": N_("where"), "record": N_("record"), "status": N_("status"),
    "examined": N_("examined"), "violations": N_("violations"), "warnings": N_("warnings"), "invalid": N_("invalid"),
    "unjudged": N_("not judged"), "title": N_("title"), "clauses": N_("clauses"), "score": N_("score"), "band": N_("band"), "since": N_("since"),
    "head": N_("{policy} {version} · as of {as_of} ({source})"), "period": N_("period {period} ({source})"), "data": N_("{folder}: {files}, {rows}"),
    "pass": N_("Passed: no finding at or above {fail_on}"), "pass_never": N_("Passed: nothing fails the run (fail on never)"),
    "fail": N_("Failed: {n} at or above {fail_on}"),
    "verdict": N_("{verdict} · {counts} · exit {code}"),
    "capped": N_("… the first {shown} of {total}; --format json, jsonl, csv or sarif lists them all"),
    "waived": N_("{status}, waived {id}"), "record_no": N_("{file} record {row}"),
    "rest": N_("… and {n} more that examined records and found nothing (--verbose lists every rule)"),
    "heading": N_("{clause} {rule} · {severity} · {counts} · {title}"),
    "never": N_("Examined no record (does the export hold their data?): {rules}"),
    "chapter": N_("chapter"), "breached": N_("clauses breached"), "failing": N_("failing"), "overall": N_("all"),
    "capped_by": N_("capped: {why}"), "note": N_("note"),
    "unjudged_note": N_("not judged: records a rule left out because a value it needs is unreadable (the invalid "
                        "values above); correct them in the export and audit again"),
    "caps": {"critical": N_("critical breach"), "high": N_("high breach"), "medium": N_("medium breach"),
             "low": N_("low breach"), "fails": N_("fails the run")},
})
# A terminal shows at most this many findings; the json, jsonl, csv and sarif formats list them all.
MAX_FINDINGS = 1_000


def write(result: RunResult, fail_on: str, out: TextIO, verbose: bool = False, width: int | None = None) -> None:
    """Write the report to ``out``, ``width`` columns wide (default: see ``layout.width``)."""
    view = _View(result, width or layout.width(out))
    out.write(view.head() + "\n\n")
    for part in view.findings():
        out.write(part)
    parts = [view.rules(verbose), view.grades(), view.scorecard(fail_on), view.cycle(), view.verdict(fail_on)]
    out.write("\n" + "\n\n".join(p for p in parts if p) + "\n")


class _View:
    """One run laid out ``width`` columns wide, in the run's language."""

    def __init__(self, result: RunResult, width: int):
        self.result = result
        self.width = width
        self.lang = result.lang
        self.w = _WORDS[result.lang]

    def wrapped(self, text: str) -> str:
        return "\n".join(layout.wrap(text, self.width))

    def head(self) -> str:
        r = self.result
        head = self.w["head"].format(policy=r.policy.id, version=r.policy.version, as_of=r.as_of.isoformat(sep=" "),
                                     source=r.as_of_reason())
        if r.period is not None:
            head += " · " + self.w["period"].format(period=r.period.label, source=r.period_reason())
        data = self.w["data"].format(folder=r.export_dir, files=words.count(len(r.data_files), "data file", self.lang),
                                     rows=words.count(sum(f.rows for f in r.data_files), "row", self.lang))
        warned = "".join("\n" + self.hanging("! " + text) for text in r.warnings)
        return self.hanging(head) + "\n" + self.hanging(data) + warned

    def hanging(self, text: str) -> str:
        """``text`` wrapped, its continuation lines indented, so that a heading reads as one."""
        first, *rest = layout.wrap(text, self.width)
        rest = layout.wrap(" ".join(rest), self.width - 4) if rest else []
        return "\n".join([first, *("    " + line for line in rest)])

    # ---- findings, rule by rule -------------------------------------------------

    def findings(self) -> Iterator[str]:
        """The findings section, a rule's block at a time (a block holds at most MAX_FINDINGS findings)."""
        r = self.result
        if not r.findings:
            yield self.w["none"] + "\n"
            return
        counts = r.counts()
        yield self.wrapped(self.w["findings"].format(counts=self._counts(counts))) + "\n"
        rules = {rule.id: rule for rule in ran_rules(r)}
        for rule_id, found in groupby(r.findings.where(limit=MAX_FINDINGS), key=lambda f: f.rule):
            yield "\n" + self._block(rules.get(rule_id), rule_id, list(found)) + "\n"
        total = len(r.findings)
        if total > MAX_FINDINGS:
            yield "\n" + self.wrapped(self.w["capped"].format(
                shown=MAX_FINDINGS, total=words.count(total, "finding", self.lang))) + "\n"

    def _counts(self, counts: dict[str, int], keep_zero: bool = True) -> str:
        return words.counts([(counts["violation"], "violation"), (counts["warning"], "warning"),
                             (counts["invalid"], "invalid value")], self.lang, keep_zero)

    def _block(self, rule, rule_id: str, found: list[Finding]) -> str:
        stats = self.result.stats.get(rule_id)
        counts = {"violation": stats.violations, "warning": stats.warnings, "invalid": stats.invalid} if stats else \
            {s: sum(f.status == s for f in found) for s in ("violation", "warning", "invalid")}
        heading = self.w["heading"].format(
            clause=found[0].clause, rule=rule_id, title=rule.title.get(self.lang) if rule else "",
            severity=words.severity(rule.severity if rule else found[0].severity, self.lang),
            counts=self._counts(counts, keep_zero=False)).rstrip(" ·")
        compared = self.result.baseline is not None
        rows = [["\n".join(p for p in (self._where(f), self._record(f)) if p), self._status(f),
                 *([cycle.state_word(self.result, f.baseline)] if compared else []), f.message] for f in found]
        cells = layout.fit(rows, self.width, flexible=len(rows[0]) - 1, indent=2)
        table = tabulate(cells, tablefmt="plain", disable_numparse=True)
        return self.hanging(heading) + "\n" + layout.indent(table)

    def _where(self, f: Finding) -> str:
        """``inquiries.csv:302``; ``staff.xlsx record 15``; a computed dataset's name; nothing for a group (but for
        a record judged once a period, which has its row)."""
        if f.group_json is not None and f.row is None:
            return ""
        data_file = next((d for d in self.result.data_files if d.dataset == f.dataset and d.path), None)
        if data_file is None:
            return f.dataset
        return record_place(Path(data_file.path).name, data_file, f.row, self.w["record_no"])

    @staticmethod
    def _record(f: Finding) -> str:
        return record_label(f)

    def _status(self, f: Finding) -> str:
        status = words.status(f.status, self.lang)
        return self.w["waived"].format(status=status, id=f.waiver["id"]) if f.waiver else status

    # ---- rules, grades, scorecard, cycle, verdict --------------------------------

    def rules(self, verbose: bool) -> str:
        """Rules with findings (every rule, ``verbose``), those that examined no record, and a line for the rest."""
        r = self.result
        # Records a rule could not judge (a value it needs is unreadable): a column only when there are some.
        unjudged = any(r.stats[rule.id].unjudged for rule in ran_rules(r))
        shown, never, rest = [], [], 0
        for rule in ran_rules(r):
            s = r.stats[rule.id]
            if not s.examined and not s.unjudged and not verbose:
                if not s.pending:
                    never.append(f"{rule.id} ({rule.clause})")
            elif verbose or s.violations or s.warnings or s.invalid or s.unjudged:
                row = [rule.id, rule.clause, str(s.examined), str(s.violations), str(s.warnings), str(s.invalid)]
                shown.append(row + ([str(s.unjudged)] if unjudged else []))
            else:
                rest += 1
        text = self.w["rules"]
        if shown:
            names = ("rule", "clause", "examined", "violations", "warnings", "invalid", *(("unjudged",) if unjudged else ()))
            headers = [self.w[h] for h in names]
            cells = layout.fit([headers, *shown], self.width, flexible=0, least=16, header=True, hyphens=True)
            text += "\n" + tabulate(cells[1:], headers=cells[0], tablefmt="simple", disable_numparse=True,
                                    colalign=("left", "left", *("right",) * (len(names) - 2)))
        if shown and unjudged:
            text += "\n" + self.hanging(self.w["unjudged_note"])
        if never:
            text += "\n" + self.hanging(self.w["never"].format(rules=words.separator(self.lang).join(never)))
        for line in words.pending(r):  # the rules waiting for periods not ended, as every format says it
            text += "\n" + self.hanging(line)
        if rest:
            text += "\n" + self.wrapped(self.w["rest"].format(n=rest))
        return "\n".join(line.rstrip() for line in text.split("\n"))

    def grades(self) -> str:
        dist = self.result.grades.distribution()
        if not dist:
            return ""
        lines = [f"{k}: " + ", ".join(f"{g} {n}" for g, n in v.items()) for k, v in dist.items()]
        return self.w["grades"] + "\n" + "\n".join(self.wrapped(line) for line in lines)

    def scorecard(self, fail_on: str) -> str:
        """The overall line and the chapters': clauses breached, score, band (and why it is capped), failing findings."""
        lines = [line for line in scorecard(self.result, fail_on) if line.scope in (OVERALL, "chapter")]
        if not lines:
            return ""
        rows = [self._score_row(line) for line in lines]
        headers = [self.w[h] for h in ("chapter", "breached", "score", "band", "failing", "note")]
        if not any(row[-1] for row in rows):  # no band is capped: no column for why
            rows, headers = [row[:-1] for row in rows], headers[:-1]
        cells = layout.fit([headers, *rows], self.width, flexible=len(headers) - 1, least=12, header=True)
        table = tabulate(cells[1:], headers=cells[0], tablefmt="simple", disable_numparse=True,
                         colalign=("left", "right", "right", "left", "right", "left")[:len(headers)])
        return self.w["scorecard"] + "\n" + "\n".join(line.rstrip() for line in table.split("\n"))

    def _score_row(self, line: ScoreLine) -> list[str]:
        scored = sum(n for state, n in line.clauses.items() if state != "not_examined")
        ident = self.w["overall"] if line.scope == OVERALL else line.id
        capped = self.w["capped_by"].format(why=self.w["caps"][line.capped]) if line.capped else ""
        return [ident, f"{line.clauses.get('breached', 0)} / {scored}", "—" if line.score is None else f"{line.score:.1f}",
                line.band or "—", str(line.failing), capped]

    def cycle(self) -> str:
        return "\n".join(self.wrapped(line) for line in cycle.lines(self.result))

    def verdict(self, fail_on: str) -> str:
        r = self.result
        failing = r.failing_count(fail_on)
        threshold = words.fail_on(fail_on, self.lang)
        if failing:
            verdict = self.w["fail"].format(n=words.count(failing, "finding", self.lang), fail_on=threshold)
        else:
            verdict = self.w["pass_never" if fail_on == "never" else "pass"].format(fail_on=threshold)
        return self.wrapped(self.w["verdict"].format(verdict=verdict, counts=self._counts(r.counts()),
                                                     code=r.exit_code(fail_on)))
