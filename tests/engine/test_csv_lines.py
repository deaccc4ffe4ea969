"""Every line reported for a CSV record is the file's own line, though a quoted field holds line breaks or blank
lines come between records (the table, GitHub annotations, SARIF, and read errors)."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from support import render

import clausewise
from clausewise.errors import DataError

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
