"""The message catalogue: every marked text has its Chinese, with the same placeholders, and the compiled file is current.

The English text is the msgid (``clausewise.i18n``); the Chinese is in
``src/clausewise/locale/zh/LC_MESSAGES/clausewise.po``, compiled to
``clausewise.mo`` beside it. Babel extracts the marked texts from the source
the way ``pybabel extract`` does, so a text marked in code and missing from
the catalogue fails here, as does one the code no longer has.
"""

from __future__ import annotations

import io
import re
import string
import tokenize
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from clausewise import i18n

SRC = Path(i18n.__file__).resolve().parent
PO = SRC / "locale" / "zh" / "LC_MESSAGES" / "clausewise.po"
MO = PO.with_suffix(".mo")
HOW = "update it as docs/extending.md says (Messages in two languages)"


def _catalogue():
    with PO.open("rb") as file:
        return read_po(file)


def _key(message, context):
    return (message if isinstance(message, str) else tuple(message), context)


def _marked() -> set[tuple]:
    found = extract_from_dir(str(SRC), method_map=[("**.py", "python")], keywords=i18n.KEYWORDS)
    return {_key(message, context) for _file, _line, message, _comments, context in found}


def _placeholders(text: str) -> list[str]:
    return sorted(name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None)


def test_every_marked_text_is_in_the_catalogue_and_nothing_else():
    catalogue = {_key(m.id, m.context) for m in _catalogue() if m.id}
    marked = _marked()
    assert not marked - catalogue, f"marked in the code, missing from {PO.name}; {HOW}: {sorted(marked - catalogue, key=str)}"
    assert not catalogue - marked, f"in {PO.name}, no longer in the code; {HOW}: {sorted(catalogue - marked, key=str)}"


def test_every_text_has_its_chinese_with_the_same_placeholders():
    for message in _catalogue():
        if not message.id:
            continue
        english = [message.id] if isinstance(message.id, str) else list(message.id)
        chinese = [message.string] if isinstance(message.string, str) else list(message.string)
        assert not message.fuzzy, f"fuzzy (a guess by pybabel update): {message.id!r}"
        assert chinese and all(c.strip() for c in chinese), f"no Chinese for {message.id!r}"
        for text in chinese:
            # Each Chinese form has the English one's placeholders, no more and no fewer (both plural forms have {n}).
            assert set(_placeholders(text)) == set(_placeholders(english[0])), (message.id, text)


def test_the_compiled_catalogue_is_current():
    compiled = io.BytesIO()
    write_mo(compiled, _catalogue())
    assert MO.read_bytes() == compiled.getvalue(), f"{MO.name} is not {PO.name} compiled; {HOW}"


def test_english_is_the_msgid_and_chinese_comes_from_the_catalogue():
    words = i18n.Words({"rule": i18n.N_("rule"), "counts": i18n.N_("Findings: {counts}")})
    assert words["en"] == {"rule": "rule", "counts": "Findings: {counts}"}
    assert words["zh"] == {"rule": "规则", "counts": "发现：{counts}"}
    # One English text, two Chinese ones, told apart by context: the explain timeline's "stopped" is 停止,
    # the watch event's is 已停止.
    assert i18n.gettext("stopped", "zh") == "停止"
    assert i18n.NC_("watch", "stopped").render("zh") == "已停止"
    # Chinese has one plural form: 2 rules and 1 rule are both "{n} 条规则".
    rules = i18n.NP_("{n} rule", "{n} rules")
    assert [rules.render(n, "en") for n in (1, 2)] == ["1 rule", "2 rules"]
    assert [rules.render(n, "zh") for n in (1, 2)] == ["1 条规则", "2 条规则"]


def test_a_message_is_its_english_text_and_renders_its_values_in_the_language():
    hint = i18n.msg(' — did you mean "{name}"?', name="replied_at")
    message = i18n.msg('unknown key "{key}" in {where}{hint}', key="replyed_at", where="rules", hint=hint)
    assert message == 'unknown key "replyed_at" in rules — did you mean "replied_at"?'
    # The Chinese template with the Chinese hint inside it; the values themselves stay as written.
    assert message.render("zh") == '{where} 中有未知的键“replyed_at”——是否想写“replied_at”？'.format(where="rules")
    assert message.render("en") == str(message)


