"""The rule kinds: one module each, registered here by name.

A kind module has ``SCHEMA`` (JSON Schema of the keys it adds to a rule) and
``compile(ctx) -> Check``; its docstring is its user documentation. Adding a
kind is one new module and one line below.
"""

from __future__ import annotations

from types import ModuleType

from . import (
    aggregate,
    allowed,
    check,
    deadline,
    periodic,
    reference,
    required,
    sequence,
    unique,
)

KINDS: dict[str, ModuleType] = {
    "check": check,
    "required": required,
    "allowed": allowed,
    "unique": unique,
    "sequence": sequence,
    "reference": reference,
    "aggregate": aggregate,
    "deadline": deadline,
    "periodic": periodic,
}


def kind_schemas() -> dict[str, dict]:
    """Each kind's schema fragment, for the published JSON Schema."""
    return {name: module.SCHEMA for name, module in KINDS.items()}
