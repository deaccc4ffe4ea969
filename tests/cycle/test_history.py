"""The run history and the monthly comparison: October's sample, then a generated November.

The acceptance test of the cycle: both months audited and recorded, November
compared with October, and the new, persisting and resolved findings checked
against what the sample generator injected and carried over.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from support import sarif_validator

import clausewise
from clausewise.cli import cli
from clausewise.engine.findings import FindingStore, GradeStore
from clausewise.errors import UsageError
from clausewise.history import History, compare, default_path
from clausewise.model import DataFile, Finding, RunResult
from clausewise.report import write

ROOT = Path(__file__).resolve().parents[2]
POLICY = str(ROOT / "policies" / "ops-support.yaml")
WAIVERS = str(ROOT / "samples" / "ops-support" / "waivers.yaml")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# The command loads the ops-support pack from its file each time (a second); here it is loaded once.
pytestmark = pytest.mark.usefixtures("shipped_packs_once")


@pytest.fixture(scope="module")
def recorded(months, ops_policy):
    """October then November audited and recorded (with the sample's waivers) into the default history.

    October by the command; November by the library, compared with the last run, and kept open
    (``recorded["result"]``) for the reports the tests write from it.
    """
    target = months / "2026-10.json"
    done = run("audit", str(months / "2026-10"), "-p", POLICY, "--waivers", WAIVERS, "--record", "-f", "json",
               "-o", str(target))
    assert done.exit_code == 1, done.output
    outputs = {"2026-10": json.loads(target.read_text(encoding="utf-8"))}
    waivers = clausewise.load_waivers(WAIVERS, ops_policy)
    with clausewise.audit(ops_policy, months / "2026-11") as result:
        clausewise.complete(result, waivers, history=default_path(months / "2026-11"), record=True, baseline="last")
        outputs["2026-11"] = json.loads(write(result, "json", "high"))
        yield {**outputs, "result": result}


def expected(folder: Path, policy) -> list[tuple[str, str, str, bool]]:
    """(clause, rule, record, carried) of each finding the generator expects, one per finding."""
    out = []
    for e in json.loads((folder / "expected-findings.json").read_text(encoding="utf-8")):
        rule = policy.rule(e["rule"])
        clause = rule.clause if rule else policy.data_quality_clause
        where = e.get("key") if e.get("group") is None else json.dumps(e["group"], sort_keys=True)
        # A key issued twice is one entry in the file, but the unique rule reports both of its records.
        out += [(clause, e["rule"], where, e["carried"])] * (2 if rule and rule.kind == "unique" else 1)
    return out


def test_the_default_history_lies_beside_the_export_folders(recorded, months):
    assert (months / ".clausewise" / "history.duckdb").is_file()
    assert [recorded[m]["summary"]["recorded_as"] for m in ("2026-10", "2026-11")] == [1, 2]


def test_november_against_october_counts_what_the_generator_carried_over(recorded, months, ops_policy):
    october, november = expected(months / "2026-10", ops_policy), expected(months / "2026-11", ops_policy)
    # 65 entries a month, one of them a problem key issued twice: 66 findings. 7 of November's are
    # carried from October (5 staff defects, the inquiry now answered late, the risk still
    # breaching): they persist; 66 - 7 = 59 are new, and 66 - 7 = 59 of October's are resolved.
    assert (len(october), len(november), sum(c for *_, c in november)) == (66, 66, 7)
    base = recorded["2026-11"]["baseline"]
    assert (base["run"], base["new"], base["persisting"], base["resolved"]) == (1, 59, 7, 59)
    # The same, clause by clause.
    wanted: dict[str, dict[str, int]] = {}
    for clause, *_, carried in november:
        wanted.setdefault(clause, {"new": 0, "persisting": 0, "resolved": 0})["persisting" if carried else "new"] += 1
    for clause, *_ in october:
        wanted.setdefault(clause, {"new": 0, "persisting": 0, "resolved": 0})["resolved"] += 1
    for counts in wanted.values():
        counts["resolved"] -= counts["persisting"]
    assert base["by_clause"] == wanted
    persisting = {(f["rule"], f["key"] if f["group"] is None else json.dumps(f["group"], sort_keys=True))
                  for f in recorded["2026-11"]["findings"] if f["baseline_state"] == "persisting"}
    assert persisting == {(rule, where) for _, rule, where, carried in november if carried}
    assert len(recorded["2026-11"]["resolved"]) == 59
    assert {f["baseline_state"] for f in recorded["2026-11"]["resolved"]} == {"resolved"}


def test_the_sample_waivers_over_october_and_november(recorded):
    def outcome(month: str):
        doc = recorded[month]
        failing = sum(f["status"] != "warning" and f["waiver"] is None for f in doc["findings"])
        return {w["id"]: (w["state"], w["waived"]) for w in doc["waivers"]}, doc["summary"]["waived"], failing

    # 66 findings a month, 3 of them early warnings: 63 would fail at "low". October (as of
    # 2026-11-01): E042's supervisor, E011's career plan and the two findings of the problem key
    # issued twice (WT2610-…) are waived: 63 - 4 fail.
    assert outcome("2026-10") == (
        {"WV-2026-01": ("used", 1), "WV-2026-02": ("used", 1), "WV-2026-03": ("used", 2)}, 4, 63 - 4)
    # November (as of 2026-12-01): WV-2026-02's last day was 2026-11-30, so E011 fails again; the key
    # issued twice is WT2611-…, which WV-2026-03's pattern does not match: only E042 is waived.
    assert outcome("2026-11") == (
        {"WV-2026-01": ("used", 1), "WV-2026-02": ("expired", 0), "WV-2026-03": ("unused", 0)}, 1, 63 - 1)


def test_diff_between_the_recorded_runs_says_the_same(recorded, months):
    history = str(months / ".clausewise" / "history.duckdb")
    doc = json.loads(run("diff", "--history", history, "-f", "json").output)
    assert (doc["old"]["id"], doc["new"]["id"]) == (1, 2)
    assert doc["totals"] == {"new": 59, "persisting": 7, "resolved": 59}
    assert doc["by_clause"] == recorded["2026-11"]["baseline"]["by_clause"]
    assert [len(doc["findings"][s]) for s in ("new", "persisting", "resolved")] == [59, 7, 59]
    assert doc["findings"]["new"] == [f for f in recorded["2026-11"]["findings"] if f["baseline_state"] == "new"]
    table = run("diff", "1", "2", "--history", history).output
    assert "ops-support: run 1 (as of 2026-11-01 00:00:00) → run 2 (as of 2026-12-01 00:00:00)" in table
    assert "59 new, 7 persisting, 59 resolved" in table and "Resolved (59)" in table
    assert "### Resolved (59)" in run("diff", "--history", history, "-f", "markdown").output


def test_history_lists_the_runs_with_totals_and_clauses_over_time(recorded, months):
    history = str(months / ".clausewise" / "history.duckdb")
    doc = json.loads(run("history", "--history", history, "-f", "json").output)
    # October: 66 findings (59 violations, 3 warnings, 4 invalid), 4 waived (E042, E011 and the two
    # findings of WT2610's key issued twice). November: 66, 1 waived (E042; WV-2026-02 expired).
    assert [(r["id"], r["as_of"], r["findings"], r["violation"], r["warning"], r["invalid"], r["waived"])
            for r in doc["runs"]] == [(1, "2026-11-01 00:00:00", 66, 59, 3, 4, 4), (2, "2026-12-01 00:00:00", 66, 59, 3, 4, 1)]
    # OS-2.1 has one finding each month (E042's supervisor, carried over).
    assert doc["by_clause"]["ops-support"]["OS-2.1"] == {"1": 1, "2": 1}
    table = run("history", "--history", history).output
    assert "Runs recorded in" in table and "Findings per clause, ops-support" in table


def test_the_export_files_are_recorded_with_their_hashes(recorded, months):
    with History.open(months / ".clausewise" / "history.duckdb") as store:
        files = {f["dataset"]: f for f in store.files(1)}
    inquiries = months / "2026-10" / "inquiries.csv"
    assert files["inquiries"]["sha256"] == hashlib.sha256(inquiries.read_bytes()).hexdigest()
    assert files["staff"]["format"] == "xlsx" and len(files) == 13


def test_sarif_marks_baseline_states_and_lists_the_absent(recorded):
    log = json.loads(write(recorded["result"], "sarif", "high"))
    sarif_validator().validate(log)
    states = [r["baselineState"] for r in log["runs"][0]["results"]]
    assert (states.count("new"), states.count("unchanged"), states.count("absent")) == (59, 7, 59)
    fingerprints = [r["partialFingerprints"]["clausewise/v1"] for r in log["runs"][0]["results"] if r["baselineState"] != "absent"]
    assert len(set(fingerprints)) == 66  # the key issued twice is told apart by its occurrence, :1 and :2
    assert sum(f.endswith(":2") for f in fingerprints) == 1


def test_fail_on_new_fails_only_on_what_is_new(recorded):
    november = recorded["result"]
    failing = [f for f in recorded["2026-11"]["findings"] if f["status"] != "warning" and f["waiver"] is None
               and f["severity"] in ("critical", "high")]
    new = [f for f in failing if f["baseline_state"] == "new"]
    # Of the findings at "high" or above, those carried from October (the inquiry answered late and
    # the risk still breaching, both high) no longer fail when only new findings do.
    assert november.failing_count("high") == len(failing)
    assert november.findings.failing_count("high", new_only=True) == len(new) == len(failing) - 2
    assert recorded["2026-11"]["summary"]["exit_code"] == 1


def test_fail_on_new_passes_a_run_with_nothing_new(tmp_path, root):
    history = str(tmp_path / "h.duckdb")
    args = ["audit", "examples/example-export", "-p", "policies/example.yaml", "--history", history]
    assert run(*args, "--record", "-q").exit_code == 1
    # The same export compared with its recorded run: nothing is new, so nothing fails, though some are high.
    again = run(*args, "--baseline", "1", "--fail-on-new")
    assert again.exit_code == 0, again.output
    # 9 violations and 3 invalid values as of the latest timestamp (tests/test_cli.py): 12, all persisting.
    assert "compared with run 1 (as of 2026-10-26 10:00:00): 0 new, 12 persisting, 0 resolved" in again.output


def test_the_html_report_shows_states_and_the_trend(recorded):
    page = write(recorded["result"], "html", "high")
    assert '<section id="trend">' in page and '<section id="cycle">' in page
    assert page.count('<span class="st since-new">new</span>') == 59
    assert page.count('<span class="st since-persisting">persisting</span>') == 7
    # The trend: the runs judged before this audit's as-of (run 1), then this audit (recorded as run 2).
    # Each run is headed by its audit period (October, as of 2026-11-01; November, as of 2026-12-01).
    assert 'title="run 1">2026-10</th>' in page and 'title="run 2">2026-11</th>' in page


def test_baseline_last_without_a_history_calls_every_finding_new(example_policy, tmp_path, root):
    export = tmp_path / "export"
    export.mkdir()
    for name in ("inquiries.csv", "followups.jsonl", "meetings.csv"):
        (export / name).write_bytes((ROOT / "examples" / "example-export" / name).read_bytes())
    done = run("audit", str(export), "-p", "policies/example.yaml", "--baseline", "last", "-f", "json")
    doc = json.loads(done.output)
    assert doc["baseline"]["run"] is None and doc["baseline"]["new"] == len(doc["findings"]) == 12  # 9 + 3
    assert {f["baseline_state"] for f in doc["findings"]} == {"new"}
    assert not (tmp_path / ".clausewise").exists()
    assert "no earlier run of this policy recorded: 12 findings, all new" in run(
        "audit", str(export), "-p", "policies/example.yaml", "--baseline", "last").output


# ---- matching findings that share a fingerprint ------------------------------------------------


def _result(example_policy, as_of: datetime, findings: list[Finding]) -> RunResult:
    return RunResult(policy=example_policy, as_of=as_of, as_of_source="given", lang="en",
                     findings=FindingStore.of(findings), stats={}, data_files=[], export_dir="export",
                     engine_version="test", rules_run=("inquiry-channel", "inquiry-contact"), grades=GradeStore())


def _finding(key: str, rule: str = "inquiry-channel", message: str = "m") -> Finding:
    return Finding(rule, "EX-1", "inquiries", key, "violation", "medium", message)


def test_findings_sharing_a_fingerprint_are_matched_by_count(example_policy, tmp_path):
    old = [_finding("A"), _finding("A"), _finding("B"), _finding("B"), _finding("B"), _finding("C")]
    new = [_finding("A", message="reworded"), _finding("A"), _finding("A"), _finding("B"), _finding("D")]
    path = tmp_path / "h.duckdb"
    with History.open(path, write=True) as store:
        store.record(_result(example_policy, datetime(2026, 10, 1), old))
        store.record(_result(example_policy, datetime(2026, 11, 1), new))
        first, second = store.runs()
        comparison = compare(store, first, second, tmp_path, states=("new", "persisting", "resolved"))
    # A: 2 then 3 → 2 persist, 1 new (the message does not count). B: 3 then 1 → 1 persists, 2
    # resolved. C: resolved. D: new. New 1 + 1 = 2, persisting 2 + 1 = 3, resolved 2 + 1 = 3.
    assert comparison.totals() == {"new": 2, "persisting": 3, "resolved": 3}
    resolved = FindingStore.from_parquet(comparison.files["resolved"])
    assert [f.key for f in resolved] == ["B", "B", "C"]  # the 2nd and 3rd B, in the old run's order
    new_store = FindingStore.from_parquet(comparison.files["new"])
    assert [f.key for f in new_store] == ["A", "D"]


def test_sarif_numbers_absent_results_after_the_present_ones(example_policy, tmp_path):
    path = tmp_path / "h.duckdb"
    with History.open(path, write=True) as store:
        store.record(_result(example_policy, datetime(2026, 10, 1), [_finding("B"), _finding("B"), _finding("B"),
                                                                     _finding("C")]))
    with _result(example_policy, datetime(2026, 11, 1), [_finding("B")]) as result:
        clausewise.complete(result, history=path, baseline="last")
        results = json.loads(write(result, "sarif", "high"))["runs"][0]["results"]
    b, c = _finding("B"), _finding("C")
    b_print, c_print = (FindingStore.of([f])[0].fingerprint for f in (b, c))
    # B had three findings and has one: the first persists (B:1), the 2nd and 3rd are gone, and keep
    # the numbers they had last month (B:2, B:3), so a code-scanning tool closes those alerts.
    assert [(r["partialFingerprints"]["clausewise/v1"], r["baselineState"]) for r in results] == [
        (f"{b_print}:1", "unchanged"), (f"{b_print}:2", "absent"), (f"{b_print}:3", "absent"), (f"{c_print}:1", "absent")]


def test_recording_the_same_export_again_replaces_the_run(example_policy, tmp_path):
    export = tmp_path / "inquiries.csv"
    export.write_text("inquiry_id\nQ-1\n", encoding="utf-8")
    files = [DataFile("inquiries", str(export), "csv", 1)]
    path = tmp_path / "h.duckdb"
    with History.open(path, write=True) as store:
        first = dataclasses.replace(_result(example_policy, datetime(2026, 11, 1), [_finding("A")]), data_files=files)
        again = dataclasses.replace(first, findings=FindingStore.of([_finding("A"), _finding("B")]))
        assert [store.record(first), store.record(again)] == [(1, False), (1, True)]
        export.write_text("inquiry_id\nQ-1\nQ-2\n", encoding="utf-8")  # another export, same as-of: another run
        assert store.record(again) == (2, False)
        assert [(r.id, r.counts["findings"]) for r in store.runs()] == [(1, 2), (2, 2)]
        assert store.con.execute("SELECT count(*) FROM findings").fetchone()[0] == 4


def test_findings_of_rules_the_newer_run_left_out_are_not_resolved(example_policy, tmp_path):
    old = [_finding("A"), _finding("A", rule="inquiry-contact")]
    with History.open(tmp_path / "h.duckdb", write=True) as store:
        store.record(_result(example_policy, datetime(2026, 10, 1), old))
        newer = dataclasses.replace(_result(example_policy, datetime(2026, 11, 1), []), rules_run=("inquiry-channel",))
        store.record(newer)
        comparison = compare(store, *store.runs(), tmp_path)
    assert comparison.totals() == {"new": 0, "persisting": 0, "resolved": 1}


# ---- opening a history ------------------------------------------------------------------------


def test_a_missing_history_is_an_error_to_read(tmp_path):
    with pytest.raises(UsageError, match="no run history at .*h.duckdb; record audits into it with --record"):
        with History.open(tmp_path / "h.duckdb"):
            pass


def test_another_file_is_not_a_history(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(UsageError, match="notes.txt is not a clausewise run history"):
        with History.open(text, write=True):
            pass
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with pytest.raises(UsageError, match="other.duckdb is not a clausewise run history"):
        with History.open(other):
            pass


def test_a_history_of_another_schema_version_is_refused(tmp_path):
    path = tmp_path / "h.duckdb"
    with History.open(path, write=True) as store:
        store.con.execute("UPDATE history_meta SET value = '99'")
    with pytest.raises(UsageError, match=r"history schema 99, this one reads 1"):
        with History.open(path):
            pass


def test_the_cli_names_a_missing_history_and_an_unknown_run(tmp_path, root):
    missing = run("diff", "--history", str(tmp_path / "none.duckdb"))
    assert missing.exit_code == 2 and "no run history at" in missing.output
    audit = run("audit", "examples/example-export", "-p", "policies/example.yaml", "--history",
                str(tmp_path / "h.duckdb"), "--record", "-q")
    assert audit.exit_code == 1
    unknown = run("audit", "examples/example-export", "-p", "policies/example.yaml", "--history",
                  str(tmp_path / "h.duckdb"), "--baseline", "7")
    assert unknown.exit_code == 2 and "no run 7 in the run history" in unknown.output
    only = run("diff", "--history", str(tmp_path / "h.duckdb"))
    assert only.exit_code == 2 and "run 1 is the first recorded run of policy example; nothing to compare" in only.output
    assert run("audit", "examples/example-export", "-p", "policies/example.yaml", "--rule", "inquiry-channel",
               "--record").exit_code == 2


def test_the_history_may_not_be_an_input_of_the_run(root):
    done = run("audit", "examples/example-export", "-p", "policies/example.yaml", "--history",
               "examples/example-export/inquiries.csv", "--record")
    assert done.exit_code == 2 and "is an input of this run" in done.output
