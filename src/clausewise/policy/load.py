"""Load a policy file and its rule files into a :class:`~clausewise.model.Policy`.

Everything that can be checked without data is checked here or in the engine's
compile step, and every problem is collected before anything is raised, so one
``clausewise validate`` shows an officer all the mistakes in a pack at once.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import Collector, Location, PolicyError, did_you_mean
from ..i18n import msg
from ..model import (
    WEEKDAY_NAMES,
    Calendar,
    Clause,
    Dataset,
    Duration,
    Field,
    Parameter,
    Policy,
    Rule,
    Scorecard,
    Text,
)
from .decision import parse_tables, table_file
from .derived import add_derived
from .durations import duration_problem, too_long
from .packfiles import PackPathError, expand, pack_root
from .schema import full_schema
from .validate import schema_errors
from .yamlfile import YList, YMap, load_yaml


def load_policy(path: str | Path, kinds: dict[str, Any]) -> Policy:
    """Read, validate and build the policy at ``path`` with all of its rules.

    ``kinds`` maps each rule kind the engine knows to an object with
    ``schema`` (the JSON Schema fragment of its own keys) and ``Spec`` (the
    :class:`~clausewise.model.Spec` subclass its rules are read into). Raises
    :class:`~clausewise.errors.ErrorList` (or a single
    :class:`~clausewise.errors.PolicyError`) with every problem found.
    """
    errors = Collector()
    policy = read_policy(path, kinds, errors)
    errors.raise_if_any()
    return policy


def read_policy(path: str | Path, kinds: dict[str, Any], errors: Collector) -> Policy:
    """Like :func:`load_policy`, but problems go to ``errors``.

    Raises only when nothing sensible can be built; otherwise returns a policy
    of the rules that passed the schema, so the caller can go on checking them
    and report every problem in the pack at once.
    """
    path = Path(path)
    schema = full_schema({name: kind.schema for name, kind in kinds.items()})
    display = _display(path)
    doc, bad = _load_checked(path, display, schema, errors)
    if doc is None or not isinstance(doc, dict) or "policy" not in doc:
        if doc is not None and not errors:
            errors.error(msg('this is not a policy file (no "policy" key)'), Location(display, 1, 1))
        errors.raise_if_any()
    # A parameter written wrongly is left out of what rules may use, and nothing else: the
    # rest of the pack is still checked. Anything else malformed leaves no policy to check rules against.
    broken_parameters = {path[1] for path in bad if len(path) >= 2 and path[0] == "parameters"}
    if any(not (len(path) >= 2 and path[0] == "parameters") for path in bad):
        errors.raise_if_any()
    rule_paths = _expand(path, doc.get("rules", []), doc, "rules", display, errors)
    test_paths = _expand(path, doc.get("tests", []), doc, "tests", display, errors, required=False)
    rule_docs = [_rule_file(p, display, schema, errors) for p in rule_paths]
    # A rule file whose shape is wrong as a whole has nothing to check further.
    rule_docs = [(d, bad) for d, bad in rule_docs
                 if isinstance(d, dict) and "policy" not in d and "waivers" not in d and not any(len(p) < 2 for p in bad)]
    return _build(doc, rule_docs, path, display, rule_paths, test_paths, kinds, errors, broken_parameters)


def _rule_file(path: Path, policy_display: str, schema: dict, errors: Collector) -> tuple[Any, set]:
    """A rule file's document and its schema errors; a policy in its place is one error, not a schema report."""
    own = Collector()
    doc, bad = _load_checked(path, _display(path), schema, own)
    for other in ("policy", "waivers"):
        if isinstance(doc, dict) and other in doc:
            errors.error(msg('this is a {other} file, not a rule file; remove it from "rules:" in {policy_display}', other=other, policy_display=policy_display),
                         Location(_display(path), 1, 1))
            return doc, bad
    for error in own.errors:
        errors.add(error)
    return doc, bad


