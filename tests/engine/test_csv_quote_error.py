"""A CSV quote left open before the end of the file is named as such, not by the next line's text."""

from __future__ import annotations

from datetime import datetime

import pytest

import clausewise
from clausewise.errors import DataError

DATASETS = """\
inquiries:
  key: inquiry_id
  fields:
    inquiry_id: string
    channel: string
"""
RULES = """\
rules:
  - id: channel-known
    clause: C-1
    dataset: inquiries
    kind: allowed
    severity: high
    field: channel
    values: [hotline, email]
    title: {en: Channel}
    message: {en: "bad channel {value}"}
"""


def test_quote_open_before_more_lines_is_named(pack, export):
    # Line 1 header; line 2 Q1 opens a quote in "channel" that never closes; line 3 Q2 is a good record.
    # DuckDB reports line 2; the problem is the unterminated quote, as when the quote opens on the last line
    # (tests/engine/test_exports.py::test_broken_csv_is_a_clear_error).
    folder = export({"inquiries.csv": 'inquiry_id,channel\nQ1,"Hot\nQ2,email\n'})
    with pytest.raises(DataError) as info:
        clausewise.audit(clausewise.load(pack(DATASETS, RULES)), folder, as_of=datetime(2026, 11, 1))
    assert str(info.value) == f"{folder}/inquiries.csv:2: cannot read this line: value with unterminated quote found"
