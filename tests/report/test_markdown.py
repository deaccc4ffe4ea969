from __future__ import annotations

import dataclasses
import re

import pytest
from support import render

from clausewise.engine.findings import FindingStore
from clausewise.report import markdown


def cells(line: str) -> list[str]:
    """Split a table row where GitHub does: at pipes not escaped."""
    return re.split(r"(?<!\\)\|", line)


@pytest.mark.parametrize("name", ["result_en", "result_zh"])
def test_golden(name, request, golden):
    result = request.getfixturevalue(name)
    golden(f"example-{result.lang}.md", render("markdown", result, "high"))


def test_pipe_and_newline_in_a_message_stay_in_their_cell(edge_result):
    text = render("markdown", edge_result, "high")
    row = next(line for line in text.splitlines() if "due soon" in line)
    assert "due soon \\| 50% used<br>second line, with: punctuation" in row
    header = next(line for line in text.splitlines() if line.startswith("| Clause | Rule |"))
    assert len(cells(row)) == len(cells(header))


def test_cell_escapes_html_and_backslash():
    assert markdown.cell("<b>a\\|b</b>\r\nc") == "&lt;b&gt;a\\\\\\|b&lt;/b&gt;<br>c"


def test_findings_capped_most_severe_first(result_en):
    low = result_en.findings[0]._replace(severity="low")
    critical = result_en.findings[0]._replace(severity="critical", message="the critical one")
    result = dataclasses.replace(result_en, findings=FindingStore.of([low] * markdown.MAX_FINDINGS + [critical]))
    text = render("markdown", result, "high")
    rows = [line for line in text.splitlines() if f"`{low.rule}`" in line]
    assert len(rows) == markdown.MAX_FINDINGS
    assert "the critical one" in rows[0]
    assert f"Showing the {markdown.MAX_FINDINGS} most severe of {markdown.MAX_FINDINGS + 1} findings" in text


def test_clean_run_passes_and_still_lists_clauses(result_en):
    text = render("markdown", dataclasses.replace(result_en, findings=FindingStore.of([])), "high")
    assert text.startswith("## ✅ ")
    assert "| EX-1 | Receiving and answering inquiries | 0 | 0 | 0 |" in text
    assert text.rstrip().endswith("No findings.")


def test_scorecard_chapters_and_groups_then_grades(grades_result):
    text = render("markdown", grades_result, "high")
    # C-1 has one high breach (R2): 100 × (1 − 0.4) = 60.0, band C, and it fails the run at high. C-2 likewise
    # (E2's appraisal); C-9 is compliant: 100. The run: (60 + 60 + 100) / 3 = 73.3, band C (60 ≤ 73.3 < 75).
    assert "| overall |  | Grades | 2 / 3 | 73.3 | C | 2 |" in text
    assert "| chapter | C-1 | Risks | 1 / 1 | 60.0 | C | 1 |" in text
    # By employee: E2's one clause (C-2) is breached at high, E1's compliant.
    assert "| employee | E2 |  | 1 / 1 | 60.0 | C | 1 |" in text
    assert "| employee | E1 |  | 0 / 1 | 100.0 | A | 0 |" in text
    assert "| clause |" not in text  # the clauses are the "By clause" table already
    assert "| `risks.computed_grade` | high 1 · low 1 · medium 1 |" in text
    assert text.index("### Scorecard") < text.index("### Grades") < text.index("### Findings")


def test_no_grades_section_without_computed_grades(result_en):
    text = render("markdown", result_en, "high")
    assert "### Scorecard" in text and "### Grades" not in text
