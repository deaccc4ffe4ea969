"""The rule reference is the kinds: docs/rules.md matches them, and every example runs.

The "Rule kinds" part of docs/rules.md is written by
``clausewise.engine.kinds.docs.reference_markdown`` from the kinds' docstrings
and schemas. After changing a kind, rewrite it and review the diff::

    CLAUSEWISE_UPDATE_GOLDEN=1 pytest tests/kinds/test_reference.py
"""

from __future__ import annotations

import os

import pytest
from kindpack import example_pack
from support import ROOT

import clausewise
from clausewise.engine.kinds import KINDS, docs
from clausewise.engine.kinds.base import Kind
from clausewise.errors import ClauseWiseError
from clausewise.policy.yamlfile import load_yaml

RULES_MD = ROOT / "docs" / "rules.md"


def test_rules_md_is_written_from_the_kinds():
    text = RULES_MD.read_text(encoding="utf-8")
    wanted = docs.reference_markdown()
    if os.environ.get("CLAUSEWISE_UPDATE_GOLDEN") == "1":
        RULES_MD.write_text(docs.replace_region(text, wanted), encoding="utf-8")
        text = RULES_MD.read_text(encoding="utf-8")
    assert docs.region(text) == wanted, (
        "docs/rules.md differs from the kinds' docstrings and schemas; "
        "run CLAUSEWISE_UPDATE_GOLDEN=1 pytest tests/kinds/test_reference.py and review the diff"
    )


@pytest.mark.parametrize("name", list(KINDS))
def test_every_key_is_described(name):
    schema = KINDS[name].schema
    for key, prop in schema.get("properties", {}).items():
        assert prop.get("description"), f'kind {name}: key "{key}" has no description in its schema'
        for inner, inner_prop in prop.get("properties", {}).items():
            assert inner_prop.get("description"), f'kind {name}: key "{key}.{inner}" has no description'


@pytest.mark.parametrize("name", list(KINDS))
def test_docstring_example_is_a_complete_rule_of_the_ops_support_pack(name, tmp_path):
    """The example loads as written (title and message included), compiles and binds against the pack."""
    example = docs.example(KINDS[name])
    try:
        policy = clausewise.load(example_pack(tmp_path, example))
    except ClauseWiseError as exc:
        pytest.fail(f"the example of kind {name} does not load in the ops-support pack: {exc}")
    [rule] = policy.rules
    assert rule.kind == name, f"the example of kind {name} is a {rule.kind} rule"
    assert [c.rule.id for c in clausewise.validate(policy)] == [rule.id]


@pytest.mark.parametrize("name", list(KINDS))
def test_docstring_example_is_one_rule_in_both_languages(name, tmp_path):
    path = tmp_path / f"{name}.yaml"
    path.write_text(docs.example(KINDS[name]), encoding="utf-8")
    doc = load_yaml(path, path.name)
    assert isinstance(doc, list) and len(doc) == 1, f"the example of kind {name} should be one rule"
    for key in ("title", "message"):
        assert set(doc[0][key]) == {"en", "zh"}, f"the example of kind {name} should give its {key} in en and zh"


class _Tiny(Kind):
    """``tiny``: a kind for the renderer's own test, with ``code`` and a link to docs/time.md#limits.

    Second paragraph, *kept* as written.

    Example (a rule that
    spans two lines of introduction)::

        - id: tiny
          kind: tiny
    """

    name = "tiny"
    schema = {
        "properties": {
            "size": {"type": "integer", "description": "How big | how wide."},
            "mode": {"enum": ["a", "b", "c"], "default": "a", "description": "The mode."},
            "span": {"type": "object", "description": "A span.",
                     "properties": {"from": {"type": "string", "description": "Start."}}, "required": ["from"]},
            "goal": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                     "description": "One or many."},
            "due": {"type": "string", "description": "A field."},
        },
        "required": ["size"],
        "oneOf": [{"required": ["goal"]}, {"required": ["due"]}],
    }


def test_renderer_turns_a_docstring_into_markdown():
    assert docs.kind_markdown(_Tiny()) == (
        "### tiny\n\n"
        "A kind for the renderer's own test, with `code` and a link to [time.md](time.md#limits).\n\n"
        "Second paragraph, *kept* as written.\n\n"
        "| key | value | required | meaning |\n"
        "|---|---|---|---|\n"
        "| `size` | whole number | yes | How big \\| how wide. |\n"
        "| `mode` | one of `a`, `b`, `c` | no (default `a`) | The mode. |\n"
        "| `span` | mapping of `from` | no | A span. |\n"
        "| `span.from` | text | yes, in `span` | Start. |\n"
        "| `goal` | text, or list of text | one of `goal`, `due` | One or many. |\n"
        "| `due` | text | one of `goal`, `due` | A field. |\n\n"
        "Example (a rule that\nspans two lines of introduction):\n\n"
        "```yaml\n- id: tiny\n  kind: tiny\n```\n"
    )


def test_a_kind_without_an_example_is_refused():
    class Bare(Kind):
        """``bare``: no example."""

        name = "bare"

    with pytest.raises(ValueError, match='rule kind "bare" needs a docstring ending in an "Example'):
        docs.reference_markdown({"bare": Bare()})


def test_region_is_replaced_in_place():
    text = f"before\n{docs.BEGIN}\nold\n{docs.END}\nafter\n"
    assert docs.replace_region(text, "new\n") == f"before\n{docs.BEGIN}\nnew\n{docs.END}\nafter\n"
    assert docs.region(text) == "old\n"
    with pytest.raises(ValueError, match="no generated region"):
        docs.region("no markers")
