"""Rules run eight to a statement (engine/run.py ``RULES_PER_STATEMENT``): the same findings, the same errors."""

from __future__ import annotations

import duckdb
import pytest
from support import EXAMPLE_EXPORT, EXAMPLE_POLICY, ROOT, broken_rules, findings_json

import clausewise
from clausewise.engine import run
from clausewise.engine.kinds import KINDS
from clausewise.errors import ClauseWiseError

# The findings table's columns and types (plan.FINDINGS_DDL), in order.
TABLE_TYPES = ("VARCHAR", "BIGINT", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "TIMESTAMP", "VARCHAR")


def test_every_kind_gives_rows_of_the_findings_table_types(monkeypatch):
    # A union of rules converts nothing only when each rule's rows already have the table's types (an untyped
    # NULL takes any). A TIMESTAMPTZ due time beside a TIMESTAMP one would be read back through the zone.
    # Each rule of the ops-support pack is described on the load's check connection (its empty tables).
    from clausewise.engine import program

    described = {}
    original = program._bind_all

    def bind_all(con, rules, errors):
        original(con, rules, errors)
        for item in rules:
            described[item.rule.id] = (item.rule.kind, tuple(row[1] for row in con.execute(
                "DESCRIBE " + item.select_sql("en")).fetchall()))

    monkeypatch.setattr(program, "_bind_all", bind_all)
    policy = clausewise.load(ROOT / "policies" / "ops-support.yaml")
    assert len(described) == len(policy.rules)
    for rule, (_, types) in described.items():
        assert len(types) == len(TABLE_TYPES), rule
        assert all(t in (want, '"NULL"') for t, want in zip(types, TABLE_TYPES)), (rule, types)
    assert {kind for kind, _ in described.values()} == set(KINDS)  # the pack has a rule of every kind


def test_the_findings_do_not_depend_on_how_many_rules_a_statement_holds(monkeypatch):
    policy = clausewise.load(EXAMPLE_POLICY, check=False)
    with clausewise.audit(policy, EXAMPLE_EXPORT) as result:
        eight = findings_json(result)
    monkeypatch.setattr(run, "RULES_PER_STATEMENT", 1)  # each rule a statement of its own
    with clausewise.audit(policy, EXAMPLE_EXPORT) as result:
        assert findings_json(result) == eight
    assert len(eight) > 10


def test_a_rule_duckdb_refuses_is_named_alone_though_it_shares_a_statement(monkeypatch):
    broken_rules(monkeypatch, only="inquiry-channel", source="FROM __no_such_table WHERE TRUE")
    policy = clausewise.load(EXAMPLE_POLICY, check=False)
    assert len(policy.rules) > 2  # the broken rule shares its statement with others
    with pytest.raises(ClauseWiseError) as caught:
        clausewise.audit(policy, EXAMPLE_EXPORT)
    said = str(caught.value).splitlines()
    assert len(said) == 1
    assert said[0].startswith('rules/example/inquiries.yaml:3:5: rule "inquiry-channel": DuckDB cannot run it: ')


@pytest.mark.parametrize("fault", [duckdb.InterruptException, duckdb.OutOfMemoryException])
def test_an_interrupt_or_running_out_of_memory_is_no_rules_fault(fault):
    # Ctrl-C while DuckDB runs a statement, or too little memory, passes through as it is (the command says
    # "interrupted" or how to give DuckDB more), not blamed on the rules the statement held.
    def attempt(items):
        raise fault("stopped")

    with pytest.raises(fault):
        run._at_once_else_each(["a", "b"], attempt, lambda item, exc: pytest.fail("blamed on an item"))


def _cut(records: dict[str, int]) -> list[list[str]]:
    from clausewise.engine.run import _statements, program_of

    policy = clausewise.load(EXAMPLE_POLICY, check=False)
    return [[item.rule.id for item in batch] for batch in _statements(list(program_of(policy).rules), records)]


def test_rules_of_small_datasets_share_statements_in_the_packs_order():
    # 11 rules, two workers: at most ceil(11 / 4) = 3 rules a statement, so that each worker gets two or more.
    small = {"inquiries": 10, "followups": 10, "meetings": 10}
    assert _cut(small) == [
        ["inquiry-followed-up", "satisfaction-rate", "meetings-per-month"],
        ["meetings-regular", "inquiry-channel", "inquiry-recorded"],
        ["inquiry-contact", "inquiry-reply-deadline", "inquiry-id-unique"],
        ["inquiry-times-in-order", "inquiry-reply-clock"],
    ]


def test_a_rule_that_reads_a_large_dataset_runs_alone():
    # Followups reach a row group (122,880 records): the rule counting them and the reference that looks
    # them up (inquiry-followed-up reads followups as its target) run alone; the others still share.
    large = {"inquiries": 10, "followups": 122_880, "meetings": 10}
    assert _cut(large) == [
        ["inquiry-followed-up"],
        ["satisfaction-rate"],
        ["meetings-per-month", "meetings-regular", "inquiry-channel"],
        ["inquiry-recorded", "inquiry-contact", "inquiry-reply-deadline"],
        ["inquiry-id-unique", "inquiry-times-in-order", "inquiry-reply-clock"],
    ]
    # A dataset whose size is not known (a computed one) counts as large: here meetings.
    assert _cut({"inquiries": 10, "followups": 10}) == [
        ["inquiry-followed-up", "satisfaction-rate"],
        ["meetings-per-month"],
        ["meetings-regular"],
        ["inquiry-channel", "inquiry-recorded", "inquiry-contact"],
        ["inquiry-reply-deadline", "inquiry-id-unique", "inquiry-times-in-order"],
        ["inquiry-reply-clock"],
    ]
