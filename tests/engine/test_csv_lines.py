"""Every line reported for a CSV record is the file's own line, though a quoted field holds line breaks or blank
lines come between records (the table, GitHub annotations, SARIF, and read errors)."""

from __future__ import annotations

import csv
import json
import re
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import render

import clausewise
from clausewise.engine.readers import common
from clausewise.engine.readers.csv import _head, _one_line_each, line_shifts, read_text_csv
from clausewise.errors import DataError
from clausewise.model import DataFile

DATASETS = """\
items:
  key: id
  fields: {id: string, note: string, n: integer}
"""
RULES = """\
rules:
  - {id: positive, clause: C-1, dataset: items, kind: check, severity: high, assert: n >= 0,
     title: {en: Positive}, message: {en: "{key} is negative"}}
"""
AS_OF = datetime(2026, 11, 1)


def _audit(pack, export, text: str):
    policy = clausewise.load(pack(DATASETS, RULES))
    return clausewise.audit(policy, export({"items.csv": text}), as_of=AS_OF)


def _lines(result) -> dict[str, int]:
    (data_file,) = [d for d in result.data_files if d.dataset == "items"]
    return {f.key: data_file.line_of(f.row) for f in result.findings if f.rule == "positive"}


def test_a_record_after_a_quoted_line_break_is_on_its_own_line(pack, export):
    text = ('id,note,n\n'               # line 1
            'K1,"multi\nline",-1\n'     # lines 2-3: record 1
            'K2,plain,-2\n'             # line 4: record 2 (row 2 + header 1 = 3, + 1 break before = 4)
            'K3,"a\nb\nc",-3\n'         # lines 5-7: record 3 (3 + 1 + 1 = 5)
            'K4,x,-4\n')                # line 8: record 4 (4 + 1 + 1 + 2 = 8)
    with _audit(pack, export, text) as result:
        assert _lines(result) == {"K1": 2, "K2": 4, "K3": 5, "K4": 8}
        assert re.search(r"items\.csv:4 .*K2 is negative", render("table", result))
        github = render("github", result)
        assert "items.csv,line=4," in github and "items.csv,line=8," in github
        sarif = json.loads(render("sarif", result))
        starts = {r["properties"]["key"]: r["locations"][0]["physicalLocation"]["region"]["startLine"]
                  for r in sarif["runs"][0]["results"] if r["ruleId"] == "positive"}
        assert starts == {"K1": 2, "K2": 4, "K3": 5, "K4": 8}


def test_blank_lines_and_crlf(pack, export):
    text = ('id,note,n\r\n'             # line 1
            '\r\n'                      # line 2: blank, skipped
            'K1,"x\r\ny",-1\r\n'        # lines 3-4: record 1 (1 + 1 + 1 blank = 3)
            '\r\n'                      # line 5: blank
            '\r\n'                      # line 6: blank
            'K2,"a\r\n\r\nb",-2\r\n'    # lines 7-9, line 8 blank inside the quotes: record 2 (2 + 1 + 1 + 3 = 7)
            'K3,z,-3\r\n')              # line 10: record 3 (3 + 1 + 1 + 3 + 2 = 10)
    with _audit(pack, export, text) as result:
        assert _lines(result) == {"K1": 3, "K2": 7, "K3": 10}


def test_without_line_breaks_a_record_is_on_its_row_plus_the_header(pack, export):
    with _audit(pack, export, "id,note,n\nK1,a,-1\nK2,b,-2\n") as result:
        assert _lines(result) == {"K1": 2, "K2": 3}  # rows 1 and 2, after 1 header line
        (data_file,) = [d for d in result.data_files if d.dataset == "items"]
        assert data_file.line_shifts == ()


@pytest.mark.parametrize(("text", "line"), [
    ('id,note,n\nK1,"multi\nline",1\nK2,x,2,extra\n', 4),   # lines 2-3 are K1; K2 on 4 (DuckDB says 3)
    ('id,note,n\nK1,"a\nb\nc",1\n\nK2,x\n', 6),             # K1 lines 2-4, blank 5, K2 on 6 (DuckDB says 4)
])
def test_a_read_error_names_the_files_line(pack, export, text, line):
    with pytest.raises(DataError) as info:
        _audit(pack, export, text)
    assert info.value.location.line == line
    assert f"items.csv:{line}: this line has" in str(info.value)


