"""A CSV export's encoding, as its bytes say it: a byte-order mark settles it, and a file that does not read is
told for what it is (UTF-8 with a bad byte, UTF-16, not the declared encoding), at the bad byte's line and column,
in English and in Chinese, with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewise.cli import cli
from clausewise.engine.readers import common
from clausewise.textfile import Undecodable, first_undecodable, marked_encoding

POLICY = """\
policy:
  id: tiny
  version: "1"
  title: {en: Tiny}
  calendar: {country: CN, work_hours: "09:00-18:00"}
  data_quality: {clause: T-9, severity: medium}
clauses:
  T-1: {title: {en: Closing}}
  T-9: {title: {en: Data}}
datasets:
  items:
    key: id
%s    fields: {id: string, opened_at: timestamp, note: string}
rules: [rules.yaml]
"""

RULES = """\
rules:
  - id: noted
    clause: T-1
    dataset: items
    kind: required
    severity: high
    fields: [note]
    title: {en: Noted}
    message: {en: "item {key} has no note"}
"""

HEADER = "id,opened_at,note\n"
GOOD = "A1,2026-10-12 09:00:00,ok\n"


def _audit(tmp_path: Path, content: bytes, encoding: str | None = None, lang: str = "en"):
    """The CLI's audit of an export whose items.csv holds ``content``; the policy declares ``encoding`` if given."""
    declared = f"    encoding: {encoding}\n" if encoding else ""
    (tmp_path / "policy.yaml").write_text(POLICY % declared, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    (tmp_path / "export").mkdir(exist_ok=True)
    (tmp_path / "export" / "items.csv").write_bytes(content)
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / "export"), "--policy", str(tmp_path / "policy.yaml"),
                                      "--lang", lang])
    return result.exit_code, result.output, str(tmp_path / "export" / "items.csv")


def _one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


# Line 3 holds "到期" (2 characters, 6 bytes) and then 0xB4, which is no UTF-8: before it "A2," 3 +
# "2026-10-12 09:00:00" 19 + "," 1 + "到期" 2 = 25 characters, so column 26 (a byte count would say 29).
BOM_BAD = b"\xef\xbb\xbf" + (HEADER + GOOD + "A2,2026-10-12 09:00:00,到期").encode("utf-8") + b"\xb4\n"


def test_a_bom_file_with_a_bad_byte_is_not_utf8_at_its_line_and_column(tmp_path):
    code, output, path = _audit(tmp_path, BOM_BAD)
    assert code == 2
    assert _one_line(output) == (f"{path}:3:26: not valid UTF-8 text (byte 0xB4), though the file begins with the "
                                 "UTF-8 byte-order mark; correct the byte, or export the file again")


def test_a_bom_file_with_a_bad_byte_in_chinese(tmp_path):
    code, output, path = _audit(tmp_path, BOM_BAD, lang="zh")
    assert code == 2
    assert _one_line(output) == (f"{path}:3:26：不是有效的 UTF-8 文本（字节 0xB4），而该文件以 UTF-8 字节顺序标记开头；"
                                 "请更正该字节，或重新导出文件")


def test_a_bad_byte_in_a_bom_files_header_counts_no_mark_in_its_column(tmp_path):
    # Line 1 is the mark, then "id,opened_at,no" (15 characters) and 0xFF: column 16; the mark is no character.
    code, output, path = _audit(tmp_path, b"\xef\xbb\xbfid,opened_at,no\xffte\n" + GOOD.encode())
    assert code == 2
    assert _one_line(output).startswith(f"{path}:1:16: not valid UTF-8 text (byte 0xFF), though the file begins")


def test_a_bom_file_whose_bad_byte_comes_after_the_first_megabyte(tmp_path):
    # The first megabyte is UTF-8, so DuckDB finds the byte as it reads; the file is not read again as GB18030.
    # Each of the 40,000 rows "A00000,2026-10-12 09:00:00,\n" is 6 + 1 + 19 + 1 + 1 = 28 bytes: 1,120,000 in all,
    # past 1,048,576. The header is line 1 and the rows lines 2 to 40,001; the bad line is 40,002: "Z," 2 +
    # 19 + "," 1 = 22 characters, then 0xFF, column 23.
    rows = "".join(f"A{i:05d},2026-10-12 09:00:00,\n" for i in range(40_000))
    assert len(rows) == 1_120_000
    content = b"\xef\xbb\xbf" + (HEADER + rows + "Z,2026-10-12 09:00:00,").encode() + b"\xff\n"
    code, output, path = _audit(tmp_path, content)
    assert code == 2
    assert _one_line(output).startswith(f"{path}:40002:23: not valid UTF-8 text (byte 0xFF), though the file begins")



