"""Database sources as written: URLs, environment references, passwords refused, the manifest's sources: key."""

from __future__ import annotations

import pytest
from support import ROOT

import clausewise
from clausewise.engine.sources import DatabaseUrl, from_manifest, from_tables, parse_option
from clausewise.errors import DataError, ErrorList, UsageError


@pytest.fixture(scope="module")
def policy():
    return clausewise.load(ROOT / "policies" / "example.yaml")


def test_a_url_keeps_its_references_until_it_connects(monkeypatch):
    url = DatabaseUrl.parse("postgresql://${PGUSER}:${DB_SECRET}@${Host}:6543/ops?sslmode=require", None, None)
    assert url.shown == "postgresql://${PGUSER}@${Host}:6543/ops?sslmode=require"  # the password part left out
    monkeypatch.setenv("PGUSER", "auditor")
    monkeypatch.setenv("DB_SECRET", "p@ss/w:rd")  # characters that would change the URL's parts if pasted into it
    monkeypatch.setenv("Host", "db.example")
    assert url.connect_args() == {"host": "db.example", "port": "6543", "dbname": "ops", "user": "auditor",
                                  "password": "p@ss/w:rd", "sslmode": "require"}


def test_an_unset_variable_is_named(monkeypatch):
    monkeypatch.delenv("NO_SUCH_VARIABLE", raising=False)
    url = DatabaseUrl.parse("postgresql://auditor:${NO_SUCH_VARIABLE}@db/ops", None, None)
    with pytest.raises(DataError, match="environment variable NO_SUCH_VARIABLE is not set"):
        url.connect_args()


@pytest.mark.parametrize("text", ["postgresql://auditor:hunter2@db/ops", "postgres://auditor:${X}x@db/ops"])
def test_a_password_written_out_is_refused_and_not_repeated(text):
    with pytest.raises(DataError) as caught:
        DatabaseUrl.parse(text, None, None)
    assert "has a password written out" in str(caught.value)
    assert "hunter2" not in str(caught.value) and "${X}x" not in str(caught.value)


@pytest.mark.parametrize(("text", "said"), [
    ("mysql://db/ops", "is not a database URL"),
    ("inquiries.csv", "is not a database URL"),
    ("postgresql://auditor@db", "names no database"),
    ("sqlite:ops.db", "is not a SQLite URL"),
])
def test_urls_that_name_no_database(text, said):
    with pytest.raises(DataError, match=said):
        DatabaseUrl.parse(text, None, None)


def test_sqlite_paths_relative_and_absolute(tmp_path):
    # sqlite:///x is relative (three slashes), sqlite:////x absolute (four), as SQLAlchemy writes them.
    assert DatabaseUrl.parse("sqlite:///data/ops.db", tmp_path, None).sqlite_path() == tmp_path / "data" / "ops.db"
    assert DatabaseUrl.parse(f"sqlite:///{tmp_path}/ops.db", None, None).sqlite_path() == tmp_path / "ops.db"


def test_the_option_names_a_table_or_takes_the_datasets_file_name(policy):
    source = parse_option("inquiries=postgresql://auditor@db/ops", policy)
    assert (source.dataset, source.table, source.query) == ("inquiries", "inquiries", None)
    assert parse_option("inquiries=postgresql://auditor@db/ops#crm.tickets", policy).table == "crm.tickets"
    assert source.shown == "postgresql://auditor@db/ops (table inquiries)"


@pytest.mark.parametrize(("text", "said"), [
    ("inquiries", '--source "inquiries": write NAME=URL'),
    ("inquirys=postgresql://a@db/ops", '--source: the policy has no dataset "inquirys" — did you mean "inquiries"?'),
    ("inquiries=postgresql://a:pw@db/ops", "--source inquiries: \"postgresql://a@db/ops\" has a password written out"),
])
def test_bad_options_are_usage_errors(policy, text, said):
    with pytest.raises(UsageError) as caught:
        parse_option(text, policy)
    assert str(caught.value).startswith(said)


