"""The library API: audit tables in memory or a DuckDB connection, get findings, grades and stats as tables, write reports."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

import duckdb
import pytest
from support import DATA, EXAMPLE_EXPORT, EXAMPLE_POLICY, ROOT, example_rows, findings_json

import clausewise
from clausewise.api import _as_of
from clausewise.errors import DataError, MissingExtra, UsageError

pd = pytest.importorskip("pandas", reason="the test extra installs pandas")
pa = pytest.importorskip("pyarrow", reason="the test extra installs pyarrow")
pl = pytest.importorskip("polars", reason="the test extra installs polars")


@pytest.fixture(scope="module")
def policy():
    return clausewise.load(EXAMPLE_POLICY)


@pytest.fixture(scope="module")
def from_files(policy):
    with clausewise.audit(policy, EXAMPLE_EXPORT) as result:
        return findings_json(result)


def _frames(make) -> dict:
    """The example export's datasets as tables of one library, every cell text as in the files."""
    return {name: make(example_rows(name)) for name in ("inquiries", "followups", "meetings")}


MAKERS = {
    "pandas": pd.DataFrame,
    "polars": pl.DataFrame,
    "arrow": pa.Table.from_pylist,
    "arrow reader": lambda rows: pa.Table.from_pylist(rows).to_reader(),
}


@pytest.mark.parametrize("kind", MAKERS)
def test_tables_audit_like_the_export_files(policy, from_files, kind):
    with clausewise.audit(policy, _frames(MAKERS[kind])) as result:
        assert isinstance(result, clausewise.Result)
        assert findings_json(result) == from_files
        assert [(d.dataset, d.path, d.rows) for d in result.data_files] == [
            ("inquiries", None, 7), ("followups", None, 4), ("meetings", None, 4)]


def test_a_duckdb_connection_gives_each_dataset_by_its_file_name(policy, from_files):
    user = duckdb.connect()
    for name, rows in _frames(pd.DataFrame).items():
        user.register("incoming", rows)
        user.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
        user.unregister("incoming")
    with clausewise.audit(policy, user) as result:
        assert findings_json(result) == from_files
        assert {d.source for d in result.data_files} == {
            'DuckDB relation "inquiries"', 'DuckDB relation "followups"', 'DuckDB relation "meetings"'}
    user.execute("SET TimeZone = 'UTC'")  # the caller's connection is left as it was, unlocked
    assert user.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)


def test_a_relation_reads_on_its_own_connection(policy, from_files):
    user = duckdb.connect()
    user.execute(f"CREATE TABLE log AS SELECT * FROM read_csv('{EXAMPLE_EXPORT / 'meetings.csv'}', all_varchar = true)")
    tables = _frames(pd.DataFrame)
    tables["meetings"] = user.sql("SELECT * FROM log ORDER BY meeting_id")
    with clausewise.audit(policy, tables) as result:
        assert findings_json(result) == from_files


def test_typed_columns_keep_their_types_and_instants_are_converted(pack):
    policy = clausewise.load(pack(
        """
        tickets:
          key: id
          fields: {id: string, priority: integer, opened_at: timestamp, urgent: boolean}
        """,
        """
        rules:
          - {id: opened-by-nine, clause: C-1, dataset: tickets, kind: check, severity: low, title: {en: t},
             message: {en: "late"}, assert: "opened_at <= TIMESTAMP '2026-10-01 09:00:00'"}
        """))
    frame = pd.DataFrame({
        "id": ["T-1", "T-2", "T-3"],
        "priority": [1, "high", 3],  # an object column: DuckDB reads it as text, so "high" is invalid
        # Instants: 01:00 UTC is 09:00 in Shanghai (UTC+8), on time; 01:30 UTC is 09:30, late; None is empty.
        "opened_at": pd.to_datetime(["2026-10-01 01:00", "2026-10-01 01:30", None], utc=True),
        "urgent": [True, False, None],
    })
    with clausewise.audit(policy, {"tickets": frame}) as result:
        got = [(f.rule, f.key, f.row, f.status, f.message) for f in result.findings]
    assert got == [
        ("opened-by-nine", "T-2", 2, "violation", "late"),  # 09:30 > 09:00
        ("opened-by-nine", "T-3", 3, "violation", "late"),  # no time: unknown is a violation
        ("data-quality", "T-2", 2, "invalid", 'value "high" in column "priority" is not a whole number'),
    ]


