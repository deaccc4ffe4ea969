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
