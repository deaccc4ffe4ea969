"""``allowed``: a field's value is in a set, in a range, or matches a pattern."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...model import Spec
from ..convert import shown
from .base import EVIDENCE, Check, CompileContext, Kind


@dataclass(frozen=True, kw_only=True)
class AllowedSpec(Spec):
    column: str = field(default="", metadata={"key": "field"})
    values: Any = None
    min: Any = None
    max: Any = None
    pattern: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)


class AllowedKind(Kind):
    """``allowed``: a field's value is in a set, in a range, or matches a pattern.

    ``values`` is a list, or a ``$list`` parameter; ``min`` and ``max`` bound
    numbers, dates or timestamps, both ends included (a literal or a
    parameter); ``pattern`` is a regular expression the whole value must match
    (RE2 syntax, linear time, so no pattern can stall an audit). A rule may
    combine them: the value must pass every test it names. Values are compared
    as written: ``Hotline`` is not ``hotline``.

    Empty values are not checked: pair with ``required`` when the field must be
    present.

    Evidence: ``value``.

    Example (OS-3.2.2: a satisfaction score lies on its scale)::

        - id: followup-satisfaction-scale
          clause: OS-3.2.2
          dataset: followups
          kind: allowed
          severity: medium
          field: satisfaction
          min: $satisfaction_scale_min
          max: $satisfaction_scale_max
          title: {en: Satisfaction score on its scale, zh: 满意度评分在量表范围内}
          message:
            en: "follow-up {key} should score satisfaction from {$satisfaction_scale_min}
              to {$satisfaction_scale_max}; found {value}"
            zh: "回访 {key} 的满意度应在 {$satisfaction_scale_min} 到 {$satisfaction_scale_max} 之间；实际为 {value}"
    """

    name = "allowed"
    per_period = True
    Spec = AllowedSpec
    schema = {
        "properties": {
            "field": {"type": "string", "description": "The field whose value is checked."},
            "values": {"oneOf": [{"type": "array", "minItems": 1}, {"type": "string", "pattern": "^\\$"}],
                       "description": "The allowed values: a list, or a $list parameter."},
            "min": {"type": ["number", "string"],
                    "description": "Lowest allowed value (included): a number, date, timestamp or $parameter."},
            "max": {"type": ["number", "string"],
                    "description": "Highest allowed value (included): a number, date, timestamp or $parameter."},
            "pattern": {"type": "string",
                        "description": "Regular expression (RE2) that the whole value, as text, must match."},
            "evidence": EVIDENCE,
        },
        "required": ["field"],
        "anyOf": [{"required": ["values"]}, {"required": ["min"]}, {"required": ["max"]}, {"required": ["pattern"]}],
    }

    def compile(self, ctx: CompileContext) -> Check | None:
        scope = ctx.scope_sql()
        column = ctx.field(ctx.spec.column, "field")
        if scope is None or column is None:
            return None
        tests = [_values(ctx, column), _bound(ctx, column, "min", ">="), _bound(ctx, column, "max", "<="),
                 _pattern(ctx, column)]
        if False in tests:
            return None
        ok = " AND ".join(t for t in tests if t) or "TRUE"
        return Check(
            examined_sql=scope,
            where=f"{scope} AND {column} IS NOT NULL AND NOT ({ok})",
            evidence={"value": shown(column, ctx.dataset.fields[ctx.spec.column].type)},
        )


def _values(ctx: CompileContext, column: str) -> str | bool | None:
    """The set test; None when there is no ``values``, False when it is wrong."""
    if ctx.spec.values is None:
        return None
    values = ctx.param_value(ctx.spec.values, "values", ("list",))
    if values is None:
        return False
    listed = ", ".join(ctx.literal(str(v)) for v in values) or "NULL"
    return f"CAST({column} AS VARCHAR) IN ({listed})"


def _bound(ctx: CompileContext, column: str, key: str, op: str) -> str | bool | None:
    if ctx.spec.get(key) is None:
        return None
    value = ctx.param_value(ctx.spec.get(key), key, ("number", "integer", "string"))
    if value is None:
        return False
    ftype = ctx.dataset.fields[ctx.spec.column].type
    cast = {"date": "DATE", "timestamp": "TIMESTAMPTZ"}.get(ftype)
    bound = f"CAST({ctx.literal(str(value))} AS {cast})" if cast else ctx.literal(value)
    return f"{column} {op} {bound}"


def _pattern(ctx: CompileContext, column: str) -> str | bool | None:
    if ctx.spec.pattern is None:
        return None
    try:
        re.compile(ctx.spec.pattern)
    except re.error as exc:
        ctx.error(f"pattern is not a valid regular expression: {exc}", "pattern")
        return False
    return f"regexp_full_match(CAST({column} AS VARCHAR), {ctx.literal(ctx.spec.pattern)})"