def _display(path: Path) -> str:
    """A path as users wrote it: relative to the working folder when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _load_checked(path: Path, display: str, schema: dict, errors: Collector) -> tuple[Any, set]:
    """The document and the paths of its schema errors (added to ``errors``)."""
    try:
        doc = load_yaml(path, display)
    except PolicyError as exc:
        errors.add(exc)
        return None, set()
    for where in _non_finite(doc):
        errors.error(msg("infinity and NaN are not numbers a policy can use; write a finite number"), where)
    found, bad = schema_errors(doc, schema, display)
    for error in found:
        errors.add(error)
    return doc, bad


def _non_finite(node: Any, where: Location | None = None) -> list[Location]:
    """Places of ``.inf``, ``-.inf`` and ``.nan`` values: YAML floats that no rule can compare with."""
    if isinstance(node, float) and not math.isfinite(node):
        return [where]
    if isinstance(node, YMap):
        return [w for key, value in node.items() for w in _non_finite(value, node.value_at(key))]
    if isinstance(node, YList):
        return [w for index, value in enumerate(node) for w in _non_finite(value, node.item_at(index))]
    return []


def _expand(policy_path: Path, patterns, doc: YMap, key: str, display: str, errors: Collector,
            required: bool = True) -> list[Path]:
    """Files named by the policy's ``key`` patterns, in a stable order, each once, inside the pack."""
    found: dict[Path, None] = {}
    root = pack_root(policy_path)
    for index, pattern in enumerate(patterns):
        where = doc[key].item_at(index) if hasattr(doc.get(key), "item_at") else Location(display)
        try:
            # A "*.yaml" beside the policy does not make the policy one of its own rule files.
            matches = [m for m in expand(pattern, policy_path.parent, root) if m != policy_path.resolve()]
        except PackPathError as exc:
            errors.error(str(exc), where)
            continue
        if not matches and required:
            errors.error(msg('no rule file matches "{pattern}"', pattern=pattern), where)
        found.update(dict.fromkeys(matches))
    return list(found)


def _text(value: dict | None) -> Text:
    value = value or {}
    return Text(zh=value.get("zh"), en=value.get("en"))


def _build(doc, rule_docs, path: Path, display: str, rule_paths, test_paths, kinds, errors: Collector,
           broken_parameters: set) -> Policy:
    head = doc["policy"]
    clauses = _clauses(doc["clauses"])
    timezone = _timezone(head, errors)
    dq = head["data_quality"]
    _check_clause(dq["clause"], clauses, head["data_quality"].value_at("clause"), errors)
    parameters = _parameters(doc.get("parameters") or {}, broken_parameters, errors)
    datasets = _datasets(doc["datasets"], errors)
    tables = parse_tables(doc["decision_tables"], path.parent, errors) if doc.get("decision_tables") else {}
    table_paths = _table_files(doc.get("decision_tables"), path.parent)
    broken = {str(name): None for name in doc.get("decision_tables") or {} if str(name) not in tables}  # reported
    datasets, placed = add_derived(doc.get("derived") or {}, datasets, parameters, {**broken, **tables}, errors)
    _check_names(datasets, Location(str(path)), errors)
    if not placed:  # computed columns with no dataset: every rule using them would be "unknown field"
        errors.raise_if_any()
    rules = _rules(rule_docs, clauses, datasets, kinds, errors)
    return Policy(
        id=str(head["id"]),
        version=str(head["version"]),
        title=_text(head["title"]),
        timezone=timezone,
        calendar=_calendar(head, display, errors),
        data_quality_clause=str(dq["clause"]),
        data_quality_severity=str(dq.get("severity", "medium")),
        clauses=clauses,
        parameters=parameters,
        datasets=datasets,
        rules=tuple(rules),
        path=display,
        files=tuple([display, *(_display(p) for p in rule_paths), *(_display(p) for p in table_paths)]),
        content_hash=_hash(path, [*rule_paths, *table_paths]),
        tests=tuple(str(p) for p in test_paths),
        decision_tables=tables,
        scorecard=_scorecard(doc.get("scorecard") or {}, errors),
        record_history=bool((doc.get("history") or {}).get("record", False)),
    )


