"""``aggregate``: a metric per group and/or calendar period, against a threshold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...model import Spec
from .. import periods
from ..sqltext import ident, string
from .base import Check, CompileContext, Kind

UNITS = periods.UNITS
# The comparison operators a rule may name (the schema's enum), as SQL.
OPS = {">=": ">=", ">": ">", "<=": "<=", "<": "<", "=": "=", "!=": "<>"}


@dataclass(frozen=True, kw_only=True)
class AggregateSpec(Spec):
    metric: str = ""
    op: str = ">="
    threshold: Any = None
    group_by: list[str] | None = None
    period: dict[str, str] | None = None


class AggregateKind(Kind):
    """``aggregate``: a metric per group and/or calendar period, against a threshold.

    ``metric`` is a SQL expression with aggregate functions (``count``, ``count_if``,
    ``sum``, ``avg``, ``min``, ``max``, ``median``, ``bool_and``, ``bool_or``,
    ``stddev`` …) over the records in scope; ``op`` and ``threshold`` state what it
    must satisfy. ``group_by`` lists fields: one metric per combination of their
    values, for the combinations that have records in scope. ``period`` groups by
    the ``day``, ``week``, ``month``, ``quarter`` or ``year`` of a date or timestamp
    field. Without either, the metric is computed once, over every record in
    scope. A group whose metric is unknown (NULL, e.g. a ratio over no records)
    is a finding.

    With a ``period``, every period that lies inside the audit period and has
    ended by the as-of time is checked, for every group, including periods with
    no records at all, for which the metric is what it gives over nothing:
    ``count(*)`` is 0, so "at least 2 meetings a month" fails for a month with
    none; a ratio is unknown, and so a finding. A period outside the audit
    period is never judged (an October export does not say what happened in
    September); one inside it that has not ended at the as-of time is "not
    judged yet", and the run's statistics list it (docs/time.md).

    Findings carry the group instead of a key: its fields and ``period``, written
    ``2026-10``, ``2026-Q4``, ``2026-W41`` (ISO weeks, from Monday) or ``2026``.
    Message templates may use the group fields, ``{period}`` and ``{group}`` (all
    of them in one text).

    Evidence: ``metric`` (rounded to 4 places), ``threshold``, ``records``.

    Example (OS-3.1.5: at least 90 % of the visits each month are satisfied)::

        - id: satisfaction-rate
          clause: OS-3.1.5
          dataset: followups
          kind: aggregate
          severity: high
          when: satisfaction IS NOT NULL
          period: {field: visited_at, unit: month}
          metric: count_if(satisfaction >= $satisfied_min_score) / count(*)
          op: ">="
          threshold: $satisfaction_target
          title: {en: Monthly satisfaction rate, zh: 月度回访满意率}
          message:
            en: "{period}: the share of visits scoring {$satisfied_min_score} or more should be
              at least {threshold}; it is {metric} of {records} visits"
            zh: "{period} 满意（{$satisfied_min_score} 分及以上）回访占比应不低于 {threshold}；实际为 {metric}（共 {records} 次回访）"
    """

    name = "aggregate"
    Spec = AggregateSpec
    grouped = True
    schema = {
        "properties": {
            "metric": {"type": "string", "minLength": 1,
                       "description": "SQL expression with aggregate functions over the records in scope of each group."},
            "op": {"enum": list(OPS), "description": "How the metric must compare with the threshold."},
            "threshold": {"type": ["number", "string"], "description": "A number, or a number $parameter."},
            "group_by": {"type": "array", "items": {"type": "string"},
                         "description": "Fields: one metric per combination of their values."},
            "period": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "description": "Date or timestamp field that places a record in a period."},
                    "unit": {"enum": list(UNITS), "description": "The calendar period."},
                },
                "required": ["field", "unit"],
                "additionalProperties": False,
                "description": "One metric per calendar period of a date or timestamp field, empty periods included.",
            },
        },
        "required": ["metric", "op", "threshold"],
    }

    def compile(self, ctx: CompileContext) -> Check | None:
        scope = ctx.scope_sql()
        metric = ctx.condition("metric", aggregates=True, boolean=False)
        threshold = ctx.param_value(ctx.spec.threshold, "threshold", ("number", "integer"))
        groups = ctx.fields("group_by")
        period = _period(ctx)
        if scope is None or metric is None or threshold is None or groups is None or period is False:
            return None
        keys = groups + (["__period"] if period else [])
        source = _source(ctx, scope, metric, groups, period)
        group_json = _group_json(groups, period)
        names = dict(zip(ctx.spec.group_by or [], groups))
        if period:
            names["period"] = _label(period[1])
        labels = [f"{ctx.literal(n + '=')} || CAST({c} AS VARCHAR)" for n, c in names.items()]
        names["group"] = " || ', ' || ".join(labels) if labels else "'all records'"
        verdict = f"(__metric {OPS[ctx.spec.op]} {ctx.literal(threshold)})"
        return Check(
            examined_sql=scope,
            source=source,
            where=f"{verdict} IS NOT TRUE",
            evidence={"metric": "round(__metric, 4)", "threshold": ctx.literal(threshold), "records": "__records"},
            key="NULL",
            row="NULL",
            group=group_json if keys else "NULL",
            names=names,
        )


def _period(ctx: CompileContext):
    """(column, unit); None without a period; False when it is wrong."""
    spec = ctx.spec.period
    if not spec:
        return None
    column = ctx.field(spec["field"], "period", types=("date", "timestamp"))
    return (column, spec["unit"]) if column else False


def _source(ctx: CompileContext, scope: str, metric: str, groups: list[str], period) -> str:
    table = ident(ctx.dataset.name)
    trunc = f"date_trunc({string(period[1])}, {period[0]})" if period else None
    cols = groups + ([f"{trunc} AS __period"] if period else [])
    names = groups + (["__period"] if period else [])
    grouped = f"SELECT {', '.join(cols + [f'{metric} AS __metric', 'count(*) AS __records'])} FROM {table} WHERE {scope}"
    if names:
        grouped += f" GROUP BY {', '.join(names)}"
    if not period:
        return f"({grouped}) AS __agg"
    judged = f"SELECT unnest({periods.judged_sql(period[1])}) AS __period"
    distinct = f"SELECT DISTINCT {', '.join(groups)} FROM {table} WHERE {scope}" if groups else "SELECT 1 AS __all"
    frame = f"SELECT * FROM ({distinct}) AS __g CROSS JOIN ({judged}) AS __p"
    empty = f"(SELECT {metric} FROM {table} WHERE FALSE)"
    using = ", ".join(names)
    return (
        f"(SELECT __frame.*, CASE WHEN __a.__records IS NULL THEN {empty} ELSE __a.__metric END AS __metric, "
        f"coalesce(__a.__records, 0) AS __records FROM ({frame}) AS __frame "
        f"LEFT JOIN ({grouped}) AS __a USING ({using})) AS __agg"
    )


def _label(unit: str) -> str:
    """The period as people write it: 2026-10, 2026-Q4, 2026-W41, 2026."""
    return periods.label_sql(unit, "__period")


def _group_json(groups: list[str], period) -> str:
    parts = [f"{g} := {g}" for g in groups]
    if period:
        parts.append(f"period := {_label(period[1])}")
    return f"CAST(to_json(struct_pack({', '.join(parts)})) AS VARCHAR)" if parts else "NULL"
