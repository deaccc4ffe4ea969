"""An ``allowed`` rule's ``min`` and ``max`` must read as the type of the field they bound, or ``validate`` names
them where they are written; before, such a bound passed ``validate`` and the audit failed on DuckDB's cast error."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clausewise.cli import cli

# Line 7 holds the parameter "soon"; its value starts at column 31, after the 30 characters of
# "  soon: {type: string, value: " (2 + 6 + 22).
POLICY = """\
policy:
  id: t
  version: "1"
  title: {en: Test}
  data_quality: {clause: C-9}
parameters:
  soon: {type: string, value: %s}
clauses:
  C-1: {title: {en: One}}
  C-9: {title: {en: Data}}
datasets:
  items:
    key: id
    fields: {id: string, at: timestamp, on: date, n: integer, x: number}
rules: [rules.yaml]
"""
# The rule's bound is on line 7, after "    %s: " (4 + 3 + 2 = 9 characters): column 10.
RULES = """\
rules:
  - id: in-range
    clause: C-1
    dataset: items
    kind: allowed
    field: %s
    %s: %s
    severity: high
    title: {en: In range}
    message: {en: "item {key} out of range"}
"""


def _validate(tmp_path, field, key, bound, param="soon", lang="en"):
    (tmp_path / "policy.yaml").write_text(POLICY % param, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES % (field, key, bound), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--policy", str(tmp_path / "policy.yaml"), "--lang", lang])
    return result.exit_code, result.output.replace(f"{tmp_path}/", "")


@pytest.mark.parametrize(("field", "key", "bound", "said"), [
    ("at", "min", '"2026-13-01 09:00"', 'rules.yaml:7:10: rule "in-range": "2026-13-01 09:00" is not a timestamp, '
                                          'as field "at" is; write e.g. 2026-10-01 09:00'),
    ("at", "max", '"20261001"', 'rules.yaml:7:10: rule "in-range": "20261001" is not a timestamp, as field "at" is; '
                                'write e.g. 2026-10-01 09:00'),  # Python reads it; DuckDB does not
    ("on", "min", '"2026-1-1"', 'rules.yaml:7:10: rule "in-range": "2026-1-1" is not a date, as field "on" is; '
                                'write e.g. 2026-10-01'),
    ("n", "max", '"five"', 'rules.yaml:7:10: rule "in-range": "five" is not a number, as field "n" is; write e.g. 5'),
    ("x", "min", '"inf"', 'rules.yaml:7:10: rule "in-range": "inf" is not a number, as field "x" is; write e.g. 5'),
])
def test_a_bound_that_is_not_the_fields_type_is_named_at_the_bound(tmp_path, field, key, bound, said):
    assert _validate(tmp_path, field, key, bound) == (2, said + "\n")


def test_a_parameters_value_is_named_where_the_policy_writes_it(tmp_path):
    code, output = _validate(tmp_path, "at", "min", "$soon")
    assert (code, output) == (2, 'policy.yaml:7:31: parameter "soon": "soon" is not a timestamp, as field "at" is; '
                                 'write e.g. 2026-10-01 09:00 (used by rule "in-range")\n')
    code, output = _validate(tmp_path, "at", "min", "$soon", lang="zh")
    assert output.splitlines()[0] == ("policy.yaml:7:31：参数“soon”：“soon”不是时间，而字段“at”是时间；"
                                      "请写成如 2026-10-01 09:00（规则“in-range”使用此参数）")


@pytest.mark.parametrize(("field", "bound", "param"), [
    ("at", "$soon", '"2026-10-01 09:00"'), ("at", '"2026-10-01T09:00+08:00"', "x"), ("at", '"2026-10-31"', "x"),
    ("on", '"2026-10-01"', "x"), ("n", '"9.5"', "x"), ("n", "3", "x"), ("x", '"-1e3"', "x"),
])
def test_bounds_of_the_fields_type_load(tmp_path, field, bound, param):
    assert _validate(tmp_path, field, "min", bound, param=param)[0] == 0


# Both bounds on line 7, as "    min: …, max: …" cannot be: the rule writes min on line 7 and max on line 8.
RANGE = RULES.replace("    %s: %s\n", "    min: %s\n    max: %s\n")


@pytest.mark.parametrize(("field", "low", "high", "shown"), [
    ("n", "10", "5", "10 is above max 5"),
    ("on", '"2026-12-01"', '"2026-10-01"', "2026-12-01 is above max 2026-10-01"),
    ("at", '"2026-10-02 00:00"', '"2026-10-01"', "2026-10-02 00:00 is above max 2026-10-01"),
])
def test_a_min_above_the_max_is_refused_at_the_min(tmp_path, field, low, high, shown):
    # No value lies between them, so every record would be a violation. min's value: line 7, column 10.
    (tmp_path / "policy.yaml").write_text(POLICY % "x", encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RANGE % (field, low, high), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--policy", str(tmp_path / "policy.yaml")])
    assert (result.exit_code, result.output.replace(f"{tmp_path}/", "")) == (
        2, f'rules.yaml:7:10: rule "in-range": min {shown}: no value can lie between them\n')


def test_a_number_does_not_bound_a_text_field(tmp_path):
    # DuckDB refused `id >= 5` with a binder error when the audit ran; text compares letter by letter anyway.
    assert _validate(tmp_path, "id", "min", "5") == (
        2, 'rules.yaml:7:10: rule "in-range": 5 is a number, but field "id" is text, compared letter by letter ("10" '
           'comes before "9"); declare the field a number, or write the bound as text in quotes\n')
    assert _validate(tmp_path, "id", "min", '"K"')[0] == 0
