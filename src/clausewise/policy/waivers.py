"""Load a waivers file: accepted deviations, checked against the policy they waive.

A waivers file is YAML like a rule file, in the same published schema (a
document with a top-level ``waivers`` key), and is untrusted input like one.
It is checked the same way: the schema first, then every name against the
policy — an unknown rule, clause or dataset is an error at its
``file:line:column`` with a "did you mean" — and every problem is reported at
once. Each waiver must say who approved it, why, and until when; see
docs/waivers.md for what a waiver matches and when it expires.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from ..errors import Collector, Location, PolicyError, did_you_mean
from ..i18n import msg
from ..model import Policy, Waiver, in_time_range
from .load import _display
from .schema import WAIVERS_DOC
from .validate import schema_errors
from .yamlfile import YMap, load_yaml

# The engine's own rule for values that do not fit their type; no rule file defines it.
DATA_QUALITY = "data-quality"
_SCHEMA = {"$schema": "https://json-schema.org/draft/2020-12/schema", **WAIVERS_DOC}


def load_waivers(path: str | Path, policy: Policy) -> tuple[Waiver, ...]:
    """The waivers in the file at ``path``, in file order, checked against ``policy``.

    Raises :class:`~clausewise.errors.PolicyError` (or an ``ErrorList`` of
    them) naming file, line and column: a file that is not a waivers file, a
    schema violation (a waiver without ``approved_by``, ``reason`` or
    ``expires``, or without a rule or clause and a key, group or pattern), a
    duplicate id, an unknown rule, clause or dataset, a rule that cites
    another clause or reads another dataset than the waiver says, an expiry
    that is not a date between 1900 and 2199.
    """
    path = Path(path)
    display = _display(path)
    if not path.is_file():
        raise PolicyError(msg("no such waivers file"), Location(display))
    doc = load_yaml(path, display)
    if not isinstance(doc, YMap) or "waivers" not in doc:
        raise PolicyError(msg('this is not a waivers file (no "waivers" key)'), Location(display, 1, 1))
    errors = Collector()
    found, broken = schema_errors(doc, _SCHEMA, display)
    for error in found:
        errors.add(error)
    bad = {path[1] if len(path) > 1 else None for path in broken}
    if None in bad:
        errors.raise_if_any()
    waivers = []
    seen: dict[str, Location] = {}
    items = doc["waivers"]
    for index, raw in enumerate(items):
        if index in bad:
            continue
        waiver = _waiver(raw, items.item_at(index), errors)
        if waiver.id in seen:
            errors.error(msg('duplicate waiver id "{id}" (first at {seen})',
                             id=waiver.id, seen=seen[waiver.id]), raw.value_at("id"))
        seen.setdefault(waiver.id, waiver.location)
        _check_names(waiver, raw, policy, errors)
        waivers.append(waiver)
    errors.raise_if_any()
    return tuple(waivers)


def _waiver(raw: YMap, location: Location, errors: Collector) -> Waiver:
    keys = raw.get("key")
    group = raw.get("group")
    return Waiver(
        id=str(raw["id"]),
        rule=_optional(raw.get("rule")),
        clause=_optional(raw.get("clause")),
        dataset=_optional(raw.get("dataset")),
        keys=tuple(str(k) for k in (keys if isinstance(keys, list) else [keys] if keys is not None else [])),
        group={str(k): _scalar(v) for k, v in group.items()} if group else None,
        pattern=_optional(raw.get("pattern")),
        approved_by=str(raw["approved_by"]),
        reason=str(raw["reason"]),
        reference=_optional(raw.get("reference")),
        expires=_expiry(raw, errors),
        location=location,
    )


def _optional(value) -> str | None:
    return None if value is None else str(value)


def _scalar(value) -> str:
    """A group value as the text a finding's group holds (true/false as JSON writes them)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _expiry(raw: YMap, errors: Collector) -> date:
    text = str(raw["expires"])
    try:
        day = date.fromisoformat(text)
    except ValueError:  # the schema's format check has said so
        return date.max
    if not in_time_range(datetime.combine(day, datetime.min.time())):
        errors.error(msg('"{text}" is outside the years 1900 to 2199 that clausewise judges',
                         text=text), raw.value_at("expires"))
    return day


def _check_names(waiver: Waiver, raw: YMap, policy: Policy, errors: Collector) -> None:
    rules = {r.id: r for r in policy.rules}
    if waiver.rule is not None and waiver.rule != DATA_QUALITY and waiver.rule not in rules:
        hint = did_you_mean(waiver.rule, [*rules, DATA_QUALITY])
        errors.error(msg('unknown rule "{rule}"{hint}', rule=waiver.rule, hint=hint), raw.value_at("rule"))
    if waiver.clause is not None and waiver.clause not in policy.clauses:
        errors.error(msg('unknown clause "{clause}"{hint}',
                         clause=waiver.clause, hint=did_you_mean(waiver.clause, policy.clauses)),
                     raw.value_at("clause"))
    if waiver.dataset is not None and waiver.dataset not in policy.datasets:
        errors.error(msg('unknown dataset "{dataset}"{hint}',
                         dataset=waiver.dataset, hint=did_you_mean(waiver.dataset, policy.datasets)),
                     raw.value_at("dataset"))
    rule = rules.get(waiver.rule or "")
    cited = policy.data_quality_clause if waiver.rule == DATA_QUALITY else rule.clause if rule else None
    if waiver.clause in policy.clauses and cited is not None and cited != waiver.clause:
        errors.error(msg('rule "{rule}" cites clause "{cited}", not "{clause}"',
                         rule=waiver.rule, cited=cited, clause=waiver.clause), raw.value_at("clause"))
    if rule is not None and waiver.dataset in policy.datasets and rule.dataset != waiver.dataset:
        errors.error(msg('rule "{rule}" checks dataset "{dataset}", not "{dataset2}"',
                         rule=waiver.rule, dataset=rule.dataset, dataset2=waiver.dataset),
                     raw.value_at("dataset"))
