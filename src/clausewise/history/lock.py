"""One writer at a time: an advisory lock on a file beside the history database.

DuckDB lets one process open a database file for writing, and refuses a
second process outright, readers included. So every process that opens a
history first takes a lock on ``<history>.lock``: exclusive to write, shared
to read; it waits for its turn (up to a timeout) instead of failing. The
operating system releases the lock when the process ends, however it ends,
so a killed audit never leaves the history locked.

Where ``fcntl`` does not exist (Windows), the lock is a no-op and opening
the database is retried while DuckDB reports it locked (see ``store.py``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..errors import UsageError
from ..i18n import msg, os_reason

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None

POLL = 0.02


class FileLock:
    """``with FileLock(path, exclusive, timeout):`` holds ``path`` locked; raises UsageError after ``timeout`` seconds."""

    def __init__(self, path: Path, exclusive: bool, timeout: float):
        self.path = path
        self.exclusive = exclusive
        self.timeout = timeout
        self._fd: int | None = None

    def __enter__(self) -> FileLock:
        if fcntl is None:
            return self
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise UsageError(msg("cannot lock {path}: {strerror}", path=self.path, strerror=os_reason(exc))) from None
        mode = (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self._fd, mode)
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self._release()
                    raise UsageError(msg("the run history is busy (another audit holds {path} for {timeout} s); try "
                                         "again",
                                         path=self.path, timeout=format(self.timeout, 'g'))) from None
                time.sleep(POLL)

    def __exit__(self, *exc) -> None:
        self._release()

    def _release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None
