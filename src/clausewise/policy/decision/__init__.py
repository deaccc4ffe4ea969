"""Decision tables: grading tables an officer can read, and that are proven before they run.

A regulation often grades with a table ("severity × impact scope → priority")
rather than with a sentence. Written as nested conditions such a table hides
its mistakes; written as a DMN-style decision table it can be checked. This
package parses the policy's ``decision_tables:`` (rows inline, or a CSV/XLSX
file next to the policy) into :class:`DecisionTable`, every cell located in
its file, and :func:`analyse` checks a table the way Drools' decision-table
analysis does: rows that overlap under hit policy ``unique``, rows that can
never fire under ``first``, gaps in a table that claims to be ``complete``,
and values an input cannot hold. A wrong table then fails at load instead of
grading records silently wrong.

The analysis is exact, not sampled. Each input's possible values are cut into
a few *atoms* (the enum values, or the intervals between the numbers the cells
mention), every row becomes a box of atoms, and overlaps, masking and gaps are
set operations on boxes. The cell syntax is in docs/decision-tables.md.

The package has one module per concern: ``cells`` (the table model and the
cell grammar), ``tables`` (the ``decision_tables:`` section, rows written
inline), ``files`` (rows read from a CSV or XLSX file) and ``analysis``
(overlaps, masking, gaps, types).
"""

from .analysis import analyse
from .cells import AnyCell, Cell, DecisionTable, IntervalCell, Literal, NotValuesCell, Row, ValuesCell, parse_cell
from .files import table_file
from .tables import parse_tables

__all__ = ["AnyCell", "Cell", "DecisionTable", "IntervalCell", "Literal", "NotValuesCell", "Row", "ValuesCell",
           "analyse", "parse_cell", "parse_tables", "table_file"]
