"""The compliance scorecard: how each clause, chapter and group stands, as an auditor reads it.

An auditor does not divide findings by record checks (a clause with one
critical breach among a thousand records is breached, not "99.9 % compliant").
So each clause is first put in one state, from its findings:

- ``breached`` — a violation or invalid value no waiver accepts; its worst
  severity is the clause's ``worst``;
- ``waived`` — deviations, all accepted by waivers;
- ``warned`` — early warnings only (nothing broken yet);
- ``compliant`` — records examined, nothing found;
- ``not_examined`` — no rule of the clause looked at a record: no score.

A clause scores ``100 × (1 − weight)``, the weight of its state (its worst
severity when breached; ``warning`` or ``waived``; none when compliant). A
chapter, a group value and the whole run score the mean of their scored
clauses, to one decimal (halves up). The band is the best whose lowest score the score reaches, then
capped: a scope holding a breach of a severity in ``caps`` is at best that
band, and a scope holding a finding that fails the run (``--fail-on``) is
never in the best band. So a run that exits 1 never reads as top-band, and
every scope whose findings fail the run says so (``fails``); see
docs/grades.md for the formula with worked examples.

Counts come from the findings store (``result.findings.tally``), so the
scorecard reads no finding one by one; group values come from the engine's
group tally (``engine/collect.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .model import SEVERITIES, RunResult, Scorecard, failing, severity_rank

CLAUSE_STATES = ("breached", "waived", "warned", "compliant", "not_examined")
# The weight of a clause's state, for states that are not a breach (a breach weighs its worst severity).
_STATE_WEIGHT = {"waived": "waived", "warned": "warning"}
OVERALL = "overall"


@dataclass
class Counts:
    """What one clause (or a scope of clauses) holds: records examined and findings by kind.

    ``findings`` counts violations and invalid values no waiver accepts, by
    severity; ``warnings`` early warnings (waived or not); ``waived`` the
    violations and invalid values a waiver accepts; ``failing`` those that
    fail the run at the ``fail_on`` asked for.
    """

    examined: int = 0
    findings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))
    warnings: int = 0
    waived: int = 0
    failing: int = 0

    def add(self, status: str, severity: str, waived: bool, n: int, fails: bool) -> None:
        if status == "warning":
            self.warnings += n
        elif waived:
            self.waived += n
        else:
            self.findings[severity] += n
        self.failing += n if fails else 0

    def worst(self) -> str | None:
        """The most severe breach, or None."""
        return next((sev for sev in SEVERITIES if self.findings[sev]), None)

    def state(self) -> str:
        if self.worst():
            return "breached"
        if self.waived:
            return "waived"
        if self.warnings:
            return "warned"
        return "compliant" if self.examined else "not_examined"

    def merged(self, other: Counts) -> Counts:
        return Counts(self.examined + other.examined,
                      {sev: self.findings[sev] + other.findings[sev] for sev in SEVERITIES},
                      self.warnings + other.warnings, self.waived + other.waived, self.failing + other.failing)


@dataclass(frozen=True)
class ScoreLine:
    """One line of the scorecard: the whole run, a chapter, a clause, or one value of a group.

    ``scope`` is ``overall``, ``chapter``, ``clause`` or a group's name;
    ``state`` a clause's state (for a wider scope, its worst clause's);
    ``clauses`` counts its clauses by state; ``score`` is 0–100 with one
    decimal (None with no clause scored); ``capped`` says why the band is
    worse than the score alone gives (a severity of ``caps``, or ``fails``);
    ``failing`` counts the scope's findings that fail the run.
    """

    scope: str
    id: str
    title: str
    state: str
    examined: int
    findings: dict[str, int]
    warnings: int
    waived: int
    clauses: dict[str, int]
    score: float | None
    band: str | None
    capped: str | None
    failing: int

    @property
    def fails(self) -> bool:
        """True when the scope holds a finding that fails the run."""
        return self.failing > 0

    @property
    def worst(self) -> str | None:
        return next((sev for sev in SEVERITIES if self.findings[sev]), None)

    def to_dict(self) -> dict[str, Any]:
        return {"scope": self.scope, "id": self.id, "title": self.title, "state": self.state, "worst": self.worst,
                "examined": self.examined, "findings": self.findings, "warnings": self.warnings,
                "waived": self.waived, "clauses": self.clauses, "score": self.score, "band": self.band,
                "capped": self.capped, "failing": self.failing}


def scorecard(result: RunResult, fail_on: str) -> list[ScoreLine]:
    """The run's scorecard: the overall line, then chapters, clauses and group values ([] without a scorecard).

    ``fail_on`` is the run's threshold (``high``, …, ``never``): the lines
    that hold findings failing the run at it are marked and kept out of the
    best band. With ``result.fail_on_new`` only findings new since the
    baseline run fail it, as for the exit code.
    """
    card = result.policy.scorecard
    if card is None:
        return []
    clauses = _clause_counts(result, fail_on)
    judge = _Judge(card)
    policy = result.policy
    lines = [judge.clause("clause", cid, _title(result, cid), counts) for cid, counts in clauses.items()]
    chapters: dict[str, list[ScoreLine]] = {}
    for line in lines:
        chapters.setdefault(_chapter(result, line.id), []).append(line)
    chapter_lines = [judge.scope("chapter", ch, _title(result, ch) if ch in policy.clauses else "", parts)
                     for ch, parts in chapters.items()]
    overall = judge.scope(OVERALL, OVERALL, policy.title.get(result.lang), lines)
    return [overall, *chapter_lines, *lines, *_group_lines(result, fail_on, judge)]


def _title(result: RunResult, clause: str) -> str:
    found = result.policy.clauses.get(clause)
    return found.title.get(result.lang) if found else ""


def _chapter(result: RunResult, clause: str) -> str:
    found = result.policy.clauses.get(clause)
    return found.chapter if found else clause.split(".", 1)[0]


def _clause_counts(result: RunResult, fail_on: str) -> dict[str, Counts]:
    """Counts of every observable clause and of every clause with a rule run or a finding, in the policy's order."""
    policy = result.policy
    clause_of = {r.id: r.clause for r in policy.rules}
    clause_of["data-quality"] = policy.data_quality_clause
    counts = {c.id: Counts() for c in policy.clauses.values() if c.observable}
    for rule, stats in result.stats.items():
        if rule in clause_of:
            # A rule none of whose periods has ended judged nothing, whatever records were in its scope.
            counts.setdefault(clause_of[rule], Counts()).examined += 0 if stats.none_judged else stats.examined
    tally = result.findings.tally("clause", "status", "severity", "waived", "baseline")
    for (clause, status, severity, waived, baseline), n in tally.items():
        fails = failing(status, severity, waived, baseline, fail_on, result.fail_on_new)
        counts.setdefault(clause, Counts()).add(status, severity, waived, n, fails)
    order = list(policy.clauses)
    return dict(sorted(counts.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def _group_lines(result: RunResult, fail_on: str, judge: _Judge) -> list[ScoreLine]:
    """One line per value of each scorecard group, from the clauses its records were examined by."""
    groups = result.group_counts
    if groups is None:
        return []
    counts: dict[tuple[str, str | None], dict[str, Counts]] = {}
    for (group, value, clause), n in groups.examined().items():
        counts.setdefault((group, value), {}).setdefault(clause, Counts()).examined += n
    for (group, value, clause, status, severity, waived, baseline), n in groups.tally().items():
        fails = failing(status, severity, waived, baseline, fail_on, result.fail_on_new)
        counts.setdefault((group, value), {}).setdefault(clause, Counts()).add(status, severity, waived, n, fails)
    order = list(result.policy.scorecard.group_by)
    lines = []
    for (group, value), by_clause in sorted(counts.items(), key=lambda i: (order.index(i[0][0]), str(i[0][1]))):
        parts = [judge.clause("clause", clause, "", c) for clause, c in by_clause.items()]
        lines.append(judge.scope(group, str(value), "", parts))
    return lines


def _tenths(score: float) -> float:
    """A score to one decimal, halves rounded up as people round them (96.25 → 96.3)."""
    return float(Decimal(repr(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


class _Judge:
    """Scores and bands by the policy's weights, bands and caps."""

    def __init__(self, card: Scorecard):
        self.card = card
        self.order = card.band_order()

    def clause(self, scope: str, ident: str, title: str, counts: Counts) -> ScoreLine:
        state = counts.state()
        score = None if state == "not_examined" else _tenths(100 * (1 - self._weight(state, counts.worst())))
        return self._line(scope, ident, title, state, counts, {state: 1}, score)

    def scope(self, scope: str, ident: str, title: str, parts: Iterable[ScoreLine]) -> ScoreLine:
        parts = list(parts)
        counts = Counts()
        states = dict.fromkeys(CLAUSE_STATES, 0)
        for part in parts:
            counts = counts.merged(Counts(part.examined, dict(part.findings), part.warnings, part.waived,
                                          part.failing))
            states[part.state] += 1
        scored = [p.score for p in parts if p.score is not None]
        score = _tenths(sum(scored) / len(scored)) if scored else None
        state = next((s for s in CLAUSE_STATES if states[s]), "not_examined")
        return self._line(scope, ident, title, state, counts, {s: n for s, n in states.items() if n}, score)

    def _weight(self, state: str, worst: str | None) -> float:
        key = worst if state == "breached" else _STATE_WEIGHT.get(state)
        return self.card.weights.get(key, 0.0) if key else 0.0

    def _line(self, scope, ident, title, state, counts: Counts, clauses, score) -> ScoreLine:
        band, capped = self._band(score, counts)
        return ScoreLine(scope, ident, title, state, counts.examined, counts.findings, counts.warnings,
                         counts.waived, clauses, score, band, capped, counts.failing)

    def _band(self, score: float | None, counts: Counts) -> tuple[str | None, str | None]:
        """The band the score reaches, capped by the breaches held and by failing the run."""
        if score is None:
            return None, None
        position = next((i for i, name in enumerate(self.order) if score >= self.card.bands[name]), None)
        if position is None:
            return None, None
        capped = None
        for severity in sorted((s for s in SEVERITIES if counts.findings[s]), key=severity_rank):
            cap = self.card.caps.get(severity)
            if cap in self.order and self.order.index(cap) > position:
                position, capped = self.order.index(cap), severity
        if counts.failing and position == 0 and len(self.order) > 1:
            position, capped = 1, "fails"
        return self.order[position], capped
