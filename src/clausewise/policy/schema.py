"""The JSON Schema (Draft 2020-12) of policy files, rule files and waiver files.

One schema covers all three kinds of file: a document with a top-level
``policy`` key is a policy, one with ``waivers`` a waivers file (see
docs/waivers.md), anything else is a rule file. The rule kinds add their own keys:
:func:`full_schema` takes their fragments, so a new kind never edits this file.
Validation messages are rewritten in plain words in :mod:`.validate`.

Rule-case files (``clausewise.testing``) have a schema of their own,
:data:`CASES_SCHEMA`: a case file is read by ``clausewise test``, not by the
policy loader, and names no policy, so nothing in it tells the two apart.
"""

from __future__ import annotations

import copy
from typing import Any

from ..i18n import N_
from ..model import WEEKDAY_NAMES

SCHEMA_ID = "https://clausewise.dev/schema/clausewise.schema.json"
CASES_SCHEMA_ID = "https://clausewise.dev/schema/cases.schema.json"

NAME = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$", "x-expected": N_("a name of letters, digits and _")}
RULE_ID = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$", "x-expected": N_("an id of letters, digits, '.', '_' and '-'")}
CLAUSE_ID = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$", "x-expected": N_("a clause id such as OS-3.1.1")}
SEVERITY = {"enum": ["critical", "high", "medium", "low"]}
CONDITION = {"type": "string", "minLength": 1, "description": "A SQL expression in the DuckDB dialect (see docs/rules.md)."}
TEXT = {
    "type": "object",
    "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
    "additionalProperties": False,
    "minProperties": 1,
    "description": "A text in Chinese (zh) and English (en); one may stand in for the other.",
}
SCALAR = {"type": ["string", "number", "boolean"]}
_WEEKDAY = f"({'|'.join(WEEKDAY_NAMES)})"
_CLOCK = "\\d{1,2}:\\d{2}(:\\d{2})?"
_SPAN = f"\\s*{_CLOCK}\\s*-\\s*{_CLOCK}\\s*"
_HOURS = {
    "type": "string",
    "pattern": f"^{_SPAN}(,{_SPAN})*$",
    "x-expected": N_("hours like 09:00-18:00, or 09:00-12:00, 13:00-18:00"),
    "description": "Working intervals of local clock time; one whose end is not after its start crosses midnight.",
}

_FIELD_OBJECT = {
    "type": "object",
    "properties": {
        "type": {"enum": ["string", "integer", "number", "boolean", "date", "timestamp", "enum"]},
        "values": {"type": "array", "items": {"type": ["string", "number"]}, "minItems": 1},
        "column": {"type": "string", "minLength": 1, "description": "Header of the column in the export, when it differs from the field name."},
        "format": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}],
            "description": "strptime format(s) for date and timestamp fields, e.g. '%d/%m/%Y %H:%M'.",
        },
        "optional": {"type": "boolean", "description": "The column may be missing from the export; it then reads as empty."},
        "description": {"type": "string"},
    },
    "required": ["type"],
    "additionalProperties": False,
    "if": {"properties": {"type": {"const": "enum"}}},
    "then": {"required": ["values"]},
}

_DATASET = {
    "type": "object",
    "properties": {
        "key": NAME,
        "file": {"type": "string", "pattern": "^[^/\\\\]+$", "x-expected": N_("a file stem without folders")},
        "optional": {"type": "boolean"},
        "encoding": {"enum": ["auto", "utf-8", "gbk", "gb18030"]},
        "delimiter": {"type": "string", "minLength": 1, "maxLength": 1},
        "null_values": {"type": "array", "items": {"type": "string"}},
        "formats": {
            "type": "object",
            "properties": {
                "date": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                "timestamp": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
            },
            "additionalProperties": False,
        },
        "description": {"type": "string"},
        "fields": {
            "type": "object",
            "propertyNames": NAME,
            "minProperties": 1,
            "additionalProperties": {
                "oneOf": [
                    {"enum": ["string", "integer", "number", "boolean", "date", "timestamp"]},
                    _FIELD_OBJECT,
                ]
            },
        },
    },
    "required": ["key", "fields"],
    "additionalProperties": False,
}

