"""The HTML report: structure and content without a browser, then rendering in headless Chromium.

The browser tests need Debian's ``chromium`` on PATH and are skipped without it.
They keep what they rendered in ``test-artifacts/`` at the repository root
(git-ignored): the report and a screenshot to look at.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import render

from clausewise.cli import cli
from clausewise.engine.findings import FindingStore
from clausewise.model import STATUSES, RunResult, severity_rank
from clausewise.report import html
from clausewise.scorecard import scorecard

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CHROMIUM = shutil.which("chromium")


@dataclasses.dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Node] = dataclasses.field(default_factory=list)
    text: str = ""

    def iter(self, tag: str | None = None, **attrs: str):
        """This node and those below it, by tag and attribute values (``class_`` for class, ``data_k`` for data-k)."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        if (tag is None or self.tag == tag) and all(self.attrs.get(k) == v for k, v in wanted.items()):
            yield self
        for child in self.children:
            yield from child.iter(tag, **attrs)

    def find(self, tag: str | None = None, **attrs: str) -> Node:
        return next(self.iter(tag, **attrs))

    def all_text(self) -> str:
        return self.text + "".join(c.all_text() for c in self.children)


class Page(HTMLParser):
    """A strict tree builder: every element must be closed, in order, as the template writes them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.feed(text)
        self.close()
        assert len(self.stack) == 1, f"unclosed: {[n.tag for n in self.stack[1:]]}"

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}> at line {self.getpos()[0]}"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].text += data


def page(text: str) -> Node:
    return Page(text).root


def rows(doc: Node) -> list[Node]:
    return list(doc.find("table", id="findings-table").find("tbody").iter("tr"))


# ---- without a browser ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["result_en", "result_zh", "grades_result"])
def test_well_formed_with_the_policy_and_every_finding(name, request):
    result = request.getfixturevalue(name)
    doc = page(render("html", result, "high"))
    assert doc.find("html").attrs["lang"] == html.LANG_TAGS[result.lang]
    assert doc.find("header").find("code").text == result.policy.id
    assert result.policy.title.get(result.lang) in doc.find("title").text
    assert [r.find("code").text for r in rows(doc)] == [f.rule for f in result.findings]
    ids = [n.attrs["id"] for n in doc.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", ["result_en", "grades_result"])
def test_loads_nothing_and_says_so_in_its_content_security_policy(name, request):
    text = render("html", request.getfixturevalue(name), "high")
    doc = page(text)
    assert not re.search(r"https?://", text, re.I)
    assert not list(doc.iter("link")) and not list(doc.iter("img")) and not list(doc.iter("iframe"))
    for node in doc.iter():
        for attr in ("src", "href", "xlink:href", "action", "srcset"):
            assert node.attrs.get(attr) is None or node.attrs[attr].startswith("#"), (node.tag, attr, node.attrs[attr])
    styles = "".join(n.text for n in doc.iter("style"))
    assert "url(" not in styles and "@import" not in styles
    csp = doc.find("meta", **{"http-equiv": "Content-Security-Policy"}).attrs["content"]
    assert csp.startswith("default-src 'none';")


def test_headline_figures_and_verdict(result_en):
    doc = page(render("html", result_en, "high"))
    figures = [n.text for n in doc.find("section", id="summary").iter("div", class_="figure")]
    counts = result_en.counts()
    records = sum(d.rows for d in result_en.data_files)
    assert figures == [str(n) for n in (counts["violation"], counts["warning"], counts["invalid"], len(result_en.rules_run) + 1, records)]
    verdict = doc.find("div", class_="card verdict fail").all_text()
    assert f"{result_en.failing_count('high')} findings at or above “high”" in verdict and "exit code 1" in verdict
    assert "exit code 0" in page(render("html", result_en, "never")).find("div", class_="card verdict pass").all_text()


def test_a_finding_opens_to_its_dataset_row_source_due_at_and_evidence(result_en):
    f = next(f for f in result_en.findings if f.due_at is not None)
    row = rows(page(render("html", result_en, "high")))[list(result_en.findings).index(f)]
    details = row.find("details")
    assert details.find("summary").text == f.message
    facts = dict(zip([n.all_text() for n in details.iter("dt")], [n.all_text() for n in details.iter("dd")]))
    assert facts["Dataset"] == f.dataset and facts["Row"] == str(f.row)
    assert facts["Due at"] == f.due_at.isoformat(sep=" ")
    assert facts["Source"] == f"examples/example-export/inquiries.csv:{f.row + 1}"
    for name, value in f.evidence.items():
        assert facts[name] == ("—" if value is None else str(value))


def test_rows_carry_what_the_filters_and_sorting_read(result_en):
    for f, row in zip(result_en.findings, rows(page(render("html", result_en, "high")))):
        assert (row.attrs["data-status"], row.attrs["data-severity"], row.attrs["data-clause"]) == (f.status, f.severity, f.clause)
        assert [c.attrs.get("data-k") for c in row.children[4:6]] == [str(STATUSES.index(f.status)), str(severity_rank(f.severity))]


def test_export_data_stays_text(result_en):
    evil = result_en.findings[0]._replace(message="<script>alert(1)</script>", evidence_json=json.dumps({"value": '"><img src=x onerror=alert(2)>'}))
    text = render("html", dataclasses.replace(result_en, findings=FindingStore.of([evil])), "high")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    doc = page(text)
    assert len(list(doc.iter("script"))) == 2 and not list(doc.iter("img"))


def test_charts_are_drawn_to_scale(result_en):
    doc = page(render("html", result_en, "high"))
    chart = doc.find("section", id="clauses")
    bars = {row.find("span", class_="id").text: row for row in chart.find("table").find("tbody").iter("tr")}
    widths = {cid: sum(float(r.attrs["width"]) for r in row.iter("rect")) for cid, row in bars.items()}
    totals = {cid: sum(1 for f in result_en.findings if f.clause == cid) for cid in bars}
    biggest = max(totals.values())
    assert widths == pytest.approx({cid: 100 * n / biggest for cid, n in totals.items()}, abs=0.01)
    arcs = [float(c.attrs["stroke-dasharray"].split()[0]) for c in chart.find("svg", class_="donut").iter("circle") if "stroke-dasharray" in c.attrs]
    assert sum(arcs) == pytest.approx(100)
    # The first scorecard table has the whole run (an empty id), then the chapters; a bar is its score long.
    scores = {("" if line.scope == "overall" else line.id): line.score for line in scorecard(result_en, "high")
              if line.scope in ("overall", "chapter")}
    card = doc.find("section", id="scorecard").find("table")
    drawn = {(row.find("span", class_="id").text or ""): float(row.find("rect").attrs["width"])
             for row in card.find("tbody").iter("tr")}
    assert drawn == scores


def test_early_warnings_count_once_in_their_own_segment(edge_result):
    doc = page(render("html", edge_result, "high"))
    chapter = next(r for r in doc.find("section", id="clauses").find("tbody").iter("tr") if r.find("span", class_="id").text == "EX-1")
    # EX-1: 6 violations (4 high: contact, recorded, reply clock, reply deadline; 2 medium: channel,
    # times in order), the added early warning, no invalid value (those are EX-9's).
    assert [td.text for td in chapter.iter("td", class_="num")] == ["6", "1", "0"]
    assert [r.attrs["class"] for r in chapter.iter("rect")] == ["seg-high", "seg-medium", "seg-warning"]
    assert doc.find("text", class_="donut-total").text == str(len(edge_result.findings))


def test_grade_distributions_show_every_band_in_the_policys_order(grades_result):
    doc = page(render("html", grades_result, "high"))
    charts = {t.find("caption").find("code").text: t for t in doc.find("section", id="grades").iter("table", class_="chart grade")}
    grade = charts["appraisal_scores.grade"]
    counted = [(r.find("th").text, r.find("rect").attrs["width"], r.find("td", class_="num").text) for r in grade.find("tbody").iter("tr")]
    assert counted == [("excellent", "100.0", "1"), ("good", "0.0", "0"), ("qualified", "0.0", "0"), ("unqualified", "0.0", "0"), ("—", "100.0", "1")]
    groups = doc.find("section", id="scorecard").iter("details")
    assert [d.find("summary").text for d in groups] == ["Clauses (3)", "employee (2)"]


def test_each_computed_value_says_why(grades_result):
    doc = page(render("html", grades_result, "high")).find("section", id="grades")
    listed = doc.find("table", class_="plain grade-values")
    # 2 results + 3 risks + 5 appraisals + 2 appraisal scores + 2 quarterly scores = 14 records.
    assert doc.find("details").find("summary").text == "Computed values and why (14 records)"
    cells = [[td.all_text() for td in r.iter("td")] for r in listed.find("tbody").iter("tr")]
    rows = {(c[0], c[1], c[2]): c[4] for c in cells}
    # E2 has no self evaluation, so its score is unknown and its grade has no band, and both say why.
    assert rows[("appraisal_scores", "E2", "grade")] == 'no band: score unknown; no record with evaluator_type "self"'
    assert rows[("risks", "R2", "computed_grade")] == "medium: risk_score 8 in [8, 15)"


def test_run_metadata(result_en):
    doc = page(render("html", result_en, "high")).find("section", id="run")
    meta = dict(zip([n.text for n in doc.find("dl").iter("dt")], [n.all_text() for n in doc.find("dl").iter("dd")]))
    assert meta["Content hash"] == result_en.policy.content_hash
    assert meta["As of"] == "2026-11-01 09:00:00" and meta["As-of source"] == result_en.as_of_source
    assert meta["Timezone"] == "Asia/Shanghai" and meta["Version"] == "2026.11"
    files, rules_run = doc.iter("table")
    cells = [[c.all_text() for c in r.iter("td")] for r in files.find("tbody").iter("tr")]
    # dataset, file, format, encoding, rows, columns not declared, optional columns missing ("—" for none)
    assert [(c[0], c[1], c[4], c[5], c[6]) for c in cells] == [(d.dataset, d.path, str(d.rows), "—", "—")
                                                               for d in result_en.data_files]
    assert {r.find("code").text for r in rules_run.find("tbody").iter("tr")} == {*result_en.rules_run, "data-quality"}


def test_every_fixed_word_in_both_languages(result_zh):
    def shape(words):
        return {k: shape(v) if isinstance(v, dict) else None for k, v in words.items()}

    assert shape(html._WORDS["en"]) == shape(html._WORDS["zh"])
    doc = page(render("html", result_zh, "high"))
    for heading in doc.iter("h2"):
        assert re.search(r"[\u4e00-\u9fff]", heading.all_text()), heading.all_text()


def cycle_result(result_en) -> RunResult:
    """The example run as after --waivers and --baseline: a waived finding, states, a resolved one, a trend."""
    from datetime import date, datetime

    from clausewise.model import Baseline, TrendPoint, Waiver, WaiverUse

    waiver = Waiver("W-<1>", "inquiry-channel", None, None, ("Q-003",), None, None, "Li <b>", "agreed <i>channel</i>",
                    None, date(2026, 12, 31))
    expired = dataclasses.replace(waiver, id="W-2", expires=date(2026, 10, 1))
    findings = [f._replace(baseline="persisting" if i == 0 else "new",
                           waiver_json=json.dumps(waiver.to_dict()) if f.rule == "inquiry-channel" else None)
                for i, f in enumerate(result_en.findings)]
    gone = result_en.findings[1]._replace(key="Q-900", baseline="resolved")
    base = Baseline(1, datetime(2026, 10, 1), "2026.10", {"EX-1": {"new": 6, "persisting": 1, "resolved": 1}},
                    FindingStore.of([gone]))
    trend = (TrendPoint(1, datetime(2026, 10, 1), None, {"EX-1": {"violation": 4}}),
             TrendPoint(None, datetime(2026, 11, 1), None, {"EX-1": {"violation": 7}, "EX-2": {"violation": 4}}))
    return dataclasses.replace(result_en, findings=FindingStore.of(findings), baseline=base, trend=trend,
                               waivers=(WaiverUse(waiver, "used", 1, 1), WaiverUse(expired, "expired", 2, 0)))


def test_the_monthly_cycle_sections(result_en):
    result = cycle_result(result_en)
    doc = page(render("html", result))
    lines = [p.text for p in doc.iter("p", class_="cycle-line")]
    assert lines[0] == "compared with run 1 (as of 2026-10-01 00:00:00): 6 new, 1 persisting, 1 resolved"
    assert lines[1] == "1 finding waived: W-<1> (1)" and lines[2].startswith("expired waiver W-2 (last day 2026-10-01")
    assert lines[2].endswith("it matches 2 findings")
    waivers = doc.find("table", class_="plain waivers")
    assert [r.find("code").text for r in waivers.find("tbody").iter("tr")] == ["W-<1>", "W-2"]
    badge = doc.find("span", class_="st waived")
    assert badge.text == "waived W-<1>" and badge.attrs["title"] == "agreed <i>channel</i> (Li <b>)"
    table = rows(doc)
    assert [r.attrs["data-since"] for r in table] == ["persisting"] + ["new"] * (len(table) - 1)
    assert doc.find("select", name="since") is not None
    resolved = doc.find("table", class_="plain resolved")
    assert [td.text for td in resolved.find("tbody").find("tr").iter("td")][2] == "Q-900"
    trend = doc.find("section", id="trend")
    first = [r for r in trend.find("tbody").iter("tr")]
    # All clauses: 4 then 7 + 4 = 11; EX-1 4 then 7; EX-2 0 then 4. A line rises from y 19 (none) to 1
    # (its largest); 4 of 11 is at 20 - 1 - 18 × 4/11 = 12.455.
    assert [[td.text for td in r.iter("td", class_="num")] for r in first] == [["4", "11"], ["4", "7"], ["0", "4"]]
    assert first[0].find("polyline").attrs["points"] == "0.0,12.455 100.0,1.0"
    assert first[2].find("polyline").attrs["points"] == "0.0,19.0 100.0,1.0"


def test_clean_run_without_scorecard(result_en):
    # scorecard() gives [] for a policy without a scorecard (today every loaded policy has one).
    policy = dataclasses.replace(result_en.policy, scorecard=None)
    doc = page(render("html", dataclasses.replace(result_en, policy=policy, findings=FindingStore.of([])), "high"))
    assert doc.find("p", class_="empty").text == "No findings."
    assert not list(doc.iter("section", id="scorecard")) and not list(doc.iter("table", id="findings-table"))


def test_size_grows_about_as_the_json_report_does(result_en):
    """A few thousand findings must stay a file one can mail: per finding, within 2.2 × the JSON report's compact line."""

    def per_finding(fmt):
        # 20 more copies of each finding: what each adds to the file (the page's fixed part cancels out).
        big = dataclasses.replace(result_en, findings=FindingStore.of(list(result_en.findings) * 21))
        return (len(render(fmt, big)) - len(render(fmt, result_en))) / (len(result_en.findings) * 20)

    assert per_finding("html") < 2.2 * per_finding("json")