def test_a_header_on_two_lines_moves_every_record_one_line_down(pack, export):
    # The header's second column name holds a line break: the header takes lines 1-2, so record k is on line
    # k + 2 (the file has 2 + 2 = 4 lines, as many as header and records, so no field holds a break).
    datasets = DATASETS.replace("note: string", 'note: {type: string, column: "no\\nte"}')
    policy = clausewise.load(pack(datasets, RULES))
    with clausewise.audit(policy, export({"items.csv": 'id,"no\nte",n\nK1,a,-1\nK2,b,-2'}), as_of=AS_OF) as result:
        assert _lines(result) == {"K1": 3, "K2": 4}


def test_a_last_record_without_a_final_line_break_is_counted(pack, export):
    # 3 lines, the last without "\n": header + 2 records, no break inside a field.
    with _audit(pack, export, "id,note,n\nK1,a,-1\nK2,b,-2") as result:
        assert _lines(result) == {"K1": 2, "K2": 3}
    # The same with a quoted break in K1 (4 lines for header + 2 records): K2 is on line 4.
    with _audit(pack, export, 'id,note,n\nK1,"a\nb",-1\nK2,b,-2') as result:
        assert _lines(result) == {"K1": 2, "K2": 4}


@pytest.mark.parametrize(("text", "said"), [
    # "N" and "n" are one name to the database; "Ä" and "ä" are two (it folds the case of ASCII letters only).
    ("id,note,n,N\nK1,a,1,2\n",
     'items.csv:1: columns "n" and "N" differ only in upper and lower case, which the database does not tell apart'),
    ("id,note,n,n\nK1,a,1,2\n", 'items.csv:1: column "n" appears twice in the header'),
    ("\nid,note,n\nK1,a,1\n", "items.csv:1: the first line is blank; the header row must be the file's first line"),
    ("", "items.csv:1: the file is empty; a header row is required"),
])
def test_a_header_the_database_cannot_read_is_said_at_line_1(pack, export, text, said):
    with pytest.raises(DataError) as info:
        _audit(pack, export, text)
    assert said in str(info.value)


def test_names_differing_in_the_case_of_other_letters_are_two_columns(pack, export):
    datasets = DATASETS.replace("note: string", 'note: {type: string, column: "ä"}')
    policy = clausewise.load(pack(datasets, RULES))
    with clausewise.audit(policy, export({"items.csv": "id,ä,Ä,n\nK1,a,b,-1\n"}), as_of=AS_OF) as result:
        assert _lines(result) == {"K1": 2}


# ---- line endings: "\r\n", "\n" and a "\r" alone each end a line, as a text editor ends one ---------------------

def _all_lines(result) -> dict[tuple[str, str], int]:
    (data_file,) = [d for d in result.data_files if d.dataset == "items"]
    return {(f.rule, f.key): data_file.line_of(f.row) for f in result.findings}


def test_an_old_mac_file_with_blank_lines_names_each_records_own_line(pack, export):
    # Lines end in "\r" alone. DuckDB skips the blank lines, so a record's line is its row + 1 header line + the
    # blank lines above it.
    text = (b'id,note,n\r'      # line 1: header
            b'K1,a,-1\r'        # line 2: record 1 (1 + 1 = 2)
            b'\r'               # line 3: blank
            b'K2,b,-2\r'        # line 4: record 2 (2 + 1 + 1 blank = 4)
            b'\r\r'             # lines 5 and 6: blank
            b'K3,c,x\r'         # line 7: record 3 (3 + 1 + 3 blanks = 7), its n unreadable
            b'K4,d,-4\r')       # line 8: record 4 (4 + 1 + 3 = 8)
    with _audit(pack, export, text) as result:
        assert _lines(result) == {"K1": 2, "K2": 4, "K4": 8}
        # The invalid value is at record 3's line 7; "n" unreadable, so the rule leaves K3 unjudged.
        assert _all_lines(result)["data-quality", "K3"] == 7
        assert re.search(r"items\.csv:4 .*K2 is negative", render("table", result))
        assert "items.csv,line=8," in render("github", result)


def test_an_old_mac_file_without_blank_lines_is_a_record_a_line(pack, export):
    # 3 lines, the last without a line break: header + 2 records, each on its row + 1.
    with _audit(pack, export, b"id,note,n\rK1,a,-1\rK2,b,-2") as result:
        assert _lines(result) == {"K1": 2, "K2": 3}
        (data_file,) = [d for d in result.data_files if d.dataset == "items"]
        assert data_file.line_shifts == ()


