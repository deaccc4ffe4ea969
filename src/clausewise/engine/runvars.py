"""What a compiled pack reads at run time: the as-of time (and, later, the audit period).

A pack is compiled once, when it is loaded; the as-of time of an audit is
known only when its export has been read. So the compiled SQL does not hold
the as-of time as a literal: it reads a DuckDB variable, set on the run's
connection before any rule runs. The same compiled statements then serve
``validate``, ``audit``, ``test``, ``explain`` and ``grades``.

Variables are named ``clausewise_*``; conditions cannot read them directly
(``getvariable`` is not on the condition whitelist), only through the
built-in parameters such as ``$as_of``.
"""

from __future__ import annotations

from datetime import datetime

from sqlglot import exp

from .sqltext import string, timestamp

AS_OF = "clausewise_as_of"
# Set before validation binds the compiled SQL, so every expression has its type.
PLACEHOLDER = datetime(2000, 1, 1)


def sql(name: str) -> str:
    """SQL reading run-time value ``name`` (a naive local timestamp in the policy's zone)."""
    return f"CAST(getvariable({string(name)}) AS TIMESTAMP)"


def node(name: str) -> exp.Expression:
    """The same as :func:`sql`, as a sqlglot tree for the condition compiler."""
    call = exp.Anonymous(this="getvariable", expressions=[exp.Literal.string(name)])
    return exp.Cast(this=call, to=exp.DataType.build("TIMESTAMP"))


def set_values(con, values: dict[str, datetime]) -> None:
    """Give the run's values to the connection (allowed after the lock: variables are not settings)."""
    for name, value in values.items():
        con.execute(f"SET VARIABLE {name} = {timestamp(value)}")
