"""PostgreSQL sources, against a real server the tests start (``pgserver.py``); skipped with a reason when none can.

The example export's records are loaded into the server — inquiries as
text columns (some values in them are invalid on purpose), follow-ups with a
``timestamptz`` column, meetings in a typed table read through a query — and
audit to the very findings the export's files give.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support import EXAMPLE_EXPORT, EXAMPLE_POLICY, example_rows, findings_json

import clausewise
from clausewise.cli import cli
from clausewise.errors import DataError

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed: pip install 'clausewise[postgres]'")
import pgserver  # noqa: E402  (after the skip: it is useless without psycopg)

MEETINGS = "SELECT meeting_id, held_at, minutes_recorded FROM meeting_log ORDER BY meeting_id"


@pytest.fixture(scope="module")
def server():
    started = pgserver.start()
    if isinstance(started, str):
        pytest.skip(f"no PostgreSQL server for these tests: {started}")
    try:
        with started.connect() as con:
            _load(con)
        yield started
    finally:
        started.stop()


def _load(con) -> None:
    inquiries = example_rows("inquiries")
    columns = list(inquiries[0])
    con.execute(f"CREATE TABLE inquiries ({', '.join(c + ' text' for c in columns)})")
    with con.cursor().copy(f"COPY inquiries ({', '.join(columns)}) FROM STDIN") as copy:
        for row in inquiries:
            copy.write_row([row[c] for c in columns])
    # Instants: a value without an offset is Shanghai wall-clock time, as the policy reads the JSON Lines file.
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    con.execute("CREATE TABLE followups (followup_id text, inquiry_id text, visited_at timestamptz, satisfaction text)")
    for row in example_rows("followups"):
        con.execute("INSERT INTO followups VALUES (%s, %s, %s, %s)",
                    [row["followup_id"], row["inquiry_id"], row["visited_at"], row["satisfaction"]])
    con.execute("CREATE TABLE meeting_log (meeting_id text, held_at timestamp, minutes_recorded boolean, note text)")
    for row in reversed(example_rows("meetings")):  # stored out of order: the query's ORDER BY puts them back
        con.execute("INSERT INTO meeting_log VALUES (%s, %s, %s, 'x')",
                    [row["meeting_id"], row["held_at"], row["minutes_recorded"] == "true"])
    con.execute("CREATE SEQUENCE ticket_numbers")


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", pgserver.PASSWORD)


@pytest.fixture(scope="module")
def policy():
    return clausewise.load(EXAMPLE_POLICY)


@pytest.fixture(scope="module")
def from_files(policy):
    with clausewise.audit(policy, EXAMPLE_EXPORT) as result:
        return findings_json(result)


def test_records_in_postgresql_audit_like_the_export_files(server, password, policy, from_files):
    sources = {"inquiries": server.url, "followups": server.url, "meetings": {"url": server.url, "query": MEETINGS}}
    with clausewise.audit(policy, None, sources=sources) as result:
        assert findings_json(result) == from_files
        shown = {d.dataset: (d.source, d.format, d.rows) for d in result.data_files}
        evidence = [f["evidence"]["file"] for f in findings_json(result, keep_file=True) if f["status"] == "invalid"]
    assert shown == {"inquiries": (f"{server.url} (table inquiries)", "postgresql", 7),
                     "followups": (f"{server.url} (table followups)", "postgresql", 4),
                     "meetings": (f"{server.url} (query)", "postgresql", 4)}
    # Q-005's "maybe", Q-007's "2026-10-2X 10:00" and F-4's "five": each cites where it came from, no password there.
    assert sorted(evidence) == [f"{server.url} (table followups)"] + [f"{server.url} (table inquiries)"] * 2


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_command_line_with_the_password_from_the_environment(server, password, from_files, monkeypatch):
    ok = _run("audit", str(EXAMPLE_EXPORT), "-p", str(EXAMPLE_POLICY), "--source", f"inquiries={server.url}",
              "--format", "json")
    assert ok.exit_code == 1  # the example's violations
    found = json.loads(ok.output)["findings"]
    for finding in found:
        finding["evidence"].pop("file", None)
    assert found == from_files
    # The password by reference to a variable of the caller's choosing, PGPASSWORD unset.
    monkeypatch.delenv("PGPASSWORD")
    monkeypatch.setenv("AUDIT_DB_PASSWORD", pgserver.PASSWORD)
    url = server.url.replace(f"{pgserver.USER}@", f"{pgserver.USER}:${{AUDIT_DB_PASSWORD}}@")
    assert _run("audit", str(EXAMPLE_EXPORT), "-p", str(EXAMPLE_POLICY), "--source", f"inquiries={url}").exit_code == 1


def test_no_password_is_one_line_and_exit_2(server, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    result = _run("audit", str(EXAMPLE_EXPORT), "-p", str(EXAMPLE_POLICY), "--source", f"inquiries={server.url}")
    assert result.exit_code == 2
    assert result.output == (f'{server.url} (table inquiries): dataset "inquiries": cannot connect: connection to '
                             f'server at "127.0.0.1", port {server.port} failed: fe_sendauth: no password supplied\n')


def test_a_missing_table_or_column_and_an_unreachable_server(server, password):
    table = _run("audit", str(EXAMPLE_EXPORT), "-p", str(EXAMPLE_POLICY), "--source", f"inquiries={server.url}#public.tickets")
    assert (table.exit_code, table.output) == (2, f'{server.url} (table public.tickets): dataset "inquiries": table '
                                                  'not found: relation "public.tickets" does not exist\n')
    with server.connect() as con:
        con.execute("CREATE TABLE IF NOT EXISTS meetings_partial AS SELECT meeting_id, held_at FROM meeting_log")
    partial = _run("audit", str(EXAMPLE_EXPORT), "-p", str(EXAMPLE_POLICY), "--source",
                   f"meetings={server.url}#meetings_partial")
    assert (partial.exit_code, partial.output) == (2, f'{server.url} (table meetings_partial): dataset "meetings": '
                                                      'missing column "minutes_recorded" (field "minutes_recorded")\n')
    closed = f"postgresql://{pgserver.USER}@127.0.0.1:{pgserver._free_port()}/postgres"
    down = _run("audit", str(EXAMPLE_EXPORT), "-p", str(EXAMPLE_POLICY), "--source", f"inquiries={closed}")
    assert down.exit_code == 2
    assert down.output.startswith(f'{closed} (table inquiries): dataset "inquiries": cannot connect: connection to server')
    assert "\n" not in down.output.rstrip("\n")


def test_the_connection_is_read_only(server, password, policy):
    writes = {"url": server.url, "query": "SELECT *, nextval('ticket_numbers') AS n FROM inquiries"}
    with pytest.raises(DataError) as caught:
        clausewise.audit(policy, EXAMPLE_EXPORT, sources={"inquiries": writes})
    assert str(caught.value) == (f'{server.url} (query): dataset "inquiries": the connection is read-only, and the '
                                 "query would write: cannot execute nextval() in a read-only transaction")
    two = {"url": server.url, "query": "SELECT * FROM inquiries; DROP TABLE inquiries"}
    with pytest.raises(DataError) as caught:
        clausewise.audit(policy, EXAMPLE_EXPORT, sources={"inquiries": two})
    assert str(caught.value) == f'{server.url} (query): dataset "inquiries": cannot read: syntax error at or near ";"'
    with server.connect() as con:
        assert con.execute("SELECT count(*) FROM inquiries").fetchone() == (7,)
        assert con.execute("SELECT is_called FROM ticket_numbers").fetchone() == (False,)  # nextval never ran