# Chinese in a string of the code, outside the catalogue: only words the program reads (Chinese units in
# durations written by officers, yes/no in exports, punctuation a condition mistypes or a line may break at), never
# words it writes.
READ_NOT_WRITTEN = {"model.py", "policy/durations.py", "engine/exports.py", "engine/convert.py", "engine/typos.py",
                    "report/layout.py", "cli/help.py"}
CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def _strings_with_chinese(path: Path):
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    previous = None
    for token in tokens:
        docstring = previous in (None, tokenize.INDENT, tokenize.NEWLINE, tokenize.DEDENT)
        if token.type == tokenize.STRING and CJK.search(token.string) and not docstring:
            yield token.start[0], token.string
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token.type


# Modules whose Chinese still sits in their own word tables (the unreadable-data messages, the not-evaluated and
# no-due-time findings, rendered in SQL): strict xfails, so that moving them into the catalogue makes these pass.
NOT_YET_IN_CATALOGUE: set[str] = set()


def _module(path: Path):
    name = str(path.relative_to(SRC))
    marks = [pytest.mark.xfail(strict=True, reason="its words are not in the catalogue yet")] \
        if name in NOT_YET_IN_CATALOGUE else []
    return pytest.param(path, id=name, marks=marks)


@pytest.mark.parametrize("path", [_module(p) for p in sorted(SRC.rglob("*.py"))])
def test_no_chinese_written_outside_the_catalogue(path):
    name = str(path.relative_to(SRC))
    if name in READ_NOT_WRITTEN:
        return
    found = list(_strings_with_chinese(path))
    assert not found, f"{name}: Chinese text in the code; mark the English with N_/msg and put the Chinese in {PO.name}: {found}"


# ---- errors and --help in Chinese, chosen with CLAUSEWISE_LANG or --lang -----------------------------------

def _run(args, env_lang="zh"):
    from click.testing import CliRunner

    from clausewise.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args], env={"CLAUSEWISE_LANG": env_lang})


def test_a_policy_error_in_chinese(tmp_path):
    policy = tmp_path / "bad.yaml"
    policy.write_text('policy:\n  id: x\n  versoin: "1"\n  version: "1"\n', encoding="utf-8")
    result = _run(["validate", "-p", policy])
    assert result.exit_code == 2
    # Line 3, column 3: "versoin" (two spaces of indent); the key is unknown, "version" is the close match.
    # The document lacks clauses, datasets and rules (line 1 column 1); policy (at 2:3) lacks data_quality and
    # title; sorted by place: 1:1 three times, 2:3 twice, then 3:3; then the count, 6.
    assert result.output == (
        f"{policy}:1:1：文件顶层 中缺少键“clauses”\n"
        f"{policy}:1:1：文件顶层 中缺少键“datasets”\n"
        f"{policy}:1:1：文件顶层 中缺少键“rules”\n"
        f"{policy}:2:3：policy 中缺少键“data_quality”\n"
        f"{policy}:2:3：policy 中缺少键“title”\n"
        f"{policy}:3:3：policy 中有未知的键“versoin”——是否想写“version”？\n"
        "发现 6 个问题\n"
    )
    english = _run(["validate", "-p", policy], env_lang="en")
    assert f'{policy}:3:3: unknown key "versoin" in policy — did you mean "version"?\n' in english.output
    assert english.output.endswith("6 problems found\n")


def test_a_data_error_in_chinese(tmp_path):
    from support import EXAMPLE_EXPORT, EXAMPLE_POLICY

    export = tmp_path / "export"
    export.mkdir()
    for path in EXAMPLE_EXPORT.iterdir():
        if not path.name.startswith("followups."):
            (export / path.name).write_bytes(path.read_bytes())
    result = _run(["audit", export, "-p", EXAMPLE_POLICY, "--lang", "zh"], env_lang="en")
    assert result.exit_code == 2
    # The export folder is the place; the four file types a dataset may have, in the order the reader tries them.
    assert result.output == (f"{export}：缺少数据集“followups”：应为 followups.csv, followups.jsonl, "
                             "followups.parquet, followups.xlsx 之一\n")


