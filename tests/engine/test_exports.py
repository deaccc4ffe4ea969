"""Reading exports: every format and encoding, every row kept, bad values reported."""

from __future__ import annotations

import shutil
from datetime import datetime

import duckdb
import pytest
from support import DATA

import clausewise
from clausewise.errors import DataError, ErrorList

DATASETS = """\
inquiries:
  key: inquiry_id
  fields:
    inquiry_id: string
    channel: string
    received_at: timestamp
    answered_on_spot: boolean
    score: integer
    subject: string
"""
RULES = """\
rules:
  - id: channel-known
    clause: C-1
    dataset: inquiries
    kind: allowed
    severity: high
    field: channel
    values: [hotline, email, online]
    title: {en: Channel}
    message: {en: "bad channel {value}"}
"""
AS_OF = datetime(2026, 11, 1)


def _audit(policy, folder):
    return clausewise.audit(clausewise.load(policy), folder, as_of=AS_OF)


def _invalid(result):
    return sorted((f.key, f.evidence["column"], f.evidence["value"]) for f in result.findings if f.status == "invalid")


def test_gbk_csv_is_detected(pack, export):
    text = "inquiry_id,channel,received_at,answered_on_spot,score,subject\nQ1,hotline,2026-10-12 09:00,否,5,账户冻结\n"
    folder = export({"inquiries.csv": text.encode("gbk")})
    result = _audit(pack(DATASETS, RULES), folder)
    assert result.data_files[0].encoding == "gb18030"
    assert result.data_files[0].rows == 1
    assert result.findings == []


def test_gbk_declared(pack, export):
    datasets = DATASETS.replace("  key: inquiry_id\n", "  key: inquiry_id\n  encoding: gbk\n")
    text = "inquiry_id,channel,received_at,answered_on_spot,score,subject\nQ1,微信,2026-10-12 09:00,否,5,x\n"
    result = _audit(pack(datasets, RULES), export({"inquiries.csv": text.encode("gbk")}))
    assert [f.message for f in result.findings] == ["bad channel 微信"]


def test_utf8_bom_header_is_read(pack, export):
    text = "\ufeffinquiry_id,channel,received_at,answered_on_spot,score,subject\nQ1,hotline,2026-10-12 09:00,是,5,x\n"
    result = _audit(pack(DATASETS, RULES), export({"inquiries.csv": text.encode("utf-8")}))
    assert result.data_files[0].rows == 1 and result.findings == []


def test_xlsx_first_sheet_with_typed_cells(pack, export, tmp_path):
    folder = export({})
    shutil.copy(DATA / "xlsx" / "inquiries.xlsx", folder / "inquiries.xlsx")
    result = _audit(pack(DATASETS, RULES), folder)
    assert result.data_files[0].format == "xlsx" and result.data_files[0].rows == 3
    assert _invalid(result) == [("Q-3", "score", "n/a")]


def test_jsonl_and_parquet(pack, export, tmp_path):
    folder = export({
        "inquiries.jsonl": '{"inquiry_id": "Q1", "channel": "fax", "received_at": "2026-10-12T09:00:00+08:00", '
                           '"answered_on_spot": true, "score": 4, "subject": "x"}\n'
                           '{"inquiry_id": "Q2", "channel": "email", "score": 4.5}\n',
    })
    result = _audit(pack(DATASETS, RULES), folder)
    assert [(f.key, f.status) for f in result.findings] == [("Q1", "violation"), ("Q2", "invalid")]
    parquet = tmp_path / "pq"
    parquet.mkdir()
    duckdb.sql(
        "COPY (SELECT 'Q1' AS inquiry_id, 'fax' AS channel, TIMESTAMP '2026-10-12 09:00' AS received_at, "
        f"TRUE AS answered_on_spot, 5 AS score, 'x' AS subject) TO '{parquet / 'inquiries.parquet'}' (FORMAT parquet)"
    )
    result = _audit(pack(DATASETS, RULES), parquet)
    assert [(f.key, f.message) for f in result.findings] == [("Q1", "bad channel fax")]


