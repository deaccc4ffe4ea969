"""Reading text as DuckDB reads it, in Spark SQL: timestamps, dates and numbers.

The typing step (``engine/convert.py``) asks DuckDB's ``TRY_CAST`` whether a
cell is a timestamp, a date or a number, and what it says decides which values
are ``invalid`` findings. Spark's own casts accept other shapes (no
``2026/10/12``, no ``9:5``, but ``1d`` as a number), so on Spark each such
cast is this module's expression instead, which accepts what DuckDB accepts:

- a date: year (any number of digits), month and day of one or two digits,
  separated alike by ``-``, ``/`` or a space;
- a time after ``T`` or white space: hours and minutes of one or two digits,
  optional seconds, optional fraction (cut to microseconds), ``24:00:00`` as
  the next midnight;
- for an instant (``TIMESTAMPTZ``), then ``Z``, an offset (``+08``,
  ``+0800``, ``+08:00``, ``+08:00:00``) or, after a space, ``UTC``, ``GMT``
  or an IANA zone name (``Asia/Shanghai``);
- ``epoch``, ``infinity`` and ``-infinity``, which DuckDB reads too;
- an integer: digits with a sign, ``_`` between digits, or ``0x`` hex; a
  number: also a fraction and an exponent; blanks around any of them.

What is left: DuckDB reads zone names without regard to case
(``asia/shanghai``) and dates ``(BC)``; Spark does not, so such cells are
invalid on Spark (docs/scale.md).

Common shapes (``2026-10-12 09:30:00``) take Spark's own cast, which reads
them alike and is faster than taking the text apart.
"""

from __future__ import annotations

from sqlglot import exp

SPARK = "spark"


def lit(text: str) -> str:
    """A Spark string literal (backslashes escaped)."""
    return exp.Literal.string(text).sql(dialect=SPARK)


_DATE = r"(\d+)([-/ ])(\d{1,2})\2(\d{1,2})"
_TIME = r"(?:(?:T|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?)?"
_ZONE = r"(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?|\s+(?i:UTC|GMT)|\s+[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*)"
NAIVE = f"^{_DATE}{_TIME}$"
ZONED = f"^{_DATE}{_TIME}{_ZONE}$"
DATE_ONLY = f"^{_DATE}$"
# Shapes Spark's own cast reads exactly as DuckDB does.
_PLAIN_TIME = r"^\d{4}-\d{2}-\d{2}(?:[ T](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?)?$"
_PLAIN_ZONED = r"^\d{4}-\d{2}-\d{2}[ T](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})$"
_PLAIN_DATE = r"^\d{4}-\d{2}-\d{2}$"
_INTEGER = r"^[+-]?\d+$"
_GROUPED = r"^[+-]?\d+(?:_\d+)+$"
_HEX = r"^0[xX][0-9a-fA-F]+$"
_NUMBER = r"^[+-]?(?:\d+(?:_\d+)*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_SPECIAL = {"epoch": "1970-01-01 00:00:00", "infinity": "9999-12-31 23:59:59.999999", "-infinity": "0001-01-01 00:00:00"}


_BLANKS = r"^\s+|\s+$"


def _trimmed(text: str) -> str:
    return f"regexp_replace({text}, {lit(_BLANKS)}, '')"


def _part(s: str, pattern: str, group: int) -> str:
    return f"regexp_extract({s}, {lit(pattern)}, {group})"


def _int(s: str, pattern: str, group: int) -> str:
    return f"CAST(nullif({_part(s, pattern, group)}, '') AS INT)"


def _seconds(s: str, pattern: str) -> str:
    """Seconds with their fraction cut to microseconds, as DECIMAL(16, 6)."""
    whole = f"coalesce({_int(s, pattern, 7)}, 0)"
    fraction = f"rpad(substring({_part(s, pattern, 8)}, 1, 6), 6, '0')"
    return f"CAST({whole} AS DECIMAL(16, 6)) + CAST(CAST({fraction} AS INT) AS DECIMAL(16, 6)) / 1000000"


