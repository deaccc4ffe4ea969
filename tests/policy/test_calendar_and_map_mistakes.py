"""Mistakes in a pack's calendar and goal maps that `validate` should name plainly, with no data."""

from __future__ import annotations

import textwrap

import pytest
from click.testing import CliRunner

from clausewise.cli import cli

POLICY = """\
policy:
  id: t
  version: "1"
  title: {en: Test}
  timezone: Asia/Shanghai
  calendar:
    country: CN
%(calendar)s
  data_quality: {clause: C-9}
clauses:
  C-1: {title: {en: One}}
  C-9: {title: {en: Data}}
parameters:
  resolve_by_prio: {type: map, value: %(map)s}
datasets:
  tickets:
    key: ticket_id
    fields: {ticket_id: string, priority: string, opened_at: timestamp, resolved_at: timestamp}
rules: [rules.yaml]
"""
RULES = """\
rules:
  - id: ticket-resolve
    clause: C-1
    dataset: tickets
    kind: deadline
    severity: high
    start: opened_at
    stop: resolved_at
    goal: {by: priority, map: $resolve_by_prio}
    title: {en: Resolved}
    message: {en: "ticket {key} late"}
"""


def _validate(tmp_path, calendar="", goal_map="{P1: 8 working hours}"):
    (tmp_path / "policy.yaml").write_text(POLICY % {"calendar": calendar, "map": goal_map}, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    return CliRunner().invoke(cli, ["validate", "--policy", str(tmp_path / "policy.yaml")])


def test_the_pack_as_written_is_valid(tmp_path):
    assert _validate(tmp_path).exit_code == 0


def test_an_empty_goal_map_is_named(tmp_path):
    result = _validate(tmp_path, goal_map="{}")
    assert result.exit_code == 2
    assert "Parser Error" not in result.output and "DuckDB" not in result.output
    assert "resolve_by_prio" in result.output


def test_a_date_both_holiday_and_workday_is_written_as_a_date(tmp_path):
    calendar = textwrap.indent("extra_holidays: [2026-10-12]\nextra_workdays: [2026-10-12]", "    ")
    result = _validate(tmp_path, calendar=calendar)
    assert result.exit_code == 2
    assert "2026-10-12" in result.output and "datetime.date" not in result.output


def test_an_unknown_subdivision_fails_validate(tmp_path):
    result = _validate(tmp_path, calendar="    subdivision: ZZ")
    assert result.exit_code == 2
    assert "ZZ" in result.output


def test_a_lookup_in_an_empty_map_is_named(pack):
    # The same mistake in a condition: a lookup with no value to find was a CASE with no WHEN, an internal error.
    from clausewise.engine.run import load
    from clausewise.errors import ClauseWiseError

    path = pack("items:\n  key: id\n  fields: {id: string, priority: string}\n", """\
rules:
  - id: known-priority
    clause: C-1
    dataset: items
    kind: check
    severity: high
    assert: $hours[priority] IS NOT NULL
    title: {en: Known}
    message: {en: "{key}"}
""", "hours: {type: map, value: {}}\n")
    with pytest.raises(ClauseWiseError) as caught:
        load(path)
    # Line 7 of the rules file (rules, id, clause, dataset, kind, severity, assert), column 13: where "$hours"
    # begins after the 12 characters of "    assert: ".
    assert str(caught.value) == (f'{path.parent / "rules.yaml"}:7:13: rule "known-priority" assert: "$hours" is an '
                                 "empty map: a lookup in it finds nothing; give it at least one value")
