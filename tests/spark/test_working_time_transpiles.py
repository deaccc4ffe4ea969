"""Working-time deadlines transpile to Spark SQL however many goals and pauses they have (no JVM needed).

The Spark engine transpiles every rule with sqlglot before Spark starts
(``clausewise.engine.spark.check``); sqlglot reads and writes a statement
recursively, one level of Python's stack per level of the query's nesting.
"""

from __future__ import annotations

import pytest

import clausewise
from clausewise.engine.run import program_of
from clausewise.engine.spark import check

DATASETS = """\
applications:
  key: id
  fields:
    id: string
    complexity: string
    assigned_at: timestamp
    reviewed_at: timestamp
    waiting_from: timestamp
    waiting_to: timestamp
    asked_from: timestamp
    asked_to: timestamp
"""
# A review deadline by complexity, counted in working days, not counting the wait for the customer: the
# ops-support pack's application-review-deadline with a longer map.
PARAMETERS = """\
review_by_complexity: {type: map, value: {simple: 1 working day, standard: 2 working days, complex: 3 working days,
                                          major: 5 working days, project: 10 working days}}
"""
RULES = """\
rules:
  - id: review-deadline
    clause: C-1
    dataset: applications
    kind: deadline
    severity: high
    start: assigned_at
    stop: reviewed_at
    pauses: PAUSES
    goal: {by: complexity, map: $review_by_complexity}
    title: {en: Reviewed in time}
    message: {en: "{key} due {due_at}; elapsed {elapsed} of {allowed}"}
"""


@pytest.mark.parametrize("pauses", ["[[waiting_from, waiting_to]]", "[[waiting_from, waiting_to], [asked_from, asked_to]]"])
def test_a_map_of_working_day_goals_with_pauses_transpiles(pack, pauses):
    policy = clausewise.load(pack(DATASETS, RULES.replace("PAUSES", pauses), PARAMETERS))
    program = program_of(policy)
    check(policy, program, program.selected(policy, ()), "en")  # raises nothing: the rule can run on Spark