def test_findings_grades_and_stats_as_tables():
    policy = clausewise.load(DATA / "grades" / "policy.yaml")
    with clausewise.audit(policy, DATA / "grades" / "export") as result:
        listed = findings_json(result, keep_file=True)
        arrow = result.findings.to_arrow()
        assert arrow.column_names == ["rule", "clause", "dataset", "key", "status", "severity", "message", "evidence",
                                      "due_at", "group", "row", "fingerprint", "waiver", "baseline_state"]
        assert arrow.num_rows == len(listed)
        frame = result.findings_df()
        assert frame["rule"].tolist() == [f["rule"] for f in listed]
        assert [json.loads(e) for e in frame["evidence"]] == [f["evidence"] for f in listed]
        assert result.findings.to_polars()["fingerprint"].to_list() == [f["fingerprint"] for f in listed]

        grades = list(result.grades)
        # One row per record and computed column, in the grades' own order, the value as text.
        expected = [{"dataset": g.dataset, "key": g.key, "row": g.row, "name": name, "value": None if v is None else str(v)}
                    for g in grades for name, v in g.values.items()]
        assert result.grades.to_arrow().to_pylist() == expected
        long = result.grades_df()
        assert long.columns.tolist() == ["dataset", "key", "row", "name", "value"] and len(long) == len(expected)
        dataset = grades[0].dataset
        wide = result.grades.to_arrow(dataset, breakdown=True)
        first = [g for g in grades if g.dataset == dataset][0]
        assert wide.slice(0, 1).to_pylist()[0] == {
            "key": first.key, "row": first.row, **first.values,
            **{f"{n}_breakdown": json.dumps(b, separators=(",", ":"), ensure_ascii=False)
               for n, b in first.breakdown.items()}}
        with pytest.raises(UsageError, match='no computed values in dataset "nope"'):
            result.grades_df("nope")

        stats = result.stats_df()
        assert stats.columns.tolist() == ["rule", "clause", "dataset", "kind", "severity", "examined", "violations",
                                          "warnings", "invalid"]
        by_rule = stats.set_index("rule")
        for rule, s in result.stats.items():
            assert by_rule.loc[rule, ["examined", "violations", "warnings", "invalid"]].tolist() == [
                s.examined, s.violations, s.warnings, s.invalid]
        # data-quality examined every record read: the sum of the data files' rows.
        assert by_rule.loc["data-quality", "examined"] == sum(d.rows for d in result.data_files)
        assert result.stats.to_arrow().num_rows == len(result.stats)


def test_a_missing_package_names_its_extra(policy, monkeypatch):
    with clausewise.audit(policy, EXAMPLE_EXPORT) as result:
        monkeypatch.setitem(sys.modules, "pyarrow", None)  # what an install without pyarrow looks like to import
        with pytest.raises(MissingExtra) as caught:
            result.findings.to_arrow()
        assert str(caught.value) == "findings.to_arrow() needs pyarrow: pip install 'clausewise[arrow]'"
        assert isinstance(caught.value, ImportError)
        monkeypatch.setitem(sys.modules, "pandas", None)
        with pytest.raises(MissingExtra, match=r"stats_df\(\) needs pandas: pip install 'clausewise\[pandas\]'"):
            result.stats_df()


def test_importing_and_auditing_a_folder_needs_none_of_the_extras():
    code = ("import sys, clausewise\n"
            f"with clausewise.audit({str(EXAMPLE_POLICY)!r}, {str(EXAMPLE_EXPORT)!r}) as r: r.write('json')\n"
            "print(sorted(m for m in ('pandas', 'pyarrow', 'polars', 'psycopg') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")


