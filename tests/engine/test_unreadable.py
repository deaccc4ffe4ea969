"""A column whose values mostly fail to convert fails the run: one line with the counts, the first value and the fix."""

from __future__ import annotations

import textwrap
from datetime import datetime

import duckdb
import pytest
from click.testing import CliRunner

import clausewise
from clausewise.cli import cli
from clausewise.errors import DataError, ErrorList
from clausewise.testing import Case, run_case

DATASETS = """\
items:
  key: id
  fields:
    id: string
    at: timestamp
    day: date
    n: integer
    x: number
    ok: boolean
    kind: {type: enum, values: [plain, fancy]}
"""
RULES = """\
rules:
  - {id: positive, clause: C-1, dataset: items, kind: check, severity: high, assert: n >= 0,
     title: {en: Positive}, message: {en: "{key} is negative"}}
"""
COLUMNS = ("id", "at", "day", "n", "x", "ok", "kind")
AS_OF = datetime(2026, 11, 1)


def _csv(column: str, values: list[str]) -> str:
    """items.csv with ``values`` in ``column``, one record each, every other column empty."""
    lines = [",".join(COLUMNS)]
    for i, value in enumerate(values, start=1):
        quoted = '"' + value.replace('"', '""') + '"'
        lines.append(",".join(f"K{i}" if c == "id" else quoted if c == column else "" for c in COLUMNS))
    return "\n".join(lines) + "\n"


def _audit(pack, export, column: str, values: list[str], datasets: str = DATASETS, lang: str = "en"):
    policy = clausewise.load(pack(datasets, RULES))
    folder = export({"items.csv": _csv(column, values)})
    return clausewise.audit(policy, folder, as_of=AS_OF, lang=lang), folder


def _error(pack, export, column: str, values: list[str], datasets: str = DATASETS, lang: str = "en") -> str:
    with pytest.raises(DataError) as info:
        _audit(pack, export, column, values, datasets, lang)
    return info.value.render(lang)


# ---- the threshold: more than half of the non-empty values and at least 5, or every one (at least 1) -----------

@pytest.mark.parametrize(("values", "fails"), [
    (["x"], True),                            # 1 of 1 non-empty failed: every one
    (["x", "", "", ""], True),                # empties do not count: 1 of 1 non-empty
    (["x"] * 4, True),                        # 4 of 4: every one, though fewer than 5
    (["x"] * 4 + ["1"], False),               # 4 of 5: more than half (4 > 2.5) but fewer than 5
    (["x"] * 5 + ["1"] * 4, True),            # 5 of 9: 5 > 4.5 and 5 ≥ 5
    (["x"] * 5 + ["1"] * 5, False),           # 5 of 10: exactly half is not more than half
    (["x"] * 6 + ["1"] * 5, True),            # 6 of 11: 6 > 5.5 and 6 ≥ 5
    (["", "", ""], False),                    # nothing to read, nothing failed
    (["1", "2"], False),                      # nothing failed
])
def test_the_threshold(pack, export, values, fails):
    if fails:
        message = _error(pack, export, "n", values)
        failed = values.count("x")
        non_empty = sum(1 for v in values if v)
        assert f"{failed} of {non_empty} non-empty" in message
    else:
        result, _ = _audit(pack, export, "n", values)
        with result:
            # Below the threshold each bad value is an invalid finding, as before.
            assert [f.status for f in result.findings if f.rule == "data-quality"] == ["invalid"] * values.count("x")


def test_the_whole_line_names_file_column_counts_first_value_and_fix(pack, export):
    policy = clausewise.load(pack(DATASETS, RULES))
    # 5 of 9 non-empty values failed (5 ≥ 5, 5 > 9 / 2); the first by row is K2's (K1 reads): row 2.
    values = ["2026-10-01 09:00", "21/05/2026 13:03:21", "22/05/2026 08:00:00", "", "2026-10-02 09:00",
              "23/05/2026 08:00:00", "2026-10-03 09:00", "24/05/2026 08:00:00", "2026-10-04 09:00", "25/05/2026 10:00:00"]
    folder = export({"items.csv": _csv("at", values)})
    with pytest.raises(DataError) as info:
        clausewise.audit(policy, folder, as_of=AS_OF)
    assert str(info.value) == (
        f'{folder}/items.csv, row 2, column "at": 5 of 9 non-empty values do not read as timestamps '
        '(the first: "21/05/2026 13:03:21"); the column looks day-first: add `format: "%d/%m/%Y %H:%M:%S"` '
        'to field "at" of dataset "items"')


def test_the_line_in_chinese(pack, export):
    # The error's line is written in the run's language from the catalogue: the place too (列 for column).
    message = _error(pack, export, "at", ["21/05/2026 13:03:21"], lang="zh")
    assert message.endswith(
        'items.csv，第 1 行，列“at”：1 个非空值中有 1 个不能读作时间（第一个：“21/05/2026 13:03:21”）；'
        '看起来是日在前：请给数据集“items”的字段“at”加上 `format: "%d/%m/%Y %H:%M:%S"`')