def test_line_breaks_inside_quoted_fields_of_an_old_mac_file(pack, export):
    text = (b'id,note,n\r'          # line 1
            b'K1,"a\rb",-1\r'       # lines 2-3: record 1, a "\r" in its note
            b'K2,"c\nd",-2\r'       # lines 4-5: record 2 (2 + 1 + 1 break before = 4); a "\n" ends a line too
            b'K3,"e\r\nf",-3\r'     # lines 6-7: record 3 (3 + 1 + 2 = 6); "\r\n" is one line break
            b'\r'                   # line 8: blank
            b'K4,"g\r\rh",-4\r'     # lines 9-11, line 10 blank inside the quotes: record 4 (4 + 1 + 3 + 1 blank = 9)
            b'K5,i,-5\r')           # line 12: record 5 (5 + 1 + 5 breaks + 1 blank = 12)
    with _audit(pack, export, text) as result:
        assert _lines(result) == {"K1": 2, "K2": 4, "K3": 6, "K4": 9, "K5": 12}


def test_an_old_mac_header_on_two_lines(pack, export):
    # The header's second name holds a "\r": the header takes lines 1-2, so record k is on line k + 2.
    datasets = DATASETS.replace("note: string", 'note: {type: string, column: "no\\rte"}')
    policy = clausewise.load(pack(datasets, RULES))
    with clausewise.audit(policy, export({"items.csv": b'id,"no\rte",n\rK1,a,-1\r\rK2,b,-2\r'}),
                          as_of=AS_OF) as result:
        # K1 on 1 + 2 = 3; a blank line 4; K2 on 2 + 2 + 1 blank = 5.
        assert _lines(result) == {"K1": 3, "K2": 5}


@pytest.mark.parametrize(("text", "line"), [
    # K1 on 2, blank 3, K2 on 4 with two fields (DuckDB says its line 4: it counts the blank line as one too).
    (b'id,note,n\rK1,a,-1\r\rK2,b\r', 4),
    # K1 takes lines 2-3 (a "\r" in its note), K2 on 4 with four fields (DuckDB says 3).
    (b'id,note,n\rK1,"a\rb",-1\rK2,b,-2,4\r', 4),
])
def test_a_read_error_in_an_old_mac_file_names_the_files_line(pack, export, text, line):
    with pytest.raises(DataError) as info:
        _audit(pack, export, text)
    assert info.value.location.line == line
    assert f"items.csv:{line}: this line has" in str(info.value)


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_a_carriage_return_alone_in_a_quoted_field_ends_a_line_as_in_an_editor(pack, export, ending):
    # Record 1's note holds a "\r" alone: an editor shows "a" and 'b",-1' on lines 2 and 3, so K2 is on
    # line 2 + 1 + 1 = 4 whether the file's lines end in "\n" or "\r\n" (SARIF's cell regions count it so too).
    text = b'id,note,n' + ending + b'K1,"a\rb",-1' + ending + b'K2,b,-2' + ending
    with _audit(pack, export, text) as result:
        assert _lines(result) == {"K1": 2, "K2": 4}


def test_a_windows_file_whose_last_line_ends_in_a_carriage_return_alone(pack, export):
    # DuckDB reads it (the "\r" ends the last record); lines 1-3 hold the header and the two records.
    with _audit(pack, export, b"id,note,n\r\nK1,a,-1\r\nK2,b,-2\r") as result:
        assert _lines(result) == {"K1": 2, "K2": 3}



@pytest.mark.parametrize(("text", "column", "lines"), [
    # A "\n" file whose header's second name holds a "\r": header lines 1-2, K1 on 1 + 2 = 3, K2 on 4. DuckDB,
    # reading the file itself, takes the "\r" for the file's line break and reads no record, without an error.
    (b'id,"no\rte",n\nK1,a,-1\nK2,b,-2\n', "no\\rte", {"K1": 3, "K2": 4}),
    # As Excel saves a sheet whose cells hold line breaks: lines end in "\r\n", a break in a cell is "\n".
    # Header lines 1-2; K1 on 3, its note on lines 3-4; K2 on 2 + 2 + 1 break before = 5.
    (b'id,"no\nte",n\r\nK1,"a\nb",-1\r\nK2,b,-2\r\n', "no\\nte", {"K1": 3, "K2": 5}),
])
def test_a_header_name_holding_another_line_break_than_the_lines(pack, export, text, column, lines):
    datasets = DATASETS.replace("note: string", f'note: {{type: string, column: "{column}"}}')
    policy = clausewise.load(pack(datasets, RULES))
    with clausewise.audit(policy, export({"items.csv": text}), as_of=AS_OF) as result:
        assert _lines(result) == lines


