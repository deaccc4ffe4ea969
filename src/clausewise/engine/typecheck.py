"""Types of condition expressions: inferred where known, impossible comparisons reported.

Types are field types (string, integer, number, boolean, date, timestamp),
plus interval, null, and None for "not known here" — unknown never errors,
so the checker only speaks when it is sure.
"""

from __future__ import annotations

from datetime import datetime

from sqlglot import exp

from ..i18n import msg

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

    def __init__(self, cond):
        # cond: the Condition being checked; it reports the errors, with their places.
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
                msg("{expression} is of type {kind}, but AND/OR/NOT need true or false",
                    expression=node.sql("duckdb"), kind=word(kind)),
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
        cats = (category(left), category(right))
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
        self.cond._error(msg("cannot compute {left} {op} {right} in {expression}", left=word(left), op=op,
                             right=word(right), expression=node.sql("duckdb")), self.cond._offset(node))
        return None

    def _numeric(self, node):
        left, right = self.infer(node.this), self.infer(node.expression)
        if category(left) == "interval" or category(right) == "interval":
            return "interval"
        return "number" if category(left) == category(right) == "number" else None

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
        if category(left) != category(right):
            self.cond._error(
                msg("cannot compare {left} with {right} in {expression}", left=word(left), right=word(right),
                    expression=node.sql("duckdb")),
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
        }.get(category(kind), lambda: True)
        try:
            fits = ok()
        except ValueError:
            fits = False
        if not fits:
            self.cond._error(msg('"{text}" is not a valid {kind} in {expression}', text=text, kind=word(kind),
                                 expression=node.sql("duckdb")), self.cond._offset(node))


def category(kind: str | None) -> str | None:
    if kind == "text_literal":
        return "text"
    return _CATEGORY.get(kind, kind)


def word(kind: str | None) -> str:
    return {"text_literal": "text", "string": "text", "enum": "text"}.get(kind, kind or "value")


