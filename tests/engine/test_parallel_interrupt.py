"""Ctrl-C while the workers run statements side by side (engine/parallel.py ``side_by_side``, which types the
datasets and runs the rules).

Ctrl-C reaches the main thread, which waits for the workers' answers; the
statements the workers are running must stop at once, not run to their end
(before they were interrupted, a 1,000,000-row export with 32 working-time
deadlines stopped 18 to 25 s after Ctrl-C). A second Ctrl-C in that wait
must still be an interrupt: closing the cursors while they were busy made
the command say "internal error (ResourceInUseException ...)" and exit 2
rather than "interrupted" and 130.

Here a worker's statement is DuckDB's ``sleep_ms``, which ends at once when its
cursor is interrupted, and Ctrl-C is a KeyboardInterrupt raised in the main
thread by a timer signal, as Python's own SIGINT handler raises it.
"""

from __future__ import annotations

import signal
import threading
import time

import duckdb
import pytest

from clausewise.engine import connection, parallel

needs_alarm = pytest.mark.skipif(
    not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread(),
    reason="needs SIGALRM in the main thread")


def _ctrl_c_at(*seconds: float):
    """Raise KeyboardInterrupt in the main thread at each of ``seconds`` from now; returns the undo."""
    times = list(seconds)
    start = time.monotonic()

    def handler(signum, frame):
        times.pop(0)
        if times:
            signal.setitimer(signal.ITIMER_REAL, max(0.01, times[0] - (time.monotonic() - start)))
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, times[0])

    def undo():
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

    return undo


def _sleep(cursor, job) -> None:
    cursor.execute("SELECT sleep_ms(?)", [job]).fetchall()


@needs_alarm
def test_ctrl_c_stops_the_statements_the_workers_run():
    con = duckdb.connect()
    undo = _ctrl_c_at(0.2)
    started = time.monotonic()
    try:
        with pytest.raises(BaseException) as caught:
            # Two workers each start a statement of 2.5 s; Ctrl-C comes 0.2 s in.
            parallel.side_by_side(con, [2500, 2500, 2500, 2500], _sleep)
        took = time.monotonic() - started
    finally:
        undo()
        con.close()
    assert connection.interrupted(caught.value)
    # Interrupted statements end at once: well before the 2.5 s they would take (0.2 s + a margin for a busy machine).
    assert took < 1.2, f"Ctrl-C at 0.2 s took effect at {took:.2f} s"


def _think_then_sleep(cursor, job) -> None:
    """Python's work first (which no interrupt of a cursor stops), then a statement."""
    time.sleep(0.6)
    cursor.execute("SELECT sleep_ms(?)", [job]).fetchall()


@needs_alarm
def test_a_second_ctrl_c_is_still_an_interrupt():
    # Ctrl-C at 0.2 s and again at 0.4 s, while the workers are busy in Python and cannot be stopped: the second
    # comes while side_by_side waits for them, which must go on waiting, not close their cursors under them.
    con = duckdb.connect()
    undo = _ctrl_c_at(0.2, 0.4)
    try:
        with pytest.raises(BaseException) as caught:
            parallel.side_by_side(con, [300, 300, 300, 300], _think_then_sleep)
    finally:
        undo()
        con.close()
    # What the command turns into "interrupted" and exit code 130 (cli/__init__.py).
    assert connection.interrupted(caught.value), repr(caught.value)
