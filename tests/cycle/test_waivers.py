"""Waivers: checked like rule files, applied after the rules, reported everywhere, failing nothing."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import sarif_validator

import clausewise
from clausewise.cli import cli
from clausewise.engine.waivers import apply
from clausewise.errors import ClauseWiseError
from clausewise.history import History
from clausewise.report import write

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "example-export"
AS_OF = datetime(2026, 11, 1, 9, 0)
# One waiver of each kind of selector, and one of each outcome, for the example pack as of 2026-11-01 09:00.
WAIVERS = """\
waivers:
  - id: W-1
    rule: inquiry-channel
    key: Q-003
    approved_by: Li Wei
    reason: WeChat is an agreed channel until the hotline moves
    reference: EX-DEC-7
    expires: 2026-12-31
  - id: W-2
    clause: EX-2
    group: {period: "2026-10"}
    approved_by: Li Wei
    reason: October's survey reached too few customers to count
    expires: 2026-11-30
  - id: W-3
    rule: inquiry-id-unique
    pattern: "Q-*"
    approved_by: Li Wei
    reason: duplicates from the old system
    expires: 2026-10-31
  - id: W-4
    rule: inquiry-channel
    key: [Q-998, Q-999]
    approved_by: Li Wei
    reason: records that no longer exist
    expires: 2026-12-31