def test_a_usage_error_in_chinese():
    from support import EXAMPLE_EXPORT, EXAMPLE_POLICY

    result = _run(["audit", EXAMPLE_EXPORT, "-p", EXAMPLE_POLICY, "--as-of", "yesterday"])
    assert (result.exit_code, result.output) == (2, "--as-of“yesterday”不是日期或时间；请写成如 2026-10-31 或“2026-10-31 18:00”\n")
    english = _run(["audit", EXAMPLE_EXPORT, "-p", EXAMPLE_POLICY, "--as-of", "yesterday"], env_lang="en")
    assert english.output == '--as-of "yesterday" is not a date or timestamp; write e.g. 2026-10-31 or "2026-10-31 18:00"\n'


def test_an_export_row_and_column_are_named_in_chinese():
    from clausewise.errors import DataError, Location

    error = DataError(i18n.msg("cannot read the header: {exc}", exc="x"), Location("items.csv", row=3, field="kind"))
    assert str(error) == 'items.csv, row 3, column "kind": cannot read the header: x'
    assert error.render("zh") == "items.csv，第 3 行，列“kind”：无法读取表头：x"


@pytest.mark.parametrize("args", [["validate", "--help"], ["validate", "--lang", "zh", "--help"]])
def test_help_in_chinese(args):
    env_lang = "zh" if "--lang" not in args else "en"
    result = _run(args, env_lang=env_lang)
    assert result.exit_code == 0
    assert "检查制度及其规则文件；每个问题以 file:line:col 列出。" in result.output
    assert "制度文件（policies/NAME.yaml）；规则文件由它找到。" in result.output
    assert "显示本帮助并退出。" in result.output
    # Chinese punctuation where the words are Chinese: a full-width colon with no space after it, and the
    # option's default and "required" in full-width parentheses right after its help, not click's "  [default: en]".
    assert result.output.startswith("用法：cli validate [OPTIONS]\n")  # (CliRunner names the program "cli")
    assert "\n选项：\n" in result.output
    assert "规则文件由它找到。（必填）" in result.output.replace("\n", "").replace(" ", "")
    assert "消息和报告的语言（或设置 CLAUSEWISE_LANG）。（默认：en）" in result.output
    assert not re.search(r"[\[\]]|: |:\n", result.output.replace("[OPTIONS]", "").replace("[zh|en]", ""))
    english = _run(["validate", "--help"], env_lang="en")
    assert "Check a policy and its rule files; print every problem as file:line:col." in english.output
    assert "Show this message and exit." in english.output and "[required]" in english.output


def test_help_and_version_start_fast():
    import subprocess
    import sys

    code = "import time; t = time.process_time(); from clausewise.cli import cli; print(time.process_time() - t)"
    spent = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    # CPU time of importing the command line (what --help and --version pay before printing), not wall time,
    # which a busy machine stretches.
    assert spent < 0.3, spent


def test_chinese_help_joins_its_lines_without_a_space_and_wraps_by_columns():
    from click.testing import CliRunner

    from clausewise.cli import cli
    from clausewise.cli.help import wrap_cjk

    wide = CliRunner().invoke(cli, ["audit", "--help"], env={"CLAUSEWISE_LANG": "zh"}, terminal_width=200)
    # The exit-code paragraph is two lines in the catalogue, broken after 规则文件错误: joined with no space.
    assert "2：用法错误、规则文件错误或数据无法读取。" in wide.output
    narrow = CliRunner().invoke(cli, ["audit", "--help"], env={"CLAUSEWISE_LANG": "zh"}, terminal_width=60)
    from clausewise.cli.help import _width

    # Every line fits in 60 columns, a Chinese character taking two, but for the two that no wrapper can break:
    # the format option with its choices (70 columns) and the history file's name with its 。(2 + 32 + 26 + 2).
    over = [line.strip() for line in narrow.output.splitlines() if _width(line) > 60]
    assert over == ["-f, --format [csv|github|html|json|jsonl|junit|markdown|sarif|table]", ".clausewise/history.duckdb。"]
    # Chinese on both sides of a break is never joined with a space (the help texts have no such space themselves).
    assert not re.search("[\u4e00-\u9fff] [\u4e00-\u9fff]", wide.output + narrow.output)
    # Two lines of one paragraph: Chinese to Chinese joins with nothing, Chinese to Latin with a space. Width 20
    # with a two-column indent: 9 Chinese characters (2 + 9 × 2 = 20 columns) fill a line.
    text = "规则文件错误\n或数据无法读取，\nexit 2"
    assert wrap_cjk(text, 20, "  ", "  ") == "  规则文件错误或数据\n  无法读取， exit 2"
    # A closing mark (，) never starts a line: 九， (3 columns more than 八's 18) goes to the next line together.
    assert wrap_cjk("一二三四五六七八九，十", 20, "  ", "  ") == "  一二三四五六七八\n  九，十"
    # Paragraphs stay apart, and a \b block keeps its lines.
    assert wrap_cjk("甲\n乙\n\n\b\n丙\n丁", 20, preserve_paragraphs=True) == "甲乙\n\n丙\n丁"


