"""``allowed``: a field's value is in a set, in a range, or matches a pattern."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ...i18n import NC_, msg
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
    parameter), and must read as the field's type (``2026-10-01`` for a date,
    ``2026-10-01 09:00`` for a timestamp, in the policy's timezone unless it
    has an offset; a number does not bound a text field, and ``min`` may not
    be above ``max``), or ``validate`` names them where they are written;
    ``pattern`` is a regular expression the whole value must match
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
        tests = [_values(ctx, column), *_range(ctx, column), _pattern(ctx, column)]
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


# A bound of ``min`` or ``max`` on a date or timestamp field: ISO 8601 as DuckDB reads it (not Python's other forms,
# 20261001 or 2026-W40-1), then checked as a calendar date and time by Python.
_DATE = r"\d{4}-\d{2}-\d{2}"
_ISO = {"date": re.compile(_DATE), "timestamp": re.compile(
    _DATE + r"(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?")}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _range(ctx: CompileContext, column: str) -> tuple[str | bool | None, str | bool | None]:
    """The tests of ``min`` and ``max`` (:func:`_bound`); a ``min`` above the ``max`` is an error at ``min``: no
    value could pass, and every record would be a violation."""
    low, high = _bound(ctx, column, "min", ">="), _bound(ctx, column, "max", "<=")
    if isinstance(low, tuple) and isinstance(high, tuple):
        try:
            above = low[1] > high[1]
        except TypeError:  # a timestamp with an offset and one without: DuckDB compares the instants
            above = False
        if above:
            ctx.error(msg("min {low} is above max {high}: no value can lie between them", low=ctx.spec.get("min"),
                          high=ctx.spec.get("max")), "min")
            return False, False
    return tuple(b[0] if isinstance(b, tuple) else b for b in (low, high))


def _bound(ctx: CompileContext, column: str, key: str, op: str) -> tuple[str, Any] | bool | None:
    """(SQL bounding the field by ``min`` (``op`` >=) or ``max`` (<=), the bound as Python compares it), for a value
    or a parameter's; None when not given, False after a problem.

    The bound must read as the field's type — a date, a timestamp (naive: the policy's wall-clock time), a
    number — or it is an error at load where the value is written (a parameter's value in the policy), rather
    than DuckDB's cast error when the audit runs. A number is written into the SQL as a number. A number does
    not bound a text field (text is compared letter by letter, "10" before "9").
    """
    written = ctx.spec.get(key)
    if written is None:
        return None
    value = ctx.param_value(written, key, ("number", "integer", "string"))
    if value is None:
        return False
    ftype = ctx.dataset.fields[ctx.spec.column].type
    text = str(value).strip()
    if ftype in ("date", "timestamp"):
        reader = date.fromisoformat if ftype == "date" else datetime.fromisoformat
        parsed = _read(reader, text) if _ISO[ftype].fullmatch(text) else None
        if parsed is None:
            kind, example = (NC_("bound", "date"), "2026-10-01") if ftype == "date" else (
                NC_("bound", "timestamp"), "2026-10-01 09:00")
            return _not_a(ctx, key, written, value, kind, example)
        return f"{column} {op} CAST({ctx.literal(text)} AS {'DATE' if ftype == 'date' else 'TIMESTAMPTZ'})", parsed
    if ftype in ("integer", "number"):
        if not isinstance(value, (int, float)):
            if not _NUMBER.fullmatch(text):
                return _not_a(ctx, key, written, value, NC_("bound", "number"), "5")
            value = float(text)
        return f"{column} {op} {ctx.literal(value)}", value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        ctx.value_error(msg('{value} is a number, but field "{name}" is text, compared letter by letter ("10" comes '
                            'before "9"); declare the field a number, or write the bound as text in quotes',
                            value=value, name=ctx.spec.column), key, written)
        return False
    return f"{column} {op} {ctx.literal(str(value))}", str(value)


def _read(reader, text: str):
    """``reader(text)``, or None when it does not read."""
    try:
        return reader(text)
    except ValueError:
        return None


def _not_a(ctx: CompileContext, key: str, written: Any, value: Any, kind, example: str) -> bool:
    ctx.value_error(msg('"{value}" is not a {kind}, as field "{name}" is; write e.g. {example}',
                        value=value, kind=kind, name=ctx.spec.column, example=example), key, written)
    return False


def _pattern(ctx: CompileContext, column: str) -> str | bool | None:
    if ctx.spec.pattern is None:
        return None
    try:
        re.compile(ctx.spec.pattern)
    except re.error as exc:
        ctx.error(msg("pattern is not a valid regular expression: {exc}", exc=exc), "pattern")
        return False
    return f"regexp_full_match(CAST({column} AS VARCHAR), {ctx.literal(ctx.spec.pattern)})"
