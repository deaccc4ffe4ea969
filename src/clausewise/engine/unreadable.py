"""Columns whose values mostly fail to convert: a failure of the run, said once, with the fix.

A value that does not convert is an ``invalid`` finding on its record
(``convert.py``), and the rules that need it leave that record unjudged. A
column whose values mostly fail is something else: the column was read the
wrong way — day-first dates without ``format:``, numbers with thousands
separators, enum values written in another case — so every rule that reads
it judges nothing, and a pile of medium findings with a green exit code
would hide that. So the run fails (:class:`~clausewise.errors.DataError`,
exit code 2) on each column where

- every non-empty value failed to convert (at least one did), or
- more than half of the non-empty values failed, and at least
  :data:`MIN_FAILED` (5) did,

with one line naming the file, the row of the first value that failed, the
column, how many values failed of how many non-empty ones, that first value,
and the fix::

    export/items.csv, row 1, column "opened_at": 2 of 2 non-empty values do not read as timestamps
    (the first: "21/05/2026 13:03:21"); they look day-first: add `format: "%d/%m/%Y %H:%M:%S"`
    to field "opened_at" of dataset "items"

No report is written, and no finding: the column is the problem, and one
line says it better than one finding per cell. A column below the threshold
keeps its findings, as before.

The count is one set-based statement per dataset over the typed table (its
``__invalid`` list, before ``convert.py`` drops it): per field, the values
read, the values failed, the first failed value, and whether any failed
value starts with a number above 12 (so is day-first) or has one second
(so is month-first). The fix is worked out in Python from that first value
(one per failing column), and a ``format:`` is offered only once DuckDB has
read that value with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..errors import DataError, Location
from ..i18n import N_, NC_, Message, listed, msg
from ..model import Dataset, Field
from .sqltext import ident, string

# A column fails the run when more than half of its non-empty values fail and at least this many do
# (or when every one of them fails).
MIN_FAILED = 5
# A number from 1 to 99, a separator, another, the same separator, then a digit: dd/mm/… or mm/dd/…
_LEADING_PAIR = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d"


@dataclass(frozen=True)
class FailedColumn:
    """One column that failed the run: ``failed`` of its ``non_empty`` values did not convert.

    ``example`` is the first value (by row) that failed, as written, and
    ``reason`` why it failed (``convert._Plan.reason_code``: ``expected``,
    ``outside``, ``skipped``, ``abbreviated``); ``day_first`` /
    ``month_first`` say whether some failed value began with a number above
    12 / had one second (``21/05/…``, ``05/21/…``).
    """

    field: Field
    failed: int
    non_empty: int
    example: str
    reason: str
    day_first: bool
    month_first: bool
    first_row: int  # the record (from 1) of ``example``: where the error points


def failed_columns(con, dataset: Dataset, fields: list[Field]) -> list[FailedColumn]:
    """The ``fields`` of ``dataset``'s typed table (with ``__invalid``) that fail the run, in field order."""
    table = ident(dataset.name)
    readable = ", ".join(f"struct_pack(field := {string(f.name)}, n := count({ident(f.name)}))" for f in fields)
    pair = string(_LEADING_PAIR)
    sql = (
        "WITH bad AS (SELECT b.field AS field, count(*) AS failed, arg_min(b.value, __row) AS example, "
        "arg_min(b.reason, __row) AS reason, "
        f"coalesce(bool_or(TRY_CAST(regexp_extract(b.value, {pair}, 1) AS INTEGER) > 12), FALSE) AS day_first, "
        f"coalesce(bool_or(TRY_CAST(regexp_extract(b.value, {pair}, 2) AS INTEGER) > 12), FALSE) AS month_first, "
        "min(__row) AS first_row "
        f"FROM (SELECT __row, unnest(__invalid) AS b FROM {table} WHERE __invalid IS NOT NULL) GROUP BY b.field), "
        f"readable AS (SELECT unnest([{readable}]) AS r FROM {table}) "
        "SELECT bad.field, bad.failed, bad.failed + r.n, bad.example, bad.reason, bad.day_first, bad.month_first, "
        "bad.first_row "
        "FROM bad JOIN readable ON r.field = bad.field "
        f"WHERE r.n = 0 OR (bad.failed >= {MIN_FAILED} AND bad.failed > r.n)"
    )
    by_name = {f.name: f for f in fields}
    out = [FailedColumn(by_name[name], *rest) for name, *rest in con.execute(sql).fetchall()]
    order = list(by_name)
    return sorted(out, key=lambda c: order.index(c.field.name))


