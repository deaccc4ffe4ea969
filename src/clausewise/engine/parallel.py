"""Statements planned side by side: a few cursors on the run's database, one per worker thread.

On a small export most of a statement's time is DuckDB parsing, binding
and planning it, which one thread does; the statements of a run (a
dataset's typing, a rule) are independent of each other, so two workers,
each with a cursor of its own, plan and run two at once. DuckDB lets go of
Python's lock while it works, and appends to one table (the findings) from
several cursors without conflict; whatever reads the findings sorts them.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TypeVar

import duckdb

from . import runvars

# Statements side by side, at most (and no more than the machine's cores).
WORKERS = 2

Job = TypeVar("Job")
Answer = TypeVar("Answer")


def side_by_side(con, jobs: Sequence[Job], work: Callable[[object, Job], Answer],
                 started: Callable[[int, Job], None] | None = None) -> list[Answer]:
    """``[work(cursor, job) for job in jobs]``, two jobs at a time, each on a cursor of the run's database.

    The cursors read the run's values (``runvars.cursor``). ``started(n,
    job)`` is called, in the jobs' order, as each job's turn comes (for a
    progress display). The answers come back in the jobs' order; the first
    job to fail, in that order, is the error raised, the jobs not yet begun
    are dropped and the statements still running are interrupted; so is
    Ctrl-C while waiting (KeyboardInterrupt, raised once the workers have
    stopped). A connection that is not DuckDB's (the Spark engine's)
    or a machine with one core runs the jobs one after another on ``con``.
    """
    workers = min(WORKERS, os.cpu_count() or 1, len(jobs))
    if workers <= 1 or not isinstance(con, duckdb.DuckDBPyConnection):
        answers = []
        for n, job in enumerate(jobs):
            if started is not None:
                started(n, job)
            answers.append(work(con, job))
        return answers
    cursors = [runvars.cursor(con) for _ in range(workers)]
    idle: queue.SimpleQueue = queue.SimpleQueue()
    for cursor in cursors:
        idle.put(cursor)

    def one(job: Job) -> Answer:
        cursor = idle.get()
        try:
            return work(cursor, job)
        finally:
            idle.put(cursor)

    pool = ThreadPoolExecutor(max_workers=workers)
    futures = [pool.submit(one, job) for job in jobs]
    try:
        answers = []
        for n, (job, future) in enumerate(zip(jobs, futures, strict=True)):
            if started is not None:
                started(n, job)
            answers.append(future.result())
        return answers
    except BaseException:
        # A job failed, or Ctrl-C came while waiting: the statements still running are stopped now,
        # not left to run to their end (a statement may hold several rules).
        _interrupt(cursors)
        raise
    finally:
        _wind_up(pool, futures, cursors)


def _interrupt(cursors: list) -> None:
    """Stop whatever statement each cursor is running (DuckDB ends it with an interrupt error)."""
    for cursor in cursors:
        try:
            cursor.interrupt()
        except duckdb.Error:  # a cursor between calls refuses: it has no statement to stop
            pass


def _wind_up(pool: ThreadPoolExecutor, futures: list[Future], cursors: list) -> None:
    """Drop the jobs not begun, wait for the running ones to end, close the cursors.

    The wait is on the jobs, not the threads: a Ctrl-C that interrupts
    ``Thread.join`` leaves the thread counted as ended while it still runs
    (CPython 3.11), and a cursor closed while busy puts DuckDB's "connection
    is busy" in the place of the interrupt. A further Ctrl-C while waiting
    stops the statements again and waits on.
    """
    for future in futures:
        future.cancel()
    while True:
        try:
            wait(futures)
            break
        except KeyboardInterrupt:
            _interrupt(cursors)
    pool.shutdown(wait=False)  # its threads are idle now and end on their own
    for cursor in cursors:
        cursor.close()
