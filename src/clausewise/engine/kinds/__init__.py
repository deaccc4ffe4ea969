"""The rule kinds: one module each, registered here by name.

A kind is a :class:`~.base.Kind` subclass in its own module: its typed
``Spec``, its JSON ``schema``, what it tells the engine (condition keys,
datasets read, clock columns, grouping) and ``compile``. Its docstring is
its user documentation (docs/rules.md is generated from it by
:func:`.docs.reference_markdown`). Adding a kind is one new module, one line in
``REGISTRY`` below, and one case file in tests/kinds/ (docs/extending.md).
"""

from __future__ import annotations

from importlib import import_module

from .base import Kind

# Kind name → "module.Class" in this package; the order is the rule reference's.
REGISTRY = {
    "check": "check.CheckKind",
    "required": "required.RequiredKind",
    "allowed": "allowed.AllowedKind",
    "unique": "unique.UniqueKind",
    "sequence": "sequence.SequenceKind",
    "reference": "reference.ReferenceKind",
    "aggregate": "aggregate.AggregateKind",
    "deadline": "deadline.DeadlineKind",
    "periodic": "periodic.PeriodicKind",
}


def _kind(path: str) -> Kind:
    module, name = path.rsplit(".", 1)
    return getattr(import_module(f".{module}", __name__), name)()


KINDS: dict[str, Kind] = {name: _kind(path) for name, path in REGISTRY.items()}


def kind_schemas() -> dict[str, dict]:
    """Each kind's schema fragment, for the published JSON Schema."""
    return {name: kind.schema for name, kind in KINDS.items()}