def column_error(con, dataset: Dataset, column: FailedColumn, where: str, zone: str) -> DataError:
    """The one line that fails the run on ``column`` of ``dataset``, read from ``where`` (a file or a source).

    ``zone`` is the policy's timezone, named when the values are local
    times its clocks skip. The line is English; ``error.render(lang)``
    writes it in another language from the catalogue.
    """
    f = column.field
    one, many = _TYPES[f.type]
    if column.non_empty == 1:
        counted = _COUNTED[0]
    else:
        counted = _COUNTED[1] if column.failed == 1 else _COUNTED[2]
    problem = msg(counted, failed=column.failed, non_empty=column.non_empty, kind=one if column.failed == 1 else many,
                  example=_shown(column.example))
    fix = _fix(con, dataset, column, zone)
    return DataError(msg("{problem}; {fix}", problem=problem, fix=fix),
                     Location(where, row=column.first_row, field=f.column))


def _shown(value: str) -> str:
    """A value as one line of text: quotes and control characters escaped, long ones cut."""
    text = json.dumps(value, ensure_ascii=False)[1:-1]
    return text if len(text) <= 60 else text[:59] + "…"


# ---- the fix ------------------------------------------------------------------------

def _fix(con, dataset: Dataset, column: FailedColumn, zone: str) -> Message:
    f, example = column.field, column.example.strip()
    named = {"field": f.name, "dataset": dataset.name}
    if column.reason != "expected":  # a date or time that reads, but outside the years, skipped, or abbreviated
        return msg(_WORDS[column.reason], zone=zone) if column.reason == "skipped" else _WORDS[column.reason]
    if f.type in ("date", "timestamp"):
        return _time_fix(con, column, example, named)
    if f.type in ("integer", "number"):
        return _number_fix(f, example, named)
    if f.type == "enum":
        same_but_case = next((v for v in f.values if v.casefold() == example.casefold()), None)
        if same_but_case is not None:
            return msg(_WORDS["enum_case"], value=_shown(example), declared=same_but_case, **named)
        return msg(_WORDS["enum"], values=", ".join(f.values), **named)
    from .exports import FALSE_WORDS, TRUE_WORDS  # exports reads this module's errors

    pairs = [f"{yes}/{no}" for yes, no in zip(TRUE_WORDS, FALSE_WORDS, strict=True)]
    return msg(_WORDS["boolean"], pairs=listed(pairs[:-1]), last=pairs[-1], **named)


def _number_fix(f: Field, example: str, named: dict) -> Message:
    if re.fullmatch(r"[+-]?\d{1,3}(?:[, ']\d{3})+(?:\.\d+)?", example):
        return _WORDS["thousands"]
    if f.type == "number" and re.fullmatch(r"[+-]?\d+,\d+", example):
        return _WORDS["decimal_comma"]
    if f.type == "integer" and re.fullmatch(r"[+-]?\d*\.\d+", example):
        return msg(_WORDS["fraction"], **named)
    return msg(_WORDS["numbers"], **named)


def _time_fix(con, column: FailedColumn, example: str, named: dict) -> Message:
    change = "change" if column.field.formats else "add"
    guessed = _guess(example)
    if guessed is None:
        return msg(_WORDS["layout"], **named)
    day, month = (fmt if _reads(con, example, fmt) else None for fmt in guessed)
    if day is None and month is None:
        return _WORDS["nonexistent"]
    if column.day_first and column.month_first:
        return _WORDS["mixed"]
    if day is not None and day == month:  # the year first: one order only
        return msg(_WORDS[change], format=day, **named)
    if column.day_first or column.month_first:
        fmt, words = (day, "day_first") if column.day_first else (month, "month_first")
        return msg(_WORDS[words], how=msg(_WORDS[change], format=fmt, **named)) if fmt else msg(_WORDS["layout"], **named)
    if day and month:
        return msg(_WORDS["either"], how=msg(_WORDS[change], format=day, **named), other=month)
    return msg(_WORDS["layout"], **named)


_NUMERIC = re.compile(
    r"^(?P<a>\d{1,4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
    r"(?:(?P<t>[ T]+)(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?P<frac>\.\d{1,6})?)?(?P<ampm>\s*[AaPp][Mm])?)?$"
)


