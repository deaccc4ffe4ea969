"""The quoting module, and a guard that nothing under engine/ quotes values by hand."""

from __future__ import annotations

import ast
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from clausewise.engine import sqltext

ENGINE = Path(sqltext.__file__).parent
HISTORY = ENGINE.parent / "history"
HOSTILE = [
    "don't know",
    "low' END AS x; COPY (SELECT 'pwned' AS x) TO 'out.csv'; SELECT 'x",
    "a\"b",
    "back\\slash",
    "两个字",
    "' OR 1=1 --",
    "line\nbreak",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_string_literal_reads_back_as_exactly_the_text(text):
    con = duckdb.connect()
    assert con.execute(f"SELECT {sqltext.string(text)}").fetchone()[0] == text


@pytest.mark.parametrize("text", HOSTILE)
def test_an_identifier_names_exactly_the_text(text):
    con = duckdb.connect()
    con.execute(f"CREATE TABLE {sqltext.ident(text)} ({sqltext.ident(text)} INTEGER)")
    assert [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()] == [text]
    assert con.execute(f"SELECT count({sqltext.ident(text)}) FROM {sqltext.ident(text)}").fetchone()[0] == 0


@pytest.mark.parametrize("key", HOSTILE)
def test_a_json_path_selects_exactly_the_member(key):
    con = duckdb.connect()
    doc = {key: "found", "other": "no"}
    import json

    got = con.execute(f"SELECT json_extract_string(?, {sqltext.json_path(key)})", [json.dumps(doc)]).fetchone()[0]
    assert got == "found"


def test_nul_cannot_be_written():
    with pytest.raises(ValueError, match="NUL"):
        sqltext.string("a\x00b")
    with pytest.raises(ValueError, match="NUL"):
        sqltext.ident("a\x00b")


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, Decimal("NaN"), Decimal("Infinity"), "1; DROP", True])
def test_only_finite_numbers_are_numbers(value):
    with pytest.raises(ValueError):
        sqltext.number(value)


def test_literals_of_every_kind_round_trip():
    con = duckdb.connect()
    values = [None, True, 3, -2.5, Decimal("0.15"), "it's", datetime(2026, 10, 12, 9, 30), date(2026, 10, 1), ["a", "b'c"]]
    got = con.execute("SELECT " + ", ".join(sqltext.literal(v) for v in values)).fetchone()
    assert list(got) == [None, True, 3, -2.5, Decimal("0.15"), "it's", datetime(2026, 10, 12, 9, 30), date(2026, 10, 1), ["a", "b'c"]]


def _hand_quoting(path: Path) -> list[str]:
    """Places in one module that put a value between single quotes without the quoting module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = node.values
            for before, after in zip(parts, parts[1:]):
                if (isinstance(before, ast.Constant) and isinstance(after, ast.FormattedValue)
                        and str(before.value).endswith("'")):
                    found.append(f"{path.name}:{node.lineno}: '{{…}} in an f-string")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            for side in (node.left, node.right):
                if isinstance(side, ast.Constant) and side.value in ("'", '"'):
                    found.append(f"{path.name}:{node.lineno}: a quote added with +")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "replace"
              and len(node.args) == 2 and all(isinstance(a, ast.Constant) for a in node.args)
              and node.args[0].value in ("'", '"') and node.args[1].value == node.args[0].value * 2):
            found.append(f"{path.name}:{node.lineno}: quotes doubled by hand")
    return found


def test_no_module_under_engine_or_history_quotes_values_by_hand():
    # The run history builds its SQL from fixed text and query parameters alone.
    modules = [p for p in [*ENGINE.rglob("*.py"), *HISTORY.rglob("*.py")] if p.name != "sqltext.py"]
    assert len(modules) > 10 and any(p.parent == HISTORY for p in modules)
    problems = [problem for path in modules for problem in _hand_quoting(path)]
    assert problems == [], "use clausewise.engine.sqltext:\n" + "\n".join(problems)


def test_the_guard_catches_each_shape(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "a = f\"x = '{name}'\"\n"
        "b = \"'\" + name + \"'\"\n"
        "c = name.replace(\"'\", \"''\")\n",
        encoding="utf-8",
    )
    assert len(_hand_quoting(bad)) == 4  # the f-string, two additions, the replace
