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
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from ..errors import Collector, Location, PolicyError, did_you_mean
from ..i18n import msg
from ..model import Duration, Parameter
from ..policy.yamlfile import YStr
from . import runvars
from .refusals import NOT_FUNCTIONS, OPAQUE, STATEMENTS, cast_refusal, refusal, statement
from .sqltext import string
from .typecheck import TypeCheck, word
from .typos import parse_problem, scan
from .whitelist import AGGREGATE_CLASSES, AGGREGATE_FUNCTIONS, ALLOWED_CASTS, ALLOWED_NODES, SCALAR_FUNCTIONS, whitelist

# sqlglot logs a warning when it falls back to reading a statement as a raw
# command (``LOAD httpfs``); the condition checker reports that statement
# itself, with its place, so the warning must not reach the user's terminal.
logging.getLogger("sqlglot").addHandler(logging.NullHandler())

# Limits that a real rule never meets and a hostile one always does (docs/security.md).
MAX_LENGTH = 10_000  # characters in one condition
MAX_DEPTH = 64  # levels of nesting
MAX_NODES = 2_000  # parts of one expression
MAX_TEXT = 1_000_000  # characters a function may make from one value


@dataclass
class Scope:
    """What a condition may name: fields (with their types) and parameters."""

    columns: dict[str, str]
    params: dict[str, Parameter]
    dataset: str
    aggregates: bool = False
    builtins: dict[str, tuple[str, Any]] = field(default_factory=dict)
    # The values an enum field can hold (an enum field's ``values``, a banded computed column's bands): a
    # comparison with a text none of them is never true, and is refused.
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)


# In a rule judged per period (``per: month``), the period being judged is a column of each record.
UNIT_START, UNIT_END = "__unit_start", "__unit_end"


def builtin_params(per: bool = False) -> dict[str, tuple[str, Any]]:
    """Parameters every condition may use: ``$as_of`` (the moment the audit is judged at) and
    ``$period_start`` / ``$period_end`` (the audit period, start included, end excluded; in a
    rule with ``per:``, the day, week, month, quarter or year being judged).

    Their values are read at run time (see ``runvars``), so a condition is
    compiled once for every audit. All three are instants.
    """
    if per:
        start, end = exp.column(UNIT_START, quoted=True), exp.column(UNIT_END, quoted=True)
    else:
        start, end = runvars.node(runvars.PERIOD_START), runvars.node(runvars.PERIOD_END)
    return {"as_of": ("timestamp", runvars.node(runvars.AS_OF)),
            "period_start": ("timestamp", start), "period_end": ("timestamp", end)}