DEFAULT_SCORE_WEIGHTS = {"critical": 1.0, "high": 0.4, "medium": 0.2, "low": 0.15, "warning": 0.05, "waived": 0.05}
DEFAULT_SCORE_BANDS = {"A": 90.0, "B": 75.0, "C": 60.0, "D": 0.0}


def _scorecard(raw: YMap | dict, errors: Collector) -> Scorecard:
    """The policy's ``scorecard:``, defaults filled in; a cap naming no band, or two bands starting together, is an error."""
    bands = {str(k): float(v) for k, v in (raw.get("bands") or DEFAULT_SCORE_BANDS).items()}
    written = raw.get("bands") or {}
    starts: dict[float, str] = {}
    for name, low in bands.items():
        if low in starts:
            where = written.value_at(name) if isinstance(written, YMap) else None
            errors.error(msg('scorecard bands "{value1}" and "{name}" both start at {low:g}', value1=starts[low], name=name, low=low), where)
        starts.setdefault(low, name)
    order = [name for name, _ in sorted(bands.items(), key=lambda b: -b[1])]
    caps_written = raw.get("caps")
    caps = {str(k): str(v) for k, v in (caps_written or default_caps(order)).items()}
    for severity, band in caps.items():
        if band not in bands:
            where = caps_written.value_at(severity) if isinstance(caps_written, YMap) else None
            errors.error(msg('scorecard caps: {severity} caps at band "{band}", which is not one of the bands ({names}){hint}', severity=severity, band=band, names=", ".join(order), hint=did_you_mean(band, order)), where)
    return Scorecard(
        weights={**DEFAULT_SCORE_WEIGHTS, **{k: float(v) for k, v in (raw.get("weights") or {}).items()}},
        bands=bands,
        group_by={str(k): dict(v) for k, v in (raw.get("group_by") or {}).items()},
        caps=caps,
    )


def default_caps(order: list[str]) -> dict[str, str]:
    """Caps when the policy writes none, counted on its bands (best first): never the best band after a breach.

    critical caps at the worst band, high at the second worst, medium at the
    third worst and low at the second best (none better than the second
    best): ``{critical: D, high: C, medium: B, low: B}`` for bands A to D.
    """
    if len(order) < 2:
        return {}
    last = len(order) - 1
    return {"critical": order[last], "high": order[max(last - 1, 1)], "medium": order[max(last - 2, 1)],
            "low": order[1]}


def _timezone(head: YMap, errors: Collector) -> str:
    name = str(head.get("timezone", "Asia/Shanghai"))
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        errors.error(msg('unknown timezone "{name}"; expected an IANA name such as Asia/Shanghai', name=name), head.value_at("timezone"))
    return name


def _calendar(head: YMap, display: str, errors: Collector) -> Calendar:
    """The policy's ``calendar:`` as written; hours are checked when the engine builds it."""
    raw = head.get("calendar") or {}
    locations = {"calendar": head.value_at("calendar") if "calendar" in head else Location(display)}
    if isinstance(raw, YMap):
        locations.update({str(key): raw.value_at(key) for key in raw})
    weekday_hours: list[tuple[int, str]] = []
    table = raw.get("weekday_hours") or {}
    for name, hours in table.items():
        days = _weekdays(str(name))
        taken = {d for d, _ in weekday_hours} & set(days)
        if taken:
            errors.error(msg("weekday_hours: {value1} has hours twice", value1=WEEKDAY_NAMES[min(taken)]), table.key_at(name))
        for day in days:
            locations[f"weekday_hours.{day}"] = table.value_at(name)
            weekday_hours.append((day, str(hours)))
    weekend = raw.get("weekend")
    return Calendar(
        country=str(raw.get("country", "CN")),
        subdivision=raw.get("subdivision"),
        work_hours=str(raw.get("work_hours", "09:00-18:00")),
        weekday_hours=tuple(weekday_hours),
        weekend=None if weekend is None else tuple(WEEKDAY_NAMES.index(str(d)) for d in weekend),
        extra_holidays=tuple(str(d) for d in raw.get("extra_holidays", [])),
        extra_workdays=tuple(str(d) for d in raw.get("extra_workdays", [])),
        locations=locations,
    )


