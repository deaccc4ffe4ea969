"""The engine: load a pack, compile its rules to SQL, run them on DuckDB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..model import Policy
from ..policy import full_schema, load_policy
from .kinds import KINDS, kind_schemas
from .run import audit, validate


def load(path: str | Path) -> Policy:
    """Load and validate a policy file and its rule files (no data is read)."""
    return load_policy(path, kind_schemas())


def schema() -> dict[str, Any]:
    """The JSON Schema for policy and rule files, with every rule kind's keys."""
    return full_schema(kind_schemas())


def schema_text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


__all__ = ["KINDS", "audit", "load", "schema", "schema_text", "validate"]
