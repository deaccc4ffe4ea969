"""Nothing a policy writes runs before the connection is locked, in any command.

A recorder stands between clausewise and DuckDB and notes every statement
with whether the connection was locked when it ran. Before the lock only the
export readers' fixed SQL may run (their values are query parameters), so
no statement before the lock may contain any text from the pack — here a
pack full of quotes and SQL, ``tests/data/hostile``.
"""

from __future__ import annotations

import csv
import re
import shutil
import sqlite3

import duckdb
import pytest
from click.testing import CliRunner
from support import DATA

from clausewise.cli import cli
from clausewise.engine import connection
from clausewise.engine.sqltext import ident

HOSTILE = DATA / "hostile"
# Everything that may run before the lock: setting the zone (a parameter) and
# reading files into raw tables (fixed SQL, parameters).
BEFORE_LOCK = re.compile(
    r'^(SET GLOBAL TimeZone = \?|SET allowed_paths = \?|CREATE OR REPLACE TABLE "__raw-\d+" AS SELECT (\*|json) FROM read_\w+\(\?.*'
    r'|DESCRIBE "__raw-\d+"|SET enable_external_access = false|SET lock_configuration = true'
    # A dataset from a table in memory or a database (engine/given.py): copied under a fixed name, then a digest.
    r'|CREATE OR REPLACE TABLE "__raw-\d+" AS SELECT \* FROM __given_table'
    r'|SELECT bit_xor\(hash\(rowid, r\)\) FROM "__raw-\d+" AS r)$',
    re.S,
)


class Recorder:
    """A DuckDB connection that notes each statement and whether it ran locked."""

    def __init__(self, con, log):
        self._con, self._log, self._locked = con, log, False

    def _note(self, statement: str) -> None:
        self._log.append((self._locked, statement))
        if statement.strip() == "SET lock_configuration = true":
            self._locked = True

    def execute(self, statement, *args):
        self._note(statement)
        return self._con.execute(statement, *args)

    def sql(self, statement, *args):
        self._note(statement)
        return self._con.sql(statement, *args)

    def executemany(self, statement, *args):
        self._note(statement)
        return self._con.executemany(statement, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


@pytest.fixture
def statements(monkeypatch):
    log: list[tuple[bool, str]] = []
    real = duckdb.connect
    monkeypatch.setattr(connection.duckdb, "connect", lambda *a, **k: Recorder(real(*a, **k), log))
    return log


def _pack(tmp_path):
    shutil.copytree(HOSTILE, tmp_path / "pack")
    return tmp_path / "pack"


COMMANDS = {
    "validate": lambda p: ["validate", "-p", str(p / "policy.yaml")],
    "audit": lambda p: ["audit", str(p / "export"), "-p", str(p / "policy.yaml"), "--fail-on", "never"],
    "grades": lambda p: ["grades", str(p / "export"), "-p", str(p / "policy.yaml")],
    "explain": lambda p: ["explain", str(p / "export"), "recorded-band", "R3", "-p", str(p / "policy.yaml")],
    "coverage": lambda p: ["coverage", "-p", str(p / "policy.yaml")],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_only_fixed_reader_sql_runs_before_the_lock(command, statements, tmp_path, monkeypatch):
    pack = _pack(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, COMMANDS[command](pack))
    assert result.exit_code in (0, 1), result.output
    assert statements, "the recorder saw nothing"
    early = [s for locked, s in statements if not locked]
    assert all(BEFORE_LOCK.match(s.strip()) for s in early), [s for s in early if not BEFORE_LOCK.match(s.strip())]
    assert any(locked for locked, _ in statements)
    assert not list(tmp_path.glob("pwned*")) and not list(pack.rglob("pwned*"))


def test_the_rule_cases_command_locks_first(statements, tmp_path, monkeypatch):
    pack = _pack(tmp_path)
    (pack / "cases.yaml").write_text(
        "cases:\n"
        "  - name: fail_wrong_band\n"
        "    rule: recorded-band\n"
        "    data:\n"
        "      risks:\n"
        "        - {risk_id: \"R'1\", likely: 1, impact: 1, kind: plain, recorded: \"it's wrong\"}\n"
        "    expect: [{key: \"R'1\", status: violation}]\n",
        encoding="utf-8",
    )
    policy = pack / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "tests: [cases.yaml]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["test", "-p", str(policy)])
    assert result.exit_code == 0, result.output
    early = [s for locked, s in statements if not locked]
    assert early and all(BEFORE_LOCK.match(s.strip()) for s in early)


def test_hostile_names_round_trip_as_data(tmp_path, monkeypatch):
    import clausewise

    pack = _pack(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = clausewise.audit(clausewise.load(pack / "policy.yaml"), pack / "export")
    grades = {g.key: g.values for g in result.grades}
    # R3: likely 1 × impact 1 = 1, which is at least the lowest band's start (1): the band named like an injection.
    assert grades["R3"]["band"] == "low' END AS x; COPY (SELECT 'pwned' AS x) TO 'pwned.csv'; SELECT 'x"
    # R2: 2 × 4 = 8 ≥ 8 → "don't know" both by band and by table row [8..15).
    assert grades["R2"]["band"] == grades["R2"]["grade"] == "don't know"
    # R1: 5 × 4 = 20 ≥ 15 → 'high "really"'; weighted 0.5 × 5 + 0.5 × 4 = 4.5.
    assert grades["R1"] == {"score": 20, "weighted": 4.5, "band": 'high "really"', "grade": "high 'H'"}
    assert [(f.rule, f.key) for f in result.findings] == [("recorded-band", "R3"), ("recorded-band", "R4")]
    assert result.findings[0].evidence["it's"] == 1
    assert not list(tmp_path.rglob("pwned*"))


def test_datasets_from_a_database_or_a_table_lock_first(statements, tmp_path, monkeypatch):
    """The hostile pack's records from a SQLite file (--source) and from a pandas DataFrame."""
    import clausewise

    pack = _pack(tmp_path)
    monkeypatch.chdir(tmp_path)
    with (pack / "export" / "risks.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    con = sqlite3.connect(tmp_path / "risks.db")
    con.execute(f"CREATE TABLE risks ({', '.join(ident(c) for c in header)})")
    con.executemany(f"INSERT INTO risks VALUES ({', '.join('?' * len(header))})", rows)
    con.commit()
    con.close()
    result = CliRunner().invoke(cli, ["audit", "-p", str(pack / "policy.yaml"), "--fail-on", "never",
                                      "--source", "risks=sqlite:///risks.db"])
    assert result.exit_code == 0, result.output
    pd = pytest.importorskip("pandas", reason="the test extra installs pandas")
    clausewise.audit(clausewise.load(pack / "policy.yaml"), {"risks": pd.DataFrame(rows, columns=header)}).close()
    early = [s for locked, s in statements if not locked]
    assert any("__given_table" in s for s in early) and any("read_csv" in s for s in early)
    assert all(BEFORE_LOCK.match(s.strip()) for s in early), [s for s in early if not BEFORE_LOCK.match(s.strip())]
    assert not list(tmp_path.rglob("pwned*"))
