"""``watch``: files dropped into a folder and a simulated clock; only changes are announced.

The example pack's ``inquiry-reply-clock`` allows 24 hours for a reply and
warns at 80 % of them: an inquiry received at 2026-11-02 09:00 and still open
is on time until 2026-11-03 04:12 (19.2 h), an early warning from then, and a
violation after 2026-11-03 09:00.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import clausewise
from clausewise.cli import cli
from clausewise.engine import watch as watching
from clausewise.engine.watch import Watcher
from clausewise.report.watch import json_line, line

HEADER = "inquiry_id,channel,received_at,subject,customer_id,answered_on_spot,customer_contact,replied_at,closed_at\n"
OPEN = "Q-100,hotline,2026-11-02 09:00:00,账户冻结,C-1,no,138-0000-0001,,\n"
# Answered after 23 hours: on time, and followed up on 2026-11-04.
ANSWERED = "Q-100,hotline,2026-11-02 09:00:00,账户冻结,C-1,no,138-0000-0001,2026-11-03 08:00:00,2026-11-03 08:30:00\n"
FOLLOWUPS = ('{"followup_id": "F-1", "inquiry_id": "Q-100", "visited_at": "2026-11-04 10:00:00", "satisfaction": 5}\n')


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def folder(tmp_path) -> Path:
    export = tmp_path / "export"
    export.mkdir()
    (export / "inquiries.csv").write_text(HEADER + OPEN, encoding="utf-8")
    (export / "followups.jsonl").write_text(FOLLOWUPS, encoding="utf-8")
    return export


def kinds(events) -> list[tuple]:
    return [(e.kind, e.finding.rule if e.finding else None, e.finding.status if e.finding else None) for e in events]


def settle(watcher: Watcher) -> list:
    """Two polls: the first sees the change, the second (files unchanged) audits."""
    assert watcher.check() == []
    return watcher.check()


def test_an_early_warning_is_announced_when_it_starts_and_a_violation_when_it_falls_due(example_policy, folder):
    clock = Clock(datetime(2026, 11, 2, 20, 0))
    watcher = Watcher(example_policy, folder, clock=clock, every=60)
    started = watcher.check()
    # At 20:00, 11 of 24 hours used: Q-100 has no reply yet, which is not late (inquiry-reply-deadline
    # judges an open inquiry once its 24 hours have passed). The audit period is November (the month of
    # the export's timestamps), still running: no month's meetings are judged. Nothing to report.
    assert [(e.kind, e.counts) for e in started] == [("started", {"violation": 0, "warning": 0, "invalid": 0})]
    clock.now = datetime(2026, 11, 2, 20, 0, 30)
    assert watcher.check() == []  # no file changed and less than a minute passed: no audit
    clock.now = datetime(2026, 11, 3, 4, 0)  # 19 h: 79 %
    assert watcher.check() == []
    clock.now = datetime(2026, 11, 3, 4, 30)  # 19.5 h: 81 %
    warned = watcher.check()
    assert kinds(warned) == [("new", "inquiry-reply-clock", "warning")]
    assert warned[0].at == clock.now and warned[0].occurrence == 1
    clock.now = datetime(2026, 11, 3, 9, 0)  # exactly due: still a warning
    assert watcher.check() == []
    clock.now = datetime(2026, 11, 3, 9, 1)
    due = watcher.check()
    # Past due, the reply clock's warning becomes a violation, and the reply check now judges the open
    # inquiry too: no reply 24 h after receipt, a new violation.
    assert kinds(due) == [("changed", "inquiry-reply-clock", "violation"), ("new", "inquiry-reply-deadline", "violation")]
    assert due[0].before.status == "warning"
    assert line(due[0], "export") == (
        "2026-11-03 09:01:00  now a violation (was a warning)  EX-1 inquiry-reply-clock Q-100: "
        "inquiry Q-100 was due a reply by 2026-11-03 09:00:00 (within 24h); elapsed: 1 day 00:01:00")


def test_files_dropped_into_the_folder_are_audited_once_they_settle(example_policy, folder):
    clock = Clock(datetime(2026, 11, 3, 10, 0))
    watcher = Watcher(example_policy, folder, clock=clock, every=3600)
    assert [e.kind for e in watcher.check()] == ["started"]
    # The answer arrives: the reply clock and the reply check are satisfied.
    (folder / "inquiries.csv").write_text(HEADER + ANSWERED, encoding="utf-8")
    resolved = settle(watcher)
    assert kinds(resolved) == [("resolved", "inquiry-reply-clock", "violation"),
                               ("resolved", "inquiry-reply-deadline", "violation")]
    # The same record is appended again: its id is now duplicated, a finding on each of the two
    # records, with one fingerprint and occurrences 1 and 2.
    with (folder / "inquiries.csv").open("a", encoding="utf-8") as handle:
        handle.write(ANSWERED)
    added = settle(watcher)
    assert kinds(added) == [("new", "inquiry-id-unique", "violation")] * 2
    assert [e.occurrence for e in added] == [1, 2] and added[0].finding.fingerprint == added[1].finding.fingerprint


def test_a_malformed_file_is_reported_once_and_watching_goes_on(example_policy, folder):
    clock = Clock(datetime(2026, 11, 3, 10, 0))
    watcher = Watcher(example_policy, folder, clock=clock, every=60)
    watcher.check()
    (folder / "followups.jsonl").write_text('{"followup_id": "F-1", "inquiry_id": \n', encoding="utf-8")
    broken = settle(watcher)
    assert [e.kind for e in broken] == ["error"] and "followups.jsonl" in broken[0].message
    assert line(broken[0], "export").startswith("2026-11-03 10:00:00  cannot audit the export (still watching):\n  ")
    clock.now += timedelta(minutes=5)
    assert watcher.check() == []  # audited again, the same problem: said once
    (folder / "followups.jsonl").write_text(FOLLOWUPS, encoding="utf-8")
    (folder / "inquiries.csv").write_text(HEADER + ANSWERED, encoding="utf-8")
    assert kinds(settle(watcher)) == [("recovered", None, None), ("resolved", "inquiry-reply-clock", "violation"),
                                      ("resolved", "inquiry-reply-deadline", "violation")]


def test_waivers_expire_while_watching(example_policy, folder, tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("waivers:\n  - id: W-9\n    rule: inquiry-reply-deadline\n    key: Q-100\n    approved_by: Li\n"
                    "    reason: phone line down\n    expires: 2026-11-03\n", encoding="utf-8")
    waivers = clausewise.load_waivers(path, example_policy)
    # Q-100's reply was due 2026-11-03 09:00; at 23:00 it is late, and waived until the 3rd is over.
    clock = Clock(datetime(2026, 11, 3, 23, 0))
    watcher = Watcher(example_policy, folder, waivers=waivers, clock=clock, every=60)
    watcher.check()
    clock.now = datetime(2026, 11, 4, 0, 0)  # the waiver's last day is over
    expired = watcher.check()
    assert kinds(expired) == [("changed", "inquiry-reply-deadline", "violation")]
    assert line(expired[0], "export").startswith("2026-11-04 00:00:00  no longer waived (W-9)  EX-1 inquiry-reply-deadline Q-100")


def test_run_stops_cleanly_on_ctrl_c(example_policy, folder):
    clock = Clock(datetime(2026, 11, 3, 4, 0))
    seen = []

    def sleep(seconds: float) -> None:
        clock.now += timedelta(minutes=30)
        if clock.now > datetime(2026, 11, 3, 5, 0):
            raise KeyboardInterrupt

    Watcher(example_policy, folder, clock=clock, every=60).run(seen.append, interval=2, sleep=sleep)
    # 04:00 started; 04:30 the warning; 05:00 nothing new; then Ctrl-C during the wait.
    assert [e.kind for e in seen] == ["started", "new", "stopped"]
    assert json.loads(json_line(seen[1]))["finding"]["status"] == "warning"


def test_the_command_prints_changes_and_appends_them_as_json_lines(folder, tmp_path, monkeypatch, root):
    clock = Clock(datetime(2026, 11, 3, 4, 0))

    def pause(seconds: float) -> None:
        assert seconds == 0.5
        clock.now += timedelta(minutes=160)
        if clock.now > datetime(2026, 11, 3, 9, 30):
            raise KeyboardInterrupt

    monkeypatch.setattr(watching, "pause", pause)
    monkeypatch.setattr(watching, "_system_clock", lambda timezone: clock)
    log = tmp_path / "changes.jsonl"
    log.write_text('{"event":"earlier"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["watch", str(folder), "-p", "policies/example.yaml", "--poll", "0.5",
                                      "--every", "60", "--jsonl", str(log)])
    assert result.exit_code == 0, result.output
    printed = result.output.splitlines()
    # 04:00 started (19 h of 24: not yet 80 %), 06:40 warning (21.7 h), 09:20 due, then Ctrl-C. Q-100 has
    # no reply yet, late only once due (then the reply clock's warning becomes a violation and the reply check
    # finds it too); November, the audit period, has not ended.
    assert printed[0] == f"2026-11-03 04:00:00  watching {folder}: 0 violations, 0 warnings, 0 invalid values"
    assert [p[21:].split("  ")[0] for p in printed[1:]] == [
        "new warning", "now a violation (was a warning)", "new violation", "stopped"]
    assert printed[1].startswith("2026-11-03 06:40:00") and printed[2].startswith("2026-11-03 09:20:00")
    events = [json.loads(text) for text in log.read_text(encoding="utf-8").splitlines()]
    assert [e["event"] for e in events] == ["earlier", "started", "new", "changed", "new", "stopped"]
    assert events[3]["was"] == {"status": "warning", "waiver": None} and events[3]["at"] == "2026-11-03 09:20:00"


def test_the_log_may_not_overwrite_an_input(folder, root):
    result = CliRunner().invoke(cli, ["watch", str(folder), "-p", "policies/example.yaml", "--jsonl",
                                      str(folder / "inquiries.csv")])
    assert result.exit_code == 2 and "is an input of this watch" in result.output


def test_ctrl_c_that_duckdb_reports_as_a_failed_query_stops_the_watch_too(example_policy, folder):
    # A SIGINT during an audit's query ends the query with DuckDB's "Query interrupted", not KeyboardInterrupt.
    clock = Clock(datetime(2026, 11, 3, 4, 0))
    seen = []

    def sleep(seconds: float) -> None:
        raise RuntimeError("Query interrupted")

    Watcher(example_policy, folder, clock=clock, every=60).run(seen.append, interval=2, sleep=sleep)
    assert [e.kind for e in seen] == ["started", "stopped"]


def test_another_runtime_error_is_not_taken_for_ctrl_c(example_policy, folder):
    clock = Clock(datetime(2026, 11, 3, 4, 0))

    def sleep(seconds: float) -> None:
        raise RuntimeError("something else")

    with pytest.raises(RuntimeError, match="something else"):
        Watcher(example_policy, folder, clock=clock, every=60).run(lambda event: None, interval=2, sleep=sleep)


@pytest.mark.parametrize("error", [RuntimeError("Query interrupted"), duckdb.InterruptException("INTERRUPT Error")])
def test_the_cli_says_interrupted_with_130_when_duckdb_reports_ctrl_c(monkeypatch, error):
    import clausewise.engine as engine

    def load(path, check=True):
        raise error

    monkeypatch.setattr(engine, "load", load)
    result = CliRunner().invoke(cli, ["validate", "-p", "policies/example.yaml"])
    assert result.exit_code == 130
    assert "interrupted" in result.output and "internal error" not in result.output
