"""Paths the tests share (a plain module: conftest.py files are not for importing)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def render(fmt: str, result, fail_on: str = "high") -> str:
    """A report as text, written by the streaming writer of ``fmt``."""
    from clausewise.report import write

    return write(result, fmt, fail_on)