def _weekdays(name: str) -> list[int]:
    """Weekday numbers (Monday 0) of ``sat`` or of a range such as ``mon-thu`` (``fri-mon`` wraps)."""
    first, _, last = name.partition("-")
    start, end = WEEKDAY_NAMES.index(first), WEEKDAY_NAMES.index(last or first)
    return [(start + n) % 7 for n in range((end - start) % 7 + 1)]


def _clauses(raw: YMap) -> dict[str, Clause]:
    return {
        str(cid): Clause(
            id=str(cid),
            title=_text(body["title"]),
            observable=bool(body.get("observable", True)),
            reason=body.get("reason"),
            location=raw.key_at(cid),
        )
        for cid, body in raw.items()
    }


def _parameters(raw: YMap, broken: set, errors: Collector) -> dict[str, Parameter]:
    """The parameters; one whose value is wrong (``broken``: reported by the schema, or not a duration, or
    a duration too long to count with) has value None.

    Such a parameter stays known by name, so a rule that uses it is checked for
    everything else and is not also told the parameter does not exist.
    """
    params = {}
    for name, body in raw.items():
        if name in broken:
            ptype = body.get("type") if isinstance(body, dict) else None
            params[str(name)] = Parameter(str(name), str(ptype), None, location=raw.key_at(name))
            continue
        value = body["value"]
        if body["type"] == "duration":
            value = Duration.parse(value)
            problem = duration_problem(body["value"]) if value is None else too_long(value)
            if problem is not None:
                errors.error(msg('parameter "{name}": {duration_problem}', name=name, duration_problem=problem), body.value_at("value"))
                value = None
        params[str(name)] = Parameter(
            name=str(name),
            type=body["type"],
            value=value,
            title=_text(body["title"]) if "title" in body else None,
            location=raw.key_at(name),
            value_location=body.value_at("value"),
        )
    return params


def _formats(value) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _datasets(raw: YMap, errors: Collector) -> dict[str, Dataset]:
    out = {}
    for name, body in raw.items():
        fields = _fields(body, errors)
        if body["key"] not in fields:
            hint = did_you_mean(body["key"], fields)
            errors.error(msg('key "{key}" is not a field of dataset "{name}"{hint}', key=body["key"], name=name, hint=hint), body.value_at("key"))
        out[str(name)] = Dataset(
            name=str(name),
            file=str(body.get("file", name)),
            key=str(body["key"]),
            fields=fields,
            optional=bool(body.get("optional", False)),
            encoding=str(body.get("encoding", "auto")),
            delimiter=str(body.get("delimiter", ",")),
            null_values=tuple(str(v) for v in body.get("null_values", [])),
            location=raw.key_at(name),
        )
    return out


# clausewise's own tables and columns in the run's database begin with this (__findings, __row, __unread).
RESERVED_PREFIX = "__"


def _check_names(datasets: dict[str, Dataset], where: Location, errors: Collector) -> None:
    """Dataset and field names the run's database can hold: none of clausewise's own, no two alike but for case.

    DuckDB's names ignore case (``Items`` and ``items`` are one table), and
    clausewise names its own tables and columns with a leading ``__``.
    """
    def check(names: list[tuple[str, Location | None]], dataset: str | None = None) -> None:
        seen: dict[str, str] = {}
        for name, at in names:
            if name.startswith(RESERVED_PREFIX):
                said = (msg('field "{name}" of dataset "{dataset}": names beginning with "__" are clausewise\'s own; '
                            'choose another', name=name, dataset=dataset) if dataset else
                        msg('dataset "{name}": names beginning with "__" are clausewise\'s own; choose another',
                            name=name))
                errors.error(said, at or where)
            other = seen.setdefault(name.casefold(), name)
            if other != name:
                said = (msg('field "{name}" of dataset "{dataset}" differs from "{other}" only in upper and lower '
                            'case, which the database does not tell apart; choose another name',
                            name=name, dataset=dataset, other=other) if dataset else
                        msg('dataset "{name}" differs from "{other}" only in upper and lower case, which the '
                            'database does not tell apart; choose another name', name=name, other=other))
                errors.error(said, at or where)

    check([(name, d.location) for name, d in datasets.items()])
    for d in datasets.values():
        check([(name, f.location) for name, f in d.fields.items()], d.name)