# ---- the fix, worked out from the values ------------------------------------------------------------------------

FIXES = [
    # A first number above 12 is a day: day-first.
    ("at", ["21/05/2026 13:03:21", "02/06/2026 08:00:00"],
     'the column looks day-first: add `format: "%d/%m/%Y %H:%M:%S"` to field "at" of dataset "items"'),
    # A second number above 12 is a day: month-first; PM is a 12-hour clock.
    ("at", ["05/21/2026 1:03 PM"],
     'the column looks month-first: add `format: "%m/%d/%Y %I:%M %p"` to field "at" of dataset "items"'),
    # 01/10 and 02/10 read both ways: both formats are offered, day-first first.
    ("at", ["01/10/2026 09:00", "02/10/2026 09:00"],
     'the column may be day-first or month-first: add `format: "%d/%m/%Y %H:%M"` to field "at" of dataset '
     '"items" if the day comes first, or `format: "%m/%d/%Y %H:%M"` if the month does'),
    # 21/05 is day-first, 05/21 month-first: no format reads both.
    ("at", ["21/05/2026", "05/21/2026"],
     "the column mixes day-first and month-first dates, which no format can tell apart: correct the export"),
    ("at", ["2026.10.12 09:30"], 'add `format: "%Y.%m.%d %H:%M"` to field "at" of dataset "items"'),
    ("at", ["21.05.26"], 'the column looks day-first: add `format: "%d.%m.%y"` to field "at" of dataset "items"'),
    ("day", ["21/05/2026"], 'the column looks day-first: add `format: "%d/%m/%Y"` to field "day" of dataset "items"'),
    ("at", ["2026-10-12 09:00 CST"],
     "the column's times end with a zone abbreviation, which names different zones in different countries: "
     "write an offset such as +08:00 or a zone name such as Asia/Shanghai in the export"),
    ("at", ["9999-12-31 23:59:59"], "the column's dates are outside the years 1900 to 2199: correct the export"),
    # Shanghai's clocks went from 02:00 to 03:00 on 4 May 1986 (daylight saving, 1986–1991).
    ("at", ["1986-05-04 02:30"],
     "the column's local times do not exist in Asia/Shanghai, whose clocks skip them: write them with their "
     "offset (such as +08:00) in the export"),
    ("at", ["2026-13-45 09:00"],
     "the column's dates or times do not exist (such as month 13, 30 February or 25:00): correct the export"),
    ("at", ["12 Oct 2026"],
     'write the column year first (2026-10-12 09:30:00), or add `format:` with the export\'s layout to field "at" '
     'of dataset "items"'),
    ("n", ["1,234"], "write the numbers without thousands separators"),
    ("x", ["3,5"], "write a decimal point, not a comma"),
    ("n", ["2.5"], 'the column has fractions: declare field "n" of dataset "items" as number'),
    ("x", ["about 3"], 'write plain numbers (digits, an optional sign, decimal point and exponent), or declare field '
                       '"x" of dataset "items" as string'),
    ("kind", ["Plain"], 'the column\'s values differ from the declared ones only in case ("Plain" is declared '
                        '"plain"): declare the values of field "kind" of dataset "items" as the export writes them'),
    ("kind", ["other"], 'the declared values are plain, fancy: add the export\'s values to field "kind" of dataset '
                        '"items", or correct the export'),
    ("ok", ["maybe"], 'write true/false, t/f, 1/0, yes/no, y/n or 是/否, or declare field "ok" of dataset "items" as '
                      "an enum of the export's values"),
]


@pytest.mark.parametrize(("column", "values", "fix"), FIXES, ids=[f"{c}-{v[0]}" for c, v, _ in FIXES])
def test_the_fix(pack, export, column, values, fix):
    assert _error(pack, export, column, values).split("; ", 1)[1] == fix


def test_a_declared_format_that_does_not_fit_is_to_be_changed(pack, export):
    datasets = DATASETS.replace("    at: timestamp\n", '    at: {type: timestamp, format: "%Y-%m-%d %H:%M"}\n')
    assert _error(pack, export, "at", ["21/05/2026 13:03"], datasets).split("; ", 1)[1] == (
        'the column looks day-first: change the format of field "at" of dataset "items" to '
        '`format: "%d/%m/%Y %H:%M"`')


@pytest.mark.parametrize("values", [["21/05/2026 13:03:21", "02/06/2026 08:00:00"], ["05/21/2026 1:03 PM"],
                                    ["2026.10.12 09:30"]])
