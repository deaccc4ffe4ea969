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
    "BitwiseRightShift": '">>" shifts bits and is not allowed in a condition; to compare write > or >=',
    "BitwiseLeftShift": '"<<" shifts bits and is not allowed in a condition; to compare write < or <=',
    "BitwiseAnd": '"&" (bitwise and) is not allowed in a condition; write AND',
    "BitwiseOr": '"|" (bitwise or) is not allowed in a condition; write OR',
    "BitwiseXor": "xor is not allowed in a condition",
    "BitwiseNot": '"~" (bitwise not) is not allowed in a condition; write NOT',
    "PositionalColumn": "a column by its position (#n) is not allowed: name the field",
    "RawString": "dollar-quoted text ($$…$$) is not allowed: write a text in single quotes, such as 'hotline'",
    "ByteString": "escape text (e'…') is not allowed: write a text in single quotes, such as 'hotline'",
    "National": "N'…' text is not allowed: write a text in single quotes, such as 'hotline'",
    "HexString": "hexadecimal text (x'…') is not allowed: write a text in single quotes",
    "BitString": "bit text (b'…') is not allowed: write a text in single quotes",
    "JSONExtract": '"->" (reading JSON) is not allowed in a condition',
    "JSONExtractScalar": '"->>" (reading JSON) is not allowed in a condition',
    "JSONBExtract": '"->" (reading JSON) is not allowed in a condition',
    "JSONBExtractScalar": '"->>" (reading JSON) is not allowed in a condition',
    "Struct": '"{…}" (a struct) is not allowed in a condition',
    "Collate": "COLLATE is not allowed in a condition; compare lower(x) = lower('…') instead",
    "Exists": "EXISTS (a subquery) is not allowed in a condition",
    "Window": "a window (OVER …) is not allowed in a condition",
    "Lambda": "a lambda (x -> …) is not allowed in a condition",
    "SimilarTo": "SIMILAR TO is not allowed in a condition; use regexp_full_match(x, 'pattern')",
    "Glob": "GLOB is not allowed in a condition; use LIKE",
    "PropertyEQ": '":=" (assignment) is not allowed in a condition; to compare write =',
    "Slice": "a slice ([a:b]) is not allowed in a condition; use substring(x, start, length)",
    "Dot": "a dotted name is not allowed in a condition: write the field name alone",
}
TYPE_NAMES = {"INT128": "HUGEINT", "UINT128": "UHUGEINT", "TIMESTAMPTZ": "TIMESTAMPTZ (TIMESTAMP WITH TIME ZONE)"}
CAST_HINTS = {
    "TIMESTAMPTZ": " (times are local time in the policy's timezone: cast to TIMESTAMP)",
    "TIME": " (cast to TIMESTAMP, or compare hour(x) and minute(x))",
}
CAST_LIST = "VARCHAR, INTEGER, BIGINT, DOUBLE, DECIMAL, DATE, TIMESTAMP, BOOLEAN or INTERVAL"


def statement(tree: exp.Expression) -> str:
    """The keyword a statement starts with, as the officer wrote it (``LOAD``, ``TRUNCATE``)."""
    if isinstance(tree, exp.Command):
        return str(tree.this).upper()
    name = type(tree).__name__
    return {"TruncateTable": "TRUNCATE"}.get(name, name.upper())


def refusal(node: exp.Expression) -> str:
    """Why ``node`` is refused, in words (never sqlglot's class name)."""
    name = type(node).__name__
    if name in REFUSED:
        return REFUSED[name]
    if isinstance(node, exp.Alias):
        return (f'"{node.alias}" after {node.this.sql("duckdb")} is not expected: two values in a row need an '
                "operator between them, such as =, <, AND")
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name).lower()
    return f'{words} ("{node.sql("duckdb")[:40]}") is not allowed in a condition'


def cast_refusal(name: str, node: exp.DataType) -> str:
    """Why a cast to type ``name`` is refused, with the types a condition may cast to."""
    shown = TYPE_NAMES.get(name.upper(), node.sql("duckdb"))
    return f"cannot cast to {shown}; a condition casts to {CAST_LIST}{CAST_HINTS.get(name.upper(), '')}"
