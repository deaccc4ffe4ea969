"""Decision tables in DuckDB: every combination, the band boundaries, empty inputs and quoting."""

from __future__ import annotations

import itertools
import textwrap
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from support import DATA

from clausewise.engine.decision_sql import hit_sql, table_sql
from clausewise.errors import Collector
from clausewise.policy.decision import analyse, parse_tables
from clausewise.policy.yamlfile import parse_yaml

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "decision"

SEVERITIES = ("critical", "high", "medium", "low")
SCOPES = ("individual", "team", "department", "company", "customer")
PRIORITY_TYPES = {"severity": ("enum", SEVERITIES), "impact_scope": ("enum", SCOPES)}

PRIORITY = (DATA / "decision" / "priority-table.yaml").read_text(encoding="utf-8")
RISK = (DATA / "decision" / "risk-table.yaml").read_text(encoding="utf-8")
COLUMNS = {"severity": '"severity"', "impact_scope": '"impact_scope"', "score": '"score"'}


def _table(text: str, types: dict, base: Path = FIXTURES):
    errors = Collector()
    tables = parse_tables(parse_yaml(textwrap.dedent(text), "policy.yaml")["decision_tables"], base, errors)
    table = analyse(next(iter(tables.values())), types, errors)
    assert not errors, [str(e) for e in errors.errors]
    return table


def _evaluate(table, sql_type: str, values: list, sql=table_sql) -> list:
    """Each value through the table, as DuckDB computes it."""
    con = duckdb.connect()
    con.execute(f'CREATE TABLE t (i INTEGER, "{table.inputs[0]}" {sql_type})')
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    columns = {name: f'"{name}"' for name in table.inputs}
    return [r[0] for r in con.execute(f"SELECT {sql(table, columns)} FROM t ORDER BY i").fetchall()]


def _priority(severity, scope) -> str | None:
    """The ops-support priority rule, as the regulation states it."""
    wide = scope in ("company", "customer")
    return {"critical": "P1", "high": "P1" if wide else "P2", "medium": "P2" if wide else "P3", "low": "P4"}.get(severity)


def _priority_records() -> list[tuple]:
    return list(itertools.product([*SEVERITIES, None], [*SCOPES, None]))


@pytest.fixture(scope="module")
def priorities():
    con = duckdb.connect()
    con.execute("CREATE TABLE problems (severity VARCHAR, impact_scope VARCHAR)")
    con.executemany("INSERT INTO problems VALUES (?, ?)", _priority_records())
    return con


@pytest.mark.parametrize("policy", ["first", "unique"])
def test_priority_table_gives_the_regulations_priority(priorities, policy):
    text = PRIORITY
    if policy == "unique":  # the same table with disjoint rows
        text = text.replace('[high,     "-",  ', '[high, "not(company, customer)",').replace(
            '[medium,   "-",  ', '[medium, "not(company, customer)",')
    table = _table(text, PRIORITY_TYPES)
    rows = priorities.execute(f"SELECT severity, impact_scope, {table_sql(table, COLUMNS)} FROM problems").fetchall()
    assert rows == [(s, c, _expected(policy, s, c)) for s, c in _priority_records()]


def _expected(policy: str, severity, scope) -> str | None:
    if policy == "unique" and scope is None and severity in ("high", "medium"):
        return None  # not(company, customer) needs a scope: an empty one matches neither row
    return _priority(severity, scope)


def test_empty_inputs_match_only_dash_cells(priorities):
    table = _table(PRIORITY, PRIORITY_TYPES)
    rows = priorities.execute(
        f"SELECT severity, impact_scope, {table_sql(table, COLUMNS)}, {hit_sql(table, COLUMNS)} FROM problems "
        "WHERE severity IS NULL OR impact_scope IS NULL ORDER BY ALL"
    ).fetchall()
    assert rows == [
        ("critical", None, "P1", 1),
        ("high", None, "P2", 3),  # row 2 lists scopes, so an empty scope falls through to row 3's "-"
        ("low", None, "P4", 6),
        ("medium", None, "P3", 5),
        *[(None, scope, None, None) for scope in sorted([*SCOPES, None], key=lambda s: (s is None, s))],
    ]


