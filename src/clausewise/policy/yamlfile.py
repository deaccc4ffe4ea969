"""Safe YAML loading that remembers where every key and value came from.

Rule files are untrusted input, so loading is PyYAML's safe loader with three
more refusals: files over ``MAX_BYTES``, duplicate keys (YAML would silently keep
the last one, hiding an officer's typo), and documents whose aliases expand past
``MAX_NODES`` nodes (the "billion laughs" bomb).

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

MAX_BYTES = 1 << 20
MAX_NODES = 100_000


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


def _loc(file: str, node: yaml.Node) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Loader(yaml.SafeLoader):
    """SafeLoader that builds YMap/YList/YStr and refuses duplicate keys."""

    def __init__(self, stream: str, file: str):
        super().__init__(stream)
        self.file = file
        self.source_lines = tuple(stream.splitlines())

    def construct_yaml_map(self, node):  # type: ignore[override]
        data = YMap()
        data.location = _loc(self.file, node)
        data.key_locations, data.value_locations = {}, {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            # Keys are names: take them as written, so `on:` or `no:` stay text
            # instead of YAML 1.1 booleans.
            if isinstance(key_node, yaml.ScalarNode):
                key = self.construct_yaml_str(key_node)
            else:
                key = str(self.construct_object(key_node, deep=True))
            if key in data.key_locations:
                first = data.key_locations[key]
                raise PolicyError(
                    f'duplicate key "{key}" (first defined at line {first.line})',
                    _loc(self.file, key_node),
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.key_locations[key] = _loc(self.file, key_node)
            data.value_locations[key] = _loc(self.file, value_node)

    def construct_yaml_seq(self, node):  # type: ignore[override]
        data = YList()
        data.location = _loc(self.file, node)
        data.item_locations = [_loc(self.file, n) for n in node.value]
        yield data
        data.extend(self.construct_object(n, deep=True) for n in node.value)

    def construct_yaml_str(self, node):  # type: ignore[override]
        value = YStr(super().construct_yaml_str(node))
        value.file = self.file
        value.line = node.start_mark.line + 1
        value.column = node.start_mark.column + 1
        value.style = node.style
        value.source_lines = self.source_lines
        return value


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)
_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_yaml_str)
# Dates and times stay text as written (2026-10-12): the schema checks their
# format, and the engine reads them in the policy's timezone, not YAML's UTC.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Node count with aliases expanded, memoised so the bomb is never built."""
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = 1  # a recursive alias counts once; it cannot nest further
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(n, memo) for n in node.value)
    else:
        size = 1
    memo[id(node)] = size
    return size


def read_text(path: Path, display: str) -> str:
    """The file's text, refusing what is too large or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PolicyError(f"file is {size} bytes; the limit is {MAX_BYTES}", Location(display))
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise PolicyError("file not found", Location(display)) from None
    except IsADirectoryError:
        raise PolicyError("is a folder, expected a YAML file", Location(display)) from None
    except UnicodeDecodeError as exc:
        raise PolicyError(f"not UTF-8 text (byte {exc.start})", Location(display)) from None


def load_yaml(path: Path, display: str | None = None) -> Any:
    """Parse one YAML document from ``path``; errors carry ``display`` as the file name."""
    display = display or str(path)
    text = read_text(path, display)
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> Any:
    """Parse one YAML document from a string (see :func:`load_yaml`)."""
    loader = _Loader(text, display)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_NODES:
            raise PolicyError(
                f"aliases expand to more than {MAX_NODES} nodes; refusing to load",
                _loc(display, node),
            )
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display)
        raise PolicyError(f"invalid YAML: {exc.problem or exc.context}", where) from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"invalid YAML: {exc}", Location(display)) from None
    finally:
        loader.dispose()
