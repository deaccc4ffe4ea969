"""A computed column that fails on the export's values is an error at its declaration, whatever the rules and
the report read (engine/run.py ``_derive`` works each out once)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import clausewise
from clausewise.cli import cli
from clausewise.errors import ClauseWiseError

DATASETS = """\
items:
  key: id
  fields: {id: string, subject: string}
"""
RULES = """\
rules:
  - {id: subject-given, clause: C-1, dataset: items, kind: required, severity: high, fields: [subject],
     title: {en: Subject}, message: {en: "{key} has no subject"}}
"""
DERIVED = """\
derived:
  items:
    columns:
      subject_number: {expr: "CAST(subject AS INTEGER)", type: integer}
"""


@pytest.fixture
def broken(pack, export):
    # "CAST(subject AS INTEGER)" fails on K2's "abc"; no rule reads the column.
    path = pack(DATASETS, RULES)
    path.write_text(path.read_text(encoding="utf-8") + DERIVED, encoding="utf-8")
    return path, export({"items.csv": "id,subject\nK1,12\nK2,abc\n"})


def test_the_audit_says_which_computed_column_failed_and_where_it_is_declared(broken):
    path, folder = broken
    with pytest.raises(ClauseWiseError) as caught:
        clausewise.audit(clausewise.load(path), folder)
    said = str(caught.value)
    # The column is declared on the policy file's last line but one ("      subject_number: …").
    line = len(path.read_text(encoding="utf-8").splitlines())
    assert said.startswith(f'{path}:{line}:7: computed column "subject_number" failed on this export: ')
    assert "Could not convert string 'abc'" in said


@pytest.mark.parametrize("args", [["audit", "-f", "table"], ["audit", "-f", "json"], ["grades"]])
def test_every_report_and_command_stops_alike(broken, args):
    # Before, the table report passed (exit 0) and the JSON report and `grades` stopped with an internal error.
    path, folder = broken
    result = CliRunner().invoke(cli, [args[0], str(folder), "-p", str(path), *args[1:]])
    assert result.exit_code == 2, result.output
    assert 'computed column "subject_number" failed on this export' in result.output
    assert "internal error" not in result.output


RATIO_RULES = """\
rules:
  - {id: per-visit, clause: C-1, dataset: items, kind: check, severity: high,
     assert: "CAST(subject AS INTEGER) // CAST(visits AS INTEGER) < 10",
     title: {en: Per visit}, message: {en: "{key} has too many per visit"}}
"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_division_by_zero_says_what_a_rule_can_do(pack, export, lang):
    # K2 has 0 visits: 30 // 0. DuckDB's own advice (TRY(...), SET error_on_division_by_zero) is not
    # something a rule can write; nullif is.
    path = pack("items:\n  key: id\n  fields: {id: string, subject: string, visits: string}\n", RATIO_RULES)
    folder = export({"items.csv": "id,subject,visits\nK1,12,3\nK2,30,0\n"})
    result = CliRunner().invoke(cli, ["audit", str(folder), "-p", str(path), "--lang", lang])
    assert result.exit_code == 2, result.output
    assert "error_on_division_by_zero" not in result.output and "TRY(" not in result.output
    if lang == "en":
        assert 'rule "per-visit" failed on this export: division by zero in (' in result.output
        assert "divide by nullif(divisor, 0)" in result.output
    else:
        assert "除以零：(" in result.output and "nullif(除数, 0)" in result.output
