"""Export cells are typed on Spark by the same invalid-value rules as on DuckDB.

The typing SQL is the DuckDB engine's (engine/convert.py), transpiled; text
read as a time or a number goes through engine/spark/reading.py, which
reads what DuckDB's TRY_CAST reads. Each cell below is a shape where Spark's
own cast and DuckDB's disagree; both engines must find the same invalid
values, and those are worked out by hand in the comments.
"""

from __future__ import annotations

import json

import pytest

from clausewise.engine import audit, load
from clausewise.engine.spark import audit as spark_audit
from clausewise.report import write

pytestmark = pytest.mark.spark

DATASETS = """\
cells:
  key: id
  fields:
    id: string
    at: timestamp
    day: date
    n: integer
    x: number
"""
RULES = """\
rules:
  - id: at-present
    clause: C-1
    dataset: cells
    kind: required
    severity: low
    fields: [at]
    title: {en: A time is given}
    message: {en: "{key} has no time"}
"""
# id, at, day, n, x — and whether each of at/day/n/x is read (DuckDB's TRY_CAST; UTC+8 policy zone)
ROWS = [
    ("r1", "2026/10/12 9:05", "2026/10/12", " 42 ", "1e3"),            # all read: / dates, 1-digit hour, blanks
    ("r2", "2026-10-12T09:30:00+08:00", "2026-1-2", "1_000", ".5"),   # all read: offset, 1-digit month/day, _ digits
    ("r3", "2026-10-12 24:00:00", "2026-02-30", "0x1F", "nan"),       # day invalid (30 February); x: not finite
    ("r4", "2026-10-12 09:30 CST", "12/10/2026", "1.5", "1,5"),       # at: abbreviation; day: d/m/y; n: a fraction;
                                                                      # x: a comma — all four invalid
    ("r5", "2026-10-12 09:30:00 UTC", "2026-10-12", "abc", "inf"),    # n invalid; x: not finite; UTC read
    ("r6", "2026-10-12 09:30:00.1234567", "2026 10 12", "9" * 20, "1_000.5"),  # n: 20 digits overflow BIGINT
]
# Invalid: r3 day/x, r4 at/day/n/x, r5 n/x, r6 n = 2 + 4 + 2 + 1 = 9 values; `required` counts r4's unreadable
# time as present, so at-present finds nothing.
EXPECTED_INVALID = 9


def _csv(rows) -> str:
    lines = ["id,at,day,n,x"] + [",".join(f'"{v}"' for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def test_invalid_values_alike_on_both_engines(pack, export, spark_ready):
    policy = load(pack(DATASETS, RULES))
    folder = export({"cells.csv": _csv(ROWS)})
    with audit(policy, folder, as_of=None) as on_duckdb:
        expected = json.loads(write(on_duckdb, "json", "high"))
    invalid = [f for f in expected["findings"] if f["status"] == "invalid"]
    assert len(invalid) == EXPECTED_INVALID, [f["message"] for f in invalid]
    assert len(expected["findings"]) == EXPECTED_INVALID
    with spark_audit(policy, folder) as on_spark:
        got = json.loads(write(on_spark, "json", "high"))
    assert got["findings"] == expected["findings"]
    assert got["stats"] == expected["stats"]
    assert got["run"]["as_of"] == expected["run"]["as_of"]
