"""A JSON Lines file that is not JSON: the broken line itself, and the column where it breaks."""

from __future__ import annotations

import duckdb
import pytest

from clausewise.engine.readers.common import ReadOptions
from clausewise.engine.readers.jsonl import broken_line, read
from clausewise.errors import DataError


@pytest.mark.parametrize(("content", "expected"), [
    # The first line lacks its "}": DuckDB says "line 2"; the broken line is 1, and '{"a": 1' is 7 characters.
    (b'{"a": 1\n{"a": 2}\n', "items.jsonl:1:8: this line is not JSON: expecting ',' delimiter"),
    # A blank line is skipped, as DuckDB skips it, but still counted: the broken line is 4.
    (b'{"a": 1}\n\n{"a": 2}\n{"a" 3}\n', "items.jsonl:4:6: this line is not JSON: expecting ':' delimiter"),
    # A byte order mark and Windows line ends: the column counts characters after the mark.
    (b'\xef\xbb\xbf{"a": 1}\r\n{"a": }\r\n', "items.jsonl:2:7: this line is not JSON: expecting value"),
    # Byte 8 of the line is not UTF-8.
    (b'{"a": "\xff"}\n', "items.jsonl:1:8: this line is not JSON: byte 8 is not UTF-8"),
])
def test_the_broken_line_is_named(tmp_path, content, expected):
    path = tmp_path / "items.jsonl"
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        read(duckdb.connect(), path, "raw", ReadOptions(), tmp_path)
    assert str(info.value) == str(tmp_path / expected)


def test_a_file_of_json_lines_has_no_broken_line(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_bytes(b'{"a": 1}\n\n[1, 2]\n"text"\n')
    assert broken_line(path) is None
    assert broken_line(tmp_path / "missing.jsonl") is None
