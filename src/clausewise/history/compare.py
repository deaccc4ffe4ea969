"""New, persisting and resolved: two runs compared by fingerprint, in SQL on the history's connection.

Findings are matched by fingerprint (rule, clause, dataset, record key or
group; see ``engine/findings.py``). Several findings may share one — a key
that appears twice, two bad cells in one record — so within a fingerprint
they are numbered in run order (the occurrence) and matched by number: with
two findings of a fingerprint last month and three now, two persist and the
third is new; with three last month and one now, one persists and two are
resolved. In other words the counts per fingerprint are compared.

Only findings of rules that ran in the newer run are compared, so a rule
left out (``--rule``) or dropped from the pack does not make its old findings
look resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .store import History, RunInfo

STATES = ("new", "persisting", "resolved")
_OCCURRENCE = "row_number() OVER (PARTITION BY fingerprint ORDER BY position) AS occ"
_OLD = (
    f"CREATE OR REPLACE TEMP TABLE __old AS SELECT *, {_OCCURRENCE} FROM findings "
    "WHERE run_id = ? AND list_contains(?, rule)"
)
_NEW_RUN = f"CREATE OR REPLACE TEMP TABLE __new AS SELECT *, {_OCCURRENCE} FROM findings WHERE run_id = ?"
_NEW_FILE = (
    f"CREATE OR REPLACE TEMP TABLE __new AS SELECT *, {_OCCURRENCE} FROM ("
    "SELECT file_row_number AS position, * EXCLUDE (file_row_number, baseline) "
    "FROM read_parquet(?, file_row_number = true))"
)
_PAIRS = (
    "CREATE OR REPLACE TEMP TABLE __pairs AS SELECT n.position AS new_position, o.position AS old_position, "
    "coalesce(n.clause, o.clause) AS clause, CASE WHEN o.fingerprint IS NULL THEN 'new' "
    "WHEN n.fingerprint IS NULL THEN 'resolved' ELSE 'persisting' END AS state "
    "FROM __new n FULL JOIN __old o ON n.fingerprint = o.fingerprint AND n.occ = o.occ"
)
_BY_CLAUSE = "SELECT clause, state, count(*) FROM __pairs GROUP BY ALL"
_BASELINE_COUNTS = "SELECT fingerprint, count(*) FROM __old GROUP BY ALL"
_FINDING = ", ".join(f"f.{c}" for c in ("rule", "clause", "dataset", "key", "status", "severity", "message", "evidence",
                                          "due_at", "grp", "row", "fingerprint", "waiver"))
# The findings of one state as a Parquet file with a run's columns (engine/findings.py, COLUMNS).
_COPY_NEW = (
    f"COPY (SELECT {_FINDING}, p.state AS baseline FROM __pairs p JOIN __new f ON f.position = p.new_position "
    "WHERE p.state = ? ORDER BY f.position) TO ? (FORMAT parquet)"
)
_COPY_RESOLVED = (
    f"COPY (SELECT {_FINDING}, 'resolved' AS baseline FROM __pairs p JOIN __old f ON f.position = p.old_position "
    "WHERE p.state = 'resolved' ORDER BY f.position) TO ? (FORMAT parquet)"
)


@dataclass(frozen=True)
class Comparison:
    """What changed between a baseline run and a newer one.

    ``by_clause`` maps a clause to its new, persisting and resolved counts;
    ``baseline_counts`` maps each fingerprint of the baseline to how many
    findings had it (what a run's findings are marked against); ``files``
    maps each state asked for to a Parquet file of those findings, with a
    run's columns and ``baseline`` set to the state.
    """

    old: RunInfo | None
    new: RunInfo | None
    by_clause: dict[str, dict[str, int]]
    baseline_counts: dict[str, int]
    files: dict[str, Path] = field(default_factory=dict)

    def totals(self) -> dict[str, int]:
        return {state: sum(c.get(state, 0) for c in self.by_clause.values()) for state in STATES}


def compare(history: History, old: RunInfo | None, new: RunInfo | Path, out_dir: Path,
            states: Sequence[str] = ("resolved",), rules: Sequence[str] | None = None) -> Comparison:
    """Compare ``new`` (a recorded run, or a run's findings as Parquet) with the baseline ``old``.

    ``old`` None compares with nothing: every finding is new. ``rules`` are
    the rules that ran in ``new`` (read from the history for a recorded run).
    The findings of each of ``states`` are written to ``out_dir``.
    """
    con = history.con
    ran = list(new.rules_run if isinstance(new, RunInfo) else rules or ())
    con.execute(_OLD, [old.id if old else -1, ran])
    if isinstance(new, RunInfo):
        con.execute(_NEW_RUN, [new.id])
    else:
        con.execute(_NEW_FILE, [str(new)])
    con.execute(_PAIRS)
    by_clause: dict[str, dict[str, int]] = {}
    for clause, state, n in con.execute(_BY_CLAUSE).fetchall():
        by_clause.setdefault(clause, dict.fromkeys(STATES, 0))[state] = n
    counts = dict(con.execute(_BASELINE_COUNTS).fetchall())
    files = {}
    for state in states:
        files[state] = out_dir / f"{state}.parquet"
        if state == "resolved":
            con.execute(_COPY_RESOLVED, [str(files[state])])
        else:
            con.execute(_COPY_NEW, [state, str(files[state])])
    for table in ("__pairs", "__new", "__old"):
        con.execute(f"DROP TABLE {table}")
    return Comparison(old, new if isinstance(new, RunInfo) else None, by_clause, counts, files)
