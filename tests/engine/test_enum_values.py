"""A comparison of an enum field, or of a banded computed column, with a text none of its values is refused at load."""

from __future__ import annotations

import pytest

import clausewise
from clausewise.errors import ClauseWiseError

DATASETS = """\
risks:
  key: id
  fields:
    id: string
    score: integer
    kind: {type: enum, values: [plain, fancy]}
"""
DERIVED = """\
derived:
  risks:
    columns:
      grade: {bands: {of: score, using: {high: 10, low: 0}, range: [0, 20]}}
"""


def _load(pack, when: str):
    rules = ("rules:\n  - {id: r, clause: C-1, dataset: risks, kind: check, severity: high, when: \"" + when
             + "\", assert: score < 100, title: {en: R}, message: {en: \"{key}\"}}\n")
    policy = pack(DATASETS, rules)
    policy.write_text(policy.read_text(encoding="utf-8") + DERIVED, encoding="utf-8")
    return clausewise.load(policy)


@pytest.mark.parametrize(("when", "message"), [
    ("grade = 'hihg'", "\"grade\" is never \"hihg\": its values are high, low — did you mean \"high\"?"),
    ("'hihg' <> grade", "\"grade\" is never \"hihg\": its values are high, low — did you mean \"high\"?"),
    ("kind IN ('plain', 'fancyy')", "\"kind\" is never \"fancyy\": its values are plain, fancy — did you mean \"fancy\"?"),
    ("kind = 'other'", "\"kind\" is never \"other\": its values are plain, fancy"),
])
def test_a_value_no_band_or_enum_holds_is_a_load_error(pack, when, message):
    with pytest.raises(ClauseWiseError) as info:
        _load(pack, when)
    assert str(info.value).endswith(f'rule "r" when: {message}'), str(info.value)


@pytest.mark.parametrize("when", ["grade = 'high'", "grade IN ('high', 'low')", "kind <> 'plain'",
                                  "grade = kind", "upper(grade) = 'HIGH'"])
def test_values_it_can_hold_are_accepted(pack, when):
    policy = _load(pack, when)
    assert [r.id for r in policy.rules] == ["r"]
