"""Where SARIF puts a bad cell: the field's line and UTF-16 columns in CSV and JSON Lines, the sheet and row elsewhere.

Each export below is written by hand so that its positions can be counted by
hand; the counts are in the comments.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import render, sarif_validator

import clausewise
from clausewise.report.cells import Cells, column_letters, field_span, value_span

POLICY = """\
policy:
  id: cells
  version: "1"
  title: {en: Cells}
  timezone: Asia/Shanghai
  data_quality: {clause: C-9, severity: high}
clauses:
  C-1: {title: {en: Items}}
  C-9: {title: {en: Data quality}}
datasets:
  items:
    key: id
    fields: {id: string, note: string, n: integer}
rules: [rules.yaml]
"""
RULES = """\
rules:
  - id: n-small
    clause: C-1
    dataset: items
    kind: check
    severity: low
    assert: n < 100
    title: {en: n below 100}
    message: {en: "n is {n}"}
"""
# Record 1 (A) spans lines 2 and 3: its note is quoted and holds a line break, a comma and doubled quotes.
# Line 4 is blank (DuckDB skips it, so it is no record). Record 2 (B) is line 5, record 3 (C) line 6.
CSV = (
    'id,note,n\n'
    'A,"two\n'
    'lines, with ""quotes""",x1\n'
    '\n'
    'B,😀😀,y2\n'
    'C,plain,"1,5"\n'
    'D,fine,500\n'
)


def _pack(tmp_path: Path, name: str, write) -> tuple[Path, Path]:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    export = tmp_path / "export"
    export.mkdir()
    write(export / name)
    return tmp_path / "policy.yaml", export


def _locations(tmp_path: Path, name: str, write, lang: str = "en") -> dict[tuple[str, int], dict]:
    """(rule, row) → the first location of its SARIF result, for a one-file export."""
    policy, export = _pack(tmp_path, name, write)
    with clausewise.audit(clausewise.load(policy), export, lang=lang) as result:
        log = json.loads(render("sarif", result))
    sarif_validator().validate(log)
    assert log["runs"][0]["columnKind"] == "utf16CodeUnits"
    return {(r["ruleId"], r["properties"]["row"]): r["locations"][0] for r in log["runs"][0]["results"]}


def _region(location: dict) -> dict | None:
    return location["physicalLocation"].get("region")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_cells_across_quoted_line_breaks_blank_lines_and_wide_characters(tmp_path, encoding):
    found = _locations(tmp_path, "items.csv", lambda p: p.write_bytes(CSV.encode(encoding)))
    # Record 1's n is on line 3: 'lines, with ""quotes""",x1' — "lines," 6 + " with " 6 + '""quotes""' 10
    # + the closing quote 1 + "," 1 = 24 characters before it, so x1 is columns 25–26, ending before 27.
    assert _region(found["data-quality", 1]) == {"startLine": 3, "startColumn": 25, "endLine": 3, "endColumn": 27}
    # Record 2 is line 5, after the blank line 4: "B," 2 + two emoji of 2 UTF-16 units each 4 + "," 1 = 7
    # units before y2, so columns 8–9, ending before 10 (in code points it would start at 6).
    assert _region(found["data-quality", 2]) == {"startLine": 5, "startColumn": 8, "endLine": 5, "endColumn": 10}
    # Record 3, line 6: "C," 2 + "plain," 6 = 8 before the quoted "1,5", which is 5 characters with its
    # quotes: columns 9–13, ending before 14.
    assert _region(found["data-quality", 3]) == {"startLine": 6, "startColumn": 9, "endLine": 6, "endColumn": 14}
    assert found["data-quality", 3]["message"] == {"text": 'column "n"'}
    # A record's other findings are on its real line too: row 4 + the header 1 + record 1's quoted line break 1
    # + the blank line 4 = 7 (DataFile.line_of), where the cell regions above place D as well.
    assert found["n-small", 4] == {"physicalLocation": {"artifactLocation": {"uri": _uri(tmp_path, "items.csv")},
                                                        "region": {"startLine": 7}}}