def test_invalid_values_are_findings_and_rows_stay(pack, export):
    folder = export({"inquiries.csv": """\
        inquiry_id,channel,received_at,answered_on_spot,score,subject
        Q1,hotline,2026-13-45 09:00,maybe,five,x
        Q2,fax,,,,
        Q3,hotline,2026-10-12 09:00,yes,4,y
        """})
    # Q3 reads, so each column has 1 unreadable value of 2 non-empty: not mostly unreadable (unreadable.py).
    result = _audit(pack(DATASETS, RULES), folder)
    assert _invalid(result) == [("Q1", "answered_on_spot", "maybe"), ("Q1", "received_at", "2026-13-45 09:00"),
                                ("Q1", "score", "five")]
    assert result.stats["channel-known"].examined == 3
    assert [f.row for f in result.findings if f.status == "invalid"] == [1, 1, 1]
    assert [f.clause for f in result.findings] == ["C-1", "C-9", "C-9", "C-9"]


def test_missing_column_is_an_error_naming_the_file(pack, export):
    folder = export({"inquiries.csv": "inquiry_id,channel\nQ1,hotline\n"})
    with pytest.raises(ErrorList) as info:
        _audit(pack(DATASETS, RULES), folder)
    assert f'{folder}/inquiries.csv:1: missing column "received_at"' in str(info.value)


def test_missing_dataset_is_an_error_unless_optional(pack, export):
    folder = export({"other.csv": "a\n1\n"})
    with pytest.raises(DataError, match='dataset "inquiries" is missing'):
        _audit(pack(DATASETS, RULES), folder)
    optional = DATASETS.replace("  key: inquiry_id\n", "  key: inquiry_id\n  optional: true\n")
    result = _audit(pack(optional, RULES), folder)
    assert result.stats["channel-known"].examined == 0


def test_two_files_for_one_dataset_is_an_error(pack, export):
    folder = export({"inquiries.csv": "inquiry_id\n", "inquiries.jsonl": "{}\n"})
    with pytest.raises(DataError, match="is in both inquiries.csv and inquiries.jsonl"):
        _audit(pack(DATASETS, RULES), folder)


def test_broken_csv_is_a_clear_error(pack, export):
    folder = export({"inquiries.csv": 'inquiry_id,channel,received_at,answered_on_spot,score,subject\nQ1,"hot\n'})
    with pytest.raises(DataError) as info:
        _audit(pack(DATASETS, RULES), folder)
    assert str(info.value) == f"{folder}/inquiries.csv:2: cannot read this line: value with unterminated quote found"


def test_a_quote_open_before_more_lines_is_named(pack, export):
    # Line 2 opens a quote in "channel" that never closes; line 3 is a good record. DuckDB quotes both lines as
    # "the original line" before saying what is wrong: the message is that sentence, as for a last line above,
    # not the next record's text.
    header = "inquiry_id,channel,received_at,answered_on_spot,score,subject\n"
    folder = export({"inquiries.csv": header + 'Q1,"Hot\nQ2,email,2026-10-12 09:00,no,5,plain\n'})
    with pytest.raises(DataError) as info:
        _audit(pack(DATASETS, RULES), folder)
    assert str(info.value) == f"{folder}/inquiries.csv:2: cannot read this line: value with unterminated quote found"


def test_row_with_extra_fields_names_its_line(pack, export):
    folder = export({"inquiries.csv": "inquiry_id,channel,received_at,answered_on_spot,score,subject\n"
                                      "Q1,a,,,,\nQ2,b,,,,,extra\n"})
    with pytest.raises(DataError) as info:
        _audit(pack(DATASETS, RULES), folder)
    assert str(info.value) == f"{folder}/inquiries.csv:3: this line has more fields than the header's 6"


