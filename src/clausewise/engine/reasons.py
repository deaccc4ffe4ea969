"""Why each computed value is what it is: reason codes and one sentence in each language, as SQL.

Beside its breakdown (the numbers), every computed column gets a reason a
person reads: ``qualified: score 72.0 in [60, 80)``, ``unknown; no record
with evaluator_type "self"``. It is one SQL expression per column and
language, computed with the values (set-based) when a report asks for grades:

    {"codes": ["in_band"], "text": "qualified: score 72.0 in [60, 80)"}

Codes name the main reason (``computed``, ``weighted``, ``in_band``,
``below_bands``, ``table_row``, ``no_table_row``, ``found``, ``not_found``,
``unknown``) and each problem found on the way (``missing:<input>``); a
column that uses another computed column carries that column's problems too,
so a grade left empty says which input was missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..i18n import N_, Words
from ..model import LANGS
from .sqltext import ident, number, string

_WORDS = Words({
    "unknown": N_("unknown"), "computed": N_("{value} = {expr}"), "computed_of": N_("{value} = {expr} ({inputs})"),
    "unknown_of": N_("unknown: {expr} ({inputs})"),
    "weighted": N_("weighted score {value} = {terms}"), "term": N_("{name} {input} × {weight}"),
    "in_band": N_("{band}: {of} {value} in [{low}, {high})"), "in_top_band": N_("{band}: {of} {value} in [{low}, {high}]"),
    "at_least": N_("{band}: {of} {value} ≥ {low}"), "below_bands": N_("no band: {of} {value} is below {low}"),
    "unknown_input": N_("no band: {of} unknown"),
    "table_row": N_("{value}: row {row} of {table} ({inputs})"), "no_table_row": N_("no row of {table} matches ({inputs})"),
    "found": N_("{value} from {dataset} ({keys})"), "not_found": N_("nothing found in {dataset} ({keys})"),
    "missing": N_("{name} missing"), "missing_by": N_('no record with {by} "{value}"'), "sep": N_("; "),
})
_PLACE = re.compile(r"\{(\w+)\}")


@dataclass
class Reason:
    """A column's reason as SQL: the main code and sentence, and the problems that may explain it.

    ``text`` maps a language to a SQL string expression; each issue is (SQL
    condition, code, language → sentence), and holds only where its
    condition does.
    """

    code: str
    text: dict[str, str]
    issues: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def sql(self, lang: str) -> str:
        """The reason as a JSON object ``{"codes": [...], "text": "..."}`` (SQL)."""
        conditional = [(f"CASE WHEN {cond} THEN {string(code)} END", f"CASE WHEN {cond} THEN {string(text[lang])} END")
                       for cond, code, text in self.issues]
        codes = ", ".join([self.code, *(c for c, _ in conditional)])
        texts = ", ".join([self.text[lang], *(t for _, t in conditional)])
        return (f"json_object('codes', list_filter([{codes}], lambda __c: __c IS NOT NULL), "
                f"'text', concat_ws({string(_WORDS[lang]['sep'])}, {texts}))")


def sentence(lang: str, key: str, **values: str) -> str:
    """The sentence ``key`` in ``lang`` as SQL: the words quoted, each ``{name}`` the SQL given for it (as text)."""
    template = _WORDS[lang][key]
    parts, position = [], 0
    for match in _PLACE.finditer(template):
        parts.append(string(template[position:match.start()]))
        parts.append(f"coalesce(CAST({values[match[1]]} AS VARCHAR), '—')")
        position = match.end()
    parts.append(string(template[position:]))
    return " || ".join(p for p in parts if p != "''") or "''"


def each(key: str, **values: str) -> dict[str, str]:
    """:func:`sentence` in every language."""
    return {lang: sentence(lang, key, **values) for lang in LANGS}


def words(key: str, **values: str) -> dict[str, str]:
    """A fixed sentence (no SQL in it) in every language, ``{name}`` filled with text."""
    return {lang: _WORDS[lang][key].format(**values) for lang in LANGS}


def inputs(names: list[str]) -> str:
    """SQL: ``likelihood 3, impact 5``, each field of the record with its value (— when empty)."""
    pairs = [f"{string(n + ' ')} || coalesce(CAST({ident(n)} AS VARCHAR), '—')" for n in names]
    return f"concat_ws(', ', {', '.join(pairs)})" if pairs else "''"


def missing(names: list[str], only_if: str = "TRUE") -> list[tuple[str, str, dict[str, str]]]:
    """An issue for each of ``names`` that is empty (and ``only_if`` holds)."""
    return [(f"{only_if} AND {ident(n)} IS NULL", f"missing:{n}", words("missing", name=n)) for n in names]


def expr(value: str, text: str, refers: list[str], aggregate: bool) -> Reason:
    """An expression column: its value and the expression, with the record's inputs."""
    expression = string(text)
    if aggregate or not refers:
        return Reason(f"CASE WHEN {value} IS NULL THEN 'unknown' ELSE 'computed' END",
                      {lang: f"CASE WHEN {value} IS NULL THEN {string(_WORDS[lang]['unknown'])} ELSE "
                             f"{sentence(lang, 'computed', value=value, expr=expression)} END" for lang in LANGS})
    shown = inputs(refers)
    return Reason(f"CASE WHEN {value} IS NULL THEN 'unknown' ELSE 'computed' END",
                  {lang: f"CASE WHEN {value} IS NULL THEN {sentence(lang, 'unknown_of', expr=expression, inputs=shown)} "
                         f"ELSE {sentence(lang, 'computed_of', value=value, expr=expression, inputs=shown)} END"
                   for lang in LANGS},
                  missing(refers, f"{value} IS NULL"))


