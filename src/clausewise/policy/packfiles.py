"""The files of a pack: rule and case globs, kept inside the pack's walls.

A policy names its rule files (and rule-case files) with glob patterns
relative to itself, such as ``../rules/ops-support/*.yaml``. A policy file is
untrusted, so a pattern may match only files inside the *pack folder*:

- the folder holding the policy file, or, when that folder is called
  ``policies`` (the layout ``policies/``, ``rules/``, ``tests/`` side by side),
  the folder above it;
- absolute patterns, patterns that climb out of the pack folder with ``..``,
  and files or folders that lead outside it through a symbolic link are
  refused, with the pattern's place in the policy;
- a pattern may look at no more than ``MAX_VISITED`` files and folders and
  match no more than ``MAX_FILES``: a ``**`` over a huge tree is an error,
  not a hang.

Patterns use ``*`` (within one folder name), ``?``, ``[abc]`` and ``**`` (any
number of folders). The walk never follows links into folders.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..i18n import msg

MAX_VISITED = 20_000
MAX_FILES = 1_000
_MAGIC = re.compile(r"[*?\[]")


class PackPathError(ValueError):
    """A pattern that would leave the pack, or look at too much."""


def pack_root(policy_path: Path) -> Path:
    """The folder a pack's files must stay in (see the module docstring)."""
    folder = policy_path.resolve().parent
    return folder.parent if folder.name == "policies" else folder


def expand(pattern: str, base: Path, root: Path) -> list[Path]:
    """Files matching ``pattern`` (relative to ``base``), sorted, each resolved and inside ``root``.

    Raises :class:`PackPathError` for a pattern that is absolute, climbs out of
    ``root``, leads out of it through a link, or looks at too much.
    """
    text = str(pattern).replace("\\", "/")
    if any(p.is_absolute() or p.drive for p in (PurePosixPath(text), PureWindowsPath(text))):
        raise PackPathError(msg('"{pattern}" is an absolute path; name files relative to the policy, inside {shown}',
                                pattern=pattern, shown=_shown(root)))
    root = root.resolve()
    joined = os.path.normpath(os.path.join(base.resolve(), text))
    if not _inside(Path(joined), root):
        raise PackPathError(msg('"{pattern}" leads outside the pack folder {shown}',
                                pattern=pattern, shown=_shown(root)))
    parts = Path(joined).relative_to(root).parts
    fixed = next((i for i, part in enumerate(parts) if _MAGIC.search(part)), len(parts))
    start = root.joinpath(*parts[:fixed])
    if not _inside(start.resolve(), root):
        raise PackPathError(msg('"{pattern}" leads outside the pack folder {shown} through a link',
                                pattern=pattern, shown=_shown(root)))
    if fixed == len(parts):  # no pattern characters: one file
        return [_checked(start, root, pattern)] if start.is_file() else []
    return _walk(start, "/".join(parts[fixed:]), root, pattern)


def _walk(start: Path, rest: str, root: Path, pattern: str) -> list[Path]:
    matcher = _regex(rest)
    found, visited = [], 0
    for folder, dirs, files in os.walk(start, followlinks=False):
        dirs.sort()
        visited += len(dirs) + len(files)
        if visited > MAX_VISITED:
            raise PackPathError(msg('"{pattern}" looks at more than {max_visited} files and folders; name the rule '
                                    "folder",
                                    pattern=pattern, max_visited=MAX_VISITED))
        relative = Path(folder).relative_to(start)
        for name in sorted(files):
            if matcher.fullmatch((relative / name).as_posix()):
                found.append(_checked(Path(folder) / name, root, pattern))
                if len(found) > MAX_FILES:
                    raise PackPathError(msg('"{pattern}" matches more than {max_files} files',
                                            pattern=pattern, max_files=MAX_FILES))
    return sorted(found)


def _checked(path: Path, root: Path, pattern: str) -> Path:
    resolved = path.resolve()
    if not _inside(resolved, root):
        raise PackPathError(msg('"{pattern}" matches {name}, which leads outside the pack folder through a link',
                                pattern=pattern, name=path.name))
    return resolved


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def _regex(pattern: str) -> re.Pattern:
    """A glob over ``/``-separated relative paths as a regular expression."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2:]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1:end]
            out.append("[" + ("^" + re.escape(body[1:]) if body.startswith("!") else re.escape(body)) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def _shown(root: Path) -> str:
    try:
        return str(root.relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(root)