def test_row_with_missing_fields_says_how_many(pack, export):
    folder = export({"inquiries.csv": "inquiry_id,channel,received_at,answered_on_spot,score,subject\n"
                                      "Q1,a,,,,\nQ2,b\n"})
    with pytest.raises(DataError) as info:
        _audit(pack(DATASETS, RULES), folder)
    assert str(info.value) == f"{folder}/inquiries.csv:3: this line has 2 fields but the header has 6"


def test_extra_columns_and_column_names(pack, export):
    datasets = DATASETS.replace("    channel: string\n", '    channel: {type: string, column: "Contact channel"}\n')
    folder = export({"inquiries.csv": """\
        inquiry_id,Contact channel,received_at,answered_on_spot,score,subject,unused
        Q1,pigeon,2026-10-12 09:00,no,1,x,y
        """})
    assert [f.message for f in _audit(pack(datasets, RULES), folder).findings] == ["bad channel pigeon"]


BOSTON = """\
requests:
  key: case_enquiry_id
  file: {file}
  formats: {{timestamp: {formats}}}
  fields:
    case_enquiry_id: string
    open_dt: timestamp
    target_dt: timestamp
    closed_dt: timestamp
    ontime: {{type: enum, values: [ONTIME, OVERDUE]}}
    case_status: {{type: enum, values: [Open, Closed]}}
    latitude: number
"""
BOSTON_RULES = """\
rules:
  - id: closed-has-date
    clause: C-1
    dataset: requests
    kind: check
    severity: high
    when: case_status = 'Closed'
    assert: closed_dt IS NOT NULL
    title: {en: Closed has a date}
    message: {en: "closed without a date"}
"""


@pytest.mark.parametrize(("name", "formats"), [
    ("boston311-100", '["%Y-%m-%d %H:%M:%S"]'),
    ("boston311-dmy-100", '["%d/%m/%Y %H:%M:%S"]'),
])
def test_boston311_loads_as_published(pack, tmp_path, name, formats):
    folder = tmp_path / "boston"
    folder.mkdir()
    shutil.copy(DATA / "realdata" / f"{name}.csv", folder)
    result = _audit(pack(BOSTON.format(file=name, formats=formats), BOSTON_RULES), folder)
    assert result.data_files[0].rows == 100
    assert _invalid(result) == []
    assert result.stats["closed-has-date"].examined == 85


def test_servicenow_day_first_dates_and_question_mark_nulls(pack, tmp_path):
    datasets = """\
    events:
      key: number
      file: incident_event_log
      null_values: ["?"]
      formats: {timestamp: "%d/%m/%Y %H:%M"}
      fields:
        number: string
        incident_state: string
        active: boolean
        made_sla: boolean
        opened_at: timestamp
        resolved_at: timestamp
        closed_at: timestamp
        reassignment_count: integer
        priority: string
        assigned_to: string
    """
    rules = """\
    rules:
      - id: resolved-before-closed
        clause: C-1
        dataset: events
        kind: sequence
        severity: medium
        fields: [opened_at, resolved_at, closed_at]
        title: {en: Order}
        message: {en: "{out_of_order}"}
    """
    folder = tmp_path / "sn"
    folder.mkdir()
    shutil.copy(DATA / "realdata" / "incident_event_log.csv", folder)
    result = _audit(pack(datasets, rules), folder)
    assert result.data_files[0].rows == 300
    assert _invalid(result) == []
    assert result.stats["resolved-before-closed"].examined == 300


def test_gbk_bytes_after_the_first_megabyte_are_found(pack, export):
    header = "inquiry_id,channel,received_at,answered_on_spot,score,subject\n"
    ascii_rows = "".join(f"Q{i},hotline,2026-10-12 09:00,no,5,plain\n" for i in range(40_000))
    late = "Q-late,hotline,2026-10-12 09:00,否,5,账户冻结\n".encode("gbk")
    folder = export({"inquiries.csv": (header + ascii_rows).encode("ascii") + late})
    result = _audit(pack(DATASETS, RULES), folder)
    assert len((header + ascii_rows).encode()) > 1 << 20
    assert result.data_files[0].encoding == "gb18030"
    assert result.data_files[0].rows == 40_001
    assert result.findings == []


