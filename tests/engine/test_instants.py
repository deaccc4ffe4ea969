"""Timestamps are instants: zones and offsets read as written, durations are real elapsed time.

The right values here are worked out by hand (the arithmetic is in the
comments) or, for the property tests, by a reference written with
``zoneinfo``: a naive export time is wall-clock time in the policy's zone; a
local time the clocks skip is invalid; the repeated hour when clocks go back
is read as its later moment (standard time), as docs/time.md states.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import shipped

import clausewise
from clausewise.engine import runvars
from clausewise.engine.run import audit as engine_audit
from clausewise.model import Policy

UTC = timezone.utc
ZONES = ["America/New_York", "Europe/Berlin", "Asia/Shanghai"]  # two with daylight saving, one without

DATASETS = """\
calls:
  key: call_id
  fields:
    call_id: string
    called_at: timestamp
    replied_at: timestamp
"""
RULES = """\
rules:
  - id: reply-within-an-hour
    clause: C-1
    dataset: calls
    kind: deadline
    severity: high
    start: called_at
    stop: replied_at
    goal: 1h
    title: {en: Replied within an hour}
    message: {en: "{key} replied after {elapsed}"}
  - id: reply-after-call
    clause: C-1
    dataset: calls
    kind: sequence
    severity: high
    fields: [called_at, replied_at]
    title: {en: Reply after the call}
    message: {en: "{key} out of order"}
"""
AS_OF = datetime(2026, 12, 1)


_LOADED: dict[str, Policy] = {}


def _policy(pack, zone: str):
    """The pack in ``zone``, loaded once per zone (the tests and examples differ in their records only)."""
    if zone not in _LOADED:
        path = pack(DATASETS, RULES)
        path.write_text(path.read_text(encoding="utf-8").replace("Asia/Shanghai", zone), encoding="utf-8")
        _LOADED[zone] = clausewise.load(path)
    return _LOADED[zone]


def _audit(policy, export, rows: list[tuple[str, str, str]], strict: bool = True):
    """The audit of ``rows``; ``strict=False`` reads each value alone, without failing the run on a column whose
    values mostly do not convert (engine/unreadable.py), so that every value's reading can be checked."""
    body = "call_id,called_at,replied_at\n" + "".join(f"{k},{a},{b}\n" for k, a, b in rows)
    if not strict:
        return engine_audit(policy, export({"calls.csv": body}), AS_OF, strict=False)
    return clausewise.audit(policy, export({"calls.csv": body}), as_of=AS_OF)


def _by_rule(result) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for f in result.findings:
        out.setdefault(f.rule, {})[f.key] = f.message
    return out


# ---- zone names and offsets people export ----

def test_zone_suffixes_are_instants(pack, export):
    policy = _policy(pack, "Asia/Shanghai")
    # 01:00 UTC is 09:00 in Shanghai (UTC+8); each call is replied to at 09:30 Shanghai time,
    # so every reply comes 30 minutes later: no finding. Read as 01:00 Shanghai time, the
    # first three would be 8 h 30 min late.
    rows = [("U", "2026-10-12 01:00:00 UTC", "2026-10-12 09:30"),
            ("G", "2026-10-12 01:00:00 GMT", "2026-10-12 09:30"),
            ("Z", "2026-10-12T01:00:00Z", "2026-10-12 09:30"),
            ("O", "2026-10-12 03:00:00+02:00", "2026-10-12 09:30"),
            ("N", "2026-10-11 21:00:00 America/New_York", "2026-10-12 09:30"),  # EDT, UTC-4: 01:00 UTC
            ("L", "2026-10-12 09:00", "2026-10-12 09:30")]
    with _audit(policy, export, rows) as result:
        assert [f.message for f in result.findings] == []


def test_zone_abbreviations_are_refused(pack, export):
    policy = _policy(pack, "Asia/Shanghai")
    # D reads, so the column has 1 unreadable value of 2: not mostly unreadable.
    rows = [("C", "2026-10-12 09:00 CST", "2026-10-12 09:30"), ("D", "2026-10-12 09:00", "2026-10-12 09:30")]
    with _audit(policy, export, rows) as result:
        (finding,) = result.findings
    assert finding.status == "invalid" and "zone abbreviation" in finding.message


