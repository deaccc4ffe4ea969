"""The grades report: every computed value, how it was reached, and the scorecard.

Used by ``clausewise grades`` (grades only) and by the other writers for their
grades sections, so every format shows grades the same way.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from itertools import islice
from typing import TextIO

from tabulate import tabulate

from ..model import RunResult
from ..scorecard import scorecard
from .common import hole, write_json

MAX_ROWS = 200


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


def _num(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "—" if value is None else str(value)


def _rows(result: RunResult) -> Iterator[tuple]:
    for g in result.grades:
        for name, value in g.values.items():
            yield g.dataset, g.key, name, _num(value), explain(g.breakdown.get(name))


def table(result: RunResult, fail_on: str, out: TextIO) -> None:
    shown = list(islice(_rows(result), MAX_ROWS + 1))
    text = tabulate(shown[:MAX_ROWS], headers=["dataset", "record", "value", "result", "how"], tablefmt="simple") if shown else "No computed values."
    if len(shown) > MAX_ROWS:
        total = sum(len(columns) * n for columns, n in _sizes(result))
        text += f"\n… and {total - MAX_ROWS} more (use --format json or csv for all)"
    dist = result.grades.distribution()
    if dist:
        text += "\n\n" + "\n".join(f"{k}: " + ", ".join(f"{g} {n}" for g, n in v.items()) for k, v in dist.items())
    out.write(text + "\n")


def _sizes(result: RunResult) -> Iterator[tuple[list[str], int]]:
    """(computed columns, records) per dataset with computed columns."""
    for dataset in result.policy.datasets.values():
        columns = [f.name for f in dataset.derived_fields()]
        if columns:
            yield columns, result.grades.count(dataset.name)


def json_text(result: RunResult, fail_on: str, out: TextIO) -> None:
    doc = {
        "run": result.meta(),
        "grades": hole("grades"),
        "distribution": result.grades.distribution(),
        "scorecard": [line.to_dict() for line in scorecard(result, fail_on)],
    }
    write_json(out, doc, {"grades": result.grades.json_lines()})


def csv_text(result: RunResult, fail_on: str, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["dataset", "key", "row", "column", "value", "breakdown"])
    for g in result.grades:
        writer.writerows(
            [g.dataset, g.key, "" if g.row is None else g.row, name, "" if value is None else value,
             json.dumps(g.breakdown.get(name), ensure_ascii=False)]
            for name, value in g.values.items()
        )


FORMATS = {"table": table, "json": json_text, "csv": csv_text}
