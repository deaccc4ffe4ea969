"""clausewise: regulations as YAML rules, evaluated as SQL on DuckDB.

The library API is small::

    import clausewise
    policy = clausewise.load("policies/ops-support.yaml")
    result = clausewise.audit(policy, "exports/2026-10")
    result.exit_code("high")
"""

__version__ = "0.1.0"

from .engine import audit, load, schema, validate  # noqa: E402

__all__ = ["__version__", "audit", "load", "schema", "validate"]
