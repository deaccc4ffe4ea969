"""What the package ships besides its code: two packs, their rule cases, sample exports, the schemas, the documentation.

They are in the installed package's ``data/`` folder, laid out as in the
source repository, so that a pack's relative paths (``../rules/example/*.yaml``,
the editors' ``$schema=../schema/…`` lines) and the README's commands work the
same in a copy::

    policies/example.yaml, policies/ops-support.yaml    the packs' policies
    rules/example/, rules/ops-support/                  their rules
    tests/cases/example/, tests/cases/ops-support/      their rule cases
    examples/example-export/                            an export for the example pack
    samples/ops-support/                                one month (2026-10) of the ops-support department, its
                                                        waivers, and the generator of more months
    schema/                                             JSON Schemas for editors
    docs/                                               the documentation (docs/NAME.md in a docstring)

In the source repository ``src/clausewise/data/`` holds links to those
folders, so each file exists once; a wheel holds the files themselves.
``clausewise sample DIR`` copies them out (:func:`copy_out`).
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path, PurePosixPath

from .errors import UsageError
from .i18n import N_, msg, os_reason

DATA = Path(__file__).resolve().parent / "data"
# Left out of a copy: what running the sample generator or the tests may leave beside the files.
_SKIPPED_FOLDERS = {"__pycache__"}
_SKIPPED_SUFFIXES = (".pyc",)

# What each folder of a copy holds, for the message that says what was written.
FOLDERS = {
    "policies": N_("the policies of the example and ops-support packs"),
    "rules/example": N_("the example pack's rules (every rule kind)"),
    "rules/ops-support": N_("the ops-support regulation's rules"),
    "tests/cases/example": N_("the example pack's rule cases"),
    "tests/cases/ops-support": N_("the ops-support pack's rule cases"),
    "examples/example-export": N_("an export for the example pack"),
    "samples/ops-support": N_("its README, waivers, and generate.py for more months"),
    "samples/ops-support/2026-10": N_("one month of the ops-support department, 13 datasets"),
    "schema": N_("JSON Schemas for editors"),
    "docs": N_("the documentation"),
}


def shipped_files(data: Path = DATA) -> list[PurePosixPath]:
    """Every shipped file, relative to the data folder, sorted; links are followed (the repository's are links)."""
    found = []
    for folder, dirs, files in os.walk(data, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_FOLDERS)
        base = PurePosixPath(Path(folder).relative_to(data).as_posix())
        found += [base / name for name in files if not name.endswith(_SKIPPED_SUFFIXES)]
    return sorted(found)


def copy_out(target: Path, data: Path = DATA) -> list[PurePosixPath]:
    """Copy every shipped file into ``target`` (made if missing); the files written, relative to it.

    Raises UsageError, before writing anything, when ``target`` is a file or
    holds any file of the same name: a copy never replaces a file. A file is
    created only if it does not exist at the moment it is written, so a file
    that appears meanwhile is not replaced either.
    """
    files = shipped_files(data)
    if not files:
        raise UsageError(msg("this installation of clausewise has no sample files ({data} is empty)", data=data))
    if target.exists() and not target.is_dir():
        raise UsageError(msg("{target} is a file; give a folder to write the sample into", target=target))
    present = [name for name in files if (target / name).exists() or (target / name).is_symlink()]
    if present:
        if len(present) == 1:
            raise UsageError(msg("{value} already exists; clausewise sample replaces no file, so give a new or empty "
                                 "folder", value=target / present[0]))
        raise UsageError(msg("{value} and {n} more already exist; clausewise sample replaces no file, so give a new "
                             "or empty folder", value=target / present[0], n=len(present) - 1))
    for name in files:
        _copy(data / name, target / name)
    return files


def _copy(source: Path, destination: Path) -> None:
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        with source.open("rb") as src, destination.open("xb") as dst:
            shutil.copyfileobj(src, dst)
    except FileExistsError:
        raise UsageError(msg("{destination} appeared while the sample was written; it was left as it is",
                             destination=destination)) from None
    except OSError as exc:
        raise UsageError(msg("cannot write {destination}: {strerror}",
                             destination=destination, strerror=os_reason(exc))) from None


def summary(files: list[PurePosixPath]) -> list[tuple[str, int, str]]:
    """(folder, files directly in it, what it holds) for each folder of a copy, in the order of :data:`FOLDERS`."""
    counts = Counter(str(name.parent) for name in files)
    known = [(folder, counts[folder], what) for folder, what in FOLDERS.items() if counts[folder]]
    other = [(folder, n, "") for folder, n in sorted(counts.items()) if folder not in FOLDERS]
    return known + other