def test_a_large_run_lists_the_first_findings_and_says_so(result_en, monkeypatch):
    monkeypatch.setattr(html, "MAX_FINDINGS", 4)
    doc = page(render("html", result_en))
    assert len(rows(doc)) == 4
    total = len(result_en.findings)
    assert doc.find("p", class_="capped").text == (
        f"This page lists the first 4 of {total} findings; the json, jsonl, csv and sarif formats list them all."
    )


def test_cli_writes_the_report(root, tmp_path):
    target = tmp_path / "report.html"
    outcome = CliRunner().invoke(cli, ["audit", "examples/example-export", "-p", "policies/example.yaml", "-f", "html", "-o", str(target)])
    assert outcome.exit_code == 1, outcome.output
    assert page(target.read_text(encoding="utf-8")).find("h1").text == "Help desk example policy"


# ---- in headless Chromium -------------------------------------------------------------

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not on PATH (apt-get install -y chromium)")


def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium with nothing reaching out to the network; its stdout."""
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def rendered(tmp_path: Path, report: Path, fragment: str = "") -> Node:
    """The DOM after the page's scripts ran; asserts they ran to the end without an error."""
    doc = page(chromium(tmp_path, "--dump-dom", report.as_uri() + fragment))
    body = doc.find("body")
    assert body.attrs.get("data-js-ready") == "1", "the report's script did not run to its end"
    assert body.attrs.get("data-js-errors") == "0", f"{body.attrs.get('data-js-errors')} script errors or blocked loads"
    return doc


