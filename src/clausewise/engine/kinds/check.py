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
    that a deadline was met. Use ``coalesce``, or ``x IS NULL OR …``, where the
    regulation says otherwise.

    ``status: warning`` makes every finding of the rule an early warning rather
    than a violation — for conditions that announce a breach before it happens,
    such as a key risk indicator nearing its threshold. Warnings never fail a run.

    Evidence: ``assertion`` (``true``, ``false`` or empty for the record).

    Example (OS-3.1.3: the reviewer of an application is not the person who entered it)::

        - id: application-four-eyes
          clause: OS-3.1.3
          dataset: applications
          kind: check
          severity: medium
          when: $four_eyes_review AND reviewer_id IS NOT NULL AND entered_by IS NOT NULL
          assert: reviewer_id <> entered_by
          evidence: {reviewer_id: reviewer_id, entered_by: entered_by}
          title: {en: Reviewer is not who entered the application, zh: 审核人与录入人分离}
          message:
            en: "application {key} should be reviewed by someone other than who entered it;
              reviewer {reviewer_id}, entered by {entered_by}"
            zh: "申请 {key} 的审核人应不同于录入人；实际审核人 {reviewer_id}、录入人 {entered_by}"
    """

    name = "check"
    per_period = True
    Spec = CheckSpec
    conditions = ("when", "assert")
    schema = {
        "properties": {
            "assert": {"type": "string", "minLength": 1,
                       "description": "SQL condition that must be true for every record in scope; false or unknown is a finding."},
            "evidence": EVIDENCE,
            "status": {"enum": ["violation", "warning"], "default": "violation",
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
            examined_sql=scope,
            where=f"{scope} AND ({assertion}) IS NOT TRUE",
            evidence={"assertion": f"CAST(({assertion}) AS VARCHAR)"},
            status=ctx.literal(ctx.spec.status),
        )
