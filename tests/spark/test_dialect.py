"""The DuckDB → Spark SQL rewrites, and what the Spark engine says when it cannot run (no JVM needed).

Each expected text is the Spark SQL that gives DuckDB's meaning, worked out
from the two engines' documented semantics (in the comments).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner

from clausewise.cli import cli
from clausewise.engine import runvars
from clausewise.engine.spark import session
from clausewise.engine.spark.dialect import Unsupported, to_spark
from clausewise.errors import MissingExtra, UsageError


@pytest.mark.parametrize("duckdb, spark", [
    # DuckDB's log(x) is base 10; Spark's one-argument log is natural.
    ("SELECT log(x)", "SELECT LOG(10, x)"),
    # DuckDB: Sunday 0 … Saturday 6; Spark's dayofweek: Sunday 1 … Saturday 7.
    ("SELECT dayofweek(x)", "SELECT (DAYOFWEEK(x) - 1)"),
    # ISO: Monday 1 … Sunday 7; Spark's weekday: Monday 0 … Sunday 6.
    ("SELECT isodow(x)", "SELECT (WEEKDAY(x) + 1)"),
    # date_diff counts boundaries: 23:00 → 01:00 the next day is 1 day; Spark's timestampdiff would say 0,
    # so both ends are cut to the day first.
    ("SELECT date_diff('day', a, b)", "SELECT TIMESTAMPDIFF(DAY, DATE_TRUNC('DAY', a), DATE_TRUNC('DAY', b))"),
    # date_sub counts whole units elapsed, as timestampdiff does.
    ("SELECT date_sub('month', a, b)", "SELECT TIMESTAMPDIFF(MONTH, a, b)"),
    # Spark's intervals of months and of days do not mix in one CASE; a zero day is a zero month.
    ("SELECT CASE WHEN a < b THEN INTERVAL 1 MONTH ELSE INTERVAL 0 DAY END",
     "SELECT CASE WHEN a < b THEN INTERVAL '1' MONTH ELSE INTERVAL '0' MONTH END"),
    # DuckDB's regexp_full_match matches the whole text; RLIKE finds a match anywhere.
    ("SELECT regexp_full_match(x, 'a|b')", "SELECT x RLIKE '^(?:a|b)$'"),
    # sign is an integer in DuckDB, a DOUBLE in Spark.
    ("SELECT sign(x)", "SELECT CAST(SIGN(x) AS INT)"),
    # DuckDB's / by zero is IEEE (1/0 = inf, -1/0 = -inf, 0/0 = NaN) where ANSI Spark raises; a * inf is that.
    ("SELECT a / b", "SELECT (CASE WHEN (b) = 0 THEN CAST((a) AS DOUBLE) * CAST('Infinity' AS DOUBLE) ELSE a / b END)"),
    # ... and a divisor that is a number other than 0 divides as it is.
    ("SELECT a / 2", "SELECT a / 2"),
    # DuckDB's count_if is a sum that leaves NULLs out: NULL over no records (an aggregate's empty period) or
    # over unknown conditions only, 1 for (TRUE, NULL), 0 for (FALSE, NULL); Spark's counts 0 for the first two.
    ("SELECT count_if(x > 1)", "SELECT SUM(CASE WHEN x > 1 THEN 1 WHEN NOT (x > 1) THEN 0 END)"),
])
def test_rewrites(duckdb, spark):
    assert to_spark(duckdb) == spark


def test_run_values_are_bound_as_wall_clock_literals():
    sql = f"SELECT {runvars.sql(runvars.AS_OF)} > {runvars.sql(runvars.PERIOD_START)}"
    values = {runvars.AS_OF: datetime(2026, 11, 1), runvars.PERIOD_START: datetime(2026, 10, 1)}
    out = to_spark(sql, values)
    assert "2026-11-01 00:00:00" in out and "2026-10-01 00:00:00" in out and "getvariable" not in out.lower()


def test_what_spark_cannot_run_is_said():
    with pytest.raises(Unsupported, match="clausewise_period_end"):
        to_spark(f"SELECT {runvars.sql(runvars.PERIOD_END)}", {})
    with pytest.raises(Unsupported, match='date part "decade"'):
        to_spark("SELECT date_diff('decade', a, b)")


def test_missing_java_is_a_one_line_usage_error(monkeypatch):
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'clausewise[spark]')")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(UsageError, match="needs Java 17 or newer"):
        session.require()


def test_missing_pyspark_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now raises ImportError
    with pytest.raises(MissingExtra, match=r"pip install 'clausewise\[spark\]'"):
        session.require()


def test_cli_refuses_database_sources_and_a_master_without_spark(root):
    runner = CliRunner()
    spark_only = runner.invoke(cli, ["audit", "examples/example-export", "--policy", "policies/example.yaml",
                                      "--spark-master", "local[2]"])
    assert spark_only.exit_code == 2 and "--spark-master is for --engine spark" in spark_only.output
    sources = runner.invoke(cli, ["audit", "--policy", "policies/example.yaml", "--engine", "spark",
                                   "--source", "inquiries=sqlite:///no.db?table=t"])
    assert sources.exit_code == 2 and "--source is for --engine duckdb" in sources.output


def test_try_cast_reads_text_as_duckdb_does():
    # TRY_CAST is a subclass of CAST in sqlglot's tree; the shim must see it: DuckDB reads '1_000' and '0x1F' as
    # integers, Spark's own TRY_CAST does not, so the Spark SQL tests for grouped digits and hex itself.
    spark = to_spark("SELECT TRY_CAST(x AS BIGINT) FROM t")
    assert "RLIKE '^[+-]?\\\\d+(?:_\\\\d+)+$'" in spark  # grouped digits, then read without the _
    assert "CONV(SUBSTRING(__s, 3), 16, 10)" in spark  # 0x hex, read base 16


def test_list_intersect_is_array_intersect():
    # DuckDB's list_intersect: the elements of the first list also in the second, as Spark's array_intersect.
    assert to_spark("SELECT list_intersect(a, ['x'])") == "SELECT ARRAY_INTERSECT(a, ARRAY('x'))"


def test_a_fields_format_is_refused_on_spark():
    # DuckDB's strptime directives (%d one or two digits, %b month names) have no exact Spark pattern: refused.
    with pytest.raises(Unsupported, match="format:"):
        to_spark("SELECT try_strptime(x, ['%d/%m/%Y']) FROM t")


def test_parameters_become_literal_nodes():
    import sqlglot

    from clausewise.engine.spark.connection import _bound
    from clausewise.engine.spark.dialect import to_spark_tree

    tree = sqlglot.parse_one("SELECT m FROM t WHERE m >= ? AND k = ? AND n < ?", read="duckdb")
    # A quote in a string parameter stays inside its literal (sqlglot writes it escaped), never closes it.
    got = to_spark_tree(_bound(tree, [datetime(2026, 10, 1), "it's", 3]))
    assert got == ("SELECT m FROM t WHERE m >= CAST('2026-10-01 00:00:00' AS TIMESTAMP_NTZ) AND k = 'it\\'s' "
                   "AND n < 3")
    with pytest.raises(ValueError):
        _bound(sqlglot.parse_one("SELECT ?", read="duckdb"), [1, 2])


def test_every_rule_of_the_ops_support_pack_transpiles_to_spark_at_load(root):
    # Deadlines counting working time among them: each of a deadline's values is worked out in a layer of its
    # own that joins the business calendar's tables (nested calendar subqueries were more than Spark's optimiser
    # could plan). The check runs before any Spark session or file.
    import clausewise
    from clausewise.engine.program import uses_calendar
    from clausewise.engine.run import program_of
    from clausewise.engine.spark.run import check

    policy = clausewise.load("policies/ops-support.yaml")
    program = program_of(policy)
    compiled = program.selected(policy, ())
    working = {item.rule.id for item in compiled if item.rule.kind == "deadline" and uses_calendar(item)}
    assert "application-correction-notice" in working
    check(policy, program, compiled, "en")


def test_a_spark_failure_is_told_by_its_root_cause():
    # py4j's first line names a Java object, and Spark's wrapper says only where it waited; the cause is last.
    from clausewise.engine.spark.connection import said

    error = Exception(
        "An error occurred while calling o1300.save.\n"
        ": org.apache.spark.SparkException: Exception thrown in awaitResult: \n"
        "\tat org.apache.spark.util.SparkThreadUtils$.awaitResult(SparkThreadUtils.scala:56)\n"
        "Caused by: java.util.concurrent.ExecutionException: org.apache.spark.SparkArithmeticException: "
        "[DIVIDE_BY_ZERO] Division by zero.\n"
        "Caused by: org.apache.spark.SparkArithmeticException: [DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012")
    assert said(error) == "Division by zero. SQLSTATE: 22012"
    assert said(Exception("An error occurred while calling o7.sql.\n: org.apache.spark.SparkException: overflow")) \
        == "overflow"