def _made(s: str, pattern: str, zone: str | None) -> str:
    """The value of text matching ``pattern`` (``NAIVE`` or ``ZONED``): a wall-clock time or an instant."""
    y, mo, d = (_int(s, pattern, g) for g in (1, 3, 4))
    h, mi = f"coalesce({_int(s, pattern, 5)}, 0)", f"coalesce({_int(s, pattern, 6)}, 0)"
    secs = _seconds(s, pattern)
    midnight = f"({h} = 24 AND {mi} = 0 AND {secs} = 0)"  # 24:00:00 is the next day's midnight
    hour = f"CASE WHEN {midnight} THEN 0 ELSE {h} END"
    if zone is None:
        made = f"try_make_timestamp_ntz({y}, {mo}, {d}, {hour}, {mi}, {secs})"
    else:
        made = f"try_make_timestamp({y}, {mo}, {d}, {hour}, {mi}, {secs}, {zone})"
    return f"CASE WHEN {midnight} THEN {made} + INTERVAL '1' DAY ELSE {made} END"


def _zone(s: str) -> str:
    """The zone of text matching ``ZONED``, as Java names it (``+08:00``, ``UTC``, ``Asia/Tokyo``)."""
    z = f"trim({_part(s, ZONED, 9)})"
    digits = f"regexp_replace({z}, ':', '')"
    offset = (f"concat(substring({digits}, 1, 3), ':', coalesce(nullif(substring({digits}, 4, 2), ''), '00'), "
              f"CASE WHEN length({digits}) > 5 THEN concat(':', substring({digits}, 6, 2)) ELSE '' END)")
    return (f"CASE WHEN {z} = 'Z' THEN 'UTC' WHEN upper({z}) IN ('UTC', 'GMT') THEN upper({z}) "
            f"WHEN substring({z}, 1, 1) IN ('+', '-') THEN {offset} ELSE {z} END")


def _special(s: str, kind: str) -> str:
    """``epoch``, ``infinity``, ``-infinity`` as ``kind``."""
    whens = " ".join(f"WHEN {lit(word)} THEN CAST({lit(value)} AS {kind})" for word, value in _SPECIAL.items())
    return f"CASE lower({s}) {whens} END"


def timestamp(text: str) -> str:
    """Spark SQL: ``TRY_CAST(text AS TIMESTAMP)`` as DuckDB reads it (a naive wall-clock time; NULL if not one).

    An offset or zone after the time is read and dropped, as DuckDB drops it.
    """
    s = "__s"
    body = (f"CASE WHEN {s} RLIKE {lit(_PLAIN_TIME)} THEN try_cast({s} AS TIMESTAMP_NTZ) "
            f"WHEN {s} RLIKE {lit(NAIVE)} THEN {_made(s, NAIVE, None)} "
            f"WHEN {s} RLIKE {lit(ZONED)} THEN {_made(s, ZONED, None)} "
            f"ELSE {_special(s, 'TIMESTAMP_NTZ')} END")
    return _with_trimmed(text, body)


def instant(text: str) -> str:
    """Spark SQL: ``TRY_CAST(text AS TIMESTAMPTZ)`` as DuckDB reads it (an instant; NULL if not one).

    Without an offset or zone, a wall-clock time in the session's time zone (the policy's).
    """
    s = "__s"
    body = (f"CASE WHEN {s} RLIKE {lit(_PLAIN_ZONED)} OR {s} RLIKE {lit(_PLAIN_TIME)} THEN try_cast({s} AS TIMESTAMP) "
            f"WHEN {s} RLIKE {lit(ZONED)} THEN {_made(s, ZONED, _zone(s))} "
            f"WHEN {s} RLIKE {lit(NAIVE)} THEN {_made(s, NAIVE, 'current_timezone()')} "
            f"ELSE {_special(s, 'TIMESTAMP')} END")
    return _with_trimmed(text, body)


def date(text: str) -> str:
    """Spark SQL: ``TRY_CAST(text AS DATE)`` as DuckDB reads it."""
    s = "__s"
    y, mo, d = (_int(s, DATE_ONLY, g) for g in (1, 3, 4))
    body = (f"CASE WHEN {s} RLIKE {lit(_PLAIN_DATE)} THEN try_cast({s} AS DATE) "
            f"WHEN {s} RLIKE {lit(DATE_ONLY)} THEN CAST(try_make_timestamp_ntz({y}, {mo}, {d}, 0, 0, 0) AS DATE) "
            f"ELSE CAST({_special(s, 'TIMESTAMP_NTZ')} AS DATE) END")
    return _with_trimmed(text, body)


