"""Decision tables: every cell form parsed and refused at its position; overlaps, masking and gaps found."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from support import DATA

from clausewise.errors import Collector, Location
from clausewise.policy.decision import (
    IntervalCell,
    NotValuesCell,
    ValuesCell,
    analyse,
    parse_cell,
    parse_tables,
)
from clausewise.policy.yamlfile import parse_yaml

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "decision"

SEVERITY = ("enum", ("critical", "high", "medium", "low"))
SCOPE = ("enum", ("individual", "team", "department", "company", "customer"))
PRIORITY_TYPES = {"severity": SEVERITY, "impact_scope": SCOPE}

PRIORITY = (DATA / "decision" / "priority-table.yaml").read_text(encoding="utf-8")


def _parse(text: str, base: Path = FIXTURES) -> tuple[dict, list[str]]:
    errors = Collector()
    tables = parse_tables(parse_yaml(textwrap.dedent(text), "policy.yaml")["decision_tables"], base, errors)
    return tables, [str(e) for e in errors.errors]


def _table(text: str, base: Path = FIXTURES):
    tables, errors = _parse(text, base)
    assert errors == []
    return next(iter(tables.values()))


def _analysed(text: str, types: dict) -> list[str]:
    errors = Collector()
    analyse(_table(text), types, errors)
    return [str(e) for e in errors.errors]


def _one_cell(cell: str, output: str = "x") -> list[str]:
    """The errors for a one-input table whose only row is ``[cell, output]`` (cell at column 10 of line 6)."""
    return _parse(f"""\
        decision_tables:
          t:
            inputs: [score]
            output: grade
            rows:
              - [{cell}, {output}]
        """)[1]


def _shape(cell):
    """A cell without its positions, for comparing."""
    if isinstance(cell, (ValuesCell, NotValuesCell)):
        return type(cell).__name__, [v.value for v in cell.values]
    if isinstance(cell, IntervalCell):
        return "IntervalCell", cell.low, cell.low_closed, cell.high, cell.high_closed
    return type(cell).__name__


# ---- cells -------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "shape"), [
    ("-", "AnyCell"),
    ("", "AnyCell"),
    ("  -  ", "AnyCell"),
    ("critical", ("ValuesCell", ["critical"])),
    ("5", ("ValuesCell", ["5"])),
    ("company, customer", ("ValuesCell", ["company", "customer"])),
    ('"a, b", c', ("ValuesCell", ["a, b", "c"])),
    ("O'Brien", ("ValuesCell", ["O'Brien"])),
    ("not(a, b)", ("NotValuesCell", ["a", "b"])),
    ("not (low)", ("NotValuesCell", ["low"])),
    ("< 8", ("IntervalCell", None, False, Decimal(8), False)),
    ("<= 8", ("IntervalCell", None, False, Decimal(8), True)),
    ("> 15", ("IntervalCell", Decimal(15), False, None, False)),
    (">=15", ("IntervalCell", Decimal(15), True, None, False)),
    ("= 3", ("ValuesCell", ["3"])),
    ('= "a, b"', ("ValuesCell", ["a, b"])),
    ("[8..15)", ("IntervalCell", Decimal(8), True, Decimal(15), False)),
    ("[8..15]", ("IntervalCell", Decimal(8), True, Decimal(15), True)),
    ("(8..15]", ("IntervalCell", Decimal(8), False, Decimal(15), True)),
    ("[ -2.5 .. .5 )", ("IntervalCell", Decimal("-2.5"), True, Decimal("0.5"), False)),
    ("[8..8]", ("IntervalCell", Decimal(8), True, Decimal(8), True)),
])
def test_cell_forms(text, shape):
    assert _shape(parse_cell(text, lambda offset: Location("t.yaml", 1, 1 + offset))) == shape


RANGE = "like [8..15) (8 included, 15 excluded) or [8..15] (both included)"
LIST = 'like "company, customer"'


@pytest.mark.parametrize(("cell", "error"), [
    ('"[8..15"', f'policy.yaml:6:17: a range ends with "]" (end included) or ")" (end excluded), {RANGE}'),
    ('"[8-15]"', f'policy.yaml:6:11: a range needs two numbers separated by "..", {RANGE}'),
    ('"[a..15]"', f'policy.yaml:6:12: "a" is not a number; a range needs a number at each end, {RANGE}'),
    ('"[8..]"', f"policy.yaml:6:15: a range needs a number at each end, {RANGE}"),
    ('"[15..8]"', "policy.yaml:6:12: the range [15..8] is empty: its start 15 is above its end 8"),
    ('"(8..8]"', "policy.yaml:6:11: the range (8..8] is empty; for the single value 8 write 8"),
    ('"< x"', 'policy.yaml:6:13: "<" needs a number after it, like "< 8"; "x" is not a number'),
    ('">="', 'policy.yaml:6:13: ">=" needs a number after it, like ">= 8"'),
    ('"= a, b"', f'policy.yaml:6:13: "=" takes one value, like "= 3"; for several values list them, {LIST}'),
    ('"not(a, b"', 'policy.yaml:6:19: not(...) must end with ")", like not(low, medium)'),
    ('"not( )"', "policy.yaml:6:15: not() needs at least one value, like not(low, medium)"),
    ('"a,,b"', f"policy.yaml:6:13: empty value; write values separated by commas, {LIST}"),
    ('"a, b,"', f"policy.yaml:6:16: empty value; write values separated by commas, {LIST}"),
    ("'\"a, b'", 'policy.yaml:6:11: this quote is never closed; a quoted value ends with "'),
    ("'\"a\" b'", "policy.yaml:6:14: expected a comma after the quoted value"),
    ("'a\"b'", f'policy.yaml:6:12: a quote mark (") can only go around a whole value, {LIST}'),
    ("true", 'policy.yaml:6:10: YAML reads this cell as true/false; put it in quotes to keep it as written, like "true"'),
    ("[8..15]", 'policy.yaml:6:10: YAML reads this cell as a list; put it in quotes to keep it as written, like "[8..15]"'),
])
def test_malformed_cell_is_refused_at_its_position(cell, error):
    assert _one_cell(cell) == [error]


@pytest.mark.parametrize("cell", ["yes", "no", "on", "off", "NO"])
def test_yaml_1_1_booleans_are_text_cells(cell):
    # YAML 1.2: only true/false are booleans, so these cells need no quotes.
    assert _one_cell(cell) == []


@pytest.mark.parametrize("output", ['"-"', '"a\\"b"', "''"])
def test_output_holds_one_value(output):
    (error,) = _one_cell("-", output)
    assert error.endswith('an output cell holds one value, like P1 or 3 ("P1" in quotes to keep it text)')


def test_yaml_numbers_are_cells_too():
    table = _table("""\
        decision_tables:
          t:
            inputs: [level]
            output: bonus
            rows: [[1, 100], [2.5, 250.5], ["-", 0]]
        """)
    assert [_shape(r.cells[0]) for r in table.rows] == [("ValuesCell", ["1"]), ("ValuesCell", ["2.5"]), "AnyCell"]
    assert [r.output.value for r in table.rows] == [Decimal(100), Decimal("250.5"), Decimal(0)]


def test_outputs_are_text_unless_all_are_numbers():
    table = _table("""\
        decision_tables:
          t:
            inputs: [level]
            output: code
            rows: [[1, 100], [2, '"200"'], ["-", P1]]
        """)
    assert [r.output.value for r in table.rows] == ["100", "200", "P1"]


# ---- the table around the cells --------------------------------------------------
def test_priority_table_parses_with_positions():
    table = _table(PRIORITY)
    assert (table.name, table.inputs, table.output, table.hit_policy, table.complete) == (
        "priority_table", ("severity", "impact_scope"), "priority", "first", True)
    assert len(table.rows) == 6
    assert str(table.location) == "policy.yaml:2:3"
    assert str(table.rows[1].location) == "policy.yaml:9:9"
    assert str(table.rows[1].cells[1].values[1].location) == "policy.yaml:9:30"


@pytest.mark.parametrize(("body", "error"), [
    ("hit_policy: firts\ninputs: [a]\noutput: b\nrows: [[x, y]]",
     'policy.yaml:3:17: unknown hit_policy "firts"; expected first or unique — did you mean "first"?'),
    ("hitpolicy: first\ninputs: [a]\noutput: b\nrows: [[x, y]]",
     'policy.yaml:3:5: unknown key "hitpolicy" in decision table "t" — did you mean "hit_policy"?'),
    ("complete: maybe\ninputs: [a]\noutput: b\nrows: [[x, y]]", "policy.yaml:3:15: complete must be true or false"),
    ("inputs: []\noutput: b\nrows: [[x, y]]",
     "policy.yaml:3:13: inputs must list the names of the inputs, like [severity, impact_scope]"),
    ("inputs: [a, a]\noutput: b\nrows: [[x, x, y]]", 'policy.yaml:3:17: input "a" is listed twice'),
    ("inputs: [a]\nrows: [[x, y]]", "policy.yaml:3:5: output must name the value the table gives, like priority"),
    ("inputs: [a]\noutput: b\nrows: []", "policy.yaml:5:11: the table has no rows"),
    ("inputs: [a]\noutput: b", 'policy.yaml:2:3: decision table "t" needs rows, or a file (.csv or .xlsx) that holds them'),
    ("inputs: [a]\noutput: b\nrows: [[x, y]]\nfile: t.csv", "policy.yaml:6:5: give the rows here or in a file, not both"),
    ("inputs: [a]\noutput: b\nrows: [x]", 'policy.yaml:5:12: a row is a list of cells, like [high, "-", P2]'),
    ("inputs: [a, b]\noutput: c\nrows: [[x, y, z, w]]",
     "policy.yaml:5:12: this row has 4 cells; expected 3: a, b, then c "
     '(put quotes around a cell with a comma, like "company, customer")'),
    ("inputs: [a, b]\noutput: c\nrows: [[x, y]]", "policy.yaml:5:12: this row has 2 cells; expected 3: a, b, then c"),
    ("inputs: [a]\noutput: b\nrows: [[x, y]]\ninput_values: {c: x}",
     'policy.yaml:6:20: input_values names "c", which is not an input of this table'),
])
def test_malformed_table_is_reported_and_left_out(body, error):
    tables, errors = _parse("decision_tables:\n  t:\n" + textwrap.indent(body, "    ") + "\n")
    assert tables == {}
    assert errors == [error]


def test_every_bad_cell_is_reported_and_good_tables_are_kept():
    tables, errors = _parse(PRIORITY + '  other:\n    inputs: [a]\n    output: b\n    rows: [["<", x], ["[1..", y]]\n')
    assert list(tables) == ["priority_table"]
    assert [e.split(": ", 1)[0] for e in errors] == ["policy.yaml:17:15", "policy.yaml:17:28"]


# ---- tables in files ---------------------------------------------------------------
FILE_TABLE = """\
decision_tables:
  risk_grade:
    inputs: [score]
    output: grade
    file: {file}