def test_the_format_offered_reads_the_column(pack, export, values):
    fix = _error(pack, export, "at", values)
    offered = fix.split("`format: ")[1].split("`")[0]
    datasets = DATASETS.replace("    at: timestamp\n", f"    at: {{type: timestamp, format: {offered}}}\n")
    result, _ = _audit(pack, export, "at", values, datasets)
    with result:
        assert [f for f in result.findings if f.rule == "data-quality"] == []
        read = result.findings._con.execute('SELECT CAST("at" AS TIMESTAMP) FROM items ORDER BY __row').fetchall()
    # 21/05/2026 13:03:21 day-first is 21 May; 05/21/2026 1:03 PM month-first is 21 May 13:03; 2026.10.12 is 12 Oct.
    expected = {"21/05/2026 13:03:21": datetime(2026, 5, 21, 13, 3, 21), "05/21/2026 1:03 PM": datetime(2026, 5, 21, 13, 3),
                "2026.10.12 09:30": datetime(2026, 10, 12, 9, 30)}
    assert read[0][0] == expected[values[0]]


def test_every_failing_column_of_every_dataset_is_one_line(pack, export):
    datasets = DATASETS + textwrap.dedent("""\
        others:
          key: oid
          fields: {oid: string, when_done: date}
        """)
    policy = clausewise.load(pack(datasets, RULES))
    items = "id,at,day,n,x,ok,kind\nK1,21/05/2026,,x,,,\n"  # each failing column's one value is on row 1
    folder = export({"items.csv": items, "others.csv": "oid,when_done\nO1,yesterday\n"})
    with pytest.raises(ErrorList) as info:
        clausewise.audit(policy, folder, as_of=AS_OF)
    lines = str(info.value).splitlines()
    assert sorted(line.split(":", 1)[0] for line in lines) == [
        f"{folder}/items.csv, row 1, column \"at\"", f"{folder}/items.csv, row 1, column \"n\"",
        f"{folder}/others.csv, row 1, column \"when_done\""]


def test_a_stored_timestamp_outside_the_years(pack, export, tmp_path):
    target = tmp_path / "items.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT 'K1' AS id, TIMESTAMP '9999-12-31 23:59:59' AS at) TO '{target}' (FORMAT parquet)")
    con.close()
    datasets = "items:\n  key: id\n  fields: {id: string, at: timestamp}\n"
    rules = RULES.replace("assert: n >= 0", "assert: at IS NOT NULL")
    policy = clausewise.load(pack(datasets, rules))
    folder = export({"items.parquet": target.read_bytes()})
    with pytest.raises(DataError) as info:
        clausewise.audit(policy, folder, as_of=AS_OF)
    assert str(info.value) == (f'{folder}/items.parquet, row 1, column "at": 1 of 1 non-empty value does not read as a '
                               'timestamp (the first: "9999-12-31 23:59:59"); the column\'s dates are outside the '
                               "years 1900 to 2199: correct the export")


def test_at_the_command_line_exit_2_and_no_report(pack, export):
    policy = pack(DATASETS, RULES)
    folder = export({"items.csv": _csv("at", ["21/05/2026 13:03:21"])})
    result = CliRunner().invoke(cli, ["audit", str(folder), "-p", str(policy), "--format", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f'{folder}/items.csv, row 1, column "at": 1 of 1 non-empty value does not read as a timestamp (the first: '
        '"21/05/2026 13:03:21"); the column looks day-first: add `format: "%d/%m/%Y %H:%M:%S"` to field "at" of '
        'dataset "items"\n')


def test_a_value_shown_on_one_line(pack, export):
    # A line break and a quote in the value are escaped, so the error stays one line.
    message = _error(pack, export, "n", ['a "b"\nc'])
    assert '(the first: "a \\"b\\"\\nc")' in message and "\n" not in message


def test_rule_cases_read_each_value_alone(pack, export):
    """A rule case's few records test single values: one bad value of one is a finding there, not a failed run."""
    policy = clausewise.load(pack(DATASETS, RULES))
    case = Case(name="fail_bad_value", rule="positive", data={"items": [{"id": "K1", "n": "five"}]},
                expect=[{"rule": "data-quality", "key": "K1", "status": "invalid"}], as_of=AS_OF, location=None)
    assert run_case(policy, case).problems == []


def test_the_boolean_fix_lists_the_words_read_in_each_language(pack, export):
    # "maybe" is none of the six true/false pairs exports read; the last pair is joined with "or" (或),
    # the others with the language's list separator (", " and "、").
    english = _error(pack, export, "ok", ["maybe"])
    assert english.endswith('; write true/false, t/f, 1/0, yes/no, y/n or 是/否, or declare field "ok" of dataset '
                            '"items" as an enum of the export\'s values')
    chinese = _error(pack, export, "ok", ["maybe"], lang="zh")
    assert chinese.endswith("；请写 true/false、t/f、1/0、yes/no、y/n 或 是/否，或将数据集“items”的字段“ok”"
                            "声明为列出导出数据取值的 enum")
