"""``sequence``: timestamps that must come in order, skipping the empty ones."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model import Spec
from .base import EVIDENCE, Check, CompileContext, Kind


@dataclass(frozen=True, kw_only=True)
class SequenceSpec(Spec):
    fields: list[str] = field(default_factory=list)
    strict: bool = False
    evidence: dict[str, str] = field(default_factory=dict)


class SequenceKind(Kind):
    """``sequence``: timestamps that must come in order, skipping the empty ones.

    Each non-empty field must be at or after the last non-empty field before it
    in the list; with ``strict: true`` strictly after, so two equal timestamps
    are out of order too. The first pair out of order is named in the
    evidence, as ``a > b`` (``b`` came before ``a``) or ``a = b`` (at the same
    time, under ``strict``).

    Evidence: ``out_of_order``.

    Example (OS-3.1.2: an application is checked, then entered, then assigned)::

        - id: application-steps-in-order
          clause: OS-3.1.2
          dataset: applications
          kind: sequence
          severity: medium
          fields: [submitted_at, precheck_at, entered_at, assigned_at, reviewed_at, completed_at]
    """

    name = "sequence"
    Spec = SequenceSpec
    schema = {
        "properties": {
            "fields": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "strict": {"type": "boolean"},
            "evidence": EVIDENCE,
        },
        "required": ["fields"],
    }

    def compile(self, ctx: CompileContext) -> Check | None:
        scope = ctx.scope_sql()
        names = ctx.spec.fields
        columns = ctx.fields("fields", types=("date", "timestamp"))
        if scope is None or columns is None:
            return None
        op = "<=" if ctx.spec.strict else "<"
        breaks = []  # (condition, earlier-name expression, later name, earlier value)
        for i in range(1, len(columns)):
            previous = ", ".join(reversed(columns[:i]))
            earlier = f"coalesce({previous})" if i > 1 else columns[0]
            which = " ".join(
                f"WHEN {c} IS NOT NULL THEN {ctx.literal(n)}" for c, n in zip(reversed(columns[:i]), reversed(names[:i]))
            )
            breaks.append((f"{columns[i]} {op} {earlier}", f"CASE {which} END", names[i], columns[i], earlier))
        out_of_order = " OR ".join(f"({cond}) IS TRUE" for cond, *_ in breaks)
        first = " ".join(
            f"WHEN ({cond}) IS TRUE THEN {name_sql} || CASE WHEN {later_col} = {earlier} THEN ' = ' ELSE ' > ' END "
            f"|| {ctx.literal(later)}"
            for cond, name_sql, later, later_col, earlier in breaks
        )
        return Check(
            examined=scope,
            where=f"{scope} AND ({out_of_order})",
            evidence={"out_of_order": f"CASE {first} END"},
        )
