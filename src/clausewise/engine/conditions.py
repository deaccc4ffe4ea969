"""Conditions: SQL expressions that officers write, parsed and checked before they run.

A condition is one SQL expression in the DuckDB dialect, such as
``severity IN ('critical', 'high') AND NOT urgent``. It is parsed with sqlglot and
every node of the tree is checked against a whitelist: the dataset's fields,
the policy's parameters (written ``$name``), a fixed list of scalar functions
(and, in aggregate rules, aggregate functions), operators, literals and casts.
Anything else — subqueries, statements, ``;``, table functions such as
``read_csv``, PRAGMA/COPY/ATTACH/INSTALL/LOAD, unknown functions — is a load
error pointing at the offending text. The SQL that runs is generated from the
checked tree, with parameters substituted as literals; the officer's text is
never pasted into a query.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from ..errors import Collector, Location, PolicyError, did_you_mean
from ..model import Duration, Parameter
from ..policy.yamlfile import YStr
from . import runvars

# sqlglot logs a warning when it falls back to reading a statement as a raw
# command (``LOAD httpfs``); the condition checker reports that statement
# itself, with its place, so the warning must not reach the user's terminal.
logging.getLogger("sqlglot").addHandler(logging.NullHandler())

# One sample call per allowed function, in DuckDB spelling; the sqlglot node class
# each one parses to is what the whitelist admits (so `ifnull` and `coalesce`,
# which parse to the same node, are both allowed by naming one).
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

_ALLOWED_NODES = {
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Neg,
    exp.Not, exp.And, exp.Or, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE,
    exp.NullSafeEQ, exp.NullSafeNEQ, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv, exp.DPipe, exp.Case, exp.If,
    exp.Cast, exp.TryCast, exp.DataType, exp.Interval, exp.Var, exp.Placeholder, exp.Tuple,
    exp.Bracket, exp.Array, exp.Star, exp.Distinct, exp.Filter, exp.Where, exp.IgnoreNulls,
}
# Limits that a real rule never meets and a hostile one always does (docs/security.md).
MAX_LENGTH = 10_000  # characters in one condition
MAX_DEPTH = 64  # levels of nesting
MAX_NODES = 2_000  # parts of one expression
MAX_TEXT = 1_000_000  # characters a function may make from one value

_ALLOWED_CASTS = {
    "VARCHAR", "TEXT", "INT", "INTEGER", "BIGINT", "DOUBLE", "FLOAT", "DECIMAL", "DATE",
    "TIMESTAMP", "TIMESTAMPNTZ", "BOOLEAN", "INTERVAL",  # sqlglot reads DuckDB's TIMESTAMP as TIMESTAMPNTZ
}
_AGG_CLASSES = (exp.AggFunc, exp.CountIf)


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
def _whitelist() -> tuple[set[type], set[str], set[type], set[str]]:
    """(scalar node classes, scalar anonymous names, aggregate classes, aggregate names), parsed once when first needed."""
    return (*_classes(SCALAR_FUNCTIONS), *_classes(AGGREGATE_FUNCTIONS))


@dataclass
class Scope:
    """What a condition may name: fields (with their types) and parameters."""

    columns: dict[str, str]
    params: dict[str, Parameter]
    dataset: str
    aggregates: bool = False
    builtins: dict[str, tuple[str, Any]] = field(default_factory=dict)


def builtin_params() -> dict[str, tuple[str, Any]]:
    """Parameters every condition may use: ``$as_of``, the audit's reference time.

    Their values are read at run time (see ``runvars``), so a condition is
    compiled once for every audit.
    """
    return {"as_of": ("timestamp", runvars.node(runvars.AS_OF))}


class Condition:
    """Parse and check one condition; ``compile`` returns the safe tree or None."""

    def __init__(self, text: str, scope: Scope, what: str, errors: Collector):
        self.text = text
        self.scope = scope
        self.what = what
        self.errors = errors
        self.failed = False

    # ---- locating ----------------------------------------------------------
    def _loc(self, offset: int = 0) -> Location | None:
        if isinstance(self.text, YStr):
            return self.text.locate(offset)
        return None

    def _error(self, message: str, offset: int = 0) -> None:
        self.failed = True
        self.errors.add(PolicyError(f"{self.what}: {message}", self._loc(offset)))

    def _offset(self, node: exp.Expression) -> int:
        for sub in node.walk():
            meta = getattr(sub, "_meta", None) or {}
            if "start" in meta:
                return meta["start"]
        name = _function_name(node)
        if name:
            found = self.text.lower().find(name.lower())
            if found >= 0:
                return found
        return 0

    # ---- parsing -----------------------------------------------------------
    def compile(self, expect_boolean: bool = True) -> exp.Expression | None:
        if len(self.text) > MAX_LENGTH:
            self._error(f"is {len(self.text)} characters long; a condition may have at most {MAX_LENGTH}")
            return None
        tree = self._parse()
        if tree is None or not self._check_size(tree):
            return None
        if not self._check_nodes(tree):
            return None
        tree = self._bounded(self._substitute(tree))
        kind = TypeCheck(self).infer(tree)
        if expect_boolean and kind not in (None, "boolean", "null"):
            self._error(f"must be true or false, but this expression gives a value of type {_word(kind)}")
        if self.failed:
            return None
        return _quote_columns(tree)

    def _parse(self) -> exp.Expression | None:
        try:
            trees = sqlglot.parse(self.text, read="duckdb")
        except (ParseError, TokenError) as exc:
            self._parse_error(exc)
            return None
        except RecursionError:
            self._error(f"is nested too deeply; a condition may nest at most {MAX_DEPTH} levels")
            return None
        trees = [t for t in trees if t is not None]
        if len(trees) != 1:
            semi = self.text.find(";")
            self._error("write one expression; ';' and more statements are not allowed", max(semi, 0))
            return None
        tree = trees[0]
        if isinstance(tree, (exp.Query, exp.Command, exp.DDL, exp.DML)) or type(tree).__name__ in (
            "Pragma", "Copy", "Attach", "Detach", "Install", "Load", "Use", "Set",
        ):
            self._error(f"{type(tree).__name__.upper()} statements are not allowed; write a condition")
            return None
        return tree

    def _parse_error(self, exc: Exception) -> None:
        details = getattr(exc, "errors", None) or [{}]
        first = details[0]
        line, col = first.get("line"), first.get("col")
        offset = _offset_of(self.text, line, col) if line else 0
        desc = _plain_parse_error(first.get("description") or str(exc).splitlines()[0])
        self._error(f"cannot parse SQL: {desc}", offset)

    def _check_size(self, tree: exp.Expression) -> bool:
        """At most ``MAX_DEPTH`` levels and ``MAX_NODES`` parts, counted without recursion."""
        stack, nodes = [(tree, 1)], 0
        while stack:
            node, depth = stack.pop()
            nodes += 1
            if depth > MAX_DEPTH:
                self._error(f"is nested too deeply; a condition may nest at most {MAX_DEPTH} levels")
                return False
            if nodes > MAX_NODES:
                self._error(f"has more than {MAX_NODES} parts; split it into several rules or computed columns")
                return False
            stack.extend((child, depth + 1) for child in node.iter_expressions())
        return True

    # ---- whitelist -----------------------------------------------------------
    def _check_nodes(self, tree: exp.Expression) -> bool:
        """Check every node; False when the tree is unsafe to look at further."""
        for node in tree.walk():
            if isinstance(node, exp.Column):
                self._check_column(node)
            elif isinstance(node, exp.Placeholder):
                self._check_param(node)
            elif isinstance(node, exp.DataType):
                self._check_cast(node)
            elif isinstance(node, (exp.Subquery, exp.Query, exp.Table)):
                self._error("subqueries and tables are not allowed in a condition", self._offset(node))
                return False
            elif isinstance(node, exp.Star) and not isinstance(node.parent, exp.Count):
                self._error("'*' is only allowed inside count(*)", self._offset(node))
            elif type(node) in _ALLOWED_NODES:
                continue
            elif isinstance(node, exp.Func):
                self._check_function(node)
            else:
                self._error(f"{_describe(node)} is not allowed in a condition", self._offset(node))
        return True

    def _check_column(self, node: exp.Column) -> None:
        if node.table:
            self._error(f'write the field name alone, without "{node.table}."', self._offset(node))
            return
        name = node.name
        if name not in self.scope.columns:
            hint = did_you_mean(name, self.scope.columns)
            self._error(f'unknown field "{name}" in dataset "{self.scope.dataset}"{hint}', self._offset(node))

    def _check_param(self, node: exp.Placeholder) -> None:
        name = node.name
        known = {**self.scope.params, **self.scope.builtins}
        if name not in known:
            where = self.text.find("$" + name)
            self._error(f'unknown parameter "${name}"{did_you_mean(name, known)}', max(where, 0))

    def _check_function(self, node: exp.Func) -> None:
        name = _function_name(node) or type(node).__name__
        scalar_classes, scalar_names, aggregate_classes, aggregate_names = _whitelist()
        if isinstance(node, exp.Anonymous):
            allowed = name.lower() in scalar_names or (self.scope.aggregates and name.lower() in aggregate_names)
        else:
            allowed = type(node) in scalar_classes or (
                self.scope.aggregates and type(node) in aggregate_classes
            )
        if allowed:
            return
        if not self.scope.aggregates and (isinstance(node, _AGG_CLASSES) or name.lower() in aggregate_names):
            self._error(f'aggregate function "{name.lower()}" is only allowed in aggregate rules', self._offset(node))
            return
        names = list(SCALAR_FUNCTIONS) + (list(AGGREGATE_FUNCTIONS) if self.scope.aggregates else [])
        hint = did_you_mean(name.lower(), names)
        self._error(f'function "{name.lower()}" is not allowed in a condition{hint} (see the list in docs/rules.md)', self._offset(node))

    def _check_cast(self, node: exp.DataType) -> None:
        name = node.this.name if hasattr(node.this, "name") else str(node.this)
        if name.upper() not in _ALLOWED_CASTS:
            self._error(f"cannot cast to {node.sql('duckdb')}", self._offset(node.parent or node))

    # ---- limits ---------------------------------------------------------------
    def _bounded(self, tree: exp.Expression) -> exp.Expression:
        """The tree with a guard around each function whose result can outgrow its input.

        ``lpad``/``rpad`` to a huge width, or ``replace`` of every character by
        a long text, could ask for gigabytes from one small cell; such a value
        is refused at run time with an error naming the rule, and a literal
        width over the limit is refused here.
        """
        def guard(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.Pad):
                width = node.expression
                if isinstance(width, exp.Literal) and not width.is_string and float(width.this) > MAX_TEXT:
                    self._error(f"lpad/rpad to {width.this} characters is over the limit of {MAX_TEXT:,}",
                                self._offset(node))
                return _guarded(node, width.copy(), self.what, "lpad/rpad")
            if isinstance(node, (exp.Replace, exp.RegexpReplace)):
                grows = exp.Length(this=node.args["replacement"].copy())
                size = exp.Mul(this=exp.paren(exp.Add(this=exp.Length(this=node.this.copy()), expression=exp.Literal.number(1))),
                               expression=exp.paren(exp.Add(this=grows, expression=exp.Literal.number(1))))
                return _guarded(node, size, self.what, "replace")
            return node

        return tree.transform(guard)

    # ---- parameters ------------------------------------------------------------
    def _substitute(self, tree: exp.Expression) -> exp.Expression:
        def replace(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.In) and isinstance(node.args.get("field"), exp.Placeholder):
                values = self._param_value(node.args["field"].name)
                items = values if isinstance(values, list) else [values]
                return exp.In(this=node.this, expressions=[_literal(v) for v in items])
            if isinstance(node, exp.Bracket) and isinstance(node.this, exp.Placeholder):
                return self._map_lookup(node)
            if isinstance(node, exp.Placeholder):
                return self._param_literal(node.name)
            return node

        return tree.transform(replace)

    def _param(self, name: str) -> tuple[str, Any]:
        if name in self.scope.builtins:
            return self.scope.builtins[name]
        param = self.scope.params.get(name)
        if param is None:  # already reported as unknown
            return "unknown", None
        return param.type, param.value

    def _param_value(self, name: str) -> Any:
        return self._param(name)[1]

    def _param_literal(self, name: str) -> exp.Expression:
        ptype, value = self._param(name)
        if ptype == "duration":
            if value.working:
                self._error(
                    f'"${name}" is a working-time duration ({value.text}); use it as a deadline goal, not in a condition',
                    max(self.text.find("$" + name), 0),
                )
                return exp.null()
            return _interval(value)
        if ptype == "map":
            self._error(f'"${name}" is a map; look a value up with ${name}[field]', max(self.text.find("$" + name), 0))
            return exp.null()
        return _literal(value)

    def _map_lookup(self, node: exp.Bracket) -> exp.Expression:
        name = node.this.name
        ptype, mapping = self._param(name)
        if ptype != "map":
            self._error(f'"${name}" is not a map parameter; [...] looks up maps only', max(self.text.find("$" + name), 0))
            return exp.null()
        key = node.expressions[0]
        case = exp.Case(this=key)
        for k, v in mapping.items():
            case = case.when(_literal(str(k)), _literal(v))
        return case


def _guarded(node: exp.Expression, size: exp.Expression, what: str, name: str) -> exp.Expression:
    message = f"{what}: {name} would make a text longer than {MAX_TEXT:,} characters; refused"
    refuse = exp.Anonymous(this="error", expressions=[exp.Literal.string(message)])
    too_big = exp.GT(this=size, expression=exp.Literal.number(MAX_TEXT))
    return exp.Case(ifs=[exp.If(this=too_big, true=exp.Cast(this=refuse, to=exp.DataType.build("VARCHAR")))],
                    default=node)


def _interval(value: Duration) -> exp.Expression:
    if value.basis == "months":
        return exp.Interval(this=exp.Literal.string(str(int(value.amount))), unit=exp.Var(this="MONTH"))
    return exp.Interval(this=exp.Literal.string(str(int(value.seconds))), unit=exp.Var(this="SECOND"))


def _literal(value: Any) -> exp.Expression:
    if isinstance(value, exp.Expression):  # a run-time value
        return value.copy()
    if isinstance(value, Duration):
        return _interval(value)
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    if isinstance(value, datetime):
        return exp.Cast(this=exp.Literal.string(value.isoformat(sep=" ")), to=exp.DataType.build("TIMESTAMP"))
    if isinstance(value, list):
        return exp.Array(expressions=[_literal(v) for v in value])
    if value is None:
        return exp.null()
    return exp.Literal.string(str(value))


def literal(value: Any) -> exp.Expression:
    """A SQL literal for a parameter value (public for the rule kinds)."""
    return _literal(value)


def _quote_columns(tree: exp.Expression) -> exp.Expression:
    def quote(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column):
            return exp.column(node.name, quoted=True)
        return node

    return tree.transform(quote)


def _function_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Anonymous):
        return node.name
    if isinstance(node, exp.Func):
        return node.sql_name()
    return None


def _describe(node: exp.Expression) -> str:
    name = _function_name(node)
    if name:
        return f'function "{name.lower()}"'
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type(node).__name__).upper()


_MISSING = re.compile(r"Required keyword: '(\w+)' missing for <class '[\w.]*?(\w+)'>")
_SIDES = {"expression": "what comes after it", "this": "what comes before it"}


def _plain_parse_error(description: str) -> str:
    """sqlglot's wording for an unfinished expression, in plain words."""
    match = _MISSING.search(description)
    if not match:
        return description
    keyword, node = match.groups()
    return f"{node.upper()} is missing {_SIDES.get(keyword, keyword)}"


