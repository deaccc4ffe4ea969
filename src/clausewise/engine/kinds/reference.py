"""``reference``: each record in scope has a matching record in another dataset.

``on`` pairs this dataset's fields with the target's (``{application_id:
application_id}``). ``target_when`` filters the target records that count.
``window`` adds a time limit: the target's ``field`` must fall between this
record's ``from`` and ``from`` plus ``within`` (a calendar duration), inclusive.

Example (OS-3.1.5: a completed application gets a follow-up visit within 7 days)::

    - id: application-followed-up
      kind: reference
      dataset: applications
      when: completed_at IS NOT NULL
      target: followups
      on: {application_id: application_id}
      window: {from: completed_at, field: visited_at, within: $followup_window}
"""

from __future__ import annotations

from ...errors import did_you_mean
from ..sqltext import ident
from .base import Check, CompileContext

SCHEMA = {
    "properties": {
        "target": {"type": "string"},
        "on": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}},
        "target_when": {"type": "string", "minLength": 1},
        "window": {
            "type": "object",
            "properties": {"from": {"type": "string"}, "field": {"type": "string"}, "within": {"type": "string"}},
            "required": ["from", "field", "within"],
            "additionalProperties": False,
        },
        "evidence": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["target", "on"],
}

TARGET = "__target"


def compile(ctx: CompileContext) -> Check | None:
    target = ctx.policy.datasets.get(ctx.body["target"])
    if target is None:
        hint = did_you_mean(ctx.body["target"], ctx.policy.datasets)
        ctx.error(f'unknown dataset "{ctx.body["target"]}"{hint}', "target")
        return None
    scope = ctx.scope_sql()
    source = ident(ctx.dataset.name)
    match = _match(ctx, target, source)
    window, evidence = _window(ctx, target, source)
    wanted = ctx.condition("target_when", default="TRUE", dataset=target, qualifier=TARGET)
    if match is None or window is None or wanted is None:
        return None
    exists = f"SELECT 1 FROM {ident(target.name)} AS {TARGET} WHERE {match} AND ({wanted}) IS TRUE AND {window}"
    return Check(examined=scope, where=f"{scope} AND NOT EXISTS ({exists})", evidence=evidence)


def _match(ctx: CompileContext, target, source: str) -> str | None:
    pairs = []
    for here, there in ctx.body["on"].items():
        left = ctx.field(here, "on")
        right = ctx.field(there, "on", dataset=target)
        if left is None or right is None:
            return None
        pairs.append(f"{TARGET}.{right} = {source}.{left}")
    return " AND ".join(pairs)


def _window(ctx: CompileContext, target, source: str) -> tuple[str | None, dict[str, str]]:
    window = ctx.body.get("window")
    if not window:
        return "TRUE", {}
    start = ctx.field(window["from"], "window", types=("date", "timestamp"))
    field = ctx.field(window["field"], "window", dataset=target, types=("date", "timestamp"))
    within = ctx.param_value(window["within"], "window", ("duration",))
    if start is None or field is None or within is None:
        return None, {}
    if within.basis != "calendar":
        ctx.error(f'window "within" must be a calendar duration, not {within.text}', "window")
        return None, {}
    due = f"{source}.{start} + {ctx.literal(within)}"
    return (
        f"{TARGET}.{field} BETWEEN {source}.{start} AND {due}",
        {"from": f"{source}.{start}", "due": due},
    )
