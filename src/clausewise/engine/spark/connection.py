"""The engine's DuckDB statements, run on a Spark session.

The typing step, the computed columns and the rules talk to a connection:
they ``execute`` DuckDB statements — ``CREATE TABLE … AS SELECT``, ``CREATE
VIEW``, ``INSERT INTO __findings SELECT``, ``ALTER TABLE … RENAME`` or ``DROP
COLUMN``, ``DROP TABLE``, and queries whose rows they fetch. A
:class:`SparkConnection` takes the same statements and runs them on Spark, so
that the very code that types an export and builds computed columns for
DuckDB does it for Spark too:

- a table is a temporary view of a DataFrame kept in memory (spilling to
  disk) once computed; a view is a temporary view;
- ``INSERT INTO __findings`` keeps the statement's rows as a DataFrame, one
  per statement; :meth:`findings` is all of them, for the run to bring back
  to DuckDB in bulk;
- every query passes through :func:`.dialect.to_spark` first.

Statements are told apart by sqlglot's tree, never by text.
"""

from __future__ import annotations

import re
from datetime import datetime

import sqlglot
from sqlglot import exp

from ...errors import ClauseWiseError, DataError, Location
from ...i18n import msg
from ..plan import FINDINGS_TABLE
from .dialect import DUCKDB, to_spark_tree

FINDINGS_COLUMNS = ("rule", "row", "key", "grp", "status", "evidence", "due_at", "message")


class Rows:
    """What ``execute`` returns: the rows of a query, fetched at once (queries here return a few rows)."""

    def __init__(self, rows: list | None = None):
        self._rows = [tuple(r) for r in rows or []]

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple]:
        return list(self._rows)


class SparkConnection:
    """DuckDB statements on a Spark session; see the module's docstring.

    ``values`` are the run-time values the SQL reads (``runvars``: the as-of
    time), set by the run once it knows them.
    """

    # Checks DuckDB runs over an export's raw text (readers.csv.line_shifts: a CSV record's physical line;
    # readers.jsonl.check_records: JSON Lines lines that are not objects, duplicate keys) use DuckDB functions
    # Spark lacks: on Spark a CSV finding's line assumes no line break inside a quoted field, and those JSON
    # Lines checks are not made (docs/scale.md).
    checks_raw_text = False

    def __init__(self, spark):
        self.spark = spark
        self.values: dict = {}
        self.tables: dict[str, object] = {}  # name → DataFrame
        self.found: list = []  # findings DataFrames, in the order inserted
        self.held: dict[str, list] = {}  # name → DataFrames kept for it
        self.origins: dict[str, set[str]] = {}  # name → the export files it is read from
        self.local = None  # the run's DuckDB connection, for statements that read no table

    # ---- the statements ---------------------------------------------------------------------------
    def execute(self, sql: str, parameters: list | None = None) -> Rows:
        tree = sqlglot.parse_one(sql, read=DUCKDB)
        if parameters and self.local is not None and isinstance(tree, exp.Select) and tree.find(exp.Table) is None:
            # A value of the parameters alone (whether a format reads a value, for a column's error): DuckDB's answer.
            return Rows(self.local.execute(sql, parameters).fetchall())
        if parameters:
            tree = _bound(tree, parameters)
        handler = _HANDLERS.get(type(tree))
        try:
            if handler is not None:
                return handler(self, tree) or Rows()
            return Rows(self.frame(tree).collect())
        except (ClauseWiseError, ValueError):
            raise
        except Exception as exc:  # reading happens when a query first needs the rows: a broken file shows here
            files = self._files(tree)
            if not files:
                raise
            raise DataError(msg("cannot be read: {value1}", value1=said(exc)), Location(files[0])) from None

    def _files(self, tree: exp.Expression) -> list[str]:
        """The export files the tables of ``tree`` were read from."""
        return sorted({f for t in tree.find_all(exp.Table) for f in self.origins.get(t.name, ())})

    def frame(self, query: exp.Expression):
        """The DataFrame of a DuckDB query (a tree), transpiled."""
        return self.spark.sql(to_spark_tree(query, self.values))

    def sql(self, sql: str):
        """The DataFrame of a DuckDB query (text), transpiled."""
        return self.frame(sqlglot.parse_one(sql, read=DUCKDB))

    def register(self, name: str, frame, keep: bool = False, holds=None, origins=()) -> None:
        """``frame`` as the table (``keep``: computed once, kept in memory or on local disk) or view ``name``.

        ``holds`` is a DataFrame already kept (a checkpoint the view reads), let go of with the view;
        ``origins`` the export files it is read from.
        """
        self.origins[name] = set(origins)
        if keep:
            # Computed now, kept in memory or on local disk, and cut from the plan that made it: the typing of a
            # dataset is hundreds of expressions, and every later query that read a cached plan of them had
            # Spark's optimiser compare those plans again (minutes for the sample export; now milliseconds).
            frame = frame.localCheckpoint(eager=True)
        self.held[name] = [f for f in (frame if keep else None, holds) if f is not None]
        self.tables[name] = frame
        frame.createOrReplaceTempView(name)

    def drop(self, name: str) -> None:
        """Forget the table or view ``name`` and let go of what it kept."""
        self.tables.pop(name, None)
        for frame in self.held.pop(name, []):
            frame.unpersist()
        self.spark.catalog.dropTempView(name)

    def _create(self, tree: exp.Create) -> None:
        name = _name(tree.this)
        kind = tree.args.get("kind", "").upper()
        if tree.expression is None:
            raise ValueError(f"CREATE {kind} without a query is not run on Spark")
        self.register(name, self.frame(tree.expression), keep=kind == "TABLE", origins=self._files(tree.expression))

    def _insert(self, tree: exp.Insert) -> None:
        target = _name(tree.this)
        if target != FINDINGS_TABLE:
            raise ValueError(f"INSERT INTO {target} is not run on Spark")
        frame = self.frame(tree.expression).toDF(*FINDINGS_COLUMNS)
        returning = tree.args.get("returning")
        if returning is None:
            self.found.append(frame)
            return None
        # INSERT … RETURNING (a few rows at most, such as a rule's "not evaluated" finding): computed now, kept as rows.
        names = [_name(c) for c in returning.expressions]
        rows = frame.collect()
        if rows:
            self.found.append(self.spark.createDataFrame(rows, frame.schema))
        return Rows([tuple(row[n] for n in names) for row in rows])

    def _alter(self, tree: exp.Alter) -> None:
        name = _name(tree.this)
        for action in tree.args.get("actions") or []:
            if isinstance(action, exp.AlterRename):
                frame, held = self.tables.pop(name), self.held.pop(name, [])
                self.spark.catalog.dropTempView(name)
                self.tables[_name(action.this)], self.held[_name(action.this)] = frame, held
                self.origins[_name(action.this)] = self.origins.pop(name, set())
                frame.createOrReplaceTempView(_name(action.this))
            elif isinstance(action, exp.Drop) and action.args.get("kind", "").upper() == "COLUMN":
                for column in action.args.get("tables") or []:
                    self.tables[name] = self.tables[name].drop(_name(column))
                    self.tables[name].createOrReplaceTempView(name)
            else:
                raise ValueError(f"ALTER TABLE {action.sql(dialect=DUCKDB)} is not run on Spark")

    def _drop(self, tree: exp.Drop) -> None:
        for table in tree.args.get("tables") or []:
            self.drop(_name(table))

    # ---- the end of a run ------------------------------------------------------------------------
    def findings(self):
        """Every finding inserted, as one DataFrame (None when no statement inserted any)."""
        if not self.found:
            return None
        out = self.found[0]
        for frame in self.found[1:]:
            out = out.unionAll(frame)
        return out

    def close(self) -> None:
        """Let go of what the run kept in memory and of its views."""
        for name in list(self.tables):
            self.drop(name)
        self.found = []