_PARAMETER = {
    "type": "object",
    "properties": {
        "type": {"enum": ["duration", "number", "integer", "string", "boolean", "list", "map"]},
        "value": {},
        "title": TEXT,
        "description": {"type": "string"},
    },
    "required": ["type", "value"],
    "additionalProperties": False,
    "allOf": [
        {"if": {"properties": {"type": {"const": "duration"}}}, "then": {"properties": {"value": {"type": "string"}}}},
        {"if": {"properties": {"type": {"const": "number"}}}, "then": {"properties": {"value": {"type": "number"}}}},
        {"if": {"properties": {"type": {"const": "integer"}}}, "then": {"properties": {"value": {"type": "integer"}}}},
        {"if": {"properties": {"type": {"const": "string"}}}, "then": {"properties": {"value": {"type": "string"}}}},
        {"if": {"properties": {"type": {"const": "boolean"}}}, "then": {"properties": {"value": {"type": "boolean"}}}},
        {"if": {"properties": {"type": {"const": "list"}}}, "then": {"properties": {"value": {"type": "array", "items": SCALAR}}}},
        {"if": {"properties": {"type": {"const": "map"}}}, "then": {"properties": {"value": {"type": "object", "additionalProperties": SCALAR}}}},
    ],
}

_WEIGHTS = {"oneOf": [{"type": "string", "pattern": "^\\$"}, {"type": "object", "additionalProperties": {"type": "number"}}]}
_DERIVED_COLUMN = {
    "type": "object",
    "properties": {
        "expr": {**CONDITION, "description": "SQL expression over the dataset's fields and earlier computed columns."},
        "type": {"enum": ["string", "integer", "number", "boolean", "date", "timestamp"]},
        "weighted": {
            "type": "object",
            "properties": {
                "weights": {**_WEIGHTS, "description": "name → weight; the weights must sum to 1."},
                "by": {"type": "string", "description": "Aggregated datasets: weight the average of value per value of this field."},
                "value": {"type": "string", "description": "With by: the field or computed column of the source that is averaged."},
            },
            "required": ["weights"],
            "additionalProperties": False,
        },
        "bands": {
            "type": "object",
            "properties": {
                "of": {"type": "string"},
                "using": {**_WEIGHTS, "description": "band → lower bound (inclusive)."},
                "range": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
            },
            "required": ["of", "using"],
            "additionalProperties": False,
        },
        "table": {"type": "string", "description": "A decision table of the policy."},
        "lookup": {
            "type": "object",
            "properties": {
                "from": NAME,
                "on": {"type": "object", "minProperties": 1, "additionalProperties": NAME},
                "value": {"type": "string"},
            },
            "required": ["from", "on", "value"],
            "additionalProperties": False,
            "description": "The value of a field of the matching record in another dataset.",
        },
        "inputs": {"type": "object", "additionalProperties": {"type": "string"}},
        "round": {"type": "integer", "minimum": 0, "maximum": 9, "description": "Decimal places the value is rounded to (default 6)."},
        "description": {"type": "string"},
    },
    "additionalProperties": False,
    "oneOf": [{"required": ["expr"]}, {"required": ["weighted"]}, {"required": ["bands"]}, {"required": ["table"]},
              {"required": ["lookup"]}],
}
_DERIVED = {
    "type": "object",
    "properties": {
        "from": {**NAME, "description": "Compute a new dataset from this one, one record per group."},
        "group_by": {"type": "array", "items": NAME, "minItems": 1},
        "key": NAME,
        "columns": {"type": "object", "propertyNames": NAME, "minProperties": 1, "additionalProperties": _DERIVED_COLUMN},
        "description": {"type": "string"},
    },
    "required": ["columns"],
    "additionalProperties": False,
    "dependentRequired": {"from": ["group_by", "key"]},
}
_SCORECARD = {
    "type": "object",
    "description": "How findings become the compliance scorecard (docs/grades.md).",
    "properties": {
        "weights": {
            "type": "object",
            "properties": {k: {"type": "number", "minimum": 0, "maximum": 1}
                           for k in ("critical", "high", "medium", "low", "warning", "waived")},
            "additionalProperties": False,
            "description": "Share of 100 points a clause loses when breached at a severity, warned, or waived.",
        },
        "bands": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 100},
                  "minProperties": 2, "description": "Band name → its lowest score (0–100); at least two bands."},
        "caps": {"type": "object", "properties": {k: {"type": "string"} for k in ("critical", "high", "medium", "low")},
                 "additionalProperties": False,
                 "description": "Severity → the best band a scope holding a breach that severe can have."},
        "group_by": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": NAME}},
    },
    "additionalProperties": False,
}

