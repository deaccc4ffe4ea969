"""The data every layer shares: a loaded policy, its rules, and the result of a run.

These are plain dataclasses with no behaviour beyond what belongs to the data
itself (``RunResult.exit_code`` lives here, not in the CLI, so every front end
agrees on when a run fails).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from .errors import Location

SEVERITIES = ("critical", "high", "medium", "low")
STATUSES = ("violation", "warning", "invalid")
LANGS = ("zh", "en")
FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "timestamp", "enum")
# The years clausewise judges (half-open): a date outside them in an export is an
# invalid value, and an as-of time outside them is refused. Far enough for any
# record a regulation asks about; near enough that calendar arithmetic (a year of
# padding either side) never leaves what Python's datetime can hold.
EARLIEST = datetime(1900, 1, 1)
LATEST = datetime(2200, 1, 1)


def in_time_range(value: datetime) -> bool:
    """True when ``value`` lies in the years clausewise judges (1900 to 2199)."""
    return EARLIEST <= value < LATEST


@dataclass(frozen=True)
class AuditPeriod:
    """The months an audit covers: [``start``, ``end``), naive local times in the policy's zone.

    ``label`` is how people write it (``2026-10``, ``2026-Q4``, ``2026``);
    ``source`` says where it came from (``given``, ``period in export.yaml``,
    ``inferred: the month holding most timestamps``). Per-period obligations
    are judged only for the parts of the period that have ended by the as-of
    time (docs/time.md, "The audit period").
    """

    start: datetime
    end: datetime
    label: str
    source: str = "given"

    def __str__(self) -> str:
        return self.label


def severity_rank(severity: str) -> int:
    """0 for critical … 3 for low; lower is worse."""
    return SEVERITIES.index(severity)


def fails(finding: Finding, fail_on: str, new_only: bool = False) -> bool:
    """True when ``finding`` fails a run that fails on ``fail_on``: a violation or invalid value that severe.

    Early warnings never fail a run, nor do waived findings; with ``new_only``
    (``--fail-on-new``) only findings new since the baseline run do.
    """
    return failing(finding.status, finding.severity, finding.waiver_json is not None, finding.baseline, fail_on, new_only)


def failing(status: str, severity: str, waived: bool, baseline: str | None, fail_on: str, new_only: bool = False) -> bool:
    """:func:`fails` for a finding known by its status, severity, whether it is waived and its baseline state.

    The scorecard asks this of each tally of findings, so that it and the
    exit code count the same findings as failing.
    """
    if fail_on == "never" or status == "warning" or waived:
        return False
    if new_only and baseline != "new":
        return False
    return severity_rank(severity) <= severity_rank(fail_on)


_AS_OF_ZH = (
    (r"given", "命令行指定"),
    (r"as_of in export\.yaml", "export.yaml 中的 as_of"),
    (r"end of period (\S+) in export\.yaml", "export.yaml 所列期间 {} 的期末"),
    (r"end of period (\S+)", "所指定期间 {} 的期末"),
    (r"latest timestamp in the export", "导出数据中最晚的时间"),
    (r"now.*", "当前时间"),
)
_PERIOD_ZH = (
    (r"given", "命令行指定"),
    (r"period in export\.yaml", "export.yaml 中的 period"),
    (r"inferred: .*", "推断：导出数据中时间最多的月份"),
    (r"the month of the as-of time.*", "截至时间所在月份（导出数据中没有时间）"),
)


def _translated(text: str, table) -> str:
    for pattern, chinese in table:
        match = re.fullmatch(pattern, text)
        if match:
            return chinese.format(*match.groups())
    return text


@dataclass(frozen=True)
class Text:
    """A text in Chinese and English; either may be missing, the other stands in."""

    zh: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        first, second = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return first if first is not None else (second or "")


# The engine's own data-quality rule has no YAML, so no title of its own (the clause title would only repeat the clause).
DATA_QUALITY_TITLE = Text(zh="值符合声明的类型", en="Values convert to their declared types")


@dataclass(frozen=True)
class Clause:
    id: str
    title: Text
    observable: bool = True
    reason: str | None = None
    location: Location | None = None

    @property
    def chapter(self) -> str:
        """``OS-3.1.1`` → ``OS-3``: the clause id up to its first dot."""
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class Duration:
    """An amount of time: elapsed on the clock or in working time, or a number of days counted as statutes count them.

    ``basis`` says how it is counted, and ``amount`` is in its unit:

    * ``calendar``: elapsed wall-clock seconds (``24h``, ``30m``, ``7 days elapsed``);
    * ``working_hours``: elapsed working seconds (``4 working hours``);
    * ``working_days_elapsed``: elapsed working time in whole working days'
      length (``3 working days elapsed`` is 27 working hours on a 9-hour day);
      ``amount`` in days;
    * ``days``: a day-counted period of calendar days (``7 days``, ``2 weeks``,
      ``7天``): as a due time, 24:00 local time of the ``amount``-th day after
      the start's date (PRC Civil Code arts. 201 and 203); ``amount`` in whole days;
    * ``working_days``: a day-counted period of working days (``3 working
      days``, ``3个工作日``): as a due time, the close of business of the
      ``amount``-th working day after the start's date; ``amount`` in whole days;
    * ``months``: whole calendar months, added to the start.

    Where a duration is compared as elapsed time (a condition, a reference
    window) a day-counted ``days`` is ``amount`` × 24 h (:attr:`elapsed_seconds`).
    """

    amount: float
    basis: str
    text: str

    # The duration grammar; clausewise.wording writes the same spellings in words.
    PATTERN = re.compile(
        r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<working>working\s+)?"
        r"(?P<unit>s|sec|secs|seconds?|m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?|months?|y|years?)"
        r"(?P<elapsed>\s+elapsed)?\s*$",
        re.IGNORECASE,
    )
    _SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    # Units of days: counted as days unless written "elapsed".
    _DAYS = {"d": 1, "w": 7}

    # Chinese units, as a Chinese regulation writes them ("3个工作日", "24小时"): the English unit each means.
    _ZH_UNITS = {
        "秒": "s", "分钟": "min", "小时": "h", "个小时": "h", "天": "d", "日": "d", "自然日": "d", "个自然日": "d",
        "周": "w", "个星期": "w", "星期": "w", "个月": "months", "月": "months", "年": "y",
        "工作日": "working d", "个工作日": "working d", "工作小时": "working h", "个工作小时": "working h",
        "工作分钟": "working min",
    }
    _ZH_PATTERN = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>\S+?)\s*$")

    @classmethod
    def parse(cls, text: str) -> Duration | None:
        """``24h``, ``30m``, ``7 days``, ``3 working days``, ``4 working hours``; else None.

        Days and weeks are day-counted (``basis`` ``days`` or ``working_days``,
        whole numbers only) unless followed by ``elapsed``: ``7 days elapsed``
        is 168 hours, ``3 working days elapsed`` three working days' length of
        working time. Chinese units are read too: ``30分钟``, ``24小时``,
        ``5天`` (also ``日``, ``自然日``), ``2周``, ``3个月``, ``1年``,
        ``3个工作日``, ``4个工作小时``, ``90工作分钟`` (``个`` optional where
        Chinese writes it).
        """
        zh = cls._ZH_PATTERN.match(str(text))
        if zh and zh["unit"] in cls._ZH_UNITS:
            english = cls.parse(f"{zh['n']} {cls._ZH_UNITS[zh['unit']]}")
            return None if english is None else cls(english.amount, english.basis, str(text))
        match = cls.PATTERN.match(str(text))
        if not match:
            return None
        n = float(match["n"])
        unit = match["unit"].lower()
        elapsed = bool(match["elapsed"])
        if unit.startswith("month") or unit[0] == "y":
            months = n * (12 if unit[0] == "y" else 1)
            bad = match["working"] or elapsed or not months.is_integer()
            return None if bad else cls(months, "months", str(text))
        unit_key = "m" if unit.startswith("min") or unit == "m" else unit[0]
        if unit_key in cls._DAYS and not elapsed:
            days = n * cls._DAYS[unit_key]
            if not days.is_integer() or (match["working"] and unit_key != "d"):
                return None
            return cls(days, "working_days" if match["working"] else "days", str(text))
        if match["working"]:
            if unit_key == "d":
                return cls(n, "working_days_elapsed", str(text))
            if unit_key in ("h", "m", "s"):
                return cls(n * cls._SECONDS[unit_key], "working_hours", str(text))
            return None
        return cls(n * cls._SECONDS[unit_key], "calendar", str(text))

    @property
    def elapsed_seconds(self) -> float:
        """Length in seconds of elapsed time: of calendar and working-hour durations, and of ``days`` read as N × 24 h.

        Raises ValueError for months, which have no fixed length (add them as calendar months).
        """
        if self.basis == "months":
            raise ValueError(f'"{self.text}" is counted in calendar months, which have no fixed length in seconds')
        return self.amount * 86400 if self.basis == "days" else self.amount

    @property
    def working(self) -> bool:
        """True when it counts working time (working hours, or working days either way)."""
        return self.basis in ("working_hours", "working_days", "working_days_elapsed")

    @property
    def day_counted(self) -> bool:
        """True for a period counted in days: its due time is the end of its last day."""
        return self.basis in ("days", "working_days")


@dataclass(frozen=True)
class Parameter:
    """A named value of the policy (``$name`` in rules); ``value`` is None when the policy writes it wrongly.

    Such a parameter has been reported at its place by the loader; whatever
    uses it gives up quietly, so the mistake is reported once. ``location``
    is where its name is written, ``value_location`` where its value is: a
    value that suits its type but not the use a rule makes of it (a
    ``warn_at`` of 1.5) is reported there.
    """

    name: str
    type: str
    value: Any
    title: Text | None = None
    location: Location | None = None
    value_location: Location | None = None


@dataclass(frozen=True)
class Derived:
    """How a computed column is computed: ``how`` is expr, weighted, bands, table or lookup.

    The loader checks what needs no SQL once and keeps the checked values
    here for the engine: ``weights`` (name → weight, summing to 1) for
    ``weighted``, ``bands`` (band → inclusive lower bound, highest first) for
    ``bands``, ``table`` (the checked decision table) for ``table``. Each is
    None when the policy writes it wrongly (reported at load).
    """

    how: str
    spec: dict[str, Any]
    round: int | None = None
    table: Any = None
    weights: dict[str, float] | None = None
    bands: dict[str, float] | None = None


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    column: str
    values: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    optional: bool = False
    location: Location | None = None
    derived: Derived | None = None


@dataclass(frozen=True)
class Dataset:
    name: str
    file: str
    key: str
    fields: dict[str, Field]
    optional: bool = False
    encoding: str = "auto"
    delimiter: str = ","
    null_values: tuple[str, ...] = ()
    location: Location | None = None
    source: str | None = None
    group_by: tuple[str, ...] = ()

    @property
    def exported(self) -> bool:
        """True for datasets read from the export; False for those computed from another."""
        return self.source is None

    def file_fields(self) -> list[Field]:
        """The fields read from the export file (not the computed ones)."""
        return [f for f in self.fields.values() if f.derived is None]

    def derived_fields(self) -> list[Field]:
        return [f for f in self.fields.values() if f.derived is not None]


@dataclass(frozen=True, kw_only=True)
class Spec:
    """A rule's condition and its kind's own keys, typed, each remembering where it was written.

    Every rule kind defines a subclass with its keys as fields (a field whose
    key is not a Python name, such as ``assert``, names its key in
    ``metadata={"key": ...}``). The policy loader fills it with
    :meth:`from_mapping` once the JSON Schema has checked the shapes; text
    values keep their place in the file (``YStr.locate``), so an error inside
    a condition points at its column.
    """

    when: str | None = None
    # Judge the rule once per day, week, month, quarter or year of the audit period (engine/periods.py).
    per: str | None = None
    located: dict[str, Location] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def keys(cls) -> dict[str, str]:
        """YAML key → field name, for every key the spec holds."""
        return {f.metadata.get("key", f.name): f.name for f in fields(cls) if f.name != "located"}

    @classmethod
    def from_mapping(cls, raw: Mapping[str, Any]) -> Spec:
        """The spec of a rule's mapping (keys the spec does not hold are ignored: the schema refused them)."""
        where = getattr(raw, "value_at", None)
        values = {name: raw[key] for key, name in cls.keys().items() if key in raw}
        located = {key: where(key) for key in cls.keys() if key in raw} if where else {}
        return cls(**values, located=located)

    def get(self, key: str, default: Any = None) -> Any:
        """The value written at YAML key ``key`` (``default`` when absent)."""
        name = self.keys().get(key)
        value = getattr(self, name) if name else None
        return default if value is None else value

    def written(self) -> dict[str, Any]:
        """The keys the rule wrote, with their values, in the spec's order."""
        return {key: getattr(self, name) for key, name in self.keys().items() if key in self.located}

    def location_of(self, key: str) -> Location | None:
        """Where ``key`` was written, if it was."""
        return self.located.get(key)