def weighted(value: str, terms: list[tuple[str, str, str]], issues: list) -> Reason:
    """A weighted score: ``terms`` are (name, SQL of its input, weight as written)."""
    def text(lang: str) -> str:
        parts = [sentence(lang, "term", name=string(name), input=sql, weight=string(weight)) for name, sql, weight in terms]
        joined = f"concat_ws(' + ', {', '.join(parts)})"
        return (f"CASE WHEN {value} IS NULL THEN {string(_WORDS[lang]['unknown'])} "
                f"ELSE {sentence(lang, 'weighted', value=value, terms=joined)} END")

    return Reason(f"CASE WHEN {value} IS NULL THEN 'unknown' ELSE 'weighted' END", {lang: text(lang) for lang in LANGS},
                  issues)


def bands(of: str, bands: dict[str, float], top: float | None) -> Reason:
    """The band a value falls in, with its bounds: ``bands`` maps a name to its lowest value, highest first."""
    column = ident(of)
    ordered = list(bands.items())
    code = [f"WHEN {column} IS NULL THEN 'unknown'"]
    text: dict[str, list[str]] = {lang: [f"WHEN {column} IS NULL THEN {sentence(lang, 'unknown_input', of=string(of))}"]
                                  for lang in LANGS}
    for i, (name, low) in enumerate(ordered):
        code.append(f"WHEN {column} >= {number(low)} THEN 'in_band'")
        for lang in LANGS:
            if i:
                said = sentence(lang, "in_band", band=string(name), of=string(of), value=column, low=_n(low),
                                high=_n(ordered[i - 1][1]))
            elif top is not None:
                said = sentence(lang, "in_top_band", band=string(name), of=string(of), value=column, low=_n(low),
                                high=_n(top))
            else:
                said = sentence(lang, "at_least", band=string(name), of=string(of), value=column, low=_n(low))
            text[lang].append(f"WHEN {column} >= {number(low)} THEN {said}")
    lowest = _n(ordered[-1][1]) if ordered else "NULL"
    return Reason(f"CASE {' '.join(code)} ELSE 'below_bands' END",
                  {lang: f"CASE {' '.join(text[lang])} ELSE "
                         f"{sentence(lang, 'below_bands', of=string(of), value=column, low=lowest)} END" for lang in LANGS})


def table(value: str, name: str, row: str, columns: dict[str, str]) -> Reason:
    """A decision table's output and the row that decided; ``columns`` maps each input to its column."""
    pairs = [f"{string(n + ' ')} || coalesce(CAST({c} AS VARCHAR), '—')" for n, c in columns.items()]
    shown = f"concat_ws(', ', {', '.join(pairs)})" if pairs else "''"
    return Reason(f"CASE WHEN {row} IS NULL THEN 'no_table_row' ELSE 'table_row' END",
                  {lang: f"CASE WHEN {row} IS NULL THEN {sentence(lang, 'no_table_row', table=string(name), inputs=shown)} "
                         f"ELSE {sentence(lang, 'table_row', value=value, row=row, table=string(name), inputs=shown)} END"
                   for lang in LANGS},
                  [(f"{row} IS NULL AND {c} IS NULL", f"missing:{n}", words("missing", name=n)) for n, c in columns.items()])


def lookup(value: str, dataset: str, keys: list[str]) -> Reason:
    """A value looked up in another dataset by the record's ``keys``."""
    shown = inputs(keys)
    return Reason(f"CASE WHEN {value} IS NULL THEN 'not_found' ELSE 'found' END",
                  {lang: f"CASE WHEN {value} IS NULL THEN {sentence(lang, 'not_found', dataset=string(dataset), keys=shown)} "
                         f"ELSE {sentence(lang, 'found', value=value, dataset=string(dataset), keys=shown)} END"
                   for lang in LANGS})


def _n(value: float) -> str:
    """A bound as SQL text, written as people write it (60, not 60.0)."""
    return string(f"{value:g}")
