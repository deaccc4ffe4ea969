"""The grades report: every computed value, why it is what it is, and the scorecard.

Used by ``clausewise grades`` (grades only) and by the other writers for their
grades sections, so every format shows grades the same way. Each value comes
with its reason (codes and one sentence in the run's language, computed in
SQL: ``engine/reasons.py``); JSON and CSV add the breakdown's numbers.

A :class:`Selection` (datasets, a record key, a value, a limit) becomes the
store's WHERE and LIMIT, so ``clausewise grades --grade unqualified`` reads
only what it prints. The table lists at most :data:`TABLE_LIMIT` records
unless a limit is given, and says how many more match.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from itertools import groupby
from typing import TextIO

from ..i18n import N_, Words
from ..model import RunResult
from ..scorecard import scorecard
from . import words
from .common import hole, write_json

# Records the table lists when no --limit is given; json and csv list every record that matches.
TABLE_LIMIT = 100
_WORDS = Words({"record": N_("record"), "column": N_("value"), "result": N_("result"), "reason": N_("why"), "none": N_("No computed values."),
       "nothing": N_("No computed value matches."), "dataset": N_("{dataset}: {records}"),
       "more": N_("… {n} not listed; narrow with --dataset, --key or --grade, raise --limit, or use --format json or csv")})


@dataclass(frozen=True)
class Selection:
    """Which grades to show: datasets (all when None), a record key, a value (``value`` or ``column=value``), a limit."""

    datasets: tuple[str, ...] | None = None
    key: str | None = None
    grade: str | None = None
    limit: int | None = None

    def where(self) -> dict:
        return {"datasets": self.datasets, "key": self.key, "grade": self.grade}


ALL = Selection()


def explain(breakdown) -> str:
    """A breakdown in one line: ``performance 54 (0.6 × 90) + ability 22.5 (0.25 × 90)``."""
    if not isinstance(breakdown, dict):
        return "" if breakdown is None else str(breakdown)
    if all(isinstance(v, dict) and "weight" in v for v in breakdown.values()):
        return " + ".join(
            f"{k} {_num(v.get('contribution'))} ({_num(v['weight'])} × {_num(v.get('value', v.get('average')))})"
            for k, v in breakdown.items()
        )
    return ", ".join(f"{k}={_num(v)}" for k, v in breakdown.items())


def reason(grade, column: str) -> str:
    """The one-line reason for ``column`` of a record's grade ("" when there is none)."""
    found = grade.reasons.get(column)
    return found.get("text", "") if isinstance(found, dict) else ""


def _num(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "—" if value is None else str(value)


def table(result: RunResult, fail_on: str, out: TextIO, selection: Selection = ALL) -> None:
    """Dataset by dataset, each record's values with their reasons; then each grade's distribution."""
    # The table's layout (tabulate, wcwidth) is imported here, not with the module: every command
    # imports this module for its format names, and most never draw the table.
    from tabulate import tabulate

    from . import layout

    lang, w = result.lang, _WORDS[result.lang]
    width = layout.width(out)
    limit = TABLE_LIMIT if selection.limit is None else selection.limit
    shown = 0
    for dataset, grades in groupby(result.grades.where(**selection.where(), limit=limit), key=lambda g: g.dataset):
        grades = list(grades)
        shown += len(grades)
        rows = [[g.key or "", name, _num(value), reason(g, name)] for g in grades for name, value in g.values.items()]
        cells = layout.fit([[w["record"], w["column"], w["result"], w["reason"]], *rows], width, flexible=3, header=True)
        total = result.grades.count(dataset, selection.key, selection.grade)
        out.write(w["dataset"].format(dataset=dataset, records=words.count(total, "record", lang)) + "\n")
        out.write(tabulate(cells[1:], headers=cells[0], tablefmt="simple", disable_numparse=True) + "\n\n")
    if not shown:
        out.write((w["none"] if not result.grades else w["nothing"]) + "\n\n")
    matching = result.grades.count(key=selection.key, grade=selection.grade, datasets=selection.datasets)
    if matching > shown:
        out.write("\n".join(layout.wrap(w["more"].format(n=words.count(matching - shown, "record", lang)), width))
                  + "\n\n")
    dist = result.grades.distribution()
    if dist:
        out.write("\n".join(f"{k}: " + ", ".join(f"{g} {n}" for g, n in v.items()) for k, v in dist.items()) + "\n")


def json_text(result: RunResult, fail_on: str, out: TextIO, selection: Selection = ALL) -> None:
    doc = {
        "run": result.meta(),
        "grades": hole("grades"),
        "distribution": result.grades.distribution(),
        "scorecard": [line.to_dict() for line in scorecard(result, fail_on)],
    }
    write_json(out, doc, {"grades": result.grades.json_lines(**selection.where(), limit=selection.limit)})


def csv_text(result: RunResult, fail_on: str, out: TextIO, selection: Selection = ALL) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["dataset", "key", "row", "column", "value", "breakdown", "reason_codes", "reason"])
    for g in result.grades.where(**selection.where(), limit=selection.limit):
        writer.writerows(
            [g.dataset, g.key, "" if g.row is None else g.row, name, "" if value is None else value,
             json.dumps(g.breakdown.get(name), ensure_ascii=False),
             " ".join((g.reasons.get(name) or {}).get("codes", [])), reason(g, name)]
            for name, value in g.values.items()
        )


FORMATS = {"table": table, "json": json_text, "csv": csv_text}