_CLAUSE = {
    "type": "object",
    "properties": {
        "title": TEXT,
        "observable": {"type": "boolean", "description": "false when records cannot show the clause (declarative)."},
        "reason": {"type": "string", "description": "Why the clause has no rules, when it is not observable."},
    },
    "required": ["title"],
    "additionalProperties": False,
}

POLICY_DOC = {
    "type": "object",
    "properties": {
        "policy": {
            "type": "object",
            "properties": {
                "id": RULE_ID,
                "version": {"type": ["string", "number"]},
                "title": TEXT,
                "timezone": {"type": "string"},
                "calendar": {
                    "type": "object",
                    "properties": {
                        "country": {"type": "string"},
                        "subdivision": {"type": "string"},
                        "work_hours": _HOURS,
                        "weekday_hours": {
                            "type": "object",
                            "propertyNames": {"pattern": f"^{_WEEKDAY}(-{_WEEKDAY})?$",
                                              "x-expected": N_("a weekday (mon … sun) or a range such as mon-thu")},
                            "additionalProperties": _HOURS,
                            "description": "Working hours of particular weekdays, e.g. {sat: 09:00-13:00}; a weekday listed is worked.",
                        },
                        "weekend": {"type": "array", "items": {"enum": list(WEEKDAY_NAMES)}, "uniqueItems": True,
                                    "description": "Weekdays off, e.g. [sat, sun]; the country's own weekend by default."},
                        "extra_holidays": {"type": "array", "items": {"type": "string", "format": "date"}},
                        "extra_workdays": {"type": "array", "items": {"type": "string", "format": "date"}},
                    },
                    "additionalProperties": False,
                },
                "data_quality": {
                    "type": "object",
                    "properties": {"clause": CLAUSE_ID, "severity": SEVERITY},
                    "required": ["clause"],
                    "additionalProperties": False,
                },
                "description": {"type": "string"},
            },
            "required": ["id", "version", "title", "data_quality"],
            "additionalProperties": False,
        },
        "clauses": {"type": "object", "propertyNames": CLAUSE_ID, "minProperties": 1, "additionalProperties": _CLAUSE},
        "parameters": {"type": "object", "propertyNames": NAME, "additionalProperties": _PARAMETER},
        "datasets": {"type": "object", "propertyNames": NAME, "minProperties": 1, "additionalProperties": _DATASET},
        "derived": {"type": "object", "propertyNames": NAME, "additionalProperties": _DERIVED,
                    "description": "Computed columns and datasets (scores, grades), ready before any rule runs."},
        "decision_tables": {"type": "object", "propertyNames": NAME, "additionalProperties": {"type": "object"},
                            "description": "DMN-style decision tables (see docs/decision-tables.md)."},
        "scorecard": _SCORECARD,
        "history": {
            "type": "object",
            "properties": {
                "record": {"type": "boolean", "description": "Record every audit in the run history, as --record does "
                                                             "(docs/history.md); the history's place is the command's."},
            },
            "additionalProperties": False,
        },
        "rules": {"type": "array", "items": {"type": "string"}, "description": "Rule files, relative to this file; glob patterns allowed."},
        "tests": {"type": "array", "items": {"type": "string"}, "description": "Rule test files, relative to this file; glob patterns allowed."},
    },
    "required": ["policy", "clauses", "datasets", "rules"],
    "additionalProperties": False,
}

