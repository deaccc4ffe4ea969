"""The run's DuckDB connection: its limits, and the lock that keeps rules inside the database.

Every connection is in memory, in the policy's timezone, with bounded memory
and threads, spilling what does not fit only into the run's private scratch
folder (a connection without one never spills). ``lock`` then turns off file
and network access, extension loading and any further change of settings, so
the memory limit is chosen when the connection is made (:func:`memory_limit`)
and holds for the whole run; a connection that will only check a pack is
locked from its first statement. Policy text reaches a connection only after
the lock: the timezone, the one value set before it, is passed as a query
parameter, not as SQL text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from ..errors import UsageError
from ..i18n import msg

# How much memory DuckDB may use for a run's tables, sorts and joins before it spills to the run's scratch folder:
# the --memory-limit option, the memory_limit argument of clausewise.audit, or this environment variable.
MEMORY_VARIABLE = "CLAUSEWISE_MEMORY_LIMIT"
AUTO = "auto"
# ``auto``: a sixteenth of the machine's memory, at least 1 GiB and 256 MiB per thread, at most 75 % of the machine.
# A whole audit of ten million records (and a report of four million findings) then stays under 2 GB on a machine
# with 24 GiB; a machine with more memory gives DuckDB more, so it spills later; below the limit nothing changes.
AUTO_SHARE = 16
AUTO_FLOOR = 1 << 30
AUTO_PER_THREAD = 256 << 20
AUTO_CEILING = 0.75
THREADS = max(1, min(os.cpu_count() or 1, 16))
# Where Linux says how much memory the process's control group (a container) may use: cgroup v2, then v1
# ("max", or a number near 2**63, when there is no limit).
CGROUP_LIMITS = (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"))

_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMGT]I?B|B)", re.IGNORECASE)
_SHARE = re.compile(r"(\d+(?:\.\d+)?)\s*%")

OUTBOX = "findings.parquet"
# The findings as JSON Lines, written by DuckDB for the ``jsonl`` report and copied out at once.
REPORT = "findings.jsonl"
_LOCKDOWN = (
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)


def connect(timezone: str, scratch: Path | None = None, locked: bool = False,
            memory: str | None = None) -> duckdb.DuckDBPyConnection:
    """A new in-memory connection; ``locked`` for one that never needs a file.

    ``memory`` is the memory limit as :func:`memory_limit` reads it (None:
    ``CLAUSEWISE_MEMORY_LIMIT``, else ``auto``). What does not fit spills into
    ``scratch``; without a scratch folder nothing spills (a query that needs
    more fails). Raises UsageError for a limit or timezone DuckDB refuses.
    """
    config = {
        "threads": THREADS,
        "memory_limit": f"{memory_limit(memory)}B",
        "temp_directory": str(scratch) if scratch is not None else "",
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "preserve_insertion_order": True,
    }
    try:
        con = duckdb.connect(":memory:", config=config)
    except duckdb.Error as exc:  # only the settings above can fail here
        raise UsageError(msg("cannot start DuckDB with memory limit {memory_limit}: {exc}",
                             memory_limit=config['memory_limit'], exc=exc)) from None
    try:
        con.execute("SET GLOBAL TimeZone = ?", [timezone])  # global: cursors share it
    except duckdb.Error:
        con.close()
        raise UsageError(msg('DuckDB does not know the timezone "{timezone}"; use an IANA name such as Asia/Shanghai',
                             timezone=timezone)) from None
    if scratch is not None:
        # The files the locked connection may still write: the run's own findings, copied out by
        # fixed SQL for whoever keeps them (the run history) or for the JSON Lines report. Both lie
        # in the run's private folder.
        con.execute("SET allowed_paths = ?", [[str(scratch / OUTBOX), str(scratch / REPORT)]])
    if locked:
        lock(con)
    return con


# DuckDB's errors that are no statement's fault: running out of memory (the run says how to give DuckDB more,
# ``out_of_memory``) and Ctrl-C (``interrupted``). Whatever turns DuckDB's errors into errors at a file, a rule
# or a column lets these through as they are.
NO_FAULT = (duckdb.OutOfMemoryException, duckdb.InterruptException)


def interrupted(exc: BaseException) -> bool:
    """True when ``exc`` is Ctrl-C: Python's KeyboardInterrupt, or DuckDB's way of saying a query was interrupted.

    A SIGINT that arrives while DuckDB runs a query ends the query with
    DuckDB's InterruptException or a RuntimeError "Query interrupted", not
    with KeyboardInterrupt.
    """
    return (isinstance(exc, (KeyboardInterrupt, duckdb.InterruptException))
            or (isinstance(exc, RuntimeError) and str(exc).startswith("Query interrupted")))


def lock(con: duckdb.DuckDBPyConnection) -> None:
    """From here on nothing the SQL says can touch a file, the network or the settings."""
    for statement in _LOCKDOWN:
        con.execute(statement)


def memory_limit(setting: str | None = None) -> int:
    """DuckDB's memory limit in bytes for ``setting``; None reads ``CLAUSEWISE_MEMORY_LIMIT``, and unset means ``auto``.

    ``setting`` is a size (``4GB``, ``1500MB``, ``2GiB``: KB, MB, GB, TB are
    powers of 1000, KiB, MiB, GiB, TiB of 1024), a share of the machine's
    memory (``50%``), or ``auto`` (see :data:`AUTO_SHARE`). The machine's
    memory is the smaller of its physical memory and the limit of the control
    group the process runs in (a container's). Raises UsageError for anything
    else, naming the environment variable when the text came from there.
    """
    text = setting if setting is not None else os.environ.get(MEMORY_VARIABLE, "").strip() or AUTO
    total = machine_memory()
    if text.strip().lower() == AUTO:
        return int(min(max(total // AUTO_SHARE, AUTO_FLOOR, AUTO_PER_THREAD * THREADS), total * AUTO_CEILING))
    if (share := _SHARE.fullmatch(text.strip())) and 0 < float(share.group(1)) <= 100:
        return int(total * float(share.group(1)) / 100)
    if (size := _SIZE.fullmatch(text.strip())) and float(size.group(1)) > 0:
        return int(float(size.group(1)) * _UNITS[size.group(2).upper()])
    if setting is None:
        raise UsageError(msg("{variable}={value} is not a memory limit: give a size such as 4GB or 1500MB, "
                             "a share of the machine's memory such as 50%, or auto", variable=MEMORY_VARIABLE, value=text))
    raise UsageError(msg('"{value}" is not a memory limit: give a size such as 4GB or 1500MB, '
                         "a share of the machine's memory such as 50%, or auto", value=text))


def machine_memory() -> int:
    """Bytes of memory this process may use: the machine's, or its control group's limit when lower (4 GiB if unknown)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 4 << 30
    for path in CGROUP_LIMITS:
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text.isdigit() and 0 < int(text) < total:
            total = int(text)
    return total


def out_of_memory(exc: duckdb.Error) -> UsageError:
    """The error for a run that needed more memory than its limit, with DuckDB's numbers and how to give it more."""
    said = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    said = said.split(" Error: ", 1)[-1]
    return UsageError(msg("DuckDB ran out of memory ({said}); give it more with --memory-limit or {variable}, "
                          "e.g. 4GB", said=said, variable=MEMORY_VARIABLE))