def _uri(tmp_path: Path, name: str) -> str:
    return (tmp_path / "export" / name).as_uri()



def test_csv_cells_of_a_file_whose_lines_end_in_a_carriage_return_alone(tmp_path):
    # An old Mac's lines: 1 header; 2-3 record 1 (A), its quoted note holding a "\r"; 4 blank; 5 record 2 (B).
    text = b'id,note,n\rA,"x\ry",1\r\rB,ok,zz\r'
    found = _locations(tmp_path, "items.csv", lambda p: p.write_bytes(text))
    # B's n on line 5: "B," 2 + "ok," 3 = 5 characters before zz, so columns 6-7, ending before 8.
    assert _region(found["data-quality", 2]) == {"startLine": 5, "startColumn": 6, "endLine": 5, "endColumn": 8}
    # The line every other report gives the record is the same: row 2 + 1 header + 1 break in A's note + 1 blank.
    with clausewise.audit(clausewise.load(tmp_path / "policy.yaml"), tmp_path / "export") as result:
        (data_file,) = result.data_files
        assert data_file.line_of(2) == 5

def test_a_quote_inside_an_unquoted_field_is_a_character(tmp_path):
    # DuckDB reads 5"10 as written; were the quote taken to open a field, record 2 would swallow the lines after it.
    text = 'id,note,n\nA,5"10,x\nB,ok,1\nC,ok,zz\n'
    found = _locations(tmp_path, "items.csv", lambda p: p.write_text(text, encoding="utf-8"))
    # Record 3 is line 4: "C," 2 + "ok," 3 = 5 characters before zz, so columns 6–7, ending before 8.
    assert _region(found["data-quality", 3]) == {"startLine": 4, "startColumn": 6, "endLine": 4, "endColumn": 8}
    # Record 1 is line 2: "A," 2 + '5"10,' 5 = 7 characters before x, so column 8, ending before 9.
    assert _region(found["data-quality", 1]) == {"startLine": 2, "startColumn": 8, "endLine": 2, "endColumn": 9}


def test_a_file_changed_since_the_audit_gives_no_column(tmp_path, monkeypatch):
    from clausewise.report import cells as module

    policy, export = _pack(tmp_path, "items.csv", lambda p: p.write_text(CSV, encoding="utf-8"))
    with clausewise.audit(clausewise.load(policy), export) as result:
        bad = {f.row: f for f in result.findings if f.status == "invalid"}
        # Now a quoted field that never closes, longer than any record the engine reads: 'A,"' 3 + 20 × "x\n" 40
        # = 43 characters > 30, so the reader stops there instead of following the field to the end of the file.
        (export / "items.csv").write_text('id,note,n\nA,"' + "x\n" * 20 + "\n", encoding="utf-8")
        monkeypatch.setattr(module, "MAX_RECORD", 30)
        cells = Cells(result)
        try:
            assert cells.of(bad[1]) is None
            # The file as audited again: a reader that had not given up would start again from the top and find
            # record 1's n at line 3, column 25 (test above); this one says nothing more about the file.
            (export / "items.csv").write_text(CSV, encoding="utf-8")
            assert cells.of(bad[1]) is None
            fresh = Cells(result)
            assert fresh.of(bad[1]).line == 3  # while a new reader finds it
            fresh.close()
        finally:
            cells.close()


