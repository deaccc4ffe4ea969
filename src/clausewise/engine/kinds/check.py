"""``check``: a condition every record in scope must satisfy."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model import Spec
from .base import EVIDENCE, Check, CompileContext, Kind


@dataclass(frozen=True, kw_only=True)
class CheckSpec(Spec):
    assertion: str = field(default="", metadata={"key": "assert"})
    evidence: dict[str, str] = field(default_factory=dict)
    status: str = "violation"


class CheckKind(Kind):
    """``check``: a condition every record in scope must satisfy.

    The general-purpose kind: ``when`` picks the records the clause applies to,
    ``assert`` states what must hold for each of them. A record is a violation when
    the assertion is false *or unknown* (NULL): a missing timestamp does not show
    that a deadline was met. Use ``coalesce`` to say otherwise.

    ``status: warning`` makes every finding of the rule an early warning rather
    than a violation — for conditions that announce a breach before it happens,
    such as a key risk indicator nearing its threshold. Warnings never fail a run.

    Evidence: ``assertion`` (true, false or empty for the record).

    Example (OS-3.1.1: an inquiry not answered on the spot must record a contact)::

        - id: inquiry-contact-recorded
          clause: OS-3.1.1
          dataset: inquiries
          kind: check
          severity: high
          when: NOT answered_on_spot
          assert: customer_contact IS NOT NULL
          evidence: {channel: channel}
    """

    name = "check"
    Spec = CheckSpec
    conditions = ("when", "assert")
    schema = {
        "properties": {
            "assert": {"type": "string", "minLength": 1, "description": "SQL condition that must be true."},
            "evidence": EVIDENCE,
            "status": {"enum": ["violation", "warning"],
                       "description": "warning: the findings are early warnings, which never fail a run."},
        },
        "required": ["assert"],
    }

    def compile(self, ctx: CompileContext) -> Check | None:
        scope = ctx.scope_sql()
        assertion = ctx.condition("assert")
        if scope is None or assertion is None:
            return None
        return Check(
            examined=scope,
            where=f"{scope} AND ({assertion}) IS NOT TRUE",
            evidence={"assertion": f"CAST(({assertion}) AS VARCHAR)"},
            status=ctx.literal(ctx.spec.status),
        )