def test_a_sheet_whose_header_cell_holds_a_line_break_is_read_whole(pack, export):
    # A header cell written on two lines (Alt+Enter in Excel): the sheet's two records are both read and judged
    # (the CSV the sheet is read through ends its lines in "\r\n", the cell's break is "\n").
    openpyxl = pytest.importorskip("openpyxl")
    datasets = DATASETS.replace("note: string", 'note: {type: string, column: "no\\nte"}')
    policy = clausewise.load(pack(datasets, RULES))
    folder = export({})
    book = openpyxl.Workbook()
    for row in (["id", "no\nte", "n"], ["K1", "a", -1], ["K2", "b", -2]):
        book.active.append(row)
    book.save(folder / "items.xlsx")
    with clausewise.audit(policy, folder, as_of=AS_OF) as result:
        assert [d.rows for d in result.data_files if d.dataset == "items"] == [2]
        assert sorted(f.key for f in result.findings if f.rule == "positive") == ["K1", "K2"]

MIXED = [
    # (file, line of the first line ending otherwise than the header, what it ends in, what the header ends in)
    (b'id,note,n\nK1,a,-1\r\nK2,b,-2\n', 2, "CR LF (Windows)", "LF (Unix)"),
    (b'id,note,n\nK1,a,-1\nK2,b,-2\rK3,c,-3\n', 3, "CR (old Mac)", "LF (Unix)"),
    (b'id,note,n\r\nK1,a,-1\r\nK2,b,-2\nK3,c,-3\r\n', 3, "LF (Unix)", "CR LF (Windows)"),
    (b'id,note,n\r\nK1,a,-1\rK2,b,-2\r\n', 2, "CR (old Mac)", "CR LF (Windows)"),
    (b'id,note,n\rK1,a,-1\nK2,b,-2\r', 2, "LF (Unix)", "CR (old Mac)"),
    (b'id,note,n\rK1,a,-1\r\nK2,b,-2\r', 2, "CR LF (Windows)", "CR (old Mac)"),
    # A "\r" alone inside an unquoted field of a "\r\n" file ends line 2 there (DuckDB says line 2 has 2 fields).
    (b'id,note,n\r\nK1,a\rb,-1\r\nK2,b,-2\r\n', 2, "CR (old Mac)", "CR LF (Windows)"),
    # A "\n" file's last line ends in "\r" alone (which DuckDB refuses there, unlike in a "\r\n" file): line 3.
    (b'id,note,n\nK1,a,-1\nK2,b,-2\r', 3, "CR (old Mac)", "LF (Unix)"),
    # Only the last line, a blank one, differs: line 4 ends in "\r\n".
    (b'id,note,n\nK1,a,-1\nK2,b,-2\n\r\n', 4, "CR LF (Windows)", "LF (Unix)"),
    # Inside quotes a line break is part of the field: the "\r\n" of lines 2-3 is not the change; line 4's is.
    (b'id,note,n\nK1,"a\r\nb",-1\nK2,b,-2\r\nK3,c,-3\n', 4, "CR LF (Windows)", "LF (Unix)"),
    # The header itself ends otherwise than the rest: line 2 is the first to differ from it.
    (b'id,note,n\r\nK1,a,-1\nK2,b,-2\n', 2, "LF (Unix)", "CR LF (Windows)"),
    # DuckDB reads a "\r" alone before a space in a "\r\n" file as a line break, eating the space (" K2" would be
    # read "K2"), without an error: refused all the same, at line 2.
    (b'id,note,n\r\nK1,a,-1\r K2,b,-2\r\n', 2, "CR (old Mac)", "CR LF (Windows)"),
    # ... also when a "\r" alone in a quoted field (line 2-3) comes first: line 4 ends in the one outside.
    (b'id,note,n\r\nK1,"a\rb",-1\r\nK2,b,-2\r K3,c,-3\r\n', 4, "CR (old Mac)", "CR LF (Windows)"),
]


