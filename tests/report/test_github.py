from __future__ import annotations

import dataclasses

from support import render

from clausewise.report import github


def commands(text: str) -> list[str]:
    return text.splitlines()


def test_golden(result_en, golden):
    golden("example.github.txt", render("github", result_en, "high"))


def test_one_line_per_finding_then_a_summary(edge_result):
    lines = commands(render("github", edge_result, "high"))
    assert len(lines) == len(edge_result.findings) + 1
    assert lines[-1].startswith("::notice::clausewise example 2026.11 as of 2026-11-01 09:00:00: ")


def test_message_with_pipe_and_newline_is_escaped(edge_result):
    line = commands(render("github", edge_result, "high"))[-2]
    assert line.endswith("::due soon | 50%25 used%0Asecond line, with: punctuation")


def test_level_follows_fail_on_and_status(edge_result):
    levels = [line.split(" ", 1)[0] for line in commands(render("github", edge_result, "high"))[:-1]]
    expected = [
        "::notice" if f.status == "warning" else "::error" if f.severity in ("critical", "high") else "::warning"
        for f in edge_result.findings
    ]
    assert levels == expected
    assert not any(line.startswith("::error") for line in commands(render("github", edge_result, "never")))


def test_record_line_in_export_else_rule_line(result_en):
    by_rule = {line.split("title=")[1].split("%3A")[0]: line for line in commands(render("github", result_en, "high"))[:-1]}
    assert by_rule["EX-1 inquiry-channel"].startswith("::warning file=examples/example-export/inquiries.csv,line=4,")
    rule = result_en.policy.rule("satisfaction-rate")
    assert by_rule["EX-2 satisfaction-rate"].startswith(f"::error file=rules/example/followups.yaml,line={rule.location.line},")


def test_properties_escape_colon_and_comma(result_en):
    export = dataclasses.replace(result_en.data_files[0], path="exports/a,b:c%.csv")
    result = dataclasses.replace(result_en, data_files=[export, *result_en.data_files[1:]])
    line = next(line for line in commands(render("github", result, "high")) if "file=exports/" in line)
    assert line.split(" ", 1)[1].startswith("file=exports/a%2Cb%3Ac%25.csv,line=")
    assert github.escape_property("a\r\nb") == "a%0D%0Ab"
