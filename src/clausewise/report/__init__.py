"""Report writers: one module per format, each a function of a RunResult that writes as it goes.

A writer is ``write(result, fail_on, out)``: it writes the report to the text
stream ``out`` a part at a time, reading findings and grades from the run's
stores, so memory does not grow with the number of findings (an HTML report
caps its findings table and says so). Adding a format is one module and one
entry in ``WRITERS``; the CLI's ``--format`` choices come from here.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TextIO

from ..model import RunResult
from . import csv, github, html, json, jsonl, junit, markdown, sarif, table

Writer = Callable[[RunResult, str, TextIO], None]

WRITERS: dict[str, Writer] = {
    "table": table.write,
    "json": json.write,
    "jsonl": jsonl.write,
    "csv": csv.write,
    "sarif": sarif.write,
    "junit": junit.write,
    "github": github.write,
    "markdown": markdown.write,
    "html": html.write,
}


def stream(result: RunResult, fmt: str, fail_on: str, out: TextIO) -> None:
    """Write the report in format ``fmt`` to ``out``."""
    WRITERS[fmt](result, fail_on, out)


def write(result: RunResult, fmt: str, fail_on: str = "high") -> str:
    """The report in format ``fmt`` as one string (for small runs and tests)."""
    buffer = io.StringIO()
    stream(result, fmt, fail_on, buffer)
    return buffer.getvalue()
