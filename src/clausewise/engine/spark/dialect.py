"""The engine's DuckDB SQL as Spark SQL: sqlglot's transpiler, and shims where DuckDB and Spark differ.

Every statement the Spark engine runs is one the engine compiled for DuckDB
(a rule, a computed column, the typing of an export, the business
calendar), parsed by sqlglot and written out in Spark's dialect. sqlglot
knows most of the mapping (``list_filter`` → ``filter``, ``strftime`` →
``date_format``, ``TIMESTAMPTZ`` → ``TIMESTAMP``, ``TIMESTAMP`` →
``TIMESTAMP_NTZ``, 1-based list indexes → 0-based); what it does not know,
or knows differently from what DuckDB does, is rewritten on the tree first,
each case one small function in :data:`SHIMS`:

- ``getvariable('clausewise_as_of')`` (the run's as-of time, ``runvars``)
  becomes a timestamp literal;
- ``json_object`` becomes ``to_json(named_struct(…))``, with timestamps
  written as text the way DuckDB writes them;
- ``epoch_us``, ``make_timestamptz``, ``to_microseconds`` and ``to_days``
  become ``unix_micros``, ``timestamp_micros`` and exact interval
  arithmetic; an interval shown as text is written DuckDB's way
  (``1 day 01:30:00``), not Spark's (``INTERVAL '1 01:30:00' DAY TO SECOND``);
- ``list_has_any`` becomes ``arrays_overlap``, ``error`` ``raise_error``,
  ``regexp_full_match`` an anchored ``RLIKE``, ``isfinite`` a comparison;
- ``regexp_extract`` without a group gets DuckDB's group 0 (Spark's default
  is group 1);
- the typing of timestamps and dates (``TRY_CAST`` of text to ``TIMESTAMP``,
  ``TIMESTAMPTZ`` or ``DATE``) reads exactly the shapes DuckDB reads
  (``reading.py``), not Spark's own; a field's ``format:`` (``try_strptime``)
  is refused.

A function the engine does not know how to give Spark raises
:class:`Unsupported`, which the run reports at load time, before any data is
read. Spark evaluates functions in Java, so regular expressions are Java's
(RE2's syntax, which DuckDB uses, is almost a subset of it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import sqlglot
from sqlglot import exp

from ...i18n import msg
from .. import runvars
from . import reading

DUCKDB, SPARK = "duckdb", "spark"


class Unsupported(Exception):
    """The statement uses something the Spark engine cannot run; the message says what."""


def to_spark(sql: str, values: dict[str, datetime] | None = None) -> str:
    """Spark SQL for the DuckDB statement ``sql``; ``values`` are the run-time values (``runvars``) by name.

    Raises :class:`Unsupported` for what Spark cannot run.
    """
    try:
        tree = sqlglot.parse_one(sql, read=DUCKDB)
    except sqlglot.errors.SqlglotError as exc:
        raise Unsupported(msg("sqlglot cannot read the statement: {said}", said=str(exc).splitlines()[0])) from None
    return to_spark_tree(tree, values)


def to_spark_tree(tree: exp.Expression, values: dict[str, datetime] | None = None) -> str:
    """:func:`to_spark` of a statement already parsed as DuckDB SQL (the tree is not changed)."""
    tree = _hoist(_inline(_rewrite(tree.copy(), values or {})))
    try:
        return tree.sql(dialect=SPARK, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except sqlglot.errors.SqlglotError as exc:
        raise Unsupported(str(exc).splitlines()[0]) from None


def _rewrite(node: exp.Expression, values: dict[str, datetime]) -> exp.Expression:
    """The tree with every shim applied, children first (a shim sees its arguments already rewritten)."""
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, _rewrite(value, values))
        elif isinstance(value, list):
            node.set(key, [_rewrite(v, values) if isinstance(v, exp.Expression) else v for v in value])
    return _shim(node, values)


def _inline(node: exp.Expression) -> exp.Expression:
    """``transform(array(x), v -> body)[0]`` as ``body`` with ``x`` for ``v`` when ``x`` holds a subquery.

    Both DuckDB and the shims compute a value once by binding it in a lambda;
    Spark allows no subquery in a lambda's call, so there the value (a working
    time, from the business calendar's tables) is written out where it is used.
    """
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, _inline(value))
        elif isinstance(value, list):
            node.set(key, [_inline(v) if isinstance(v, exp.Expression) else v for v in value])
    call = node.this if isinstance(node, exp.Bracket) else None
    if not isinstance(call, exp.Transform) or not isinstance(call.this, exp.Array) or len(call.this.expressions) != 1:
        return node
    value, function = call.this.expressions[0], call.expression
    if not isinstance(function, exp.Lambda) or len(function.expressions) != 1 or value.find(exp.Subquery) is None:
        return node
    name = function.expressions[0].name
    body = function.this.copy()
    if isinstance(body, (exp.Column, exp.Identifier)) and body.name == name:
        return exp.Paren(this=value.copy())
    for found in list(body.find_all(exp.Column, exp.Identifier)):
        bare = isinstance(found, exp.Column) and not found.table
        alone = isinstance(found, exp.Identifier) and not isinstance(found.parent, exp.Column)
        if found.name == name and (bare or alone):
            found.replace(exp.Paren(this=value.copy()))
    return exp.Paren(this=body)


def _hoist(tree: exp.Expression) -> exp.Expression:
    """Subqueries correlated two levels up, computed one level up instead (Spark resolves one level).

    The business calendar's SQL is a subquery that reads its inputs in a
    ``SELECT`` without ``FROM``; when an input is itself such a subquery (a
    deadline whose pauses count working time), the inner one refers to the
    record two levels up, which DuckDB allows and Spark does not. The inner
    subquery depends on the record alone, so it is computed as a column of
    the record's own query (a projection over its ``FROM``) and the outer
    subquery reads that column.
    """
    count = 0
    while True:
        found = next((q for q in tree.find_all(exp.Subquery) if _doubly_correlated(q)), None)
        if found is None:
            return tree
        count += 1
        _lift(found, f"__cw_h{count}")


def _scalar(node: exp.Expression) -> bool:
    return isinstance(node, exp.Subquery) and not isinstance(node.parent, (exp.From, exp.Join))


def _enclosing(node: exp.Expression, kind) -> exp.Expression | None:
    parent = node.parent
    while parent is not None and not (isinstance(parent, kind) if isinstance(kind, type) else kind(parent)):
        parent = parent.parent
    return parent


def _doubly_correlated(query: exp.Subquery) -> bool:
    """A scalar subquery inside a ``SELECT`` without ``FROM`` inside another scalar subquery."""
    if not _scalar(query):
        return False
    reading = _enclosing(query, exp.Select)
    return reading is not None and reading.args.get("from_") is None and reading.args.get("from") is None \
        and _enclosing(reading, _scalar) is not None


def _lift(query: exp.Subquery, name: str) -> None:
    outer = _enclosing(_enclosing(_enclosing(query, exp.Select), _scalar), exp.Select)
    source = outer.args.get("from_") or outer.args.get("from")
    if source is None or outer.args.get("joins"):
        raise Unsupported(msg("a subquery correlated two levels up, over a join, has no Spark equivalent here"))
    table = source.this
    alias = table.alias_or_name
    query.replace(exp.column(name))
    inner = exp.select("*", exp.alias_(query, name)).from_(table.copy())
    source.set("this", exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(alias))))


def _shim(node: exp.Expression, values: dict[str, datetime]) -> exp.Expression:
    if isinstance(node, exp.Anonymous):
        shim = ANONYMOUS.get(node.name.lower())
        if shim is not None:
            return shim(node, values)
        return node
    shim = SHIMS.get(type(node))
    return shim(node) if shim is not None else node


def _parse(text: str) -> exp.Expression:
    """Spark SQL text of a shim, as a tree (parsed in Spark's dialect, so it is written back unchanged)."""
    return sqlglot.parse_one(text, read=SPARK)


def _spark(node: exp.Expression) -> str:
    return node.sql(dialect=SPARK)


# ---- functions sqlglot leaves as they are ---------------------------------------------------------


def _getvariable(node: exp.Anonymous, values: dict[str, datetime]) -> exp.Expression:
    name = node.expressions[0].name if node.expressions else ""
    if name not in values:
        raise Unsupported(msg('the run-time value "{name}" is not known to the Spark engine', name=name))
    # A naive wall-clock time read in the session's time zone (the policy's), as DuckDB reads it.
    return exp.Cast(this=exp.Literal.string(values[name].isoformat(sep=" ")), to=exp.DataType.build("TIMESTAMP"))


def _epoch_us(node: exp.Anonymous, values) -> exp.Expression:
    return exp.Anonymous(this="unix_micros", expressions=[_instant(node.expressions[0])])


def _instant(value: exp.Expression) -> exp.Expression:
    """``value`` as a Spark ``TIMESTAMP`` (an instant): ``unix_micros`` takes nothing else."""
    return exp.Cast(this=value, to=exp.DataType.build("TIMESTAMP", dialect=SPARK))


def _make_timestamptz(node: exp.Anonymous, values) -> exp.Expression:
    if len(node.expressions) != 1:
        raise Unsupported(msg("make_timestamptz with parts has no Spark equivalent here"))
    return exp.Anonymous(this="timestamp_micros", expressions=node.expressions)


def _to_microseconds(node: exp.Anonymous, values) -> exp.Expression:
    """An exact day-time interval of a whole number of microseconds."""
    out = _parse(f"(INTERVAL '0.000001' SECOND * ({_spark(node.expressions[0])}))")
    out.meta["micros"] = node.expressions[0]
    return out


def _error(node: exp.Anonymous, values) -> exp.Expression:
    return exp.Anonymous(this="raise_error", expressions=node.expressions)


def _isfinite(node: exp.Anonymous, values) -> exp.Expression:
    value = _spark(node.expressions[0])
    return _parse(f"(CAST({value} AS DOUBLE) NOT IN (double('NaN'), double('Infinity'), double('-Infinity')))")


def _try_strptime(node: exp.Anonymous, values) -> exp.Expression:
    """A field's ``format:`` is DuckDB's strptime, whose directives Spark's datetime patterns read differently
    (one- or two-digit fields, names of months); it is refused at load time (docs/scale.md)."""
    raise Unsupported(msg("a field's format: (DuckDB's strptime) has no Spark equivalent yet; use --engine duckdb"))


_JSON_KEY = re.compile(r'^\$\."((?:[^"\\]|\\.)*)"$')


def _json_exists(node: exp.Anonymous, values) -> exp.Expression:
    """``json_exists(json, '$."key"')``: the record has the member ``key`` (``sqltext.json_path`` writes the path)."""
    document, path = node.expressions
    found = _JSON_KEY.match(path.name) if isinstance(path, exp.Literal) else None
    if found is None:
        raise Unsupported(msg("json_exists with a path other than one member has no Spark equivalent here"))
    key = re.sub(r"\\(.)", r"\1", found[1])
    keys = exp.Anonymous(this="json_object_keys", expressions=[document])
    return exp.Anonymous(this="array_contains", expressions=[keys, exp.Literal.string(key)])


def _to_unit(unit: str):
    """The shim of ``to_hours`` (``unit`` HOUR), ``to_minutes`` or ``to_seconds``."""

    def shim(node: exp.Anonymous, values) -> exp.Expression:
        """``to_hours(n)`` and its kin: an exact day-time interval of ``n`` units."""
        out = _parse(f"(INTERVAL '1' {unit} * ({_spark(node.expressions[0])}))")
        out.meta["micros"] = node.expressions[0]
        return out
    return shim


_UNITS = {"year", "quarter", "month", "week", "day", "hour", "minute", "second", "millisecond", "microsecond"}


def _unit_name(node: exp.Expression | None) -> str:
    """A date part named in DuckDB SQL (``'day'``, ``day``), checked against the parts both engines know."""
    name = node.name.lower() if node is not None else ""
    name = {"days": "day", "months": "month", "years": "year", "weeks": "week", "hours": "hour",
            "minutes": "minute", "seconds": "second"}.get(name, name)
    if name not in _UNITS:
        raise Unsupported(msg('date part "{name}" has no Spark equivalent here', name=name))
    return name.upper()


def _date_sub(node: exp.Anonymous, values) -> exp.Expression:
    """DuckDB's ``date_sub(part, start, end)``: whole parts elapsed, which is Spark's ``timestampdiff``."""
    part, start, end = node.expressions
    return _parse(f"timestampdiff({_unit_name(part)}, {_spark(start)}, {_spark(end)})")


def _list_intersect(node: exp.Anonymous, values) -> exp.Expression:
    """The elements of the first list also in the second (the callers sort and deduplicate the result)."""
    return exp.Anonymous(this="array_intersect", expressions=node.expressions)


ANONYMOUS: dict[str, Callable[[exp.Anonymous, dict], exp.Expression]] = {
    "list_intersect": _list_intersect,
    "to_hours": _to_unit("HOUR"),
    "to_minutes": _to_unit("MINUTE"),
    "to_seconds": _to_unit("SECOND"),
    "date_sub": _date_sub,
    "getvariable": _getvariable,
    "epoch_us": _epoch_us,
    "make_timestamptz": _make_timestamptz,
    "to_microseconds": _to_microseconds,
    "error": _error,
    "isfinite": _isfinite,
    "try_strptime": _try_strptime,
    "json_exists": _json_exists,
}


# ---- functions sqlglot knows, written differently -------------------------------------------------


def _json_object(node: exp.JSONObject) -> exp.Expression:
    pairs = []
    for item in node.expressions:
        key, value = item.this, item.expression
        pairs += [key, _json_value(value)]
    struct = exp.Anonymous(this="named_struct", expressions=pairs)
    out = exp.Anonymous(this="to_json", expressions=[struct])
    if any(_may_be_interval(item.expression) for item in node.expressions):
        return _parse(reading.interval_text(_spark(out), quoted=True))
    return out


def _may_be_interval(node: exp.Expression) -> bool:
    """The value may be an interval: a difference (of two instants), or arithmetic with an interval.

    Types are not known here, so a value that may be an interval has Spark's
    text of intervals rewritten as DuckDB's; any other value is left as it is.
    """
    inner = node.unnest()
    if isinstance(inner, exp.Sub):
        return True
    arithmetic = isinstance(inner, (exp.Add, exp.Mul))
    return arithmetic and any(isinstance(n, exp.Interval) or _meta(n, "micros") is not None or _meta(n, "days") is not None
                              for n in (inner.this, inner.expression))


def _json_value(value: exp.Expression) -> exp.Expression:
    """A value as DuckDB puts it into JSON: a wall-clock time as its text (``2026-10-12 09:00:00``)."""
    if isinstance(value, exp.Cast) and value.to.this in (exp.DataType.Type.TIMESTAMPNTZ, exp.DataType.Type.TIMESTAMP):
        return exp.Cast(this=value, to=exp.DataType.build("VARCHAR"))
    return value


def _array_overlaps(node: exp.ArrayOverlaps) -> exp.Expression:
    return exp.Anonymous(this="arrays_overlap", expressions=[node.this, node.expression])


def _regexp_full_match(node: exp.RegexpFullMatch) -> exp.Expression:
    pattern = node.expression
    if not isinstance(pattern, exp.Literal):
        raise Unsupported(msg("regexp_full_match needs a literal pattern on Spark"))
    return exp.RegexpLike(this=node.this, expression=exp.Literal.string(f"^(?:{pattern.name})$"))


def _regexp_extract(node: exp.RegexpExtract) -> exp.Expression:
    if node.args.get("group") is None:
        node.set("group", exp.Literal.number(0))
    return node


def _cast(node: exp.Cast) -> exp.Expression:
    """Casts whose Spark meaning differs: text to a time is read as DuckDB reads it; an interval as DuckDB shows it."""
    typed = reading.cast(node)
    if typed is not None:
        return _parse(typed)
    target = node.to.this
    if target in (exp.DataType.Type.INT128, exp.DataType.Type.UINT128):
        node.set("to", exp.DataType.build("DECIMAL(38, 0)"))
    if target in (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT) and _may_be_interval(node.this):
        return _parse(reading.interval_text(_spark(node)))
    return node


def _meta(node: exp.Expression, key: str):
    """What a shim noted on ``node`` or on the parentheses around it (None: nothing)."""
    while True:
        if key in node.meta:
            return node.meta[key]
        if not isinstance(node, exp.Paren):
            return None
        node = node.this


def _to_days(node: exp.ToDays) -> exp.Expression:
    out = _parse(f"(INTERVAL '1' DAY * ({_spark(node.this)}))")
    out.meta["days"] = node.this
    return out


def _generate_series(node: exp.GenerateSeries) -> exp.Expression:
    """DuckDB's series is empty when it would run backwards; Spark's ``sequence`` fails instead."""
    if node.args.get("is_end_exclusive"):
        raise Unsupported(msg("range() has no Spark equivalent here"))
    start, end = _spark(node.args["start"]), _spark(node.args["end"])
    step = _spark(node.args["step"]) if node.args.get("step") is not None else "1"
    return _parse(f"CASE WHEN {start} <= {end} THEN sequence({start}, {end}, {step}) END")


def _date_diff(node: exp.DateDiff) -> exp.Expression:
    """DuckDB's ``date_diff(part, start, end)`` counts the part's boundaries crossed; Spark's counts whole parts.

    So both ends are cut to the part first (in the session's time zone, as
    DuckDB cuts instants in the connection's).
    """
    unit = _unit_name(node.args.get("unit"))
    start, end = _spark(node.expression), _spark(node.this)
    part = reading.lit(unit)
    return _parse(f"timestampdiff({unit}, date_trunc({part}, {start}), date_trunc({part}, {end}))")


def _log(node: exp.Log) -> exp.Expression:
    """DuckDB's ``log(x)`` is the logarithm to base 10; Spark's ``log(x)`` the natural one."""
    if node.args.get("expression") is not None:
        return node
    return _parse(f"LOG(10, {_spark(node.this)})")


def _day_of_week(node: exp.DayOfWeek) -> exp.Expression:
    """DuckDB counts Sunday 0 to Saturday 6; Spark's ``dayofweek`` Sunday 1 to Saturday 7."""
    return _parse(f"(DAYOFWEEK({_spark(node.this)}) - 1)")


def _iso_day_of_week(node: exp.DayOfWeekIso) -> exp.Expression:
    """Monday 1 to Sunday 7; Spark's ``weekday`` counts Monday 0 to Sunday 6."""
    return _parse(f"(WEEKDAY({_spark(node.this)}) + 1)")


def _week(node: exp.Week) -> exp.Expression:
    """DuckDB's ``week`` is the ISO week, Spark's ``weekofyear``."""
    return _parse(f"WEEKOFYEAR({_spark(node.this)})")


def _epoch(node: exp.TimeToUnix) -> exp.Expression:
    """Seconds since 1970 with their fraction (a DOUBLE, as DuckDB's ``epoch``), not Spark's whole seconds."""
    return _parse(f"(CAST(unix_micros(CAST({_spark(node.this)} AS TIMESTAMP)) AS DOUBLE) / 1000000)")


def _sign(node: exp.Sign) -> exp.Expression:
    """-1, 0 or 1 as an integer (DuckDB's), not Spark's DOUBLE."""
    return _parse(f"CAST(SIGN({_spark(node.this)}) AS INT)")


_MONTHS = {"MONTH", "QUARTER", "YEAR"}


def _case(node: exp.Case) -> exp.Expression:
    """A zero ``INTERVAL 0 DAY`` among month intervals as ``INTERVAL 0 MONTH``.

    DuckDB has one interval type; Spark has two that do not mix (months and
    years; days to seconds), and a ``CASE`` must give one type. The audit
    period's SQL (``periods.py``) adds a month or nothing.
    """
    results = [i.args.get("true") for i in node.args.get("ifs") or []] + [node.args.get("default")]
    intervals = [r for r in results if isinstance(r, exp.Interval)]
    if not any(_unit(r) in _MONTHS for r in intervals):
        return node
    for r in intervals:
        if _unit(r) not in _MONTHS and r.this.name.strip() in ("0", "0.0"):
            r.set("unit", exp.var("MONTH"))
    return node


def _unit(node: exp.Interval) -> str:
    unit = node.args.get("unit")
    return unit.name.upper() if unit is not None else ""


def _divide(node: exp.Div) -> exp.Expression:
    """DuckDB's ``/`` by zero: infinity with the dividend's sign, NaN for 0/0 (IEEE), where ANSI Spark raises.

    ``a * Infinity`` is exactly that: +∞ for a > 0, −∞ for a < 0, NaN for 0,
    NULL for NULL. Any other divisor divides as before.
    """
    if isinstance(node.expression, exp.Literal) and node.expression.is_number and float(node.expression.name) != 0:
        return node
    by_zero = exp.EQ(this=exp.Paren(this=node.expression.copy()), expression=exp.Literal.number(0))
    infinite = exp.Mul(this=exp.Cast(this=exp.Paren(this=node.this.copy()), to=exp.DataType.build("DOUBLE")),
                       expression=_parse("double('Infinity')"))
    return exp.Paren(this=exp.Case(ifs=[exp.If(this=by_zero, true=infinite)], default=node))


def _count_if(node: exp.CountIf) -> exp.Expression:
    """DuckDB's ``count_if`` is a sum of the condition as 1/0, NULLs left out: NULL over no records (an aggregate's
    empty period) or over unknown conditions only, where Spark's gives 0."""
    condition = node.this
    one = exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1)),
                        exp.If(this=exp.Not(this=exp.Paren(this=condition.copy())), true=exp.Literal.number(0))])
    return exp.Sum(this=one)


SHIMS: dict[type, Callable[[exp.Expression], exp.Expression]] = {
    exp.Case: _case,
    exp.Div: _divide,
    exp.CountIf: _count_if,
    exp.DateDiff: _date_diff,
    exp.Log: _log,
    exp.DayOfWeek: _day_of_week,
    exp.DayOfWeekIso: _iso_day_of_week,
    exp.Week: _week,
    exp.TimeToUnix: _epoch,
    exp.Sign: _sign,
    exp.JSONObject: _json_object,
    exp.ArrayOverlaps: _array_overlaps,
    exp.RegexpFullMatch: _regexp_full_match,
    exp.RegexpExtract: _regexp_extract,
    exp.Cast: _cast,
    exp.TryCast: _cast,  # a subclass of Cast, looked up by its own type
    exp.ToDays: _to_days,
    exp.GenerateSeries: _generate_series,
}


__all__ = ["Unsupported", "to_spark", "runvars"]
