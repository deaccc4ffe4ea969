"""What a condition may use: the functions, operators, literals and casts on the whitelist.

The whitelist is written as one sample call per allowed function, in DuckDB
spelling; the sqlglot node class each one parses to is what is admitted (so
``ifnull`` and ``coalesce``, which parse to the same node, are both allowed by
naming one). docs/rules.md lists the same functions for officers.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import exp

SCALAR_FUNCTIONS = {
    "abs": "abs(x)", "ceil": "ceil(x)", "ceiling": "ceiling(x)", "floor": "floor(x)",
    "round": "round(x, 1)", "sign": "sign(x)", "sqrt": "sqrt(x)", "power": "power(x, 2)",
    "ln": "ln(x)", "log": "log(x)", "greatest": "greatest(x, y)", "least": "least(x, y)",
    "coalesce": "coalesce(x, y)", "ifnull": "ifnull(x, y)", "nullif": "nullif(x, y)",
    "if": "if(x, y, z)", "lower": "lower(x)", "upper": "upper(x)", "trim": "trim(x)",
    "ltrim": "ltrim(x)", "rtrim": "rtrim(x)", "length": "length(x)", "substring": "substring(x, 1, 2)",
    "substr": "substr(x, 1, 2)", "left": "left(x, 2)", "right": "right(x, 2)", "concat": "concat(x, y)",
    "replace": "replace(x, 'a', 'b')", "starts_with": "starts_with(x, 'a')",
    "ends_with": "ends_with(x, 'a')", "contains": "contains(x, 'a')", "strpos": "strpos(x, 'a')",
    "lpad": "lpad(x, 2, '0')", "rpad": "rpad(x, 2, '0')", "split_part": "split_part(x, '-', 1)",
    "regexp_matches": "regexp_matches(x, 'a')", "regexp_full_match": "regexp_full_match(x, 'a')",
    "regexp_extract": "regexp_extract(x, 'a')", "regexp_replace": "regexp_replace(x, 'a', 'b')",
    "date_trunc": "date_trunc('month', x)", "date_part": "date_part('month', x)",
    "date_diff": "date_diff('day', x, y)", "datediff": "datediff('day', x, y)",
    "date_sub": "date_sub('day', x, y)", "year": "year(x)", "month": "month(x)", "day": "day(x)",
    "hour": "hour(x)", "minute": "minute(x)", "dayofweek": "dayofweek(x)", "isodow": "isodow(x)",
    "week": "week(x)", "quarter": "quarter(x)", "epoch": "epoch(x)", "last_day": "last_day(x)",
    "make_date": "make_date(x, y, z)", "strftime": "strftime(x, '%Y')",
    "to_days": "to_days(x)", "to_hours": "to_hours(x)", "to_minutes": "to_minutes(x)",
    "to_seconds": "to_seconds(x)", "len": "len(x)", "list_contains": "list_contains(x, y)",
}
AGGREGATE_FUNCTIONS = {
    "count": "count(x)", "count_star": "count(*)", "count_if": "count_if(x)", "sum": "sum(x)",
    "avg": "avg(x)", "min": "min(x)", "max": "max(x)", "median": "median(x)",
    "bool_and": "bool_and(x)", "bool_or": "bool_or(x)", "stddev": "stddev(x)",
    "any_value": "any_value(x)", "arg_max": "arg_max(x, y)", "arg_min": "arg_min(x, y)", "mode": "mode(x)",
}

ALLOWED_NODES = {
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Neg,
    exp.Not, exp.And, exp.Or, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE,
    exp.NullSafeEQ, exp.NullSafeNEQ, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv, exp.DPipe, exp.Case, exp.If,
    exp.Cast, exp.TryCast, exp.DataType, exp.Interval, exp.Var, exp.Placeholder, exp.Tuple,
    exp.Bracket, exp.Array, exp.Star, exp.Distinct, exp.Filter, exp.Where, exp.IgnoreNulls,
    exp.DataTypeParam,  # DECIMAL(10, 2): the precision and scale of an allowed cast
}
ALLOWED_CASTS = {
    "VARCHAR", "TEXT", "INT", "INTEGER", "BIGINT", "DOUBLE", "FLOAT", "DECIMAL", "DATE",
    "TIMESTAMP", "TIMESTAMPNTZ", "BOOLEAN", "INTERVAL",  # sqlglot reads DuckDB's TIMESTAMP as TIMESTAMPNTZ
}
AGGREGATE_CLASSES = (exp.AggFunc, exp.CountIf)


def _classes(samples: dict[str, str]) -> tuple[set[type], set[str]]:
    classes, anonymous = set(), set()
    for call in samples.values():
        node = sqlglot.parse_one(call, read="duckdb")
        if isinstance(node, exp.IgnoreNulls):  # any_value(x) parses as IGNORE NULLS around it
            node = node.this
        if isinstance(node, exp.Anonymous):
            anonymous.add(node.name.lower())
        else:
            classes.add(type(node))
    return classes, anonymous


@cache
def whitelist() -> tuple[set[type], set[str], set[type], set[str]]:
    """(scalar node classes, scalar anonymous names, aggregate classes, aggregate names), parsed once when first needed."""
    return (*_classes(SCALAR_FUNCTIONS), *_classes(AGGREGATE_FUNCTIONS))


