"""The run's DuckDB connection: its limits, and the lock that keeps rules inside the database.

Every connection is in memory, in the policy's timezone, with bounded memory
and threads, spilling (if ever) only into the run's private scratch folder.
``lock`` then turns off file and network access, extension loading and any
further change of settings; a connection that will only check a pack is
locked from its first statement. Policy text reaches a connection only after
the lock: the timezone, the one value set before it, is passed as a query
parameter, not as SQL text.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ..errors import UsageError

# A real audit stays far below these; a hostile rule that tries to exhaust the
# machine meets them (see docs/security.md).
MEMORY_LIMIT = os.environ.get("CLAUSEWISE_MEMORY_LIMIT", "75%")
THREADS = max(1, min(os.cpu_count() or 1, 16))

OUTBOX = "findings.parquet"
# The findings as JSON Lines, written by DuckDB for the ``jsonl`` report and copied out at once.
REPORT = "findings.jsonl"
_LOCKDOWN = (
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)


def connect(timezone: str, scratch: Path | None = None, locked: bool = False) -> duckdb.DuckDBPyConnection:
    """A new in-memory connection; ``locked`` for one that never needs a file."""
    config = {
        "threads": THREADS,
        "memory_limit": _memory_limit(),
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "preserve_insertion_order": True,
    }
    if scratch is not None:
        config["temp_directory"] = str(scratch)
    try:
        con = duckdb.connect(":memory:", config=config)
    except duckdb.Error as exc:  # only the settings above can fail here
        raise UsageError(f"cannot start DuckDB with memory limit {config['memory_limit']}: {exc}") from None
    try:
        con.execute("SET GLOBAL TimeZone = ?", [timezone])  # global: cursors share it
    except duckdb.Error:
        con.close()
        raise UsageError(f'DuckDB does not know the timezone "{timezone}"; use an IANA name such as Asia/Shanghai') from None
    if scratch is not None:
        # The files the locked connection may still write: the run's own findings, copied out by
        # fixed SQL for whoever keeps them (the run history) or for the JSON Lines report. Both lie
        # in the run's private folder.
        con.execute("SET allowed_paths = ?", [[str(scratch / OUTBOX), str(scratch / REPORT)]])
    if locked:
        lock(con)
    return con


def lock(con: duckdb.DuckDBPyConnection) -> None:
    """From here on nothing the SQL says can touch a file, the network or the settings."""
    for statement in _LOCKDOWN:
        con.execute(statement)


def _memory_limit() -> str:
    """``75%`` of the machine's memory, or a DuckDB size such as ``4GB``."""
    if not MEMORY_LIMIT.endswith("%"):
        return MEMORY_LIMIT
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "4GB"
    return f"{int(total * float(MEMORY_LIMIT[:-1]) / 100) // (1 << 20)}MB"
