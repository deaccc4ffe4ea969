"""clausewise: regulations as YAML rules, evaluated as SQL on DuckDB.

The library API is small::

    import clausewise
    policy = clausewise.load("policies/ops-support.yaml")
    with clausewise.audit(policy, "exports/2026-10") as result:
        result.exit_code("high")          # 0 clean, 1 a finding at or above "high"
        result.findings_df()              # pandas DataFrame, one row per finding
        result.write("sarif", "findings.sarif")

``audit`` also takes a mapping of dataset name to pandas/Polars/Arrow table,
a DuckDB connection, or database sources (see ``help(clausewise.audit)``);
the result (:class:`clausewise.Result`) gives findings, grades and rule
statistics as Arrow tables and DataFrames.

and the monthly cycle (docs/history.md, docs/waivers.md) adds to a result::

    waivers = clausewise.load_waivers("waivers.yaml", policy)
    with clausewise.audit(policy, "exports/2026-11") as result:
        clausewise.complete(result, waivers, history="exports/.clausewise/history.duckdb",
                            record=True, baseline="last")

The engine is imported when one of these is first used, so that
``clausewise --version`` and ``--help`` start at once.

The documents docstrings name as ``docs/NAME.md`` ship with the package: they
are in the ``data/docs/`` folder of the installed package, and
``clausewise sample DIR`` copies them to ``DIR/docs/`` together with the
example and ops-support packs and their sample exports (the paths in the
examples above are those of such a copy, or of the source repository).
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["MissingExtra", "Result", "__version__", "audit", "complete", "load", "load_waivers", "schema", "validate"]


# Name → the module (in this package) that defines it, imported on first use. By name, not by an import
# statement: the engine imports this module for __version__, and must not appear to import the layers above it.
_HOMES = {"audit": "api", "Result": "api", "complete": "engine", "load": "engine", "load_waivers": "engine",
          "schema": "engine", "validate": "engine", "MissingExtra": "errors"}


def __getattr__(name: str):
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'clausewise' has no attribute {name!r}")
