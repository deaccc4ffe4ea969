"""A writer's memory does not grow with the number of findings.

Every format streams: findings are fetched from the run's DuckDB table a
batch at a time and written as they come (``report/__init__.py``); the
formats meant for people list at most a fixed number and say how many more.
Here the batch and those caps are made small (10 findings) and a run's
findings are written twice, 100 and then 1,000 of them, under
``tracemalloc``: a writer that kept something per finding (a list of lines,
a dict of fingerprints) would peak higher on the second by that much for
each of the 900 more; a streaming one peaks alike.
"""

from __future__ import annotations

import tracemalloc

import duckdb
import pytest

import clausewise.report.csv as csv_writer
import clausewise.report.html as html_writer
import clausewise.report.junit as junit_writer
import clausewise.report.markdown as markdown_writer
import clausewise.report.table as table_writer
from clausewise.engine import findings as store_module
from clausewise.engine.findings import COLUMNS, FINGERPRINT, RESULT_DDL, RESULT_TABLE, FindingStore
from clausewise.report import WRITERS, stream

BATCH = 10


class _Sink:
    """A text stream that keeps nothing (only how much was written, to see that something was)."""

    def __init__(self) -> None:
        self.written = 0

    def write(self, text: str) -> int:
        self.written += len(text)
        return len(text)

    def flush(self) -> None:
        pass


def _many(result, n: int):
    """``result`` with ``n`` findings: its own repeated, each copy's key made its own (so every fingerprint differs)."""
    con = duckdb.connect(":memory:")
    con.execute(RESULT_DDL)
    columns = ", ".join(COLUMNS)
    rows = [tuple(f) for f in result.findings]
    con.executemany(f"INSERT INTO {RESULT_TABLE} VALUES ({', '.join('?' * len(COLUMNS))})", rows)
    copies = -(-n // len(rows))
    con.execute(f"CREATE TABLE __many AS SELECT {columns} FROM {RESULT_TABLE}, range({copies}) AS r(i) "
                f"ORDER BY i, {RESULT_TABLE}.rowid LIMIT {n}")
    con.execute(f"DELETE FROM {RESULT_TABLE}")
    con.execute(f"INSERT INTO {RESULT_TABLE} SELECT {columns} FROM __many")
    con.execute("DROP TABLE __many")
    con.execute(f"UPDATE {RESULT_TABLE} SET key = coalesce(key, '') || '#' || rowid::VARCHAR")
    con.execute(f"UPDATE {RESULT_TABLE} SET fingerprint = {FINGERPRINT}")
    return result.__class__(**{**result.__dict__, "findings": FindingStore(con)})


def _peak(result, fmt: str) -> int:
    """The most Python memory held while writing ``result`` in ``fmt``, in bytes."""
    sink = _Sink()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        stream(result, fmt, "high", sink)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert sink.written > 0
    return peak


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_a_writers_memory_does_not_grow_with_the_findings(fmt, result_en, monkeypatch):
    monkeypatch.setattr(store_module, "BATCH", BATCH)
    monkeypatch.setattr(store_module, "FETCH", BATCH)
    monkeypatch.setattr(csv_writer, "_ROWS", BATCH)
    # The capped formats: the page, the comment and the terminal list this many findings, a test case this
    # many of its rule's (the example's 16 findings, repeated to 100, give each of its rules 6 or more).
    for module, cap, n in ((html_writer, "MAX_FINDINGS", BATCH), (markdown_writer, "MAX_FINDINGS", BATCH),
                           (table_writer, "MAX_FINDINGS", BATCH), (junit_writer, "MAX_LINES", 5)):
        monkeypatch.setattr(module, cap, n)
    small, large = _many(result_en, 100), _many(result_en, 1_000)
    try:
        assert len(small.findings) == 100 and len(large.findings) == 1_000
        assert len({f.fingerprint for f in large.findings}) == 1_000  # nothing a writer could fold together
        _peak(small, fmt)  # the first write imports the writer and fills caches; not what is measured
        few, many = _peak(small, fmt), _peak(large, fmt)
    finally:
        small.findings.close()
        large.findings.close()
    # 900 more findings: a writer holding 20 bytes for each would peak 18,000 bytes higher (a fingerprint
    # kept in a dict costs over 100). A streaming one differs by what one batch's text happens to take.
    assert many - few < 20 * 900, f"{fmt}: {few:,} bytes for 100 findings, {many:,} for 1,000"
