"""A run's findings, grades and rule statistics as Arrow tables and pandas or Polars DataFrames.

The tables are made by DuckDB from the run's own tables, column by column
(no Python object per finding). pyarrow, pandas and Polars are optional: each
is imported only when its table is asked for, and a missing one is a
:class:`~clausewise.errors.MissingExtra` naming the extra that installs it
(``pip install 'clausewise[arrow]'``, ``[pandas]``, ``[polars]``).

Shapes (one row per item, in the report's order):

- findings: ``rule, clause, dataset, key, status, severity, message, evidence,
  due_at, group, row, fingerprint, waiver, baseline_state`` — as the JSON
  report's findings, with ``evidence``, ``group`` and ``waiver`` as JSON
  text; ``due_at`` a naive timestamp in the policy's timezone; ``row`` the
  record's position in its dataset, from 1.
- grades: ``dataset, key, row, name, value`` (``value`` as text, and
  ``breakdown`` as JSON text when asked for) — one row per record and
  computed column; or, for one dataset, ``key, row`` and one typed column per
  computed column (and ``<name>_breakdown``).
- rule statistics: ``rule, clause, dataset, kind, severity, examined,
  violations, warnings, invalid`` — one row per rule run, and ``data-quality``.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import MissingExtra
from ..i18n import msg
from ..model import Policy, RuleStats

# What each kind of table needs, and the extra that installs it.
LIBRARIES = {"arrow": ("pyarrow", "arrow"), "pandas": ("pandas", "pandas"), "polars": ("polars", "polars")}


def need(kind: str, asked: str) -> Any:
    """The module ``kind`` needs, imported; MissingExtra naming the extra when it is not installed."""
    module, extra = LIBRARIES[kind]
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(msg("{asked} needs {module}: pip install 'clausewise[{extra}]'", asked=asked, module=module,
                                   extra=extra)) from None


def fetch(con, sql: str, kind: str, asked: str) -> Any:
    """The rows of ``sql`` on ``con`` as a pyarrow Table (``arrow``), pandas or Polars DataFrame."""
    module = need(kind, asked)
    if kind == "arrow" and not hasattr(module, "Table"):  # pragma: no cover - a broken install
        raise MissingExtra(msg("{asked} needs pyarrow: pip install 'clausewise[arrow]'", asked=asked))
    cursor = con.cursor()  # a handle of its own: the connection may hold another query's unfinished result
    try:
        relation = cursor.sql(sql)
        if kind == "arrow":
            return relation.to_arrow_table()
        if kind == "pandas":
            return relation.df()
        return module.DataFrame(relation)  # Polars reads the Arrow C stream: no pyarrow needed
    finally:
        cursor.close()


STATS_COLUMNS = ("rule", "clause", "dataset", "kind", "severity", "examined", "violations", "warnings", "invalid")


def stats_rows(stats: dict[str, RuleStats], policy: Policy) -> list[tuple]:
    """One tuple per rule (in rule-id order, ``data-quality`` with the policy's data-quality clause and severity)."""
    rows = []
    for rule_id, s in sorted(stats.items()):
        rule = policy.rule(rule_id)
        if rule is not None:
            about = (rule.clause, rule.dataset, rule.kind, rule.severity)
        else:
            about = (policy.data_quality_clause, None, None, policy.data_quality_severity)
        rows.append((rule_id, *about, s.examined, s.violations, s.warnings, s.invalid))
    return rows


def stats_table(stats: dict[str, RuleStats], policy: Policy, kind: str, asked: str) -> Any:
    """The rule statistics as a table of ``kind`` (see the module's shapes)."""
    import duckdb

    need(kind, asked)
    con = duckdb.connect(":memory:")
    try:
        con.execute("CREATE TABLE stats (rule VARCHAR, clause VARCHAR, dataset VARCHAR, kind VARCHAR, severity VARCHAR, "
                    "examined BIGINT, violations BIGINT, warnings BIGINT, invalid BIGINT)")
        rows = stats_rows(stats, policy)
        if rows:
            con.executemany("INSERT INTO stats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return fetch(con, "SELECT * FROM stats ORDER BY rowid", kind, asked)
    finally:
        con.close()


class RuleStatsTable(dict):
    """Rule id → :class:`~clausewise.model.RuleStats`, which also gives itself as a table.

    A dict as before (``stats["inquiry-reply-clock"].examined``), plus
    :meth:`to_arrow`, :meth:`to_pandas` and :meth:`to_polars` (columns
    ``rule, clause, dataset, kind, severity, examined, violations, warnings,
    invalid``).
    """

    def __init__(self, stats: dict[str, RuleStats], policy: Policy):
        super().__init__(stats)
        self.policy = policy

    def to_arrow(self):
        """The statistics as a pyarrow Table (needs ``clausewise[arrow]``)."""
        return stats_table(self, self.policy, "arrow", "stats.to_arrow()")

    def to_pandas(self):
        """The statistics as a pandas DataFrame (needs ``clausewise[pandas]``)."""
        return stats_table(self, self.policy, "pandas", "stats.to_pandas()")

    def to_polars(self):
        """The statistics as a Polars DataFrame (needs ``clausewise[polars]``)."""
        return stats_table(self, self.policy, "polars", "stats.to_polars()")
