"""The monthly cycle around an audit: waivers, the comparison with a recorded run, recording.

:func:`complete` runs after the rules, on the run's result: it applies the
waivers (``waivers.py``), compares the findings with a baseline run from the
history (``--baseline``), records the run (``--record``) and reads the trend
of findings per clause over the recorded runs, for the reports.

The run's connection stays locked throughout. Findings leave it only as the
Parquet file the locked run may write (``FindingStore.to_parquet``), which
the history reads with a connection of its own; what comes back — how many
findings of each fingerprint the baseline had — enters as query parameters,
and one ``UPDATE`` marks each finding new or persisting (see
``history/compare.py`` for how findings sharing a fingerprint are matched).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import UsageError
from ..history import History, RunInfo, compare
from ..i18n import msg
from ..model import Baseline, RunResult, TrendPoint, Waiver
from . import waivers as waiver_pass
from .findings import RESULT_TABLE, FindingStore

# How many recorded runs the trend shows, this one included.
TREND_RUNS = 12
_BASELINE = "CREATE OR REPLACE TEMP TABLE __baseline AS SELECT unnest(?::VARCHAR[]) AS fingerprint, unnest(?::BIGINT[]) AS n"
_MARK = f"""
UPDATE {RESULT_TABLE} SET baseline = s.state FROM (
    SELECT r.rowid AS rid,
           CASE WHEN row_number() OVER (PARTITION BY r.fingerprint ORDER BY r.rowid) <= coalesce(b.n, 0)
                THEN 'persisting' ELSE 'new' END AS state
    FROM {RESULT_TABLE} r LEFT JOIN __baseline b USING (fingerprint)
) s WHERE {RESULT_TABLE}.rowid = s.rid
"""


def complete(result: RunResult, waivers: Sequence[Waiver] = (), history: str | Path | None = None,
             record: bool = False, baseline: str | None = None, fail_on_new: bool = False) -> None:
    """Apply ``waivers``, compare with ``baseline``, record into ``history``; changes ``result`` in place.

    ``baseline`` is ``"last"`` (the latest recorded run of the policy judged
    before this one's as-of time) or a run id; ``fail_on_new`` implies
    ``"last"`` when no baseline is given, and makes only new findings fail
    the run. With no history file, or no earlier run, every finding is new.
    Raises UsageError for a run id that is not in the history, or is of
    another policy, and for a history that cannot be opened.
    """
    if waivers:
        waiver_pass.apply(result, waivers)
    if fail_on_new and baseline is None:
        baseline = "last"
    result.fail_on_new = fail_on_new
    if history is None:
        if baseline is not None:
            raise UsageError(msg("--baseline needs a run history (--history)"))
        return
    if not record and not Path(history).is_file():
        if baseline not in (None, "last"):
            raise UsageError(msg("no run history at {history}; record audits into it with --record", history=history))
        if baseline == "last":
            _mark(result, None, {}, {}, FindingStore.of([]))
        return
    with History.open(history, write=record) as store:
        if baseline is not None:
            _compare(result, store, baseline)
        if record:
            result.recorded_as, _ = store.record(result)
        result.trend = _trend(result, store)


def _compare(result: RunResult, store: History, spec: str) -> None:
    old = store.before(result.policy.id, result.as_of) if spec == "last" else _run(store, spec, result)
    with tempfile.TemporaryDirectory(prefix="clausewise-") as folder:
        comparison = compare(store, old, result.findings.to_parquet(), Path(folder),
                             rules=[*result.rules_run, "data-quality"])
        resolved = FindingStore.from_parquet(comparison.files["resolved"])
    _mark(result, old, comparison.baseline_counts, comparison.by_clause, resolved)


def _run(store: History, spec: str, result: RunResult) -> RunInfo:
    try:
        run = store.run(int(spec))
    except ValueError:
        raise UsageError(msg('--baseline "{spec}" is neither "last" nor a run id', spec=spec)) from None
    if run.policy_id != result.policy.id:
        raise UsageError(msg("run {id} audited policy {policy_id}, not {id2}",
                             id=run.id, policy_id=run.policy_id, id2=result.policy.id))
    return run


def _mark(result: RunResult, old: RunInfo | None, counts: dict[str, int], by_clause: dict, resolved) -> None:
    """Mark each finding new or persisting against ``counts`` (fingerprint → findings in the baseline)."""
    store = result.findings
    store.execute(_BASELINE, [list(counts), list(counts.values())])
    store.execute(_MARK)
    if not by_clause:  # no baseline: every finding is new
        by_clause = {clause: {"new": n, "persisting": 0, "resolved": 0}
                     for clause, n in store.tally("clause").items()}
    result.baseline = Baseline(old.id if old else None, old.as_of if old else None,
                               old.policy_version if old else None, by_clause, resolved)


def _trend(result: RunResult, store: History) -> tuple[TrendPoint, ...]:
    """The recorded runs of the policy judged before this one (the last few), then this one."""
    earlier = [p for p in store.trend(result.policy.id, result.as_of, TREND_RUNS) if p.as_of < result.as_of]
    counts: dict[str, dict[str, int]] = {}
    for (clause, status), n in result.findings.tally("clause", "status").items():
        counts.setdefault(clause, {})[status] = n
    period = getattr(result, "period", None)
    now = TrendPoint(result.recorded_as, result.as_of, None if period is None else str(period), counts)
    return (*earlier[-(TREND_RUNS - 1):], now)
