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
                    "report/layout.py"}
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


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_chinese_written_outside_the_catalogue(path):
    name = str(path.relative_to(SRC))
    if name in READ_NOT_WRITTEN:
        return
    found = list(_strings_with_chinese(path))
    assert not found, f"{name}: Chinese text in the code; mark the English with N_/msg and put the Chinese in {PO.name}: {found}"
