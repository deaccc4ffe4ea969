"""Typing: each declared field of a raw table converted to its type, in one pass, every row kept.

A value that does not convert becomes an ``invalid`` finding citing the
policy's data-quality clause, with what was expected; the field reads as
empty for the rules, and the row always stays. Each row also carries the
names of its unreadable fields (``__unread``), so that a rule needing one of
them says the record could not be judged instead of judging an empty value.

What each type accepts (docs/rules.md, "How values are read"):

- **timestamp**: year first — ``2026-10-12 09:30``, ``2026-10-12T09:30:00``,
  ``2026/10/12 9:30:00.5``, or a date alone (midnight) — optionally followed by
  an offset (``Z``, ``+08``, ``+08:00``) or a zone (``UTC``, ``GMT`` or an IANA
  name such as ``Asia/Shanghai``). With an offset or zone it is that instant;
  without, it is wall-clock time in the policy's timezone, and a wall-clock
  time the zone's clocks skip is invalid (see ``zones.py``). Zone
  abbreviations (``CST``, ``EST``) mean different zones in different
  countries and are refused. Any other shape needs ``format:``.
- **date**: year first (``2026-10-12``, ``2026/10/12``), or a timestamp's date.
- **integer**, **number**: digits with an optional sign, decimal point and
  exponent; ``NaN`` and ``Infinity`` are not numbers. An integer may be written
  ``5.0`` but not ``5.5``.
- **boolean**: ``true/false``, ``t/f``, ``1/0``, ``yes/no``, ``y/n``, ``是/否``.
- **enum**: one of the declared values (surrounding blanks ignored).

Dates and timestamps must fall in the years 1900 to 2199. Timestamps are
stored as instants (DuckDB ``TIMESTAMPTZ``); durations between them are real
elapsed time.

A column stored with a type that fits its field (a Parquet timestamp for a
timestamp field) is used as it is, never turned into text and parsed back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..model import EARLIEST, LATEST, Dataset, Field
from . import zones
from .sqltext import ident, literal, string, strings, timestamp
from .unreadable import FailedColumn, failed_columns

TRUE_WORDS = ("true", "t", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "f", "0", "no", "n", "否")
DATA_QUALITY = "data-quality"


@dataclass
class Source:
    """SQL yielding ``__row`` and the file's columns, which columns the file has, and their stored types.

    A column without a stored type (CSV, XLSX, JSON Lines) is text; a Parquet
    column keeps the type it was written with. ``all_columns`` lists every
    column of the file when ``columns`` holds only those selected (JSON
    Lines: the declared keys found), else None.
    """

    select: str
    columns: list[str]
    types: dict[str, str] = field(default_factory=dict)
    all_columns: list[str] | None = None


# Stored types that hold each field type's values as they are (DuckDB's names for Parquet's types).
_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT")
_TIMES = ("DATE", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE")
_NATIVE = {
    "integer": _INTEGERS,
    "number": (*_INTEGERS, "FLOAT", "DOUBLE", "DECIMAL"),
    "boolean": ("BOOLEAN",),
    "date": _TIMES,
    "timestamp": _TIMES,
}
SQL_TYPES = {
    "string": "VARCHAR", "enum": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE",
    "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMPTZ",
}


def type_table(con, dataset: Dataset, source: Source, path: Path | None, lang: str, zone: str,
               whole_columns: bool = False) -> list[FailedColumn]:
    """Create the typed table of ``dataset`` from ``source`` and insert its invalid-value findings.

    With ``whole_columns``, the columns whose values mostly fail to convert
    (``unreadable.py``) are returned instead, and no finding is inserted: the
    run fails on them. Otherwise, or when there are none, the list is empty.
    """
    present = set(source.columns) if path is not None else {f.column for f in dataset.file_fields()}
    # Local times are read by arithmetic where the zone's offset holds still; only on DuckDB, whose zone data
    # confirms the stretch (the Spark engine transpiles this SQL and keeps the cast).
    timed = any(f.type == "timestamp" for f in dataset.file_fields())
    span = zones.steady_span(con, zone) if timed and isinstance(con, duckdb.DuckDBPyConnection) else None
    plans = [_Plan(f, dataset, present, source.types.get(f.column), zone, span) for f in dataset.file_fields()]
    level1 = ", ".join(f"{p.first} AS {p.n}" for p in plans)
    level2 = ", ".join(col for p in plans for col in (p.n, *p.parts()))
    level3 = ", ".join(col for p in plans for col in (p.n, *p.part_names, f"{p.parsed} AS {p.p}"))
    level4 = ", ".join(col for p in plans for col in (p.n, *p.part_names, p.p, f"{p.typed} AS {ident(p.f.name)}"))
    checked = [p for p in plans if p.f.type != "string"]  # text is never unreadable
    checks = [p.invalid(path, lang) for p in checked]
    if checks:
        any_bad = " OR ".join(c for c, _ in checks)
        items = ", ".join(item for _, item in checks)
        names = ", ".join(f"CASE WHEN {bad} THEN {string(p.f.name)} END" for (bad, _), p in zip(checks, checked))
        invalid = f"CASE WHEN {any_bad} THEN list_filter([{items}], lambda x: x IS NOT NULL) END"
        unread = f"CASE WHEN {any_bad} THEN list_filter([{names}], lambda x: x IS NOT NULL) END"
    else:
        invalid, unread = "NULL", "CAST(NULL AS VARCHAR[])"
    columns = ", ".join(ident(p.f.name) for p in plans)
    con.execute(
        f"CREATE TABLE {ident(dataset.name)} AS SELECT __row, {columns}, {unread} AS __unread, {invalid} AS __invalid "
        f"FROM (SELECT __row, {level4} FROM (SELECT __row, {level3} FROM (SELECT __row, {level2} "
        f"FROM (SELECT __row, {level1} FROM ({source.select})))))"
    )
    failed = failed_columns(con, dataset, [p.f for p in checked]) if whole_columns and checked else []
    if failed:
        con.execute(f"ALTER TABLE {ident(dataset.name)} DROP COLUMN __invalid")
        return failed
    con.execute(
        f"INSERT INTO __findings SELECT {string(DATA_QUALITY)}, __row, bad.key, NULL, 'invalid', bad.evidence, NULL, "
        f"bad.message FROM (SELECT __row, unnest(__invalid) AS bad FROM {ident(dataset.name)} "
        "WHERE __invalid IS NOT NULL)"
    )
    con.execute(f"ALTER TABLE {ident(dataset.name)} DROP COLUMN __invalid")
    return []


def shown(value_sql: str, kind: str | None) -> str:
    """SQL showing a value to people: an instant as the policy's wall-clock time (``2026-10-12 09:00:00``).

    Timestamps are instants; in messages and evidence they read as local
    times in the policy's timezone, which every report states.
    """
    return f"CAST({value_sql} AS TIMESTAMP)" if kind == "timestamp" else value_sql


def empty_table_sql(dataset: Dataset) -> str:
    """The statement creating the typed table of ``dataset`` with no rows (for checking rules against)."""
    cols = ", ".join(f"{ident(f.name)} {SQL_TYPES[f.type]}" for f in dataset.file_fields())
    return f"CREATE TABLE {ident(dataset.name)} (__row BIGINT, {cols}, __unread VARCHAR[])"


class _Plan:
    """How one field is typed, level by level: ``n_`` (text or stored value), parts, ``p_`` (parsed), typed."""

    def __init__(self, f: Field, dataset: Dataset, present: set[str], stored: str | None, zone: str,
                 span: tuple | None = None):
        self.f, self.dataset, self.zone, self.span = f, dataset, zone, span
        self.here = f.column in present
        family = stored.split("(")[0].upper() if stored else None
        self.native = stored if self.here and family in _NATIVE.get(f.type, ()) else None
        self.stored_zoned = family == "TIMESTAMP WITH TIME ZONE"
        self.stored_text = stored is None or family == "VARCHAR"
        self.n, self.p = ident("n_" + f.name), ident("p_" + f.name)
        self.naive, self.zoned = ident("a_" + f.name), ident("z_" + f.name)
        self.first = self._first(dataset.null_values)

    # ---- level 1: the value as stored, blanks and null tokens read as empty ----
    def _first(self, nulls: tuple[str, ...]) -> str:
        if not self.here:
            return "CAST(NULL AS VARCHAR)"  # an optional column the export does not have
        col = ident(self.f.column)
        if self.native:
            return col
        text = col if self.stored_text else f"CAST({col} AS VARCHAR)"
        tokens = strings(("", *nulls))
        # A blank cell starts with white space: only such cells (and, with null tokens,
        # cells ending with white space) are trimmed, so a clean column costs a comparison.
        spaced = f"(ascii({text}) <= 32" + (f" OR ascii(right({text}, 1)) <= 32)" if nulls else ")")
        return f"CASE WHEN {text} IN ({tokens}) OR ({spaced} AND trim({text}) IN ({tokens})) THEN NULL ELSE {text} END"

    # ---- level 2: a timestamp read two ways (with its zone, or as local wall-clock time) ----
    @property
    def timed(self) -> bool:
        return self.f.type == "timestamp"

    @property
    def part_names(self) -> tuple[str, ...]:
        return (self.naive, self.zoned) if self.timed else ()

    def parts(self) -> tuple[str, ...]:
        if not self.timed:
            return ()
        n = self.n
        if self.native:
            if self.stored_zoned:
                return (f"CAST(NULL AS TIMESTAMP) AS {self.naive}", f"CAST({n} AS TIMESTAMPTZ) AS {self.zoned}")
            return (f"CAST({n} AS TIMESTAMP) AS {self.naive}", f"CAST(NULL AS TIMESTAMPTZ) AS {self.zoned}")
        if self.f.formats:
            parsed = f"try_strptime(trim({n}), [{strings(self.f.formats)}])"
            if any("%z" in x or "%Z" in x for x in self.f.formats):
                return (f"CAST(NULL AS TIMESTAMP) AS {self.naive}", f"CAST({parsed} AS TIMESTAMPTZ) AS {self.zoned}")
            return (f"CAST({parsed} AS TIMESTAMP) AS {self.naive}", f"CAST(NULL AS TIMESTAMPTZ) AS {self.zoned}")
        # An offset or zone: a '+', a 'Z', a '-' after the date, or a zone name (letters at the end).
        # (Letters at the end may also be an era, 0044-03-15 BC: that is a local time, judged by its year.)
        letters = f"(ascii(right({n}, 1)) >= 65 AND NOT regexp_matches({n}, '(?i)\\s(BC|AD)$'))"
        zoned = f"(contains({n}, '+') OR contains(substr({n}, 11), '-') OR {letters})"
        naive = f"CASE WHEN NOT {zoned} THEN TRY_CAST({n} AS TIMESTAMP) END"
        with_zone = f"CASE WHEN {zoned} AND NOT {_abbreviated(n)} THEN TRY_CAST({n} AS TIMESTAMPTZ) END"
        return (f"{naive} AS {self.naive}", f"{with_zone} AS {self.zoned}")

    # ---- level 3: the parsed value, not yet held to the years judged ----
    @property
    def parsed(self) -> str:
        n, f = self.n, self.f
        if self.timed:
            skipped = zones.skipped_sql(self.naive, self.zone)
            local = zones.instant_sql(self.naive, self.span)
            if skipped:
                local = f"CASE WHEN {skipped} THEN NULL ELSE {local} END"
            return f"coalesce({self.zoned}, {local})"
        if f.type == "date":
            if self.native:
                return f"CAST({n} AS DATE)"
            if f.formats:
                return f"CAST(try_strptime(trim({n}), [{strings(f.formats)}]) AS DATE)"
            return f"coalesce(TRY_CAST({n} AS DATE), CAST(TRY_CAST({n} AS TIMESTAMP) AS DATE))"
        if self.native:
            if f.type == "number":
                return f"CASE WHEN isfinite(CAST({n} AS DOUBLE)) THEN CAST({n} AS DOUBLE) END"
            return f"TRY_CAST({n} AS {SQL_TYPES[f.type]})"
        return _CONVERTERS[f.type](f, n)

    # ---- level 4: the field's value ----
    @property
    def typed(self) -> str:
        p = self.p
        if self.f.type not in ("date", "timestamp"):
            return p
        low, high = timestamp(EARLIEST), timestamp(LATEST)
        if self.timed:
            low, high = f"CAST({low} AS TIMESTAMPTZ)", f"CAST({high} AS TIMESTAMPTZ)"
        return f"CASE WHEN {p} >= {low} AND {p} < {high} THEN {p} END"

    # ---- the invalid-value finding ----
    def invalid(self, path: Path | None, lang: str) -> tuple[str, str]:
        """(SQL: this value did not convert, SQL: the struct describing it).

        The struct holds the finding's ``key``, ``evidence`` and ``message``,
        and the ``field``, the ``value`` as written and the ``reason`` code
        (:meth:`reason_code`), which the check of whole columns reads
        (``unreadable.py``).
        """
        f, zh = self.f, lang == "zh"
        bad = f"({self.n} IS NOT NULL AND {ident(f.name)} IS NULL)"
        shown = f"CAST({self.n} AS VARCHAR)" if self.native else self.n
        before = ("列“" + f.column + "”的值“") if zh else 'value "'
        message = f"{string(before)} || {shown} || {self._reason(zh)}"
        evidence = (f"CAST(json_object('dataset', {literal(self.dataset.name)}, 'file', {literal(path and str(path))}, "
                    f"'column', {literal(f.column)}, 'value', {shown}, 'expected', {literal(f.type)}) AS VARCHAR)")
        key = f"CAST({ident('n_' + self.dataset.key)} AS VARCHAR)"
        return bad, (f"CASE WHEN {bad} THEN struct_pack(key := {key}, evidence := {evidence}, message := {message}, "
                     f"field := {string(f.name)}, value := {shown}, reason := {self.reason_code()}) END")

    def _reason(self, zh: bool) -> str:
        """SQL: why the value is not read, in words (after the value itself)."""
        words = self._reason_words(zh)
        return self._by_reason({code: string(text) for code, text in words.items()})

    def reason_code(self) -> str:
        """SQL: why the value is not read, as a code: ``outside`` (the years), ``skipped`` (a local time the clocks
        skip), ``abbreviated`` (a zone abbreviation) or ``expected`` (not the shape expected)."""
        return self._by_reason({code: string(code) for code in ("outside", "skipped", "abbreviated", "expected")})

    def _by_reason(self, said: dict[str, str]) -> str:
        """SQL choosing, by why the value is not read, one of ``said`` (reason code → SQL)."""
        if self.f.type not in ("date", "timestamp"):
            return said["expected"]
        if not self.timed:
            return f"CASE WHEN {self.p} IS NOT NULL THEN {said['outside']} ELSE {said['expected']} END"
        if self.native:  # a stored timestamp: only its year or a skipped local hour can be wrong
            return f"CASE WHEN {self.p} IS NOT NULL THEN {said['outside']} ELSE {said['skipped']} END"
        return (f"CASE WHEN {self.p} IS NOT NULL THEN {said['outside']} WHEN {self.naive} IS NOT NULL THEN "
                f"{said['skipped']} WHEN {_abbreviated(self.n)} AND {_before_last_word(self.n)} IS NOT NULL "
                f"THEN {said['abbreviated']} ELSE {said['expected']} END")

    def _reason_words(self, zh: bool) -> dict[str, str]:
        f, column = self.f, self.f.column
        if zh:
            return {
                "expected": f"”不是{_expected(f, 1)}",
                "outside": "”不在 1900 至 2199 年之间",
                "skipped": f"”在 {self.zone} 不存在（时钟拨快跳过了这一小时）",
                "abbreviated": "”以时区缩写结尾，缩写在不同国家指不同时区；请写偏移量（如 +08:00）或时区名（如 Asia/Shanghai）",
            }
        return {
            "expected": f'" in column "{column}" is not {_expected(f, 0)}',
            "outside": f'" in column "{column}" is outside the years 1900 to 2199',
            "skipped": f'" in column "{column}" is a local time that does not exist in {self.zone}: '
                       "the clocks skipped that hour",
            "abbreviated": f'" in column "{column}" ends with a zone abbreviation, which names different zones in '
                           "different countries; write an offset such as +08:00 or a zone name such as Asia/Shanghai",
        }


_LAST_WORD = "\\s[A-Za-z]{2,5}$"  # a word of two to five letters at the end, after a blank


def _before_last_word(n: str) -> str:
    """SQL: the text without its last word, read as a timestamp (NULL if it is none): ``not a time`` ends with a
    word of four letters, and is not a time with a zone abbreviation."""
    return f"TRY_CAST(regexp_replace({n}, {string(_LAST_WORD)}, '') AS TIMESTAMP)"


def _abbreviated(n: str) -> str:
    """SQL: the text ends with a zone abbreviation (``CST``), not UTC, GMT, an era (``BC``) or a 12-hour clock's PM."""
    return f"(regexp_matches({n}, {string(_LAST_WORD)}) AND NOT regexp_matches({n}, '(?i)\\s(UTC|GMT|BC|AD|AM|PM)$'))"