class Condition:
    """Parse and check one condition; ``compile`` returns the safe tree or None."""

    def __init__(self, text: str, scope: Scope, what: str, errors: Collector):
        self.text = text
        self.scope = scope
        self.what = what
        self.errors = errors
        self.failed = False
        self.kind: str | None = None  # the expression's type, once compiled (None: not known)

    # ---- locating ----------------------------------------------------------
    def _loc(self, offset: int = 0) -> Location | None:
        if isinstance(self.text, YStr):
            return self.text.locate(offset)
        return None

    def _error(self, message: str, offset: int = 0) -> None:
        self.failed = True
        self.errors.add(PolicyError(msg("{what}: {message}", what=self.what, message=message), self._loc(offset)))

    def _offset(self, node: exp.Expression) -> int:
        """Where ``node`` is written: its leftmost part that the parser placed (a name or a literal)."""
        starts = [sub._meta["start"] for sub in node.walk() if "start" in (getattr(sub, "_meta", None) or {})]
        if starts:
            return min(starts)
        name = _function_name(node)
        if name:
            found = self.text.lower().find(name.lower())
            if found >= 0:
                return found
        return 0

    # ---- parsing -----------------------------------------------------------
    def compile(self, expect_boolean: bool = True) -> exp.Expression | None:
        if len(self.text) > MAX_LENGTH:
            self._error(msg("is {length} characters long; a condition may have at most {most}",
                            length=len(self.text), most=MAX_LENGTH))
            return None
        tree = self._parse()
        if tree is None or not self._check_size(tree):
            return None
        if not self._check_nodes(tree):
            return None
        tree = self._bounded(self._substitute(tree))
        kind = self.kind = TypeCheck(self).infer(tree)
        if expect_boolean and kind not in (None, "boolean", "null"):
            self._error(msg("must be true or false, but this expression gives a value of type {kind}", kind=word(kind)))
        if self.failed:
            return None
        return _quote_columns(tree)

    def _parse(self) -> exp.Expression | None:
        typos = scan(self.text)
        for typo in typos:
            self._error(typo.message, typo.offset)
        if typos:
            return None
        try:
            trees = sqlglot.parse(self.text, read="duckdb")
        except (ParseError, TokenError) as exc:
            self._parse_error(exc)
            return None
        except RecursionError:
            self._error(msg("is nested too deeply; a condition may nest at most {most} levels", most=MAX_DEPTH))
            return None
        trees = [t for t in trees if t is not None]
        if len(trees) != 1:
            semi = self.text.find(";")
            self._error(msg("write one expression; ';' and more statements are not allowed"), max(semi, 0))
            return None
        tree = trees[0]
        if isinstance(tree, exp.Subquery):
            self._error(msg("subqueries and tables are not allowed in a condition"))
            return None
        if isinstance(tree, (exp.Query, exp.Command, exp.DDL, exp.DML)) or type(tree).__name__ in STATEMENTS:
            self._error(msg("{keyword} statements are not allowed; write a condition", keyword=statement(tree)))
            return None
        return tree

    def _parse_error(self, exc: Exception) -> None:
        details = getattr(exc, "errors", None) or [{}]
        first = details[0]
        line, col = first.get("line"), first.get("col")
        highlight = first.get("highlight") or ""
        # sqlglot's column is the last character of the token it stopped at.
        offset = _offset_of(self.text, line, col) - max(len(highlight) - 1, 0) if line else 0
        desc = parse_problem(first.get("description") or str(exc).splitlines()[0], highlight)
        self._error(msg("cannot parse SQL: {problem}", problem=desc), max(offset, 0))

    def _check_size(self, tree: exp.Expression) -> bool:
        """At most ``MAX_DEPTH`` levels and ``MAX_NODES`` parts, counted without recursion."""
        stack, nodes = [(tree, 1)], 0
        while stack:
            node, depth = stack.pop()
            nodes += 1
            if depth > MAX_DEPTH:
                self._error(msg("is nested too deeply; a condition may nest at most {most} levels", most=MAX_DEPTH))
                return False
            if nodes > MAX_NODES:
                self._error(msg("has more than {most} parts; split it into several rules or computed columns", most=MAX_NODES))
                return False
            stack.extend((child, depth + 1) for child in node.iter_expressions())
        return True

    # ---- whitelist -----------------------------------------------------------
    def _check_nodes(self, tree: exp.Expression) -> bool:
        """Check every node; False when the tree is unsafe to look at further.

        The parts of a refused construct that only it can hold (the path of
        ``->``, the fields of ``{…}``) are not reported again.
        """
        stack = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, (exp.Subquery, exp.Query, exp.Table)):
                self._error(msg("subqueries and tables are not allowed in a condition"), self._offset(node))
                return False
            allowed = self._check_node(node)
            if isinstance(node, exp.Is) and not allowed:
                stack.append(node.this)  # what follows IS was the mistake, not a field to look up
            elif allowed or not isinstance(node, OPAQUE):
                stack.extend(reversed(list(node.iter_expressions())))
        return True

    def _check_node(self, node: exp.Expression) -> bool:
        """Check one node; True when it is allowed."""
        failed = self.failed
        self.failed = False
        if isinstance(node, exp.Column):
            self._check_column(node)
        elif isinstance(node, exp.Placeholder):
            self._check_param(node)
        elif isinstance(node, exp.DataType):
            self._check_cast(node)
        elif isinstance(node, exp.Star) and not isinstance(node.parent, exp.Count):
            self._error(msg("'*' is only allowed inside count(*)"), self._offset(node))
        elif isinstance(node, _COMPARISONS) or isinstance(node, exp.In):
            self._check_null(node)
            self._check_values(node)
        elif isinstance(node, exp.Is) and not isinstance(node.expression, (exp.Null, exp.Boolean)):
            self._error(msg('IS is followed by NULL, NOT NULL, TRUE or FALSE, not "{written}"; to compare values write =',
                            written=node.expression.sql("duckdb")), self._offset(node))
        elif type(node) in ALLOWED_NODES:
            pass
        elif isinstance(node, exp.Func) and not isinstance(node, NOT_FUNCTIONS):
            self._check_function(node)
        else:
            where = (node.args.get("alias") if isinstance(node, exp.Alias) else None) or node  # "x IS": at the word after x
            self._error(refusal(node), self._offset(where))
        allowed = not self.failed
        self.failed = failed or self.failed
        return allowed

    def _check_null(self, node: exp.Expression) -> None:
        """A comparison with NULL is never true: the officer means IS NULL or IS NOT NULL."""
        if isinstance(node, exp.In):
            if any(isinstance(item, exp.Null) for item in node.expressions):
                self._error(msg("NULL in an IN list never matches: write {value} IS NULL OR {value} IN (…) without the NULL",
                                value=node.this.sql("duckdb")), self._offset(node.this))
            return
        sides = [s for s in (node.this, node.expression) if not isinstance(s, exp.Null)]
        if len(sides) == 2:
            return
        value = sides[0].sql("duckdb") if sides else "x"
        test = "IS NOT NULL" if isinstance(node, exp.NEQ) else "IS NULL"
        template = ("a comparison with NULL is never true, for any record: to find filled values write {value} {test}"
                    if isinstance(node, exp.NEQ) else
                    "a comparison with NULL is never true, for any record: to find empty values write {value} {test}")
        self._error(msg(template, value=value, test=test), self._offset(sides[0]) if sides else self._offset(node))

    def _check_values(self, node: exp.Expression) -> None:
        """``grade = 'hihg'``, ``grade IN ('high', 'hihg')``: a text none of an enum's values (a banded column's
        bands) never matches; the officer misspelt a value or renamed a band."""
        if isinstance(node, exp.In):
            pairs = [(node.this, item) for item in node.expressions]
        elif isinstance(node, (exp.EQ, exp.NEQ)):
            pairs = [(node.this, node.expression), (node.expression, node.this)]
        else:
            return
        for column, text in pairs:
            if not (isinstance(column, exp.Column) and isinstance(text, exp.Literal) and text.is_string):
                continue
            values = self.scope.values.get(column.name)
            if values and text.this not in values:
                self._error(f'"{column.name}" is never "{text.this}": its values are {", ".join(values)}'
                            f"{did_you_mean(text.this, values)}", self._offset(text))

    def _check_column(self, node: exp.Column) -> None:
        if node.table:
            self._error(msg('write the field name alone, without "{table}."', table=node.table), self._offset(node))
            return
        name = node.name
        if name in self.scope.columns:
            return
        offset = self._offset(node)
        if node.this.args.get("quoted"):
            # "hotline": the officer meant a text; SQL reads double quotes as a name.
            self._error(msg('"{name}" in double quotes names a field, and dataset "{dataset}" has no field '
                            '"{name}"{hint}; write a text in single quotes: {text}', name=name,
                            dataset=self.scope.dataset, hint=did_you_mean(name, self.scope.columns),
                            text=_as_text(name)), offset)
            return
        hint = did_you_mean(name, self.scope.columns)
        if not hint and not name.isascii():
            hint = msg("; a text is written in single quotes: {text}", text=_as_text(name))
        self._error(msg('unknown field "{field}" in dataset "{name}"{hint}', field=name, name=self.scope.dataset,
                        hint=hint), offset)

    def _check_param(self, node: exp.Placeholder) -> None:
        name = node.name
        if not name or name == "?":
            self._error(msg('"?" is not a parameter: write a parameter as $name, such as $limit'),
                        max(self.text.find("?"), 0))
            return
        known = {**self.scope.params, **self.scope.builtins}
        if name not in known:
            where = self.text.find("$" + name)
            self._error(msg('unknown parameter "{value}"{hint}', value="$" + name, hint=did_you_mean(name, known)),
                        max(where, 0))

    def _check_function(self, node: exp.Func) -> None:
        name = _function_name(node) or type(node).__name__
        scalar_classes, scalar_names, aggregate_classes, aggregate_names = whitelist()
        if isinstance(node, exp.Anonymous):
            allowed = name.lower() in scalar_names or (self.scope.aggregates and name.lower() in aggregate_names)
        else:
            allowed = type(node) in scalar_classes or (
                self.scope.aggregates and type(node) in aggregate_classes
            )
        if allowed:
            return
        if not self.scope.aggregates and (isinstance(node, AGGREGATE_CLASSES) or name.lower() in aggregate_names):
            self._error(msg('aggregate function "{name}" is only allowed in aggregate rules', name=name.lower()),
                        self._offset(node))
            return
        names = list(SCALAR_FUNCTIONS) + (list(AGGREGATE_FUNCTIONS) if self.scope.aggregates else [])
        hint = did_you_mean(name.lower(), names)
        self._error(msg('function "{name}" is not allowed in a condition{hint} (see the list in docs/rules.md)',
                        name=name.lower(), hint=hint), self._offset(node))

    def _check_cast(self, node: exp.DataType) -> None:
        name = node.this.name if hasattr(node.this, "name") else str(node.this)
        if name.upper() not in ALLOWED_CASTS:
            self._error(cast_refusal(name, node), self._offset(node.parent or node))

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
                    self._error(msg("lpad/rpad to {width} characters is over the limit of {most}",
                                    width=width.this, most=f"{MAX_TEXT:,}"),
                                self._offset(node))
                return _guarded(node, width.copy(), self.what, "lpad/rpad")
            if isinstance(node, (exp.Replace, exp.RegexpReplace)):
                grows = exp.Length(this=node.args["replacement"].copy())
                size = exp.Mul(this=exp.paren(exp.Add(this=exp.Length(this=node.this.copy()), expression=exp.Literal.number(1))),
                               expression=exp.paren(exp.Add(this=grows, expression=exp.Literal.number(1))))
                return _guarded(node, size, self.what, "replace")
            return node

        return tree.transform(guard, copy=False)

    # ---- parameters ------------------------------------------------------------
    def _substitute(self, tree: exp.Expression) -> exp.Expression:
        def replace(node: exp.Expression) -> exp.Expression:
            if isinstance(node, exp.In) and isinstance(node.args.get("field"), exp.Placeholder):
                ptype, values = self._param(node.args["field"].name)
                if ptype == "unknown":
                    return exp.null()
                items = values if isinstance(values, list) else [values]
                return exp.In(this=node.this, expressions=[_literal(v) for v in items])
            if isinstance(node, exp.Bracket) and isinstance(node.this, exp.Placeholder):
                return self._map_lookup(node)
            if isinstance(node, exp.Placeholder):
                return self._param_literal(node.name)
            return node

        return tree.transform(replace, copy=False)

    def _param(self, name: str) -> tuple[str, Any]:
        """(type, value) of ``$name``; ("unknown", None) for a name or value reported already."""
        if name in self.scope.builtins:
            return self.scope.builtins[name]
        param = self.scope.params.get(name)
        if param is None:  # already reported as unknown
            return "unknown", None
        if param.value is None:  # its value is wrong, and reported where it is written
            self.failed = True
            return "unknown", None
        return param.type, param.value

    def _param_literal(self, name: str) -> exp.Expression:
        ptype, value = self._param(name)
        if ptype == "unknown":
            return exp.null()
        if ptype == "duration":
            if value.working:
                self._error(
                    msg('"{param}" is a working-time duration ({text}); use it as a deadline goal, not in a condition',
                        param="$" + name, text=value.text),
                    max(self.text.find("$" + name), 0),
                )
                return exp.null()
            return _interval(value)
        if ptype == "map":
            self._error(msg('"{param}" is a map; look a value up with {param}[field]', param="$" + name),
                        max(self.text.find("$" + name), 0))
            return exp.null()
        return _literal(value)

    def _map_lookup(self, node: exp.Bracket) -> exp.Expression:
        name = node.this.name
        ptype, mapping = self._param(name)
        if ptype == "unknown":
            return exp.null()
        if ptype != "map":
            self._error(msg('"{param}" is not a map parameter; [...] looks up maps only', param="$" + name),
                        max(self.text.find("$" + name), 0))
            return exp.null()
        if not mapping:  # a CASE with no branch, which no SQL engine takes: said here, at the lookup
            self._error(msg('"{param}" is an empty map: a lookup in it finds nothing; give it at least one value',
                            param="$" + name), max(self.text.find("$" + name), 0))
            return exp.null()
        key = node.expressions[0]
        case = exp.Case(this=key)
        for k, v in mapping.items():
            case = case.when(_literal(str(k)), _literal(v))
        return case


