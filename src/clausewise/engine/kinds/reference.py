"""``reference``: each record in scope has a matching record in another dataset."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...errors import did_you_mean
from ...i18n import msg
from ...model import Spec
from ..convert import shown
from ..sqltext import ident
from .base import EVIDENCE, Check, CompileContext, Kind, Related

TARGET = "__target"


@dataclass(frozen=True, kw_only=True)
class ReferenceSpec(Spec):
    target: str = ""
    on: dict[str, str] = field(default_factory=dict)
    target_when: str | None = None
    window: dict[str, str] | None = None
    evidence: dict[str, str] = field(default_factory=dict)


class ReferenceKind(Kind):
    """``reference``: each record in scope has a matching record in another dataset.

    ``target`` names the other dataset (it may be the rule's own). ``on`` pairs
    this dataset's fields with the target's, one or more pairs, all of which
    must match (``{application_id: application_id}``). ``target_when`` is a
    condition on the target's fields: only the target records for which it is
    true count. ``window`` adds a time limit: the target's ``field`` must fall
    between this record's ``from`` and ``from`` plus ``within`` (a calendar
    duration, such as ``168h`` or ``7 days elapsed``, or a duration
    parameter), both ends included. A window is elapsed time: ``7 days``
    here is 7 × 24 hours from ``from``, not counted as days as a deadline's
    goal is (write ``7 days elapsed`` to say so). A window still open at the
    as-of time is not judged yet: a record with no match in it is a finding
    only once the window has closed (``from`` plus ``within`` at or before the
    as-of time).

    A record whose ``on`` fields are empty has no match, and so is a finding:
    give ``when`` a condition such as ``application_id IS NOT NULL`` where an
    empty reference is allowed.

    Evidence: with a window, ``from`` and ``due`` (the end of the window).

    Example (OS-3.1.5: a completed application gets a follow-up visit within 7 days)::

        - id: application-followed-up
          clause: OS-3.1.5
          dataset: applications
          kind: reference
          severity: medium
          when: completed_at IS NOT NULL
          target: followups
          on: {application_id: application_id}
          window: {from: completed_at, field: visited_at, within: $followup_window}
          title: {en: Follow-up visit after completion, zh: 办结后按时回访}
          message:
            en: "application {key} was completed at {from} and is due a follow-up visit within
              {$followup_window} (by {due}); no visit is recorded in that time"
            zh: "申请 {key} 于 {from} 办结，应在 {$followup_window} 内（{due} 前）回访；实际没有这段时间内的回访记录"
    """

    name = "reference"
    per_period = True
    Spec = ReferenceSpec
    schema = {
        "properties": {
            "target": {"type": "string", "description": "The dataset that must hold a matching record."},
            "on": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"},
                   "description": "This dataset's field → the target's field; every pair must match."},
            "target_when": {"type": "string", "minLength": 1,
                            "description": "SQL condition on the target's fields: only target records for which it is true count."},
            "window": {
                "type": "object",
                "properties": {
                    "from": {"type": "string", "description": "Date or timestamp field of this record: the window opens."},
                    "field": {"type": "string", "description": "Date or timestamp field of the target that must fall in the window."},
                    "within": {"type": "string", "description": "Calendar duration or $parameter: how long the window stays open."},
                },
                "required": ["from", "field", "within"],
                "additionalProperties": False,
                "description": "A time limit: the target's field lies between from and from + within, both included.",
            },
            "evidence": EVIDENCE,
        },
        "required": ["target", "on"],
    }

    def reads(self, spec: ReferenceSpec) -> tuple[str, ...]:
        return (spec.target,)

    def compile(self, ctx: CompileContext) -> Check | None:
        target = ctx.policy.datasets.get(ctx.spec.target)
        if target is None:
            hint = did_you_mean(ctx.spec.target, ctx.policy.datasets)
            ctx.error(msg('unknown dataset "{target}"{hint}', target=ctx.spec.target, hint=hint), "target")
            return None
        scope = ctx.scope_sql()
        source = ident(ctx.dataset.name)
        match = _match(ctx, target, source)
        window = _window(ctx, target, source)
        wanted = ctx.condition("target_when", default="TRUE", dataset=target, qualifier=TARGET)
        if scope is None or match is None or window is None or wanted is None:
            return None
        test, evidence, closed = window
        exists = f"SELECT 1 FROM {ident(target.name)} AS {TARGET} WHERE {match} AND ({wanted}) IS TRUE AND {test}"
        return Check(examined_sql=scope, where=f"{scope} AND NOT EXISTS ({exists}) AND {closed}", evidence=evidence,
                     related=_related(ctx, target, match, wanted, test, closed))


def _related(ctx: CompileContext, target, match: str, wanted: str, test: str, closed: str) -> Related:
    """What ``explain`` shows of the target's records paired with a record: its key, the window's field, and
    whether each meets ``target_when`` and falls in the window (the same SQL as the rule's)."""
    tests = {}
    if ctx.spec.target_when is not None:
        tests["target_when"] = f"({wanted}) IS TRUE"
    shown_values = {}
    if ctx.spec.window:
        tests["window"] = test
        name = ctx.spec.window["field"]
        shown_values[name] = shown(f"{TARGET}.{ident(name)}", target.fields[name].type)
    return Related(target.name, match, tests, shown_values, closed)


def _match(ctx: CompileContext, target, source: str) -> str | None:
    pairs = []
    for here, there in ctx.spec.on.items():
        left = ctx.field(here, "on")
        right = ctx.field(there, "on", dataset=target)
        if left is None or right is None:
            return None
        pairs.append(f"{TARGET}.{right} = {source}.{left}")
    return " AND ".join(pairs)


def _window(ctx: CompileContext, target, source: str) -> tuple[str, dict[str, str], str] | None:
    """(the window test, its evidence, whether the window has closed at the as-of time); None when it is wrong.

    A window still open at the as-of time may yet be met, so a record without
    a match is a finding only once its window has closed; one with no ``from``
    value has no window, and no match can fall in it: a finding.
    """
    window = ctx.spec.window
    if not window:
        return "TRUE", {}, "TRUE"
    start = ctx.field(window["from"], "window", types=("date", "timestamp"))
    field = ctx.field(window["field"], "window", dataset=target, types=("date", "timestamp"))
    within = ctx.param_value(window["within"], "window", ("duration",))
    if start is None or field is None or within is None:
        return None
    if within.basis not in ("calendar", "days"):
        ctx.value_error(msg('window "within" must be a calendar duration, not {text}', text=within.text), "window",
                        window["within"])
        return None
    due = f"{source}.{start} + {ctx.literal(within)}"
    kind = ctx.dataset.fields[window["from"]].type
    evidence = {"from": shown(f"{source}.{start}", kind), "due": shown(due, kind)}
    closed = f"({due} <= {ctx.as_of_sql}) IS NOT FALSE"
    return f"{TARGET}.{field} BETWEEN {source}.{start} AND {due}", evidence, closed
