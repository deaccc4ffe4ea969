"""Policy and rule files: YAML with positions, JSON Schema validation, the model."""

from .load import load_policy, read_policy
from .schema import full_schema

__all__ = ["full_schema", "load_policy", "read_policy"]