@pytest.mark.parametrize(("text", "line", "found", "expected"), MIXED)
def test_a_file_that_mixes_line_endings_is_refused_at_the_first_line_that_differs(pack, export, text, line, found,
                                                                                   expected):
    with pytest.raises(DataError) as info:
        _audit(pack, export, text)
    assert info.value.location.line == line
    assert str(info.value).endswith(
        f"items.csv:{line}: this line ends in {found}, the lines above it in {expected}: a CSV file's lines must "
        "all end the same way; save it with one kind of line ending")


def test_mixed_line_endings_at_the_command_line_in_english_and_chinese(pack, export):
    from click.testing import CliRunner

    from clausewise.cli import cli

    policy = pack(DATASETS, RULES)
    folder = export({"items.csv": b"id,note,n\r\nK1,a,-1\r\nK2,b,-2\nK3,c,-3\r\n"})
    base = ["audit", str(folder), "-p", str(policy), "--as-of", "2026-11-01"]
    english = CliRunner().invoke(cli, base)
    assert english.exit_code == 2 and "Traceback" not in english.output
    assert english.output.strip().splitlines()[-1].endswith(
        "items.csv:3: this line ends in LF (Unix), the lines above it in CR LF (Windows): a CSV file's lines must "
        "all end the same way; save it with one kind of line ending")
    chinese = CliRunner().invoke(cli, [*base, "--lang", "zh"])
    assert chinese.exit_code == 2 and "Traceback" not in chinese.output
    assert chinese.output.strip().splitlines()[-1].endswith(
        "items.csv:3：此行的换行符是 LF（Unix），其上各行是 CR LF（Windows）：CSV 文件各行的换行符必须一致；"
        "请统一换行符后重新保存")


# ---- every line, against the standard library's reader, in pieces of every size -----------------------------------

_ENDING = st.sampled_from(["\n", "\r\n", "\r"])
_PLAIN = st.text(alphabet="ab1 ", max_size=3)
_QUOTED = st.lists(st.sampled_from(['a', ',', '""', '\n', '\r', '\r\n']), max_size=4).map(
    lambda parts: '"' + "".join(parts) + '"')


@st.composite
def _files(draw) -> str:
    """A CSV file DuckDB reads: lines ending alike, fields plain or quoted (holding any line break), blank lines
    between records, the last line ended or not (or, in a "\\r\\n" file, ended in a "\\r" alone)."""
    ending = draw(_ENDING)
    header = draw(st.sampled_from(['a,b,c', 'a,"b\rx",c', 'a,"b\nx",c', 'a,"b\r\nx",c']))
    records = draw(st.lists(st.lists(_PLAIN | _QUOTED, min_size=3, max_size=3), min_size=1, max_size=6))
    text = header + ending
    for fields in records:
        text += ending * draw(st.integers(0, 2)) + ",".join(fields) + ending
    last = draw(st.sampled_from(["kept", "none"] + (["cr"] if ending == "\r\n" else [])))
    if last == "none" and not records[-1][-1] == "":  # an unended last line must hold something
        text = text[: -len(ending)]
    elif last == "cr":
        text = text[:-2] + "\r"
    return text


def _expected_lines(path: Path) -> list[int]:
    """The line each record starts on, as the standard library's reader (which ends a line where an editor does)
    finds it: one more than the lines read before it; blank lines are no records."""
    starts = []
    with path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        before = reader.line_num
        for record in reader:
            if record:
                starts.append(before + 1)
            before = reader.line_num
    return starts


@given(text=_files(), chunk=st.sampled_from([1, 2, 3, 5, 64, 4 << 20]))
def test_every_records_line_is_where_an_editor_shows_it(tmp_path_factory, text, chunk):
    path = tmp_path_factory.mktemp("lines") / "items.csv"
    path.write_bytes(text.encode())
    con = duckdb.connect()
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(common, "SCAN_CHUNK", chunk)
        raw = read_text_csv(con, path, path, "raw", ",", path.parent, lines=True)
        rows = con.execute("SELECT count(*) FROM raw").fetchone()[0]
        data_file = DataFile("items", str(path), "csv", rows, line_shifts=line_shifts(con, raw))
    assert [data_file.line_of(row) for row in range(1, rows + 1)] == _expected_lines(path)