def test_a_utf8_file_without_a_mark_whose_bad_byte_comes_after_a_chinese_first_megabyte(tmp_path):
    # No mark, but the first megabyte is UTF-8 with Chinese in it: the file is UTF-8, and a byte further in that is
    # not is an error, not a reason to read the whole file again as GB18030 (which would turn every 账户 before it
    # into other characters, silently). Each of the 40,000 rows "A00000,2026-10-12 09:00:00,账户\n" is 6 + 1 + 19
    # + 1 + 6 (two characters of 3 bytes) + 1 = 34 bytes: 1,360,000, past 1,048,576. The bad line is 40,002:
    # "Z," 2 + 19 + "," 1 = 22 characters, then B4 F3, column 23. B4 F3 is GBK's 大, and the whole file reads as
    # GB18030 without an error: that reading would be a green run on garbled text.
    rows = "".join(f"A{i:05d},2026-10-12 09:00:00,账户\n" for i in range(40_000))
    assert len(rows.encode()) == 1_360_000
    content = (HEADER + rows + "Z,2026-10-12 09:00:00,").encode() + b"\xb4\xf3\n"
    assert content.decode("gb18030")  # (it does read as GB18030)
    code, output, path = _audit(tmp_path, content)
    assert code == 2
    assert _one_line(output) == (f"{path}:40002:23: not valid UTF-8 text (byte 0xB4), though the file's other "
                                 "text is UTF-8; correct the byte, or export the file again")
    code, output, path = _audit(tmp_path, content, lang="zh")
    assert _one_line(output).startswith(f"{path}:40002:23：不是有效的 UTF-8 文本（字节 0xB4）")



def test_a_utf8_file_without_a_mark_with_a_bad_byte_after_chinese_in_its_first_megabyte(tmp_path):
    # The bad byte is in the first megabyte, after 3 rows holding 账户 (3 × 2 characters of 3 bytes: 12 bytes more than
    # characters) and the header: the row of line 5 holds 户户 (4 more), then B4 F3, GBK's 大: 16 in all, enough.
    # Line 5: "A3," 3 + 19 + "," 1 + 户户 2 = 25 characters, then the byte: column 26.
    rows = "".join(f"A{i},2026-10-12 09:00:00,账户\n" for i in range(3))
    content = (HEADER + rows + "A3,2026-10-12 09:00:00,户户").encode() + b"\xb4\xf3\n"
    code, output, path = _audit(tmp_path, content)
    assert code == 2
    assert _one_line(output) == (f"{path}:5:26: not valid UTF-8 text (byte 0xB4), though the file's other "
                                 "text is UTF-8; correct the byte, or export the file again")


def test_a_gbk_file_with_a_few_chinese_characters_that_pass_for_utf8_is_still_gbk(tmp_path):
    # GBK's 贸 (C3 B3) is also UTF-8 (ó): 2 bytes, 1 character, 1 byte more; then 易 (D2 D7) is not UTF-8. One lucky
    # character is 1 byte of evidence, far from 16: it proves nothing, and the file is read as GB18030.
    assert "贸".encode("gbk") == b"\xc3\xb3" and b"\xc3\xb3".decode("utf-8") == "ó"
    content = (HEADER + "A1,2026-10-12 09:00:00,贸易\nA2,2026-10-12 09:00:00,\n").encode("gbk")
    code, output, _ = _audit(tmp_path, content)
    assert code == 1, output  # read as GBK; A2's note is empty
    assert "item A2 has no note" in output



