"""Durations in words: the Python and SQL versions agree, and Chinese messages carry no English units."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

import clausewise
from clausewise.engine.durations import duration_words_sql
from clausewise.engine.sqltext import string
from clausewise.wording import duration_words, parameter_words

CASES = [
    ("1 day 01:01:00", "1 天 1 小时 1 分钟"),       # DuckDB's text for 1 day, 1 hour and 1 minute
    ("15 days", "15 天"),
    ("02:30:00", "2 小时 30 分钟"),
    ("00:00:00", "0 秒"),
    ("1 month 2 days 00:00:00.5", "1 个月 2 天 0.5 秒"),
    ("400:00:00", "400 小时"),                         # an interval's clock may pass 24 hours
    ("60.0 working hours", "60 工作小时"),
    ("45.25 working hours", "45.25 工作小时"),
    ("24h", "24 小时"),
    ("3 working days", "3 个工作日"),
    ("3 working days elapsed", "3 个工作日（按时长计）"),   # the hour reading says so
    ("7 days elapsed", "7 天（按时长计）"),
    ("12 months", "12 个月"),
    ("30m", "30 分钟"),
    ("4 working hours", "4 工作小时"),
    ("1.5h", "1.5 小时"),
    ("2 weeks", "2 周"),
    ("2026-10-27 10:00:00", "2026-10-27 10:00:00"),   # a time, not a duration
    ("hello", "hello"),
]


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as connection:
        yield connection


@pytest.mark.parametrize(("text", "words"), CASES)
def test_durations_in_chinese_words(con, text, words):
    assert duration_words(text, "zh") == words
    assert con.execute(f"SELECT {duration_words_sql(string(text), 'zh')}").fetchone()[0] == words
    assert duration_words(text, "en") == text


@given(days=st.integers(0, 400), seconds=st.integers(0, 86399), micros=st.sampled_from([0, 500000, 250]))
def test_sql_and_python_agree_on_every_interval(con, days, seconds, micros):
    interval = timedelta(days=days, seconds=seconds, microseconds=micros)
    text, words = con.execute(f"SELECT CAST(?::INTERVAL AS VARCHAR), {duration_words_sql('?::INTERVAL', 'zh')}",
                              [interval, interval]).fetchone()
    assert words == duration_words(text, "zh")


def test_parameters_in_words():
    from clausewise.model import Duration

    assert parameter_words(Duration.parse("3 working days"), "zh") == "3 个工作日"
    assert parameter_words({"P1": "4h", "P2": "hotline"}, "zh") == "P1: 4 小时, P2: hotline"
    assert parameter_words(["hotline", "online"], "zh") == "hotline, online"
    assert parameter_words(Duration.parse("24h"), "en") == "24h"


def test_chinese_messages_have_no_english_durations(root):
    result = clausewise.audit(clausewise.load("policies/example.yaml"), "examples/example-export",
                              as_of=datetime(2026, 11, 1, 9), lang="zh")
    with result:
        clock = next(f for f in result.findings if f.rule == "inquiry-reply-clock")
    # Q-002 was due by 2026-10-13 09:00 and answered at 10:01 the next day: 1 day 1 hour 1 minute after receipt.
    assert clock.message == "咨询 Q-002 应于 2026-10-13 09:00:00 前答复（时限 24 小时），已用时 1 天 1 小时 1 分钟"
    # The evidence keeps DuckDB's own text, for programs.
    assert clock.evidence["elapsed"] == "1 day 01:01:00"
