"""What ``clausewise watch`` prints: one line an event, and one JSON object an event for a log.

A line starts with the as-of time of the audit that saw the change, then
what happened (``new violation``, ``new warning``, ``now a violation (was a
warning)``, ``resolved`` …), the clause, rule and record, and the finding's
message. The JSON object has ``at``, ``event``, ``occurrence`` and the
finding as in the JSON report (``Finding.to_dict``), plus ``was`` for a
changed status, ``message`` for an error and ``counts`` for the first audit.
"""

from __future__ import annotations

import json
from typing import Any

from ..i18n import N_, NC_, Words
from ..model import Finding
from . import words
from .common import record_label

_WORDS = Words({
    "started": N_("watching {folder}: {counts}"),
    "new": N_("new {status}"), "resolved": N_("resolved"), "changed": N_("now {status} (was {was})"),
    "waived": N_("now waived by {id}"), "unwaived": N_("no longer waived ({id})"),
    "error": N_("cannot audit the export (still watching):"), "recovered": N_("the export reads again"),
    "stopped": NC_("watch", "stopped"),
    "statuses": {"violation": N_("violation"), "warning": N_("warning"), "invalid": N_("invalid value")},
    "a": {"violation": N_("a violation"), "warning": N_("a warning"), "invalid": N_("an invalid value")},
})


def line(event, folder: str, lang: str = "en") -> str:
    """The event as one line for a terminal."""
    w = _WORDS[lang]
    at = event.at.isoformat(sep=" ")
    if event.kind == "started":
        c = event.counts
        counts = words.counts([(c["violation"], "violation"), (c["warning"], "warning"), (c["invalid"], "invalid value")],
                              lang, keep_zero=True)
        return f"{at}  " + w["started"].format(folder=folder, counts=counts)
    if event.kind == "error":
        return f"{at}  {w['error']}\n" + "\n".join(f"  {part}" for part in event.message.splitlines())
    if event.kind in ("recovered", "stopped"):
        return f"{at}  " + w[event.kind]
    f = event.finding
    return f"{at}  {_what(event, w)}  {f.clause} {f.rule} {record_label(f) or '—'}: {f.message}"


def _what(event, w) -> str:
    f, before = event.finding, event.before
    if event.kind == "new":
        return w["new"].format(status=w["statuses"][f.status])
    if event.kind == "resolved":
        return w["resolved"]
    if before.status != f.status:
        return w["changed"].format(status=w["a"][f.status], was=w["a"][before.status])
    if f.waiver:
        return w["waived"].format(id=f.waiver["id"])
    return w["unwaived"].format(id=before.waiver["id"])


def json_line(event) -> str:
    """The event as one line of compact JSON."""
    doc: dict[str, Any] = {"at": event.at.isoformat(sep=" "), "event": event.kind}
    if event.finding is not None:
        doc["occurrence"] = event.occurrence
        doc["finding"] = _finding(event.finding)
    if event.before is not None:
        doc["was"] = {"status": event.before.status, "waiver": event.before.waiver}
    if event.message is not None:
        doc["message"] = event.message
    if event.counts is not None:
        doc["counts"] = event.counts
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=str)


def _finding(f: Finding) -> dict[str, Any]:
    return f.to_dict()