@dataclass(frozen=True)
class Rule:
    """One rule as written: the common keys, and its condition and kind's own keys in ``spec``."""

    id: str
    clause: str
    dataset: str
    kind: str
    severity: str
    title: Text
    message: Text
    spec: Spec
    location: Location
    description: str | None = None


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Calendar:
    """Which days and hours count as working time, as the policy writes it (see docs/time.md).

    Hours are text (``09:00-12:00, 13:00-18:00``), checked when the engine
    builds the calendar; weekdays are numbers, Monday 0. ``locations`` says
    where each key was written (``weekday_hours.5`` for Saturday's hours), so
    that those checks can point at it.
    """

    country: str = "CN"
    subdivision: str | None = None
    work_hours: str = "09:00-18:00"
    weekday_hours: tuple[tuple[int, str], ...] = ()
    weekend: tuple[int, ...] | None = None
    extra_holidays: tuple[str, ...] = ()
    extra_workdays: tuple[str, ...] = ()
    locations: dict[str, Location] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Scorecard:
    """How a run's findings turn into a scorecard (see docs/grades.md and ``clausewise.scorecard``).

    ``weights`` maps a severity, ``warning`` and ``waived`` to the share of
    100 points a clause in that state loses; ``bands`` maps a band name to
    its lowest score; ``caps`` maps a severity to the best band a scope with
    a breach that severe can have; ``group_by`` maps a group name to the
    field that holds it in each dataset.
    """

    weights: dict[str, float]
    bands: dict[str, float]
    group_by: dict[str, dict[str, str]] = field(default_factory=dict)
    caps: dict[str, str] = field(default_factory=dict)

    def band_order(self) -> list[str]:
        """Band names from the best (highest lowest score) to the worst."""
        return [name for name, _ in sorted(self.bands.items(), key=lambda b: -b[1])]


