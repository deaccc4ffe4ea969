"""A JSON Lines record's row is its line in the file, blank lines counted (DuckDB skips them)."""

from __future__ import annotations

from datetime import datetime

import clausewise
from clausewise.engine.readers.jsonl import blank_skips

DATASETS = """\
items:
  key: id
  fields:
    id: string
    n: integer
"""
RULES = """\
rules:
  - {id: positive, clause: C-1, dataset: items, kind: check, severity: high, assert: n >= 0,
     title: {en: Positive}, message: {en: "{key} is negative"}}
"""


def test_findings_name_the_real_line_after_blank_lines(pack, export):
    text = ('{"id": "K1", "n": -1}\n'   # line 1
            "\n"                        # line 2: blank
            "   \n"                     # line 3: spaces only, blank too
            '{"id": "K2", "n": "x"}\n'  # line 4: n does not read
            "\r\n"                      # line 5: a carriage return alone, blank
            '{"id": "K3", "n": -3}\n'   # line 6
            '{"id": "K4", "n": 4}\n'    # line 7
            '{"id": "K5", "n": -5}\n')  # line 8
    folder = export({"items.jsonl": text})
    with clausewise.audit(clausewise.load(pack(DATASETS, RULES)), folder, as_of=datetime(2026, 11, 1)) as result:
        got = sorted((f.key, f.status, f.row) for f in result.findings)
        con = result.findings._con  # the run's database, where the typed table keeps each record's row
        rows = con.execute("SELECT id, __row FROM items ORDER BY __row").fetchall()
    # K1 line 1; K2 line 4 (2 blank lines before); K3 line 6, K5 line 8 (3 blank lines before).
    assert got == [("K1", "violation", 1), ("K2", "invalid", 4), ("K3", "violation", 6), ("K5", "violation", 8)]
    assert rows == [("K1", 1), ("K2", 4), ("K3", 6), ("K4", 7), ("K5", 8)]


def test_without_blank_lines_the_row_is_the_record_number(pack, export):
    folder = export({"items.jsonl": '{"id": "K1", "n": -1}\n{"id": "K2", "n": -2}\n'})
    with clausewise.audit(clausewise.load(pack(DATASETS, RULES)), folder, as_of=datetime(2026, 11, 1)) as result:
        assert sorted((f.key, f.row) for f in result.findings) == [("K1", 1), ("K2", 2)]


def test_blank_skips(tmp_path):
    path = tmp_path / "a.jsonl"
    # Lines: 1 record 0, 2 blank, 3 blank, 4 record 1, 5 blank, 6 record 2, then a final newline (no line).
    path.write_bytes(b'{"a":1}\n\n \n{"a":2}\n\t\n{"a":3}\n')
    # Blank line 2 (the 1st, i = 0) has 2 - 1 - 0 = 1 record before it: records from index 1 on are 1 line down;
    # line 3 (i = 1): 3 - 1 - 1 = 1 again, now 2 down; line 5 (i = 2): 5 - 1 - 2 = 2, records from index 2 on 3 down.
    assert blank_skips(path) == {1: 2, 2: 3}
    path.write_bytes(b"")
    assert blank_skips(path) == {}
    path.write_bytes(b'\n{"a":1}')  # a blank first line: record 0 is on line 2
    assert blank_skips(path) == {0: 1}
