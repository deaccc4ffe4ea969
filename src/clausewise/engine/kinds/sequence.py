"""``sequence``: timestamps that must come in order, skipping the empty ones.

Each non-empty field must be at or after the last non-empty field before it in
the list (``strict: true`` demands strictly after). The first pair out of
order is named in the evidence.

Example (OS-3.1.2: an application is checked, then entered, then assigned)::

    - id: application-steps-in-order
      kind: sequence
      fields: [submitted_at, precheck_at, entered_at, assigned_at, reviewed_at, completed_at]
"""

from __future__ import annotations

from .base import Check, CompileContext

SCHEMA = {
    "properties": {
        "fields": {"type": "array", "items": {"type": "string"}, "minItems": 2},
        "strict": {"type": "boolean"},
        "evidence": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["fields"],
}


def compile(ctx: CompileContext) -> Check | None:
    scope = ctx.scope_sql()
    names = ctx.body["fields"]
    columns = ctx.fields("fields", types=("date", "timestamp"))
    if len(columns) != len(names):
        return None
    op = "<=" if ctx.body.get("strict") else "<"
    breaks = []  # (condition, earlier-name expression, later name)
    for i in range(1, len(columns)):
        previous = ", ".join(reversed(columns[:i]))
        earlier = f"coalesce({previous})" if i > 1 else columns[0]
        which = " ".join(
            f"WHEN {c} IS NOT NULL THEN {ctx.literal(n)}" for c, n in zip(reversed(columns[:i]), reversed(names[:i]))
        )
        breaks.append((f"{columns[i]} {op} {earlier}", f"CASE {which} END", names[i]))
    out_of_order = " OR ".join(f"({cond}) IS TRUE" for cond, _, _ in breaks)
    first = " ".join(
        f"WHEN ({cond}) IS TRUE THEN {name_sql} || ' > ' || {ctx.literal(later)}" for cond, name_sql, later in breaks
    )
    return Check(
        examined=scope,
        where=f"{scope} AND ({out_of_order})",
        evidence={"out_of_order": f"CASE {first} END"},
    )
