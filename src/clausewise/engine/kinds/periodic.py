"""``periodic``: something that must happen at least every so often."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...model import Spec
from ..convert import shown
from ..goals import allowed_text, due_sql, is_day_counted, late_date_sql, parse_goal
from ..sqltext import ident
from ..unknown_due import by_field, messages, status_sql
from .base import EVIDENCE, Check, CompileContext, Kind


@dataclass(frozen=True, kw_only=True)
class PeriodicSpec(Spec):
    event: str = field(default="", metadata={"key": "field"})
    every: Any = None
    group_by: list[str] | None = None
    evidence: dict[str, str] = field(default_factory=dict)


class PeriodicKind(Kind):
    """``periodic``: something that must happen at least every so often.

    ``field`` is the time of each event (a date or timestamp field or expression);
    ``every`` is the longest allowed gap — a duration (``24h``, ``90 days``,
    ``12 months``, ``5 working days``) or a lookup ``{by: field, map: $param}``;
    days are counted as a deadline's are (``90 days`` after an event on
    1 March: by 24:00 of 30 May, so with a date ``field`` an event dated
    30 May is on time and one dated 31 May late; ``90 days elapsed``: 90 × 24
    hours);
    ``group_by`` lists the fields that make a series (one backup series per
    system, one review series per risk). Within each series, every gap between
    consecutive events, and the gap from the last event to the as-of time, must
    not exceed ``every`` (exactly ``every`` is on time). A gap is a finding on the
    event that opens it. An event whose ``by`` value is empty or has no time in
    the map cannot be judged: it is ``invalid`` at the rule's severity, with a
    message of its own, as in ``deadline``:
    ``E-7 cannot be judged: series "s9" has no time allowed in the goal's map``.
    Records whose ``field`` is empty are not events. A series with no events at
    all is not seen; pair with a ``reference`` or ``required`` rule when every
    group must have one.

    Evidence: ``previous`` (the event opening the gap), ``next`` (the next event,
    or the as-of time), ``due_at``, ``allowed``.

    Example (OS-3.2.5: at most 24 hours between two backups of a system)::

        - id: backup-interval
          clause: OS-3.2.5
          dataset: backups
          kind: periodic
          severity: high
          field: finished_at
          group_by: [system]
          every: $backup_max_gap
          title: {en: Every system backed up regularly, zh: 各系统定期备份}
          message:
            en: "system {system} should be backed up at least every {allowed}; after backup {key}
              finished at {previous}, the next came at {next}"
            zh: "系统 {system} 两次备份的间隔不应超过 {allowed}；备份 {key} 于 {previous} 完成后，下一次在 {next}"
    """

    name = "periodic"
    Spec = PeriodicSpec
    expressions = ("field",)
    timeline = ("__event", "__next", "__due")
    schema = {
        "properties": {
            "field": {"type": "string", "description": "Date or timestamp field or expression: when each event happened."},
            "every": {"oneOf": [{"type": "string"}, {
                "type": "object",
                "properties": {"by": {"type": "string"}, "map": {"type": "string"}},
                "required": ["by", "map"],
                "additionalProperties": False,
            }], "description": "The longest allowed gap: a duration or $parameter, or {by: field, map: $map}."},
            "group_by": {"type": "array", "items": {"type": "string"},
                         "description": "Fields that make one series of events (one per system, per risk …)."},
            "evidence": EVIDENCE,
        },
        "required": ["field", "every"],
    }

    def compile(self, ctx: CompileContext) -> Check | None:
        scope = ctx.scope_sql()
        event = ctx.condition("field", boolean=False)
        groups = ctx.fields("group_by")
        goal = parse_goal(ctx, "every")
        if scope is None or event is None or goal is None or groups is None:
            return None
        partition = f"PARTITION BY {', '.join(groups)} " if groups else ""
        series = (
            f"SELECT *, CAST({event} AS TIMESTAMPTZ) AS __event, "
            f"lead(CAST({event} AS TIMESTAMPTZ)) OVER ({partition}ORDER BY CAST({event} AS TIMESTAMPTZ)) AS __following "
            f"FROM {ident(ctx.dataset.name)} WHERE {scope} AND ({event}) IS NOT NULL"
        )
        calendar = ctx.calendar.layer("__cw0_") if ctx.calendar is not None else None
        due = due_sql(goal, "__event", calendar, {})
        # Events that are dates, with a gap counted in days: the next one is late only on a later day.
        field = ctx.dataset.fields.get(ctx.spec.event)
        by_day = (f" OR (__following IS NOT NULL AND {is_day_counted(goal)} AND {late_date_sql('__following', '__due')})"
                  if field is not None and field.type == "date" else "")
        source = calendar.over(series) if calendar is not None else series
        timed = f"SELECT *, coalesce(__following, {ctx.as_of_sql}) AS __next, {due} AS __due FROM ({source})"
        status = status_sql("__due", "'violation'")  # no time in the map for its value: cannot be judged
        by = by_field(ctx.spec.every)
        return Check(
            examined_sql=f"{scope} AND ({event}) IS NOT NULL",
            source=f"({timed}) AS {ident(ctx.dataset.name)}",
            where=f"(__due IS NULL OR __next > __due{by_day})",
            status=status,
            messages=messages(ctx.key_sql(), status, by=(by, ident(by)) if by else None),
            due_at="__due",
            evidence={"previous": shown("__event", "timestamp"), "next": shown("__next", "timestamp"),
                      "due_at": shown("__due", "timestamp"), "allowed": allowed_text(goal)},
        )
