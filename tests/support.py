"""Paths the tests share (a plain module: conftest.py files are not for importing)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def render(fmt: str, result, fail_on: str = "high") -> str:
    """A report as text, written by the streaming writer of ``fmt``."""
    from clausewise.report import write

    return write(result, fmt, fail_on)


def sarif_validator():
    """A validator of the official SARIF 2.1.0 schema, checking URI formats too."""
    import json

    from jsonschema import FormatChecker
    from jsonschema.validators import validator_for

    schema = json.loads((DATA.parent / "report" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    checker = FormatChecker()
    assert "uri-reference" in checker.checkers, "pip install rfc3986-validator"
    return validator_for(schema)(schema, format_checker=checker)