"""


def _file_table(name: str, base: Path = FIXTURES):
    return _parse(FILE_TABLE.format(file=name), base)


@pytest.mark.parametrize("name", ["risk_grade.csv", "risk_grade.xlsx"])
def test_table_from_a_file(name):
    tables, errors = _file_table(name)
    assert errors == []
    table = tables["risk_grade"]
    assert [(_shape(r.cells[0]), r.output.value) for r in table.rows] == [
        (("IntervalCell", Decimal(15), True, Decimal(25), True), "high"),
        (("IntervalCell", Decimal(8), True, Decimal(15), False), "medium"),
        (("IntervalCell", Decimal(1), True, Decimal(8), False), "low"),
    ]
    assert str(table.rows[1].location) == f"{name}, row 2"
    assert str(table.rows[1].cells[0].location) == f'{name}, row 2, column "score"'


def test_workbook_numbers_read_as_written():
    table = _table("""\
        decision_tables:
          bonus:
            inputs: [level]
            output: bonus
            file: levels.xlsx
        """)
    rows = table.rows
    assert [_shape(r.cells[0]) for r in rows] == [("ValuesCell", ["1"]), ("ValuesCell", ["2"]),
                                                  ("IntervalCell", Decimal(2), False, None, False)]
    assert [r.output.value for r in rows] == [Decimal(100), Decimal("250.5"), Decimal(400)]


@pytest.mark.parametrize(("content", "errors"), [
    ('score,grade\n"[8..15",medium\n',
     [f'bad.csv, row 1, column "score": a range ends with "]" (end included) or ")" (end excluded), {RANGE}']),
    ("grade,score\nlow,[1..8)\nhigh,[8..15\n",
     [f'bad.csv, row 2, column "score": a range ends with "]" (end included) or ")" (end excluded), {RANGE}']),
    ("scor,grade\nlow,x\n", ['bad.csv:1: the header has no column "score" — did you mean "scor"?']),
    ("grade\nlow\n", ["bad.csv:1: the header has no column \"score\"; the first row must name the inputs and the "
                      "output: score, grade"]),
    ("score,grade,note\n1,low,x\n", ['bad.csv:1: unknown column "note"; the first row must name the inputs and the '
                                     "output: score, grade"]),
    ("score,grade,grade\n1,low,x\n", ['bad.csv:1: column "grade" appears twice in the header']),
    ("score,grade\n", ["bad.csv: the file has no rows under its header"]),
    ("score,grade\n1,low\n,\n2,high\n,\n\n",
     ["bad.csv, row 2: empty row between rules; delete it, so that row numbers stay the rule numbers"]),
    ("score,grade\n1\n", ["bad.csv, row 1: this row has 1 cells but the header has 2"]),
    ("score,grade\n1,low,extra\n", ["bad.csv, row 1: this row has more cells than the header has columns (2)"]),
    ('score,grade\n"1,low\n', ["bad.csv:2: cannot read this line: unexpected end of data"]),
])
def test_file_errors_name_row_and_column(tmp_path, content, errors):
    (tmp_path / "bad.csv").write_text(content, encoding="utf-8")
    tables, found = _file_table("bad.csv", tmp_path)
    assert tables == {}
    assert found == errors


def test_trailing_blank_rows_are_ignored(tmp_path):
    (tmp_path / "t.csv").write_text("score,grade\n1,low\n,\n\n", encoding="utf-8")
    tables, errors = _file_table("t.csv", tmp_path)
    assert errors == [] and len(tables["risk_grade"].rows) == 1


def test_csv_must_be_utf8(tmp_path):
    (tmp_path / "t.csv").write_bytes("score,grade\n1,低\n".encode("gbk"))
    # 低 is 0xB5 0xCD in GBK, after the 2 characters "1," of line 2: column 3.
    assert _file_table("t.csv", tmp_path)[1] == ['t.csv:2:3: not UTF-8 text (byte 0xB5); save it as "CSV UTF-8" or as .xlsx']


def _file_errors(name: str, content: bytes, base: Path) -> list[tuple[str, str]]:
    """Each error of a table in file ``name`` holding ``content``: (English, Chinese)."""
    (base / name).write_bytes(content)
    errors = Collector()
    parse_tables(parse_yaml(FILE_TABLE.format(file=name), "policy.yaml")["decision_tables"], base, errors)
    return [(str(e), e.render("zh")) for e in errors.errors]


@pytest.mark.parametrize(("codec", "name"), [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_a_utf16_table_is_named_for_what_it_is(tmp_path, codec, name):
    # What Excel's "Unicode Text" writes (Python's codecs write the byte-order mark first).
    assert _file_errors("t.csv", "score\tgrade\n1\tlow\n".encode(codec), tmp_path) == [(
        f't.csv: the file is {name} text (it begins with the {name} byte-order mark), but decision tables are read '
        'as UTF-8; save it as "CSV UTF-8" or as .xlsx',
        f"t.csv：该文件是 {name} 文本（以 {name} 字节顺序标记开头），而决策表按 UTF-8 读取；请另存为“CSV UTF-8”或 .xlsx")]


def test_a_bad_byte_after_a_bom_is_at_its_line_and_column(tmp_path):
    # Line 3 is "2,低" with 低 in GBK (0xB5 0xCD) after "2," (2 characters): column 3; the mark is on line 1.
    content = b"\xef\xbb\xbfscore,grade\n1,low\n2," + "低".encode("gbk") + b"\n"
    assert _file_errors("t.csv", content, tmp_path) == [(
        't.csv:3:3: not UTF-8 text (byte 0xB5); save it as "CSV UTF-8" or as .xlsx',
        "t.csv:3:3：不是 UTF-8 文本（字节 0xB5）；请另存为“CSV UTF-8”或 .xlsx")]


@pytest.mark.parametrize(("content", "chinese"), [
    # A quote opened on line 2 and never closed: the reader stops at the end of the file.
    (b'score,grade\n"1,low\n', "t.csv:2：无法读取这一行：数据意外结束（有引号没有闭合）"),
    # A quoted field closed, then more text before the comma.
    (b'score,grade\n"1"x,low\n', "t.csv:2：无法读取这一行：右引号之后应为“,”（字段中的引号要写成两个 \"\"）"),
    # Longer than the CSV reader's field limit (131,072 characters).
    (b"score,grade\n" + b"1" * 131_073 + b",low\n", "t.csv:2：无法读取这一行：字段超过长度上限（131072 个字符）"),
])
def test_what_the_csv_reader_says_is_in_chinese(tmp_path, content, chinese):
    [(_, zh)] = _file_errors("t.csv", content, tmp_path)
    assert zh == chinese


def test_broken_workbook(tmp_path):
    (tmp_path / "t.xlsx").write_bytes(b"not a zip")
    (error,) = _file_table("t.xlsx", tmp_path)[1]
    assert error == "t.xlsx: not an XLSX workbook: the file is not a zip archive"


OUTSIDE = "policy.yaml:5:11: file \"{}\" must be inside the policy's folder: \"..\" and absolute paths are refused"


@pytest.mark.parametrize(("name", "error"), [
    ("../risk_grade.csv", OUTSIDE.format("../risk_grade.csv")),
    ("tables/../../x.csv", OUTSIDE.format("tables/../../x.csv")),
    ("/etc/passwd.csv", OUTSIDE.format("/etc/passwd.csv")),
    ('"..\\\\x.csv"', OUTSIDE.format("..\\x.csv")),
    ("C:/x.csv", OUTSIDE.format("C:/x.csv")),
    ("risk.txt", 'policy.yaml:5:11: file "risk.txt" must be a .csv or .xlsx file'),
    ("missing.csv", "missing.csv: file not found"),
    ('""', 'policy.yaml:5:11: file must be a path relative to the policy file, like "tables/risk_grade.csv"'),
])
def test_table_file_must_stay_in_the_policy_folder(name, error):
    assert _file_table(name)[1] == [error]


def test_a_link_out_of_the_policy_folder_is_refused(tmp_path):
    inside = tmp_path / "policy"
    inside.mkdir()
    (tmp_path / "secret.csv").write_text("score,grade\n1,x\n", encoding="utf-8")
    (inside / "t.csv").symlink_to(tmp_path / "secret.csv")
    assert _file_table("t.csv", inside)[1] == [
        "policy.yaml:5:11: file \"t.csv\" leads outside the policy's folder through a link"]


# ---- analysis: the priority table --------------------------------------------------
def test_priority_table_is_sound():
    assert _analysed(PRIORITY, PRIORITY_TYPES) == []


def test_unique_reports_every_overlap_at_the_later_row():
    assert _analysed(PRIORITY.replace("hit_policy: first", "hit_policy: unique"), PRIORITY_TYPES) == [
        "policy.yaml:10:9: Overlap: rows 2 and 3 both match severity=high, impact_scope in (company, customer); "
        "with hit policy unique at most one row may match",
        "policy.yaml:12:9: Overlap: rows 4 and 5 both match severity=medium, impact_scope in (company, customer); "
        "with hit policy unique at most one row may match",
    ]


def test_unique_without_overlaps_is_sound():
    text = PRIORITY.replace("hit_policy: first", "hit_policy: unique").replace(
        '[high,     "-",   ', '[high, "not(company, customer)",').replace(
        '[medium,   "-",   ', '[medium, "not(company, customer)",')
    assert _analysed(text, PRIORITY_TYPES) == []


def test_first_reports_a_row_hidden_by_one_earlier_row():
    text = PRIORITY + '      - [high,     "team",              P3]\n'
    assert _analysed(text, PRIORITY_TYPES) == [
        "policy.yaml:14:9: Subsumption: row 7 can never match because row 3 matches everything it does (hit policy first)",
    ]


def test_first_reports_a_row_hidden_by_several_earlier_rows():
    text = PRIORITY.replace('      - [critical, "-",                 P1]\n',
                            '      - [critical, "company, team",     P1]\n'
                            '      - [critical, "customer, team",    P1]\n'
                            '      - [critical, "company, customer", P2]\n'
                            '      - [critical, "-",                 P1]\n')
    assert _analysed(text, PRIORITY_TYPES) == [
        "policy.yaml:10:9: Subsumption: row 3 can never match because rows 1 and 2 together match everything it "
        "does (hit policy first)",
    ]


def test_gap_names_the_missing_combinations():
    text = PRIORITY.replace('      - [low,      "-",                 P4]\n', "").replace(
        '      - [medium,   "-",                 P3]\n', '      - [medium,   "team",              P3]\n')
    assert _analysed(text, PRIORITY_TYPES) == [
        "policy.yaml:2:3: Gap: no row matches severity=medium, impact_scope in (individual, department)",
        "policy.yaml:2:3: Gap: no row matches severity=low (any impact_scope)",
    ]


def test_gaps_are_only_checked_when_the_table_claims_to_be_complete():
    text = PRIORITY.replace("complete: true", "complete: false").replace('      - [low,      "-",                 P4]\n', "")
    assert _analysed(text, PRIORITY_TYPES) == []


def test_unknown_value_points_at_the_value():
    text = PRIORITY.replace("[critical,", "[crtical, ").replace('[medium,   "company, customer"', '[medium,   "company, custmer"')
    assert _analysed(text, PRIORITY_TYPES) == [
        'policy.yaml:8:10: Unknown value: "crtical" is not a value of severity — did you mean "critical"?',
        'policy.yaml:11:30: Unknown value: "custmer" is not a value of impact_scope — did you mean "customer"?',
    ]


def test_unknown_value_without_a_close_match_lists_the_values():
    text = PRIORITY.replace("[low, ", "[P4,  ")
    assert _analysed(text, PRIORITY_TYPES) == [
        'policy.yaml:13:10: Unknown value: "P4" is not a value of severity (its values are critical, high, medium, low)',
    ]


def test_a_row_that_excludes_every_value_can_never_match():
    text = PRIORITY + '      - ["not(critical, high, medium, low)", "-", P4]\n'
    assert _analysed(text, PRIORITY_TYPES) == [
        'policy.yaml:14:11: row 7 can never match: no possible value of severity passes '
        '"not(critical, high, medium, low)" (its values are critical, high, medium, low)',
    ]


def test_free_text_input_gaps_name_the_other_values():
    text = """\
        decision_tables:
          t:
            complete: true
            inputs: [channel]
            output: route
            rows: [[hotline, a], ["email, web", b]]
        """
    assert _analysed(text, {"channel": ("string", ())}) == [
        "policy.yaml:2:3: Gap: no row matches channel not in (email, hotline, web)"]


# ---- analysis: a numeric risk table ----------------------------------------------
RISK = (DATA / "decision" / "risk-table.yaml").read_text(encoding="utf-8")
INTEGER = {"score": ("integer", ())}
NUMBER = {"score": ("number", ())}


@pytest.mark.parametrize("types", [INTEGER, NUMBER])
def test_risk_table_is_complete_without_overlaps(types):
    assert _analysed(RISK, types) == []


def test_without_input_values_the_whole_number_line_counts():
    text = RISK.replace('    input_values: {score: "[1..25]"}\n', "")
    assert _analysed(text, INTEGER) == [
        "policy.yaml:2:3: Gap: no row matches score <= 0",
        "policy.yaml:2:3: Gap: no row matches score >= 26",
    ]
    assert _analysed(text, NUMBER) == [
        "policy.yaml:2:3: Gap: no row matches score < 1",
        "policy.yaml:2:3: Gap: no row matches score > 25",
    ]


def test_closed_band_ends_overlap():
    assert _analysed(RISK.replace('"[8..15)", ', '"[8..15]", '), INTEGER) == [
        "policy.yaml:10:9: Overlap: rows 1 and 2 both match score = 15; with hit policy unique at most one row may match",
    ]


@pytest.mark.parametrize(("types", "gap"), [(INTEGER, "score = 7"), (NUMBER, "score in [7..8)")])
def test_short_band_leaves_a_gap(types, gap):
    assert _analysed(RISK.replace('"[1..8)",  ', '"[1..7)",  '), types) == [f"policy.yaml:2:3: Gap: no row matches {gap}"]


def test_comparisons_meet_without_a_gap():
    text = RISK.replace('    input_values: {score: "[1..25]"}\n', "").replace('"[15..25]"', '">= 15"').replace(
        '"[1..8)",  ', '"< 8",     ')
    assert _analysed(text, NUMBER) == []
    assert _analysed(text.replace('">= 15"', '"> 15"'), NUMBER) == ["policy.yaml:2:3: Gap: no row matches score = 15"]


def test_integer_interval_without_whole_numbers_can_never_match():
    text = RISK.replace("complete: true", "complete: false") + '      - ["(7..8)", low]\n'
    assert _analysed(text, INTEGER) == [
        'policy.yaml:12:11: row 4 can never match: no possible value of score passes "(7..8)" '
        "(input_values [1..25]; it holds whole numbers)",
    ]


def test_value_outside_input_values_can_never_match():
    text = RISK + '      - ["> 30", low]\n'
    assert _analysed(text, INTEGER) == [
        'policy.yaml:12:11: row 4 can never match: no possible value of score passes "> 30" '
        "(input_values [1..25]; it holds whole numbers)",
    ]


def test_many_gaps_are_capped():
    text = """\
        decision_tables:
          t:
            complete: true
            inputs: [score]
            output: grade
            rows: [[1, a], [3, b], [5, c], [7, d]]
        """
    assert _analysed(text, INTEGER) == [
        "policy.yaml:2:3: Gap: no row matches score <= 0",
        "policy.yaml:2:3: Gap: no row matches score = 2",
        "policy.yaml:2:3: Gap: no row matches score = 4",
        "policy.yaml:2:3: Gap: 2 more gaps not shown",
    ]


# ---- analysis: kinds of values -----------------------------------------------------
@pytest.mark.parametrize(("cell", "types", "error"), [
    ('"< 8"', PRIORITY_TYPES | {"score": SEVERITY},
     'policy.yaml:6:11: "< 8" compares numbers, but score holds text; list the values instead, like "company, customer"'),
    ('"1, high"', INTEGER, 'policy.yaml:6:14: "high" is not a number, but score holds numbers'),
    ("2.5", INTEGER, "policy.yaml:6:10: score holds whole numbers, so 2.5 can never match"),
    ("x", {"score": ("boolean", ())},
     'policy.yaml:2:3: input "score" is a boolean field; decision tables compare text, enum, integer and number fields'),
])
def test_values_must_suit_the_input_type(cell, types, error):
    text = f"""\
        decision_tables:
          t:
            inputs: [score]
            output: grade
            rows:
              - [{cell}, x]
        """
    assert _analysed(text, types) == [error]


def test_analysis_turns_numeric_values_into_numbers():
    table = _table(RISK.replace('"[1..8)",  ', '"1, 2, 3",  '))
    typed = analyse(table, INTEGER, Collector())
    assert [v.value for v in typed.rows[2].cells[0].values] == [Decimal(1), Decimal(2), Decimal(3)]
    assert analyse(table, {"score": ("string", ())}, Collector()).rows[2].cells[0].values[0].value == "1"


def test_inputs_without_a_type_are_left_to_the_caller():
    errors = Collector()
    table = _table(PRIORITY)
    assert analyse(table, {"severity": SEVERITY}, errors) is table
    assert not errors
