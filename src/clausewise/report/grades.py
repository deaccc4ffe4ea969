"""The grades report: every computed value, how it was reached, and the scorecard.

Used by ``clausewise grades`` (grades only) and by the other writers for their
grades sections, so every format shows grades the same way.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

from tabulate import tabulate

from ..model import RunResult

MAX_ROWS = 200


def distribution(result: RunResult) -> dict[str, dict[str, int]]:
    """``dataset.column`` → counts of each grade, for the computed columns with a fixed set of values.

    Those are bands and decision-table outputs; free text such as a composite
    key has no distribution worth showing.
    """
    counts: dict[str, Counter] = {}
    datasets = result.policy.datasets
    for grade in result.grades:
        for name, value in grade.values.items():
            if datasets[grade.dataset].fields[name].type == "enum":
                counts.setdefault(f"{grade.dataset}.{name}", Counter())[str(value) if value is not None else "—"] += 1
    return {k: dict(sorted(v.items())) for k, v in counts.items()}


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


def rows(result: RunResult) -> list[tuple]:
    return [
        (g.dataset, g.key, name, _num(value), explain(g.breakdown.get(name)))
        for g in result.grades
        for name, value in g.values.items()
    ]


def table(result: RunResult, fail_on: str = "high") -> str:
    body = rows(result)
    shown = body[:MAX_ROWS]
    text = tabulate(shown, headers=["dataset", "record", "value", "result", "how"], tablefmt="simple") if body else "No computed values."
    if len(body) > MAX_ROWS:
        text += f"\n… and {len(body) - MAX_ROWS} more (use --format json or csv for all)"
    dist = distribution(result)
    if dist:
        text += "\n\n" + "\n".join(f"{k}: " + ", ".join(f"{g} {n}" for g, n in v.items()) for k, v in dist.items())
    return text + "\n"


def json_text(result: RunResult, fail_on: str = "high") -> str:
    doc = {
        "run": result.meta(),
        "grades": [g.to_dict() for g in result.grades],
        "distribution": distribution(result),
        "scorecard": [line.to_dict() for line in result.scorecard()],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"


def csv_text(result: RunResult, fail_on: str = "high") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["dataset", "key", "row", "column", "value", "breakdown"])
    for g in result.grades:
        for name, value in g.values.items():
            writer.writerow([g.dataset, g.key, "" if g.row is None else g.row, name,
                             "" if value is None else value, json.dumps(g.breakdown.get(name), ensure_ascii=False)])
    return out.getvalue()


def scorecard_table(result: RunResult, scopes: tuple[str, ...] | None = None) -> str:
    lines = [s for s in result.scorecard() if scopes is None or s.scope in scopes or s.scope not in ("clause", "chapter")]
    body = [
        (s.scope, s.id, s.examined, *(s.findings[k] for k in ("critical", "high", "medium", "low")), s.warnings,
         "—" if s.score is None else f"{s.score:g}", s.band or "—")
        for s in lines
    ]
    headers = ["scope", "id", "examined", "critical", "high", "medium", "low", "warnings", "score", "band"]
    return tabulate(body, headers=headers, tablefmt="simple")


FORMATS = {"table": table, "json": json_text, "csv": csv_text}