def test_words_that_end_like_an_abbreviation_are_not_called_one(pack, export):
    # "not a time" ends with a four-letter word, as "09:00 CST" does; without it, "not a" is no time either.
    rows = [("C", "not a time", "2026-10-12 09:30"), ("D", "2026-10-12 09:00", "2026-10-12 09:30"),
            ("E", "2026-10-12 09:00", "2026-10-12 09:30")]
    with _audit(_policy(pack, "Asia/Shanghai"), export, rows) as result:
        (finding,) = result.findings
    assert finding.status == "invalid" and "is not a timestamp written year first" in finding.message
    assert "abbreviation" not in finding.message


# ---- daylight saving: the examples, by hand ----

def test_callback_across_spring_forward_is_45_minutes(pack, export):
    policy = _policy(pack, "America/New_York")
    # 2026-03-08: New York clocks go from 02:00 EST to 03:00 EDT.
    # Called 01:30 EST = 06:30 UTC; replied 03:15 EDT = 07:15 UTC: 45 minutes, within the hour
    # (the wall clocks differ by 1 h 45 min). Replied 03:45 EDT = 07:45 UTC: 1 h 15 min, late.
    rows = [("A", "2026-03-08 01:30", "2026-03-08 03:15"), ("B", "2026-03-08 01:30", "2026-03-08 03:45")]
    with _audit(policy, export, rows) as result:
        found = _by_rule(result)
    assert found == {"reply-within-an-hour": {"B": "B replied after 01:15:00"}}


def test_skipped_local_time_is_invalid(pack, export):
    policy = _policy(pack, "America/New_York")
    # 02:30 on 2026-03-08 never happened in New York: the clocks went from 01:59:59 to 03:00.
    # T reads, so the column has 1 unreadable value of 2: not mostly unreadable.
    rows = [("S", "2026-03-08 02:30", "2026-03-08 03:15"), ("T", "2026-03-08 01:30", "2026-03-08 01:45")]
    with _audit(policy, export, rows) as result:
        (finding,) = result.findings
    assert finding.status == "invalid" and finding.evidence["column"] == "called_at"
    assert "does not exist in America/New_York" in finding.message


def test_reply_inside_the_fall_back_hour_is_after_the_call(pack, export):
    policy = _policy(pack, "America/New_York")
    # 2026-11-01: New York clocks go from 02:00 EDT back to 01:00 EST, so 01:00-02:00 happens twice.
    # Called 01:50 EDT (-04:00) = 05:50 UTC; replied 01:10 EST (-05:00) = 06:10 UTC: 20 minutes after.
    # Without the offset, 01:10 is read as its later moment (EST): the same instant.
    rows = [("F", "2026-11-01 01:50-04:00", "2026-11-01 01:10-05:00"),
            ("G", "2026-11-01 01:50-04:00", "2026-11-01 01:10")]
    with _audit(policy, export, rows) as result:
        assert result.findings == []
        con = result.findings._con
        elapsed = con.execute("SELECT call_id, epoch(replied_at) - epoch(called_at) FROM calls ORDER BY 1").fetchall()
    assert elapsed == [("F", 20 * 60), ("G", 20 * 60)]


def test_shown_times_are_the_policys_wall_clock(pack, export):
    policy = _policy(pack, "America/New_York")
    # Called 2026-10-12 13:00 UTC = 09:00 EDT; replied 11:30 EDT: 2 h 30 min, late.
    with _audit(policy, export, [("W", "2026-10-12T13:00:00Z", "2026-10-12 11:30")]) as result:
        (finding,) = result.findings
    assert finding.evidence["start"] == "2026-10-12 09:00:00"
    assert finding.evidence["due_at"] == "2026-10-12 10:00:00"
    assert finding.due_at == datetime(2026, 10, 12, 10, 0)
    assert finding.message == "W replied after 02:30:00"


