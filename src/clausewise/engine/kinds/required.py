"""``required``: fields that must be filled in, within a scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model import Spec
from .base import EVIDENCE, Check, CompileContext, Kind


@dataclass(frozen=True, kw_only=True)
class RequiredSpec(Spec):
    fields: list[str] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)


def missing_sql(column: str, text: bool, unreadable: str | None = None) -> str:
    """TRUE when a value is missing.

    Loading already reads blank cells as NULL; a computed text column can
    still be empty, so text is also compared with ''. A value that is there
    but cannot be read (``unreadable``: its field's name, for a field of an
    export) is not missing: it is reported as an invalid value instead.
    """
    empty = f"({column} IS NULL OR {column} = '')" if text else f"{column} IS NULL"
    if unreadable is None:
        return empty
    return f"({empty} AND NOT coalesce(list_contains(__unread, {unreadable}), FALSE))"


class RequiredKind(Kind):
    """``required``: fields that must be filled in, within a scope.

    A field is missing when it is empty (NULL) or, for text, only blanks; a
    value that is there but cannot be read as its type is not missing (it is
    an ``invalid`` finding of its own). One finding per record in scope lists
    every missing field. ``when`` makes the
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
    per_period = True
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
        in_scope = set(ctx.reads)
        names = ctx.spec.fields
        columns = ctx.fields("fields")
        if scope is None or columns is None:
            return None
        # The rule asks whether each value is there, not what it is: an unreadable value leaves
        # the record judged (it is there), so these fields do not make a record unjudged.
        ctx.reads.difference_update(set(names) - in_scope)
        fields = ctx.dataset.fields
        text = [fields[n].type in ("string", "enum") for n in names]
        exported = ctx.dataset.exported
        tests = [missing_sql(c, t, ctx.literal(str(n)) if exported and not fields[n].derived else None)
                 for c, t, n in zip(columns, text, names)]
        flagged = ", ".join(f"CASE WHEN {t} THEN {ctx.literal(str(n))} END" for t, n in zip(tests, names))
        return Check(
            examined_sql=scope,
            where=f"{scope} AND ({' OR '.join(tests)})",
            evidence={"missing": "__missing"},
            # Named by the evidence and, usually, the message: computed once per finding.
            finding_columns={"__missing": f"array_to_string(list_filter([{flagged}], lambda x: x IS NOT NULL), ', ')"},
        )
