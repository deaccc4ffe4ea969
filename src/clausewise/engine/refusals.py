"""What the condition checker says when it refuses a construct: in words, never sqlglot's class names.

The checker (``conditions.py``) decides what is allowed; this module holds
how each refusal is worded — a statement by the keyword it starts with
(``LOAD statements are not allowed``), an operator by its symbol (``">>"
shifts bits``), a kind of text by how it is written (``$$…$$``), a cast with
the types a condition may cast to — so a message names what the officer wrote.
"""

from __future__ import annotations

import re

from sqlglot import exp

from ..i18n import Message, msg

# Statements sqlglot reads into a node of their own; a condition is none of them.
STATEMENTS = ("Pragma", "Copy", "Attach", "Detach", "Install", "Load", "Use", "Set", "Drop", "TruncateTable",
              "Describe", "Values", "Show", "Summarize", "Transaction", "Commit", "Rollback", "Export", "Refresh")
# Nodes that parse like functions but are operators or syntax: described in words, not as "function …".
NOT_FUNCTIONS = tuple(getattr(exp, name) for name in (
    "JSONExtract", "JSONExtractScalar", "JSONBExtract", "JSONBExtractScalar", "Struct", "Collate", "Exists")
    if hasattr(exp, name))
# A refused node whose parts are its own syntax, not more of the officer's mistakes.
OPAQUE = tuple(getattr(exp, name) for name in ("JSONExtract", "JSONExtractScalar", "JSONBExtract",
                                               "JSONBExtractScalar", "Struct", "JSONPath") if hasattr(exp, name))
REFUSED = {
    "BitwiseRightShift": msg('">>" shifts bits and is not allowed in a condition; to compare write > or >='),
    "BitwiseLeftShift": msg('"<<" shifts bits and is not allowed in a condition; to compare write < or <='),
    "BitwiseAnd": msg('"&" (bitwise and) is not allowed in a condition; write AND'),
    "BitwiseOr": msg('"|" (bitwise or) is not allowed in a condition; write OR'),
    "BitwiseXor": msg("xor is not allowed in a condition"),
    "BitwiseNot": msg('"~" (bitwise not) is not allowed in a condition; write NOT'),
    "PositionalColumn": msg("a column by its position (#n) is not allowed: name the field"),
    "RawString": msg("dollar-quoted text ($$…$$) is not allowed: write a text in single quotes, such as 'hotline'"),
    "ByteString": msg("escape text (e'…') is not allowed: write a text in single quotes, such as 'hotline'"),
    "National": msg("N'…' text is not allowed: write a text in single quotes, such as 'hotline'"),
    "HexString": msg("hexadecimal text (x'…') is not allowed: write a text in single quotes"),
    "BitString": msg("bit text (b'…') is not allowed: write a text in single quotes"),
    "JSONExtract": msg('"->" (reading JSON) is not allowed in a condition'),
    "JSONExtractScalar": msg('"->>" (reading JSON) is not allowed in a condition'),
    "JSONBExtract": msg('"->" (reading JSON) is not allowed in a condition'),
    "JSONBExtractScalar": msg('"->>" (reading JSON) is not allowed in a condition'),
    "Struct": msg('"{{…}}" (a struct) is not allowed in a condition'),
    "Collate": msg("COLLATE is not allowed in a condition; compare lower(x) = lower('…') instead"),
    "Exists": msg("EXISTS (a subquery) is not allowed in a condition"),
    "Window": msg("a window (OVER …) is not allowed in a condition"),
    "Lambda": msg("a lambda (x -> …) is not allowed in a condition"),
    "SimilarTo": msg("SIMILAR TO is not allowed in a condition; use regexp_full_match(x, 'pattern')"),
    "Glob": msg("GLOB is not allowed in a condition; use LIKE"),
    "PropertyEQ": msg('":=" (assignment) is not allowed in a condition; to compare write ='),
    "Slice": msg("a slice ([a:b]) is not allowed in a condition; use substring(x, start, length)"),
    "Dot": msg("a dotted name is not allowed in a condition: write the field name alone"),
}
TYPE_NAMES = {"INT128": "HUGEINT", "UINT128": "UHUGEINT", "TIMESTAMPTZ": "TIMESTAMPTZ (TIMESTAMP WITH TIME ZONE)"}
CAST_HINTS = {
    "TIMESTAMPTZ": msg(" (times are local time in the policy's timezone: cast to TIMESTAMP)"),
    "TIME": msg(" (cast to TIMESTAMP, or compare hour(x) and minute(x))"),
}
CAST_LIST = "VARCHAR, INTEGER, BIGINT, DOUBLE, DECIMAL, DATE, TIMESTAMP, BOOLEAN or INTERVAL"


def statement(tree: exp.Expression) -> str:
    """The keyword a statement starts with, as the officer wrote it (``LOAD``, ``TRUNCATE``)."""
    if isinstance(tree, exp.Command):
        return str(tree.this).upper()
    name = type(tree).__name__
    return {"TruncateTable": "TRUNCATE"}.get(name, name.upper())


def refusal(node: exp.Expression) -> Message:
    """Why ``node`` is refused, in words (never sqlglot's class name)."""
    name = type(node).__name__
    if name in REFUSED:
        return REFUSED[name]
    if isinstance(node, exp.Alias):
        return msg('"{alias}" after {value} is not expected: two values in a row need an '
                   "operator between them, such as =, <, AND", alias=node.alias, value=node.this.sql("duckdb"))
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name).lower()
    return msg('{words} ("{written}") is not allowed in a condition', words=words, written=node.sql("duckdb")[:40])


def cast_refusal(name: str, node: exp.DataType) -> Message:
    """Why a cast to type ``name`` is refused, with the types a condition may cast to."""
    shown = TYPE_NAMES.get(name.upper(), node.sql("duckdb"))
    return msg("cannot cast to {shown}; a condition casts to {types}{hint}", shown=shown, types=CAST_LIST,
               hint=CAST_HINTS.get(name.upper(), ""))
