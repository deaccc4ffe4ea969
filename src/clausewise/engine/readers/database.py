"""Databases: a PostgreSQL or SQLite table or query, read as text like a CSV export, read-only.

The rows are written as UTF-8 CSV into the run's private scratch folder —
PostgreSQL's own ``COPY … TO STDOUT (FORMAT csv)``, streamed; SQLite's rows
through Python's csv writer — and read by the strict CSV reader, every cell
as text. So a database row is typed by exactly the rules of a CSV export: a
value that does not fit its field is an ``invalid`` finding on its row,
whatever type the database held it in (SQLite holds any value in any column).
PostgreSQL writes each value in its text form, with the session set so that
text is unambiguous: ISO dates, instants (``timestamptz``) in UTC with their
offset, which the typing step converts to the policy's timezone, as it does
for a CSV export's.

Why these drivers: psycopg's COPY streams the rows as CSV at the server's
speed with no Python per row and no Arrow library; Python's sqlite3 reads
SQLite's dynamically typed cells as they are, where an Arrow-based driver
infers one type per column from the first rows and fails on the first row
that differs — the very row that must become an ``invalid`` finding.

The connection is read-only: PostgreSQL's session starts with
``default_transaction_read_only`` on and the rows are read in a READ ONLY
transaction; SQLite's file is opened with ``mode=ro`` and ``query_only``.
A ``query`` must be one SELECT: it is prepared on its own first (PostgreSQL
refuses to prepare two statements; sqlite3 to execute them), and read as a
subquery. Every failure is one DataError naming the dataset and the source,
never the password.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from ...errors import DataError
from ...i18n import N_, Message, msg
from ..sqltext import ident
from .common import RawFile
from .csv import read_text_csv

if TYPE_CHECKING:
    from ..sources import DatabaseSource

# What PostgreSQL should tell us when it cannot do something, by SQLSTATE (see its appendix A).
_PG_STATES = {
    "42P01": N_("table not found: {said}"),
    "3F000": N_("schema not found: {said}"),
    "42501": N_("permission denied: {said}"),
    "25006": N_("the connection is read-only, and the query would write: {said}"),
}
_CANNOT_READ = N_("cannot read: {said}")
_CONNECT_SECONDS = "10"
# Read-only from the start, and values written unambiguously: instants in UTC with their offset, ISO dates.
_SESSION = "-c default_transaction_read_only=on -c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=iso_8601"


def read(con, source: DatabaseSource, table: str, scratch: Path) -> RawFile:
    """Read ``source``'s rows into the raw table ``table`` (every cell text); DataError for any failure."""
    target = scratch / f"database-{len(list(scratch.iterdir()))}.csv"
    _WRITERS[source.url.scheme](source, target)
    raw = read_text_csv(con, target, source.shown, table, ",", scratch)
    raw.format = source.format
    raw.encoding = None
    return raw


def _fail(source: DatabaseSource, what: Message) -> DataError:
    return DataError(msg('dataset "{dataset}": {what}', dataset=source.dataset, what=what), source.where())


# ---- PostgreSQL ---------------------------------------------------------------------

def _postgresql(source: DatabaseSource, target: Path) -> None:
    try:
        import psycopg
    except ImportError:
        raise _fail(source, msg("reading from PostgreSQL needs psycopg: pip install 'clausewise[postgres]'")) from None
    args = {"connect_timeout": _CONNECT_SECONDS, **source.url.connect_args(source.where())}
    # The URL's own options first: the session settings the text form of the values depends on come last, and win.
    args["options"] = " ".join(filter(None, [args.get("options"), _SESSION]))
    args["client_encoding"] = "UTF8"
    try:
        connection = psycopg.connect(**args)
    except psycopg.Error as exc:
        raise _fail(source, msg("cannot connect: {said}", said=_pg_said(exc))) from None
    try:
        connection.read_only = True
        with connection.cursor() as cursor:
            select = _pg_select(source)
            cursor.execute(f"SELECT * FROM (\n{select}\n) AS source LIMIT 0", prepare=True)  # one statement, or refused
            with target.open("wb") as out, cursor.copy(f"COPY (\n{select}\n) TO STDOUT (FORMAT csv, HEADER true)") as copy:
                for chunk in copy:
                    out.write(chunk)
    except psycopg.Error as exc:
        state = getattr(exc, "sqlstate", None)
        said = _pg_said(exc)
        raise _fail(source, msg(_PG_STATES.get(state, _CANNOT_READ).template, said=said)) from None
    finally:
        connection.close()


def _pg_select(source: DatabaseSource) -> str:
    if source.query:
        return source.query
    return f"SELECT * FROM {_qualified(source.table)}"


def _qualified(name: str) -> str:
    """``schema.table`` (or ``table``) as quoted identifiers, names exactly as written."""
    return ".".join(ident(part) for part in name.split(".", 1))


def _pg_said(exc: Exception) -> str:
    """The server's or libpq's message, first line, without libpq's ``connection failed:`` prefix."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for prefix in ("connection failed: ", "FATAL:  ", "ERROR:  "):
        text = text.removeprefix(prefix)
    return text.replace("FATAL:  ", "")


# ---- SQLite ---------------------------------------------------------------------------

def _sqlite(source: DatabaseSource, target: Path) -> None:
    import sqlite3  # here, not with the module: only a SQLite source needs it

    path = source.url.sqlite_path(source.where())
    if not path.is_file():
        raise _fail(source, msg("no such database file"))
    try:
        connection = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _fail(source, msg("cannot open: {said}", said=exc)) from None
    try:
        connection.execute("PRAGMA query_only = ON")
        connection.text_factory = lambda data: data.decode("utf-8", "replace")
        select = source.query if source.query else f"SELECT * FROM {_qualified(source.table)}"
        cursor = connection.execute(f"SELECT * FROM (\n{select}\n)")
        header = [d[0] for d in cursor.description]
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(map(_sqlite_row, cursor))
    except sqlite3.Error as exc:
        said = str(exc)
        template = _PG_STATES["42P01"] if said.startswith("no such table") else _CANNOT_READ
        raise _fail(source, msg(template.template, said=said)) from None
    finally:
        connection.close()


def _sqlite_row(row: tuple) -> tuple:
    """A row as text cells: a BLOB as the UTF-8 text it holds (what most tools store text as when they use one)."""
    if bytes not in map(type, row):
        return row
    return tuple(v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in row)


_WRITERS = {"postgresql": _postgresql, "sqlite": _sqlite}

