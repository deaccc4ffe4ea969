"""Paths the tests share (a plain module: conftest.py files are not for importing)."""

from __future__ import annotations

from functools import lru_cache
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


EXAMPLE_POLICY = ROOT / "policies" / "example.yaml"
EXAMPLE_EXPORT = ROOT / "examples" / "example-export"
SHIPPED = ROOT / "policies"


@lru_cache(maxsize=None)
def shipped(name: str):
    """A pack of the repository's ``policies/`` folder (``"ops-support.yaml"``), loaded and checked once per test
    process: its files do not change while the tests run, and loading ops-support takes about a second."""
    from clausewise.engine.run import load  # (not clausewise.load, which a test may have pointed here)

    return load(SHIPPED / name)




def findings_json(result, keep_file: bool = False) -> list[dict]:
    """A run's findings as the JSON report has them; without ``keep_file``, an invalid value's evidence
    loses the name of the file it came from (what differs when the same records come from elsewhere)."""
    import json

    out = []
    for line in result.findings.json_lines():
        finding = json.loads(line)
        if not keep_file:
            finding["evidence"].pop("file", None)
        out.append(finding)
    return out


def example_rows(name: str) -> list[dict]:
    """The records of one dataset of the example export, as text (the CSV's cells, the JSON Lines' values)."""
    import csv
    import json

    path = next(EXAMPLE_EXPORT.glob(f"{name}.*"))
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    return [{k: str(v) for k, v in json.loads(line).items()} for line in path.read_text(encoding="utf-8").splitlines()]


def broken_rules(monkeypatch, only: str | None = None, **changes) -> None:
    """Make the compiler hand over its rules changed by ``changes`` (fields of ``CompiledRule``, such as
    ``source="FROM __no_such_table WHERE TRUE"``): every rule, or only the rule ``only``. For tests of how
    SQL that DuckDB refuses is told."""
    from dataclasses import replace

    import clausewise.engine.plan as plan

    original = plan.compile_rule

    def broken(ctx, refers=None):
        item = original(ctx, refers)
        if item is None or (only is not None and item.rule.id != only):
            return item
        return replace(item, **changes)

    monkeypatch.setattr(plan, "compile_rule", broken)
