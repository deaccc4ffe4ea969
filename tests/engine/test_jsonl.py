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
    # Byte 8 of the line is not UTF-8: after the 7 characters '{"a": "', column 8.
    (b'{"a": "\xff"}\n', "items.jsonl:1:8: not valid UTF-8 text (byte 0xFF); JSON Lines files are read as UTF-8"),
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


def _error(tmp_path, content: bytes) -> DataError:
    path = tmp_path / "items.jsonl"
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        read(duckdb.connect(), path, "raw", ReadOptions(), tmp_path)
    return info.value


@pytest.mark.parametrize(("codec", "name"), [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_a_utf16_file_is_named_for_what_it_is(tmp_path, codec, name):
    # Python's "utf-16" and "utf-32" codecs write the byte-order mark first.
    error = _error(tmp_path, '{"a": 1}\n{"a": 2}\n'.encode(codec))
    assert str(error) == str(tmp_path / f"items.jsonl: the file is {name} text (it begins with the {name} byte-order "
                                         "mark), but clausewise reads JSON Lines files as UTF-8; write it as UTF-8")
    assert error.render("zh") == str(tmp_path / f"items.jsonl：该文件是 {name} 文本（以 {name} 字节顺序标记开头），而 "
                                                 "clausewise 只读取 UTF-8 编码的 JSON Lines 文件；请以 UTF-8 编码写出该文件")


def test_a_bad_byte_after_a_bom_is_counted_in_characters(tmp_path):
    # The mark, then '{"a": "账' (8 characters, 10 bytes) and 0xB4: column 9 (bytes after the mark would say 11).
    error = _error(tmp_path, b'\xef\xbb\xbf{"a": "\xe8\xb4\xa6' + b'\xb4"}\n')
    assert str(error) == str(tmp_path / "items.jsonl:1:9: not valid UTF-8 text (byte 0xB4); JSON Lines files are "
                                         "read as UTF-8")
    assert error.render("zh") == str(tmp_path / "items.jsonl:1:9：不是有效的 UTF-8 文本（字节 0xB4）；JSON Lines 文件按 "
                                                 "UTF-8 读取")


@pytest.mark.parametrize(("line", "chinese"), [
    (b'{"a": 1', "此处应为分隔符“,”"),
    (b'{a: 1}', "此处应为用双引号括起的键名"),
    (b'{"a": "x', "从此处开始的字符串没有结束"),
    (b'{"a": 1} x', "一条 JSON 之后还有多余的内容"),
])
def test_what_is_wrong_with_a_line_is_said_in_chinese(tmp_path, line, chinese):
    error = _error(tmp_path, line + b"\n")
    assert error.render("zh").endswith(f"这一行不是 JSON：{chinese}")


def test_nan_is_said_in_chinese(tmp_path):
    # DuckDB takes NaN; broken_line, which reads the file again once a reader has failed on it, refuses it.
    path = tmp_path / "items.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": NaN}\n')
    assert broken_line(path).render("zh") == str(tmp_path / "items.jsonl:2：这一行不是 JSON：NaN 不是 JSON")
