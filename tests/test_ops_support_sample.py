"""The ops-support sample: an audit finds exactly the violations the generator injected.

``samples/ops-support/generate.py`` builds a month of clean records and injects
known violations, writing the findings they must produce beside the data. An
audit that finds one more or one fewer is a bug in the pack, the engine or the
generator; and the bundled export must be what the generator writes, so it
never goes stale.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from support import shipped

import clausewise

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "ops-support"
BUNDLED = SAMPLES / "2026-10"
END_OF_MONTH = datetime(2026, 11, 1)
CHAPTERS = {"OS-2", "OS-3", "OS-4", "OS-5", "OS-6"}


# The policy's id in every test id, so that `pytest -k ops-support` selects these too.
@pytest.fixture(scope="module", params=["ops-support"])
def policy(request):
    return shipped(f"{request.param}.yaml")


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("ops_support_generate", SAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def found(result) -> set[tuple[str, str, str]]:
    return {(f.rule, _where(f.key, f.group), f.status) for f in result.findings}


def expected(folder: Path) -> set[tuple[str, str, str]]:
    items = json.loads((folder / "expected-findings.json").read_text(encoding="utf-8"))
    return {(f["rule"], _where(f.get("key"), f.get("group")), f["status"]) for f in items}


def _where(key, group) -> str:
    if group is None:
        return key
    grouped = json.dumps(group, sort_keys=True, ensure_ascii=False)
    return grouped if key is None else f"{key} {grouped}"  # a rule judged per month names both


@pytest.mark.parametrize(("rows", "seed"), [(60, 11), (150, 12), (400, 13)])
def test_audit_finds_exactly_the_injected_violations(policy, generator, tmp_path, rows, seed):
    generator.main(["--out", str(tmp_path), "--rows", str(rows), "--seed", str(seed)])
    result = clausewise.audit(policy, tmp_path, as_of=END_OF_MONTH)
    wanted = expected(tmp_path)
    assert len(wanted) > 50
    assert found(result) == wanted


def test_twenty_thousand_rows_are_written_quickly_and_audit_exactly(policy, generator, tmp_path):
    # The generator builds its large datasets column-wise: 20,000 inquiries (and about
    # 13,000 applications, 9,000 follow-ups, 6,700 problems) take about a second, where
    # a per-record loop took minutes. 15 s leaves room for a busy machine.
    began = time.perf_counter()
    generator.main(["--out", str(tmp_path), "--rows", "20000", "--seed", "14"])
    assert time.perf_counter() - began < 15
    assert sum(1 for _ in (tmp_path / "inquiries.csv").open(encoding="utf-8")) > 20000  # header + 20,000 + injected
    result = clausewise.audit(policy, tmp_path, as_of=END_OF_MONTH)
    assert found(result) == expected(tmp_path)


def test_the_next_month_carries_findings_over(policy, generator, tmp_path):
    october, november = tmp_path / "2026-10", tmp_path / "2026-11"
    generator.main(["--out", str(october), "--rows", "60", "--seed", "21"])
    generator.main(["--out", str(november), "--rows", "60", "--seed", "21", "--month", "2026-11"])
    before = clausewise.audit(policy, october)
    after = clausewise.audit(policy, november)
    assert after.as_of == datetime(2026, 12, 1)
    assert found(before) == expected(october) and found(after) == expected(november)
    old, new = fingerprints(before), fingerprints(after)
    carried = {(f["rule"], _where(f.get("key"), f.get("group")))
               for f in json.loads((november / "expected-findings.json").read_text(encoding="utf-8")) if f["carried"]}
    assert {(rule, where) for rule, _, _, where in old & new} == carried
    # Persisting: 5 staff records keep their defects (supervisor of another segment, no
    # written test, career plan not reviewed, level off its track, month 13 in the hire
    # date), the inquiry of October now answered late and the risk whose indicator still
    # breaches: 7. Each month expects 65 findings, so 65 - 7 = 58 are new in November
    # (among them the October problem now overdue and the October application reviewed
    # late) and 65 - 7 = 58 of October's are resolved (among them the early warning on the P2
    # problem, resolved in time on 1 November).
    assert (len(old), len(new), len(old & new)) == (65, 65, 7)
    assert len(new - old) == 58 and len(old - new) == 58


def fingerprints(result) -> set[tuple[str, str, str, str]]:
    """(rule, clause, dataset, record key or aggregate group): what a monthly comparison matches on."""
    return {(f.rule, f.clause, f.dataset, _where(f.key, f.group)) for f in result.findings}


def test_a_clean_export_has_no_findings(policy, generator, tmp_path):
    generator.main(["--out", str(tmp_path), "--rows", "120", "--seed", "5", "--no-violations"])
    result = clausewise.audit(policy, tmp_path, as_of=END_OF_MONTH)
    assert expected(tmp_path) == set()
    assert [f.message for f in result.findings] == []
    # "No findings" because every rule looked at records, not because none ran:
    # only quarterly results are absent from a mid-quarter month.
    idle = {r.id for r in policy.rules if result.stats[r.id].examined == 0}
    assert idle == {"appraisal-quarter-from-months"}


def test_bundled_sample_is_what_the_generator_writes(policy, generator, tmp_path):
    generator.main(["--out", str(tmp_path)])
    names = sorted(p.name for p in BUNDLED.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        if name.endswith(".xlsx"):  # zip bytes may differ across openpyxl versions; the cells may not
            assert _cells(BUNDLED / name) == _cells(tmp_path / name), name
        else:
            assert (BUNDLED / name).read_bytes() == (tmp_path / name).read_bytes(), f"{name} is stale; rerun generate.py"


def _cells(path: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_bundled_sample_audit_covers_every_chapter(policy):
    result = clausewise.audit(policy, BUNDLED)
    assert result.as_of == END_OF_MONTH  # from export.yaml: period 2026-10
    assert found(result) == expected(BUNDLED)
    chapters = {policy.clauses[f.clause].chapter for f in result.findings}
    assert chapters >= CHAPTERS
    assert {f.status for f in result.findings} == {"violation", "warning", "invalid"}
    _fits_a_120_column_terminal_and_places_every_record(result, "en")  # the README's first command


# ---- the audit period -------------------------------------------------------------------------
# The rules that judge a month at a time: two with `per: month`, four aggregates by month.
MONTHLY = {"staff-appraised-monthly", "specialist-trained-monthly"}


def _monthly(policy) -> set[str]:
    return MONTHLY | {r.id for r in policy.rules if r.kind == "aggregate" and (r.spec.period or {}).get("unit") == "month"}


def test_end_of_october_judges_october_and_nothing_else(policy):
    # period: 2026-10 in export.yaml; the as-of is its end, 2026-11-01 00:00, so October
    # has ended and is judged; every month-by-month finding names October.
    result = clausewise.audit(policy, BUNDLED)
    assert (result.period.label, result.period.source) == ("2026-10", "period in export.yaml")
    by_month = [f for f in result.findings if f.rule in _monthly(policy)]
    assert {f.rule for f in by_month} >= MONTHLY
    assert {(f.group or {}).get("period") for f in by_month} == {"2026-10"}
    assert all(result.stats[r].pending == () for r in _monthly(policy))


def test_the_readme_as_of_before_october_ends_judges_no_month(policy):
    # The README's `--as-of 2026-10-31` is that day's midnight: October (the audit
    # period) has not ended, so no month is judged — September lies outside the period,
    # October is "not judged yet" — and no finding speaks of either month.
    result = clausewise.audit(policy, BUNDLED, as_of=datetime(2026, 10, 31))
    assert result.period.label == "2026-10"
    assert [f for f in result.findings if f.rule in _monthly(policy)] == []
    # (Deadline findings may still show September times: an inquiry received on
    # 24 September and answered late in October is October's record.)
    assert not [f.message for f in result.findings if "in 2026-09" in f.message or "2026-09" in str(f.group)]
    assert {r: result.stats[r].pending for r in _monthly(policy)} == {r: ("2026-10",) for r in _monthly(policy)}
    # Records of 31 October are later than that midnight: the run says so.
    assert len(result.warnings) == 1 and "before the export's latest timestamp" in result.warnings[0]
    # The table says which rules wait for October, in one line per set of periods.
    import io

    from clausewise.report import table

    out = io.StringIO()
    table.write(result, "high", out)
    text = " ".join(out.getvalue().split())  # the line wraps at the terminal's width
    waiting = text.split("Not judged yet, as 2026-10 had not ended at the as-of time: ")[1].split(" … ")[0]
    assert set(waiting.split(", ")) == _monthly(policy)
    # The CI formats say it too: JUnit skips each of them with the reason, Markdown has the same line,
    # and none of them counts as having examined anything on the scorecard.
    from xml.etree import ElementTree

    from support import render

    cases = {c.get("name"): c for c in ElementTree.fromstring(render("junit", result)).iter("testcase")}
    skipped = {name.split(":")[0] for name, c in cases.items()
               if (s := c.find("skipped")) is not None and s.get("message") == "not judged yet: 2026-10 had not "
               "ended at the as-of time"}
    assert skipped == _monthly(policy)
    markdown = render("markdown", result)
    line = next(x for x in markdown.splitlines() if x.startswith("Not judged yet, as 2026-10"))
    assert set(line.split(": ", 1)[1].split(", ")) == _monthly(policy)
    stats = result.stats
    assert all(stats[r].none_judged for r in _monthly(policy))


def test_a_period_given_on_the_command_line_wins_over_export_yaml(policy):
    # --period 2026-09 for the October export: September has ended by the as-of (its
    # end, 2026-10-01 00:00) and is judged, so each monthly obligation is checked
    # for September against records the export does not hold for it — which is why
    # the period is the officer's statement, stated in every report.
    result = clausewise.audit(policy, BUNDLED, period="2026-09")
    assert (result.period.label, result.period.source) == ("2026-09", "given")
    assert result.as_of == datetime(2026, 10, 1)
    assert {(f.group or {}).get("period") for f in result.findings if f.rule in MONTHLY} == {"2026-09"}


def test_months_of_the_period_the_export_does_not_cover_are_a_warning(policy):
    # --period 2026-Q4 for the October export: the as-of is the end of the quarter,
    # 2027-01-01 00:00, so October, November and December have all ended and are judged;
    # the export's timestamps reach 31 October at the latest, so November and December
    # hold no record, and the run says so rather than only failing their obligations.
    result = clausewise.audit(policy, BUNDLED, period="2026-Q4")
    assert result.as_of == datetime(2027, 1, 1)
    assert result.warnings == (
        "the export holds no record dated in 2026-11, 2026-12, which the audit period 2026-Q4 holds and "
        "which are judged all the same: check that the period is right",)
    # September (the test above) holds records of the October export (inquiries received late
    # in September): no such warning, only that its end is before October's records.
    assert [w.split(":")[0] for w in clausewise.audit(policy, BUNDLED, period="2026-09").warnings] == [
        "the as-of time 2026-10-01 00"]


# ---- the README's first command, on a terminal -------------------------------------------------

def test_the_readme_first_command_in_chinese_fits_a_120_column_terminal(policy):
    """(In English: test_bundled_sample_audit_covers_every_chapter, which audits the sample already.)"""
    with clausewise.audit(policy, BUNDLED, lang="zh") as result:
        _fits_a_120_column_terminal_and_places_every_record(result, "zh")


def _fits_a_120_column_terminal_and_places_every_record(result, lang: str) -> None:
    """`clausewise audit samples/ops-support/2026-10 --policy policies/ops-support.yaml` (and with --lang zh) on a
    120-column terminal: no line is wider, a Chinese character counting two columns."""
    import io

    from clausewise.report import layout, table

    out = io.StringIO()
    table.write(result, "high", out, width=120)
    text = out.getvalue()
    assert max(layout.display_width(line) for line in text.splitlines()) <= 120
    # A record judged once a month is placed in its file and named with its period: E050 is record 50 of
    # staff.xlsx (the generator's 50th employee), judged for 2026-10.
    place = {"en": "staff.xlsx record 50", "zh": "staff.xlsx 第 50 条记录"}[lang]
    assert re.search(rf"\n  {place} +\S+ .*\n  E050, period=2026-10\b", text)
    # The rules table's "not judged" column is said in words, and the scorecard's last column has a heading.
    note = {"en": "not judged: records a rule left out because a value it needs is unreadable",
            "zh": "无法判断：规则所需的值无法读取、因而未判断的记录"}[lang]
    assert note in text.replace("\n    ", " " if lang == "en" else "")
    assert re.search({"en": r"\nchapter +clauses breached +score +band +failing +note\n",
                      "zh": r"\n章节 +违反条款 +得分 +等级 +不通过 +说明\n"}[lang], text)