def test_jsonl_cells_are_the_values_of_their_keys(tmp_path):
    lines = [
        '{"id": "A", "note": "x", "n": "five"}',
        "",
        '{"n": 3, "id": "B"}',
        '{"id":"C","note":"😀","n":"9x"}',
    ]
    found = _locations(tmp_path, "items.jsonl", lambda p: p.write_text("\n".join(lines) + "\n", encoding="utf-8"))
    # Line 1: '{"id": "A", "note": "x", "n": ' is 1 + 4 + 2 + 3 + 2 + 6 + 2 + 3 + 2 + 3 + 2 = 30 characters,
    # so "five" (6 with its quotes) is columns 31–36, ending before 37.
    assert _region(found["data-quality", 1]) == {"startLine": 1, "startColumn": 31, "endLine": 1, "endColumn": 37}
    # Record 3 is line 4 (line 2 is blank), and its row is that line: '{"id":"C","note":"😀","n":' is 1 + 4 + 1 + 3 + 1 + 6 + 1
    # + (2 quotes + 2 units for the emoji) + 1 + 3 + 1 = 26 units, so "9x" is columns 27–30, ending before 31.
    assert _region(found["data-quality", 4]) == {"startLine": 4, "startColumn": 27, "endLine": 4, "endColumn": 31}


def test_xlsx_findings_name_the_sheet_row_and_cell(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")

    def write(path: Path) -> None:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "名册"
        for row in (["id", "note", "n"], ["A", "x", 500], ["B", "y", "z9"]):
            sheet.append(row)
        book.save(path)

    found = _locations(tmp_path, "items.xlsx", write)
    uri = {"artifactLocation": {"uri": _uri(tmp_path, "items.xlsx")}}
    # Record 1 is the sheet's row 2 (the header is row 1); record 2's n is the third column, C, of row 3.
    assert found["n-small", 1] == {"physicalLocation": uri, "message": {"text": 'sheet "名册", row 2'}}
    assert found["data-quality", 2] == {"physicalLocation": uri,
                                        "message": {"text": 'sheet "名册", cell C3 (column "n")'}}
    zh = _locations(tmp_path / "zh", "items.xlsx", write, lang="zh")
    assert zh["data-quality", 2]["message"] == {"text": "工作表“名册”单元格 C3（列“n”）"}


def test_parquet_findings_name_the_record(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"id": ["A", "B"], "note": ["x", "y"], "n": ["500", "q"]})
    found = _locations(tmp_path, "items.parquet", lambda p: pq.write_table(table, p))
    uri = {"artifactLocation": {"uri": _uri(tmp_path, "items.parquet")}}
    assert found["n-small", 1] == {"physicalLocation": uri, "message": {"text": "record 1"}}
    assert found["data-quality", 2] == {"physicalLocation": uri, "message": {"text": 'record 2, column "n"'}}


def test_asking_for_an_earlier_record_reads_the_file_again(tmp_path):
    policy, export = _pack(tmp_path, "items.csv", lambda p: p.write_text(CSV, encoding="utf-8"))
    with clausewise.audit(clausewise.load(policy), export) as result:
        bad = {f.row: f for f in result.findings if f.status == "invalid"}
        cells = Cells(result)
        try:
            later, earlier = cells.of(bad[3]), cells.of(bad[1])
        finally:
            cells.close()
    assert (later.line, later.start_column) == (6, 9)
    assert (earlier.line, earlier.start_column) == (3, 25)


def test_field_span_counts_quotes_and_delimiters():
    record = 'a;"b;""c""";;d\n'
    # Fields: a (0–1), "b;""c""" (2–11, quotes included), an empty field at 12, d (13–14).
    assert [field_span(record, i, ";") for i in range(4)] == [(0, 1), (2, 11), (12, 12), (13, 14)]
    assert field_span(record, 4, ";") is None


def test_value_span_reads_only_top_level_keys():
    text = '{"a": {"n": 1}, "n" : [1, "x"]}'
    # The nested "n" is skipped; the top-level value [1, "x"] starts at offset 22 and is 8 characters long.
    assert value_span(text, "n") == (22, 30)
    assert value_span(text, "missing") is None


def test_column_letters():
    # 0 → A, 25 → Z, 26 → AA, 27 → AB, 701 = 26 + 26 × 26 - 1 → ZZ, 702 → AAA.
    assert [column_letters(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