def _offset_of(text: str, line: int, col: int) -> int:
    lines = text.split("\n")
    before = sum(len(line_text) + 1 for line_text in lines[: max(line - 1, 0)])
    return max(before + col - 1, 0)


# ---- types -----------------------------------------------------------------------
_CATEGORY = {
    "string": "text", "enum": "text", "integer": "number", "number": "number",
    "boolean": "boolean", "date": "time", "timestamp": "time", "interval": "interval",
}
_FUNCTION_TYPES = {
    exp.Count: "integer", exp.CountIf: "integer", exp.Sum: "number", exp.Avg: "number",
    exp.Lower: "string", exp.Upper: "string", exp.Trim: "string", exp.Length: "integer",
    exp.DateDiff: "integer", exp.RegexpLike: "boolean",
}


class TypeCheck:
    """Infer expression types where they are known and report impossible comparisons.

    Types are field types (string, integer, number, boolean, date, timestamp),
    plus interval, null, and None for "not known here" — unknown never errors.
    """

    def __init__(self, cond: Condition):
        self.cond = cond

    def infer(self, node: exp.Expression) -> str | None:
        method = getattr(self, "_" + type(node).__name__, None)
        return method(node) if method else self._children(node)

    def _children(self, node: exp.Expression) -> None:
        for child in node.iter_expressions():
            self.infer(child)
        return _FUNCTION_TYPES.get(type(node))

    def _Column(self, node):
        return self.cond.scope.columns.get(node.name)

    def _Literal(self, node):
        return "text_literal" if node.is_string else "number"

    def _Boolean(self, node):
        return "boolean"

    def _Null(self, node):
        return "null"

    def _Interval(self, node):
        return "interval"

    def _Paren(self, node):
        return self.infer(node.this)

    def _Neg(self, node):
        return self.infer(node.this)

    def _Cast(self, node):
        self.infer(node.this)
        name = node.to.this.name.lower() if hasattr(node.to.this, "name") else ""
        return {"varchar": "string", "text": "string", "int": "integer", "bigint": "integer",
                "integer": "integer", "double": "number", "float": "number", "decimal": "number",
                "date": "date", "timestamp": "timestamp", "timestampntz": "timestamp", "boolean": "boolean",
                "interval": "interval"}.get(name)

    _TryCast = _Cast

    def _logic(self, node):
        for child in node.iter_expressions():
            self._expect_boolean(child)
        return "boolean"

    _And = _Or = _Not = _logic

    def _expect_boolean(self, node):
        kind = self.infer(node)
        if kind not in (None, "boolean", "null"):
            self.cond._error(
                f"{node.sql('duckdb')} is of type {_word(kind)}, but AND/OR/NOT need true or false",
                self.cond._offset(node),
            )

    def _compare(self, node):
        left, right = self.infer(node.this), self.infer(node.expression)
        self._compatible(node, node.this, left, node.expression, right)
        return "boolean"

    _EQ = _NEQ = _GT = _GTE = _LT = _LTE = _NullSafeEQ = _NullSafeNEQ = _compare

    def _Is(self, node):
        self.infer(node.this)
        return "boolean"

    def _In(self, node):
        left = self.infer(node.this)
        for item in node.expressions:
            self._compatible(node, node.this, left, item, self.infer(item))
        return "boolean"

    def _Between(self, node):
        left = self.infer(node.this)
        for bound in (node.args.get("low"), node.args.get("high")):
            if bound is not None:
                self._compatible(node, node.this, left, bound, self.infer(bound))
        return "boolean"

    def _like(self, node):
        self._children(node)
        return "boolean"

    _Like = _ILike = _RegexpLike = _RegexpFullMatch = _like

    def _Add(self, node):
        return self._arith(node, "+")

    def _Sub(self, node):
        return self._arith(node, "-")

    def _arith(self, node, op):
        left, right = self.infer(node.this), self.infer(node.expression)
        cats = (_cat(left), _cat(right))
        if cats == ("time", "interval") or (op == "+" and cats == ("interval", "time")):
            return "timestamp"
        if cats == ("time", "time") and op == "-":
            return "interval" if "timestamp" in (left, right) else "integer"
        if cats == ("time", "number") and left == "date":
            return "date"
        if cats == ("number", "number"):
            return "number"
        if cats == ("interval", "interval"):
            return "interval"
        if None in cats or "null" in (left, right):
            return None
        if "text" in cats and "time" in cats:
            return None  # '2026-10-01' + INTERVAL … is fine for DuckDB
        self.cond._error(f"cannot compute {_word(left)} {op} {_word(right)} in {node.sql('duckdb')}", self.cond._offset(node))
        return None

    def _numeric(self, node):
        left, right = self.infer(node.this), self.infer(node.expression)
        if _cat(left) == "interval" or _cat(right) == "interval":
            return "interval"
        return "number" if _cat(left) == _cat(right) == "number" else None

    _Mul = _Div = _Mod = _IntDiv = _numeric

    def _DPipe(self, node):
        self._children(node)
        return "string"

    def _Case(self, node):
        simple = node.this is not None
        if simple:
            self.infer(node.this)
        results = []
        for branch in node.args.get("ifs", []):
            if simple:
                self.infer(branch.this)
            else:
                self._expect_boolean(branch.this)
            results.append(self.infer(branch.args["true"]))
        if node.args.get("default") is not None:
            results.append(self.infer(node.args["default"]))
        known = [k for k in results if k not in (None, "null")]
        return known[0] if known else None

    def _If(self, node):
        self._expect_boolean(node.this)
        true = self.infer(node.args["true"])
        false = self.infer(node.args["false"]) if node.args.get("false") else None
        return true if true not in (None, "null") else false

    def _Coalesce(self, node):
        kinds = [self.infer(c) for c in node.iter_expressions()]
        known = [k for k in kinds if k not in (None, "null")]
        return known[0] if known else None

    def _compatible(self, node, a, left, b, right) -> None:
        if left in (None, "null") or right in (None, "null"):
            return
        if left == "text_literal" and right == "text_literal":
            return
        if left == "text_literal":
            a, left, b, right = b, right, a, left
        if right == "text_literal":
            self._literal_fits(node, left, b)
            return
        if _cat(left) != _cat(right):
            self.cond._error(
                f"cannot compare {_word(left)} with {_word(right)} in {node.sql('duckdb')}",
                self.cond._offset(node),
            )

    def _literal_fits(self, node, kind, literal_node) -> None:
        text = literal_node.this
        ok = {
            "text": lambda: True,
            "number": lambda: float(text) is not None,
            "boolean": lambda: text.lower() in ("true", "false"),
            "time": lambda: datetime.fromisoformat(text) is not None,
            "interval": lambda: True,
        }.get(_cat(kind), lambda: True)
        try:
            fits = ok()
        except ValueError:
            fits = False
        if not fits:
            self.cond._error(f'"{text}" is not a valid {_word(kind)} in {node.sql("duckdb")}', self.cond._offset(node))


def _cat(kind: str | None) -> str | None:
    if kind == "text_literal":
        return "text"
    return _CATEGORY.get(kind, kind)


def _word(kind: str | None) -> str:
    return {"text_literal": "text", "string": "text", "enum": "text"}.get(kind, kind or "value")


def compile_condition(
    text: str, scope: Scope, what: str, errors: Collector, expect_boolean: bool = True
) -> exp.Expression | None:
    """Check ``text`` in ``scope``; the safe tree, or None after adding errors."""
    return Condition(text, scope, what, errors).compile(expect_boolean)
