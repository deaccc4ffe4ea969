"""SQLite sources: the same records in a database file audit to the same findings as in the export's files."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner
from support import EXAMPLE_EXPORT, EXAMPLE_POLICY, example_rows, findings_json

import clausewise
from clausewise.cli import cli


@pytest.fixture(scope="module")
def policy():
    return clausewise.load(EXAMPLE_POLICY)


@pytest.fixture(scope="module")
def from_files(policy):
    with clausewise.audit(policy, EXAMPLE_EXPORT) as result:
        return findings_json(result)


def _database(path, tables: dict[str, list[dict]]) -> None:
    """Each table with untyped columns (SQLite keeps each value as given), in the records' order."""
    con = sqlite3.connect(path)
    for name, rows in tables.items():
        columns = list(rows[0])
        con.execute(f"CREATE TABLE {name} ({', '.join(columns)})")
        con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(columns))})",
                        [tuple(r[c] for c in columns) for r in rows])
    con.commit()
    con.close()


def test_the_manifest_names_a_database_in_the_export_folder(policy, from_files, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(EXAMPLE_EXPORT, folder)
    (folder / "inquiries.csv").unlink()
    (folder / "followups.jsonl").unlink()
    _database(folder / "records.db", {"inquiries": example_rows("inquiries"), "visits": example_rows("followups")})
    (folder / "export.yaml").write_text(
        "sources:\n"
        "  inquiries: {url: 'sqlite:///records.db'}\n"
        "  followups: {url: 'sqlite:///records.db', query: 'SELECT * FROM visits ORDER BY rowid'}\n", encoding="utf-8")
    with clausewise.audit(policy, folder) as result:
        assert findings_json(result) == from_files
        files = {d.dataset: d for d in result.data_files}
        assert files["inquiries"].source == "sqlite:///records.db (table inquiries)"
        assert files["followups"].source == "sqlite:///records.db (query)"
        assert (files["inquiries"].path, files["inquiries"].format, files["inquiries"].rows) == (None, "sqlite", 7)
        bad = [f for f in findings_json(result, keep_file=True) if f["status"] == "invalid" and f["dataset"] == "followups"]
        # F-4's satisfaction "five" is the one invalid value of followups, on its 4th record.
        assert [(f["key"], f["row"], f["evidence"]["file"]) for f in bad] == [("F-4", 4, "sqlite:///records.db (query)")]


def test_dynamic_typing_becomes_invalid_findings(pack, tmp_path):
    policy = clausewise.load(pack(
        """
        tickets:
          key: id
          fields: {id: string, priority: integer, opened_at: timestamp}
        """,
        """
        rules:
          - {id: r, clause: C-1, dataset: tickets, kind: check, severity: low, title: {en: t},
             message: {en: "low priority"}, assert: "priority < 5"}
        """))
    db = tmp_path / "t.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE tickets (id TEXT, priority INTEGER, opened_at TEXT)")
    # SQLite stores 'high' in an INTEGER column as text, and 3.0 as a REAL: row 2 is invalid, row 3 a whole number.
    con.executemany("INSERT INTO tickets VALUES (?, ?, ?)",
                    [("T-1", 7, "2026-10-01 09:00"), ("T-2", "high", "2026-10-01 10:00"), ("T-3", 3.0, "yesterday")])
    con.commit()
    con.close()
    with clausewise.audit(policy, None, sources={"tickets": f"sqlite:///{db}"}) as result:
        got = [(f.rule, f.key, f.row, f.status, f.message) for f in result.findings]
    assert got == [
        ("r", "T-1", 1, "violation", "low priority"),  # 7 < 5 is false
        # "high" is unreadable: rule r, which reads priority, leaves T-2 unjudged (docs/rules.md)
        ("data-quality", "T-2", 2, "invalid", 'value "high" in column "priority" is not a whole number'),
        ("data-quality", "T-3", 3, "invalid",
         'value "yesterday" in column "opened_at" is not a timestamp written year first '
         "(2026-10-12 09:30:00, 2026/10/12 9:30 or 2026-10-12T09:30, with an optional offset such as +08:00 "
         "or zone such as Asia/Shanghai); for another layout add format: "
         'to the field, such as format: "%d/%m/%Y %H:%M:%S"'),
    ]


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_command_line_source_and_its_errors(policy, from_files, tmp_path):
    db = tmp_path / "records.db"
    _database(db, {"inquiries": example_rows("inquiries")})
    ok = _run("audit", str(EXAMPLE_EXPORT), "-p", str(EXAMPLE_POLICY), "--source", f"inquiries=sqlite:///{db}",
              "--format", "json")
    assert ok.exit_code == 1  # the example has violations on purpose
    missing_table = _run("audit", str(EXAMPLE_EXPORT), "-p", str(EXAMPLE_POLICY), "--source",
                         f"inquiries=sqlite:///{db}#tickets")
    assert (missing_table.exit_code, missing_table.output) == (
        2, f'sqlite:///{db} (table tickets): dataset "inquiries": table not found: no such table: tickets\n')
    sqlite3.connect(db).execute("ALTER TABLE inquiries RENAME COLUMN closed_at TO done_at").connection.commit()
    missing_column = _run("audit", str(EXAMPLE_EXPORT), "-p", str(EXAMPLE_POLICY), "--source", f"inquiries=sqlite:///{db}")
    assert (missing_column.exit_code, missing_column.output) == (
        2, f'sqlite:///{db} (table inquiries): dataset "inquiries": missing column "closed_at" (field "closed_at")\n')


def test_the_database_is_opened_read_only(policy, tmp_path):
    db = tmp_path / "records.db"
    _database(db, {"inquiries": example_rows("inquiries")})
    said = []
    for query in ("DELETE FROM inquiries RETURNING *", "SELECT * FROM inquiries; DELETE FROM inquiries"):
        with pytest.raises(clausewise.errors.DataError) as caught:
            clausewise.audit(policy, EXAMPLE_EXPORT, sources={"inquiries": {"url": f"sqlite:///{db}", "query": query}})
        said.append(str(caught.value))
    assert said[0].startswith(f'sqlite:///{db} (query): dataset "inquiries": cannot read: ')
    assert said[1] == f'sqlite:///{db} (query): dataset "inquiries": cannot read: near ";": syntax error'
    assert sqlite3.connect(db).execute("SELECT count(*) FROM inquiries").fetchone() == (7,)


def test_every_dataset_from_the_command_line_needs_no_export_folder(tmp_path):
    db = tmp_path / "records.db"
    _database(db, {"inquiries": example_rows("inquiries"), "followups": example_rows("followups")})
    given = ["--source", f"inquiries=sqlite:///{db}", "--source", f"followups=sqlite:///{db}"]
    result = _run("audit", "-p", str(EXAMPLE_POLICY), *given, "--format", "json")
    assert result.exit_code == 1
    files = {d["dataset"]: (d["path"], d.get("source"), d["rows"]) for d in json.loads(result.output)["run"]["data_files"]}
    # meetings is optional: with no source it is empty.
    assert files == {"inquiries": (None, f"sqlite:///{db} (table inquiries)", 7),
                     "followups": (None, f"sqlite:///{db} (table followups)", 4), "meetings": (None, None, 0)}
    nothing = _run("audit", "-p", str(EXAMPLE_POLICY))
    assert (nothing.exit_code, nothing.output) == (2, "give EXPORT_DIR, or every dataset with --source\n")
    overwrite = _run("audit", "-p", str(EXAMPLE_POLICY), *given, "--output", str(db))
    assert (overwrite.exit_code, overwrite.output) == (
        2, f"--output {db} is an input of this run; write the report somewhere else\n")
