"""Which clauses a pack covers with rules, and which rules its cases test.

Every clause of the register either has rules or says why it has none
(``observable: false`` with a reason: declarative, or not visible in the
export). Every rule should have at least one ``pass_`` and one ``fail_`` case.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Policy
from .testing import Case


@dataclass(frozen=True)
class ClauseCoverage:
    clause: str
    title: str
    observable: bool
    reason: str | None
    rules: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return bool(self.rules) or not self.observable


@dataclass(frozen=True)
class RuleCoverage:
    rule: str
    clause: str
    kind: str
    cases: tuple[str, ...]

    @property
    def tested(self) -> bool:
        return any(c.startswith("pass_") for c in self.cases) and any(c.startswith("fail_") for c in self.cases)


@dataclass(frozen=True)
class Coverage:
    clauses: tuple[ClauseCoverage, ...]
    rules: tuple[RuleCoverage, ...]

    @property
    def observable(self) -> list[ClauseCoverage]:
        return [c for c in self.clauses if c.observable]

    @property
    def percent(self) -> float:
        """Share of observable clauses with at least one rule."""
        seen = self.observable
        return 100.0 if not seen else round(100 * sum(bool(c.rules) for c in seen) / len(seen), 1)

    @property
    def complete(self) -> bool:
        return all(c.covered for c in self.clauses) and all(r.tested for r in self.rules)


def coverage(policy: Policy, cases: list[Case], lang: str = "en") -> Coverage:
    clauses = tuple(
        ClauseCoverage(
            clause=cid,
            title=clause.title.get(lang),
            observable=clause.observable,
            reason=clause.reason,
            rules=tuple(r.id for r in policy.rules if r.clause == cid),
        )
        for cid, clause in policy.clauses.items()
    )
    rules = tuple(
        RuleCoverage(r.id, r.clause, r.kind, tuple(c.name for c in cases if c.rule == r.id)) for r in policy.rules
    )
    return Coverage(clauses, rules)