def _bound(tree: exp.Expression, parameters: list) -> exp.Expression:
    """``tree`` with its ``?`` placeholders, in order, replaced by literals of ``parameters``.

    Spark SQL has no positional parameters; a value becomes a literal node of
    sqlglot's tree (never spliced into text): a naive datetime a wall-clock
    ``TIMESTAMP``, a string, a number, a boolean or NULL. Raises ValueError for
    another value or a count that does not match.
    """
    places = list(tree.find_all(exp.Placeholder, bfs=False))  # depth first: in the order written
    if len(places) != len(parameters):
        raise ValueError(f"{len(places)} placeholders but {len(parameters)} parameters")
    for place, value in zip(places, parameters):
        place.replace(_literal(value))
    return tree


def _literal(value) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        return exp.Cast(this=exp.Literal.string(value.isoformat(sep=" ")), to=exp.DataType.build("TIMESTAMP", dialect=DUCKDB))
    raise ValueError(f"a parameter of type {type(value).__name__} is not run on Spark")


# A Java exception's class before its message: "org.apache.spark.SparkException: ", "java.lang.ArithmeticException: ".
_JAVA_CLASS = re.compile(r"^(?:[a-z_][a-z0-9_]*\.)+[A-Z]\w*(?:Exception|Error): ")


def said(exc: Exception) -> str:
    """Spark's message, first line, without its error class and Java stack."""
    text = str(exc).strip()
    # py4j's own first line ("An error occurred while calling o123.save.") says nothing; Java's follows it.
    lines = [line.strip().removeprefix(": ") for line in text.splitlines()
             if line.strip() and not line.strip().startswith("An error occurred while calling")]
    first = _JAVA_CLASS.sub("", lines[0]) if lines else type(exc).__name__
    causes = [line.removeprefix("Caused by: ") for line in lines if line.startswith("Caused by: ")]
    if causes and first.rstrip().endswith(":"):  # a wrapper ("Exception thrown in awaitResult:"): its root cause
        first = _JAVA_CLASS.sub("", causes[-1])
    if first.startswith("[") and "] " in first:
        first = first.split("] ", 1)[1]
    return first[:400]


def _name(node: exp.Expression) -> str:
    """The name of a table, view or column in a statement."""
    if isinstance(node, exp.Schema):
        node = node.this
    return node.name


_HANDLERS = {
    exp.Create: SparkConnection._create,
    exp.Insert: SparkConnection._insert,
    exp.Alter: SparkConnection._alter,
    exp.Drop: SparkConnection._drop,
}