def integer(text: str, target: str) -> str:
    """Spark SQL: ``TRY_CAST(text AS <integer type>)`` as DuckDB reads it."""
    s = "__s"
    body = (f"CASE WHEN {s} RLIKE {lit(_INTEGER)} THEN try_cast({s} AS {target}) "
            f"WHEN {s} RLIKE {lit(_GROUPED)} THEN try_cast(replace({s}, '_', '') AS {target}) "
            f"WHEN {s} RLIKE {lit(_HEX)} THEN try_cast(conv(substring({s}, 3), 16, 10) AS {target}) END")
    return _with_trimmed(text, body)


def number(text: str, target: str) -> str:
    """Spark SQL: ``TRY_CAST(text AS DOUBLE)`` as DuckDB reads it (``nan`` and ``inf`` too)."""
    s = "__s"
    words = "('nan', '+nan', '-nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity')"
    body = (f"CASE WHEN {s} RLIKE {lit(_NUMBER)} THEN try_cast(replace({s}, '_', '') AS {target}) "
            f"WHEN lower({s}) IN {words} THEN try_cast(lower({s}) AS {target}) END")
    return _with_trimmed(text, body)


def _with_trimmed(text: str, body: str) -> str:
    """``body`` (which names the trimmed text ``__s``) over ``text``, the text computed once."""
    return f"transform(array({_trimmed(f'CAST({text} AS STRING)')}), __s -> {body})[0]"


_READERS = {
    exp.DataType.Type.TIMESTAMPNTZ: timestamp,
    exp.DataType.Type.TIMESTAMP: timestamp,
    exp.DataType.Type.TIMESTAMPTZ: instant,
    exp.DataType.Type.DATE: date,
}
_INTEGERS = {exp.DataType.Type.BIGINT: "BIGINT", exp.DataType.Type.INT: "INT", exp.DataType.Type.SMALLINT: "SMALLINT",
             exp.DataType.Type.TINYINT: "TINYINT"}
_NUMBERS = {exp.DataType.Type.DOUBLE: "DOUBLE", exp.DataType.Type.FLOAT: "FLOAT"}


def cast(node: exp.Cast) -> str | None:
    """Spark SQL for a DuckDB ``TRY_CAST`` that reads text as a time or a number; None for any other cast."""
    if not isinstance(node, exp.TryCast):
        return None
    target = node.to.this
    value = node.this.sql(dialect=SPARK)
    if target in _READERS:
        return _READERS[target](value)
    if target in _INTEGERS:
        return integer(value, _INTEGERS[target])
    if target in _NUMBERS:
        return number(value, _NUMBERS[target])
    return None


_INTERVAL = r"INTERVAL '(-?)(\d+) ([0-9:.]+)' DAY TO SECOND"
# Spark's text of a day-time interval is first taken apart as "sign|days|time", then put as DuckDB writes it.
# ($ followed by a digit names a group only as far as such a group exists: "$11 day" is group 1, then "1 day".)
_INTERVAL_WORDS = (
    (r"-?\|0\|00:00:00", "00:00:00"),
    (r"(-?)\|1\|00:00:00", "$11 day"),
    (r"(-?)\|(\d+)\|00:00:00", "$1$2 days"),
    (r"(-?)\|0\|([0-9:.]+)", "$1$2"),
    (r"(-?)\|1\|([0-9:.]+)", "$11 day $1$2"),
    (r"(-?)\|(\d+)\|([0-9:.]+)", "$1$2 days $1$3"),
)


def interval_text(text: str, quoted: bool = False) -> str:
    """Spark SQL: ``text`` with Spark's text of a day-time interval (``INTERVAL '1 01:30:00' DAY TO SECOND``)
    written as DuckDB writes it (``1 day 01:30:00``).

    DuckDB writes the days when there are some, then the time
    ``[-]HH:MM:SS`` with a fraction without trailing zeros when there is
    some, ``00:00:00`` for none; days and time carry the sign each (the
    engine's intervals have one sign). ``text`` is the whole interval, or
    (``quoted``) JSON text whose string members may be intervals. ``text`` is
    named once, so it may hold a subquery.
    """
    start, end = ('"', '"') if quoted else ("^", "$")
    mark = '"' if quoted else ""
    out = f"regexp_replace({text}, {lit(start + _INTERVAL + end)}, {lit(mark + '$1|$2|$3' + mark)})"
    for pattern, replacement in _INTERVAL_WORDS:
        out = f"regexp_replace({out}, {lit(start + pattern + end)}, {lit(mark + replacement + mark)})"
    return out