# A UTF-8 file with one corrupt byte early, before much Chinese: C1 41 ("\xc1A") is GBK's 罙 and the UTF-8 of 张三
# and 王五 is GBK's 寮犱笁 and 鐜嬩簲, so the whole file reads as GB18030 without an error. Read as UTF-8 it has 4
# characters beyond ASCII (张三王五) for 1 byte that does not read (C1): 4 ≥ 4 × 1, UTF-8 with a fault.
# Line 3: "B,2026-10-12 09:00:00," is 2 + 19 + 1 = 22 characters, then C1: column 23.
EARLY_FAULT = "id,opened_at,note\nA,2026-10-12 09:00:00,张三\nB,2026-10-12 09:00:00,".encode() + b"\xc1A\n" + \
    "C,2026-10-12 09:00:00,王五\n".encode()


def test_a_utf8_file_whose_fault_comes_before_much_chinese_is_not_read_as_gb18030(tmp_path):
    assert EARLY_FAULT.decode("gb18030").count("寮犱笁") == 1  # (it does read as GB18030, garbled)
    code, output, path = _audit(tmp_path, EARLY_FAULT)
    assert code == 2
    assert _one_line(output) == (f"{path}:3:23: not valid UTF-8 text (byte 0xC1), though the file's other text is "
                                 "UTF-8; correct the byte, or export the file again")


def test_a_utf8_file_with_an_ascii_first_megabyte_and_a_fault_further_in_is_not_read_as_gb18030(tmp_path):
    # 40,000 ASCII rows (1,160,000 bytes, past the first megabyte), then 张三, the fault and 王五: DuckDB finds the
    # fault past the first megabyte, and the whole file is read once more to count: 4 characters beyond ASCII for
    # 1 fault, UTF-8. The fault's line is 1 + 40,000 + 2 = 40,003; "Z2,2026-10-12 09:00:00," is 3 + 19 + 1 = 23
    # characters: column 24.
    rows = "".join(f"A{i:05d},2026-10-12 09:00:00,n\n" for i in range(40_000))
    content = (HEADER + rows + "Z1,2026-10-12 09:00:00,张三\nZ2,2026-10-12 09:00:00,").encode() + b"\xc1A\n" + \
        "Z3,2026-10-12 09:00:00,王五\n".encode()
    code, output, path = _audit(tmp_path, content)
    assert code == 2
    assert _one_line(output).startswith(f"{path}:40003:24: not valid UTF-8 text (byte 0xC1), though the file's other")


def test_a_gbk_file_whose_first_megabyte_is_ascii_is_still_read_as_gbk(tmp_path):
    # Nothing in the first megabyte tells UTF-8 from GBK (it is ASCII): the Chinese further in, not UTF-8, makes the
    # file GB18030, read again so. 40,000 rows of 29 bytes (1,160,000) come before A99999's note 账户 in GBK. Every
    # note is filled, so the rule finds nothing: exit 0, the file read rather than refused.
    rows = "".join(f"A{i:05d},2026-10-12 09:00:00,n\n" for i in range(40_000))
    content = (HEADER + rows + "A99999,2026-10-12 09:00:00,账户\n").encode("gbk")
    code, output, _ = _audit(tmp_path, content)
    assert code == 0, output


# What Excel's "Unicode Text" writes: UTF-16 (little-endian, with its mark), separated by tabs.
UNICODE_TEXT = "\ufeffid\topened_at\tnote\nA1\t2026-10-12 09:00:00\tok\n"