def _guess(example: str) -> tuple[str, str] | None:
    """(day-first format, month-first format) of a date written with numbers like ``example`` (the same format
    twice when the year comes first); None when it is not such a date."""
    m = _NUMERIC.match(example)
    if m is None:
        return None
    sep, clock = m["sep"], ""
    if m["h"]:
        clock = m["t"] + ("%I" if m["ampm"] else "%H") + ":%M" + (":%S" if m["s"] else "") + (".%f" if m["frac"] else "")
        clock += (m["ampm"][:-2] + "%p") if m["ampm"] else ""
    if len(m["a"]) == 4 and len(m["c"]) <= 2:
        year_first = f"%Y{sep}%m{sep}%d{clock}"
        return year_first, year_first
    if len(m["a"]) <= 2 and len(m["c"]) in (2, 4):
        year = "%Y" if len(m["c"]) == 4 else "%y"
        return f"%d{sep}%m{sep}{year}{clock}", f"%m{sep}%d{sep}{year}{clock}"
    return None


def _reads(con, example: str, fmt: str) -> bool:
    """True when DuckDB reads ``example`` with ``fmt`` as the typing step would (``try_strptime``)."""
    return con.execute("SELECT try_strptime(trim(?), ?) IS NOT NULL", [example, fmt]).fetchone()[0]


_TYPES = {
    "integer": (NC_("unreadable", "a whole number"), NC_("unreadable", "whole numbers")),
    "number": (NC_("unreadable", "a number"), NC_("unreadable", "numbers")),
    "boolean": (NC_("unreadable", "a true/false value"), NC_("unreadable", "true/false values")),
    "date": (NC_("unreadable", "a date"), NC_("unreadable", "dates")),
    "timestamp": (NC_("unreadable", "a timestamp"), NC_("unreadable", "timestamps")),
    "enum": (NC_("unreadable", "an allowed value"), NC_("unreadable", "allowed values")),
}
# How many values failed of how many: one of one, one of several, several of several.
_COUNTED = (
    N_('{failed} of {non_empty} non-empty value does not read as {kind} (the first: "{example}")'),
    N_('{failed} of {non_empty} non-empty values does not read as {kind} (the first: "{example}")'),
    N_('{failed} of {non_empty} non-empty values do not read as {kind} (the first: "{example}")'),
)
_WORDS = {
    "add": N_('add `format: "{format}"` to field "{field}" of dataset "{dataset}"'),
    "change": N_('change the format of field "{field}" of dataset "{dataset}" to `format: "{format}"`'),
    "day_first": N_("the column looks day-first: {how}"),
    "month_first": N_("the column looks month-first: {how}"),
    "either": N_("the column may be day-first or month-first: {how} if the day comes first, "
                 'or `format: "{other}"` if the month does'),
    "mixed": N_("the column mixes day-first and month-first dates, which no format can tell apart: correct the export"),
    "abbreviated": N_("the column's times end with a zone abbreviation, which names different zones in different "
                      "countries: write an offset such as +08:00 or a zone name such as Asia/Shanghai in the export"),
    "outside": N_("the column's dates are outside the years 1900 to 2199: correct the export"),
    "skipped": N_("the column's local times do not exist in {zone}, whose clocks skip them: write them with their "
                  "offset (such as +08:00) in the export"),
    "nonexistent": N_("the column's dates or times do not exist (such as month 13, 30 February or 25:00): "
                      "correct the export"),
    "layout": N_('write the column year first (2026-10-12 09:30:00), or add `format:` with the export\'s layout to '
                 'field "{field}" of dataset "{dataset}"'),
    "thousands": N_("write the numbers without thousands separators"),
    "decimal_comma": N_("write a decimal point, not a comma"),
    "fraction": N_('the column has fractions: declare field "{field}" of dataset "{dataset}" as number'),
    "numbers": N_('write plain numbers (digits, an optional sign, decimal point and exponent), or declare field '
                  '"{field}" of dataset "{dataset}" as string'),
    "enum_case": N_('the column\'s values differ from the declared ones only in case ("{value}" is declared '
                    '"{declared}"): declare the values of field "{field}" of dataset "{dataset}" as the export '
                    'writes them'),
    "enum": N_('the declared values are {values}: add the export\'s values to field "{field}" of dataset '
               '"{dataset}", or correct the export'),
    "boolean": N_('write {pairs} or {last}, or declare field "{field}" of dataset '
                  '"{dataset}" as an enum of the export\'s values'),
}
