"""The one place where names and values become SQL text.

Policy, rule, decision-table and waiver files are untrusted input. Conditions
reach SQL through the condition checker (``conditions.py``), which rebuilds
them from a checked sqlglot tree; every other name or value — a dataset or
field name, a band or weight name, a null token, an enum value, a file path
— reaches SQL only through the functions below, never by pasting text into a
query. A test (``tests/engine/test_sqltext.py``) fails the build when code
under ``engine/`` puts a value between quotes itself.

DuckDB's string literals are standard SQL: a quote is written twice and a
backslash is an ordinary character, so doubling quotes is the whole escape.
A NUL character cannot be written into DuckDB SQL text at all, so it is
refused with :class:`ValueError` (the loaders report it with its place).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from string import Formatter
from typing import Any


def _checked(text: str) -> str:
    if "\x00" in text:
        raise ValueError("a NUL character cannot be used in a name or value")
    return text


def ident(name: str) -> str:
    """A quoted identifier: ``ident('a"b')`` is ``"a""b"``."""
    return '"' + _checked(str(name)).replace('"', '""') + '"'


def string(text: Any) -> str:
    """A string literal: ``string("don't")`` is ``'don''t'``."""
    return "'" + _checked(str(text)).replace("'", "''") + "'"


def strings(values: Iterable[Any]) -> str:
    """Comma-separated string literals, for ``IN (…)`` lists and list literals."""
    return ", ".join(string(v) for v in values)


def number(value: Any) -> str:
    """A numeric literal from a finite int, float or Decimal; anything else is a ValueError.

    ``inf`` and ``nan`` have no literal form that means a number (DuckDB
    would read ``inf`` as a column name), so they are refused here too.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite number")
        return format(value, "f")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number")
    return repr(value)


def timestamp(value: datetime) -> str:
    """A naive local timestamp (the policy's zone) as ``TIMESTAMP '…'``."""
    return f"TIMESTAMP {string(value.isoformat(sep=' '))}"


def literal(value: Any) -> str:
    """Any parameter value as a literal: text, number, boolean, date, timestamp, NULL or a list."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        return number(value)
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return f"DATE {string(value.isoformat())}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return string(value)


def json_path(key: str) -> str:
    """A JSON path literal selecting member ``key`` of an object: ``'$."key"'``.

    Inside the path a double quote is escaped with a backslash (JSON path
    syntax); the whole path is then an ordinary string literal.
    """
    escaped = _checked(str(key)).replace("\\", "\\\\").replace('"', '\\"')
    return string(f'$."{escaped}"')


def filled(template: str, values: dict[str, str]) -> str:
    """A text template (``{name}`` placeholders, a catalogue's text in some language) as a SQL string expression.

    The words between placeholders become string literals; each ``{name}``
    is the SQL expression ``values[name]`` (a string expression, already
    quoted where it is text). ``filled('{key} is empty', {'key': 'k'})`` is
    ``k || ' is empty'``. ``{{`` and ``}}`` are literal braces.
    """
    parts = []
    for literal, name, _spec, _conversion in Formatter().parse(template):
        if literal:
            parts.append(string(literal))
        if name is not None:
            parts.append(f"({values[name]})")
    return " || ".join(parts) or "''"