def _guarded(node: exp.Expression, size: exp.Expression, what: str, name: str) -> exp.Expression:
    """``node``, or, when ``size`` (the length of the text it would make) is over MAX_TEXT, an error naming ``what``.

    The refusal is written in English and Chinese, joined by " / ": a condition is compiled once into SQL that
    runs of every language share (only a rule's messages are compiled per language, ``CompiledRule.select_sql``),
    and DuckDB raises this text while the rule runs, so the run's language cannot choose it.
    """
    refusal = msg("{what}: {name} would make a text longer than {most} characters; refused", what=what, name=name,
                  most=f"{MAX_TEXT:,}")
    message = " / ".join(refusal.render(lang) for lang in ("en", "zh"))
    refuse = exp.Anonymous(this="error", expressions=[exp.Literal.string(message)])
    too_big = exp.GT(this=size, expression=exp.Literal.number(MAX_TEXT))
    return exp.Case(ifs=[exp.If(this=too_big, true=exp.Cast(this=refuse, to=exp.DataType(this=exp.DataType.Type.VARCHAR)))],
                    default=node)


def _interval(value: Duration) -> exp.Expression:
    if value.basis == "months":
        return exp.Interval(this=exp.Literal.string(str(int(value.amount))), unit=exp.Var(this="MONTH"))
    return exp.Interval(this=exp.Literal.string(str(int(value.elapsed_seconds))), unit=exp.Var(this="SECOND"))


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
        return exp.Cast(this=exp.Literal.string(value.isoformat(sep=" ")), to=exp.DataType(this=exp.DataType.Type.TIMESTAMP))
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

    return tree.transform(quote, copy=False)


def _function_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Anonymous):
        return node.name
    if isinstance(node, exp.Func):
        return node.sql_name()
    return None


_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)


def _as_text(name: str) -> str:
    """``name`` written as an SQL text, for a message that shows how (a NUL shown as \\0)."""
    return string(name.replace("\x00", "\\0"))


def _offset_of(text: str, line: int, col: int) -> int:
    lines = text.split("\n")
    before = sum(len(line_text) + 1 for line_text in lines[: max(line - 1, 0)])
    return max(before + col - 1, 0)


def compile_condition(
    text: str, scope: Scope, what: str, errors: Collector, expect_boolean: bool = True
) -> exp.Expression | None:
    """Check ``text`` in ``scope``; the safe tree, or None after adding errors."""
    return Condition(text, scope, what, errors).compile(expect_boolean)


def compile_value(text: str, scope: Scope, what: str, errors: Collector) -> tuple[exp.Expression | None, str | None]:
    """Check expression ``text`` in ``scope``: (the safe tree or None, its type when known: ``timestamp``…)."""
    condition = Condition(text, scope, what, errors)
    return condition.compile(expect_boolean=False), condition.kind