def test_lists_and_exceptions_in_a_message_are_written_in_the_language():
    # A list is "a, b" in English and "a、b" in Chinese; an exception raised with a message renders it.
    listed = i18n.listed(["plain", "fancy"])
    assert (listed, listed.render("zh")) == ("plain, fancy", "plain、fancy")
    error = ValueError(i18n.msg("working hours {text} and {text2} overlap", text="09:00-12:00", text2="11:00-18:00"))
    wrapped = i18n.msg("calendar: {exc}", exc=error)
    assert wrapped == "calendar: working hours 09:00-12:00 and 11:00-18:00 overlap"
    assert wrapped.render("zh") == "日历：工作时间 09:00-12:00 与 11:00-18:00 重叠"


def test_a_decision_table_subsumption_in_chinese():
    from clausewise.policy.decision.analysis import _cover

    # Row 3 lies inside neither row 1 nor row 2 alone but touches both: "rows 1 and 2 together match".
    boxes = [({1, 2},), ({3},), ({2, 3},)]
    cover = _cover(boxes, 2)
    message = i18n.msg("Subsumption: row {value} can never match because {cover} everything it does (hit policy first)",
                       value=3, cover=cover)
    assert message == "Subsumption: row 3 can never match because rows 1 and 2 together match everything it does (hit policy first)"
    assert message.render("zh") == "包含：第 3 行永远不会匹配，因为第 1 和 2 行合起来已匹配它匹配的全部情况（命中策略 first）"


def test_a_condition_error_in_chinese(tmp_path):
    from support import ROOT

    # The example policy with one misspelt field in rule inquiry-contact's "when" (rules/example/inquiries.yaml).
    for folder in ("policies", "rules/example", "tests/cases/example"):
        for path in (ROOT / folder).glob("*.yaml"):
            (tmp_path / folder).mkdir(parents=True, exist_ok=True)
            (tmp_path / folder / path.name).write_bytes(path.read_bytes())
    rules = tmp_path / "rules" / "example" / "inquiries.yaml"
    text = rules.read_text(encoding="utf-8")
    assert text.count("    when: NOT answered_on_spot\n") == 2
    rules.write_text(text.replace("    when: NOT answered_on_spot\n", "    when: NOT answerd_on_spot\n", 1), encoding="utf-8")
    line = text[: text.index("    when: NOT answered_on_spot\n")].count("\n") + 1
    # Column 15: four spaces, "when: " (6) and "NOT " (4) come before the field, 4 + 6 + 4 + 1 = 15.
    result = _run(["validate", "-p", tmp_path / "policies" / "example.yaml"])
    assert result.exit_code == 2
    assert result.output == (f"{rules}:{line}:15：规则“inquiry-contact”的 when：数据集“inquiries”中没有字段"
                             "“answerd_on_spot”——是否想写“answered_on_spot”？\n")
    english = _run(["validate", "-p", tmp_path / "policies" / "example.yaml"], env_lang="en")
    assert english.output == (f'{rules}:{line}:15: rule "inquiry-contact" when: unknown field "answerd_on_spot" in '
                              'dataset "inquiries" — did you mean "answered_on_spot"?\n')


