"""Report writers: one module per format, each a pure function of a RunResult.

A writer is ``write(result, fail_on) -> str``. Adding a format is one module and
one entry in ``WRITERS``; the CLI's ``--format`` choices come from here.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import RunResult
from . import csv, github, html, json, jsonl, junit, markdown, sarif, table

Writer = Callable[[RunResult, str], str]

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


def write(result: RunResult, fmt: str, fail_on: str = "high") -> str:
    return WRITERS[fmt](result, fail_on)