def _fields(body: YMap, errors: Collector) -> dict[str, Field]:
    defaults = body.get("formats") or {}
    fields = {}
    for name, spec in body["fields"].items():
        spec = {"type": spec} if isinstance(spec, str) else spec
        ftype = spec["type"]
        formats = _formats(spec.get("format")) or _formats(defaults.get(ftype))
        fields[str(name)] = Field(
            name=str(name),
            type=ftype,
            column=str(spec.get("column", name)),
            values=tuple(str(v) for v in spec.get("values", [])),
            formats=formats,
            optional=bool(spec.get("optional", False)),
            location=body["fields"].key_at(name),
        )
    return fields


def _check_clause(clause: str, clauses: dict[str, Clause], where: Location, errors: Collector) -> None:
    if clause not in clauses:
        errors.error(msg('unknown clause "{clause}"{hint}', clause=clause, hint=did_you_mean(clause, clauses)), where)


def _rules(rule_docs, clauses, datasets: dict, kinds, errors: Collector) -> list[Rule]:
    """The rules that passed the schema; the others' errors are already reported."""
    rules: list[Rule] = []
    seen: dict[str, Location] = {}
    for doc, bad in rule_docs:
        items = doc["rules"]
        broken = {p[1] for p in bad if len(p) >= 2 and p[0] == "rules"}
        for index, raw in enumerate(items):
            if index in broken:
                continue
            rule = _rule(raw, items.item_at(index), kinds)
            if rule.id in seen:
                first = seen[rule.id]
                errors.error(msg('duplicate rule id "{id}" (first defined at {first})', id=rule.id, first=first), raw.value_at("id"))
            seen.setdefault(rule.id, rule.location)
            _check_clause(rule.clause, clauses, raw.value_at("clause"), errors)
            if rule.dataset not in datasets:
                hint = did_you_mean(rule.dataset, datasets)
                errors.error(msg('unknown dataset "{dataset}"{hint}', dataset=rule.dataset, hint=hint), raw.value_at("dataset"))
                continue  # reported; its conditions cannot be checked against a dataset that does not exist
            rules.append(rule)
    return rules


def _rule(raw: YMap, location: Location, kinds) -> Rule:
    """The rule as written; its kind's keys read into the kind's typed spec."""
    return Rule(
        id=str(raw["id"]),
        clause=str(raw["clause"]),
        dataset=str(raw["dataset"]),
        kind=str(raw["kind"]),
        severity=str(raw["severity"]),
        title=_text(raw["title"]),
        message=_text(raw["message"]),
        spec=kinds[str(raw["kind"])].Spec.from_mapping(raw),
        location=location,
        description=raw.get("description"),
    )


def _table_files(raw, base: Path) -> list[Path]:
    """The decision-table files the policy reads: those the table parser accepts, inside the policy's folder.

    A refused name (outside the folder, through a link, too large) is reported by
    the parser and never opened here, not even to be hashed.
    """
    if not isinstance(raw, dict):
        return []
    names = [spec["file"] for spec in raw.values() if isinstance(spec, dict) and isinstance(spec.get("file"), str)]
    found = set()
    for name in names:
        try:
            found.add(table_file(name, base, Location(""))[0].resolve())
        except PolicyError:
            continue
    return sorted(found)


def _hash(policy_path: Path, rule_paths: list[Path]) -> str:
    """sha256 over the policy, rule and decision-table files, so a report names exactly what ran."""
    digest = hashlib.sha256()
    for p in [policy_path.resolve(), *sorted(rule_paths)]:
        try:
            content = p.read_bytes()
        except OSError:  # unreadable: reported by the loader, and the pack does not load
            content = b""
        digest.update(p.name.encode() + b"\0" + content + b"\0")
    return "sha256:" + digest.hexdigest()
