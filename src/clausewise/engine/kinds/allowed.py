"""``allowed``: a field's value is in a set, in a range, or matches a pattern.

Empty values are not checked (pair with ``required`` when the field must be
present). ``values`` may be a list or a ``$list`` parameter; ``min``/``max``
bound numbers, dates or timestamps (inclusive); ``pattern`` is a regular
expression the whole value must match (RE2 syntax, linear time).

Example (OS-3.2.1: every record carries an allowed source channel)::

    - id: inquiry-source-allowed
      kind: allowed
      field: source
      values: $data_sources
"""

from __future__ import annotations

import re

from .base import Check, CompileContext

SCHEMA = {
    "properties": {
        "field": {"type": "string"},
        "values": {"oneOf": [{"type": "array", "minItems": 1}, {"type": "string", "pattern": "^\\$"}]},
        "min": {"type": ["number", "string"]},
        "max": {"type": ["number", "string"]},
        "pattern": {"type": "string"},
        "evidence": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["field"],
    "anyOf": [{"required": ["values"]}, {"required": ["min"]}, {"required": ["max"]}, {"required": ["pattern"]}],
}


def compile(ctx: CompileContext) -> Check | None:
    scope = ctx.scope_sql()
    column = ctx.field(ctx.body["field"], "field")
    if column is None:
        return None
    tests = [t for t in (_values(ctx, column), _bound(ctx, column, "min", ">="),
                         _bound(ctx, column, "max", "<="), _pattern(ctx, column)) if t]
    ok = " AND ".join(tests) or "TRUE"
    return Check(
        examined=scope,
        where=f"{scope} AND {column} IS NOT NULL AND NOT ({ok})",
        evidence={"value": column},
    )


def _values(ctx: CompileContext, column: str) -> str | None:
    if "values" not in ctx.body:
        return None
    values = ctx.param_value(ctx.body["values"], "values", ("list",)) or []
    listed = ", ".join(ctx.literal(str(v)) for v in values) or "NULL"
    return f"CAST({column} AS VARCHAR) IN ({listed})"


def _bound(ctx: CompileContext, column: str, key: str, op: str) -> str | None:
    if key not in ctx.body:
        return None
    value = ctx.param_value(ctx.body[key], key, ("number", "integer", "string"))
    ftype = ctx.dataset.fields[ctx.body["field"]].type
    cast = {"date": "DATE", "timestamp": "TIMESTAMP"}.get(ftype)
    bound = f"CAST({ctx.literal(str(value))} AS {cast})" if cast else ctx.literal(value)
    return f"{column} {op} {bound}"


def _pattern(ctx: CompileContext, column: str) -> str | None:
    if "pattern" not in ctx.body:
        return None
    pattern = ctx.body["pattern"]
    try:
        re.compile(pattern)
    except re.error as exc:
        ctx.error(f"pattern is not a valid regular expression: {exc}", "pattern")
        return None
    return f"regexp_full_match(CAST({column} AS VARCHAR), {ctx.literal(pattern)})"
