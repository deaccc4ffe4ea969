"""What a compiled pack reads at run time: the as-of time and the audit period.

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

from .sqltext import ident, string, timestamp

AS_OF = "clausewise_as_of"
PERIOD_START = "clausewise_period_start"
PERIOD_END = "clausewise_period_end"
# Set before validation binds the compiled SQL, so every expression has its type.
PLACEHOLDER = datetime(2000, 1, 1)


def sql(name: str) -> str:
    """SQL reading run-time value ``name`` (an instant)."""
    return f"CAST(getvariable({string(name)}) AS TIMESTAMPTZ)"


def node(name: str) -> exp.Expression:
    """The same as :func:`sql`, as a sqlglot tree for the condition compiler."""
    call = exp.Anonymous(this="getvariable", expressions=[exp.Literal.string(name)])
    return exp.Cast(this=call, to=exp.DataType(this=exp.DataType.Type.TIMESTAMPTZ))


def set_values(con, values: dict[str, datetime]) -> None:
    """Give the run's values to the connection (allowed after the lock: variables are not settings).

    The values are naive wall-clock times in the policy's zone, read as the
    export's own times are read (the connection's ``TimeZone``).
    """
    for statement in statements(values):
        con.execute(statement)


def statements(values: dict[str, datetime]) -> list[str]:
    """The statements :func:`set_values` sends, one per value."""
    return [f"SET VARIABLE {ident(name)} = CAST({timestamp(value)} AS TIMESTAMPTZ)" for name, value in values.items()]


def placeholders() -> dict[str, datetime]:
    """A value for every run-time variable, for binding compiled SQL before any export is read."""
    return {AS_OF: PLACEHOLDER, PERIOD_START: PLACEHOLDER, PERIOD_END: PLACEHOLDER}


def cursor(con):
    """A second cursor on the run's database that reads the same run-time values.

    DuckDB variables belong to one connection, and a cursor is a connection of
    its own: without this copy a view reading ``$as_of`` would read NULL there.
    (The timezone is set globally, so cursors share it.)
    """
    other = con.cursor()
    for name, kind, value in con.execute(
        "SELECT name, type, CAST(value AS VARCHAR) FROM duckdb_variables() WHERE starts_with(name, 'clausewise_')"
    ).fetchall():
        cast = "TIMESTAMPTZ" if kind.startswith("TIMESTAMP") else "VARCHAR"
        other.execute(f"SET VARIABLE {ident(name)} = CAST(? AS {cast})", [value])
    return other
