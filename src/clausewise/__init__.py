"""clausewise: regulations as YAML rules, evaluated as SQL on DuckDB.

The library API is small::

    import clausewise
    policy = clausewise.load("policies/ops-support.yaml")
    with clausewise.audit(policy, "exports/2026-10") as result:
        result.exit_code("high")

and the monthly cycle (docs/history.md, docs/waivers.md) adds to a result::

    waivers = clausewise.load_waivers("waivers.yaml", policy)
    with clausewise.audit(policy, "exports/2026-11") as result:
        clausewise.complete(result, waivers, history="exports/.clausewise/history.duckdb",
                            record=True, baseline="last")

The engine is imported when one of these is first used, so that
``clausewise --version`` and ``--help`` start at once.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__", "audit", "complete", "load", "load_waivers", "schema", "validate"]


def __getattr__(name: str):
    if name in ("audit", "complete", "load", "load_waivers", "schema", "validate"):
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'clausewise' has no attribute {name!r}")
