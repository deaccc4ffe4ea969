"""Keep auditing a folder as records arrive and time passes; report only what changed.

A :class:`Watcher` audits the export folder at the clock's time (naive, in
the policy's timezone), remembers its findings by fingerprint and occurrence
(as the run history matches them, see ``history/compare.py``), and on each
later audit reports only the differences as :class:`Event` values: a new
violation, warning or invalid value, a finding whose status changed (an early
warning that became a violation), a finding now waived or no longer waived,
a resolved finding.

An audit runs when a file of the folder changed (was added, replaced,
appended to or removed) and has stayed the same for one poll, so a file still
being written is not read half-way; and, as time passes, every ``every``
seconds of the clock, since deadlines fall due and early warnings start
without any file changing. Each audit reads the export again: the engine
holds no partial reload, but the pack is compiled once for the whole watch.
A malformed file (or any export the engine refuses) is reported once as an
``error`` event, the findings of the last good audit are kept, and watching
goes on; the first good audit afterwards is a ``recovered`` event followed by
the changes since the last good one.

The clock, the poller and the sleep are parameters, so tests drive a watch
with a simulated clock and files dropped into a temporary folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import ClauseWiseError
from ..model import Finding, Policy, Waiver
from . import waivers as waiver_pass
from .connection import interrupted
from .run import audit

Snapshot = dict[str, tuple[int, int]]
Identity = tuple[str, int]  # (fingerprint, occurrence)


@dataclass(frozen=True)
class Event:
    """Something a watch announces.

    ``kind`` is ``started`` (the first audit: ``counts`` holds its findings by
    status), ``new``, ``changed`` (``before`` is the finding as it was),
    ``resolved`` (``finding`` is the finding as it last was), ``error``
    (``message`` says what is wrong with the export), ``recovered`` or
    ``stopped``. ``at`` is the as-of time of the audit (naive, policy timezone).
    """

    kind: str
    at: datetime
    finding: Finding | None = None
    occurrence: int | None = None
    before: Finding | None = None
    message: str | None = None
    counts: dict[str, int] | None = None


def snapshot(folder: Path) -> Snapshot:
    """Name → (size, modification time in ns) of each file directly in ``folder``; empty when it is missing."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return {}
    out = {}
    for entry in entries:
        try:
            info = entry.stat()
        except OSError:  # removed between listing and stat
            continue
        if entry.is_file():
            out[entry.name] = (info.st_size, info.st_mtime_ns)
    return out


class Watcher:
    """Watch one export folder with one policy; :meth:`check` once per poll, or :meth:`run` until Ctrl-C.

    ``clock()`` returns the current time as a naive datetime in the policy's
    timezone (default: the system clock in that zone); ``poll(folder)`` returns
    a :data:`Snapshot` of its files (default :func:`snapshot`); ``every`` is
    how many seconds of the clock pass between audits when no file changes.
    """

    def __init__(self, policy: Policy, export_dir: str | Path, lang: str = "en", waivers: Sequence[Waiver] = (),
                 every: float = 60.0, clock: Callable[[], datetime] | None = None,
                 poll: Callable[[Path], Snapshot] = snapshot):
        self.policy = policy
        self.folder = Path(export_dir)
        self.lang = lang
        self.waivers = tuple(waivers)
        self.every = timedelta(seconds=every)
        self.clock = clock or _system_clock(policy.timezone)
        self.poll = poll
        self._files: Snapshot | None = None
        self._settled = False
        self._audited_at: datetime | None = None
        self._findings: dict[Identity, Finding] | None = None
        self._error: str | None = None

    def check(self) -> list[Event]:
        """Poll once; audit when files have changed and settled, or when ``every`` has passed; the events."""
        now = self.clock()
        files = self.poll(self.folder)
        if files != self._files:
            first = self._files is None
            self._files, self._settled = files, first
            if not first:
                return []  # changed: wait one poll for the files to settle
        elif not self._settled:
            self._settled = True
        else:
            due = self._audited_at is None or now - self._audited_at >= self.every
            if not due:
                return []
        return self._audit(now)

    def run(self, emit: Callable[[Event], None], interval: float = 2.0,
            sleep: Callable[[float], None] | None = None) -> None:
        """Check every ``interval`` seconds, passing each event to ``emit``, until interrupted (Ctrl-C)."""
        sleep = sleep or pause
        try:
            while True:
                for event in self.check():
                    emit(event)
                sleep(interval)
        except Exception as exc:
            if not interrupted(exc):  # Ctrl-C during an audit may come as DuckDB's error
                raise
            emit(Event("stopped", self.clock()))
        except KeyboardInterrupt:
            emit(Event("stopped", self.clock()))

    def _audit(self, now: datetime) -> list[Event]:
        self._audited_at = now
        try:
            with audit(self.policy, self.folder, now, self.lang) as result:
                if self.waivers:
                    waiver_pass.apply(result, self.waivers)
                findings = dict(_identified(result.findings))
                counts = result.counts()
        except ClauseWiseError as exc:
            message = str(exc)
            if message == self._error:
                return []
            self._error = message
            return [Event("error", now, message=message)]
        events = []
        if self._error is not None:
            self._error = None
            events.append(Event("recovered", now))
        if self._findings is None:
            events.append(Event("started", now, counts=counts))
        else:
            events += _changes(self._findings, findings, now)
        self._findings = findings
        return events


def _identified(findings) -> Iterator[tuple[Identity, Finding]]:
    seen: dict[str, int] = {}
    for f in findings:
        seen[f.fingerprint] = seen.get(f.fingerprint, 0) + 1
        yield (f.fingerprint, seen[f.fingerprint]), f


def _changes(before: dict[Identity, Finding], after: dict[Identity, Finding], at: datetime) -> list[Event]:
    """New and changed findings in the new audit's order, then resolved ones in the old one's."""
    events = []
    for identity, f in after.items():
        old = before.get(identity)
        if old is None:
            events.append(Event("new", at, f, identity[1]))
        elif (old.status, old.waiver_json) != (f.status, f.waiver_json):
            events.append(Event("changed", at, f, identity[1], before=old))
    events += [Event("resolved", at, f, identity[1]) for identity, f in before.items() if identity not in after]
    return events


def pause(seconds: float) -> None:
    """Wait between polls (the real clock's sleep)."""
    time.sleep(seconds)


def _system_clock(timezone: str) -> Callable[[], datetime]:
    zone = ZoneInfo(timezone)
    return lambda: datetime.now(zone).replace(tzinfo=None, microsecond=0)