@pytest.mark.parametrize(("codec", "name"), [("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
                                             ("utf-32-le", "UTF-32"), ("utf-32-be", "UTF-32")])
def test_a_utf16_or_utf32_file_is_named_for_what_it_is(tmp_path, codec, name):
    code, output, path = _audit(tmp_path, UNICODE_TEXT.encode(codec))
    assert code == 2
    assert _one_line(output) == (f"{path}: the file is {name} text (it begins with the {name} byte-order mark), but "
                                 "clausewise reads CSV files as UTF-8 or GB18030; save it from Excel as \"CSV UTF-8 "
                                 "(Comma delimited)\", or convert it to UTF-8")


def test_a_utf16_file_in_chinese_and_whatever_the_dataset_declares(tmp_path):
    # The mark settles it: a declared GBK does not make the file GB18030 text with a bad byte 0xFF at offset 0.
    code, output, path = _audit(tmp_path, UNICODE_TEXT.encode("utf-16-le"), encoding="gbk", lang="zh")
    assert code == 2
    assert _one_line(output) == (f"{path}：该文件是 UTF-16 文本（以 UTF-16 字节顺序标记开头），而 clausewise 只读取 "
                                 "UTF-8 或 GB18030 编码的 CSV 文件；请在 Excel 中另存为“CSV UTF-8(逗号分隔)”，或将其"
                                 "转换为 UTF-8")


# Line 3 is "A2,2026-10-12 09:00:00," (23 characters) and then 0x81 0x30 0x0A: in GB18030 0x81 0x30 begins a
# four-byte character, which a line break cannot continue. Column 24.
NOT_GBK = (HEADER + GOOD + "A2,2026-10-12 09:00:00,").encode() + b"\x81\x30\n"


def test_a_declared_gbk_file_that_is_not_gbk_names_the_declared_encoding(tmp_path):
    code, output, path = _audit(tmp_path, NOT_GBK, encoding="gbk")
    assert code == 2
    assert _one_line(output) == (f'{path}:3:24: not valid GBK text (byte 0x81), the encoding the dataset declares '
                                 '("encoding: gbk"); set the dataset\'s encoding to the file\'s, or to auto')
    code, output, path = _audit(tmp_path, NOT_GBK, encoding="gbk", lang="zh")
    assert _one_line(output) == (f"{path}:3:24：不是有效的 GBK 文本（字节 0x81），而这是数据集声明的编码"
                                 "（“encoding: gbk”）；请把数据集的 encoding 设为文件实际的编码，或设为 auto")


def test_a_declared_utf8_file_that_is_gbk_names_the_declared_encoding(tmp_path):
    # Line 2 ends in "账户" in GBK (0xD5 0xCB 0xBB 0xA7) after "A1,2026-10-12 09:00:00," (23 characters): column 24.
    content = HEADER.encode() + "A1,2026-10-12 09:00:00,账户\n".encode("gbk")
    code, output, path = _audit(tmp_path, content, encoding="utf-8", lang="zh")
    assert code == 2
    assert _one_line(output) == (f"{path}:2:24：不是有效的 UTF-8 文本（字节 0xD5），而这是数据集声明的编码"
                                 "（“encoding: utf-8”）；请把数据集的 encoding 设为文件实际的编码，或设为 auto")


def test_a_declared_utf8_file_with_a_bom_and_a_bad_byte_says_what_the_mark_says(tmp_path):
    code, output, path = _audit(tmp_path, BOM_BAD, encoding="utf-8")
    assert code == 2
    assert _one_line(output).startswith(f"{path}:3:26: not valid UTF-8 text (byte 0xB4), though the file begins")


def test_a_bom_file_declared_gbk_is_a_contradiction_not_mojibake(tmp_path):
    # Read as GBK, the mark EF BB BF would become "锘" and half a character before "id": a missing column "id".
    content = b"\xef\xbb\xbf" + (HEADER + "A1,2026-10-12 09:00:00,账户\n").encode("utf-8")
    code, output, path = _audit(tmp_path, content, encoding="gbk")
    assert code == 2
    assert _one_line(output) == (f'{path}: the file begins with the UTF-8 byte-order mark, so it is UTF-8 text, but '
                                 'the dataset declares "encoding: gbk"; set the dataset\'s encoding to utf-8 or auto')
    code, output, path = _audit(tmp_path, content, encoding="gb18030", lang="zh")
    assert _one_line(output) == (f"{path}：该文件以 UTF-8 字节顺序标记开头，是 UTF-8 文本，但数据集声明了"
                                 "“encoding: gb18030”；请把数据集的 encoding 设为 utf-8 或 auto")


def test_files_that_read_still_read(tmp_path):
    # A mark and Chinese text; GBK detected; the same declared. The rule finds A2's empty note: exit code 1.
    rows = HEADER + GOOD + "A2,2026-10-12 09:00:00,\nA3,2026-10-12 09:00:00,账户\n"
    for content, encoding in [(b"\xef\xbb\xbf" + rows.encode(), None), (rows.encode("gbk"), None),
                              (rows.encode("gbk"), "gbk"), (rows.encode(), "utf-8")]:
        code, output, _ = _audit(tmp_path, content, encoding)
        assert code == 1, output
        assert "item A2 has no note" in output


def test_the_first_bad_byte_across_the_pieces_a_file_is_read_in(tmp_path, monkeypatch):
    # Read in pieces of whole lines however small the chunks: lines and characters are counted across them.
    # Line 1 "ab"; line 2 "é" (2 bytes, 1 character), "x", then 0xFF: column 3; offset 3 + 3 = 6.
    path = tmp_path / "a.csv"
    path.write_bytes("ab\néx".encode() + b"\xff\n")
    for chunk in (1, 2, 3, 64):
        monkeypatch.setattr(common, "SCAN_CHUNK", chunk)
        assert common.undecodable(path, "utf-8") == Undecodable(line=2, column=3, byte=0xFF, offset=6)
    # The mark is no character: "ab" then 0xFF on line 1 is column 3 (offset 3 + 2 = 5).
    assert first_undecodable([b"\xef\xbb\xbfab\xff"], "utf-8") == Undecodable(1, 3, 0xFF, 5)
    assert first_undecodable([b"ab\n", "账户".encode("gbk")], "gb18030") is None
    assert common.undecodable(tmp_path / "missing.csv", "utf-8") is None


@pytest.mark.parametrize(("start", "name"), [
    (b"\xef\xbb\xbfid", "UTF-8"), (b"\xff\xfei\x00", "UTF-16"), (b"\xfe\xff\x00i", "UTF-16"),
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"id,a", None), (b"", None),
    (b"\xef\xbb", None),
])
def test_the_mark_a_file_begins_with(start, name):
    assert marked_encoding(start) == name


