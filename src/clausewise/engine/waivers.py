"""Waivers applied to a run's findings, after the rules ran, in a few set-based statements.

The waivers (checked by ``policy/waivers.py``) go into a small table on the
run's connection as query parameters — nothing from the waivers file becomes
SQL text — and one join finds every finding each waiver matches; one
``UPDATE`` marks each matched finding with the first active waiver (in file
order) that matches it. A marked finding is still reported, with the waiver's
id, approver, reason, reference and expiry, but fails nothing
(``FindingStore.failing_count`` leaves it out).

A waiver whose last day is before the as-of time is expired: it marks
nothing, and is reported with the findings it would have matched. An active
waiver that matches nothing is reported as unused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..model import RunResult, Waiver, WaiverUse
from .findings import RESULT_TABLE

_TABLES = (
    "CREATE OR REPLACE TEMP TABLE __waivers (pos INTEGER, rule VARCHAR, clause VARCHAR, dataset VARCHAR, "
    "keys VARCHAR[], pattern VARCHAR, grouped BOOLEAN, info VARCHAR, active BOOLEAN)",
    "CREATE OR REPLACE TEMP TABLE __waiver_groups (pos INTEGER, name VARCHAR, value VARCHAR)",
)
_WAIVER = "INSERT INTO __waivers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
_GROUP = "INSERT INTO __waiver_groups SELECT ?, unnest(?::VARCHAR[]), unnest(?::VARCHAR[])"
# Every (finding, waiver) pair that matches; a group matches when each field the waiver names has its value.
_MATCHES = f"""
CREATE OR REPLACE TEMP TABLE __waiver_matches AS
WITH grouped AS (
    SELECT f.rowid AS rid, g.pos FROM {RESULT_TABLE} f JOIN __waiver_groups g ON f.grp IS NOT NULL
    GROUP BY ALL HAVING bool_and((CAST(f.grp AS JSON) ->> g.name) IS NOT DISTINCT FROM g.value)
)
SELECT f.rowid AS rid, w.pos, w.active FROM {RESULT_TABLE} f JOIN __waivers w
  ON (w.rule IS NULL OR f.rule = w.rule) AND (w.clause IS NULL OR f.clause = w.clause)
 AND (w.dataset IS NULL OR f.dataset = w.dataset)
 AND (w.keys IS NULL OR list_contains(w.keys, f.key))
 AND (w.pattern IS NULL OR f.key GLOB w.pattern)
 AND (NOT w.grouped OR EXISTS (SELECT 1 FROM grouped g WHERE g.rid = f.rowid AND g.pos = w.pos))
"""
_FIRST = "SELECT rid, min(pos) AS pos FROM __waiver_matches WHERE active GROUP BY rid"
_MARK = f"""
UPDATE {RESULT_TABLE} SET waiver = w.info FROM ({_FIRST}) m JOIN __waivers w ON w.pos = m.pos
WHERE {RESULT_TABLE}.rowid = m.rid
"""
_COUNTS = f"""
SELECT w.pos, (SELECT count(*) FROM __waiver_matches m WHERE m.pos = w.pos),
       (SELECT count(*) FROM ({_FIRST}) f WHERE f.pos = w.pos)
FROM __waivers w ORDER BY w.pos
"""


def apply(result: RunResult, waivers: Sequence[Waiver]) -> None:
    """Mark the findings of ``result`` that ``waivers`` accept, and set ``result.waivers``.

    Whether a waiver has expired is judged at the run's as-of time (see
    :meth:`Waiver.expired`). Applying again replaces what an earlier call marked.
    """
    store = result.findings
    store.execute(f"UPDATE {RESULT_TABLE} SET waiver = NULL WHERE waiver IS NOT NULL")
    for statement in _TABLES:
        store.execute(statement)
    for pos, waiver in enumerate(waivers):
        info = json.dumps(waiver.to_dict(), ensure_ascii=False)
        keys = list(waiver.keys) or None
        store.execute(_WAIVER, [pos, waiver.rule, waiver.clause, waiver.dataset, keys, waiver.pattern,
                                waiver.group is not None, info, not waiver.expired(result.as_of)])
        if waiver.group:
            store.execute(_GROUP, [pos, list(waiver.group), list(waiver.group.values())])
    store.execute(_MATCHES)
    store.execute(_MARK)
    counts = {pos: (matched, waived) for pos, matched, waived in store.execute(_COUNTS)}
    result.waivers = tuple(_use(result, w, *counts[pos]) for pos, w in enumerate(waivers))


def _use(result: RunResult, waiver: Waiver, matched: int, waived: int) -> WaiverUse:
    state = "expired" if waiver.expired(result.as_of) else "used" if matched else "unused"
    return WaiverUse(waiver, state, matched, waived)