RULE_COMMON = {
    "id": RULE_ID,
    "clause": CLAUSE_ID,
    "dataset": NAME,
    "kind": {"type": "string"},
    "severity": SEVERITY,
    "title": TEXT,
    "message": {**TEXT, "description": "Message templates; {field} inserts a value of the record or the evidence, {$param} a parameter."},
    "description": {"type": "string"},
    "when": {**CONDITION, "description": "Scope: only records for which this SQL condition is true are examined."},
    "per": {"enum": ["day", "week", "month", "quarter", "year"],
            "description": "Judge the rule once for each such period inside the audit period that has ended by the "
                           "as-of time; $period_start and $period_end are then that period's (check, required, "
                           "allowed and reference rules)."},
}

RULE_DOC = {
    "type": "object",
    "properties": {
        "rules": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": RULE_COMMON,
                "required": ["id", "clause", "dataset", "kind", "severity", "title", "message"],
            },
        }
    },
    "required": ["rules"],
    "additionalProperties": False,
}


_KEY = {"type": ["string", "integer"], "minLength": 1}
_KEYS = {"oneOf": [_KEY, {"type": "array", "items": _KEY, "minItems": 1}]}
WAIVER = {
    "type": "object",
    "properties": {
        "id": {**RULE_ID, "description": "The waiver's id, unique in the file; reports name it."},
        "rule": {**RULE_ID, "description": "The rule whose findings it waives (data-quality for invalid values)."},
        "clause": {**CLAUSE_ID, "description": "The clause whose findings it waives."},
        "dataset": {**NAME, "description": "Only findings in this dataset."},
        "key": {**_KEYS, "description": "The record key, or a list of keys, of the findings it waives."},
        "group": {"type": "object", "minProperties": 1, "propertyNames": NAME, "additionalProperties": SCALAR,
                  "description": "Aggregate findings whose group has these values (field: value)."},
        "pattern": {"type": "string", "minLength": 1,
                    "description": "A glob over record keys: * any text, ? one character, [abc] one of."},
        "approved_by": {"type": "string", "minLength": 1, "description": "Who accepted the deviation."},
        "reason": {"type": "string", "minLength": 1, "description": "Why it was accepted."},
        "reference": {"type": "string", "minLength": 1, "description": "A ticket, decision or minute."},
        "expires": {"type": "string", "format": "date",
                    "description": "The last day it waives (YYYY-MM-DD); audits as of a later day find it expired."},
        "description": {"type": "string"},
    },
    "required": ["id", "approved_by", "reason", "expires"],
    "additionalProperties": False,
    "allOf": [
        {"anyOf": [{"required": ["rule"]}, {"required": ["clause"]}]},
        {"oneOf": [{"required": ["key"]}, {"required": ["group"]}, {"required": ["pattern"]}]},
    ],
}
WAIVERS_DOC = {
    "type": "object",
    "properties": {"waivers": {"type": "array", "items": WAIVER, "minItems": 1,
                               "description": "Accepted deviations (docs/waivers.md)."}},
    "required": ["waivers"],
    "additionalProperties": False,
}