@dataclass(frozen=True)
class Policy:
    id: str
    version: str
    title: Text
    timezone: str
    calendar: Calendar
    data_quality_clause: str
    data_quality_severity: str
    clauses: dict[str, Clause]
    parameters: dict[str, Parameter]
    datasets: dict[str, Dataset]
    rules: tuple[Rule, ...]
    path: str
    files: tuple[str, ...]
    content_hash: str
    tests: tuple[str, ...] = ()
    decision_tables: dict[str, Any] = field(default_factory=dict)
    scorecard: Scorecard | None = None
    record_history: bool = False  # ``history: {record: true}``: every audit is recorded (docs/history.md)
    # The engine's compiled form of the rules, set once by ``clausewise.load``
    # and reused by every audit; opaque to the model.
    program: Any = field(default=None, compare=False, repr=False)

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


class Finding(NamedTuple):
    """One thing the audit found; its fields are described in docs/cli.md, "Findings".

    A named tuple, because an audit may find hundreds of thousands of things
    and each is built straight from a database row. Evidence and group arrive
    as JSON text and are parsed when read, so an audit does not pay for what no
    report looks at. ``fingerprint`` names the problem across runs (see
    ``engine/findings.py``): the same rule, clause, dataset and record key (or
    aggregate group) next month has the same fingerprint.

    ``waiver_json`` is the waiver that accepted this finding (its id, who
    approved it, why, reference, expiry; see :class:`Waiver`), or None;
    ``baseline`` is ``new`` or ``persisting`` when the run was compared with
    a recorded one (docs/history.md), else None.
    """

    rule: str
    clause: str
    dataset: str
    key: str | None
    status: str
    severity: str
    message: str
    evidence_json: str | None = None
    due_at: datetime | None = None
    group_json: str | None = None
    row: int | None = None
    fingerprint: str | None = None
    waiver_json: str | None = None
    baseline: str | None = None

    @property
    def evidence(self) -> dict[str, Any]:
        return json.loads(self.evidence_json) if self.evidence_json else {}

    @property
    def waiver(self) -> dict[str, Any] | None:
        """The waiver that accepted this finding, as in the report (``Waiver.to_dict``), or None."""
        return json.loads(self.waiver_json) if self.waiver_json else None

    @property
    def group(self) -> dict[str, Any] | None:
        return json.loads(self.group_json) if self.group_json else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "clause": self.clause,
            "dataset": self.dataset,
            "key": self.key,
            "group": self.group,
            "row": self.row,
            "status": self.status,
            "severity": self.severity,
            "message": self.message,
            "evidence": self.evidence,
            "due_at": self.due_at.isoformat(sep=" ") if self.due_at else None,
            "fingerprint": self.fingerprint,
            "waiver": self.waiver,
            "baseline_state": self.baseline,
        }