def test_hit_names_the_deciding_row(priorities):
    table = _table(PRIORITY, PRIORITY_TYPES)
    rows = priorities.execute(
        f"SELECT {hit_sql(table, COLUMNS)} FROM problems WHERE severity = 'high' AND impact_scope IN ('customer', 'team') "
        "ORDER BY impact_scope"
    ).fetchall()
    assert rows == [(2,), (3,)]


@pytest.mark.parametrize("sql_type", ["INTEGER", "BIGINT", "DOUBLE", "DECIMAL(9, 2)"])
def test_risk_bands_at_their_boundaries(sql_type):
    table = _table(RISK, {"score": ("number", ())})
    scores = [1, 7, 8, 14, 15, 25, 0, 26, None]
    assert _evaluate(table, sql_type, scores) == ["low", "low", "medium", "medium", "high", "high", None, None, None]
    assert _evaluate(table, sql_type, scores, hit_sql) == [3, 3, 2, 2, 1, 1, None, None, None]


def test_fractions_fall_in_the_half_open_band():
    table = _table(RISK, {"score": ("number", ())})
    assert _evaluate(table, "DOUBLE", [7.999, 14.5, 15.0]) == ["low", "medium", "high"]


@pytest.mark.parametrize("name", ["risk_grade.csv", "risk_grade.xlsx"])
def test_file_tables_grade_the_same(name):
    text = f"decision_tables:\n  risk_grade:\n    inputs: [score]\n    output: grade\n    file: {name}\n"
    table = _table(text, {"score": ("integer", ())})
    assert _evaluate(table, "INTEGER", [7, 8, 15]) == ["low", "medium", "high"]


def test_numbers_are_written_as_numbers():
    table = _table("""\
        decision_tables:
          bonus:
            hit_policy: first
            inputs: [level]
            output: bonus
            rows:
              - ["1, 2", 100]
              - ["not(3, 4)", 250.5]
              - ["> -1", 0]
        """, {"level": ("integer", ())})
    assert table_sql(table, {"level": "t.level"}) == (
        "CASE WHEN (t.level) IN (1, 2) THEN 100 WHEN (t.level) NOT IN (3, 4) THEN 250.5 "
        "WHEN (t.level) > -1 THEN 0 END"
    )
    assert _evaluate(table, "INTEGER", [2, 5, 3, None]) == [Decimal(100), Decimal("250.5"), Decimal(0), None]


def test_text_is_quoted_and_compared_as_text():
    table = _table("""\
        decision_tables:
          t:
            hit_policy: first
            inputs: [owner]
            output: team
            rows:
              - ["O'Brien", "it's ours"]
              - ["007, x", "'; DROP TABLE t; --"]
              - ["not(y)", "-1"]
        """, {"owner": ("string", ())})
    assert table_sql(table, {"owner": "owner"}) == (
        "CASE WHEN (owner) = 'O''Brien' THEN 'it''s ours' WHEN (owner) IN ('007', 'x') THEN '''; DROP TABLE t; --' "
        "WHEN (owner) <> 'y' THEN '-1' END"
    )
    assert _evaluate(table, "VARCHAR", ["O'Brien", "007", "7", "y", None]) == [
        "it's ours", "'; DROP TABLE t; --", "-1", None, None]


def test_a_row_of_dashes_matches_everything():
    table = _table("""\
        decision_tables:
          t:
            hit_policy: first
            inputs: [score]
            output: grade
            rows: [["< 0", negative], ["-", other]]
        """, {"score": ("number", ())})
    assert table_sql(table, {"score": "s"}) == "CASE WHEN (s) < 0 THEN 'negative' WHEN TRUE THEN 'other' END"
    assert _evaluate(table, "DOUBLE", [-1, 3, None]) == ["negative", "other", "other"]
