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

    ``fields`` lists two or more date or timestamp fields in the order the
    steps must happen. Each filled field must be at or after the last filled
    field before it in the list; empty fields are skipped, so a step not taken
    (yet) breaks nothing. With ``strict: true`` each must be strictly after it,
    so two equal timestamps are out of order too. A date counts as the start of
    its day (00:00), so a date is out of order after a timestamp of the same day.

    The first pair out of order is named in the evidence, as ``a > b`` (``b``
    came before ``a``) or ``a = b`` (at the same time, under ``strict``).

    Evidence: ``out_of_order``.

    Example (OS-3.1.1: an inquiry is replied to no earlier than it was received)::

        - id: inquiry-times-in-order
          clause: OS-3.1.1
          dataset: inquiries
          kind: sequence
          severity: medium
          fields: [received_at, replied_at]
          title: {en: Replied no earlier than received, zh: 答复不早于受理}
          message:
            en: "inquiry {key} should be received before it is replied to; found {out_of_order}
              (received {received_at}, replied {replied_at})"
            zh: "咨询 {key} 应先受理后答复；实际顺序颠倒：{out_of_order}（受理 {received_at}，答复 {replied_at}）"
    """

    name = "sequence"
    Spec = SequenceSpec
    schema = {
        "properties": {
            "fields": {"type": "array", "items": {"type": "string"}, "minItems": 2,
                       "description": "Date or timestamp fields, in the order the steps must happen; empty ones are skipped."},
            "strict": {"type": "boolean", "default": False,
                       "description": "true: each step strictly after the one before (equal times are out of order)."},
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
            examined_sql=scope,
            where=f"{scope} AND ({out_of_order})",
            evidence={"out_of_order": f"CASE {first} END"},
        )
