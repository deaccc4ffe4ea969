"""The load's check: DuckDB binds every compiled rule against empty tables, on a connection prepared on a thread
of its own while the pack compiles (engine/program.py ``Checker``); what it refuses is a load error at the rule."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support import EXAMPLE_EXPORT, EXAMPLE_POLICY, broken_rules

import clausewise
from clausewise.engine.program import Checker
from clausewise.engine.run import program_of
from clausewise.errors import ClauseWiseError, UsageError


@pytest.fixture(scope="module")
def example():
    policy = clausewise.load(EXAMPLE_POLICY)
    return policy, program_of(policy)


def test_every_rule_of_a_sound_pack_binds(example):
    policy, program = example
    checker = Checker(policy, program.derive, program.calendar)
    assert not checker.finish(list(program.rules))


def test_what_duckdb_refuses_is_an_error_at_its_rule_in_the_order_given(example):
    policy, program = example
    first, second, third = program.rules[:3]
    # Two rules made to read a table that does not exist, around one that is sound.
    broken = [replace(first, source="FROM __no_such_table WHERE TRUE"), second,
              replace(third, source="FROM __no_such_table WHERE TRUE")]
    checker = Checker(policy, program.derive, program.calendar)
    refused = checker.finish(broken).errors
    assert [str(e.location) for e in refused] == [str(first.rule.location), str(third.rule.location)]
    assert f'rule "{first.rule.id}": DuckDB cannot run it' in refused[0].message
    assert "__no_such_table" in refused[0].message


def test_a_fault_of_the_checker_itself_is_raised_by_finish(example):
    policy, program = example
    # A timezone DuckDB does not know makes the connection fail inside the thread; the caller sees it.
    checker = Checker(replace(policy, timezone="Mars/Olympus_Mons"), program.derive, program.calendar)
    with pytest.raises(UsageError, match='timezone "Mars/Olympus_Mons"'):
        checker.finish([program.rules[0]])


def test_load_reports_a_refused_rule_at_its_place(monkeypatch, tmp_path):
    # The whole path: a rule compiled to SQL that DuckDB cannot bind fails clausewise.load with its location.
    broken_rules(monkeypatch, source="FROM __no_such_table WHERE TRUE")
    with pytest.raises(ClauseWiseError) as caught:
        clausewise.load(EXAMPLE_POLICY)
    assert "DuckDB cannot run it" in str(caught.value)
    assert "rules/example/inquiries.yaml:3:5: rule \"inquiry-channel\": DuckDB cannot run it" in str(caught.value)


def test_rules_handed_over_one_by_one_bind_in_batches_and_finish_answers_again(example):
    policy, program = example
    first = program.rules[0]
    broken = replace(first, source="FROM __no_such_table WHERE TRUE")
    checker = Checker(policy, program.derive, program.calendar)
    # More rules than one batch, the broken one last: the batch it falls in is bound rule by rule.
    for item in [*program.rules[1:Checker.BATCH + 3], broken]:
        checker.add(item)
    refused = checker.finish()
    assert [str(e.location) for e in refused.errors] == [str(first.rule.location)]
    assert checker.finish() is refused  # asked again (a second audit of the same policy): the same answer


def test_an_abandoned_check_lets_its_connection_go():
    policy = clausewise.load(EXAMPLE_POLICY)
    program = program_of(policy)
    checker = Checker(policy, program.derive, program.calendar)
    checker.add(program.rules[0])
    checker.abandon()
    assert not checker._thread.is_alive()
    assert not checker.finish()  # nothing was refused; finishing after abandoning does not wait forever


def test_without_the_dry_run_the_audit_says_every_refused_rule_at_its_place(monkeypatch):
    # load(check=False), as the audit command loads: the pack loads, and running the rules is the check; every
    # rule DuckDB refuses is raised together, at the rule, as the dry run says it.
    broken_rules(monkeypatch, source="FROM __no_such_table WHERE TRUE")
    policy = clausewise.load(EXAMPLE_POLICY, check=False)
    with pytest.raises(ClauseWiseError) as caught:
        clausewise.audit(policy, EXAMPLE_EXPORT)
    said = str(caught.value).splitlines()
    expected = {f'{rule.location}: rule "{rule.id}": DuckDB cannot run it' for rule in policy.rules}
    assert len(said) == len(policy.rules) > 1
    assert {line.split(": Table")[0] for line in said} == expected
    assert 'rules/example/inquiries.yaml:3:5: rule "inquiry-channel": DuckDB cannot run it' in expected
    assert all(line.endswith("Table with name __no_such_table does not exist!") for line in said)


def test_a_rule_whose_record_counts_duckdb_refuses_is_an_error_at_the_rule(monkeypatch):
    # The rule's findings query is sound, but the count of the records it examined reads a column that does not
    # exist: without the dry run, the run's counting says so at the rule, not as an internal error.
    broken_rules(monkeypatch, only="inquiry-channel", scope_sql="no_such_column > 0")
    policy = clausewise.load(EXAMPLE_POLICY, check=False)
    with pytest.raises(ClauseWiseError) as caught:
        clausewise.audit(policy, EXAMPLE_EXPORT)
    assert str(caught.value).startswith(
        'rules/example/inquiries.yaml:3:5: rule "inquiry-channel": DuckDB cannot run it: Referenced column '
        '"no_such_column" not found')


def test_a_large_batch_binds_in_two_halves_and_says_what_was_refused_in_order(example):
    policy, program = example
    rules = list(program.rules)
    # All rules handed over before the checker is ready: its first batch holds them all, bound in two halves
    # (the example pack has fewer than 2 x BATCH rules: the batch is made of them repeated, a broken one early
    # and one late, so that one falls in each half).
    many = (rules * (2 * Checker.BATCH // len(rules) + 2))[:2 * Checker.BATCH + 2]
    early, late = 1, len(many) - 2
    many[early] = replace(many[early], source="FROM __no_such_table WHERE TRUE")
    many[late] = replace(many[late], source="FROM __no_such_table WHERE TRUE")
    checker = Checker(policy, program.derive, program.calendar)
    refused = checker.finish(many).errors
    assert [str(e.location) for e in refused] == [str(many[early].rule.location), str(many[late].rule.location)]