@pytest.mark.parametrize(("text", "each", "alone"), [
    # 2 records, from the byte after the header's line break.
    (b'id,note,n\nK1,a,-1\nK2,b,-2\n', True, False),                 # 2 "\n", 2 lines
    (b'id,note,n\r\nK1,"a",-1\r\nK2,b,-2', True, False),           # 1 "\n" and a last line without one: 2 lines
    (b'id,note,n\rK1,a,-1\rK2,b,-2\r', True, False),                # 2 "\r", 2 lines
    (b'id,note,n\r\nK1,a,-1\r\nK2,b,-2\r', True, False),            # 1 "\n" and a last line ended by "\r": 2
    (b'id,"no\r\nte",n\r\nK1,a,-1\r\nK2,b,-2\r\n', True, False),  # the header's line break is not the records'
    (b'id,note,n\nK1,a,-1\n\nK2,b,-2\n', False, False),             # 3 "\n" (a blank line): 3 lines
    (b'id,note,n\nK1,"a\rb",-1\nK2,b,-2\n', False, False),          # a "\r" too: 3 lines
    (b'id,note,n\r\nK1,"a\rb",-1\r\nK2,b,-2\r\n', False, True),     # 2 "\n" and a "\r" alone: 3 lines
    (b'id,note,n\rK1,"a\nb",-1\rK2,b,-2\r', False, False),          # 2 "\r" and a "\n": 3 lines
])
@pytest.mark.parametrize("chunk", [1, 2, 3, 4 << 20])
def test_one_count_tells_a_file_whose_records_take_a_line_each(tmp_path, monkeypatch, text, each, alone, chunk):
    monkeypatch.setattr(common, "SCAN_CHUNK", chunk)
    path = tmp_path / "items.csv"
    path.write_bytes(text)
    head = _head(path, ",", path)
    assert _one_line_each(path, head.size, head.ending, 2) == (each, alone)


@st.composite
def _mixed_files(draw) -> str:
    """A CSV file whose lines end each its own way (most often all alike)."""
    endings = draw(st.lists(_ENDING, min_size=1, max_size=2))
    header = draw(st.sampled_from(['a,b,c', 'a,"b\rx",c', 'a,"b\r\nx",c']))
    records = draw(st.lists(st.lists(_PLAIN | _QUOTED, min_size=3, max_size=3), min_size=1, max_size=5))
    text = header + draw(st.sampled_from(endings))
    for fields in records:
        for _ in range(draw(st.integers(0, 1))):
            text += draw(st.sampled_from(endings))
        text += ",".join(fields) + draw(st.sampled_from(endings))
    return text


@given(text=_mixed_files())
def test_no_record_is_dropped_or_run_together_whatever_the_line_endings(tmp_path_factory, text):
    # Either every record is read as the standard library's reader reads it (which ends a line at any line
    # break), at its line, or the file is refused at a line.
    path = tmp_path_factory.mktemp("mixed") / "items.csv"
    path.write_bytes(text.encode())
    con = duckdb.connect()
    try:
        raw = read_text_csv(con, path, path, "raw", ",", path.parent, lines=True)
        shifts = line_shifts(con, raw)
    except DataError as exc:
        assert exc.location.line is not None, str(exc)
        return
    read = [[v or "" for v in row] for row in con.execute("SELECT * FROM raw ORDER BY rowid").fetchall()]
    with path.open("r", encoding="utf-8", newline="") as handle:
        expected = [row for row in csv.reader(handle) if row][1:]
    assert read == expected
    data_file = DataFile("items", str(path), "csv", len(read), line_shifts=shifts)
    assert [data_file.line_of(row) for row in range(1, len(read) + 1)] == _expected_lines(path)


@pytest.mark.parametrize(("ending", "line"), [(b"\r", 4), (b"\r\n", 4), (b"\n", 4)])
def test_a_byte_gb18030_cannot_read_is_at_its_line_whatever_the_line_ending(pack, export, ending, line):
    # "备注" in GB18030 makes the file no UTF-8; 0xFF starts no GB18030 character. Lines: 1 header, 2 K1,
    # 3 blank, 4 K2 holding the bad byte.
    text = ending.join([b"id,note,n", "K1,备注,-1".encode("gb18030"), b"", b"K2,\xff,-2", b""])
    with pytest.raises(DataError) as info:
        _audit(pack, export, text)
    assert info.value.location.line == line
    assert "not valid GB18030 text (byte 0xFF" in str(info.value)
