"""Statements side by side on cursors of the run's database (engine/parallel.py): answers in the jobs' order,
the first failure in that order raised, and cursors that see the run's tables and values."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from clausewise.engine import parallel, runvars


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT range AS n FROM range(10)")
    yield con
    con.close()


def test_answers_come_back_in_the_jobs_order(con):
    jobs = list(range(10))
    answers = parallel.side_by_side(con, jobs, lambda cursor, n: cursor.execute(
        "SELECT n * n FROM t WHERE n = ?", [n]).fetchone()[0])
    assert answers == [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]


def test_jobs_run_on_cursors_of_their_own_that_read_the_runs_values(con):
    runvars.set_values(con, {runvars.AS_OF: datetime(2026, 10, 31, 9, 0)})
    query = f"SELECT CAST(GETVARIABLE('{runvars.AS_OF}') AS VARCHAR)"
    expected = con.execute(query).fetchone()[0]
    assert expected is not None and expected.startswith("2026-10-31")
    seen = set()

    def work(cursor, job):
        seen.add(id(cursor))
        return cursor.execute(query).fetchone()[0]

    # A plain cursor would read NULL: DuckDB variables belong to one connection.
    assert parallel.side_by_side(con, [1, 2, 3, 4], work) == [expected] * 4
    assert id(con) not in seen and 1 <= len(seen) <= parallel.WORKERS


def test_the_first_failure_in_the_jobs_order_is_raised(con):
    def work(cursor, job):
        if job in (3, 6):
            raise ValueError(f"job {job}")
        return job

    with pytest.raises(ValueError, match="job 3"):
        parallel.side_by_side(con, list(range(8)), work)


def test_started_is_told_of_each_job_in_order(con):
    told = []
    parallel.side_by_side(con, ["a", "b", "c"], lambda cursor, job: job, lambda n, job: told.append((n, job)))
    assert told == [(0, "a"), (1, "b"), (2, "c")]


def test_a_connection_that_is_not_duckdbs_runs_the_jobs_one_after_another_on_it():
    class Other:  # as the Spark engine's connection: no cursors
        pass

    other = Other()
    assert parallel.side_by_side(other, [1, 2], lambda c, job: (c is other, job)) == [(True, 1), (True, 2)]
