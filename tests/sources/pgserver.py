"""A throwaway PostgreSQL server for the tests: its own cluster in a temporary folder, on a free port.

Debian's server binaries (``/usr/lib/postgresql/*/bin``, or ``initdb`` on the
PATH) start it. ``initdb`` and ``postgres`` refuse to run as root, so as root
(CI runs as root) they run as the ``postgres`` user that Debian's package
creates, through ``runuser``. The superuser has a password and connections
over TCP need it (scram-sha-256), as a real server would. When no server can
start, :func:`start` says why, and the tests skip with that reason.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

USER = "auditor"
PASSWORD = "s3cret-for-tests"
DATABASE = "postgres"


@dataclass
class Server:
    folder: Path
    port: int
    run_as: list[str]
    pg_ctl: str

    @property
    def url(self) -> str:
        """The URL without a password: the tests give it through the environment."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def connect(self):
        """A read-write connection for the tests' own setup (never the one clausewise opens)."""
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=USER, password=PASSWORD, dbname=DATABASE,
                               autocommit=True)

    def stop(self) -> None:
        subprocess.run([*self.run_as, self.pg_ctl, "-D", str(self.folder / "data"), "-m", "immediate", "stop"],
                       capture_output=True, timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


def _binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return str(Path(found[-1]).parent)
    initdb = shutil.which("initdb")
    return str(Path(initdb).resolve().parent) if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start() -> Server | str:
    """A running server, or the reason there is none."""
    bindir = _binaries()
    if bindir is None:
        return "PostgreSQL's server is not installed (apt-get install postgresql)"
    run_as: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="clausewise-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no postgres user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root, and runuser is missing to run the server as postgres"
        run_as = ["runuser", "-u", "postgres", "--"]
        os.chown(folder, account.pw_uid, account.pw_gid)
    (folder / "password").write_text(PASSWORD + "\n")
    if run_as:
        os.chown(folder / "password", pwd.getpwnam("postgres").pw_uid, -1)
    initdb = subprocess.run([*run_as, f"{bindir}/initdb", "-D", str(folder / "data"), "-U", USER,
                             f"--pwfile={folder / 'password'}", "--auth=scram-sha-256", "-E", "UTF8",
                             "--locale=C.UTF-8", "-N"], capture_output=True, text=True, timeout=120)
    if initdb.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        return f"initdb failed: {(initdb.stderr or initdb.stdout).strip().splitlines()[-1:]}"
    port = _free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    started = subprocess.run([*run_as, f"{bindir}/pg_ctl", "-D", str(folder / "data"), "-o", options,
                              "-l", str(folder / "log"), "-w", "-t", "60", "start"],
                             capture_output=True, text=True, timeout=90)
    if started.returncode != 0:
        log = (folder / "log").read_text(errors="replace").strip().splitlines()[-1:] if (folder / "log").exists() else []
        shutil.rmtree(folder, ignore_errors=True)
        return f"the server did not start: {log or started.stderr.strip()}"
    return Server(folder, port, run_as, f"{bindir}/pg_ctl")
