"""YAML rule cases: records in, expected findings out.

A case file lists cases for the rules of one policy::

    cases:
      - name: fail_reply_one_minute_late
        rule: inquiry-reply-deadline
        as_of: 2026-10-31 18:00
        data:
          inquiries:
            - {inquiry_id: Q1, answered_on_spot: "no", received_at: "2026-10-12 09:00", replied_at: "2026-10-13 09:01"}
        expect:
          - {key: Q1, status: violation}

Records are written to a real export folder (one CSV per dataset, every
declared column present, missing values empty) and audited with only the
case's rule, so a case exercises the same loading and SQL as a real audit.
``expect`` lists the findings the rule must produce, no more and no fewer;
each entry names only the fields it cares about (``key``, ``status``,
``row``, ``group``, ``severity``, ``due_at``, ``message``, and ``evidence``,
which matches the keys it lists). An entry with ``rule: data-quality``
expects an invalid-value finding. ``as_of`` and ``period`` (``2026-10``,
``2026-Q4``, ``2026``) are the audit's, as ``--as-of`` and ``--period`` give
them; without them a case is judged as an export would be (its period the
month holding most of its timestamps). Names start with ``pass_`` (no findings)
or ``fail_`` (at least one). The policy's ``tests:`` patterns name the files;
``clausewise test`` and pytest both run them. Each file is checked against
the rule-case schema (``clausewise schema --cases``; an editor validates a file
whose first line is ``# yaml-language-server: $schema=…/cases.schema.json``),
so a misspelt key is an error with its place, not a case that silently
expects nothing.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .engine import audit
from .engine.asof import parse_period
from .engine.kinds import KINDS
from .engine.plan import RESERVED_RULE
from .errors import ClauseWiseError, Collector, Location
from .i18n import NC_, Message, msg, render
from .model import AuditPeriod, Finding, Policy, in_time_range
from .policy.schema import CASES_SCHEMA
from .policy.validate import schema_errors
from .policy.yamlfile import YMap, load_yaml

MATCH_KEYS = ("rule", "key", "status", "row", "group", "severity", "due_at", "message", "evidence")


@dataclass
class Case:
    name: str
    rule: str
    data: dict[str, list[dict[str, Any]]]
    expect: list[dict[str, Any]]
    as_of: datetime | None
    location: Location
    lang: str = "en"
    period: AuditPeriod | None = None


@dataclass
class CaseResult:
    case: Case
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_cases(policy: Policy) -> list[Case]:
    """Every case in the policy's test files, checked against the policy."""
    errors = Collector()
    cases = []
    for path in policy.tests:
        shown = _display(Path(path))
        doc = load_yaml(Path(path), shown)
        found, broken = schema_errors(doc, CASES_SCHEMA, shown)
        for error in found:
            errors.add(error)
        items = doc.get("cases") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            if not found:
                errors.error('a case file needs a "cases:" list', Location(shown, 1, 1))
            continue
        for index, raw in enumerate(items):
            if any(p[:2] == ("cases", index) for p in broken):
                continue  # its schema errors are reported; the checks below would only repeat them
            case = _case(raw, items.item_at(index), policy, errors)
            if case is not None:
                cases.append(case)
    errors.raise_if_any()
    return cases