@dataclass(frozen=True)
class Waiver:
    """One accepted deviation, from a waivers file (see docs/waivers.md).

    It matches the findings of ``rule`` and/or ``clause`` (and ``dataset``,
    when given) whose record key is one of ``keys``, whose key matches the
    glob ``pattern``, or whose aggregate group has the values in ``group``.
    It waives through the whole day ``expires`` (a date in the policy's
    timezone): an audit whose as-of time is at or after the next midnight
    finds it expired, and it waives nothing.
    """

    id: str
    rule: str | None
    clause: str | None
    dataset: str | None
    keys: tuple[str, ...]
    group: dict[str, str] | None
    pattern: str | None
    approved_by: str
    reason: str
    reference: str | None
    expires: date
    location: Location | None = None

    def ends(self) -> datetime:
        """The first moment (naive, policy timezone) the waiver no longer covers: midnight after ``expires``."""
        return datetime.combine(self.expires + timedelta(days=1), time())

    def expired(self, as_of: datetime) -> bool:
        """True when an audit as of ``as_of`` (naive, policy timezone) is past the waiver's last day."""
        return as_of >= self.ends()

    def to_dict(self) -> dict[str, Any]:
        """What a report says of the waiver: id, approver, reason, reference, expiry."""
        return {"id": self.id, "approved_by": self.approved_by, "reason": self.reason,
                "reference": self.reference, "expires": self.expires.isoformat()}


