"""The rule kinds: one module each, registered here by name.

A kind is a :class:`~.base.Kind` subclass in its own module: its typed
``Spec``, its JSON ``schema``, what it tells the engine (condition keys,
datasets read, clock columns, grouping) and ``compile``. Its docstring is
its user documentation (docs/rules.md is generated from it by
:func:`.docs.reference_markdown`). Adding a kind is one new module, its import
and one line below, and one case file in tests/kinds/ (docs/extending.md).
"""

from __future__ import annotations

from .aggregate import AggregateKind
from .allowed import AllowedKind
from .base import Kind
from .check import CheckKind
from .deadline import DeadlineKind
from .periodic import PeriodicKind
from .reference import ReferenceKind
from .required import RequiredKind
from .sequence import SequenceKind
from .unique import UniqueKind

KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    CheckKind(),
    RequiredKind(),
    AllowedKind(),
    UniqueKind(),
    SequenceKind(),
    ReferenceKind(),
    AggregateKind(),
    DeadlineKind(),
    PeriodicKind(),
)}


def kind_schemas() -> dict[str, dict]:
    """Each kind's schema fragment, for the published JSON Schema."""
    return {name: kind.schema for name, kind in KINDS.items()}
