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
    finding per record in scope lists every missing field. ``when`` makes the
    requirement conditional: "a resolved problem records its root cause".

    Evidence: ``missing`` (the missing fields, comma-separated, in the order of
    ``fields``).

    Example (OS-3.3.3: a resolved problem records its root cause, plan and resolver)::

        - id: problem-resolution-recorded
          clause: OS-3.3.3
          dataset: problems
          kind: required
          severity: medium
          when: resolved_at IS NOT NULL
          fields: [root_cause, solution_plan, resolver_id]
          title: {en: "Root cause, plan and resolver recorded on resolution", zh: 解决时记录根因、方案和解决人}
          message:
            en: "problem {key} was resolved at {resolved_at}, so the root cause, the plan and
              the resolver should be recorded; missing: {missing}"
            zh: "问题 {key} 已于 {resolved_at} 解决，应记录问题根源、解决方案和解决人；缺少：{missing}"
    """

    name = "required"
    Spec = RequiredSpec
    schema = {
        "properties": {
            "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                       "description": "Fields of the dataset that must be filled in (not empty, and for text not only blanks)."},
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
            examined_sql=scope,
            where=f"{scope} AND ({' OR '.join(tests)})",
            evidence={"missing": f"array_to_string(list_filter([{flagged}], lambda x: x IS NOT NULL), ', ')"},
        )