def test_cfpb_month_first_dates_and_yes_no(pack, tmp_path):
    datasets = """\
    complaints:
      key: company
      file: consumer_complaints
      null_values: ["N/A"]
      formats: {date: "%m/%d/%Y"}
      fields:
        received: {type: date, column: "Date received"}
        sent: {type: date, column: "Date sent to company"}
        company: {type: string, column: Company}
        consent: {type: string, column: "Consumer consent provided?"}
        timely: {type: boolean, column: "Timely response?"}
        disputed: {type: boolean, column: "Consumer disputed?"}
    """
    rules = """\
    rules:
      - id: sent-within-15-days
        clause: C-1
        dataset: complaints
        kind: check
        severity: medium
        assert: date_diff('day', received, sent) <= 15
        title: {en: Sent on}
        message: {en: "{company}: sent {sent}"}
    """
    folder = tmp_path / "cfpb"
    folder.mkdir()
    shutil.copy(DATA / "realdata" / "consumer_complaints.csv", folder)
    result = _audit(pack(datasets, rules), folder)
    assert result.data_files[0].rows == 200
    assert _invalid(result) == []
    assert result.stats["sent-within-15-days"].examined == 200


def test_permit_log_with_offsets_microseconds_and_colon_headers(pack, tmp_path):
    datasets = """\
    events:
      key: instance
      file: receipt
      fields:
        case_id: {type: string, column: "case:concept:name"}
        instance: {type: string, column: "concept:instance"}
        started: {type: timestamp, column: "case:startdate"}
        deadline: {type: timestamp, column: "case:deadline"}
        at: {type: timestamp, column: "time:timestamp"}
        activity: {type: string, column: "concept:name"}
    """
    rules = """\
    rules:
      - id: before-case-deadline
        clause: C-1
        dataset: events
        kind: deadline
        severity: medium
        start: started
        stop: at
        due: deadline
        title: {en: In time}
        message: {en: "{activity} at {at}, due {due_at}"}
    """
    folder = tmp_path / "wabo"
    folder.mkdir()
    shutil.copy(DATA / "realdata" / "receipt.csv", folder)
    result = _audit(pack(datasets, rules), folder)
    assert result.data_files[0].rows == 300
    assert _invalid(result) == []
    assert result.stats["before-case-deadline"].examined == 300
    # 13:42:22.688 at +02:00 is 19:42:22.688 in the policy's timezone (Asia/Shanghai).
    late = [f for f in result.findings if f.rule == "before-case-deadline"]
    assert all(f.evidence["start"].startswith("2011-") for f in late)


def test_connection_is_locked_once_the_export_is_loaded(pack, export, tmp_path):
    import duckdb

    from clausewise.engine.run import session

    folder = export({"inquiries.csv": "inquiry_id,channel,received_at,answered_on_spot,score,subject\nQ1,fax,,,,\n"})
    secret = tmp_path / "secret.txt"
    secret.write_text("a\n1\n", encoding="utf-8")
    with session(clausewise.load(pack(DATASETS, RULES)), folder, AS_OF, "en") as s:
        assert s.con.execute("SELECT count(*) FROM inquiries").fetchone() == (1,)
        for statement in (f"SELECT * FROM read_csv('{secret}')", f"COPY inquiries TO '{tmp_path / 'out.csv'}'",
                          "SET enable_external_access = true", "INSTALL httpfs", f"ATTACH '{tmp_path / 'x.db'}'"):
            with pytest.raises(duckdb.Error):
                s.con.execute(statement)
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "x.db").exists()


TYPED = """\
cases:
  key: case_id
  null_values: [N/A]
  fields:
    case_id: string
    opened_at: timestamp
    opened_on: date
    tz_at: timestamp
    count: integer
    ratio: number
    done: boolean
    text_at: timestamp
    code: string
"""