# What became of a waiver in a run: it waived findings, matched none, or has expired.
WAIVER_STATES = ("used", "unused", "expired")


@dataclass(frozen=True)
class WaiverUse:
    """One waiver in one run: ``state`` is used, unused or expired.

    ``matched`` counts the findings the waiver's selector matches (for an
    expired waiver: those it would have waived); ``waived`` those it waived.
    A finding two waivers match is waived by the first in the file.
    """

    waiver: Waiver
    state: str
    matched: int
    waived: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.waiver.to_dict(), "state": self.state, "matched": self.matched, "waived": self.waived}


# A finding against a baseline run: new, or there before (persisting); resolved ones are the baseline's.
BASELINE_STATES = ("new", "persisting", "resolved")


@dataclass(frozen=True)
class Baseline:
    """The recorded run an audit was compared with, and what changed since (docs/history.md).

    ``run_id`` is None when no earlier run of the policy was recorded: then
    every finding is new. ``by_clause`` maps a clause to its counts of new,
    persisting and resolved findings; ``resolved`` holds the baseline's
    findings that are gone (a sequence of :class:`Finding`, like a run's).
    """

    run_id: int | None
    as_of: datetime | None
    policy_version: str | None
    by_clause: dict[str, dict[str, int]]
    resolved: Any = ()

    def totals(self) -> dict[str, int]:
        """New, persisting and resolved findings over all clauses."""
        return {state: sum(c.get(state, 0) for c in self.by_clause.values()) for state in BASELINE_STATES}

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run_id, "as_of": self.as_of.isoformat(sep=" ") if self.as_of else None,
                "policy_version": self.policy_version, **self.totals(), "by_clause": self.by_clause}


