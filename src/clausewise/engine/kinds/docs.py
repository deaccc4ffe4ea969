"""The rule kinds' section of the rule reference, written from the kinds themselves.

Each kind's docstring is its user documentation and its JSON ``schema`` lists
its keys; :func:`reference_markdown` turns both into the Markdown that
docs/rules.md holds between :data:`BEGIN` and :data:`END`, so the reference
cannot drift from the code (a test compares the two). The docstrings are
written in the reStructuredText that Python docstrings use, and turned into
Markdown: text in double backquotes becomes code; the paragraph ending in
``::`` that starts with "Example" introduces the kind's example, an indented
YAML block that becomes a fenced one; a path such as docs/time.md becomes a
link to that page of the reference. Raises ValueError for a kind with no
example.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from collections.abc import Mapping
from typing import Any

from .base import Kind

BEGIN = ("<!-- kinds: generated from the rule kinds' docstrings and schemas (src/clausewise/engine/kinds); "
         "to update, run CLAUSEWISE_UPDATE_GOLDEN=1 pytest tests/kinds/test_reference.py -->")
END = "<!-- end kinds -->"

_CODE = re.compile(r"``(.+?)``")
_PAGE = re.compile(r"\bdocs/([\w-]+\.md)(#[\w-]+)?")


def reference_markdown(kinds: Mapping[str, Kind] | None = None) -> str:
    """The Markdown of every kind in registry order: heading, documentation, keys, example.

    ``kinds`` defaults to the registry (:data:`~clausewise.engine.kinds.KINDS`).
    Raises ValueError for a kind without a docstring or an example.
    """
    if kinds is None:
        from . import KINDS

        kinds = KINDS
    return "\n".join(kind_markdown(kind) for kind in kinds.values())


def kind_markdown(kind: Kind) -> str:
    """One kind's section: ``### name``, its docstring as Markdown, its keys as a table, its example."""
    body, example_intro, example_yaml = _parts(kind)
    return (
        f"### {kind.name}\n\n{_inline(body)}\n\n{keys_table(kind)}\n\n"
        f"{_inline(example_intro)}:\n\n```yaml\n{example_yaml}```\n"
    )


def example(kind: Kind) -> str:
    """The YAML of the kind's docstring example: one complete rule, as a list item."""
    return _parts(kind)[2]


def keys_table(kind: Kind) -> str:
    """The kind's keys (its schema's properties) as a Markdown table: key, value, required, meaning."""
    schema = kind.schema
    rows = ["| key | value | required | meaning |", "|---|---|---|---|"]
    for key, prop in schema.get("properties", {}).items():
        rows.append(_row(key, prop, _required(schema, key, prop)))
        for inner, inner_prop in prop.get("properties", {}).items():  # window: from, field, within
            required = _required(prop, inner, inner_prop)
            rows.append(_row(f"{key}.{inner}", inner_prop, f"{required}, in `{key}`" if required == "yes" else required))
    return "\n".join(rows)


def _row(key: str, prop: dict[str, Any], required: str) -> str:
    return f"| `{key}` | {value_words(prop)} | {required} | {_cell(prop.get('description', ''))} |"


def value_words(prop: dict[str, Any]) -> str:
    """A schema's shape in words: ``text``, ``list of text``, ``number or text`` …"""
    if "enum" in prop:
        shown = [f"`{v}`" for v in prop["enum"]]
        return " or ".join(shown) if len(shown) <= 2 else "one of " + ", ".join(shown)
    for keyword in ("oneOf", "anyOf"):
        if keyword in prop:
            return ", or ".join(value_words(p) for p in prop[keyword])
    kind = prop.get("type")
    if isinstance(kind, list):
        return " or ".join(_TYPES.get(k, k) for k in kind)
    if kind == "array":
        return f"list of {_plural(value_words(prop.get('items', {})))}" if prop.get("items") else "list"
    if kind == "object":
        if "properties" in prop:
            return "mapping of " + ", ".join(f"`{k}`" for k in prop["properties"])
        values = prop.get("additionalProperties")
        return f"mapping of name to {value_words(values)}" if isinstance(values, dict) else "mapping"
    if kind == "string" and prop.get("pattern") == "^\\$":
        return "`$parameter`"
    return _TYPES.get(kind, "any value")


_TYPES = {"string": "text", "number": "number", "integer": "whole number", "boolean": "`true` or `false`"}


def _plural(words: str) -> str:
    return "lists of text" if words == "list of text" else words


def _required(schema: dict[str, Any], key: str, prop: dict[str, Any]) -> str:
    if key in schema.get("required", ()):
        return "yes"
    for keyword, words in (("oneOf", "one of"), ("anyOf", "at least one of")):
        branches = [b.get("required", []) for b in schema.get(keyword, ())]
        if any(key in b for b in branches):
            return words + " " + ", ".join(f"`{k}`" for b in branches for k in b)
    if "default" in prop:
        return f"no (default `{_shown(prop['default'])}`)"
    return "no"


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|").replace("\n", " ")


def _parts(kind: Kind) -> tuple[str, str, str]:
    """(the docstring before the example, the example's introduction, the example's YAML)."""
    doc = inspect.cleandoc(type(kind).__doc__ or "")
    found = re.search(r"^(Example\b.*(?:\n.+)*?)::\n\n((?:(?: {4}.*)?\n)+)", doc + "\n", re.MULTILINE)
    if not doc or found is None:
        raise ValueError(f'rule kind "{kind.name}" needs a docstring ending in an "Example (...)::" block')
    summary, _, rest = doc[: found.start()].partition("\n")
    summary = re.sub(rf"^``{re.escape(kind.name)}``:\s*", "", summary)
    body = (summary[:1].upper() + summary[1:] + "\n" + rest).strip()
    return body, found.group(1), textwrap.dedent(found.group(2)).strip("\n") + "\n"


def _inline(text: str) -> str:
    """``code`` → `code`; docs/time.md → a link to that page of the reference."""
    text = _CODE.sub(lambda m: f"`{m.group(1)}`", text)
    return _PAGE.sub(lambda m: f"[{m.group(1)}]({m.group(1)}{m.group(2) or ''})", text)


def region(text: str) -> str:
    """The generated part of a document: what lies between :data:`BEGIN` and :data:`END`."""
    start, end = _bounds(text)
    return text[start:end]


def replace_region(text: str, body: str) -> str:
    """The document with its generated part replaced by ``body``."""
    start, end = _bounds(text)
    return text[:start] + body + text[end:]


def _bounds(text: str) -> tuple[int, int]:
    begin = text.find(BEGIN + "\n")
    end = text.find(END, begin)
    if begin < 0 or end < 0:
        raise ValueError(f"the document has no generated region ({BEGIN!r} … {END!r})")
    return begin + len(BEGIN) + 1, end
