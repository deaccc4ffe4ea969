"""``required``: fields that must be filled in, within a scope.

A field is missing when it is empty (NULL) or, for text, only blanks. One
finding per record lists every missing field.

Example (OS-3.3.3: a resolved problem records owner, root cause and plan)::

    - id: problem-resolution-recorded
      kind: required
      when: resolved_at IS NOT NULL
      fields: [owner_id, root_cause, solution_plan]
"""

from __future__ import annotations

from .base import Check, CompileContext

SCHEMA = {
    "properties": {
        "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                   "description": "Fields that must be present and not blank."},
        "evidence": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["fields"],
}


def missing_sql(column: str, text: bool) -> str:
    """TRUE when a value is missing.

    Loading already reads blank cells as NULL; a computed text column can
    still be empty, so text is also compared with ''.
    """
    return f"({column} IS NULL OR {column} = '')" if text else f"{column} IS NULL"


def compile(ctx: CompileContext) -> Check | None:
    scope = ctx.scope_sql()
    names = ctx.body["fields"]
    columns = ctx.fields("fields")
    if len(columns) != len(names):
        return None
    text = [ctx.dataset.fields[n].type in ("string", "enum") for n in names]
    tests = [missing_sql(c, t) for c, t in zip(columns, text)]
    flagged = ", ".join(f"CASE WHEN {t} THEN {ctx.literal(str(n))} END" for t, n in zip(tests, names))
    return Check(
        examined=scope,
        where=f"{scope} AND ({' OR '.join(tests)})",
        evidence={"missing": f"array_to_string(list_filter([{flagged}], lambda x: x IS NOT NULL), ', ')"},
    )