@dataclass(frozen=True)
class TrendPoint:
    """Findings per clause and status in one run of a policy, for the trend over recorded months.

    ``run_id`` is None for the audit being reported when it is not recorded.
    """

    run_id: int | None
    as_of: datetime
    period: str | None
    counts: dict[str, dict[str, int]]

    def total(self, clause: str | None = None) -> int:
        """Findings of every status, in one clause or in all."""
        parts = [self.counts.get(clause, {})] if clause else list(self.counts.values())
        return sum(n for part in parts for n in part.values())


@dataclass(frozen=True)
class Grade:
    """The computed values of one record, how each was reached (breakdown) and why (reasons)."""

    dataset: str
    key: str | None
    row: int | None
    values: dict[str, Any]
    breakdown: dict[str, Any]
    # column → {"codes": [...], "text": "..."}: why the value is what it is, in the run's language
    reasons: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "key": self.key, "row": self.row,
                "values": self.values, "breakdown": self.breakdown, "reasons": self.reasons}


@dataclass(frozen=True)
class Step:
    """One condition, or one part of it, and its value for the record explained."""

    key: str
    depth: int
    text: str
    value: Any


@dataclass(frozen=True)
class Explanation:
    """Why one record passed or failed one rule (see ``clausewise explain``)."""

    rule: Rule
    key: str
    as_of: datetime
    rule_text: str
    parameters: dict[str, str]
    record: dict[str, Any]
    matches: int
    in_scope: bool | None
    steps: list[Step]
    timeline: list[tuple[str, Any]]
    findings: list[Finding]
    grades: list[Grade]
    group: dict[str, Any] | None = None  # for aggregate rules: the record's group
    # For a group explained by itself: the metric as written, its value, op, threshold and records in scope.
    aggregate: dict[str, Any] | None = None
    # For data-quality: each bad cell (dataset, file, row, column, value, expected type, formats, values, message).
    cells: list[dict[str, Any]] = field(default_factory=list)
    # A period of a per-period rule, or a reference's window, not judged: not ended at the as-of time (judged
    # once it ends, at this naive local time), or outside the audit period (its label).
    judged_from: datetime | None = None
    outside_period: str | None = None
    # The record's fields the rule needs whose value is unreadable: field → the value as written. The rule
    # did not judge the record (the run counts it as unjudged).
    unreadable: dict[str, str] = field(default_factory=dict)
    # For a group explained by itself: the records the audit left out of it, a value the rule needs being
    # unreadable, each as (key, row, {field: value as written}).
    left_out: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)
    # The rows of every record with the key, in file order (more than one: a duplicated key), the one explained
    # among them, and the run's data files, to say where each record is as the reports do (``DataFile.line_of``).
    rows: list[int] = field(default_factory=list)
    row: int | None = None
    files: list[DataFile] = field(default_factory=list)
    # A rule that looks for records of another dataset (a reference): its window for this record (``from``,
    # ``due``, naive local times; None without a window), and the other dataset's records paired with it by
    # ``on``: {"dataset", "records": [(key, row, {field: value}, {test: true/false/None})], "more": n}.
    window: dict[str, Any] | None = None
    related: dict[str, Any] | None = None

    @property
    def verdict(self) -> str:
        """violation, warning, invalid, compliant, not examined, unjudged, not judged yet or outside the period."""
        if self.unreadable:
            return "unjudged"
        if self.judged_from is not None:
            return "not judged yet"
        if self.outside_period is not None:
            return "outside the period"
        statuses = {f.status for f in self.findings}
        for status in ("violation", "warning", "invalid"):
            if status in statuses:
                return status
        return "compliant" if self.in_scope else "not examined"


