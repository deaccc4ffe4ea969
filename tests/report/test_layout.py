"""Terminal layout: widths in display columns, wrapping that never cuts, tables that fit; counts in words."""

from __future__ import annotations

import dataclasses
import io

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from support import render

from clausewise.engine.findings import FindingStore
from clausewise.report import layout, table, words


def test_chinese_takes_two_columns_a_character():
    assert layout.display_width("违规 1 项") == 2 * 2 + 1 + 1 + 1 + 2  # 违规 (2 × 2), space, 1, space, 项 (2)
    assert layout.display_width("ab\n违规违规") == 8


def test_wrapping_breaks_at_spaces_and_between_chinese_characters():
    assert layout.wrap("inquiry Q-002 was due a reply by 2026-10-13 09:00:00", 20) == [
        "inquiry Q-002 was", "due a reply by", "2026-10-13 09:00:00"]
    # 10 columns hold 5 Chinese characters; the closing mark ， stays with the character before it.
    assert layout.wrap("咨询答复时间：超出时限，应当改正", 10) == ["咨询答复时", "间：超出时", "限，应当改", "正"]


def test_a_rule_id_in_a_column_breaks_after_its_hyphens_but_a_date_or_an_option_never_does():
    # Pieces: "specialist-" (11), "supervisor-" (11), "in-" (3), "segment" (7). In 16 columns: 11, then 11 + 3 = 14
    # (11 + 11 = 22 would not fit), then 7 (14 + 7 = 21 would not).
    assert layout.wrap("specialist-supervisor-in-segment", 16, hyphens=True) == ["specialist-", "supervisor-in-",
                                                                                   "segment"]
    # "due " (4) and the date (10) make 14 > 12 columns: the date moves down whole; so does the option.
    assert layout.wrap("due 2026-10-13", 12, hyphens=True) == ["due", "2026-10-13"]
    assert layout.wrap("use --fail-on", 10, hyphens=True) == ["use", "--fail-on"]
    # Prose (a message, a note) breaks at spaces only: a rule id named in it moves down whole, to copy ("rules "
    # and the id's 21 columns make 27 > 24), where a column would have kept "rules specialist-in-" (20) together.
    assert layout.wrap("rules specialist-in-segment", 24) == ["rules", "specialist-in-segment"]
    assert layout.wrap("rules specialist-in-segment", 24, hyphens=True) == ["rules specialist-in-", "segment"]


def test_a_word_longer_than_the_line_is_split_never_cut():
    lines = layout.wrap("see samples/ops-support/2026-10/inquiries.csv", 12)
    assert "".join(lines[1:]) == "samples/ops-support/2026-10/inquiries.csv"
    assert all(layout.display_width(line) <= 12 for line in lines)


def test_control_characters_from_export_data_cannot_reach_the_terminal():
    assert layout.wrap("bad\x1b[2Jvalue\ttab", 40) == ["bad\ufffd[2Jvalue tab"]


TEXT = st.text(alphabet=st.sampled_from(list("ab c-,.:") + list("咨询答复，。（）") + ["\n"]), max_size=80)


@given(text=TEXT, columns=st.integers(min_value=2, max_value=30))
# An opening bracket before a space: "（" (2 columns) and "咨" (2) on lines of 2; the bracket kept the space.
@example(text="（ 咨", columns=2)
def test_wrapping_keeps_every_character_and_fits(text, columns):
    lines = layout.wrap(text, columns)
    assert all(layout.display_width(line) <= columns for line in lines)
    # Only spaces (at the breaks) and line breaks are dropped; every other character is kept, in order.
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_counts_read_as_people_write_them():
    assert words.count(1, "violation", "en") == "1 violation"
    assert words.count(2, "violation", "en") == "2 violations"
    assert words.count(1, "invalid value", "en") == "1 invalid value"
    assert words.count(2, "violation", "zh") == "违规 2 项"
    assert words.counts([(1, "violation"), (0, "warning"), (3, "invalid value")], "en") == "1 violation, 3 invalid values"
    assert words.counts([(1, "violation"), (0, "warning")], "zh", keep_zero=True) == "违规 1 项，预警 0 项"


def _table(result, width: int, verbose: bool = False) -> str:
    out = io.StringIO()
    table.write(result, "high", out, verbose=verbose, width=width)
    return out.getvalue()


