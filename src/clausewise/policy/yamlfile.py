"""Safe YAML 1.2 loading that remembers where every key and value came from.

Files are read with the YAML 1.2 core schema (the ``yamlcore`` package on
PyYAML, on libyaml's C parser when PyYAML has it): only ``true`` and ``false``
are booleans, so a list ``[NO, SE, DK, FI]`` stays four country codes, and
``010`` is ten, not octal eight. Dates and times stay text as written, and keys
are always text as written.

Rule files are untrusted input, so loading refuses, with the place and the fix
in plain words: files over ``MAX_BYTES``, characters YAML forbids (NUL and other
control characters), syntax errors (see :mod:`.yamlerrors`), duplicate keys (YAML
would silently keep the last one, hiding an officer's typo), tags, and
documents whose aliases expand past ``MAX_NODES`` nodes (the "billion laughs"
bomb) or that nest deeper than ``MAX_DEPTH``.

Mappings load as :class:`YMap` and sequences as :class:`YList`, plain ``dict``
and ``list`` subclasses that also know the position of each entry; strings load
as :class:`YStr`, which can point at a character inside itself, so an error in a
SQL condition is reported at the exact column of the offending word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import Location, PolicyError
from ..i18n import msg, os_reason
from .yamlerrors import forbidden_character, syntax_error

MAX_BYTES = 1 << 20
MAX_NODES = 100_000
MAX_DEPTH = 64


class YStr(str):
    """A string from a YAML file that can locate a character offset inside itself."""

    file: str
    line: int
    column: int
    style: str | None
    source_lines: tuple[str, ...]

    def locate(self, offset: int = 0) -> Location:
        """The file position of character ``offset`` of this string."""
        if self.style in (None, "", "'", '"') and "\n" not in self:
            lead = 1 if self.style in ("'", '"') else 0
            return Location(self.file, self.line, self.column + lead + offset)
        if self.style in ("|", ">"):
            return self._locate_block(offset)
        return Location(self.file, self.line, self.column)

    def _locate_block(self, offset: int) -> Location:
        before = self[:offset]
        nth = before.count("\n")
        col_in_line = offset - (before.rfind("\n") + 1)
        line = self.line + 1 + nth
        text = self.source_lines[line - 1] if line - 1 < len(self.source_lines) else ""
        indent = len(text) - len(text.lstrip(" "))
        return Location(self.file, line, indent + col_in_line + 1)


class YMap(dict):
    """A mapping that knows where each key and each value stand in the file."""

    location: Location
    key_locations: dict[str, Location]
    value_locations: dict[str, Location]

    def key_at(self, key: str) -> Location:
        return self.key_locations.get(key, self.location)

    def value_at(self, key: str) -> Location:
        return self.value_locations.get(key, self.location)


class YList(list):
    """A sequence that knows where each item stands in the file."""

    location: Location
    item_locations: list[Location]

    def item_at(self, index: int) -> Location:
        if 0 <= index < len(self.item_locations):
            return self.item_locations[index]
        return self.location


def _core_loaders() -> tuple[type, type]:
    """yamlcore's (C, pure) core-schema loaders; the C one is the pure one without libyaml."""
    if yaml.__with_libyaml__:
        import yamlcore

        return yamlcore.CCoreLoader, yamlcore.CoreLoader
    # yamlcore 0.0.4 subclasses PyYAML's C classes as it is imported, and PyYAML
    # built without libyaml has none: lend it the pure ones for that import.
    yaml.CBaseLoader, yaml.CBaseDumper = yaml.BaseLoader, yaml.BaseDumper
    try:
        import yamlcore
    finally:
        del yaml.CBaseLoader, yaml.CBaseDumper
    return yamlcore.CoreLoader, yamlcore.CoreLoader