@dataclass
class RuleStats:
    """What one rule did in a run: records examined, findings by status, and records it could not judge.

    ``unjudged`` counts records in the rule's scope that it did not judge
    because a value it needs could not be read (each such value is also an
    ``invalid`` finding); they are not in ``examined``. A rule that judged
    none and left some unjudged was :attr:`not_evaluated`.
    """

    examined: int = 0
    violations: int = 0
    warnings: int = 0
    invalid: int = 0
    unjudged: int = 0
    # Periods of a per-period rule (2026-11) inside the audit period that had not ended at the as-of time.
    pending: tuple[str, ...] = ()
    # A per-period rule none of whose periods inside the audit period had ended: it judged nothing at all.
    none_judged: bool = False
    # True when the rule could examine no record, every one in its scope having an unreadable value it needs: it
    # has one ``invalid`` finding of its own at its severity (counted in ``invalid``), failing the run as a finding
    # would. A rule none of whose periods is judged yet (``pending``) is not judged yet, never not evaluated.
    not_evaluated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "examined": self.examined,
            "violations": self.violations,
            "warnings": self.warnings,
            "invalid": self.invalid,
            "unjudged": self.unjudged,
            "not_evaluated": self.not_evaluated,
            **({"not_judged_yet": list(self.pending)} if self.pending else {}),
            **({"none_judged": True} if self.none_judged else {}),
        }


@dataclass(frozen=True)
class DataFile:
    """Where one dataset of a run came from: its export file, or (``source``) a table or database.

    ``path`` is None for an optional dataset the export lacks and for one
    read from a source; ``source`` then describes it (a database URL without
    its password and the table, or the kind of table given); ``digest``
    identifies a source's content for the run history. ``extra_columns``
    are the file's columns that no field declares (not read), and
    ``missing_columns`` the optional columns it lacks (their fields read as
    empty), each in order: notices of the run, not failures.
    """

    dataset: str
    path: str | None
    format: str | None
    rows: int
    encoding: str | None = None
    source: str | None = None
    digest: str | None = None
    extra_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()
    # CSV: ((row, extra lines before it), …), from each row on which the count of lines the records before it
    # span beyond one each (quoted line breaks, blank lines) changes; see :meth:`line_of`.
    line_shifts: tuple[tuple[int, int], ...] = ()
    # A CSV file read as UTF-8 by detection whose bytes read as GBK too: (some of its text as UTF-8, as GBK).
    encoding_doubt: tuple[str, str] | None = None

    def line_of(self, row: int | None) -> int | None:
        """The line (from 1) of the export file on which record ``row`` starts; None for a file without lines
        (XLSX, Parquet, a source) or no row. A JSON Lines record's row is its line; a CSV record's is its number,
        below the header and the lines records before it span (``line_shifts``)."""
        if row is None or self.path is None:
            return None
        if self.format == "jsonl":
            return row
        if self.format != "csv":
            return None
        at = bisect.bisect_right(self.line_shifts, (row, float("inf"))) - 1
        return row + 1 + (self.line_shifts[at][1] if at >= 0 else 0)


