"""Each JSON Lines line is one record, a JSON object with each key once; anything else is an error at its line."""

from __future__ import annotations

from datetime import datetime

import pytest

import clausewise
from clausewise.errors import DataError

DATASETS = """\
items:
  key: id
  fields: {id: string, n: integer}
"""
RULES = """\
rules:
  - {id: positive, clause: C-1, dataset: items, kind: check, severity: high, assert: n >= 0,
     title: {en: Positive}, message: {en: "{key} is negative"}}
"""
GOOD = '{"id": "K1", "n": 1}\n'


def _audit(pack, export, text: str):
    policy = clausewise.load(pack(DATASETS, RULES))
    return clausewise.audit(policy, export({"items.jsonl": text}), as_of=datetime(2026, 11, 1))


@pytest.mark.parametrize(("line", "kind"), [
    ("null", "null"), ("[1, 2]", "array"), ('"text"', "string"), ("3", "number"), ("-2.5", "number"),
    ("true", "boolean"),
])
def test_a_line_that_is_not_an_object_is_an_error_at_its_line(pack, export, line, kind):
    # Line 1 is a record, line 2 blank, line 3 the bad one.
    with pytest.raises(DataError) as info:
        _audit(pack, export, GOOD + "\n" + line + "\n")
    assert str(info.value) == (f"{info.value.location.file}:3: this line is a JSON {kind}, not an object: "
                               'each line must be one record, {"field": value, …}')
    assert info.value.location.file.endswith("items.jsonl")


def test_a_key_written_twice_is_an_error_naming_it(pack, export):
    with pytest.raises(DataError) as info:
        _audit(pack, export, GOOD + '{"id": "K2", "n": -1, "n": 5}\n')  # line 2
    assert info.value.location.line == 2
    assert str(info.value).endswith(':2: key "n" appears twice in this record; write each key once')


def test_the_cli_exits_2_with_one_line(pack, export):
    from click.testing import CliRunner

    from clausewise.cli import cli

    policy = pack(DATASETS, RULES)
    folder = export({"items.jsonl": GOOD + "[1]\n"})
    out = CliRunner().invoke(cli, ["audit", str(folder), "-p", str(policy)])
    assert out.exit_code == 2
    assert out.output.strip().endswith("items.jsonl:2: this line is a JSON array, not an object: "
                                       'each line must be one record, {"field": value, …}')
    assert "Traceback" not in out.output


def test_objects_with_each_key_once_are_read(pack, export):
    with _audit(pack, export, GOOD + '{"id": "K2", "n": -1}\n') as result:
        assert [f.key for f in result.findings if f.rule == "positive"] == ["K2"]
