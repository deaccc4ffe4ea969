"""``deadline``: a clock that starts, may pause, stops, and must stop in time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...i18n import msg
from ...model import Spec
from ..calendar import CalendarSQL
from ..convert import shown
from ..goals import Goal, allowed_text, due_sql, is_day_counted, is_working, late_date_sql, parse_goal, warning_sql
from ..sqltext import ident
from ..unknown_due import by_field, messages
from .base import EVIDENCE, Check, CompileContext, Kind, span_text

START, STOP, END = "__start", "__stop", "__end"
ELAPSED = "__elapsed"
# The paused seconds, wall-clock and working, as columns.
PAUSED = {"calendar": "__paused", "working": "__paused_working"}
_DURATION = {"type": "string"}


@dataclass(frozen=True, kw_only=True)
class DeadlineSpec(Spec):
    start: str = ""
    stop: str = ""
    pauses: list[list[str]] = field(default_factory=list)
    goal: Any = None
    due: str | None = None
    warn_at: Any = 0.8
    evidence: dict[str, str] = field(default_factory=dict)


class DeadlineKind(Kind):
    """``deadline``: a clock that starts, may pause, stops, and must stop in time.

    ``start`` is when the clock starts (a timestamp field or expression);
    ``stop`` is when it stops (a field; empty means the item is still open).
    ``pauses`` lists pairs ``[from_field, to_field]`` between which the clock
    stands still, such as waiting for the customer's correction (a pause with no
    end lasts until the clock stops, or until the as-of time). Pauses that
    overlap stop the clock once: the paused time is their union. The goal is one of:

    - ``goal: $param`` or ``goal: 24h`` — a duration: ``30m``, ``24h``,
      ``4 working hours`` (elapsed time), ``7 days``, ``3 working days`` (counted
      as days: due at 24:00 of the 7th day after the start's date, or at the
      close of business of the 3rd working day after it; the start's day is
      never counted), ``3 working days elapsed`` (27 working hours on a 9-hour
      day), ``12 months``;
    - ``goal: {by: priority, map: $resolution_deadline}`` — the duration looked
      up by the field's value;
    - ``due: target_dt`` — a due time already in the data; a due *date* means
      the end of that day (the next midnight), so anything on the date is on time.

    A record whose due time cannot be known — its ``due`` field is empty, or
    its ``by`` value has no duration in the goal's map — cannot be judged: it is
    neither late nor on time. It is reported as such, with status ``invalid``
    at the rule's severity and no ``due_at``, and with a message of its own
    in place of the rule's, such as
    ``Q-7 cannot be judged: the due time "due_by" is empty``
    (``Q-7 无法判断：截止时间 "due_by" 为空``) or
    ``Q-7 cannot be judged: priority "P9" has no time allowed in the goal's map``.
    It is never a warning.

    A stopped item is a violation when it stopped after its due time; an open item
    is a violation when the as-of time is past its due time, and a ``warning``
    when ``warn_at`` (default 0.8, or a number parameter) of its allowed time
    has elapsed. Exactly at the due time is on time. A stopped item is never a
    warning. Records with no start are not examined.

    Paused time moves the due time later, counted in the goal's own basis
    (working time for working goals, also those counted in days; wall-clock
    time otherwise). With a goal counted in days, a ``stop`` that is a date is
    late only when that day is after the period's last day. How
    working time, days, pauses and the as-of time are counted, with worked
    examples: docs/time.md.

    Evidence: ``start``, ``stop``, ``due_at``, ``elapsed`` (an interval, or
    working hours for working goals), ``allowed`` (the goal as written);
    findings carry ``due_at``.

    Example (OS-3.1.3: review within 3 working days of assignment, not counting
    the wait for the customer's correction)::

        - id: application-review-deadline
          clause: OS-3.1.3
          dataset: applications
          kind: deadline
          severity: high
          start: assigned_at
          stop: reviewed_at
          pauses: [[correction_notified_at, correction_received_at]]
          goal: $review_deadline
          warn_at: $deadline_warn_fraction
          title: {en: Reviewed within the deadline after assignment, zh: 分配后按时审核}
          message:
            en: "application {key} assigned at {start} is due its review within {allowed}
              (not counting time waiting for the customer; by {due_at}); reviewed: {stop},
              elapsed {elapsed}"
            zh: "申请 {key} 于 {start} 分配，应在 {allowed} 内（等待客户补正的时间不计，{due_at} 前）审核；审核时间：{stop}，已用时 {elapsed}"
    """

    name = "deadline"
    Spec = DeadlineSpec
    expressions = ("start",)
    timeline = ("__start", "__stop", "__due", "__warn", "__end")
    schema = {
        "properties": {
            "start": {"type": "string", "description": "Timestamp field or expression at which the clock starts."},
            "stop": {"type": "string", "description": "Date or timestamp field at which the clock stops; empty = still open."},
            "pauses": {"type": "array", "items": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
                       "description": "Pairs [from_field, to_field] of timestamps between which the clock stands still."},
            "goal": {"oneOf": [_DURATION, {
                "type": "object",
                "properties": {"by": {"type": "string"}, "map": {"type": "string"}},
                "required": ["by", "map"],
                "additionalProperties": False,
            }], "description": "The time allowed: a duration or $parameter, or {by: field, map: $map} to look it up."},
            "due": {"type": "string", "description": "A date or timestamp field holding the due time (a date: by the end of that day)."},
            "warn_at": {"type": ["number", "string"], "default": 0.8,
                        "description": "Fraction of the allowed time at which an open item is a warning; a number or $parameter."},
            "evidence": EVIDENCE,
        },
        "required": ["start", "stop"],
        "oneOf": [{"required": ["goal"]}, {"required": ["due"]}],
    }

    def compile(self, ctx: CompileContext) -> Check | None:
        scope = ctx.scope_sql()
        start = ctx.condition("start", boolean=False)
        stop = ctx.field(ctx.spec.stop, "stop", types=("timestamp", "date"))
        pauses = _pauses(ctx)
        warn = warn_fraction(ctx)
        # The goal is read even when something else is wrong, so that every mistake is reported at once.
        timing = _timing(ctx, pauses or [], 1.0 if warn is None else warn)
        if None in (scope, start, stop, pauses, warn, timing):
            return None
        as_of = ctx.as_of_sql
        inner = (
            f"SELECT *, CAST({start} AS TIMESTAMPTZ) AS {START}, CAST({stop} AS TIMESTAMPTZ) AS {STOP}, "
            f"CAST(coalesce({stop}, {as_of}) AS TIMESTAMPTZ) AS {END} "
            f"FROM {ident(ctx.dataset.name)} WHERE {scope} AND ({start}) IS NOT NULL"
        )
        # One layer per value that the next one reads, so that each is worked out once per record: the paused
        # time, the due time, the warning time (from the due time), the status; the elapsed time for findings only.
        timed = inner
        for columns, calendar in timing.layers:
            source = calendar.over(timed) if calendar is not None else timed
            timed = f"SELECT *, {', '.join(f'{sql} AS {ident(name)}' for name, sql in columns.items())} FROM ({source})"
        by_day = timing.by_day if ctx.dataset.fields[ctx.spec.stop].type == "date" else "FALSE"
        source = f"(SELECT *, {status_sql(as_of, by_day)} AS __status FROM ({timed})) AS {ident(ctx.dataset.name)}"
        return Check(
            examined_sql=f"{scope} AND ({start}) IS NOT NULL",
            source=source,
            where="__status IS NOT NULL",
            status="__status",
            due_at="__due",
            evidence={"start": shown(START, "timestamp"), "stop": shown(STOP, "timestamp"),
                      "due_at": shown("__due", "timestamp"), "elapsed": ELAPSED, "allowed": timing.allowed},
            finding_columns={ELAPSED: timing.elapsed},
            finding_calendar=timing.calendar,
            messages=_unknown_due_messages(ctx),
        )


def status_sql(as_of: str, by_day: str = "FALSE") -> str:
    """Violation when stopped late or open past due; warning when open past the warning time.

    A record with no due time (an empty ``due`` field, a ``by`` value with no
    time in the goal's map) cannot be judged: ``invalid`` (see ``unknown_due``).
    ``by_day`` is SQL, TRUE where the stop is a date and the goal counted in
    days: a stop that says on which day, not when, is then late only when
    that day is after the period's last day (a due time at 00:00 belonging to
    the day it ends, 24:00), so that a period ending at 24:00 of 31 October
    is met by a stop dated 31 October and missed by one dated 1 November.
    """
    late = f"CASE WHEN {by_day} THEN {late_date_sql(STOP, '__due')} ELSE {STOP} > __due END"
    return (
        f"CASE WHEN __due IS NULL THEN 'invalid' "
        f"WHEN {STOP} IS NOT NULL THEN CASE WHEN {late} THEN 'violation' END "
        f"WHEN {as_of} > __due THEN 'violation' "
        f"WHEN {as_of} >= __warn THEN 'warning' END"
    )


def _unknown_due_messages(ctx: CompileContext) -> dict[str, str]:
    """The message of a record with no due time, in place of the rule's (``unknown_due.messages``)."""
    by = by_field(ctx.spec.goal) if ctx.spec.due is None else None
    return messages(ctx.key_sql(), "__status", ctx.spec.due, (by, ident(by)) if by else None)


def warn_fraction(ctx: CompileContext) -> float | None:
    """``warn_at`` as a number in (0, 1]; None after reporting a wrong one where it is written (a parameter's value)."""
    value = ctx.param_value(ctx.spec.warn_at, "warn_at", ("number",))
    if value is None:
        return None
    if not 0 < float(value) <= 1:
        ctx.value_error(msg("warn_at must be a fraction above 0 and at most 1, not {value}", value=value), "warn_at",
                        ctx.spec.warn_at)
        return None
    return float(value)


def _pauses(ctx: CompileContext) -> list[tuple[str, str]] | None:
    pairs = []
    for pair in ctx.spec.pauses or []:
        cols = [ctx.field(name, "pauses", types=("timestamp", "date")) for name in pair]
        if None in cols:
            return None
        pairs.append((cols[0], cols[1]))
    return pairs


def _paused(pauses: list[tuple[str, str]], calendar: CalendarSQL | None) -> dict[str, str]:
    """SQL for the paused seconds between start and end: wall-clock, and working time on ``calendar`` if given.

    The paused time is the union of the pauses, each cut to [start, end]:
    time inside two overlapping pauses is paused once. Ordered by their
    start (ties by their place in ``pauses``), each pause adds only the part
    after the latest end among the pauses before it — a fixed expression of
    the k pauses (k² comparisons per record, k is the rule's few pairs), so it
    stays one set-based query. A pause whose ``from`` is empty is no pause.
    No pauses: ``{}``.
    """
    clipped = [
        (f"CASE WHEN {a} IS NOT NULL THEN greatest(CAST({a} AS TIMESTAMPTZ), {START}) END",
         f"CASE WHEN {a} IS NOT NULL THEN least(CAST(coalesce({b}, {END}) AS TIMESTAMPTZ), {END}) END")
        for a, b in pauses
    ]
    parts = []
    for i, (lo, hi) in enumerate(clipped):
        # The latest end among the pauses that come before this one.
        before = [
            f"CASE WHEN {lo_j} {'<=' if j < i else '<'} {lo} THEN {hi_j} END"
            for j, (lo_j, hi_j) in enumerate(clipped) if j != i
        ]
        begin = f"greatest({lo}, {', '.join(before)})" if before else lo
        parts.append((begin, hi))
    if not parts:
        return {}
    wall = " + ".join(f"coalesce(CASE WHEN {hi} > {lo} THEN epoch({hi}) - epoch({lo}) END, 0)" for lo, hi in parts)
    paused = {"calendar": f"({wall})"}
    if calendar is not None:
        paused["working"] = "(" + " + ".join(
            f"coalesce({calendar.working_seconds(lo, hi)}, 0)" for lo, hi in parts
        ) + ")"
    return paused


@dataclass(frozen=True)
class _Timing:
    """A deadline's computed columns, in layers (each may read the ones before), and its words.

    ``layers``: column name → SQL, over the inner columns (``__start``,
    ``__stop``, ``__end``), each with the calendar layer whose lookups it
    reads (``CalendarSQL.layer``) or None; ``elapsed``: the elapsed time as people read it,
    computed for the findings only, with ``calendar`` the layer it reads;
    ``allowed``: the goal as written; ``by_day``: SQL, TRUE where the goal counts days.
    """

    layers: tuple[tuple[dict[str, str], CalendarSQL | None], ...]
    elapsed: str
    allowed: str
    by_day: str
    calendar: CalendarSQL | None = None


def _timing(ctx: CompileContext, pauses, warn: float) -> _Timing | None:
    """The due time (``__due``), the warning time (``__warn``) and what the findings say of them."""
    if ctx.spec.due is not None:
        due = ctx.field(ctx.spec.due, "due", types=("timestamp", "date"))
        if due is None:
            return None
        end_of_day = ctx.dataset.fields[ctx.spec.due].type == "date"
        due = f"(CAST({due} AS TIMESTAMPTZ) + INTERVAL 1 DAY)" if end_of_day else f"CAST({due} AS TIMESTAMPTZ)"
        warning = (f"make_timestamptz(epoch_us({START}) + CAST((epoch_us(__due) - epoch_us({START})) * {warn} "
                   f"AS BIGINT))")
        return _Timing((({"__due": due}, None), ({"__warn": warning}, None)), span_text(START, END),
                       span_text(START, "__due"), "FALSE")
    goal = parse_goal(ctx, "goal")
    if goal is None:
        return None

    def layer(n: int) -> CalendarSQL | None:
        return ctx.calendar.layer(f"__cw{n}_") if ctx.calendar is not None else None

    pausing = layer(0) if goal.working else None
    paused = _paused(pauses, pausing)
    layers = []
    if paused:
        layers.append(({PAUSED[basis]: sql for basis, sql in paused.items()}, pausing))
        paused = {basis: PAUSED[basis] for basis in paused}
    due, warning = layer(1), layer(2)
    layers += [({"__due": due_sql(goal, START, due, paused)}, due),
               ({"__warn": warning_sql(goal, START, "__due", warning, paused, warn)}, warning)]
    findings = layer(3) if goal.working else None
    return _Timing(tuple(layers), elapsed_sql(goal, START, END, paused, findings), allowed_text(goal),
                   is_day_counted(goal), findings)


def elapsed_sql(goal: Goal, start: str, end: str, paused: dict[str, str], calendar: CalendarSQL | None) -> str:
    """Elapsed time as people read it: an interval, or working hours for working goals (on ``calendar``)."""
    wall = span_text(start, end, paused.get("calendar", "0"))
    if not goal.working:
        return wall
    working = f"({calendar.working_seconds(start, end)} - {paused.get('working', '0')})"
    # A DOUBLE, as DuckDB's "/" makes it ("26.0 working hours"); Spark divides a DECIMAL into a DECIMAL ("26.00").
    hours = f"CAST(round(CAST({working} AS DOUBLE) / 3600, 2) AS VARCHAR) || ' working hours'"
    return f"CASE WHEN {is_working(goal)} THEN {hours} ELSE {wall} END"