def _manifest(tmp_path, text: str):
    (tmp_path / "export.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_manifest_sources(policy, tmp_path):
    folder = _manifest(tmp_path, "period: 2026-10\nsources:\n"
                                 "  inquiries: {url: 'postgresql://auditor@db/ops', table: crm.inquiries}\n"
                                 "  followups: {url: 'sqlite:///local.db', query: 'SELECT * FROM f ORDER BY id'}\n")
    sources = from_manifest(folder, policy, trust_servers=True)
    assert sources["inquiries"].table == "crm.inquiries"
    assert sources["followups"].query == "SELECT * FROM f ORDER BY id"
    assert sources["followups"].url.sqlite_path() == folder / "local.db"  # relative to the export folder


def test_manifest_problems_are_reported_together_with_their_places(policy, tmp_path):
    folder = _manifest(tmp_path, "sources:\n"
                                 "  inquiries: {url: 'postgresql://auditor@db/ops', tabel: x}\n"
                                 "  followups: {url: 'sqlite:////etc/other.db'}\n"
                                 "  meeting: {url: 'sqlite:///m.db'}\n")
    with pytest.raises(ErrorList) as caught:
        from_manifest(folder, policy)
    lines = str(caught.value).splitlines()
    manifest = str(folder / "export.yaml")
    # Columns: "tabel" starts at 51 (2 spaces + "inquiries: {" is 14, "url: 'postgresql://auditor@db/ops', " 36);
    # the url's value at 20 (2 + "followups: {url: " 17, then its quote); "meeting" at 3.
    assert lines == [
        f'{manifest}:2:51: sources: "inquiries" has unknown key "tabel" — did you mean "table"?',
        f"{manifest}:3:20: /etc/other.db is outside the export folder; an export's own manifest may name only a "
        "database file inside it (name one elsewhere with --source)",
        f'{manifest}:4:3: sources: "meeting": the policy has no dataset "meeting" — did you mean "meetings"?',
    ]


def test_a_server_the_export_names_is_not_connected_to_unless_trusted(policy, tmp_path):
    # An export is untrusted: connecting to the server its export.yaml names would send
    # that server PGPASSWORD, ~/.pgpass's password and any ${VAR} the URL names.
    folder = _manifest(tmp_path, "sources:\n"
                                 "  inquiries: {url: 'postgresql://${USER}@attacker.example/x'}\n"
                                 "  followups: {url: 'sqlite:///local.db'}\n")
    with pytest.raises(DataError) as caught:
        from_manifest(folder, policy)
    # The url's value starts at column 20: 2 spaces + "inquiries: {url: " (17), then its quote.
    assert str(caught.value) == (
        f'{folder / "export.yaml"}:2:20: sources: "inquiries" connects to a PostgreSQL server the export names '
        "(postgresql://${USER}@attacker.example/x), which would be sent your credentials "
        "(PGPASSWORD, ~/.pgpass, the ${VAR}s in its URL); if you trust this export, pass --trust-export-sources, "
        "or name the server yourself with --source")
    # Trusted, or given otherwise on the command line, it is not refused; SQLite inside the folder never is.
    assert set(from_manifest(folder, policy, trust_servers=True)) == {"inquiries", "followups"}
    assert set(from_manifest(folder, policy, overridden=frozenset({"inquiries"}))) == {"inquiries", "followups"}


def test_the_audit_refuses_an_untrusted_server_before_connecting(policy, tmp_path, monkeypatch):
    import clausewise

    monkeypatch.setenv("PGPASSWORD", "secret")
    folder = _manifest(tmp_path, "sources:\n  inquiries: {url: 'postgresql://auditor@127.0.0.1:1/x'}\n")
    with pytest.raises(DataError, match="pass --trust-export-sources"):
        clausewise.audit(policy, folder)


def test_both_table_and_query_is_refused(policy, tmp_path):
    folder = _manifest(tmp_path, "sources:\n  inquiries: {url: 'sqlite:///a.db', table: t, query: 'SELECT 1'}\n")
    with pytest.raises(DataError, match='has both table: and query:; keep one'):
        from_manifest(folder, policy)


def test_tables_must_be_tables_of_exported_datasets(policy):
    with pytest.raises(UsageError, match='tables: "inquiries" is a list, not a table'):
        from_tables({"inquiries": [{"inquiry_id": "Q-1"}]}, policy)
    with pytest.raises(UsageError, match='the policy has no dataset "inquiry" — did you mean "inquiries"'):
        from_tables({"inquiry": None}, policy)


def test_without_psycopg_the_extra_is_named(policy, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)  # what an install without the postgres extra looks like
    source = parse_option("inquiries=postgresql://auditor@127.0.0.1:1/ops", policy)
    with pytest.raises(DataError) as caught:
        clausewise.audit(policy, ROOT / "examples" / "example-export", sources={"inquiries": source})
    assert str(caught.value) == ('postgresql://auditor@127.0.0.1:1/ops (table inquiries): dataset "inquiries": '
                                 "reading from PostgreSQL needs psycopg: pip install 'clausewise[postgres]'")