def test_parquet_columns_keep_their_stored_types(pack, tmp_path):
    """Typed Parquet columns are used as stored; out-of-range times and NaN are invalid; text columns are parsed."""
    folder = tmp_path / "typed"
    folder.mkdir()
    duckdb.connect().execute(
        "COPY (SELECT * FROM (VALUES "
        "('C1', TIMESTAMP '2026-10-12 09:30:00', DATE '2026-10-12', TIMESTAMPTZ '2026-10-12 01:00:00+00', 3, 0.5, TRUE, '2026-10-12 10:00', 7),"
        "('C2', TIMESTAMP '9999-12-31 00:00:00', DATE '1800-01-01', NULL, NULL, 'NaN'::DOUBLE, FALSE, 'N/A', 8),"
        "('C3', NULL, NULL, NULL, 2, 'Infinity'::DOUBLE, NULL, 'soon', NULL)"
        ") AS t(case_id, opened_at, opened_on, tz_at, count, ratio, done, text_at, code)) "
        f"TO '{folder / 'cases.parquet'}' (FORMAT parquet)"
    )
    rules = RULES.replace("dataset: inquiries", "dataset: cases").replace("field: channel", "field: code").replace(
        "values: [hotline, email, online]", "values: ['7', '8']")
    policy = clausewise.load(pack(TYPED, rules))
    with clausewise.audit(policy, folder, as_of=AS_OF) as result:
        con = result.findings._con
        # Timestamps are held as instants; read back as the policy's wall-clock time.
        rows = con.execute("SELECT case_id, opened_at::TIMESTAMP, opened_on, tz_at::TIMESTAMP, count, ratio, done, "
                           "text_at::TIMESTAMP, code FROM cases ORDER BY __row").fetchall()
        stored = con.execute("SELECT typeof(opened_at), typeof(tz_at), typeof(text_at) FROM cases LIMIT 1").fetchone()
        invalid = sorted((f.key, f.evidence["column"], f.message) for f in result.findings if f.rule == "data-quality")
    assert stored == ("TIMESTAMP WITH TIME ZONE",) * 3
    assert rows[0] == ("C1", datetime(2026, 10, 12, 9, 30), datetime(2026, 10, 12).date(),
                       # 01:00 UTC is 09:00 in Shanghai (UTC+8), the policy's zone
                       datetime(2026, 10, 12, 9, 0), 3, 0.5, True, datetime(2026, 10, 12, 10, 0), "7")
    # C2: the year 9999 and 1800 are outside the years judged, NaN is no number, N/A is the null token;
    # C3: infinity is no number, "soon" is not a timestamp. Each bad value is one finding; the rows stay.
    assert [r[0] for r in rows] == ["C1", "C2", "C3"]
    assert rows[1][1:6] == (None, None, None, None, None) and rows[1][7] is None
    assert invalid == [
        ("C2", "opened_at", 'value "9999-12-31 00:00:00" in column "opened_at" is outside the years 1900 to 2199'),
        ("C2", "opened_on", 'value "1800-01-01" in column "opened_on" is outside the years 1900 to 2199'),
        ("C2", "ratio", 'value "nan" in column "ratio" is not a number'),
        ("C3", "ratio", 'value "inf" in column "ratio" is not a number'),
        ("C3", "text_at", 'value "soon" in column "text_at" is not a timestamp written year first '
                "(2026-10-12 09:30:00, 2026/10/12 9:30 or 2026-10-12T09:30, with an optional offset such as +08:00 "
                "or zone such as Asia/Shanghai); for another layout add "
                'format: to the field, such as format: "%d/%m/%Y %H:%M:%S"'),
    ]


def test_a_row_of_one_field_says_one_field(pack, export):
    # "Q2" alone on line 3: one field, said in the singular ("1 fields" before).
    folder = export({"inquiries.csv": "inquiry_id,channel,received_at,answered_on_spot,score,subject\n"
                                      "Q1,a,,,,\nQ2\n"})
    with pytest.raises(DataError) as info:
        _audit(pack(DATASETS, RULES), folder)
    assert str(info.value) == f"{folder}/inquiries.csv:3: this line has 1 field but the header has 6"
