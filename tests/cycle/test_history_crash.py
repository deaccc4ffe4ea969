"""The run history survives a recorder killed at any moment, and two recorders at once.

Each test starts real processes that record runs into one history file: one
is killed with SIGKILL at random moments, mostly in the middle of recording;
two others record at the same time. Afterwards every run in the history is
whole (all its findings and files) and every run a process reported done is
there. The processes record a prepared Parquet file of findings, as an audit
hands its findings over, so that each takes a fraction of a second.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from clausewise.engine.findings import COLUMNS
from clausewise.history import History

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and flock are POSIX")
FINDINGS = 5_000
FIRST_DAY = date(2026, 1, 1).toordinal()  # a recorder's run i is judged as of this day + i
RECORDER = r"""
import sys
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace as Thing

from clausewise.history import History

history, parquet, export, first, count = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
policy = Thing(id="p", version="1", content_hash="sha256:p", path="p.yaml", timezone="Asia/Shanghai")
files = [Thing(dataset=f"d{i}", path=export, format="csv", rows=1) for i in range(3)]
print("ready", flush=True)
for i in range(first, first + count):
    result = Thing(findings=Thing(to_parquet=lambda: parquet), data_files=files, policy=policy,
                   as_of=datetime(2026, 1, 1) + timedelta(days=i), as_of_source="given", lang="en",
                   export_dir="export", rules_run=("r",), engine_version="test", waivers=())
    print("begin", i, flush=True)
    with History.open(history, write=True) as store:
        store.record(result)
    print("done", i, flush=True)
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    """A Parquet file of findings with a run's columns, and a file standing for the export."""
    folder = tmp_path_factory.mktemp("recorder")
    parquet, export = folder / "findings.parquet", folder / "export.csv"
    export.write_text("key\nK-1\n", encoding="utf-8")
    values = {"rule": "'r'", "clause": "'C-' || (i % 7)", "dataset": "'d'", "key": "'K-' || i", "status": "'violation'",
              "severity": "'high'", "message": "'message ' || i", "evidence": "'{}'", "due_at": "NULL::TIMESTAMP",
              "grp": "NULL::VARCHAR", "row": "i", "fingerprint": "md5(i::VARCHAR)", "waiver": "NULL::VARCHAR",
              "baseline": "NULL::VARCHAR"}
    select = ", ".join(f"{values[c]} AS {c}" for c in COLUMNS)
    duckdb.connect().execute(f"COPY (SELECT {select} FROM range({FINDINGS}) t(i)) TO ? (FORMAT parquet)", [str(parquet)])
    return parquet, export


def recorder(history: Path, inputs, first: int, count: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", RECORDER, str(history), str(inputs[0]), str(inputs[1]),
                             str(first), str(count)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def whole_runs(history: Path) -> list:
    """The recorded runs' as-of days, after checking that each run is whole."""
    with History.open(history, write=True) as store:  # to write: a killed writer's log is replayed
        con = store.con
        runs = con.execute("SELECT id, as_of, findings FROM runs ORDER BY id").fetchall()
        counts = dict(con.execute("SELECT run_id, count(*) FROM findings GROUP BY ALL").fetchall())
        files = dict(con.execute("SELECT run_id, count(*) FROM run_files GROUP BY ALL").fetchall())
    assert [r[0] for r in runs] == list(range(1, len(runs) + 1))
    for run_id, _, recorded in runs:
        assert recorded == counts.get(run_id) == FINDINGS and files.get(run_id) == 3, run_id
    assert set(counts) == set(files) == {r[0] for r in runs}  # no findings or files without their run
    return [r[1].toordinal() for r in runs]


def test_a_recorder_killed_at_any_moment_leaves_whole_runs(tmp_path, inputs):
    history = tmp_path / "history.duckdb"
    rng = random.Random(20261130)
    done: set[int] = set()
    recorded: set[int] = set()
    in_the_middle = 0
    first = 0
    for _ in range(8):
        child = recorder(history, inputs, first, 1000)
        assert child.stdout.readline() == "ready\n", child.stderr.read()
        try:
            child.wait(timeout=rng.uniform(0.05, 0.3))
        except subprocess.TimeoutExpired:
            pass
        child.send_signal(signal.SIGKILL)
        child.wait()
        lines = child.stdout.read().split("\n")
        finished = {int(line.split()[1]) for line in lines if line.startswith("done ")}
        done |= finished
        last = [line for line in lines if line][-1:]
        in_the_middle += bool(last and last[0].startswith("begin"))
        before, recorded = recorded, {day - FIRST_DAY for day in whole_runs(history)}
        assert before <= recorded and done <= recorded  # every run reported done survived the kill
        # Besides those, at most the run being recorded when the process was killed, had it committed.
        assert len(recorded - before - finished) <= 1
        first += 1000
        if in_the_middle >= 2 and first >= 3000:
            break
    assert in_the_middle >= 1, "no kill landed while a run was being recorded"


def test_two_recorders_at_once_both_record_everything(tmp_path, inputs):
    history = tmp_path / "history.duckdb"
    children = [recorder(history, inputs, first, 4) for first in (0, 100)]
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert out.count("done") == 4
    days = whole_runs(history)
    assert len(days) == 8 and len(set(days)) == 8