def full_schema(kinds: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The published schema: the three documents, with each rule kind's own keys.

    ``kinds`` maps a kind name to a JSON Schema object fragment with
    ``properties`` and optionally ``required`` for the keys that kind adds.
    """
    rule_doc = copy.deepcopy(RULE_DOC)
    item = rule_doc["properties"]["rules"]["items"]
    item["properties"]["kind"] = {"enum": sorted(kinds)}
    item["allOf"] = [_kind_branch(name, frag) for name, frag in sorted(kinds.items())]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "clausewise policy, rule or waivers file",
        "if": {"type": "object", "required": ["policy"]},
        "then": POLICY_DOC,
        "else": {
            "if": {"type": "object", "required": ["waivers"]},
            "then": WAIVERS_DOC,
            "else": rule_doc,
        },
    }


def _kind_branch(name: str, fragment: dict[str, Any]) -> dict[str, Any]:
    # The keys every rule has are checked once, by the rule's own "properties"; here they are only allowed.
    props = {**{key: True for key in RULE_COMMON}, **fragment.get("properties", {})}
    then = {
        "properties": props,
        "additionalProperties": False,
    }
    if fragment.get("required"):
        then["required"] = list(fragment["required"])
    for keyword in ("oneOf", "anyOf", "allOf"):
        if keyword in fragment:
            then[keyword] = fragment[keyword]
    # "type": a rule that is not a mapping is reported as such, not held to every kind at once.
    return {"if": {"type": "object", "properties": {"kind": {"const": name}}, "required": ["kind"]}, "then": then}


_CELL = {"type": ["string", "number", "boolean", "null"]}
_EXPECTED = {
    "type": "object",
    "properties": {
        "rule": {**RULE_ID, "description": "The rule of the finding: the case's rule unless given (data-quality for an "
                                           "invalid value)."},
        "key": {"type": ["string", "integer", "null"], "description": "The record key (null for an aggregate finding)."},
        "group": {"type": ["object", "null"], "additionalProperties": _CELL,
                  "description": "An aggregate finding's group: field → value."},
        "row": {"type": ["integer", "null"], "minimum": 1,
                "description": "The record's position in its export file, 1 = the first record."},
        "status": {"enum": ["violation", "warning", "invalid"]},
        "severity": SEVERITY,
        "due_at": {"type": ["string", "null"], "description": "The deadline, in the policy's timezone."},
        "message": {"type": "string", "description": "A text the finding's message contains."},
        "evidence": {"type": "object", "description": "Evidence values the finding must have (the keys listed only)."},
    },
    "additionalProperties": False,
    "description": "An expected finding: only the fields it names are compared.",
}
_CASE = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "pattern": "^(pass|fail)_", "x-expected": N_("a name starting with pass_ or fail_"),
                 "description": "pass_… expects no finding, fail_… at least one."},
        "rule": {**RULE_ID, "description": "The rule the case audits the records with (and only that rule)."},
        "as_of": {"type": "string", "description": "The as-of time, in the policy's timezone: 2026-10-31 or "
                                                   "2026-10-31 18:00, or with an offset (converted)."},
        "period": {"type": ["string", "integer"], "pattern": r"^\s*\d{4}(-(\d{1,2}|[Qq][1-4]))?\s*$",
                   "x-expected": N_("a month (2026-10), quarter (2026-Q4) or year (2026)"),
                   "description": "The audit period, as --period gives it: a month (2026-10), quarter (2026-Q4) or "
                                  "year (2026). Default: the month holding most of the case's timestamps."},
        "lang": {"enum": ["en", "zh"], "description": "The language of the findings' messages (default en)."},
        "data": {"type": "object", "propertyNames": NAME,
                 "additionalProperties": {"type": "array", "items": {"type": "object", "additionalProperties": _CELL}},
                 "description": "Dataset → its records, each field → its value as the export would hold it."},
        "expect": {"type": "array", "items": _EXPECTED,
                   "description": "The findings the rule must produce, no more and no fewer."},
        "description": {"type": "string"},
    },
    "required": ["name", "rule"],
    "additionalProperties": False,
}
CASES_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": CASES_SCHEMA_ID,
    "title": "clausewise rule-case file",
    "description": "Rule cases: records in, expected findings out (clausewise test; docs/rules.md, Rule cases).",
    "type": "object",
    "properties": {"cases": {"type": "array", "items": _CASE}},
    "required": ["cases"],
    "additionalProperties": False,
}
