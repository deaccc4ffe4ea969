"""Errors shown with --lang zh must be Chinese throughout, not carry a library's English sentence."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewise.cli import cli
from clausewise.cli.options import lang_in
from clausewise.i18n import os_reason, render

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


def test_an_operating_system_error_is_said_in_chinese(tmp_path):
    """The system's reason for a failed write (ENOENT, "No such file or directory") is the catalogue's, not English."""
    pack = _pack(tmp_path)
    target = tmp_path / "no" / "such" / "report.txt"
    result = CliRunner().invoke(cli, ["audit", str(pack / "export"), "--policy", str(pack / "policy.yaml"),
                                      "--lang", "zh", "--output", str(target)])
    assert result.exit_code == 2
    assert result.output.strip() == f"无法写入 {target}：没有这个文件或文件夹"
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(("code", "en", "zh"), [
    (errno.ENOENT, "no such file or folder", "没有这个文件或文件夹"),
    (errno.EACCES, "permission denied", "没有权限"),
    (errno.ENOSPC, "no space left on the disk", "磁盘空间已满"),
    (errno.EROFS, "the file system is read-only", "文件系统是只读的"),
])
def test_usual_os_errors_have_words_of_the_catalogue(code, en, zh):
    reason = os_reason(OSError(code, os.strerror(code)))
    assert (str(reason), render(reason, "zh")) == (en, zh)


def test_a_rare_os_error_keeps_the_system_words():
    # ETXTBSY has no words of its own in the catalogue: the system's, lower-cased, in every language.
    reason = os_reason(OSError(errno.ETXTBSY, "Text file busy"))
    assert (str(reason), render(reason, "zh")) == ("text file busy", "text file busy")
    assert os_reason(OSError("no number")) == "no number"


# ---- click's own words: a mistake in the command line, found before --lang is read ----

def _zh_usage_error(args, env=None):
    result = CliRunner().invoke(cli, args, env=env, prog_name="clausewise")
    assert result.exit_code == 2
    return result.output


def test_a_missing_option_is_said_in_chinese(tmp_path):
    assert _zh_usage_error(["audit", str(tmp_path), "--lang", "zh"]) == (
        "用法：clausewise audit [OPTIONS] [EXPORT_DIR]\n"
        "运行 'clausewise audit --help' 查看帮助。\n"
        "\n"
        "错误：缺少选项 '--policy' / '-p'.\n")


def test_an_unknown_option_is_said_in_chinese_with_the_language_from_the_environment(tmp_path):
    output = _zh_usage_error(["audit", str(tmp_path), "--frmat", "json"], env={"CLAUSEWISE_LANG": "zh"})
    assert output.endswith("错误：没有选项 '--frmat'。 是否想写 '--format'？\n")


def test_a_path_option_names_its_kind_in_chinese(tmp_path):
    # --policy takes a file; a folder is refused by click, which calls the option's kind "File".
    output = _zh_usage_error(["validate", "--policy", str(tmp_path), "--lang=zh"])
    assert output.endswith(f"错误：'--policy' / '-p' 的值无效：文件 '{tmp_path}' 是一个文件夹。\n")


def test_a_wrong_choice_is_said_in_chinese_and_english_stays_english_afterwards(tmp_path):
    args = ["audit", str(tmp_path), "-p", "p.yaml", "--format", "xml"]
    chinese = _zh_usage_error([*args, "--lang", "zh"])
    assert "错误：'--format' / '-f' 的值无效：'xml' 不是可选的值（'csv', " in chinese
    english = _zh_usage_error(args)  # click's words were put back when the Chinese run ended
    assert "Error: Invalid value for '--format' / '-f': 'xml' is not one of 'csv', " in english


@pytest.mark.parametrize(("args", "env", "lang"), [
    (["audit", "--lang", "zh"], {}, "zh"),
    (["audit", "--lang=zh"], {}, "zh"),
    (["audit", "--lang", "zh", "--lang", "en"], {}, "en"),  # the last one counts, as for click
    (["audit", "--", "--lang", "zh"], {}, "en"),  # after "--" it is an argument, not an option
    (["audit", "--lang", "fr"], {"CLAUSEWISE_LANG": "zh"}, "zh"),  # not a language: the environment's
    (["audit", "--lang"], {}, "en"),
])
def test_the_language_is_read_from_the_command_line_before_click_reads_it(monkeypatch, args, env, lang):
    monkeypatch.delenv("CLAUSEWISE_LANG", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert lang_in(args) == lang


def test_english_help_after_a_chinese_mistake_is_english(tmp_path):
    # click makes a command's help option once and keeps it: a Chinese run must not leave its text Chinese.
    _zh_usage_error(["validate", "--lang", "zh", "--policy", str(tmp_path)])
    english = CliRunner().invoke(cli, ["validate", "--help"], env={"CLAUSEWISE_LANG": "en"})
    assert "Show this message and exit." in english.output and "显示" not in english.output


def test_validate_counts_in_each_languages_forms(tmp_path):
    # The tiny pack: 2 clauses, 1 rule, 1 dataset ("1 rules, 1 datasets" before).
    pack = _pack(tmp_path)
    english = CliRunner().invoke(cli, ["validate", "--policy", str(pack / "policy.yaml")])
    assert english.output.endswith("is valid: 2 clauses, 1 rule, 1 dataset\n")
    chinese = CliRunner().invoke(cli, ["validate", "--policy", str(pack / "policy.yaml"), "--lang", "zh"])
    assert chinese.output.endswith("有效：2 个条款、1 条规则、1 个数据集\n")