def test_a_bad_byte_in_an_old_mac_file_is_at_its_line(tmp_path):
    # BOM_BAD with its lines ending in "\r" alone (old Mac), as an editor counts them: the byte is still on line 3,
    # column 26 (the lines of a file are counted the same way whatever ends them; docs/rules.md).
    code, output, path = _audit(tmp_path, BOM_BAD.replace(b"\n", b"\r"))
    assert code == 2
    assert _one_line(output).startswith(f"{path}:3:26: not valid UTF-8 text (byte 0xB4), though the file begins")



def _warnings(tmp_path, content: bytes, encoding: str | None = None) -> list[str]:
    """The run's warnings for an export whose items.csv holds ``content`` (the JSON report's ``run.warnings``)."""
    import json

    declared = f"    encoding: {encoding}\n" if encoding else ""
    (tmp_path / "policy.yaml").write_text(POLICY % declared, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    (tmp_path / "export").mkdir(exist_ok=True)
    (tmp_path / "export" / "items.csv").write_bytes(content)
    result = CliRunner().invoke(cli, ["audit", str(tmp_path / "export"), "--policy", str(tmp_path / "policy.yaml"),
                                      "--format", "json", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["run"]["warnings"]


# 陆平 and 毛士 in GBK (C2 BD C6 BD, C3 AB CA BF) are also valid UTF-8, two bytes a character (½ƽ, ëʿ): nothing in the
# bytes tells the two apart, so the file is read as UTF-8, as any file that reads so, and the run says so.
NAMES = HEADER + "A1,2026-10-12 09:00:00,陆平\nA2,2026-10-12 09:00:00,毛士\n"


def test_a_gbk_file_that_reads_as_utf8_too_is_read_as_utf8_with_a_warning(tmp_path):
    assert NAMES.encode("gbk").decode("utf-8") == NAMES.replace("陆平", "½ƽ").replace("毛士", "ëʿ")
    assert _warnings(tmp_path, NAMES.encode("gbk")) == [
        'items.csv: read as UTF-8 text, but its bytes read as GBK too ("½ƽ" or "陆平"); declare "encoding: gbk" or '
        '"encoding: utf-8" for dataset "items" to say which']


@pytest.mark.parametrize(("content", "encoding"), [
    (NAMES.encode("gbk"), "gbk"),  # declared: no doubt
    (NAMES.encode("gbk"), "utf-8"),
    (NAMES.encode("utf-8"), None),  # Chinese in UTF-8 takes three bytes a character: not GBK
    (b"\xef\xbb\xbf" + NAMES.encode("utf-8"), None),  # a mark
    ((HEADER + "A1,2026-10-12 09:00:00,ok\n").encode(), None),  # ASCII
])
def test_no_warning_where_the_encoding_is_plain(tmp_path, content, encoding):
    assert _warnings(tmp_path, content, encoding) == []
