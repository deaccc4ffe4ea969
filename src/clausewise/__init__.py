"""clausewise: regulations as YAML rules, evaluated as SQL on DuckDB.

The library API is small::

    import clausewise
    policy = clausewise.load("policies/ops-support.yaml")
    with clausewise.audit(policy, "exports/2026-10") as result:
        result.exit_code("high")

The engine is imported when one of these is first used, so that
``clausewise --version`` and ``--help`` start at once.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__", "audit", "load", "schema", "validate"]


def __getattr__(name: str):
    if name in ("audit", "load", "schema", "validate"):
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'clausewise' has no attribute {name!r}")
