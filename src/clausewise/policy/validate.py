"""JSON Schema validation with messages an officer can act on.

jsonschema's own messages ("'whn' does not match any of the regexes") are written
for programmers; each validator keyword gets a plain rewording here, located at
the exact key or value in the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from ..errors import Location, PolicyError, did_you_mean
from ..i18n import N_, Message, msg
from .yamlfile import YList, YMap

_TYPE_WORDS = {
    "object": N_("a mapping (key: value)"),
    "array": N_("a list"),
    "string": N_("a text"),
    "number": N_("a number"),
    "integer": N_("a whole number"),
    "boolean": N_("true or false"),
    "null": N_("nothing"),
}


def schema_errors(doc: Any, schema: dict[str, Any], file: str) -> tuple[list[PolicyError], set[tuple]]:
    """Every schema violation in ``doc``, located and reworded, and the paths of the parts they break.

    A misspelt key is reported once: as unknown, with its "did you mean", not
    also as the required key it was meant to be. An unknown key breaks
    nothing — the loader reads only the keys it knows — unless it is a
    misspelling of a key the mapping lacks (``whne:`` for ``when:``: what it
    meant is missing), or the key was judged as one branch of a choice; every
    other violation breaks the part of the document at its path, which the
    loader then leaves out.
    """
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    leaves = list(_leaves(validator.iter_errors(doc)))
    typos = {(tuple(e.absolute_path), _typo_target(e, doc)) for e, _ in leaves if e.validator == "additionalProperties"}
    found, broken = {}, set()
    for error, chosen in leaves:
        path = tuple(error.absolute_path)
        if error.validator != "additionalProperties" or chosen or _meant_absent(error, doc):
            broken.add(path)
        if error.validator == "required" and (path, _missing_key(error)) in typos:
            continue
        reworded = _reword(error, doc, file)
        found.setdefault((str(reworded.location), reworded.message), reworded)
    return list(found.values()), broken


def _missing_key(error: ValidationError) -> str:
    return error.message.split("'")[1] if "'" in error.message else error.message


def _typo_target(error: ValidationError, doc: Any) -> str | None:
    """The allowed key an unknown key most likely meant."""
    node = _node_at(doc, list(error.absolute_path))[2]
    allowed = list(error.schema.get("properties", {}))
    for key in node if isinstance(node, dict) else ():
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if close:
                return close[0]
    return None


def _meant_absent(error: ValidationError, doc: Any) -> bool:
    """True when an unknown key is a misspelling of a key its mapping does not have."""
    node = _node_at(doc, list(error.absolute_path))[2]
    allowed = list(error.schema.get("properties", {}))
    if not isinstance(node, dict):
        return False
    meant = [difflib.get_close_matches(key, allowed, n=1, cutoff=0.6) for key in node if key not in allowed]
    return any(close and close[0] not in node for close in meant)


def _leaves(errors: Iterator[ValidationError], chosen: bool = False) -> Iterator[tuple[ValidationError, bool]]:
    """Replace oneOf/anyOf errors by their most relevant branch error: (error, whether it was so chosen).

    A choice between keys (``oneOf: [{required: [goal]}, {required: [due]}]``)
    stays whole: its own message names the keys.
    """
    for error in errors:
        if _key_choice(error):
            yield error, chosen
        elif error.context:
            yield from _leaves(iter([best_match(_fitting(error.context))]), True)
        else:
            yield error, chosen


def _fitting(context: list[ValidationError]) -> list[ValidationError]:
    """The branch errors of a choice that are not "this is the other shape": a mapping is judged as a mapping.

    A field written ``{type: enum}`` fails both the branch for a type name
    (it is not one of the names) and the branch for a mapping (it lacks
    ``values``); the second says what to fix.
    """
    shape = ("type", "enum", "const")
    fitting = [e for e in context if not (e.validator in shape and not e.relative_path)]
    return fitting or context


def _key_choice(error: ValidationError) -> list[str] | None:
    """The keys of a oneOf/anyOf made only of ``required`` branches, else None."""
    if error.validator not in ("oneOf", "anyOf"):
        return None
    branches = error.validator_value
    if not all(isinstance(b, dict) and set(b) == {"required"} and len(b["required"]) == 1 for b in branches):
        return None
    return [b["required"][0] for b in branches]


def _choice(error, doc, path, file):
    keys = _key_choice(error)
    if keys is None:
        return _generic(error, doc, path, file)
    given = [k for k in keys if isinstance(error.instance, dict) and k in error.instance]
    names = ", ".join(f'"{k}"' for k in keys)
    if error.validator == "oneOf" and len(given) > 1:
        return msg("{where} takes only one of {names}, not {n}", where=_where(path, doc), names=names, n=len(given)), _location(doc, path, file)
    if error.validator == "oneOf":
        return msg("{where} needs one of {names}", where=_where(path, doc), names=names), _location(doc, path, file)
    return msg("{where} needs at least one of {names}", where=_where(path, doc), names=names), _location(doc, path, file)


def _node_at(doc: Any, path: list) -> tuple[Any, Any, Any]:
    """(parent, last key, node) at ``path`` inside the loaded document."""
    parent, key, node = None, None, doc
    for step in path:
        parent, key = node, step
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
    return parent, key, node


def _location(doc: Any, path: list, file: str, at_key: bool = False) -> Location:
    parent, key, node = _node_at(doc, path)
    if isinstance(parent, YMap) and key is not None:
        return parent.key_at(key) if at_key else parent.value_at(key)
    if isinstance(parent, YList) and isinstance(key, int):
        return parent.item_at(key)
    if isinstance(node, (YMap, YList)):
        return node.location
    return Location(file, 1, 1)


def _where(path: list, doc: Any = None) -> str:
    """A path in words: ``rule "reply-in-time" › window`` rather than ``rules/0/window``."""
    words, node = [], doc
    for step in path:
        node = node[step] if isinstance(node, (dict, list)) and _has(node, step) else None
        if isinstance(step, int):
            ident = node.get("id") if isinstance(node, dict) else None
            if words and words[-1] == "rules" and ident:
                words[-1] = msg('rule "{id}"', id=ident)
            elif words and words[-1] == "waivers" and ident:
                words[-1] = msg('waiver "{id}"', id=ident)
            else:
                words.append(msg("item {n}", n=step + 1))
        else:
            words.append(str(step))
    if not words:
        return N_("the document")
    where = words[0]
    for word in words[1:]:
        where = msg("{path} › {step}", path=where, step=word)
    return where


def _has(node: Any, step: Any) -> bool:
    if isinstance(node, dict):
        return step in node
    return isinstance(step, int) and 0 <= step < len(node)


def _reword(error: ValidationError, doc: Any, file: str) -> PolicyError:
    path = list(error.absolute_path)
    handler = _HANDLERS.get(error.validator, _generic)
    message, location = handler(error, doc, path, file)
    return PolicyError(message, location)


def _required(error, doc, path, file):
    return msg('missing key "{missing_key}" in {where}', missing_key=_missing_key(error), where=_where(path, doc)), _location(doc, path, file)


def _additional(error, doc, path, file):
    node = _node_at(doc, path)[2]
    allowed = list(error.schema.get("properties", {}))
    extras = [k for k in node if k not in allowed] if isinstance(node, dict) else []
    if not extras:
        return _generic(error, doc, path, file)
    key = extras[0]
    hint = did_you_mean(key, allowed)
    message = msg('unknown key "{key}" in {where}{hint}', key=key, where=_where(path, doc), hint=hint)
    if not hint and allowed:
        message = msg("{message}; expected one of: {allowed}", message=message, allowed=", ".join(allowed))
    return message, _location(doc, [*path, key], file, at_key=True)


def _enum(error, doc, path, file):
    options = [str(o) for o in error.validator_value]
    shown = ", ".join(options)
    hint = did_you_mean(str(error.instance), options)
    return msg('"{instance}" is not allowed for {where}{hint}; expected one of: {shown}', instance=error.instance, where=_where(path, doc), hint=hint, shown=shown), _location(doc, path, file)


def _const(error, doc, path, file):
    return msg('{where} must be "{validator_value}"', where=_where(path, doc), validator_value=error.validator_value), _location(doc, path, file)


def _type(error, doc, path, file):
    wanted = error.validator_value
    wanted = wanted if isinstance(wanted, list) else [wanted]
    words = _either([_TYPE_WORDS.get(w, w) for w in wanted])
    got = _TYPE_WORDS.get(_json_type(error.instance), type(error.instance).__name__)
    return msg("{where} must be {words}, not {got}", where=_where(path, doc), words=words, got=got), _location(doc, path, file)


def _either(words: list) -> str:
    """``a or b or c``, each word translated where it is shown."""
    said = words[0]
    for word in words[1:]:
        said = msg("{said} or {word}", said=said, word=word)
    return said


def _pattern(error, doc, path, file):
    # The schema's own words for what a pattern expects (marked in policy/schema.py; a str when the schema was
    # read back from JSON, so looked up in the catalogue again), else the pattern itself.
    written = error.schema.get("x-expected")
    expected = Message(str(written)) if written is not None else msg("text matching {pattern}",
                                                                      pattern=error.validator_value)
    if path and path[-1] and error.schema_path and "propertyNames" in error.schema_path:
        return msg('"{instance}" is not {expected}', instance=error.instance, expected=expected), _location(doc, [*path, error.instance], file, at_key=True)
    return msg('"{instance}" in {where} is not {expected}', instance=error.instance, where=_where(path, doc), expected=expected), _location(doc, path, file)


def _format(error, doc, path, file):
    return msg('"{instance}" in {where} is not a valid {validator_value} (YYYY-MM-DD)', instance=error.instance, where=_where(path, doc), validator_value=error.validator_value), _location(doc, path, file)


def _min_items(error, doc, path, file):
    return msg("{where} must not be empty", where=_where(path, doc)), _location(doc, path, file)


def _generic(error, doc, path, file):
    return msg("{where}: {message}", where=_where(path, doc), message=error.message), _location(doc, path, file)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null"


_HANDLERS = {
    "oneOf": _choice,
    "anyOf": _choice,
    "required": _required,
    "additionalProperties": _additional,
    "enum": _enum,
    "const": _const,
    "type": _type,
    "pattern": _pattern,
    "format": _format,
    "minItems": _min_items,
    "minProperties": _min_items,
    "minLength": _min_items,
}