"""


def waivers_file(tmp_path: Path, text: str = WAIVERS) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def waived(example_policy, tmp_path_factory):
    """The example audit with the four waivers applied (writers only read it, so one serves the module)."""
    waivers = clausewise.load_waivers(waivers_file(tmp_path_factory.mktemp("waivers")), example_policy)
    result = clausewise.audit(example_policy, EXAMPLE, as_of=AS_OF)
    apply(result, waivers)
    yield result
    result.close()


# ---- loading ------------------------------------------------------------------------


def test_a_waivers_file_loads_in_file_order_with_every_field(example_policy, tmp_path):
    waivers = clausewise.load_waivers(waivers_file(tmp_path), example_policy)
    assert [w.id for w in waivers] == ["W-1", "W-2", "W-3", "W-4"]
    first = waivers[0]
    assert (first.rule, first.clause, first.keys, first.reference, first.expires) == (
        "inquiry-channel", None, ("Q-003",), "EX-DEC-7", date(2026, 12, 31))
    assert waivers[1].group == {"period": "2026-10"} and waivers[2].pattern == "Q-*"
    assert waivers[3].keys == ("Q-998", "Q-999")
    assert first.location.line == 2  # "- id: W-1" on the file's second line


@pytest.mark.parametrize(("change", "message"), [
    (("rule: inquiry-channel", "rule: inquiry-chanel"),
     ':3:11: unknown rule "inquiry-chanel" — did you mean "inquiry-channel"?'),
    (("clause: EX-2", "clause: EX-22"), ':10:13: unknown clause "EX-22" — did you mean "EX-2"?'),
    (("    approved_by: Li Wei\n    reason: WeChat", "    reason: WeChat"), ':2:5: missing key "approved_by" in waiver "W-1"'),
    (("    reason: records that no longer exist\n", ""), ':21:5: missing key "reason" in waiver "W-4"'),
    (("    expires: 2026-10-31\n", ""), ':15:5: missing key "expires" in waiver "W-3"'),
    (("expires: 2026-10-31", "expires: 2026-10-32"), ':20:14: "2026-10-32" in waiver "W-3" › expires is not a valid date'),
    (("    key: Q-003\n", ""), ':2:5: waiver "W-1" needs one of "key", "group", "pattern"'),
    (("    key: Q-003\n", "    key: Q-003\n    pattern: Q-*\n"), ':2:5: waiver "W-1" takes only one of "key", "group", "pattern", not 2'),
    (("    rule: inquiry-id-unique\n", ""), ':15:5: waiver "W-3" needs at least one of "rule", "clause"'),
    (("id: W-4", "id: W-1"), ':21:9: duplicate waiver id "W-1" (first at '),
    (("clause: EX-2", "clause: EX-2\n    rule: inquiry-channel"), ':10:13: rule "inquiry-channel" cites clause "EX-1", not "EX-2"'),
    (("expires: 2026-12-31\n  - id: W-2", "expires: 2226-12-31\n  - id: W-2"), ':8:14: "2226-12-31" is outside the years 1900 to 2199'),
])
def test_mistakes_are_refused_with_their_place(example_policy, tmp_path, change, message):
    path = waivers_file(tmp_path, WAIVERS.replace(*change, 1))
    with pytest.raises(ClauseWiseError) as caught:
        clausewise.load_waivers(path, example_policy)
    assert message in str(caught.value)


def test_every_mistake_is_reported_at_once(example_policy, tmp_path):
    text = WAIVERS.replace("rule: inquiry-channel", "rule: nope", 1).replace("clause: EX-2", "clause: EX-7")
    with pytest.raises(ClauseWiseError) as caught:
        clausewise.load_waivers(waivers_file(tmp_path, text), example_policy)
    assert [e.location.line for e in caught.value.errors] == [3, 10]


def test_a_policy_file_is_not_a_waivers_file(example_policy):
    with pytest.raises(ClauseWiseError, match=r'policies/example.yaml:1:1: this is not a waivers file \(no "waivers" key\)'):
        clausewise.load_waivers(ROOT / "policies" / "example.yaml", example_policy)


def test_a_waivers_file_among_the_rule_files_is_refused(tmp_path):
    (tmp_path / "policy.yaml").write_text(
        (ROOT / "policies" / "example.yaml").read_text(encoding="utf-8").replace("../rules/example/*.yaml", '"*.yaml"'),
        encoding="utf-8")
    waivers_file(tmp_path)
    with pytest.raises(ClauseWiseError, match=r"waivers.yaml:1:1: this is a waivers file, not a rule file"):
        clausewise.load(tmp_path / "policy.yaml")


def test_the_sample_waivers_file_validates_against_the_published_schema():
    import jsonschema

    from clausewise.policy.yamlfile import load_yaml

    schema = json.loads((ROOT / "schema" / "clausewise.schema.json").read_text(encoding="utf-8"))
    path = ROOT / "samples" / "ops-support" / "waivers.yaml"
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../../schema/clausewise.schema.json")
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(load_yaml(path))
    broken = dict(load_yaml(path), waivers=[{"id": "X", "rule": "r", "key": "k"}])
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)  # no approver, reason, expiry


# ---- applying -------------------------------------------------------------------------


def test_each_waiver_marks_what_it_matches(waived):
    uses = {u.waiver.id: (u.state, u.matched, u.waived) for u in waived.waivers}
    # W-1: the one channel violation. W-2: satisfaction-rate's group period=2026-10 is the only
    # EX-2 finding with a group (the three inquiry-followed-up findings have keys, no group). W-3 expired
    # on 2026-10-31, before the as-of 2026-11-01 09:00, so it waives nothing but matches Q-005's two
    # inquiry-id-unique findings. W-4 matches no key.
    assert uses == {"W-1": ("used", 1, 1), "W-2": ("used", 1, 1), "W-3": ("expired", 2, 0), "W-4": ("unused", 0, 0)}
    marked = [(f.rule, f.key, f.group, f.waiver["id"]) for f in waived.findings if f.waiver]
    assert marked == [("inquiry-channel", "Q-003", None, "W-1"), ("satisfaction-rate", None, {"period": "2026-10"}, "W-2")]
    assert waived.findings[0].waiver == {"id": "W-1", "approved_by": "Li Wei",
                                         "reason": "WeChat is an agreed channel until the hotline moves",
                                         "reference": "EX-DEC-7", "expires": "2026-12-31"}


def test_waived_findings_fail_nothing(waived):
    # 16 findings: 13 violations and 3 invalid values, none a warning (Q-007's unreadable receipt
    # time is an invalid value; the reply deadline cannot judge that record). Failing at "low", all
    # 16 count without waivers; W-1 (medium) and W-2 (high) waive 2: 14 remain. At "high": the 5
    # high findings (inquiry-contact, inquiry-recorded, inquiry-reply-clock, inquiry-reply-deadline,
    # satisfaction-rate) less W-2's: 4.
    assert len(waived.findings) == 16 and waived.counts() == {"violation": 13, "warning": 0, "invalid": 3}
    assert (waived.failing_count("low"), waived.failing_count("high"), waived.waived_count()) == (14, 4, 2)


def test_expiry_is_judged_at_the_as_of_time_through_the_whole_last_day(example_policy, tmp_path):
    waivers = clausewise.load_waivers(waivers_file(tmp_path), example_policy)
    w3 = next(w for w in waivers if w.id == "W-3")  # last day 2026-10-31
    for as_of, state in [(datetime(2026, 10, 31, 23, 59, 59), "used"), (datetime(2026, 11, 1), "expired")]:
        with clausewise.audit(example_policy, EXAMPLE, as_of=as_of) as result:
            apply(result, [w3])
            assert result.waivers[0].state == state
            assert result.waived_count() == (2 if state == "used" else 0)


def test_the_first_waiver_in_the_file_wins_a_finding_two_match(example_policy, tmp_path):
    text = WAIVERS + (
        "  - id: W-5\n    clause: EX-1\n    pattern: Q-00?\n    approved_by: Li Wei\n    reason: everything\n"
        "    expires: 2026-12-31\n"
    )
    waivers = clausewise.load_waivers(waivers_file(tmp_path, text), example_policy)
    with clausewise.audit(example_policy, EXAMPLE, as_of=AS_OF) as result:
        apply(result, waivers)
        uses = {u.waiver.id: (u.matched, u.waived) for u in result.waivers}
        # W-5 matches every EX-1 finding, each about a key Q-00x: channel, contact, recorded, reply
        # clock, reply deadline, times in order: 6 (the data-quality and id-unique findings are of
        # EX-9). Q-003's channel finding is W-1's, listed first: W-5 waives 6 - 1 = 5.
        assert sum(f.clause == "EX-1" for f in result.findings) == 6
        assert uses["W-5"] == (6, 5) and uses["W-1"] == (1, 1)


def test_hostile_waiver_values_stay_data(example_policy, tmp_path):
    hostile = "x'); DROP TABLE __result; SELECT ('\"{}\\"
    quoted = json.dumps(hostile)  # a JSON string is a YAML double-quoted scalar
    text = (
        "waivers:\n"
        f"  - id: W-1\n    rule: inquiry-channel\n    key: [{quoted}, Q-003]\n    approved_by: {quoted}\n"
        f"    reason: {quoted}\n    reference: {quoted}\n    expires: 2026-12-31\n"
        "  - id: W-2\n    rule: inquiry-id-unique\n    pattern: \"Q-*' OR 1=1 --\"\n    approved_by: Li\n"
        "    reason: r\n    expires: 2026-12-31\n"
        f"  - id: W-3\n    rule: satisfaction-rate\n    group: {{period: {quoted}}}\n    approved_by: Li\n"
        "    reason: r\n    expires: 2026-12-31\n"
    )
    waivers = clausewise.load_waivers(waivers_file(tmp_path, text), example_policy)
    assert waivers[0].reason == hostile and waivers[0].keys == (hostile, "Q-003")
    history = tmp_path / "h.duckdb"
    with clausewise.audit(example_policy, EXAMPLE, as_of=AS_OF) as result:
        clausewise.complete(result, waivers, history=history, record=True)
        assert {u.waiver.id: u.matched for u in result.waivers} == {"W-1": 1, "W-2": 0, "W-3": 0}
        doc = json.loads(write(result, "json"))
    assert doc["findings"][0]["waiver"]["reason"] == hostile and len(doc["findings"]) == 16
    with History.open(history) as store:
        assert store.con.execute("SELECT reason, approved_by FROM run_waivers WHERE waiver = 'W-1'").fetchone() == (
            hostile, hostile)


# ---- reports ---------------------------------------------------------------------------


def test_json_reports_each_waiver_and_marks_each_finding(waived):
    doc = json.loads(write(waived, "json", "high"))
    assert doc["summary"]["waived"] == 2 and doc["summary"]["exit_code"] == 1
    assert [(w["id"], w["state"], w["matched"], w["waived"]) for w in doc["waivers"]] == [
        ("W-1", "used", 1, 1), ("W-2", "used", 1, 1), ("W-3", "expired", 2, 0), ("W-4", "unused", 0, 0)]
    assert [f["waiver"]["id"] for f in doc["findings"] if f["waiver"]] == ["W-1", "W-2"]
    assert doc["findings"][0]["waiver"]["approved_by"] == "Li Wei"


def test_jsonl_and_csv_name_the_waiver(waived):
    lines = [json.loads(line) for line in write(waived, "jsonl").splitlines()]
    assert [(f["key"], f["waiver"]["id"]) for f in lines if f["waiver"]] == [("Q-003", "W-1"), (None, "W-2")]
    rows = list(csv.DictReader(io.StringIO(write(waived, "csv"))))
    assert [r["waiver"] for r in rows if r["waiver"]] == ["W-1", "W-2"]


def test_sarif_suppresses_waived_results_and_notes_expired_and_unused_waivers(waived):
    log = json.loads(write(waived, "sarif", "high"))
    sarif_validator().validate(log)
    run = log["runs"][0]
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"]) for r in suppressed][0] == ("inquiry-channel", [{
        "kind": "external", "status": "accepted", "justification": "WeChat is an agreed channel until the hotline moves",
        "properties": {"id": "W-1", "approved_by": "Li Wei", "reference": "EX-DEC-7", "expires": "2026-12-31"}}])
    assert len(suppressed) == 2
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [(n["level"], n["properties"]) for n in notes] == [
        ("warning", {"waiver": "W-3", "state": "expired"}), ("warning", {"waiver": "W-4", "state": "unused"})]
    assert notes[0]["message"]["text"].startswith("expired waiver W-3 (last day 2026-10-31, approved by Li Wei)")
    assert run["properties"]["waived"] == 2


def test_junit_skips_a_rule_whose_findings_are_all_waived(waived):
    import xml.etree.ElementTree as ET

    import xmlschema

    text = write(waived, "junit", "high")
    xmlschema.XMLSchema(str(ROOT / "tests" / "report" / "data" / "junit-10.xsd")).validate(text)
    root = ET.fromstring(text)
    case = next(c for c in root.iter("testcase") if c.get("name").startswith("inquiry-channel:"))
    skipped = case.find("skipped")
    assert case.find("failure") is None
    assert skipped.get("message") == "1 waived: W-1 (WeChat is an agreed channel until the hotline moves)"
    assert skipped.text.startswith("Q-003, row 3: ")
    props = {p.get("name"): p.get("value") for p in root.find("testsuite").iter("property")}
    assert props["waived"] == "2 findings waived: W-1 (1), W-2 (1)"
    assert props["waiver.W-4"].startswith("unused waiver W-4 (approved by Li Wei): it matches no finding")


def test_every_human_report_states_the_waived_and_the_stale(waived):
    for fmt in ("table", "markdown", "html"):
        text = write(waived, fmt, "high")
        assert "2 findings waived: W-1 (1), W-2 (1)" in text, fmt
        assert "expired waiver W-3 (last day 2026-10-31" in text and "unused waiver W-4" in text, fmt
    assert "violation, waived W-1" in write(waived, "table", "high")
    github = write(waived, "github", "high").splitlines()
    channel = next(line for line in github if "inquiry-channel" in line)
    assert channel.startswith("::notice ") and "waived by W-1: WeChat is an agreed channel" in channel
    assert sum(line.startswith("::warning::") for line in github) == 2  # W-3 expired, W-4 unused


def test_reports_in_chinese_state_the_waivers_too(example_policy, tmp_path):
    waivers = clausewise.load_waivers(waivers_file(tmp_path), example_policy)
    with clausewise.audit(example_policy, EXAMPLE, as_of=AS_OF, lang="zh") as result:
        apply(result, waivers)
        text = write(result, "table", "high")
    assert "2 项问题已豁免：W-1（1 项），W-2（1 项）" in text and "豁免 W-3 已过期" in text


# ---- the command line -------------------------------------------------------------------


def test_waiving_every_high_finding_passes_the_run_and_an_expired_waiver_fails_it(root, tmp_path):
    text = textwrap.dedent("""\
        waivers:
          - id: HIGH
            clause: EX-1
            pattern: "Q-00[247]"
            approved_by: Li Wei
            reason: accepted
            expires: {expires}
          - id: SAT
            rule: satisfaction-rate
            group: {{period: "2026-10"}}
            approved_by: Li Wei
            reason: accepted
            expires: 2026-12-31
    """)
    args = ["audit", "examples/example-export", "-p", "policies/example.yaml", "--as-of", "2026-11-01 09:00",
            "--waivers"]
    # The 6 high findings are about Q-002 (reply clock, reply deadline), Q-004 (contact, recorded),
    # Q-007 (reply deadline) and the satisfaction rate of 2026-10: HIGH and SAT waive them all.
    path = tmp_path / "w.yaml"
    path.write_text(text.format(expires="2026-12-31"), encoding="utf-8")
    passed = CliRunner().invoke(cli, [*args, str(path)])
    assert passed.exit_code == 0, passed.output
    path.write_text(text.format(expires="2026-10-31"), encoding="utf-8")
    failed = CliRunner().invoke(cli, [*args, str(path)])
    assert failed.exit_code == 1
    assert "expired waiver HIGH (last day 2026-10-31, approved by Li Wei): it waives nothing now; it matches" in failed.output


def test_a_bad_waivers_file_is_one_line_and_exit_2(root, tmp_path):
    path = waivers_file(tmp_path, WAIVERS.replace("rule: inquiry-channel", "rule: inquiry-chanel", 1))
    result = CliRunner().invoke(cli, ["audit", "examples/example-export", "-p", "policies/example.yaml",
                                      "--waivers", str(path)])
    assert result.exit_code == 2
    assert result.output.strip().endswith('waivers.yaml:3:11: unknown rule "inquiry-chanel" — did you mean "inquiry-channel"?')
