"""``required``: fields that must be filled in, within a scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model import Spec
from .base import EVIDENCE, Check, CompileContext, Kind


@dataclass(frozen=True, kw_only=True)
class RequiredSpec(Spec):
    fields: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)


def missing_sql(column: str, text: bool) -> str:
    """TRUE when a value is missing.

    Loading already reads blank cells as NULL; a computed text column can
    still be empty, so text is also compared with ''.
    """
    return f"({column} IS NULL OR {column} = '')" if text else f"{column} IS NULL"


class RequiredKind(Kind):
    """``required``: fields that must be filled in, within a scope.

    A field is missing when it is empty (NULL) or, for text, only blanks. One
    finding per record lists every missing field.

    Evidence: ``missing`` (the missing fields, comma-separated).

    Example (OS-3.3.3: a resolved problem records owner, root cause and plan)::

        - id: problem-resolution-recorded
          clause: OS-3.3.3
          dataset: problems
          kind: required
          severity: medium
          when: resolved_at IS NOT NULL
          fields: [owner_id, root_cause, solution_plan]
    """

    name = "required"
    Spec = RequiredSpec
    schema = {
        "properties": {
            "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                       "description": "Fields that must be present and not blank."},
            "evidence": EVIDENCE,
        },
        "required": ["fields"],
    }

    def compile(self, ctx: CompileContext) -> Check | None:
        scope = ctx.scope_sql()
        names = ctx.spec.fields
        columns = ctx.fields("fields")
        if scope is None or columns is None:
            return None
        text = [ctx.dataset.fields[n].type in ("string", "enum") for n in names]
        tests = [missing_sql(c, t) for c, t in zip(columns, text)]
        flagged = ", ".join(f"CASE WHEN {t} THEN {ctx.literal(str(n))} END" for t, n in zip(tests, names))
        return Check(
            examined=scope,
            where=f"{scope} AND ({' OR '.join(tests)})",
            evidence={"missing": f"array_to_string(list_filter([{flagged}], lambda x: x IS NOT NULL), ', ')"},
        )