def _integer(f: Field, n: str) -> str:
    """Whole numbers, also written 5.0; 5.5 does not convert (a cast alone would round it)."""
    number = f"TRY_CAST({n} AS DOUBLE)"
    fraction = f"CASE WHEN {number} = floor({number}) AND abs({number}) < 9e18 THEN CAST({number} AS BIGINT) END"
    return f"CASE WHEN contains({n}, '.') OR contains(lower({n}), 'e') THEN {fraction} ELSE TRY_CAST({n} AS BIGINT) END"


def _boolean(f: Field, n: str) -> str:
    # The words as listed are matched first: folding the case of every value costs more than all the rest.
    low = f"lower(trim({n}))"
    true, false = strings(TRUE_WORDS), strings(FALSE_WORDS)
    return (f"CASE WHEN {n} IN ({true}) THEN TRUE WHEN {n} IN ({false}) THEN FALSE "
            f"WHEN {low} IN ({true}) THEN TRUE WHEN {low} IN ({false}) THEN FALSE END")


def _enum(f: Field, n: str) -> str:
    listed = strings(f.values)
    return f"CASE WHEN {n} IN ({listed}) THEN {n} WHEN trim({n}) IN ({listed}) THEN trim({n}) END"


_CONVERTERS = {
    "string": lambda f, n: n,
    "integer": _integer,
    # NaN and infinity are not data.
    "number": lambda f, n: f"CASE WHEN isfinite(TRY_CAST({n} AS DOUBLE)) THEN TRY_CAST({n} AS DOUBLE) END",
    "boolean": _boolean,
    "enum": _enum,
}

