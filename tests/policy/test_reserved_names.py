"""Names the run's database can hold: clausewise's own tables and columns begin with "__", and DuckDB's names
ignore case, so a dataset or field named "__findings", or two named "Items" and "items", are load errors."""

from __future__ import annotations

import shutil

import pytest
from support import EXAMPLE_POLICY

import clausewise
from clausewise.errors import ClauseWiseError


def _pack(tmp_path, replace: tuple[str, str]):
    root = EXAMPLE_POLICY.parent.parent
    shutil.copytree(root / "rules" / "example", tmp_path / "rules" / "example")
    (tmp_path / "policies").mkdir()
    text = EXAMPLE_POLICY.read_text(encoding="utf-8")
    assert replace[0] in text
    path = tmp_path / "policies" / "example.yaml"
    path.write_text(text.replace(replace[0], replace[1], 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, said", [
    ("  inquiries:\n    key: inquiry_id\n",
     "  inquiries:\n    key: inquiry_id\n", None),
    ("      channel: string\n", "      __row: string\n      channel: string\n",
     'field "__row" of dataset "inquiries": names beginning with "__" are clausewise\'s own; choose another'),
    ("      channel: string\n", "      channel: string\n      Channel: string\n",
     'field "Channel" of dataset "inquiries" differs from "channel" only in upper and lower case'),
])
def test_field_names_the_database_cannot_hold_are_load_errors(tmp_path, old, new, said):
    path = _pack(tmp_path, (old, new))
    if said is None:  # the pack as it is loads
        clausewise.load(path)
        return
    with pytest.raises(ClauseWiseError) as caught:
        clausewise.load(path)
    line = next(line for line in str(caught.value).splitlines() if said in line)
    assert line.startswith(f"{path}:")  # at the field's own line


def test_a_dataset_named_like_clausewises_own_tables_is_a_load_error(tmp_path):
    path = _pack(tmp_path, ("  inquiries:\n    key: inquiry_id\n", "  __findings:\n    key: inquiry_id\n"))
    with pytest.raises(ClauseWiseError) as caught:
        clausewise.load(path)
    assert 'dataset "__findings": names beginning with "__" are clausewise\'s own; choose another' in str(caught.value)
