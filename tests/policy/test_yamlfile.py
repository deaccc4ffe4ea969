"""Safe YAML loading: positions kept, duplicates, bombs and huge files refused."""

from __future__ import annotations

import pytest

from clausewise.errors import PolicyError
from clausewise.policy.yamlfile import MAX_BYTES, load_yaml, parse_yaml


def test_positions_of_keys_values_and_characters():
    doc = parse_yaml("rules:\n  - id: a\n    when: x > 1 AND y\n", "r.yaml")
    rule = doc["rules"][0]
    assert str(rule.key_at("when")) == "r.yaml:3:5"
    assert str(rule.value_at("when")) == "r.yaml:3:11"
    assert str(rule["when"].locate(8)) == "r.yaml:3:19"
    assert str(doc["rules"].item_at(0)) == "r.yaml:2:5"


def test_quoted_and_block_strings_locate_inside():
    doc = parse_yaml('a: "x = 1"\nb: |\n  first\n  second line\n', "r.yaml")
    assert str(doc["a"].locate(4)) == "r.yaml:1:9"
    assert str(doc["b"].locate(len("first\nsec"))) == "r.yaml:4:6"


def test_duplicate_key_is_refused_with_both_places():
    with pytest.raises(PolicyError) as info:
        parse_yaml("id: a\nclause: X\nid: b\n", "r.yaml")
    assert str(info.value) == 'r.yaml:3:1: duplicate key "id" (first defined at line 1)'


def test_keys_stay_text():
    doc = parse_yaml("on: {a: b}\nno: 1\n", "r.yaml")
    assert list(doc) == ["on", "no"]


def test_alias_bomb_is_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefgh":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
    with pytest.raises(PolicyError, match="aliases expand to more than"):
        parse_yaml(bomb, "bomb.yaml")


def test_small_aliases_are_fine():
    doc = parse_yaml("m: &m {en: hi}\nn: *m\n", "r.yaml")
    assert doc["n"] == {"en": "hi"}


def test_oversized_file_is_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * MAX_BYTES, encoding="utf-8")
    with pytest.raises(PolicyError, match=f"the limit is {MAX_BYTES}"):
        load_yaml(big, "big.yaml")


def test_not_utf8_is_refused(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("a: 中文".encode("gbk"))
    with pytest.raises(PolicyError, match="not UTF-8"):
        load_yaml(path, "gbk.yaml")


def test_syntax_error_has_a_position():
    with pytest.raises(PolicyError) as info:
        parse_yaml("a: [1, 2\nb: 3\n", "r.yaml")
    assert str(info.value).startswith("r.yaml:2:")


def test_python_tags_are_not_constructed():
    with pytest.raises(PolicyError, match="invalid YAML"):
        parse_yaml("a: !!python/object/apply:os.system ['echo hi']\n", "r.yaml")
