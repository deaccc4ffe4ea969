"""Schema problems in words an officer can act on, each at its place in the file."""

from __future__ import annotations

import pytest

import clausewise
from clausewise.errors import ClauseWiseError

DATASETS = """\
inquiries:
  key: id
  fields: {id: string, channel: string, received_at: timestamp, replied_at: timestamp}
"""
HEAD = """\
rules:
  - id: r
    clause: C-1
    dataset: inquiries
    severity: high
    title: {en: R}
    message: {en: "m"}
"""


@pytest.mark.parametrize(("body", "expected"), [
    ("    kind: deadline\n    start: received_at\n    stop: replied_at\n", 'rules.yaml:2:5: rule "r" needs one of "goal", "due"'),
    ("    kind: deadline\n    start: received_at\n    stop: replied_at\n    goal: 24h\n    due: replied_at\n",
     'rules.yaml:2:5: rule "r" takes only one of "goal", "due", not 2'),
    ("    kind: allowed\n    field: channel\n", 'rules.yaml:2:5: rule "r" needs at least one of "values", "min", "max", "pattern"'),
    ("    kind: check\n    assert: channel = 'a' AND\n", "rule \"r\" assert: cannot parse SQL: \"AND\" has nothing after it"),
    ("    kind: check\n    asert: channel = 'a'\n", 'unknown key "asert" in rule "r" — did you mean "assert"?'),
])
def test_messages(pack, body, expected):
    policy = pack(DATASETS, HEAD + body)
    with pytest.raises(ClauseWiseError) as info:
        clausewise.load(policy)
    assert expected in str(info.value)