def test_a_workbook_refusal_in_chinese(tmp_path):
    from support import EXAMPLE_EXPORT, EXAMPLE_POLICY

    export = tmp_path / "export"
    export.mkdir()
    for path in EXAMPLE_EXPORT.iterdir():
        if not path.name.startswith("followups."):
            (export / path.name).write_bytes(path.read_bytes())
    (export / "followups.xlsx").write_bytes(b"not a zip\n")  # no zip end record anywhere in its 10 bytes
    result = _run(["audit", export, "-p", EXAMPLE_POLICY])
    assert (result.exit_code, result.output) == (2, f"{export / 'followups.xlsx'}：不是 XLSX 工作簿：文件不是 zip 压缩包\n")
    english = _run(["audit", export, "-p", EXAMPLE_POLICY], env_lang="en")
    assert english.output == f"{export / 'followups.xlsx'}: not an XLSX workbook: the file is not a zip archive\n"


def test_schema_error_paths_and_typing_mistakes_in_chinese():
    from clausewise.engine.conditions import Scope, compile_condition
    from clausewise.errors import Collector
    from clausewise.policy.validate import _where

    doc = {"rules": [{"id": "a"}, {"title": "no id"}], "waivers": [{"id": "w1", "until": "x"}]}
    where = _where(["rules", 1, "title"], doc)
    assert (str(where), i18n.render(where, "zh")) == ("rules › item 2 › title", "rules › 第 2 项 › title")
    where = _where(["waivers", 0, "until"], doc)
    assert (str(where), i18n.render(where, "zh")) == ('waiver "w1" › until', "豁免“w1” › until")
    # A full-width comma (U+FF0C) in coalesce(a，b): found before parsing, with its Unicode name.
    errors = Collector()
    assert compile_condition("coalesce(a，b) = 1", Scope({"a": "integer", "b": "integer"}, {}, "d"), "test", errors) is None
    [error] = errors.errors
    assert str(error) == 'test: "，" (fullwidth comma) is not SQL: write "," instead'
    assert error.render("zh") == "test：“，”（fullwidth comma）不是 SQL：请改为“,”"


# ---- errors written in one language only ------------------------------------------------------

# The errors a user reads (and the Spark engine's refusals, which a load error quotes) are raised with ``msg(...)``
# from the catalogue, never with a text written out in English: a literal, an f-string, or a name the function
# bound to one.
_ERRORS = {"PolicyError", "DataError", "UsageError", "ClauseWiseError", "MissingExtra", "Unsupported"}


def _english(node, bound: set[str]) -> bool:
    """True when ``node`` is a text written out in English (not a Message): a literal, an f-string, a name bound to
    one, or a choice between such."""
    import ast

    if isinstance(node, ast.IfExp):
        return _english(node.body, bound) or _english(node.orelse, bound)
    if isinstance(node, ast.Name):
        return node.id in bound
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _english_errors(tree) -> int:
    import ast

    found = 0
    for function in [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]:
        body = list(ast.walk(function)) if function is not tree else list(ast.iter_child_nodes(tree))
        bound = {target.id for node in body if isinstance(node, ast.Assign) and _english(node.value, set())
                 for target in node.targets if isinstance(target, ast.Name)}
        found += sum(1 for node in body if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                     and node.func.id in _ERRORS and node.args and _english(node.args[0], bound))
    return found


def test_errors_are_written_from_the_catalogue():
    import ast

    found = {str(path.relative_to(SRC)): n for path in sorted(SRC.rglob("*.py"))
             if (n := _english_errors(ast.parse(path.read_text(encoding="utf-8"))))}
    assert not found, f"errors written in English only, not with msg(...) from the catalogue: {found}"


def test_the_check_for_english_errors_finds_each_way_of_writing_one():
    import ast

    # Four errors written out in English (a literal, an f-string, a name bound to an f-string, a choice of
    # literals) and two from the catalogue (msg, and a name bound to msg): 4.
    code = """
def read(path, more):
    raise DataError("export folder not found")
    raise DataError(f"cannot read {path}")
    message = f"this line has {more} fields"
    raise DataError(message)
    raise PolicyError("is a folder" if more else "file not found")
    raise DataError(msg("export folder not found"))
    said = msg("cannot read: {said}", said=path)
    raise Unsupported(said)
"""
    assert _english_errors(ast.parse(code)) == 4