@dataclass
class RunResult:
    """Everything an audit produced; report writers are pure functions of this.

    ``findings`` and ``grades`` are stores on the run's database connection
    (see ``engine/findings.py``): they behave like sequences, count and
    render in SQL, and hold the connection open until :meth:`close` (or the
    end of a ``with`` block).
    """

    policy: Policy
    as_of: datetime
    as_of_source: str
    lang: str
    findings: Any  # engine.findings.FindingStore: a sequence of Finding
    stats: dict[str, RuleStats]
    data_files: list[DataFile]
    export_dir: str
    engine_version: str
    rules_run: tuple[str, ...] = field(default_factory=tuple)
    # The months the export covers and where that came from (docs/time.md, "The audit period").
    period: AuditPeriod | None = None
    # Things about the run a reader must know, in the run's language (an as-of time before some records).
    warnings: tuple[str, ...] = ()
    grades: Any = ()  # engine.findings.GradeStore: a sequence of Grade with distribution()
    # engine.collect.GroupTally: examined records and findings per value of each scorecard group (None: no groups)
    group_counts: Any = None
    # The monthly cycle (docs/history.md, docs/waivers.md): what became of each waiver,
    # the recorded run compared with, findings per clause over the recorded runs, whether
    # only new findings fail the run, and the run's id in the history once recorded.
    waivers: tuple[WaiverUse, ...] = ()
    baseline: Baseline | None = None
    trend: tuple[TrendPoint, ...] = ()
    fail_on_new: bool = False
    recorded_as: int | None = None

    def __enter__(self) -> RunResult:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the run's database (findings and grades can no longer be read)."""
        for store in (self.findings, getattr(self.baseline, "resolved", None)):
            close = getattr(store, "close", None)
            if close is not None:
                close()

    def as_of_reason(self) -> str:
        """Where the as-of time came from, in the run's language."""
        return _translated(self.as_of_source, _AS_OF_ZH) if self.lang == "zh" else self.as_of_source

    def period_reason(self) -> str:
        """Where the audit period came from, in the run's language ("" without a period)."""
        if self.period is None:
            return ""
        return _translated(self.period.source, _PERIOD_ZH) if self.lang == "zh" else self.period.source

    def counts(self) -> dict[str, int]:
        """Findings by status."""
        return self.findings.counts()

    def failing_count(self, fail_on: str) -> int:
        """How many findings fail the run: violations and invalid data at or above ``fail_on``.

        Early warnings never fail a run; they are there to act on before the
        breach. Waived findings never fail it either; with ``fail_on_new``
        only findings new since the baseline run count.
        """
        return self.findings.failing_count(fail_on, new_only=self.fail_on_new)

    def fails(self, finding: Finding, fail_on: str) -> bool:
        """True when ``finding`` is one of those :meth:`failing_count` counts."""
        return fails(finding, fail_on, self.fail_on_new)

    def waived_count(self) -> int:
        """Findings accepted by a waiver (reported, but failing nothing)."""
        return self.findings.waived_count()

    def waiver_notices(self) -> list[WaiverUse]:
        """Waivers to act on: expired ones (they waive nothing now) and unused ones (stale), in file order."""
        return [use for use in self.waivers if use.state != "used"]

    def exit_code(self, fail_on: str) -> int:
        """0 clean, 1 when some finding is at or above ``fail_on`` (see :meth:`failing_count`)."""
        return 1 if self.failing_count(fail_on) else 0

    def meta(self) -> dict[str, Any]:
        return {
            "policy": {
                "id": self.policy.id,
                "version": self.policy.version,
                "hash": self.policy.content_hash,
                "path": self.policy.path,
            },
            "as_of": self.as_of.isoformat(sep=" "),
            "as_of_source": self.as_of_source,
            **({"period": {"label": self.period.label, "start": self.period.start.isoformat(sep=" "),
                           "end": self.period.end.isoformat(sep=" "), "source": self.period.source}}
               if self.period is not None else {}),
            "warnings": list(self.warnings),  # always there, empty when there are none: a reader need not guess
            "timezone": self.policy.timezone,
            "lang": self.lang,
            "export_dir": self.export_dir,
            "data_files": [
                {
                    "dataset": d.dataset,
                    "path": d.path,
                    "format": d.format,
                    "encoding": d.encoding,
                    "rows": d.rows,
                    **({"source": d.source} if d.source else {}),
                    "extra_columns": list(d.extra_columns),
                    "missing_columns": list(d.missing_columns),
                }
                for d in self.data_files
            ],
            "rules_run": list(self.rules_run),
            "engine": f"clausewise {self.engine_version}",
        }
