"""The engine: load a pack, compile its rules to SQL, run them on DuckDB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import Collector
from ..model import Policy
from ..policy import full_schema, read_policy
from .explain import explain
from .kinds import KINDS, kind_schemas
from .run import audit, validate


def load(path: str | Path) -> Policy:
    """Load a policy and its rule files and check everything that needs no data.

    Schema, names, conditions and the SQL each rule compiles to are all
    checked; every problem in the pack is raised together as an ErrorList.
    """
    errors = Collector()
    policy = read_policy(path, kind_schemas(), errors)
    validate(policy, errors=errors)
    errors.raise_if_any()
    return policy


def schema() -> dict[str, Any]:
    """The JSON Schema for policy and rule files, with every rule kind's keys."""
    return full_schema(kind_schemas())


def schema_text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


__all__ = ["KINDS", "audit", "explain", "load", "schema", "schema_text", "validate"]
