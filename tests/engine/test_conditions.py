"""Conditions: hostile SQL is refused at load; safe SQL is regenerated from the tree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausewise.engine.conditions import Scope, builtin_params, compile_condition
from clausewise.errors import Collector
from clausewise.model import Duration, Parameter
from clausewise.policy.yamlfile import parse_yaml

FIXTURES = Path(__file__).parent / "fixtures"

COLUMNS = {
    "severity": "string", "urgent": "boolean", "received_at": "timestamp", "replied_at": "timestamp",
    "channel": "enum", "priority": "string", "score": "integer", "hired_at": "date",
}
PARAMS = {
    "reply": Parameter("reply", "duration", Duration.parse("24h")),
    "review": Parameter("review", "duration", Duration.parse("3 working days")),
    "channels": Parameter("channels", "list", ["hotline", "email"]),
    "hours": Parameter("hours", "map", {"P1": 4, "P2": 24}),
    "target": Parameter("target", "number", 0.9),
}


def _compile(text: str, aggregates: bool = False, boolean: bool = True):
    errors = Collector()
    located = parse_yaml(f"c: {yaml.safe_dump(text, default_style=chr(34)).strip()}\n", "rule.yaml")["c"]
    scope = Scope(COLUMNS, PARAMS, "inquiries", aggregates, builtin_params())
    tree = compile_condition(located, scope, "when", errors, boolean)
    return tree, [str(e) for e in errors.errors]


def _pairs(name: str):
    doc = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))
    return [pytest.param(item["in"], item["out"], id=item["in"][:60]) for item in doc]


@pytest.mark.parametrize(("text", "expected"), _pairs("conditions.yaml"))
def test_condition_compiles_to(text, expected):
    tree, errors = _compile(text, aggregates="count" in text)
    assert errors == []
    assert tree.sql(dialect="duckdb") == expected


@pytest.mark.parametrize(("text", "expected"), _pairs("refused.yaml"))
def test_condition_is_refused(text, expected):
    tree, errors = _compile(text)
    assert tree is None
    assert any(expected in e for e in errors), errors


def test_error_points_at_the_offending_word():
    _, errors = _compile("channel = 'x' AND read_csv('/etc/passwd') IS NOT NULL")
    # c: "channel = 'x' AND read_csv(...)": the quote is column 4, `read_csv` starts at column 23.
    assert errors == ['rule.yaml:1:23: when: function "read_csv" is not allowed in a condition (see the list in docs/rules.md)']


def test_misspelt_field_gets_a_suggestion():
    _, errors = _compile("recieved_at IS NULL")
    assert errors == ['rule.yaml:1:5: when: unknown field "recieved_at" in dataset "inquiries" — did you mean "received_at"?']


def test_parameters_are_literals_not_text():
    tree, _ = _compile("channel IN $channels AND replied_at <= received_at + $reply AND $hours[priority] > 3")
    sql = tree.sql(dialect="duckdb")
    assert "$" not in sql
    assert "IN ('hotline', 'email')" in sql
    assert "INTERVAL '86400' SECOND" in sql
    assert "CASE \"priority\" WHEN 'P1' THEN 4 WHEN 'P2' THEN 24 END" in sql


def test_non_boolean_allowed_where_a_value_is_wanted():
    tree, errors = _compile("replied_at - received_at", boolean=False)
    assert errors == [] and tree is not None


@pytest.mark.parametrize(("text", "expected"), _pairs("mistakes.yaml"))
def test_mistake_is_said_in_plain_words(text, expected):
    # A block scalar keeps the text as written (no escapes): it starts at line 2, column 3.
    errors = Collector()
    located = parse_yaml(f"c: |-\n  {text}\n", "rule.yaml")["c"]
    tree = compile_condition(located, Scope(COLUMNS, PARAMS, "inquiries", False, builtin_params()), "when", errors)
    assert tree is None
    assert [str(e) for e in errors.errors] == [f"rule.yaml:{line}" for line in expected]


def test_a_parameter_written_wrongly_is_not_reported_again():
    # The loader reports a parameter whose value is wrong; it keeps the name with value None. A condition
    # that uses it neither compiles nor says anything more — not "unknown parameter", not an internal error.
    params = {**PARAMS, "late": Parameter("late", "duration", None), "kinds": Parameter("kinds", "list", None),
              "limits": Parameter("limits", "map", None)}
    for text in ("replied_at - received_at <= $late", "channel IN $kinds", "$limits[channel] > 1"):
        errors = Collector()
        tree = compile_condition(text, Scope(COLUMNS, params, "inquiries", False, builtin_params()), "when", errors)
        assert tree is None and errors.errors == [], text


def test_a_wrong_parameter_does_not_hide_the_other_mistakes():
    params = {**PARAMS, "late": Parameter("late", "duration", None)}
    errors = Collector()
    compile_condition("recieved_at + $late < replied_at", Scope(COLUMNS, params, "inquiries", False, builtin_params()),
                      "when", errors)
    assert [e.message for e in errors.errors] == [
        'when: unknown field "recieved_at" in dataset "inquiries" — did you mean "received_at"?']


# What an officer might type, in any order: words, operators, look-alikes, quotes, SQL keywords.
_PIECES = [
    "score", "channel", "received_at", "=", "==", "<>", "!=", "<", "<=", ">=", "<==", "=<", "AND", "OR", "NOT", "(",
    ")", "，", "（", "）", "‘", "”", "'a'", "'", '"x"', "NULL", "IS", "IN", "BETWEEN", "$reply", "$hours", "$", "?",
    "1", "2.5", "CAST", "AS", "DATE", "INTERVAL", "DAY", "coalesce(", ",", "CASE", "WHEN", "THEN", "END", "LIKE",
    "::", "+", "*", "||", "[", "]", "{", "}", ":", ";", "；", "＝", "无", "`", "#", "@", "~", "!", "^", "&", "|",
    "->", "$$", "e'x'", "N'a'", "--", "/*", "*/", "SELECT", "FROM", "count(*)", "EXISTS", "ANY", "COLLATE", "OVER",
    "FILTER", "WHERE", "ARRAY", "STRUCT", "VALUES", "GLOB", "TRY_CAST(", "EXTRACT(", "0x10",
]
_INTERNALS = re.compile(r"<class|Required keyword|Expecting|Expected |Invalid expression|Error tokenizing|"
                        r"Unexpected token|[A-Z]{3,} [A-Z]{3,} is not allowed")


# Ten times the profile's examples (200 quick, 10,000 thorough): each is one parse, a millisecond.
@settings(max_examples=10 * settings().max_examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=6))
def test_no_text_crashes_the_checker_or_shows_its_parser(pieces):
    text = " ".join(pieces)
    errors = Collector()
    tree = compile_condition(text, Scope(COLUMNS, PARAMS, "inquiries", False, builtin_params()), "when", errors)
    assert tree is not None or errors.errors, text  # refused, then always with a reason
    for error in errors.errors:
        assert not _INTERNALS.search(error.message), (text, error.message)