# ---- property tests against zoneinfo ----

_LOCAL = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda t: t.replace(microsecond=0))
# Near the changes, where the faults live: the 2026 transitions of each zone, ±3 hours by the minute.
_TRANSITIONS = [datetime(2026, 3, 8, 2), datetime(2026, 11, 1, 1), datetime(2026, 3, 29, 2), datetime(2026, 10, 25, 2)]
_NEAR = st.builds(lambda t, m: t + timedelta(minutes=m), st.sampled_from(_TRANSITIONS), st.integers(-180, 180))
_TIMES = st.one_of(_LOCAL, _NEAR)


def _instant(local: datetime, zone: str) -> datetime | None:
    """The reference reading: None for a skipped local time, else the later moment of an ambiguous one."""
    tz = ZoneInfo(zone)
    later = local.replace(tzinfo=tz, fold=1)
    if later.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        return None  # in the gap: no such wall-clock time
    return later.astimezone(UTC)


# The fixtures write files that each example overwrites: sharing them between examples is safe.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zone=st.sampled_from(ZONES), pairs=st.lists(st.tuples(_TIMES, _TIMES), min_size=1, max_size=40))
def test_reading_and_elapsed_time_match_zoneinfo(pack, export, zone, pairs):
    policy = _policy(pack, zone)
    rows = [(f"K{i}", a.isoformat(sep=" "), b.isoformat(sep=" ")) for i, (a, b) in enumerate(pairs)]
    with _audit(policy, export, rows, strict=False) as result:
        con = result.findings._con
        read = dict((k, (a, b)) for k, a, b in con.execute(
            "SELECT call_id, epoch(called_at), epoch(replied_at) FROM calls").fetchall())
        late = {f.key for f in result.findings if f.rule == "reply-within-an-hour"}
        invalid = {(f.key, f.evidence["column"]) for f in result.findings if f.status == "invalid"}
    want_late, want_invalid = set(), set()
    for key, (a, b) in zip((r[0] for r in rows), pairs):
        start, stop = _instant(a, zone), _instant(b, zone)
        assert read[key] == (start and start.timestamp(), stop and stop.timestamp()), (key, a, b)
        want_invalid |= {(key, "called_at")} if start is None else set()
        want_invalid |= {(key, "replied_at")} if stop is None else set()
        if start is not None and stop is not None and stop - start > timedelta(hours=1):
            want_late.add(key)
    assert invalid == want_invalid
    assert late == want_late


# ---- every shown time is wall-clock time, in every output ----

# A time rendered with its offset ("09:00:00+08"), as DuckDB writes an instant as text.
_WITH_OFFSET = re.compile(r"\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}\b")


def test_no_report_shows_an_instant_with_an_offset(root):
    """The sample's times are written without offsets; reports show them as written, never '+08'."""
    policy = shipped("ops-support.yaml")
    with clausewise.audit(policy, root / "samples" / "ops-support" / "2026-10") as result:
        texts = [f.message + json.dumps(f.evidence, ensure_ascii=False) for f in result.findings]
        texts += list(result.findings.json_lines())
        texts += list(result.grades.json_lines())
        texts += [json.dumps(g.values, default=str) + json.dumps(g.breakdown, default=str) for g in result.grades]
    assert texts and not [t for t in texts if _WITH_OFFSET.search(t)]


def test_a_cursor_reads_the_run_values(pack, export):
    """Writers read through cursors of their own; those see the as-of time and the policy's zone."""
    policy = _policy(pack, "Asia/Shanghai")
    with _audit(policy, export, [("A", "2026-10-12 09:00", "2026-10-12 09:30")]) as result:
        cursor = runvars.cursor(result.findings._con)
        as_of, zone = cursor.execute(
            f"SELECT CAST({runvars.sql(runvars.AS_OF)} AS TIMESTAMP), current_setting('TimeZone')").fetchone()
    assert (as_of, zone) == (AS_OF, "Asia/Shanghai")
