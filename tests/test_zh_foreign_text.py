"""Errors shown with --lang zh must be Chinese throughout, not carry a library's English sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewise.cli import cli

POLICY = """\
policy:
  id: tiny
  version: "1"
  title: {en: Tiny}
  calendar:
    country: CN
%s    work_hours: "09:00-18:00"
  data_quality: {clause: T-9, severity: medium}
clauses:
  T-1: {title: {en: Closing}}
  T-9: {title: {en: Data}}
datasets:
  items:
    key: id
    fields: {id: string, opened_at: timestamp, closed_at: timestamp}
rules: [rules.yaml]
"""

RULES = """\
rules:
  - id: close-deadline
    clause: T-1
    dataset: items
    kind: deadline
    severity: high
    start: opened_at
    stop: closed_at
    goal: 2 working days
    title: {en: Closed in time}
    message: {en: "item {key} closed late"}
"""


def _pack(tmp_path: Path, subdivision: str = "", csv: str = "id,opened_at,closed_at\n") -> Path:
    (tmp_path / "policy.yaml").write_text(POLICY % subdivision, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "items.csv").write_text(csv, encoding="utf-8")
    return tmp_path


# Line 3 opens a quote in its second field (column 4 of the line: `A2,"`) and never closes it.
UNCLOSED = ('id,opened_at,closed_at\n'
            'A1,2026-10-12 09:00:00,2026-10-12 10:00:00\n'
            'A2,"2026-10-12 09:00:00,\n'
            'A3,2026-10-12 09:00:00,\n')


def _audit_zh(pack: Path):
    return CliRunner().invoke(cli, ["audit", str(pack / "export"), "--policy", str(pack / "policy.yaml"),
                                    "--lang", "zh"])


def test_unterminated_quote_is_all_chinese(tmp_path):
    result = _audit_zh(_pack(tmp_path, csv=UNCLOSED))
    assert result.exit_code == 2
    assert "items.csv:3" in result.output
    assert "unterminated quote" not in result.output  # (the test's own folder name holds "unterminated")
    assert result.output.rstrip().endswith("items.csv:3：无法读取这一行：引号没有闭合")


@pytest.mark.xfail(strict=True, reason="DuckDB's CSV error names the line, not the field where the quote opens; "
                   "the reader would have to find the quote in the line itself")
def test_unterminated_quote_names_its_column(tmp_path):
    result = _audit_zh(_pack(tmp_path, csv=UNCLOSED))
    assert "items.csv:3:4" in result.output


def test_unknown_subdivision_is_all_chinese(tmp_path):
    pack = _pack(tmp_path, subdivision="    subdivision: ZZ\n")
    result = CliRunner().invoke(cli, ["validate", "--policy", str(pack / "policy.yaml"), "--lang", "zh"])
    assert result.exit_code == 2
    # policy.yaml line 7 is `    subdivision: ZZ`; the value starts at column 18.
    assert "policy.yaml:7:18" in result.output
    assert "does not have subdivision" not in result.output
