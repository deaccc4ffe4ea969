"""Report writers: one module per format, each a function of a RunResult that writes as it goes.

A writer is ``write(result, fail_on, out)``: it writes the report to the text
stream ``out`` a part at a time, reading findings and grades from the run's
stores, so memory does not grow with the number of findings (an HTML report
caps its findings table and says so). Adding a format is one module and one
entry in ``WRITERS``; the CLI's ``--format`` choices come from here.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TextIO

from ..model import RunResult

Writer = Callable[[RunResult, str, TextIO], None]

# Format name → the module (in this package) whose ``write`` writes it; modules load on first use.
WRITERS: dict[str, str] = {
    "table": "table",
    "json": "json",
    "jsonl": "jsonl",
    "csv": "csv",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
    "html": "html",
}


def writer(fmt: str) -> Writer:
    """The ``write`` function of format ``fmt``."""
    return import_module(f".{WRITERS[fmt]}", __name__).write


# Formats that summarise what is clean unless asked for everything (``audit --verbose``).
VERBOSE_FORMATS = ("table",)


def stream(result: RunResult, fmt: str, fail_on: str, out: TextIO, verbose: bool = False) -> None:
    """Write the report in format ``fmt`` to ``out``; ``verbose`` lists every rule where a format summarises."""
    if verbose and fmt in VERBOSE_FORMATS:
        writer(fmt)(result, fail_on, out, verbose=True)
    else:
        writer(fmt)(result, fail_on, out)


def write(result: RunResult, fmt: str, fail_on: str = "high") -> str:
    """The report in format ``fmt`` as one string (for small runs and tests)."""
    buffer = io.StringIO()
    stream(result, fmt, fail_on, buffer)
    return buffer.getvalue()


def report_path(path: Path) -> tuple[Path, bool]:
    """Where a report named ``path`` goes: (the file to write, whether to write into it directly).

    A symbolic link leads to its file, which is replaced (the link stays); a
    pipe or a device (``/dev/stderr``, a named pipe) is written into directly:
    replacing it would put a plain file where it was. Any other path is
    written whole, through a file staged beside it and renamed over it.
    """
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    return path, path.exists() and not path.is_file() and not path.is_dir()