_EXPECTED = {
    "integer": ("a whole number", "整数"),
    "number": ("a number", "数字"),
    "boolean": ("true/false, 1/0, yes/no or 是/否", "布尔值（true/false、1/0、yes/no、是/否）"),
    "date": ('a date written year first (2026-10-12 or 2026/10/12); for another layout add format: to the field, '
             'such as format: "%d/%m/%Y"',
             '年在前的日期（2026-10-12 或 2026/10/12）；其他写法请给字段加 format:，如 format: "%d/%m/%Y"'),
    "timestamp": ('a timestamp written year first (2026-10-12 09:30:00, 2026/10/12 9:30 or 2026-10-12T09:30, '
                  'with an optional offset such as +08:00 or zone such as Asia/Shanghai); '
                  'for another layout add format: to the field, such as format: "%d/%m/%Y %H:%M:%S"',
                  '年在前的时间（2026-10-12 09:30:00、2026/10/12 9:30 或 2026-10-12T09:30，'
                  '可带偏移量如 +08:00 或时区名如 Asia/Shanghai）；'
                  '其他写法请给字段加 format:，如 format: "%d/%m/%Y %H:%M:%S"'),
    "enum": ("one of the allowed values", "允许的取值之一"),
    "string": ("text", "文本"),
}


def _expected(f: Field, lang: int) -> str:
    if f.type == "enum":
        return ("one of: " if lang == 0 else "以下取值之一：") + ", ".join(f.values)
    if f.formats and f.type in ("date", "timestamp"):
        return ("format " if lang == 0 else "格式 ") + " or ".join(f.formats)
    return _EXPECTED[f.type][lang]