def test_writers_to_a_path_a_stream_or_a_string(policy, tmp_path):
    with clausewise.audit(policy, EXAMPLE_EXPORT, as_of="2026-10-31") as result:
        text = result.write("json")
        buffer = io.StringIO()
        result.write("json", buffer)
        result.write("sarif", tmp_path / "findings.sarif")
        with pytest.raises(UsageError, match='unknown format "pdf"'):
            result.write("pdf")
    assert buffer.getvalue() == text
    assert json.loads(text)["run"]["as_of"] == "2026-10-31 00:00:00"
    assert json.loads((tmp_path / "findings.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.sarif"]  # no part file left behind


@pytest.mark.parametrize(("given", "judged"), [
    (datetime(2026, 10, 31, 18, 0), datetime(2026, 10, 31, 18, 0)),  # naive: the policy's wall-clock time
    (datetime(2026, 10, 31, 10, 0, tzinfo=timezone.utc), datetime(2026, 10, 31, 18, 0)),  # 10:00 UTC = 18:00 UTC+8
    (datetime(2026, 10, 31, 18, 0, tzinfo=timezone(timedelta(hours=8))), datetime(2026, 10, 31, 18, 0)),
    (date(2026, 10, 31), datetime(2026, 10, 31, 0, 0)),  # a date: its midnight
    ("2026-10-31T10:00:00Z", datetime(2026, 10, 31, 18, 0)),
])
def test_as_of_naive_aware_date_or_text(given, judged):
    assert _as_of(given, "Asia/Shanghai") == judged


def test_as_of_reaches_the_run(policy):
    moment = datetime(2026, 10, 31, 10, 0, tzinfo=timezone.utc)
    with clausewise.audit(policy, EXAMPLE_EXPORT, as_of=moment) as result:
        assert (result.as_of, result.as_of_source) == (datetime(2026, 10, 31, 18, 0), "given")


@pytest.mark.parametrize(("given", "said"), [
    (datetime(1850, 1, 1), 'as_of "1850-01-01 00:00:00" is outside the years 1900 to 2199'),
    ("yesterday", 'as_of "yesterday" is not a date or timestamp'),
    (1730000000, "as_of is a int; give a datetime, a date or an ISO text"),
])
def test_a_bad_as_of_is_a_usage_error(policy, given, said):
    with pytest.raises(UsageError, match=said):
        clausewise.audit(policy, EXAMPLE_EXPORT, as_of=given)  # refused before any data is read


def test_what_cannot_be_audited(policy):
    with pytest.raises(UsageError, match="nothing to audit"):
        clausewise.audit(policy)
    with pytest.raises(UsageError, match="cannot audit a int"):
        clausewise.audit(policy, 3)
    tables = _frames(pd.DataFrame)
    del tables["followups"]
    with pytest.raises(DataError) as caught:
        clausewise.audit(policy, tables)
    assert str(caught.value) == 'dataset "followups" is missing: no table and no database source was given for it'
    tables = _frames(pd.DataFrame)
    tables["followups"] = tables["followups"].drop(columns=["satisfaction"])
    with pytest.raises(DataError) as caught:
        clausewise.audit(policy, tables)
    assert str(caught.value) == ('pandas DataFrame "followups": dataset "followups": missing column "satisfaction" '
                                 '(field "satisfaction")')


def test_an_optional_dataset_may_be_left_out(policy):
    tables = _frames(pd.DataFrame)
    del tables["meetings"]  # meetings is optional: it is then empty
    with clausewise.audit(policy, tables) as result:
        assert [(d.dataset, d.rows) for d in result.data_files][-1] == ("meetings", 0)


def test_a_policy_path_is_loaded(from_files):
    with clausewise.audit(str(EXAMPLE_POLICY), EXAMPLE_EXPORT) as result:
        assert findings_json(result) == from_files


def test_recorded_runs_of_tables_are_told_apart_by_their_rows(policy, tmp_path):
    history = tmp_path / "history.duckdb"
    tables = _frames(pd.DataFrame)
    ids = []
    for inquiries in (tables["inquiries"], tables["inquiries"].iloc[:6], tables["inquiries"].iloc[:6].copy()):
        with clausewise.audit(policy, {**tables, "inquiries": inquiries}, as_of="2026-10-31") as result:
            clausewise.complete(result, history=history, record=True)
            ids.append(result.recorded_as)
    # Seven inquiries, then six (other rows: a new run), then the same six again (the same run, replaced).
    assert ids == [1, 2, 2]
