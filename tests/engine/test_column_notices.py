"""Schema drift: an export's columns no field declares, and the optional columns it lacks, are notices of the run."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest
from support import render

import clausewise

DATASETS = """\
items:
  key: id
  fields:
    id: string
    n: integer
    note: {type: string, optional: true}
    seen_at: {type: timestamp, optional: true}
"""
RULES = """\
rules:
  - {id: positive, clause: C-1, dataset: items, kind: check, severity: high, assert: n >= 0,
     title: {en: Positive}, message: {en: "{key} is negative"}}
"""


@pytest.fixture
def policy(pack):
    return clausewise.load(pack(DATASETS, RULES))


def _audit(policy, folder, lang="en"):
    return clausewise.audit(policy, folder, as_of=datetime(2026, 11, 1), lang=lang)


def test_a_csv_with_an_extra_column_and_without_an_optional_one(policy, export):
    # "owner" and "region" are in no field; "note" and "seen_at" are optional and absent (in field order).
    folder = export({"items.csv": "id,owner,n,region\nK1,alice,1,north\nK2,bob,-1,south\n"})
    with _audit(policy, folder) as result:
        (data_file,) = result.data_files
        meta = json.loads(render("json", result))["run"]["data_files"][0]
        exit_code = result.exit_code("high")
    assert (data_file.extra_columns, data_file.missing_columns) == (("owner", "region"), ("note", "seen_at"))
    assert (meta["extra_columns"], meta["missing_columns"]) == (["owner", "region"], ["note", "seen_at"])
    # A notice, not a failure: K2's -1 is the one violation (high), exit 1 as without the notices.
    assert exit_code == 1


def test_a_file_that_fits_has_no_notice(policy, export):
    folder = export({"items.csv": "id,n,note,seen_at\nK1,1,,\n"})
    with _audit(policy, folder) as result:
        assert (result.data_files[0].extra_columns, result.data_files[0].missing_columns) == ((), ())
        assert "declares" not in render("table", result) and "missing" not in render("markdown", result)


def test_json_lines_name_every_key_of_every_record_in_the_order_first_met(policy, export):
    folder = export({"items.jsonl": '{"id": "K1", "n": 1, "zeta": 1, "owner": "a"}\n'
                                    '{"id": "K2", "n": 2, "note": "x", "alpha": 2}\n'})
    with _audit(policy, folder) as result:
        (data_file,) = result.data_files
    # K1 brings zeta, then owner; K2 brings alpha. note is in K2, so present; seen_at is in no record.
    assert (data_file.extra_columns, data_file.missing_columns) == (("zeta", "owner", "alpha"), ("seen_at",))


def test_every_report_names_them_as_warnings_of_the_run(policy, export):
    folder = export({"items.csv": "id,owner,n\nK1,alice,1\n"})
    # owner is in no field; note and seen_at are optional, absent: 1 column, then 2 optional columns.
    extra = "items.csv: 1 column that no field declares, not read: owner"
    missing = "items.csv: 2 optional columns missing, read as empty: note, seen_at"
    with _audit(policy, folder) as result:
        warnings = result.warnings
        table = render("table", result)
        markdown = render("markdown", result)
        html = render("html", result)
        doc = json.loads(render("json", result))
        sarif = json.loads(render("sarif", result))
        github = render("github", result)
        junit = ET.fromstring(render("junit", result))
        exit_code = result.exit_code("high")
    assert warnings == (extra, missing)
    assert f"1 data file, 1 row\n! {extra}\n! {missing}\n" in table
    assert f"> ⚠️ {extra}\n" in markdown and f"> ⚠️ {missing}\n" in markdown
    assert f'<p class="sub warn">⚠ {extra}</p>' in html and f'<p class="sub warn">⚠ {missing}</p>' in html
    assert "<td>owner</td><td>note, seen_at</td>" in html
    assert doc["run"]["warnings"] == [extra, missing]
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["level"], n["message"]["text"]) for n in notes] == [("warning", extra), ("warning", missing)]
    assert f"::warning::{extra}\n::warning::{missing}\n" in github
    props = {p.get("name"): p.get("value") for p in junit.find("testsuite").find("properties")}
    assert (props["warning.1"], props["warning.2"]) == (extra, missing)
    # Warnings fail nothing: K1's n = 1 >= 0, no finding, exit 0.
    assert exit_code == 0


def test_in_chinese(policy, export):
    folder = export({"items.csv": "id,owner,n\nK1,alice,1\n"})
    with _audit(policy, folder, "zh") as result:
        table = render("table", result)
    assert "! items.csv：1 列未被任何字段声明，未读取：owner\n! items.csv：缺少 2 个可选列，按空值读取：note、seen_at\n" in table