def _display(path: Path) -> str:
    """A case file's name for messages: relative to the working folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _case(raw: Any, where: Location, policy: Policy, errors: Collector) -> Case | None:
    if not isinstance(raw, YMap) or not {"name", "rule"} <= set(raw):
        errors.error("a case needs at least name and rule", where)
        return None
    name, rule = str(raw["name"]), str(raw["rule"])
    expect = list(raw.get("expect") or [])
    if policy.rule(rule) is None:
        errors.error(msg('case "{name}": unknown rule "{rule}"', name=name, rule=rule), raw.value_at("rule"))
    if name.startswith("pass_") and expect:
        errors.error(msg('case "{name}" is a pass_ case but expects findings', name=name), raw.value_at("expect"))
    elif name.startswith("fail_") and not expect:
        errors.error(msg('case "{name}" is a fail_ case but expects no findings', name=name), raw.key_at("name"))
    elif not name.startswith(("pass_", "fail_")):
        errors.error(msg('case "{name}": names start with pass_ or fail_', name=name), raw.value_at("name"))
    for dataset in raw.get("data") or {}:
        if dataset not in policy.datasets:
            errors.error(msg('case "{name}": unknown dataset "{dataset}"',
                             name=name, dataset=dataset), raw["data"].key_at(dataset))
    as_of = _case_as_of(raw, name, policy, errors)
    period = None
    if raw.get("period") is not None:
        try:
            period = parse_period(str(raw["period"]), "given", raw.value_at("period"))
        except ClauseWiseError as exc:
            errors.error(msg('case "{name}": {message}', name=name, message=exc.message), raw.value_at("period"))
    return Case(name, rule, dict(raw.get("data") or {}), expect, as_of, where, str(raw.get("lang", "en")), period)


def _case_as_of(raw: YMap, name: str, policy: Policy, errors: Collector) -> datetime | None:
    """The case's as-of time, naive in the policy's zone; None (with an error) when it cannot be one."""
    value = raw.get("as_of")
    try:
        as_of = _as_of(value)
        if as_of is not None and as_of.tzinfo is not None:
            as_of = as_of.astimezone(ZoneInfo(policy.timezone)).replace(tzinfo=None)
    except ValueError:
        errors.error(msg('case "{name}": as_of "{value}" is not a timestamp',
                         name=name, value=value), raw.value_at("as_of"))
        return None
    except OverflowError:
        as_of = datetime.min
    if as_of is not None and not in_time_range(as_of):
        errors.error(msg('case "{name}": as_of "{value}" is outside the years 1900 to 2199 that clausewise judges',
                         name=name, value=value),
                     raw.value_at("as_of"))
        return None
    return as_of


def _as_of(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(str(value))


def run_case(policy: Policy, case: Case) -> CaseResult:
    """Audit the case's records with its rule and compare the findings.

    Only the datasets the rule can see are loaded — its own, a reference's
    target, what computed columns are built from, and those the case fills —
    so a pack with many datasets still tests quickly.
    """
    policy = replace(policy, datasets={n: d for n, d in policy.datasets.items() if n in _needed(policy, case)})
    with tempfile.TemporaryDirectory(prefix="clausewise-case-") as folder:
        write_export(policy, case.data, Path(folder))
        wanted_rules = {case.rule} | {str(e.get("rule")) for e in case.expect if e.get("rule")}
        with audit(policy, folder, as_of=case.as_of, lang=case.lang, rule_ids=(case.rule,), period=case.period,
                   strict=False) as result:
            actual = [f for f in result.findings if f.rule in wanted_rules]
            unread = [f for f in result.findings if f.rule == RESERVED_RULE and f.rule not in wanted_rules]
    return CaseResult(case, compare(case.expect, actual, case.rule, unread))


def _needed(policy: Policy, case: Case) -> set[str]:
    rule = policy.rule(case.rule)
    wanted = {rule.dataset, *case.data, *KINDS[rule.kind].reads(rule.spec)}
    needed: set[str] = set()
    while wanted:
        name = wanted.pop()
        dataset = policy.datasets.get(name)
        if dataset is None or name in needed:
            continue
        needed.add(name)
        wanted |= {dataset.source} if dataset.source else set()
        wanted |= {f.derived.spec["lookup"]["from"] for f in dataset.derived_fields() if f.derived.how == "lookup"}
    return needed


def write_export(policy: Policy, data: dict[str, list[dict[str, Any]]], folder: Path) -> None:
    """One CSV per dataset with every declared column; absent values stay empty."""
    for dataset in (d for d in policy.datasets.values() if d.exported):
        columns = [f.column for f in dataset.file_fields()]
        names = {f.column: f.name for f in dataset.file_fields()}
        with (folder / f"{dataset.file}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for record in data.get(dataset.name) or []:
                writer.writerow([_cell(record.get(names[c], record.get(c))) for c in columns])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def compare(expected: list[dict[str, Any]], actual: list[Finding], rule: str,
            unread: list[Finding] = ()) -> list[Message]:
    """Pair expected entries with findings; describe what is missing or extra, each problem a
    :class:`~clausewise.i18n.Message` (English as a ``str``; ``render(lang)`` for another language).

    ``unread`` are the case's invalid-value findings (values of its records
    that did not convert), not expected: a rule does not judge a record with
    such a value it reads, which is the likely reason for a finding that was
    not produced, so they are named beside it; and a case that expects no
    finding proves nothing for such a record, so it fails.
    """
    remaining = list(actual)
    problems = []
    for entry in expected:
        entry = {"rule": rule, **entry}
        match = next((f for f in remaining if _matches(entry, f)), None)
        if match is None:
            problems.append(_with_note(_missing(entry, remaining), unread))
        else:
            remaining.remove(match)
    problems += [msg("unexpected finding: {finding}", finding=_describe(f)) for f in remaining]
    if not expected and unread:
        # A passing case whose records the rule could not judge proves nothing: it would pass whatever the rule did.
        problems.append(_with_note(msg("no finding expected and none produced, which proves nothing for a record the "
                                       "rule could not judge; correct the value, or expect its data-quality finding"),
                                   unread))
    return problems


def _matches(entry: dict[str, Any], finding: Finding) -> bool:
    return all(_field_matches(k, v, finding) for k, v in entry.items())


def _field_matches(key: str, wanted: Any, finding: Finding) -> bool:
    actual = getattr(finding, key, None)
    if key == "evidence":
        return all(_same(v, (actual or {}).get(k)) for k, v in wanted.items())
    if key == "message":
        return str(wanted) in (actual or "")
    return _same(wanted, actual)


def _same(wanted: Any, actual: Any) -> bool:
    if isinstance(actual, datetime) or isinstance(wanted, datetime):
        try:
            return _as_of(wanted) == _as_of(actual)
        except ValueError:  # an expected time that is not one matches nothing
            return False
    if isinstance(wanted, dict) and isinstance(actual, dict):
        return all(_same(v, actual.get(k)) for k, v in wanted.items())
    if isinstance(wanted, (int, float)) and isinstance(actual, (int, float)) and not isinstance(wanted, bool):
        return abs(wanted - actual) < 1e-9
    return str(wanted) == str(actual) if wanted is not None else actual is None


def _missing(entry: dict[str, Any], remaining: list[Finding]) -> Message:
    wanted = ", ".join(f"{k}={v}" for k, v in entry.items())
    if not remaining:
        return msg("expected finding not produced: {wanted}", wanted=wanted)
    closest = max(remaining, key=lambda f: sum(_field_matches(k, v, f) for k, v in entry.items()))
    diffs = [
        msg("{key}: expected {expected}, got {got}", key=k, expected=repr(v), got=repr(_shown(k, closest)))
        for k, v in entry.items()
        if not _field_matches(k, v, closest)
    ]
    return msg("expected finding not produced: {wanted}\n    closest finding differs in {diffs}", wanted=wanted,
               diffs=_Semicolons(diffs))


class _Semicolons(Message):
    """Items joined with ``; `` (a comparison's differences may hold commas): ``；`` in Chinese."""

    def __new__(cls, items) -> _Semicolons:
        items = tuple(items)
        self = Message.__new__(cls, "; ".join(str(i) for i in items))
        self.items = items
        return self

    def render(self, lang: str) -> str:
        return NC_("differences", "; ").render(lang).join(str(render(item, lang)) for item in self.items)

    def __reduce__(self):
        return (_Semicolons, (self.items,))


def _with_note(problem: Message, unread: list[Finding], shown: int = 3) -> Message:
    """``problem``, and what may explain it: the case's values that did not convert (at most ``shown`` of them)."""
    if not unread:
        return problem
    values = "; ".join(f"{f.key}: {f.message}" for f in unread[:shown])
    if len(unread) > shown:
        values = msg("{values}; and {n} more", values=values, n=len(unread) - shown)
    note = msg("the case's records have values that do not convert, and a rule does not judge a record whose value "
               "it reads did not: {values}", values=values)
    return msg("{problem}\n    {note}", problem=problem, note=note)


def _shown(key: str, finding: Finding) -> Any:
    value = getattr(finding, key, None)
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value


def _describe(finding: Finding) -> str:
    record = finding.key if finding.group is None else finding.group
    return f"rule={finding.rule} key={record} status={finding.status} message={finding.message!r}"


def run_policy_cases(policy: Policy) -> list[CaseResult]:
    return [run_case(policy, case) for case in load_cases(policy)]


__all__ = ["Case", "CaseResult", "compare", "load_cases", "run_case", "run_policy_cases", "write_export"]