def _report(result, lang: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"report-example-{lang}.html"
    path.write_text(render("html", result, "high"), encoding="utf-8")
    return path


@pytest.fixture
def example_report(result_en) -> Path:
    return _report(result_en, "en")


@needs_chromium
@pytest.mark.parametrize(("lang", "shown"), [("en", "{n} of {n} shown"), ("zh", "显示 {n} / {n} 项")])
def test_renders_in_chromium_with_charts_and_a_screenshot(result_en, result_zh, tmp_path, lang, shown):
    result = result_en if lang == "en" else result_zh
    report = _report(result, lang)
    doc = rendered(tmp_path, report)
    assert doc.find("form", id="filters").attrs.get("hidden") is None
    total = len(result.findings)
    assert doc.find("output", id="shown").text == shown.format(n=total)
    for section in ("clauses", "scorecard"):
        bars = list(doc.find("section", id=section).iter("svg", class_="bar"))
        assert bars and any(float(r.attrs["width"]) > 0 for bar in bars for r in bar.iter("rect"))
    # Kept in test-artifacts/ for a person to look at, in both languages.
    shot = ARTIFACTS / f"report-example-{lang}.png"
    shot.unlink(missing_ok=True)
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


@needs_chromium
def test_filters_and_sort_from_the_url_fragment(example_report, result_en, tmp_path):
    doc = rendered(tmp_path, example_report, "#status=violation&severity=medium&sort=record&desc=1")
    visible = [r for r in rows(doc) if "hidden" not in r.attrs]
    expected = [f for f in result_en.findings if f.status == "violation" and f.severity == "medium"]
    assert len(visible) == len(expected) and doc.find("output", id="shown").text.startswith(f"{len(expected)} of ")
    records = [r.children[3].text for r in visible]
    assert records == sorted(records, key=str.casefold, reverse=True)  # as Intl.Collator orders them
    assert doc.find("th", data_key="record").attrs["aria-sort"] == "descending"


@needs_chromium
@pytest.mark.parametrize("injected", [
    "<script>undefinedFunction();</script>",
    '<img src="https://example.invalid/tracker.png" alt="">',
])
def test_a_script_error_or_a_blocked_load_is_counted(example_report, tmp_path, injected):
    """The error marker the other browser tests rely on does see errors."""
    broken = tmp_path / "broken.html"
    broken.write_text(example_report.read_text(encoding="utf-8").replace("</main>", injected + "</main>"), encoding="utf-8")
    body = page(chromium(tmp_path, "--dump-dom", broken.as_uri())).find("body")
    assert body.attrs.get("data-js-ready") == "1" and int(body.attrs["data-js-errors"]) >= 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_column_of_every_table_has_a_header(result_en, result_zh, lang):
    """The bars of the charts (by clause, grades, trend) and the scorecard's columns are named, in both languages."""
    result = cycle_result(result_en) if lang == "en" else result_zh  # the English one with a trend table too
    doc = page(render("html", result))
    heads = [th for thead in doc.iter("thead") for th in thead.iter("th")]
    # The by-clause chart, the two scorecard tables, the grade charts, the grade list, the findings, the data
    # files and the rules, and in English the trend and the cycle's tables: every table has a header row.
    assert len(list(doc.iter("table"))) == len(list(doc.iter("thead"))) > 5
    assert [th.all_text() for th in heads if not th.all_text().strip()] == []
    if lang == "zh":
        assert all(re.search(r"[\u4e00-\u9fff]", th.all_text()) or th.all_text().strip() in SEVERITY_OR_CODE
                   for th in heads), [th.all_text() for th in heads]


SEVERITY_OR_CODE = {"#"}