def _from_column(line: str, column: int) -> str:
    """What ``line`` shows from display column ``column`` on."""
    used = 0
    for i, char in enumerate(line):
        if used >= column:
            return line[i:]
        used += layout.display_width(char)
    return ""


def _messages(text: str, result) -> list[str]:
    """The message column of every finding row, read back from the table (the lines of one row joined)."""
    findings, out, column = list(result.findings), [], None
    for line in text.splitlines():
        if not line.strip():
            column = None  # a block ends; a rule's heading follows
            continue
        marker = f"  {words.status(findings[len(out)].status, result.lang)}  " if len(out) < len(findings) else None
        if marker and line.startswith("  ") and marker in line:  # the next finding's first line
            column = layout.display_width(line[: line.index(marker) + len(marker)])
            out.append(_from_column(line, column))
        elif column is not None and line.startswith("  "):
            out[-1] += "\n" + _from_column(line, column)
    return out


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_table_fits_the_width_and_cuts_no_message(result_en, result_zh, width, lang):
    result = result_en if lang == "en" else result_zh
    text = _table(result, width)
    assert max(layout.display_width(line) for line in text.splitlines()) <= width
    shown = _messages(text, result)
    # Read back column by column, every message is there whole: wrapping only turned spaces into line
    # breaks (and may break between Chinese characters, which need no space).
    assert [m.replace("\n", "").replace(" ", "") for m in shown] == [f.message.replace(" ", "") for f in result.findings]


def test_two_findings_on_a_duplicated_key_say_where_each_is(result_en):
    text = _table(result_en, 100)
    block = text[text.index("EX-9 inquiry-id-unique"):]
    # Q-005 is records 5 and 6 of inquiries.csv: lines 6 and 7 after the header.
    assert "  inquiries.csv:6  violation" in block and "  inquiries.csv:7  violation" in block


def test_the_rules_table_lists_only_what_needs_reading_unless_verbose(result_en):
    short = _table(result_en, 100)
    # Of the 12 rules only meetings-regular found nothing (4 meetings examined, none late).
    assert "\nmeetings-regular " not in short
    assert "… and 1 more that examined records and found nothing (--verbose lists every rule)" in short
    full = _table(result_en, 100, verbose=True)
    # The last column counts records a rule could not judge (shown as Q-007's receipt time is unreadable).
    assert "\nmeetings-regular        EX-3               4             0           0          0             0\n" in full
    assert "… and" not in full.split("\nRules\n")[1]


def test_a_rule_that_examined_nothing_is_named(result_en):
    stats = {**result_en.stats, "meetings-regular": dataclasses.replace(result_en.stats["meetings-regular"], examined=0)}
    text = _table(dataclasses.replace(result_en, stats=stats), 100)
    assert "Examined no record (does the export hold their data?): meetings-regular (EX-3)" in text


def test_chinese_columns_line_up(result_zh):
    text = render("table", result_zh)
    # (The table ends where the note on its last column, 无法判断, or the line on the other rules begins.)
    header, rule, *rows = text.split("\n规则\n")[1].split("\n……")[0].split("\n无法判断：")[0].splitlines()
    # The last column (无效值) is right-aligned: the header and every row end where its dashes end, which
    # holds only when a Chinese character is counted as two columns.
    assert {layout.display_width(line) for line in [header, *rows]} == {len(rule)}
    assert len(rows) == 11


def test_a_warning_and_a_clean_run(result_en):
    clean = dataclasses.replace(result_en, findings=FindingStore.of([]))
    text = _table(clean, 100)
    assert "No findings." in text
    assert text.rstrip().splitlines()[-1] == ("Passed: no finding at or above high · 0 violations, 0 warnings, "
                                              "0 invalid values · exit 0")


def test_width_is_the_terminals_else_fixed(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(layout.shutil, "get_terminal_size", lambda fallback: type("S", (), {"columns": 132})())
    assert layout.width(Terminal()) == 132
    assert layout.width(io.StringIO()) == layout.FIXED_WIDTH == 100
    # A terminal narrower than 80 columns gets 80: the tables need that much.
    monkeypatch.setattr(layout.shutil, "get_terminal_size", lambda fallback: type("S", (), {"columns": 40})())
    assert layout.width(Terminal()) == 80