def _loc(file: str, node: yaml.Node) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Positions:
    """Constructors that build YMap/YList/YStr and refuse duplicate and non-text keys."""

    def __init__(self, stream: str, file: str):
        super().__init__(stream)
        self.file = file
        self.source_lines = tuple(stream.splitlines())

    def construct_yaml_map(self, node):
        data = YMap()
        data.location = _loc(self.file, node)
        data.key_locations, data.value_locations = {}, {}
        yield data
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key in data.key_locations:
                first = data.key_locations[key]
                raise PolicyError(
                    msg('duplicate key "{key}" (first defined at line {line})', key=key, line=first.line),
                    _loc(self.file, key_node),
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.key_locations[key] = _loc(self.file, key_node)
            data.value_locations[key] = _loc(self.file, value_node)

    def _key(self, node: yaml.Node) -> YStr:
        """A key as written: names are text, so `on:`, `1:` or `null:` stay text."""
        if not isinstance(node, yaml.ScalarNode):
            raise PolicyError(msg("a list or mapping cannot be a key: if this is text, put it in quotes"), _loc(self.file, node))
        if node.value == "<<" and node.style in (None, ""):
            raise PolicyError(msg('"<<" merge keys are YAML 1.1, not 1.2: write the keys out'), _loc(self.file, node))
        return self.construct_yaml_str(node)

    def construct_yaml_seq(self, node):
        data = YList()
        data.location = _loc(self.file, node)
        data.item_locations = [_loc(self.file, n) for n in node.value]
        yield data
        data.extend(self.construct_object(n, deep=True) for n in node.value)

    def construct_yaml_str(self, node):
        value = YStr(self.construct_scalar(node))
        value.file = self.file
        value.line = node.start_mark.line + 1
        value.column = node.start_mark.column + 1
        value.style = node.style
        value.source_lines = self.source_lines
        return value


def _checked(construct, what: str, tag: str):
    """A core-schema scalar constructor that says in words when an explicit tag does not fit."""

    def run(self, node):
        try:
            return construct(self, node)
        except (ValueError, KeyError, IndexError):
            raise PolicyError(
                msg('"{value}" is not {what}: remove the "{tag}" tag or correct the value', value=node.value, what=what, tag=tag), _loc(self.file, node)
            ) from None

    return run


def _with_positions(base: type) -> type:
    loader = type(f"_Positions{base.__name__}", (_Positions, base), {})
    loader.add_constructor("tag:yaml.org,2002:map", _Positions.construct_yaml_map)
    loader.add_constructor("tag:yaml.org,2002:seq", _Positions.construct_yaml_seq)
    loader.add_constructor("tag:yaml.org,2002:str", _Positions.construct_yaml_str)
    # YAML 1.2 has no implicit timestamps: 2026-10-12 is already text. An explicit
    # !!timestamp stays text as written too: the engine reads it in the policy's
    # timezone, not YAML's UTC.
    loader.add_constructor("tag:yaml.org,2002:timestamp", _Positions.construct_yaml_str)
    for tag, what in [("int", "a whole number"), ("float", "a number"), ("bool", "true or false"), ("null", "null")]:
        construct = base.yaml_constructors[f"tag:yaml.org,2002:{tag}"]
        loader.add_constructor(f"tag:yaml.org,2002:{tag}", _checked(construct, what, f"!!{tag}"))
    return loader


_C_CORE, _PURE_CORE = _core_loaders()
_PURE = _with_positions(_PURE_CORE)
#: Both loaders, by parser; "c" is the pure one where PyYAML has no libyaml.
LOADERS = {"c": _PURE if _C_CORE is _PURE_CORE else _with_positions(_C_CORE), "pure": _PURE}
_Loader = LOADERS["c"]  # the loader in use


def _shape(node: yaml.Node, memo: dict[int, tuple[int, int]], open_: set[int], depth: int, file: str) -> tuple[int, int]:
    """(node count with aliases expanded, levels of lists and mappings) of a list or mapping.

    Memoised, so an alias bomb is measured without being built. Refuses, before
    anything is constructed, nesting deeper than MAX_DEPTH (counting what
    aliases bring in) and a list or mapping that holds an alias of itself.
    ``depth`` is the level of ``node`` itself, the root's being 1.
    """
    key = id(node)
    if key in open_:
        raise PolicyError(msg("this list or mapping holds an alias of itself: remove that alias"), _loc(file, node))
    if key in memo:
        return memo[key]
    if depth > MAX_DEPTH:
        raise PolicyError(_too_deep(), _loc(file, node))
    open_.add(key)
    size, height = 1, 0
    children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value
    for child in children:
        if isinstance(child, yaml.ScalarNode):
            size += 1
            continue
        child_size, child_height = _shape(child, memo, open_, depth + 1, file)
        if depth + child_height > MAX_DEPTH:  # an alias brought in more levels than fit here
            raise PolicyError(_too_deep(), _loc(file, node))
        size, height = size + child_size, max(height, child_height)
    open_.discard(key)
    memo[key] = (size, height + 1)
    return memo[key]


def _too_deep(here: str = " here") -> str:
    return f"lists and mappings nest more than {MAX_DEPTH} levels deep{here}; refusing to load"


def read_text(path: Path, display: str) -> str:
    """The file's text, refusing what is too large, unreadable or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PolicyError(msg("file is {size} bytes; the limit is {MAX_BYTES}", size=size, MAX_BYTES=MAX_BYTES), Location(display))
        data = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError(msg("file not found"), Location(display)) from None
    except IsADirectoryError:
        raise PolicyError(msg("is a folder, expected a YAML file"), Location(display)) from None
    except PermissionError:
        raise PolicyError(msg("cannot be read: permission denied"), Location(display)) from None
    except OSError as exc:
        raise PolicyError(msg("cannot be read: {value1}", value1=os_reason(exc)), Location(display)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _not_utf8(data, exc.start, display) from None


def _not_utf8(data: bytes, start: int, display: str) -> PolicyError:
    """Where the first byte that is not UTF-8 stands, as line and character column."""
    line_start = data.rfind(b"\n", 0, start) + 1
    line = data.count(b"\n", 0, start) + 1
    column = len(data[line_start:start].decode("utf-8-sig", errors="replace")) + 1
    return PolicyError(msg("not UTF-8 text (byte 0x{value1:02X}): save the file as UTF-8", value1=data[start]), Location(display, line, column))


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Parse one YAML document from ``path``; errors carry ``display`` as the file name."""
    display = display or str(path)
    text = read_text(path, display)
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> Any:
    """Parse one YAML 1.2 document from a string (see :func:`load_yaml`).

    Returns YMap/YList/YStr, int, float, bool or None. Raises
    :class:`~clausewise.errors.PolicyError`, one line at file:line:column.
    """
    bad = forbidden_character(text, display)
    if bad is not None:
        raise bad
    loader = _Loader(text, display)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = 1 if isinstance(node, yaml.ScalarNode) else _shape(node, {}, set(), 1, display)[0]
        if size > MAX_NODES:
            raise PolicyError(
                msg("aliases expand to more than {MAX_NODES} nodes; refusing to load", MAX_NODES=MAX_NODES),
                _loc(display, node),
            )
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise _marked(exc, text, display) from None
    except yaml.YAMLError as exc:
        raise PolicyError(msg("invalid YAML: {names}", names=' '.join(str(exc).split())), Location(display, 1, 1)) from None
    except RecursionError:  # the pure parser recurses per level, and cannot say where it stopped
        raise PolicyError(_too_deep(""), Location(display, 1, 1)) from None
    finally:
        loader.dispose()


def _marked(exc: yaml.MarkedYAMLError, text: str, display: str) -> PolicyError:
    at = (exc.problem_mark.line, exc.problem_mark.column) if exc.problem_mark else None
    context_at = (exc.context_mark.line, exc.context_mark.column) if exc.context_mark else None
    if "nesting depth" in (exc.problem or ""):
        line, column = at or (0, 0)
        return PolicyError(_too_deep(), Location(display, line + 1, column + 1))
    return syntax_error(exc.problem, exc.context, at, context_at, text, display)
