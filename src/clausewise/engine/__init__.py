"""The engine: load a pack, compile its rules to SQL once, run them on DuckDB."""

from __future__ import annotations

import json
from typing import Any

from ..policy import full_schema
from ..policy.waivers import load_waivers
from .explain import explain
from .kinds import KINDS, kind_schemas
from .run import audit, load, validate


def __getattr__(name: str) -> Any:
    # ``complete`` (an audit with waivers and the run history) is imported on first use:
    # ``validate`` and a plain ``audit`` need neither the history store nor the waivers.
    if name == "complete":
        from .cycle import complete

        return complete
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def schema() -> dict[str, Any]:
    """The JSON Schema for policy and rule files, with every rule kind's keys."""
    return full_schema(kind_schemas())


def schema_text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


__all__ = ["KINDS", "audit", "complete", "explain", "load", "load_waivers", "schema", "schema_text", "validate"]
