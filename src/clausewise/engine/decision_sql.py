"""Decision tables as DuckDB CASE expressions, so a whole dataset is graded in one pass.

A table becomes ``CASE WHEN <row 1 matches> THEN <output 1> WHEN … END``. SQL's
CASE takes the first branch that holds, which is exactly hit policy ``first``;
for ``unique`` the analysis has already proven that at most one row can
match, so the same expression serves. No matching row leaves the CASE without
a branch: NULL.

An empty input (NULL) makes every comparison NULL, and a CASE branch whose
test is NULL is not taken, so a NULL input matches only ``-`` cells, which add
no test at all. Text is quoted with single quotes doubled; numbers are written
from their exact decimal value, never from the cell's text, so nothing an
officer types reaches the SQL unquoted.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ..policy.decision import (
    AnyCell,
    Cell,
    DecisionTable,
    IntervalCell,
    NotValuesCell,
    ValuesCell,
)
from .sqltext import number, string


def table_sql(table: DecisionTable, columns: dict[str, str]) -> str:
    """The output for each record; ``columns`` maps each input to an SQL expression.

    Give it the table :func:`~clausewise.policy.decision.analyse` returned:
    there numeric inputs' values are numbers.
    """
    return _case(table, columns, [_literal(row.output.value) for row in table.rows])


def hit_sql(table: DecisionTable, columns: dict[str, str]) -> str:
    """The 1-based number of the row that decided, for explanations ("row 3 of priority_table")."""
    return _case(table, columns, [str(n) for n in range(1, len(table.rows) + 1)])


def _case(table: DecisionTable, columns: dict[str, str], results: list[str]) -> str:
    branches = " ".join(f"WHEN {_matches(table, row.cells, columns)} THEN {result}"
                        for row, result in zip(table.rows, results))
    return f"CASE {branches} END"


def _matches(table: DecisionTable, cells: tuple[Cell, ...], columns: dict[str, str]) -> str:
    tests = [_TESTS[type(cell)](f"({columns[name]})", cell) for name, cell in zip(table.inputs, cells)]
    return " AND ".join(t for t in tests if t) or "TRUE"


def _in(column: str, cell: ValuesCell) -> str:
    if len(cell.values) == 1:
        return f"{column} = {_literal(cell.values[0].value)}"
    return f"{column} IN ({', '.join(_literal(v.value) for v in cell.values)})"


def _not_in(column: str, cell: NotValuesCell) -> str:
    if len(cell.values) == 1:
        return f"{column} <> {_literal(cell.values[0].value)}"
    return f"{column} NOT IN ({', '.join(_literal(v.value) for v in cell.values)})"


def _between(column: str, cell: IntervalCell) -> str:
    low = f"{column} {'>=' if cell.low_closed else '>'} {_literal(cell.low)}" if cell.low is not None else ""
    high = f"{column} {'<=' if cell.high_closed else '<'} {_literal(cell.high)}" if cell.high is not None else ""
    return " AND ".join(part for part in (low, high) if part)


_TESTS: dict[type, Callable[[str, Cell], str]] = {
    AnyCell: lambda column, cell: "",
    ValuesCell: _in,
    NotValuesCell: _not_in,
    IntervalCell: _between,
}


def _literal(value: str | Decimal) -> str:
    return number(value) if isinstance(value, Decimal) else string(value)
