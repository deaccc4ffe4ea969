#!/usr/bin/env python3
"""Generate a sample monthly export for the ops-support policy pack.

    python samples/ops-support/generate.py --month 2026-10 --out DIR --rows 300 --seed 7

writes the 13 datasets of the export contract for one month (``staff.xlsx``,
the others as CSV), ``export.yaml`` (``period: 2026-10``, which makes the audit
judge the export as of the end of the month) and ``expected-findings.json``.

The data is built clean first: every record complies with every rule of the
pack at its default parameters, including open items at the end of the month.
Then a fixed list of violations is injected, each into its own record, together
with the finding(s) it must produce; ``expected-findings.json`` is that list, as
``{rule, key | group, status, carried}``. ``--no-violations`` skips the
injection (and the items carried between months, below).

Size. ``--rows N`` is the size of the largest dataset, the inquiries; the
others follow it: applications 2/3 N, follow-ups one per completed application
(about 0.45 N), problems N/3, risks N/5 (at least 16), collaborations N/10 (at
least 12). The staff roster grows slowly and stops: N/5 people, at least 20 and
at most 500, so that ``staff.xlsx`` stays small; appraisals (about 4 per person),
appraisal results (1 per person) and trainings (about 1.4 per person) follow the
roster. Backups are 8 a day, meetings about 6 and data reports 1 a month,
whatever N. The injected violations add about 60 records.

How. The large datasets are built column by column with numpy, from
counter-based random streams (SplitMix64 of the seed, the month, a stream name
and the row number), so a column's values depend on nothing else and the output
depends only on the arguments. Working time runs on a table of the days of the
mainland China calendar (public holidays and make-up working days from the
``holidays`` package) with the working seconds before each day: adding working
time to a million instants is one lookup and one binary search. The roster-sized
datasets and the injected violations are a few hundred records in plain Python.
DuckDB formats the columns and writes each CSV with ``COPY``.

Deadlines. Every clock of the pack is in the table ``DEADLINES`` below, with the
reading the pack's parameter states: goals in hours and minutes are elapsed
time, goals in days are day-counted like a statute (the start day not counted,
the period ending at 24:00 of its last day, or at the close of business, 18:00,
of its last working day), and ``7 days elapsed`` is 7 × 24 hours. The data is
built to hold under both readings of a goal in days, the hour reading (N working
days as N × 9 working hours from the start) and the day-counted one:
the day-counted reading never ends earlier, so a clean clock stops within 2/3
of its allowed time under the hour reading (for a goal of 3 working days, more
than a working day before it ends; for one of a working day, a third of it),
and each injected late stop is at least one working day (one day for calendar
days) past the end of the day-counted period; early warnings are placed where
both readings give 80 % to 100 %. ``Goal.ends`` gives the end under both
readings; ``within`` (clean stops), ``late`` (injected late stops, checked
against both ends) and ``warning_start`` (checked to warn under both) are the
only deadline arithmetic, so a changed parameter or reading is an edit there.
Monthly obligations (an appraisal and a training per person, two meetings, a
data report) are met for the export's own month; the records carried over from
the month before bring none.

Months. Keys carry their month (``ZX2610-0000123``), so records of two months
never share one; the roster of long-serving staff (``E001`` …) is the same every
month. A month carries a few items over from the month before, with the keys
they had there: an inquiry still unanswered (now answered late), a P4 problem
still open and now overdue, an application still in review (now reviewed late),
a risk whose key risk indicator still breaches, a P2 problem that was an early
warning (now resolved in time). Staff records keep their defects (a missing
written test, a level off track, …) from month to month. A finding marked
``"carried": true`` is also expected in the previous month's export generated
with the same ``--rows`` and ``--seed``; the others are not. So comparing two
consecutive months gives: persisting = the carried findings of the later month;
new = the rest of it; resolved = the earlier month's findings that do not persist.

Dependencies: the standard library, ``numpy``, ``duckdb``, ``holidays``, and
``openpyxl`` to write the one XLSX file (python-calamine, which clausewise reads
XLSX with, cannot write). duckdb and holidays are clausewise's own
dependencies; numpy and openpyxl are this script's (``pip install
clausewise[samples]``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import duckdb
import holidays
import numpy as np

H = 3600  # seconds in an hour
DAY = 86400  # seconds in a calendar day
WORK_START, WORK_LEN = 9 * H, 9 * H  # working hours 09:00-18:00: a working day is 9 hours
NA = np.iinfo(np.int64).min  # a missing instant, number or key in a column
EPOCH = datetime(1970, 1, 1)  # instants are naive local seconds since then


# ---- the pack's deadlines ----------------------------------------------------------------
@dataclass(frozen=True)
class Goal:
    """A time limit of the pack, as its parameter is written ("3 working days", "24h")."""

    amount: int
    unit: str  # minutes, hours, days, working days, months
    counted: bool = True  # days counted as days (the pack's reading); False: "elapsed", N × 24 hours

    @property
    def working(self) -> bool:
        return self.unit == "working days"

    @property
    def seconds(self) -> int:
        """The allowed time under the hour reading: working seconds for working days, else calendar."""
        per = {"minutes": 60, "hours": H, "days": DAY, "working days": WORK_LEN}[self.unit]
        return self.amount * per

    def ends(self, cal: Calendar, start: datetime) -> tuple[datetime, datetime]:
        """The end of the period under both readings: (N × hours from the start, day-counted).

        Day-counted: the start day is not counted and the period ends at 24:00 of
        its last day (the N-th day after the start day), or at the close of
        business of the N-th working day after it. Goals in minutes and hours,
        and days written "elapsed", are read one way only.
        """
        if self.unit in ("minutes", "hours") or not self.counted:
            end = start + timedelta(seconds=self.seconds)
            return end, end
        if self.unit == "days":
            return start + timedelta(days=self.amount), datetime.combine(start.date() + timedelta(days=self.amount + 1), time())
        day = cal.working_day_after(start.date(), self.amount)
        return cal.add1(start, self.seconds), datetime.combine(day, time()) + timedelta(seconds=WORK_START + WORK_LEN)


# The parameters of policies/ops-support.yaml at their defaults (months are not days), each with
# the reading its parameter states: hours elapsed, days counted as days unless written "elapsed".
DEADLINES = {
    "inquiry_reply": Goal(24, "hours"),
    "correction_notice": Goal(1, "working days"),
    "review": Goal(3, "working days"),
    "rejection_notice": Goal(1, "working days"),
    "completion_notice": Goal(1, "working days"),
    "followup_window": Goal(7, "days", counted=False),  # "7 days elapsed": a reference window
    "issue_resolution": Goal(3, "working days"),
    "problem_report": Goal(2, "hours"),
    "interim_measure": Goal(30, "minutes"),
    "escalation": Goal(1, "hours"),
    "assessment": Goal(4, "hours"),
    "resolution_P1": Goal(4, "hours"),
    "resolution_P2": Goal(24, "hours"),
    "resolution_P3": Goal(3, "working days"),
    "resolution_P4": Goal(10, "working days"),
    "data_report": Goal(5, "working days"),
    "onboarding": Goal(30, "days"),
    "training_evaluation": Goal(14, "days"),
    "career_plan": Goal(90, "days"),
    "collaboration_evaluation": Goal(3, "working days"),
    "risk_review_high": Goal(30, "days"),
    "risk_review_medium": Goal(90, "days"),
    "risk_review_low": Goal(180, "days"),
    "backup_gap": Goal(24, "hours"),
}
CLEAN = 2 / 3  # a clean clock stops within this fraction of its allowed time (hour reading)
CAREER_REVIEW_MONTHS = 12  # career_plan_review_every: clean reviews are at most 11 months old


def within(w: World, r: Streams, name: str, start: np.ndarray, goal: str, low: float, high: float) -> np.ndarray:
    """Clean stops: ``start`` plus a random fraction in [low, high] of the goal's allowed time."""
    g = DEADLINES[goal]
    assert high <= CLEAN, f"{goal}: a clean stop must stay within {CLEAN:.0%} of its time"
    spent = r.uniform(name, len(start), low, high) * g.seconds
    return minute(w.cal.add(start, spent) if g.working else start + spent.astype(np.int64))


def late(w: World, start: datetime, goal: str, extra_hours: float = 0.0) -> datetime:
    """A stop past the end of ``goal`` under both readings, by a day (a working day) or half the goal."""
    g = DEADLINES[goal]
    if g.unit in ("minutes", "hours"):
        return _minute(start + timedelta(seconds=g.seconds * 1.5 + extra_hours * H))
    _, counted = g.ends(w.cal, start)
    if g.working:
        stop = w.cal.add1(start, (g.amount + 2) * WORK_LEN + extra_hours * H)
        past = w.cal.position(np.array([secs(stop)]))[0] - w.cal.position(np.array([secs(counted)]))[0]
        assert past >= WORK_LEN, goal  # a working day past the day-counted end
    else:
        stop = start + timedelta(days=g.amount + 2, hours=extra_hours)
        assert stop - counted >= timedelta(days=1), goal
    return _minute(stop)


def warning_start(w: World, goal: str, used: float) -> datetime:
    """A start from which, at the as-of time, ``used`` of the goal has gone under the hour reading."""
    g = DEADLINES[goal]
    assert not g.working, "a working-day clock warns under one reading only at the end of a month"
    start = _minute(w.as_of_dt - timedelta(seconds=g.seconds * used))
    strict, counted = g.ends(w.cal, start)
    for end in (strict, counted):  # 80 % to 100 % under both readings
        fraction = (w.as_of_dt - start) / (end - start)
        assert 0.82 <= fraction < 0.97, (goal, fraction)
    return start


# ---- randomness ------------------------------------------------------------------------------
class Streams:
    """Independent pseudo-random streams, one per name, for a scope (seed, month, purpose).

    Counter-based: value i of a stream is SplitMix64 of (its key + i), so it depends
    only on the scope, the name and i, never on what was drawn before.
    """

    def __init__(self, scope: str):
        self.scope = scope

    def sub(self, name: str) -> Streams:
        return Streams(f"{self.scope}/{name}")

    def _bits(self, name: str, n: int) -> np.ndarray:
        key = int.from_bytes(hashlib.blake2b(f"{self.scope}/{name}".encode(), digest_size=8).digest(), "little")
        x = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(key)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))

    def uniform(self, name: str, n: int, low: float = 0.0, high: float = 1.0) -> np.ndarray:
        u = (self._bits(name, n) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
        return low + (high - low) * u

    def integers(self, name: str, n: int, low: int, high: int) -> np.ndarray:
        """Integers in [low, high], both included."""
        return low + np.floor(self.uniform(name, n) * (high - low + 1)).astype(np.int64)

    def chance(self, name: str, n: int, p: float) -> np.ndarray:
        return self.uniform(name, n) < p

    def choice(self, name: str, n: int, weights: list[float]) -> np.ndarray:
        """Codes 0 … len(weights) - 1, drawn with these weights."""
        cum = np.cumsum(weights, dtype=np.float64)
        return np.searchsorted(cum / cum[-1], self.uniform(name, n), side="right").astype(np.int64)


def scalar_rng(scope: str) -> random.Random:
    return random.Random(scope)  # a str seed is hashed with SHA-512: the same on every Python


# ---- instants --------------------------------------------------------------------------------
def secs(value: datetime | date) -> int:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return int((value - EPOCH).total_seconds())


def moment_of(value: int) -> datetime:
    return EPOCH + timedelta(seconds=int(value))


def minute(t: np.ndarray) -> np.ndarray:
    return t - t % 60


def _minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, 28))


class Calendar:
    """Working time on the mainland China calendar, as clausewise counts it (docs/time.md), per day.

    ``cum[i]`` is the working time before day ``i`` (days from ``first``), so the
    working position of an instant is one lookup, and the instant at a working
    position one binary search: vectorised over numpy arrays of seconds.
    """

    def __init__(self, first: date, last: date):
        source = holidays.country_holidays("CN", years=range(first.year, last.year + 1))
        n = (last - first).days + 1
        days = [first + timedelta(days=i) for i in range(n)]
        self.day0 = (first - EPOCH.date()).days
        self.working = np.array([(d.weekday() < 5 and d not in source) or d in source.weekend_workdays for d in days])
        self.cum = np.concatenate([[0], np.cumsum(self.working * WORK_LEN)]).astype(np.int64)
        self.wdays = np.flatnonzero(self.working).astype(np.int64) + self.day0  # working days, days since 1970

    def position(self, t: np.ndarray) -> np.ndarray:
        i = t // DAY - self.day0
        inside = np.clip(t % DAY - WORK_START, 0, WORK_LEN) * self.working[i]
        return self.cum[i] + inside

    def instant(self, w: np.ndarray) -> np.ndarray:
        """The first instant at which working position ``w`` is reached (18:00 rather than 09:00 next day)."""
        i = np.searchsorted(self.cum[1:], w, side="left")
        return (self.day0 + i) * DAY + WORK_START + (w - self.cum[i])

    def add(self, t: np.ndarray, seconds: np.ndarray | float) -> np.ndarray:
        """The instants at which ``seconds`` of working time have passed since ``t``."""
        return self.instant(self.position(t) + np.asarray(seconds, dtype=np.float64).astype(np.int64))

    def add1(self, t: datetime, seconds: float) -> datetime:
        return moment_of(self.add(np.array([secs(t)]), seconds)[0])

    def subtract1(self, t: datetime, seconds: float) -> datetime:
        return moment_of(self.instant(self.position(np.array([secs(t)])) - int(seconds))[0])

    def working_day_after(self, day: date, count: int) -> date:
        """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
        number = (day - EPOCH.date()).days
        return EPOCH.date() + timedelta(days=int(self.wdays[np.searchsorted(self.wdays, number, side="right") + count - 1]))

    def between(self, first: int, last: int) -> np.ndarray:
        """Working days (days since 1970) in [first, last]."""
        return self.wdays[(self.wdays >= first) & (self.wdays <= last)]


# ---- words ------------------------------------------------------------------------------------
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞斌宇浩凯健俊帆晨曦欣怡佳琪子涵雨轩梓萱博文思远嘉怡"
SEGMENTS = ["政企业务", "家庭业务", "个人业务", "渠道支撑", "国际业务", "数字服务"]
CHANNELS = ["hotline", "online", "email"]
SOURCES = ["system", "manual", "interface"]
INQUIRY_SUBJECTS = [
    "宽带故障报修进度", "套餐资费变更", "账单金额异议", "发票开具", "携号转网条件", "国际漫游开通",
    "积分兑换规则", "实名认证失败", "合约到期续约", "副卡办理", "5G套餐升级", "停机保号", "营业厅预约",
    "企业专线报价", "物联网卡批量开通", "话费充值未到账", "流量包叠加", "密码重置", "光猫更换", "云盘扩容",
]
BUSINESS_TYPES = ["企业专线开通", "宽带新装", "号码过户", "套餐变更", "发票抬头变更", "集团短信开通", "IDC机位租用", "物联网卡开户"]
REJECTION_REASONS = ["身份证明与申请人不符", "企业营业执照已过期", "申请地址不在覆盖范围", "欠费未结清", "申请资料存在涂改"]
PRECHECK = ["pass", "needs_correction"]
COMPLEXITY = ["standard", "complex"]
REVIEW = ["approved", "rejected"]
PROBLEMS = [
    "计费系统批量出账延迟", "工单系统派单失败", "客服热线排队超时", "CRM客户资料同步异常", "短信通知发送失败",
    "报表平台数据缺失", "外部接口返回超时", "网上营业厅支付回调失败", "数据仓库夜间任务中断", "知识库检索无结果",
]
ROOT_CAUSES = ["配置变更未同步", "数据库连接池耗尽", "第三方接口变更未通知", "磁盘空间写满", "定时任务参数错误", "证书过期"]
PLANS = ["回滚配置并补发数据", "扩容连接池并优化查询", "与对方确认接口并发布适配", "清理日志并扩容磁盘", "修正参数并重跑任务", "更换证书并增加到期提醒"]
LESSONS = ["变更需同步通知相关系统", "容量监控阈值偏高", "外部接口缺少契约测试", "缺少磁盘告警", "任务参数缺少复核", "证书缺少到期监控"]
PREVENTIVE = ["纳入变更评审清单", "调整监控阈值并演练", "建立接口契约测试", "增加磁盘容量告警", "任务参数双人复核", "建立证书台账与提醒"]
SCOPES = ["individual", "team", "department", "company", "customer"]
SEVERITIES = ["critical", "high", "medium", "low"]
PRIORITIES = ["P1", "P2", "P3", "P4"]
STATUSES = ["open", "assessing", "resolving", "resolved", "closed"]
OURS = "运营支撑部"
DEPARTMENTS = ["市场部", "财务部", "人力资源部", "信息技术部", "客户服务部", "法务部", "网络部", OURS]
COLLAB_ITEMS = ["双十一活动数据提取", "客户投诉数据共享", "年度预算数据核对", "新员工系统权限开通", "合同模板法律审核", "网络割接通知配合", "账单系统升级联调", "满意度调研联合执行"]
COLLAB_GOALS = ["评估活动效果", "降低重复投诉", "完成预算编制", "按时到岗上手", "降低合同风险", "减少客户影响", "保证出账准确", "提升服务质量"]
DECISIONS = ["agreed", "declined"]
SUMMARIES = ["按期交付，双方验收通过", "目标达成，流程可复用", "提前完成，已归档经验", "基本达成，后续持续优化"]
RISK_CATEGORIES = ["business", "technical", "personnel", "management"]
RISK_SOURCES = ["data_analysis", "case_analysis", "internal_audit", "other"]
GRADES = ["high", "medium", "low"]
STRATEGIES = ["avoid", "reduce", "transfer", "accept"]
CONTROLS = ["建立双人复核机制", "部署主备切换", "每月演练恢复流程", "关键岗位AB角", "完善操作规程", "增加监控告警"]
INSTRUMENTS = ["财产一切险保单", "与供应商签订免责协议", "外包服务合同风险条款", "网络安全保险"]
SYSTEMS = ["CRM系统", "计费系统", "工单系统", "数据仓库"]

# ---- grades, as the policy computes them ------------------------------------------------------
DIMENSIONS = {"performance": Fraction(60, 100), "ability": Fraction(25, 100), "attitude": Fraction(15, 100)}
EVALUATORS = {"superior": Fraction(50, 100), "peer": Fraction(30, 100), "self": Fraction(20, 100)}
APPRAISAL_BANDS = {"excellent": 90, "good": 80, "qualified": 60, "unqualified": 0}
RISK_BANDS = {"high": 15, "medium": 8, "low": 1}
WIDE_SCOPES = (3, 4)  # company, customer
# priority_table of the policy: severity × (scope wide?) → priority code
PRIORITY = np.array([[0, 0], [1, 0], [2, 1], [3, 3]])


def weighted_score(rows: list[dict]) -> Fraction:
    """Σ evaluator weight × average over that evaluator type of Σ dimension weight × score."""
    by_type: dict[str, list[Fraction]] = {}
    for r in rows:
        by_type.setdefault(r["evaluator_type"], []).append(sum(w * Fraction(r[d]) for d, w in DIMENSIONS.items()))
    return sum(EVALUATORS[t] * sum(v) / len(v) for t, v in by_type.items())


def band(value: float, bands: dict[str, float]) -> str:
    return next(name for name, low in sorted(bands.items(), key=lambda kv: -kv[1]) if value >= low)


# ---- the datasets' columns and how they are written -------------------------------------------
# A column of a large dataset is a numpy array: instants and dates as int64
# seconds (NA when missing), booleans as int8 (1, 0, -1 for missing), words as
# codes into a list (-1 for missing), keys as month × 10^8 + serial. The small
# datasets hold Python values (datetime, date, bool, str, None) per record.
KEY, TS, DATE, BOOL, INT, NUM, STAFF, CUSTOMER, CONTACT, AGREEMENT = (
    "key", "ts", "date", "bool", "int", "num", "staff", "customer", "contact", "agreement")
DATASETS: dict[str, list[tuple]] = {
    "staff": [("employee_id",), ("name",), ("role",), ("track",), ("level",), ("segment",), ("supervisor_id",),
              ("hired_at",), ("left_at",), ("onboarding_trained_at",), ("career_plan_at",),
              ("career_plan_reviewed_at",), ("hire_screened",), ("hire_written_test",), ("hire_interviewed",)],
    "inquiries": [("inquiry_id", KEY, "ZX"), ("channel", CHANNELS), ("received_at", TS), ("customer_id", CUSTOMER),
                  ("subject", INQUIRY_SUBJECTS), ("answered_on_spot", BOOL), ("customer_contact", CONTACT),
                  ("replied_at", TS), ("agent_id", STAFF), ("source", SOURCES)],
    "applications": [("application_id", KEY, "SQ"), ("customer_id", CUSTOMER), ("business_type", BUSINESS_TYPES),
                     ("submitted_at", TS), ("has_application_form", BOOL), ("has_id_proof", BOOL),
                     ("has_supporting_docs", BOOL), ("precheck_at", TS), ("precheck_result", PRECHECK),
                     ("correction_notified_at", TS), ("correction_received_at", TS), ("entered_at", TS),
                     ("assigned_to", STAFF), ("assigned_at", TS), ("entered_by", STAFF), ("complexity", COMPLEXITY),
                     ("has_doubts", BOOL), ("reviewed_at", TS), ("reviewer_id", STAFF), ("review_result", REVIEW),
                     ("joint_reviewers", INT), ("rejection_reason", REJECTION_REASONS), ("rejection_notified_at", TS),
                     ("completed_at", TS), ("result_confirmed", BOOL), ("customer_notified_at", TS)],
    "followups": [("followup_id", KEY, "HF"), ("application_id", KEY, "SQ"), ("visited_at", TS), ("satisfaction", INT),
                  ("issue_raised", BOOL), ("issue_resolved_at", TS), ("result_reported_at", TS), ("agent_id", STAFF)],
    "problems": [("problem_id", KEY, "WT"), ("discovered_at", TS), ("occurred_at", TS), ("reported_at", TS),
                 ("reporter_id", STAFF), ("description", PROBLEMS), ("impact_scope", SCOPES), ("severity", SEVERITIES),
                 ("urgent", BOOL), ("interim_measure_at", TS), ("escalated_at", TS), ("assessed_at", TS),
                 ("priority", PRIORITIES), ("owner_id", STAFF), ("root_cause", ROOT_CAUSES), ("solution_plan", PLANS),
                 ("resolved_at", TS), ("resolver_id", STAFF), ("verified_at", TS), ("verifier_id", STAFF),
                 ("closed_at", TS), ("status", STATUSES), ("lessons_learned", LESSONS),
                 ("preventive_measures", PREVENTIVE)],
    "data_reports": [("report_id",), ("period",), ("author_id",), ("submitted_at",), ("has_purpose",), ("has_method",),
                     ("has_results",), ("has_recommendations",), ("recipients",)],
    "backups": [("backup_id",), ("system",), ("started_at",), ("finished_at",), ("encrypted",), ("verified",)],
    "appraisals": [("appraisal_id",), ("employee_id",), ("cycle",), ("period",), ("evaluator_type",), ("evaluator_id",),
                   ("performance",), ("ability",), ("attitude",)],
    "appraisal_results": [("result_id",), ("employee_id",), ("cycle",), ("period",), ("recorded_score",),
                          ("recorded_grade",), ("action",), ("action_recorded_at",)],
    "trainings": [("training_id",), ("employee_id",), ("kind",), ("held_at",), ("evaluated_at",), ("evaluation_score",)],
    "meetings": [("meeting_id",), ("kind",), ("held_at",), ("minutes_recorded",)],
    "collaborations": [("request_id", KEY, "XZ"), ("from_dept", DEPARTMENTS), ("to_dept", DEPARTMENTS),
                       ("item", COLLAB_ITEMS), ("goal", COLLAB_GOALS), ("required_by", DATE), ("submitted_at", TS),
                       ("evaluated_at", TS), ("decision", DECISIONS), ("plan_at", TS), ("completed_at", TS),
                       ("accepted_at", TS), ("summary", SUMMARIES), ("agreement_ref", AGREEMENT)],
    "risks": [("risk_id", KEY, "FX"), ("category", RISK_CATEGORIES), ("source", RISK_SOURCES), ("identified_at", TS),
              ("likelihood", INT), ("impact", INT), ("recorded_grade", GRADES), ("controllable", BOOL),
              ("strategy", STRATEGIES), ("owner_id", STAFF), ("control_measures", CONTROLS),
              ("transfer_instrument", INSTRUMENTS), ("last_reviewed_at", TS), ("kri_value", NUM),
              ("kri_threshold", INT)],
}
LARGE = [name for name, columns in DATASETS.items() if len(columns[0]) > 1]
KEYS = {name: columns[0][0] for name, columns in DATASETS.items()}
XLSX = "staff"  # the HR roster comes out of Excel
BOM = ("problems",)  # written by Excel "CSV UTF-8": with a byte-order mark
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
SERIAL = 10 ** 8  # a key is month (YYMM) × SERIAL + serial


@dataclass
class Part:
    """Some records of a large dataset, column-wise, with cells to write as given text instead."""

    cols: dict[str, np.ndarray]
    keep: np.ndarray | None = None
    text: dict[str, dict[int, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(next(iter(self.cols.values())))

    def kept(self) -> np.ndarray:
        return np.ones(len(self), bool) if self.keep is None else self.keep


def full(n: int, value: Any, dtype=np.int64) -> np.ndarray:
    return np.full(n, value, dtype=dtype)


def flag(values: np.ndarray) -> np.ndarray:
    return values.astype(np.int8)


def key_text(dataset: str, number: int) -> str:
    prefix = dict((c[0], c[2]) for c in DATASETS[dataset] if len(c) > 2 and c[1] == KEY)[KEYS[dataset]]
    return f"{prefix}{number // SERIAL}-{number % SERIAL:07d}"


# ---- the world ----------------------------------------------------------------------------------
@dataclass
class Expected:
    findings: list[dict[str, Any]] = field(default_factory=list)

    def add(self, rule: str, key: str | None = None, group: dict | None = None, status: str = "violation",
            carried: bool = False) -> None:
        # A rule judged per month (per: month) names both the record and the month.
        where = {**({"key": key} if key is not None or group is None else {}),
                 **({"group": group} if group is not None else {})}
        self.findings.append({"rule": rule, **where, "status": status, "carried": carried})


def bulk_sizes(rows: int) -> dict[str, int]:
    """Records of each large dataset built clean (follow-ups: one per completed application)."""
    return {"inquiries": rows, "applications": rows * 2 // 3, "problems": rows // 3,
            "collaborations": max(12, rows // 10), "risks": max(16, rows // 5)}


def staff_size(rows: int) -> int:
    return max(20, min(rows // 5, 500))


class World:
    """One month of the department: the records of its export, built dataset by dataset."""

    def __init__(self, month: str, rows: int, seed: int, as_of: datetime | None = None):
        self.month, self.rows, self.seed = month, rows, seed
        year, mon = (int(p) for p in month.split("-"))
        self.yymm = (year % 100) * 100 + mon
        self.start_dt = datetime(year, mon, 1)
        self.end_dt = datetime(year + (mon == 12), mon % 12 + 1, 1)
        self.as_of_dt = as_of or self.end_dt
        self.start, self.end, self.as_of = secs(self.start_dt), secs(self.end_dt), secs(self.as_of_dt)
        self.cal = calendar_for(year)
        self.days = self.cal.between(self.start // DAY, self.end // DAY - 1)  # the month's working days
        self.day_dates = [EPOCH.date() + timedelta(days=int(d)) for d in self.days]
        self.rand = Streams(f"{seed}/{month}")
        self.rng = scalar_rng(f"{seed}/{month}/records")
        self.small: dict[str, list[dict[str, Any]]] = {name: [] for name in DATASETS if name not in LARGE}
        self.large: dict[str, list[Part]] = {name: [] for name in LARGE}
        self.expected = Expected()
        self.used: dict[str, set[int | str]] = {name: set() for name in DATASETS}  # rows or keys injections took
        self.serials = {name: 0 for name in DATASETS}
        # Set by build() and generate():
        self.roster: Roster | None = None
        self.actors = self.long_serving = np.zeros(0, dtype=np.int64)  # staff indices acting in records
        self.defects: dict[str, dict] = {}  # the staff records injections give a defect

    # -- helpers ------------------------------------------------------------------------------
    def key(self, dataset: str, number: int) -> str:
        return key_text(dataset, number)

    def add(self, dataset: str, cols: dict[str, np.ndarray]) -> Part:
        """Append records to a large dataset, giving them the next keys of the month."""
        n = len(next(iter(cols.values())))
        cols[KEYS[dataset]] = self.yymm * SERIAL + self.serials[dataset] + 1 + np.arange(n, dtype=np.int64)
        self.serials[dataset] += n
        part = Part(cols)
        self.large[dataset].append(part)
        return part

    def bulk(self, dataset: str) -> Part:
        return self.large[dataset][0]

    def pick(self, dataset: str, test: np.ndarray | None = None) -> int:
        """A row of the clean records of ``dataset`` that no injection has used yet."""
        part = self.bulk(dataset)
        ok = part.kept() if test is None else test & part.kept()
        candidates = np.flatnonzero(ok)
        candidates = [int(i) for i in candidates if int(i) not in self.used[dataset]] if len(candidates) < 5000 else candidates
        if len(candidates) == 0:
            raise SystemExit(f"--rows is too small: no {dataset} record left for an injection")
        while True:
            i = int(candidates[self.rng.randrange(len(candidates))])
            if i not in self.used[dataset]:
                self.used[dataset].add(i)
                return i

    def moments(self, r: Streams, name: str, n: int, first: int | None = None, last: int | None = None,
                latest: int = 17 * H + 30 * 60) -> np.ndarray:
        """Random minutes in working hours (09:00 to ``latest``) on working days of the month, or of [first, last]."""
        days = self.days
        if first is not None or last is not None:
            days = days[(days >= (first if first is not None else days[0])) & (days <= (last if last is not None else days[-1]))]
        pick = days[r.integers(name + ".day", n, 0, len(days) - 1)]
        return pick * DAY + WORK_START + r.integers(name + ".minute", n, 0, (latest - WORK_START) // 60) * 60

    def moments_between(self, r: Streams, name: str, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """A random working minute on a working day in [first, last] (days since 1970), per row; NA if none."""
        lo = np.searchsorted(self.cal.wdays, first, side="left")
        hi = np.searchsorted(self.cal.wdays, last, side="right")
        idx = lo + np.floor(r.uniform(name + ".day", len(first)) * (hi - lo)).astype(np.int64)
        day = self.cal.wdays[np.minimum(idx, len(self.cal.wdays) - 1)]
        t = day * DAY + WORK_START + r.integers(name + ".minute", len(first), 0, 510) * 60
        return np.where(hi > lo, t, NA)

    def later(self, r: Streams, name: str, start: np.ndarray, low_h: float, high_h: float) -> np.ndarray:
        """``start`` plus a random amount of working time, to the minute."""
        return minute(self.cal.add(start, r.uniform(name, len(start), low_h, high_h) * H))

    def after(self, r: Streams, name: str, start: np.ndarray, low_h: float, high_h: float) -> np.ndarray:
        """``start`` plus a random amount of calendar time, to the minute."""
        return minute(start + (r.uniform(name, len(start), low_h, high_h) * H).astype(np.int64))

    def cut(self, values: np.ndarray, dropped: np.ndarray) -> np.ndarray:
        return np.where(dropped, NA if values.dtype == np.int64 else -1, values)

    # python-side helpers for the roster-sized datasets
    def moment(self, rng: random.Random, first: date | None = None, last: date | None = None, latest: time = time(17, 30)) -> datetime:
        days = [d for d in self.day_dates if (first is None or d >= first) and (last is None or d <= last)]
        day = rng.choice(days)
        span = (datetime.combine(day, latest) - datetime.combine(day, time(9))).seconds // 60
        return datetime.combine(day, time(9)) + timedelta(minutes=rng.randint(0, span))

    def later1(self, rng: random.Random, start: datetime, low_h: float, high_h: float) -> datetime:
        return _minute(self.cal.add1(start, rng.uniform(low_h, high_h) * H))

    def before_as_of(self, value: datetime | None) -> datetime | None:
        return value if value is not None and value < self.as_of_dt else None


_CALENDARS: dict[int, Calendar] = {}


def calendar_for(year: int) -> Calendar:
    if year not in _CALENDARS:
        _CALENDARS[year] = Calendar(date(year - 2, 1, 1), date(year + 1, 12, 31))
    return _CALENDARS[year]


# ---- staff (the roster, in Python: at most 500 people) -------------------------------------------
class Roster:
    """The staff: long-serving people the same every month (ids E001 …), and the month's movements."""

    def __init__(self, w: World):
        self.w = w
        base = scalar_rng(f"{w.seed}/roster")
        monthly = scalar_rng(f"{w.seed}/{w.month}/roster")
        size = staff_size(w.rows)
        self.segments = SEGMENTS[: max(3, min(len(SEGMENTS), size // 12))]
        self.records: list[dict] = []
        self.manager = self._employee(base, monthly, "E001", "manager", None, None)
        self.supervisors = {s: self._employee(base, monthly, f"E{2 + i:03d}", "supervisor", s, "E001")
                            for i, s in enumerate(self.segments)}
        for index in range(size - 1 - len(self.segments)):
            segment = self.segments[index % len(self.segments)]
            self._employee(base, monthly, f"E{2 + len(self.segments) + index:03d}", "specialist", segment,
                           self.supervisors[segment]["employee_id"])
        self.long_serving = [r for r in self.records if r["role"] == "specialist"]
        # The month's movements: a hire last month, two hires this month, a leaver.
        start = w.start_dt.date()
        self.hire(monthly, self.segments[0], start - timedelta(days=17))
        self.new_hires = [self.hire(monthly, self.segments[1], w.day_dates[len(w.day_dates) // 3]),
                          self.hire(monthly, self.segments[2], w.day_dates[len(w.day_dates) * 2 // 3])]
        leaver = self.hire(monthly, self.segments[0], _old_hire(monthly, w.start_dt))
        leaver["left_at"] = w.day_dates[len(w.day_dates) // 2]
        self.all_month = [r for r in self.records if r["hired_at"] <= start and r["left_at"] is None]
        self.specialists = [r for r in self.all_month if r["role"] == "specialist"]
        self.ids = [r["employee_id"] for r in self.records]
        self.index = {e: i for i, e in enumerate(self.ids)}

    def hire(self, rng: random.Random, segment: str, day: date) -> dict:
        number = sum(1 for r in self.records if "-" in r["employee_id"]) + 1
        boss = self.supervisors[segment]["employee_id"]
        return self._employee(rng, rng, f"E{self.w.yymm}-{number}", "specialist", segment, boss, hired=day)

    def _employee(self, base: random.Random, monthly: random.Random, employee_id: str, role: str,
                  segment: str | None, boss: str | None, hired: date | None = None) -> dict:
        track = "management" if role != "specialist" or base.random() < 0.45 else "technical"
        level = role if track == "management" else base.choice(["junior", "intermediate", "senior", "expert"])
        name = base.choice(SURNAMES) + "".join(base.choice(GIVEN) for _ in range(base.choice((1, 2))))
        hired = hired or _old_hire(base, self.w.start_dt)
        trained = hired + timedelta(days=base.randint(2, 18))  # onboarding: within 18 of 30 days
        plan = hired + timedelta(days=base.randint(20, 60))  # career plan: within 60 of 90 days
        as_of = self.w.as_of_dt.date()
        record = {
            "employee_id": employee_id, "name": name, "role": role, "track": track, "level": level,
            "segment": segment, "supervisor_id": boss, "hired_at": hired, "left_at": None,
            "onboarding_trained_at": trained if trained < as_of else None,
            "career_plan_at": plan if plan < as_of else None, "career_plan_reviewed_at": None,
            "hire_screened": True, "hire_written_test": True, "hire_interviewed": True,
        }
        # Reviewed within the last 11 of the 12 months; a plan younger than that awaits its first review.
        low = _months_before(as_of, CAREER_REVIEW_MONTHS - 1)
        if plan < low:
            record["career_plan_reviewed_at"] = max(plan, low) + timedelta(days=monthly.randint(0, (as_of - low).days - 3))
        self.records.append(record)
        return record


def _old_hire(rng: random.Random, start: datetime) -> date:
    return date(start.year - rng.randint(1, 9), rng.randint(1, 12), rng.randint(1, 28))


def build_trainings(w: World, roster: Roster) -> None:
    rng = scalar_rng(f"{w.seed}/{w.month}/trainings")
    kinds = ["skills", "skills", "management", "external"]
    for person in roster.specialists + list(roster.supervisors.values()):
        count = rng.choice((1, 1, 2)) if person["role"] == "specialist" else rng.choice((0, 1))
        for _ in range(count):
            training(w, rng, person["employee_id"], rng.choice(kinds), w.moment(rng, latest=time(16)))
    for hire in roster.new_hires:
        if hire["onboarding_trained_at"] is not None:
            training(w, rng, hire["employee_id"], "onboarding", datetime.combine(hire["onboarding_trained_at"], time(9, 30)))


def training(w: World, rng: random.Random, employee: str, kind: str, held: datetime, evaluated: datetime | None = None) -> dict:
    # Evaluated within 9 of the 14 days allowed; a later evaluation is left open.
    if evaluated is None:
        evaluated = w.later1(rng, held, 4, 4 * WORK_LEN / H)
        if evaluated > held + timedelta(days=9):
            evaluated = _minute(held + timedelta(days=rng.uniform(1, 9)))
    evaluated = w.before_as_of(evaluated)
    record = {
        "training_id": small_key("PX", w, "trainings"), "employee_id": employee, "kind": kind, "held_at": held,
        "evaluated_at": evaluated, "evaluation_score": rng.randint(70, 98) if evaluated else None,
    }
    w.small["trainings"].append(record)
    return record


def small_key(prefix: str, w: World, dataset: str, width: int = 5) -> str:
    w.serials[dataset] += 1
    return f"{prefix}{w.yymm}-{w.serials[dataset]:0{width}d}"


def build_appraisals(w: World, roster: Roster) -> None:
    """Monthly appraisal of supervisors and specialists: superior, peers and self."""
    rng = scalar_rng(f"{w.seed}/{w.month}/appraisals")
    staff = [r for r in roster.all_month if r["role"] in ("supervisor", "specialist")]
    weak = {staff[0]["employee_id"], staff[1]["employee_id"]}  # one to act on, one for an injection
    for person in staff:
        quality = 52 if person["employee_id"] in weak else rng.gauss(83, 6)
        appraise(w, rng, roster, person, quality)


def appraise(w: World, rng: random.Random, roster: Roster, person: dict, quality: float) -> None:
    if person["role"] == "supervisor":
        superior = roster.manager["employee_id"]
        peers = [s["employee_id"] for s in roster.supervisors.values() if s is not person]
    else:
        superior = person["supervisor_id"]
        peers = [r["employee_id"] for r in roster.specialists if r["segment"] == person["segment"] and r is not person]
    evaluators = [("superior", superior)] + [("peer", p) for p in rng.sample(peers, min(len(peers), rng.choice((1, 2))))]
    evaluators.append(("self", person["employee_id"]))
    rows = []
    for kind, who in evaluators:
        bias = 4 if kind == "self" else 0
        scores = [max(0, min(100, round(rng.gauss(quality + bias, 4)))) for _ in DIMENSIONS]
        rows.append({"appraisal_id": small_key("KH", w, "appraisals"), "employee_id": person["employee_id"],
                     "cycle": "monthly", "period": w.month, "evaluator_type": kind, "evaluator_id": who,
                     **dict(zip(DIMENSIONS, scores))})
    # Keep the score off the band edges, where DuckDB's doubles and exact fractions could part:
    # one point of self-assessed performance moves it by 0.2 × 0.6 = 0.12.
    total = weighted_score(rows)
    if any(abs(total - edge) < Fraction(1, 20) for edge in (60, 80, 90)):
        rows[-1]["performance"] += 1 if rows[-1]["performance"] < 100 else -1
        total = weighted_score(rows)
    w.small["appraisals"].extend(rows)
    grade = band(total, APPRAISAL_BANDS)
    action, at = "none", None
    if grade == "excellent":
        action, at = rng.choice(["reward", "recognition"]), w.moment(rng, w.day_dates[-3])
    elif grade == "unqualified":
        action, at = "coaching", w.moment(rng, w.day_dates[-3])
    cents = (total * 100).numerator * 2 // (total * 100).denominator  # half up to the cent
    cents = (cents + 1) // 2
    w.small["appraisal_results"].append({
        "result_id": small_key("JG", w, "appraisal_results", 4), "employee_id": person["employee_id"],
        "cycle": "monthly", "period": w.month, "recorded_score": f"{cents // 100}.{cents % 100:02d}",
        "recorded_grade": grade, "action": action, "action_recorded_at": at, "_cents": cents,
    })


# ---- data, backups, meetings (small, in Python) ---------------------------------------------------
def build_report(w: World, roster: Roster) -> None:
    rng = scalar_rng(f"{w.seed}/{w.month}/reports")
    previous = (w.start_dt - timedelta(days=1)).strftime("%Y-%m")
    # Submitted within 3 of its 5 working days (from the end of the period, the start of this month).
    spent = rng.uniform(0.05, 0.6) * DEADLINES["data_report"].seconds
    submitted = _minute(w.cal.add1(w.start_dt, spent))
    w.small["data_reports"].append({
        "report_id": f"SJBG-{previous}", "period": previous, "author_id": next(iter(roster.supervisors.values()))["employee_id"],
        "submitted_at": submitted, "has_purpose": True, "has_method": True, "has_results": True,
        "has_recommendations": True, "recipients": "分管副总经理;市场部;财务部;信息技术部",
    })


def build_backups(w: World) -> None:
    # Twice a day at 02:00 and 14:00: gaps of about 12 of the 24 hours allowed.
    rng = scalar_rng(f"{w.seed}/{w.month}/backups")
    day = w.start_dt.date()
    while day < w.end_dt.date():
        for run, hour in ((1, 2), (2, 14)):
            for number, system in enumerate(SYSTEMS, 1):
                started = datetime.combine(day, time(hour)) + timedelta(minutes=rng.randint(0, 15))
                w.small["backups"].append({
                    "backup_id": f"BK-{day:%Y%m%d}-{run}-{number}", "system": system, "started_at": started,
                    "finished_at": started + timedelta(minutes=rng.randint(10, 50)), "encrypted": True, "verified": True,
                })
        day += timedelta(days=1)


def build_meetings(w: World) -> None:
    # Four regular meetings, about a week apart, on working days: two are required.
    rng = scalar_rng(f"{w.seed}/{w.month}/meetings")
    regular = sorted({w.day_dates[len(w.day_dates) * i // 4] for i in range(4)})
    rows = [{"kind": "department_regular", "held_at": datetime.combine(day, time(9, 30)), "minutes_recorded": True}
            for day in regular]
    rows += [{"kind": "cross_department", "held_at": w.moment(rng, latest=time(16)), "minutes_recorded": rng.random() < 0.8}
             for _ in range(rng.randint(2, 3))]
    for row in sorted(rows, key=lambda r: r["held_at"]):
        w.small["meetings"].append({"meeting_id": small_key("HY", w, "meetings", 3), **row})


# ---- business acceptance (large, column-wise) ------------------------------------------------------
def inquiries(w: World, n: int, r: Streams, actors: np.ndarray, *, received: np.ndarray | None = None,
              on_spot: bool | None = None, replied: np.ndarray | None = None) -> dict[str, np.ndarray]:
    received = w.moments(r, "received", n) if received is None else received
    spot = r.chance("on_spot", n, 0.6) if on_spot is None else full(n, on_spot, bool)
    if replied is None:
        # On the spot: within 8 of the 10 minutes tolerated; otherwise within 2/3 of 24 hours.
        replied = np.where(spot, received + r.integers("spot", n, 0, 8) * 60,
                           within(w, r, "reply", received, "inquiry_reply", 0.02, 0.66))
    has_contact = ~spot | r.chance("contact", n, 0.3)
    phone = (100 + np.array([30, 50, 80, 90])[r.integers("phone.net", n, 0, 3)] + r.integers("phone.digit", n, 0, 9)) * 10 ** 8 \
        + r.integers("phone.a", n, 1000, 9999) * 10 ** 4 + r.integers("phone.b", n, 1000, 9999)
    phone = np.where(r.chance("phone.mail", n, 0.2), 10 ** 12 + r.integers("mail", n, 100, 999), phone)
    return {
        "channel": r.choice("channel", n, [2, 1, 1]), "received_at": received,
        "customer_id": r.integers("customer", n, 100000, 999999), "subject": r.integers("subject", n, 0, len(INQUIRY_SUBJECTS) - 1),
        "answered_on_spot": flag(spot), "customer_contact": np.where(has_contact, phone, NA),
        "replied_at": w.cut(replied, replied >= w.as_of), "agent_id": actors[r.integers("agent", n, 0, len(actors) - 1)],
        "source": r.choice("source", n, [7, 2, 1]),
    }


def applications(w: World, n: int, r: Streams, actors: np.ndarray, *, submitted: np.ndarray | None = None,
                 correction: bool | None = None, notice: Callable | None = None, review: Callable | None = None,
                 rejected: bool | None = None, completion_notice: Callable | None = None) -> dict[str, np.ndarray]:
    """Applications through precheck, entry, review and handling, cut off at the as-of time.

    ``notice``, ``review`` and ``completion_notice`` replace the clean clocks (a
    function of the start instants) for the injected ones.
    """
    submitted = w.moments(r, "submitted", n, latest=16 * H) if submitted is None else submitted
    corr = r.chance("correction", n, 0.15) if correction is None else full(n, correction, bool)
    clerk = r.integers("clerk", n, 0, len(actors) - 1)
    handler = (clerk + r.integers("handler", n, 1, len(actors) - 1)) % len(actors)  # never the clerk
    precheck = w.later(r, "precheck", submitted, 0.2, 1.5)
    notified = within(w, r, "notice", precheck, "correction_notice", 0.02, 0.66) if notice is None else notice(precheck)
    received = w.later(r, "received", notified, 2, 30)
    ready = np.where(corr, received, precheck)
    entered = w.later(r, "entered", ready, 0.1, 1)
    assigned = w.later(r, "assigned", entered, 0.05, 0.4)
    complex_ = r.chance("complex", n, 0.12)
    doubts = r.chance("doubts", n, 0.08)
    reviewed = within(w, r, "review", assigned, "review", 0.04, 0.66) if review is None else review(assigned)
    rej = r.chance("rejected", n, 0.15) if rejected is None else full(n, rejected, bool)
    rejection_notice = within(w, r, "rejection", reviewed, "rejection_notice", 0.02, 0.66)
    completed = w.later(r, "completed", reviewed, 2, 40)
    customer_notice = (within(w, r, "completion", completed, "completion_notice", 0.01, 0.66)
                       if completion_notice is None else completion_notice(completed))
    # Drop every step that lies after the as-of time, and every step after it.
    steps = [corr & (notified >= w.as_of), corr & (received >= w.as_of), entered >= w.as_of, reviewed >= w.as_of]
    for i in range(1, len(steps)):
        steps[i] = steps[i] | steps[i - 1]
    gone_notice, gone_received, gone_entry, gone_review = steps
    gone_rejection = gone_review | ~rej | (rejection_notice >= w.as_of)
    gone_completion = gone_review | rej | (completed >= w.as_of)
    gone_customer = gone_completion | (customer_notice >= w.as_of)
    actor = lambda codes, gone: np.where(gone, -1, actors[codes])  # noqa: E731
    joint = np.where(complex_ | doubts, r.choice("joint", n, [0, 0, 2, 1]), NA)
    return {
        "customer_id": r.integers("customer", n, 100000, 999999), "business_type": r.integers("type", n, 0, len(BUSINESS_TYPES) - 1),
        "submitted_at": submitted, "has_application_form": full(n, 1, np.int8),
        "has_id_proof": flag(~(corr & gone_entry)),  # still waiting for the customer's correction
        "has_supporting_docs": full(n, 1, np.int8), "precheck_at": precheck, "precheck_result": corr.astype(np.int64),
        "correction_notified_at": w.cut(notified, ~corr | gone_notice),
        "correction_received_at": w.cut(received, ~corr | gone_received),
        "entered_at": w.cut(entered, gone_entry), "assigned_to": actor(handler, gone_entry),
        "assigned_at": w.cut(assigned, gone_entry), "entered_by": actor(clerk, gone_entry),
        "complexity": w.cut(complex_.astype(np.int64), gone_entry), "has_doubts": w.cut(flag(doubts), gone_entry),
        "reviewed_at": w.cut(reviewed, gone_review), "reviewer_id": actor(handler, gone_review),
        "review_result": w.cut(rej.astype(np.int64), gone_review), "joint_reviewers": w.cut(joint, gone_review),
        "rejection_reason": w.cut(r.integers("reason", n, 0, len(REJECTION_REASONS) - 1), gone_review | ~rej),
        "rejection_notified_at": w.cut(rejection_notice, gone_rejection),
        "completed_at": w.cut(completed, gone_completion), "result_confirmed": w.cut(flag(~gone_completion), gone_completion),
        "customer_notified_at": w.cut(customer_notice, gone_customer),
    }


def followups(w: World, r: Streams, actors: np.ndarray, apps: Part) -> dict[str, np.ndarray]:
    """One visit per completed application: within 2/3 of its 7 days, unless still to come at the as-of time."""
    done_all = apps.cols["completed_at"]
    rows = np.flatnonzero(done_all != NA)
    done = done_all[rows]
    n = len(rows)
    window = int(DEADLINES["followup_window"].seconds * CLEAN)
    visit = w.later(r, "visit", done, 2, 30)
    fallback = w.after(r, "fallback", done, 1, 20)
    visit = np.where((visit >= done + window) | (visit >= w.as_of), fallback, visit)
    ok = visit < np.minimum(done + window, w.as_of)
    assert not np.any(~ok & (done + window <= w.as_of)), "a completed application cannot get its follow-up visit"
    rows, done, visit, n = rows[ok], done[ok], visit[ok], int(ok.sum())
    # Exactly 6 % score 2 or 3 (the target is 90 % satisfied); the rest 4 or 5.
    low = np.zeros(n, bool)
    low[np.argsort(r.uniform("low.order", n), kind="stable")[: int(n * 0.06)]] = True
    satisfaction = np.where(low, r.integers("low", n, 2, 3), np.where(r.chance("five", n, 0.6), 5, 4))
    issue = r.chance("issue", n, 0.08)
    return followup_columns(w, r, actors, apps.cols["application_id"][rows], visit, satisfaction, issue)


def followup_columns(w: World, r: Streams, actors: np.ndarray, application: np.ndarray, visit: np.ndarray,
                     satisfaction: np.ndarray, issue: np.ndarray, reported: np.ndarray | None = None) -> dict[str, np.ndarray]:
    n = len(visit)
    raised = issue | (satisfaction < 4)
    # Resolved and reported back within 16 of the 27 working hours of 3 working days.
    resolved = within(w, r, "resolved", visit, "issue_resolution", 0.04, 0.44)
    reported = w.later(r, "reported", resolved, 0.5, 4) if reported is None else reported
    if reported is not None:
        resolved = np.minimum(resolved, reported)
    gone_resolved = ~raised | (resolved >= w.as_of)
    return {
        "application_id": application, "visited_at": visit, "satisfaction": satisfaction, "issue_raised": flag(issue),
        "issue_resolved_at": w.cut(resolved, gone_resolved),
        "result_reported_at": w.cut(reported, gone_resolved | (reported >= w.as_of)),
        "agent_id": actors[r.integers("agent", n, 0, len(actors) - 1)],
    }


# ---- problems ------------------------------------------------------------------------------------------
def problems(w: World, n: int, r: Streams, actors: np.ndarray, *, severity: int | None = None, scope: int | None = None,
             urgent: bool | None = None, reported: np.ndarray | None = None, report: Callable | None = None,
             interim: Callable | None = None, escalate: Callable | None = None, resolve: Callable | None = None,
             priority: int | None = None) -> dict[str, np.ndarray]:
    sev = r.choice("severity", n, [1, 3, 5, 4]) if severity is None else full(n, severity)
    scp = r.integers("scope", n, 0, 4) if scope is None else full(n, scope)
    prio = PRIORITY[sev, np.isin(scp, WIDE_SCOPES).astype(np.int64)] if priority is None else full(n, priority)
    if reported is None:
        discovered = w.moments(r, "discovered", n)
        reported = within(w, r, "report", discovered, "problem_report", 0.025, 0.66) if report is None else report(discovered)
    else:
        discovered = reported - r.integers("found", n, 3, 60) * 60
    urg = ((sev == 0) | ((sev == 1) & r.chance("urgent", n, 0.5))) if urgent is None else full(n, urgent, bool)
    if resolve is not None:
        resolved = resolve(reported)
    else:
        resolved = reported.copy()
        for code, (low, high) in enumerate([(0.125, 0.65), (0.04, 0.66), (0.04, 0.66), (0.02, 0.66)]):
            goal = f"resolution_P{code + 1}"
            resolved = np.where(prio == code, within(w, r, goal, reported, goal, low, high), resolved)
    span = (resolved - reported) / 60
    # Assessed within 160 of the 240 minutes allowed, and before the resolution.
    assessed = minute(reported + (r.uniform("assessed", n) * (np.minimum(160, np.maximum(6, span / 2)) - 5) + 5).astype(np.int64) * 60)
    resolver = r.integers("resolver", n, 0, len(actors) - 1)
    verifier = (resolver + r.integers("verifier", n, 1, len(actors) - 1)) % len(actors)
    verified = w.after(r, "verified", resolved, 0.2, 3)
    closed = w.after(r, "closed", verified, 0, 1)
    index = r.integers("description", n, 0, len(PROBLEMS) - 1)
    interim_at = within(w, r, "interim", reported, "interim_measure", 0.07, 0.66) if interim is None else interim(reported)
    escalated = within(w, r, "escalated", reported, "escalation", 0.08, 0.66) if escalate is None else escalate(reported)
    gone_resolved = resolved >= w.as_of
    gone_verified = gone_resolved | (verified >= w.as_of)
    gone_closed = gone_verified | (closed >= w.as_of)
    status = np.where(gone_resolved, 2, np.where(gone_closed, 3, 4))
    return {
        "discovered_at": discovered, "occurred_at": minute(discovered - r.integers("occurred", n, 5, 180) * 60),
        "reported_at": reported, "reporter_id": actors[r.integers("reporter", n, 0, len(actors) - 1)],
        "description": index, "impact_scope": scp, "severity": sev, "urgent": flag(urg),
        "interim_measure_at": w.cut(interim_at, ~urg), "escalated_at": w.cut(escalated, sev != 0),
        "assessed_at": assessed, "priority": prio, "owner_id": actors[r.integers("owner", n, 0, len(actors) - 1)],
        "root_cause": w.cut(index % len(ROOT_CAUSES), gone_resolved), "solution_plan": w.cut(index % len(PLANS), gone_resolved),
        "resolved_at": w.cut(resolved, gone_resolved), "resolver_id": np.where(gone_resolved, -1, actors[resolver]),
        "verified_at": w.cut(verified, gone_verified), "verifier_id": np.where(gone_verified, -1, actors[verifier]),
        "closed_at": w.cut(closed, gone_closed), "status": status,
        "lessons_learned": w.cut(index % len(LESSONS), gone_closed), "preventive_measures": w.cut(index % len(PREVENTIVE), gone_closed),
    }


# ---- collaboration ---------------------------------------------------------------------------------------
def collaborations(w: World, n: int, r: Streams, *, last: int | None = None, evaluate: Callable | None = None,
                   agreed: bool | None = None, late_days: int | None = None) -> dict[str, np.ndarray]:
    submitted = w.moments(r, "submitted", n, last=last)
    other = r.integers("other", n, 0, len(DEPARTMENTS) - 2)
    ours = full(n, len(DEPARTMENTS) - 1)
    from_us = r.chance("from_us", n, 0.3)
    item = r.integers("item", n, 0, len(COLLAB_ITEMS) - 1)
    agree = r.chance("agreed", n, 0.8) if agreed is None else full(n, agreed, bool)
    evaluated = within(w, r, "evaluated", submitted, "collaboration_evaluation", 0.04, 0.66) if evaluate is None else evaluate(submitted)
    plan = w.after(r, "plan", evaluated, 0.2, 1.5)
    completed = w.later(r, "completed", plan, 8, 80)
    accepted = w.later(r, "accepted", completed, 0.5, 3)
    done_day = completed // DAY * DAY
    required = submitted // DAY * DAY + r.integers("required", n, 10, 40) * DAY
    # Completed at least a whole day before the end of its required date.
    required = np.where(agree & (done_day + DAY > required), done_day + r.integers("spare", n, 1, 5) * DAY, required)
    if late_days is not None:
        required = done_day - late_days * DAY
    finished = agree & (accepted < w.as_of)
    as_of_day = w.as_of // DAY * DAY
    # An agreed collaboration still under way is not due before the as-of time.
    required = np.where(agree & ~finished & (required <= as_of_day + DAY), as_of_day + r.integers("later", n, 2, 20) * DAY, required)
    undecided = (evaluated >= w.as_of) | (agree & (plan >= w.as_of))
    year = submitted.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    return {
        "from_dept": np.where(from_us, ours, other), "to_dept": np.where(from_us, other, ours), "item": item, "goal": item,
        "required_by": required, "submitted_at": submitted, "evaluated_at": w.cut(evaluated, undecided),
        "decision": w.cut((~agree).astype(np.int64), undecided), "plan_at": w.cut(plan, undecided | ~agree),
        "completed_at": w.cut(completed, ~finished), "accepted_at": w.cut(accepted, ~finished),
        "summary": w.cut(r.integers("summary", n, 0, len(SUMMARIES) - 1), ~finished),
        "agreement_ref": np.where(agree & ~undecided, year * 1000 + r.integers("agreement", n, 100, 999), NA),
    }


# ---- risks ------------------------------------------------------------------------------------------------
REVIEW_DAYS = np.array([DEADLINES[f"risk_review_{g}"].amount for g in GRADES])


def risks(w: World, n: int, r: Streams, actors: np.ndarray, *, likelihood: int | None = None, impact: int | None = None,
          controllable: bool | None = None, strategy: int | None = None, reviewed_this_month: bool = False,
          review_age: float | None = None, fresh: bool = False, kri: float | None = None) -> dict[str, np.ndarray]:
    li = 1 + r.choice("likelihood", n, [2, 4, 5, 3, 1]) if likelihood is None else full(n, likelihood)
    im = 1 + r.choice("impact", n, [2, 4, 5, 3, 1]) if impact is None else full(n, impact)
    score = li * im
    grade = np.where(score >= RISK_BANDS["high"], 0, np.where(score >= RISK_BANDS["medium"], 1, 2))
    ctrl = ((grade != 0) | r.chance("controllable", n, 0.6)) if controllable is None else full(n, controllable, bool)
    if strategy is None:
        pick = r.integers("strategy", n, 0, 2)
        strat = np.where(grade == 0, np.where(~ctrl, 0, np.where(pick < 2, 1, 2)),
                         np.where(grade == 1, np.where(pick < 2, 1, 2), np.where(pick < 2, 3, 1)))
    else:
        strat = full(n, strategy)
    # Counted from the end of the month (not the as-of time), so a risk carried into
    # the next month's export is the same record there.
    end_day = w.end // DAY
    last_day = int(w.days[-1])
    identified = w.moments_between(r, "identified", full(n, end_day - 480), full(n, last_day))
    if reviewed_this_month or review_age is not None:
        identified = w.moments_between(r, "identified.old", full(n, end_day - 400), full(n, end_day - 60))
    if fresh:  # identified this month, first review not due yet
        identified = w.moments(r, "identified.fresh", n)
    # Reviewed within the last 85 % of the interval of its grade.
    due_from = end_day - (REVIEW_DAYS[grade] * 0.85).astype(np.int64) + 1
    first = np.maximum(identified // DAY + 1, due_from)
    if review_age is not None:
        day = end_day - int(review_age)
        reviewed = w.moments_between(r, "reviewed.age", full(n, day - 7), full(n, day))
    elif reviewed_this_month:
        reviewed = w.moments_between(r, "reviewed.month", np.maximum(first, w.days[0]), full(n, last_day))
    else:
        reviewed = w.moments_between(r, "reviewed", first, full(n, last_day))
        unreviewed = (identified // DAY >= due_from) & (r.chance("unreviewed", n, 0.3) | fresh)
        reviewed = np.where(unreviewed, NA, reviewed)
    threshold = np.array([5, 10, 20, 100])[r.integers("threshold", n, 0, 3)]
    has_kri = r.chance("has_kri", n, 0.7) | (kri is not None)
    # Below the early-warning fraction (0.8) of the threshold, so clean risks raise nothing.
    value = np.round(threshold * (r.uniform("kri", n, 0.1, 0.75) if kri is None else kri), 2)
    return {
        "category": r.integers("category", n, 0, 3), "source": r.integers("source", n, 0, 3), "identified_at": identified,
        "likelihood": li, "impact": im, "recorded_grade": grade, "controllable": flag(ctrl), "strategy": strat,
        "owner_id": actors[r.integers("owner", n, 0, len(actors) - 1)],
        "control_measures": np.where(strat <= 1, r.integers("control", n, 0, len(CONTROLS) - 1), -1),
        "transfer_instrument": np.where(strat == 2, r.integers("instrument", n, 0, len(INSTRUMENTS) - 1), -1),
        "last_reviewed_at": reviewed, "kri_value": np.where(has_kri, value, np.nan),
        "kri_threshold": np.where(has_kri, threshold, NA),
    }


# ---- building a month -----------------------------------------------------------------------------------
def build(w: World) -> Roster:
    roster = Roster(w)
    w.roster = roster
    w.actors = np.array([roster.index[r["employee_id"]] for r in roster.specialists], dtype=np.int64)
    w.long_serving = np.array([roster.index[r["employee_id"]] for r in roster.long_serving], dtype=np.int64)
    build_trainings(w, roster)
    build_appraisals(w, roster)
    sizes = bulk_sizes(w.rows)
    w.add("inquiries", inquiries(w, sizes["inquiries"], w.rand.sub("inquiries"), w.actors))
    apps = w.add("applications", applications(w, sizes["applications"], w.rand.sub("applications"), w.actors))
    w.add("followups", followups(w, w.rand.sub("followups"), w.actors, apps))
    r = w.rand.sub("problems")
    first = problems(w, 1, r.sub("critical"), w.actors, severity=0)  # at least one to escalate
    rest = problems(w, sizes["problems"] - 1, r, w.actors)
    w.add("problems", {c: np.concatenate([first[c], rest[c]]) for c in first})
    build_report(w, roster)
    build_backups(w)
    build_meetings(w)
    w.add("collaborations", collaborations(w, sizes["collaborations"], w.rand.sub("collaborations")))
    r = w.rand.sub("risks")
    # One of each response first, so that every response rule has a record to look at.
    parts = [risks(w, 1, r.sub("a"), w.actors, reviewed_this_month=True),
             risks(w, 1, r.sub("b"), w.actors, likelihood=4, impact=5, controllable=False),
             risks(w, 1, r.sub("c"), w.actors, likelihood=3, impact=4, strategy=2),
             risks(w, 1, r.sub("d"), w.actors, likelihood=1, impact=3, strategy=3),
             risks(w, 1, r.sub("e"), w.actors, fresh=True),
             risks(w, sizes["risks"] - 5, r, w.actors)]
    w.add("risks", {c: np.concatenate([p[c] for p in parts]) for c in parts[0]})
    return roster


# ---- items carried from one month into the next ------------------------------------------------------------
def carried_items(x: World) -> None:
    """Items of month ``x`` still open at its end, as seen at ``x.as_of`` (its end, or the next month's).

    In their own month: an inquiry unanswered past its 24 hours (a violation), a
    P4 problem and an application in review (both on time), a P2 problem at 88 %
    of its 24 hours (an early warning), a risk whose key risk indicator breaches.
    A month later: the inquiry answered late (still a violation), the problem
    still open and overdue (new), the application reviewed late (new), the P2
    problem resolved in time (resolved), the indicator still over (still a
    violation). They take the keys right after the month's clean records.
    """
    own = x.as_of == x.end
    r = x.rand.sub("carried")
    actors = x.long_serving  # on the roster of both months
    for name, size in bulk_sizes(x.rows).items():  # the same keys whether the month's records were built or not
        x.serials[name] = size
    days, next_days = x.days, x.cal.between(x.end // DAY, x.end // DAY + 40)

    received = np.array([days[-4] * DAY + 10 * H])
    answer = np.array([next_days[1] * DAY + 10 * H])
    part = x.add("inquiries", inquiries(x, 1, r.sub("inquiry"), actors, received=received, on_spot=False, replied=answer))
    x.expected.add("inquiry-reply-deadline", x.key("inquiries", part.cols["inquiry_id"][0]), carried=not own)

    reported = np.array([days[-3] * DAY + 10 * H])
    part = x.add("problems", problems(x, 1, r.sub("p4"), actors, severity=3, scope=1, urgent=False, reported=reported,
                                      resolve=lambda t: t + 60 * DAY))
    if not own:
        x.expected.add("problem-resolution-deadline", x.key("problems", part.cols["problem_id"][0]))

    reported = np.array([secs(warning_start(World(x.month, x.rows, x.seed), "resolution_P2", 0.88))])
    part = x.add("problems", problems(x, 1, r.sub("p2"), actors, severity=1, scope=1, urgent=False, reported=reported,
                                      resolve=lambda t: t + int(21.5 * H)))
    if own:
        x.expected.add("problem-resolution-deadline", x.key("problems", part.cols["problem_id"][0]), status="warning")

    submitted = np.array([days[-1] * DAY + 9 * H + 30 * 60])
    part = x.add("applications", applications(
        x, 1, r.sub("application"), actors, submitted=submitted, correction=False, rejected=True,
        review=lambda t: np.array([secs(late(x, moment_of(t[0]), "review", 15))])))
    assert own == (part.cols["reviewed_at"][0] == NA)
    if not own:
        x.expected.add("application-review-deadline", x.key("applications", part.cols["application_id"][0]))

    part = x.add("risks", risks(x, 1, r.sub("risk"), actors, likelihood=2, impact=5, controllable=True, strategy=1,
                                reviewed_this_month=True, kri=1.2))
    x.expected.add("risk-kri-breach", x.key("risks", part.cols["risk_id"][0]), carried=not own)


def previous_month(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year - (mon == 1)}-{(mon - 2) % 12 + 1:02d}"


def carry_in(w: World) -> None:
    """The items the month before left open, as they stand at the end of this month."""
    x = World(previous_month(w.month), w.rows, w.seed, as_of=w.end_dt)
    x.roster = w.roster
    x.long_serving = w.long_serving
    carried_items(x)
    for name, parts in x.large.items():
        for part in parts:
            w.large[name].append(part)
    w.expected.findings.extend(x.expected.findings)


# ---- injected violations --------------------------------------------------------------------------------------
def injections() -> list[Callable[[World], None]]:
    """Every ``inject_*`` function below, in the order of their numbers."""
    return [f for name, f in sorted(globals().items()) if name.startswith("inject_")]


def _early(w: World) -> int:
    return int(w.days[len(w.days) * 2 // 3])


def _one(t: datetime) -> np.ndarray:
    return np.array([secs(t)])


def _late_fn(w: World, goal: str, extra: float = 0) -> Callable:
    return lambda t: _one(late(w, moment_of(t[0]), goal, extra))


def _staff(w: World, employee: str) -> dict:
    return next(r for r in w.roster.records if r["employee_id"] == employee)


def _cols(w: World, dataset: str) -> dict[str, np.ndarray]:
    return w.bulk(dataset).cols


def _key(w: World, dataset: str, i: int) -> str:
    return w.key(dataset, int(w.bulk(dataset).cols[KEYS[dataset]][i]))


def _text(w: World, dataset: str, i: int, column: str, value: str) -> None:
    w.bulk(dataset).text.setdefault(column, {})[i] = value


def persistent_staff(w: World) -> dict[str, dict]:
    """Long-serving specialists whose records carry the same defect every month, and the two of the month.

    Chosen from streams of the seed alone, so the month before has the same
    defects; the two monthly ones (not trained, not appraised) move on by two
    places a month, so they never repeat the month before's.
    """
    rng = scalar_rng(f"{w.seed}/persistent")
    pool = list(w.roster.long_serving)
    chosen: dict[str, dict] = {}
    for defect, test in [("level", lambda r: r["track"] == "technical"), ("reviewed", lambda r: r["hired_at"].year <= w.start_dt.year - 2),
                         ("supervisor", lambda r: True), ("written_test", lambda r: True), ("bad_date", lambda r: True)]:
        candidates = [r for r in pool if test(r) and r not in chosen.values()]
        chosen[defect] = candidates[rng.randrange(len(candidates))]
    rest = [r for r in pool if r not in chosen.values()]
    turn = (w.start_dt.year * 12 + w.start_dt.month) * 2 + scalar_rng(f"{w.seed}/turn").randrange(len(rest))
    chosen["untrained"], chosen["unappraised"] = rest[turn % len(rest)], rest[(turn + 1) % len(rest)]
    return chosen


def inject_01_agent_not_on_roster(w: World) -> None:
    i = w.pick("inquiries")
    _text(w, "inquiries", i, "agent_id", "E999")
    w.expected.add("inquiries-agent-id-known", _key(w, "inquiries", i))


def inject_02_supervisor_of_another_segment(w: World) -> None:
    r = w.defects["supervisor"]
    other = next(s for seg, s in w.roster.supervisors.items() if seg != r["segment"])
    r["supervisor_id"] = other["employee_id"]
    w.expected.add("specialist-supervisor-in-segment", r["employee_id"], carried=True)


def inject_03_critical_escalated_late(w: World) -> None:
    part = w.add("problems", problems(w, 1, w.rand.sub("inject-03"), w.actors, severity=0, escalate=_late_fn(w, "escalation")))
    w.expected.add("problem-escalated", w.key("problems", part.cols["problem_id"][0]))


def inject_04_specialist_not_trained(w: World) -> None:
    r = w.defects["untrained"]
    w.small["trainings"] = [t for t in w.small["trainings"] if t["employee_id"] != r["employee_id"]]
    w.expected.add("specialist-trained-monthly", r["employee_id"], group={"period": w.month})


def inject_05_inquiry_reply_late(w: World) -> None:
    r = w.rand.sub("inject-05")
    received = w.moments(r, "at", 1, last=_early(w))
    part = w.add("inquiries", inquiries(w, 1, r, w.actors, received=received, on_spot=False,
                                        replied=_late_fn(w, "inquiry_reply", w.rng.uniform(0, 6))(received)))
    w.expected.add("inquiry-reply-deadline", w.key("inquiries", part.cols["inquiry_id"][0]))


def inject_06_inquiry_contact_missing(w: World) -> None:
    i = w.pick("inquiries", _cols(w, "inquiries")["answered_on_spot"] == 0)
    _cols(w, "inquiries")["customer_contact"][i] = NA
    w.expected.add("inquiry-contact-recorded", _key(w, "inquiries", i))


def inject_07_on_spot_answer_late(w: World) -> None:
    c = _cols(w, "inquiries")
    i = w.pick("inquiries", c["answered_on_spot"] == 1)
    c["replied_at"][i] = c["received_at"][i] + w.rng.randint(20, 45) * 60
    w.expected.add("inquiry-answered-on-spot", _key(w, "inquiries", i))


def _follow_up(w: World, part: Part, r: Streams) -> None:
    """The visit of an application added after the follow-ups were built: on time, satisfied."""
    done = part.cols["completed_at"]
    if done[0] != NA:
        visit = minute(done + 2 * H)
        if visit[0] < w.as_of:
            cols = followup_columns(w, r, w.actors, part.cols["application_id"], visit, np.array([5]), np.array([False]))
            w.add("followups", cols)


def inject_08_correction_notice_late(w: World) -> None:
    r = w.rand.sub("inject-08")
    submitted = w.moments(r, "at", 1, last=int(w.days[len(w.days) // 3]), latest=16 * H)
    part = w.add("applications", applications(w, 1, r, w.actors, submitted=submitted, correction=True,
                                              notice=_late_fn(w, "correction_notice")))
    w.expected.add("application-correction-notice", w.key("applications", part.cols["application_id"][0]))
    _follow_up(w, part, r.sub("visit"))


def inject_09_entered_before_precheck(w: World) -> None:
    c = _cols(w, "applications")
    i = w.pick("applications", (c["precheck_result"] == 0) & (c["entered_at"] != NA))
    c["entered_at"][i] = c["precheck_at"][i] - w.rng.randint(5, 30) * 60
    w.expected.add("application-entered-after-check", _key(w, "applications", i))
    w.expected.add("application-steps-in-order", _key(w, "applications", i))


def inject_10_documents_missing_at_entry(w: World) -> None:
    c = _cols(w, "applications")
    i = w.pick("applications", c["entered_at"] != NA)
    c["has_supporting_docs"][i] = 0
    w.expected.add("application-documents-complete", _key(w, "applications", i))


def inject_11_review_late(w: World) -> None:
    r = w.rand.sub("inject-11")
    submitted = w.moments(r, "at", 1, last=int(w.days[len(w.days) // 3]), latest=16 * H)
    part = w.add("applications", applications(w, 1, r, w.actors, submitted=submitted, correction=False,
                                              review=_late_fn(w, "review")))
    w.expected.add("application-review-deadline", w.key("applications", part.cols["application_id"][0]))
    _follow_up(w, part, r.sub("visit"))


def inject_12_no_joint_review(w: World) -> None:
    c = _cols(w, "applications")
    i = w.pick("applications", (c["reviewed_at"] != NA) & (c["complexity"] == 0) & (c["has_doubts"] == 0))
    c["complexity"][i], c["joint_reviewers"][i] = 1, 1
    w.expected.add("application-joint-review", _key(w, "applications", i))


def inject_13_reviewer_entered_it(w: World) -> None:
    c = _cols(w, "applications")
    i = w.pick("applications", c["reviewed_at"] != NA)
    c["entered_by"][i] = c["reviewer_id"][i]
    w.expected.add("application-four-eyes", _key(w, "applications", i))


def inject_14_rejection_without_reason(w: World) -> None:
    c = _cols(w, "applications")
    i = w.pick("applications", c["review_result"] == 1)
    c["rejection_reason"][i] = -1
    w.expected.add("application-rejection-reason", _key(w, "applications", i))


def inject_15_completion_notice_late(w: World) -> None:
    r = w.rand.sub("inject-15")
    submitted = w.moments(r, "at", 1, last=int(w.days[len(w.days) // 4]), latest=12 * H)
    part = w.add("applications", applications(w, 1, r, w.actors, submitted=submitted, correction=False, rejected=False,
                                              completion_notice=_late_fn(w, "completion_notice")))
    assert part.cols["customer_notified_at"][0] != NA, "the late completion notice must fall in the month"
    w.expected.add("application-completion-notice", w.key("applications", part.cols["application_id"][0]))
    _follow_up(w, part, r.sub("visit"))


def inject_16_result_not_confirmed(w: World) -> None:
    c = _cols(w, "applications")
    i = w.pick("applications", c["completed_at"] != NA)
    c["result_confirmed"][i] = 0
    w.expected.add("application-result-confirmed", _key(w, "applications", i))


def inject_17_no_followup(w: World) -> None:
    c = _cols(w, "applications")
    # Its 7 days have ended by two days under either reading.
    i = w.pick("applications", (c["completed_at"] != NA) & (c["completed_at"] + 9 * DAY <= w.as_of))
    followups_part = w.bulk("followups")
    followups_part.keep = followups_part.kept() & (followups_part.cols["application_id"] != c["application_id"][i])
    w.expected.add("application-followed-up", _key(w, "applications", i))


def inject_18_issue_reported_back_late(w: World) -> None:
    c = _cols(w, "applications")
    i = w.pick("applications", (c["completed_at"] != NA) & (c["completed_at"] < int(w.days[len(w.days) // 2]) * DAY))
    followups_part = w.bulk("followups")
    followups_part.keep = followups_part.kept() & (followups_part.cols["application_id"] != c["application_id"][i])
    r = w.rand.sub("inject-18")
    visit = w.later(r, "visit", c["completed_at"][i:i + 1], 2, 4)
    reported = _late_fn(w, "issue_resolution")(visit)
    cols = followup_columns(w, r, w.actors, c["application_id"][i:i + 1], visit, np.array([5]), np.array([True]), reported)
    part = w.add("followups", cols)
    w.expected.add("followup-issue-resolved", w.key("followups", part.cols["followup_id"][0]))


def inject_19_source_missing(w: World) -> None:
    i = w.pick("inquiries")
    _cols(w, "inquiries")["source"][i] = -1
    w.expected.add("inquiry-source-recorded", _key(w, "inquiries", i))


def inject_20_bad_timestamp(w: World) -> None:
    c = _cols(w, "inquiries")
    i = w.pick("inquiries", c["answered_on_spot"] == 0)
    _text(w, "inquiries", i, "received_at", moment_of(c["received_at"][i]).strftime("%Y-%m-32 %H:%M:00"))
    w.expected.add("data-quality", _key(w, "inquiries", i), status="invalid")


def inject_21_bad_enum(w: World) -> None:
    c = _cols(w, "applications")
    i = w.pick("applications", (c["complexity"] == 0) & (c["has_doubts"] == 0))
    _text(w, "applications", i, "complexity", "复杂")
    w.expected.add("data-quality", _key(w, "applications", i), status="invalid")


def inject_22_duplicate_problem(w: World) -> None:
    c = _cols(w, "problems")
    i = w.pick("problems", c["status"] == 4)
    w.large["problems"].append(Part({k: v[i:i + 1].copy() for k, v in c.items()}))
    w.expected.add("problems-key-unique", _key(w, "problems", i))


def inject_23_bad_number(w: World) -> None:
    c = _cols(w, "followups")
    i = w.pick("followups", (c["issue_raised"] == 0) & (c["satisfaction"] >= 4))
    _text(w, "followups", i, "satisfaction", "五")
    # The score is there but unreadable: an invalid value, not a missing one (followup-recorded
    # asks only whether it is there), so no other finding.
    w.expected.add("data-quality", _key(w, "followups", i), status="invalid")


def inject_24_report_without_recommendations(w: World) -> None:
    r = w.small["data_reports"][0]
    r["has_recommendations"] = False
    w.expected.add("data-report-sections", r["report_id"])


def inject_25_backups_missed(w: World) -> None:
    system = w.rng.choice(SYSTEMS)
    runs = [b for b in w.small["backups"] if b["system"] == system]
    at = w.rng.randrange(4, len(runs) - 6)
    for missed in runs[at + 1: at + 3]:  # a gap of about 36 of the 24 hours allowed
        w.small["backups"].remove(missed)
    w.used["backups"].add(runs[at]["backup_id"])
    w.expected.add("backup-interval", runs[at]["backup_id"])


def inject_26_backup_not_encrypted(w: World) -> None:
    candidates = [b for b in w.small["backups"] if b["backup_id"] not in w.used["backups"]]
    r = w.rng.choice(candidates)
    w.used["backups"].add(r["backup_id"])
    r["encrypted"] = False
    w.expected.add("backup-secured", r["backup_id"])


def inject_27_problem_reported_late(w: World) -> None:
    r = w.rand.sub("inject-27")
    part = w.add("problems", problems(w, 1, r, w.actors, severity=3, scope=1, report=_late_fn(w, "problem_report", 0.5)))
    w.expected.add("problem-reported-in-time", w.key("problems", part.cols["problem_id"][0]))


def inject_28_interim_measure_late(w: World) -> None:
    r = w.rand.sub("inject-28")
    part = w.add("problems", problems(w, 1, r, w.actors, severity=1, scope=1, urgent=True,
                                      interim=_late_fn(w, "interim_measure", 0.25)))
    w.expected.add("problem-interim-measure", w.key("problems", part.cols["problem_id"][0]))


def inject_29_priority_off_the_table(w: World) -> None:
    r = w.rand.sub("inject-29")
    part = w.add("problems", problems(w, 1, r, w.actors, severity=1, scope=4, urgent=False, priority=1))
    w.expected.add("problem-priority-consistent", w.key("problems", part.cols["problem_id"][0]))


def inject_30_resolved_late(w: World) -> None:
    r = w.rand.sub("inject-30")
    reported = w.moments(r, "at", 1, last=int(w.days[len(w.days) // 3]))
    part = w.add("problems", problems(w, 1, r, w.actors, severity=2, scope=1, reported=reported,
                                      resolve=_late_fn(w, "resolution_P3", w.rng.uniform(0, 5))))
    w.expected.add("problem-resolution-deadline", w.key("problems", part.cols["problem_id"][0]))


def inject_32_closed_unverified(w: World) -> None:
    c = _cols(w, "problems")
    i = w.pick("problems", c["status"] == 4)
    c["verified_at"][i], c["verifier_id"][i] = NA, -1
    w.expected.add("problem-verified-before-closure", _key(w, "problems", i))


def inject_33_resolver_verified(w: World) -> None:
    c = _cols(w, "problems")
    i = w.pick("problems", c["verifier_id"] >= 0)
    c["verifier_id"][i] = c["resolver_id"][i]
    w.expected.add("problem-closure-four-eyes", _key(w, "problems", i))


def inject_34_closed_without_lessons(w: World) -> None:
    c = _cols(w, "problems")
    i = w.pick("problems", c["status"] == 4)
    c["lessons_learned"][i] = -1
    w.expected.add("problem-closure-summary", _key(w, "problems", i))


def inject_35_no_written_test(w: World) -> None:
    r = w.defects["written_test"]
    r["hire_written_test"] = False
    w.expected.add("staff-hiring-stages", r["employee_id"], carried=True)


def inject_36_training_evaluated_late(w: World) -> None:
    person = w.rng.choice([r for r in w.roster.specialists if r["employee_id"] not in w.used["staff"]])
    rng = scalar_rng(f"{w.seed}/{w.month}/inject-36")
    held = w.moment(rng, last=w.day_dates[1], latest=time(16))
    r = training(w, rng, person["employee_id"], "skills", held, evaluated=late(w, held, "training_evaluation", rng.uniform(0, 48)))
    w.expected.add("training-evaluated", r["training_id"])


def _result(w: World, test: Callable[[dict], bool]) -> dict:
    """A result whose employee no other injection touches (and none will)."""
    candidates = [r for r in w.small["appraisal_results"]
                  if test(r) and r["employee_id"] not in w.used["staff"] and r["result_id"] not in w.used["appraisal_results"]]
    if not candidates:
        raise SystemExit("--rows is too small: no appraisal result left for an injection")
    r = w.rng.choice(candidates)
    w.used["appraisal_results"].add(r["result_id"])
    w.used["staff"].add(r["employee_id"])
    return r


def inject_37_grade_misrecorded(w: World) -> None:
    r = _result(w, lambda r: r["recorded_grade"] == "good")
    r["recorded_grade"] = "excellent"
    w.expected.add("appraisal-grade-banding", r["result_id"])


def inject_38_failing_grade_ignored(w: World) -> None:
    r = _result(w, lambda r: r["recorded_grade"] == "unqualified")
    r.update(action="none", action_recorded_at=None)
    w.expected.add("appraisal-failing-action", r["result_id"])


def inject_39_self_evaluation_missing(w: World) -> None:
    r = _result(w, lambda r: r["recorded_grade"] in ("good", "qualified"))
    w.small["appraisals"] = [a for a in w.small["appraisals"]
                             if not (a["employee_id"] == r["employee_id"] and a["evaluator_type"] == "self")]
    w.expected.add("appraisal-evaluators-complete", group={"employee_id": r["employee_id"], "cycle": "monthly", "period": r["period"]})
    w.expected.add("appraisal-score-computed", r["result_id"])


def inject_40_not_appraised(w: World) -> None:
    employee = w.defects["unappraised"]["employee_id"]
    w.small["appraisal_results"] = [r for r in w.small["appraisal_results"] if r["employee_id"] != employee]
    w.expected.add("staff-appraised-monthly", employee, group={"period": w.month})


def inject_41_score_misrecorded(w: World) -> None:
    r = _result(w, lambda r: r["recorded_grade"] in ("good", "qualified"))
    cents = r["_cents"] + 320
    r["recorded_score"] = f"{cents // 100}.{cents % 100:02d}"
    w.expected.add("appraisal-score-computed", r["result_id"])


def inject_42_career_plan_not_reviewed(w: World) -> None:
    r = w.defects["reviewed"]
    r["career_plan_reviewed_at"] = _months_before(w.as_of_dt.date(), CAREER_REVIEW_MONTHS + 1)
    w.expected.add("career-plan-reviewed", r["employee_id"], carried=True)


def inject_43_onboarding_near_deadline(w: World) -> None:
    # Hired 27 days before the end of the month and not yet trained: 90 % of 30 days (87 % day-counted).
    segment = w.roster.segments[0]
    hired = warning_start(w, "onboarding", 0.9)
    r = w.roster.hire(scalar_rng(f"{w.seed}/{w.month}/inject-43"), segment, hired.date())
    r.update(onboarding_trained_at=None, career_plan_at=None, career_plan_reviewed_at=None)
    w.expected.add("onboarding-training", r["employee_id"], status="warning")


def inject_44_level_off_track(w: World) -> None:
    r = w.defects["level"]
    r["level"] = "supervisor"
    w.expected.add("staff-level-on-track", r["employee_id"], carried=True)


def inject_45_meeting_without_minutes(w: World) -> None:
    r = w.rng.choice([m for m in w.small["meetings"] if m["kind"] == "department_regular"])
    r["minutes_recorded"] = False
    w.expected.add("meeting-minutes-recorded", r["meeting_id"])


def inject_46_no_agreement(w: World) -> None:
    c = _cols(w, "collaborations")
    i = w.pick("collaborations", c["decision"] == 0)
    c["agreement_ref"][i] = NA
    w.expected.add("collaboration-agreement", _key(w, "collaborations", i))


def inject_47_evaluated_late(w: World) -> None:
    r = w.rand.sub("inject-47")
    part = w.add("collaborations", collaborations(w, 1, r, last=int(w.days[len(w.days) // 3]), agreed=False,
                                                  evaluate=_late_fn(w, "collaboration_evaluation")))
    w.expected.add("collaboration-evaluated-in-time", w.key("collaborations", part.cols["request_id"][0]))


def inject_48_completed_late(w: World) -> None:
    # Completed three days after its required date: a day or more after the end of either reading.
    r = w.rand.sub("inject-48")
    part = w.add("collaborations", collaborations(w, 1, r, last=int(w.days[0]), agreed=True, late_days=3,
                                                  evaluate=lambda t: w.later(r, "fast", t, 1, 2)))
    assert part.cols["completed_at"][0] != NA, "the late completion must fall in the month"
    w.expected.add("collaboration-completed-on-time", w.key("collaborations", part.cols["request_id"][0]))


def inject_49_completed_without_summary(w: World) -> None:
    c = _cols(w, "collaborations")
    i = w.pick("collaborations", c["completed_at"] != NA)
    c["summary"][i] = -1
    w.expected.add("collaboration-accepted", _key(w, "collaborations", i))


def _risk(w: World, number: str, **forced) -> tuple[Part, str]:
    part = w.add("risks", risks(w, 1, w.rand.sub(f"inject-{number}"), w.actors, **forced))
    return part, w.key("risks", part.cols["risk_id"][0])


def inject_50_risk_grade_misrecorded(w: World) -> None:
    part, key = _risk(w, "50", likelihood=2, impact=5, strategy=1)
    part.cols["recorded_grade"][0] = 2  # low, for 2 × 5 = 10: medium
    w.expected.add("risk-grade-banding", key)


def inject_51_high_risk_not_avoided(w: World) -> None:
    _, key = _risk(w, "51", likelihood=4, impact=4, controllable=False, strategy=1)
    w.expected.add("risk-avoid-uncontrollable-high", key)


def inject_52_medium_risk_accepted(w: World) -> None:
    _, key = _risk(w, "52", likelihood=3, impact=3, strategy=3)
    w.expected.add("risk-accept-low-only", key)


def inject_53_transfer_without_instrument(w: World) -> None:
    part, key = _risk(w, "53", likelihood=2, impact=4, strategy=2)
    part.cols["transfer_instrument"][0] = -1
    w.expected.add("risk-transfer-instrument", key)


def inject_54_high_risk_review_overdue(w: World) -> None:
    # Reviewed 45 to 57 days ago: at least 14 days past 30 days under either reading.
    _, key = _risk(w, "54", likelihood=5, impact=4, controllable=True, strategy=1, review_age=w.rng.uniform(45, 50))
    w.expected.add("risk-review-interval", key)


def inject_55_kri_breach(w: World) -> None:
    c = _cols(w, "risks")
    i = w.pick("risks", c["kri_threshold"] != NA)
    c["kri_value"][i] = round(c["kri_threshold"][i] * 1.1, 2)
    w.expected.add("risk-kri-breach", _key(w, "risks", i))


def inject_56_staff_bad_date(w: World) -> None:
    r = w.defects["bad_date"]
    r["hired_at"] = f"{r['hired_at']:%Y}/13/{r['hired_at']:%d}"
    w.expected.add("data-quality", r["employee_id"], status="invalid", carried=True)


def inject_57_kri_early_warning(w: World) -> None:
    c = _cols(w, "risks")
    i = w.pick("risks", c["kri_threshold"] != NA)
    c["kri_value"][i] = round(c["kri_threshold"][i] * 0.9, 2)
    w.expected.add("risk-kri-warning", _key(w, "risks", i), status="warning")


# ---- writing ------------------------------------------------------------------------------------------------
def text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _words(words: list[str]) -> str:
    return "[" + ", ".join(_quote(x) for x in words) + "]"


def column_sql(spec: tuple, ref: str, staff_ids: list[str]) -> str:
    """The SQL that writes one column of a large dataset as text (NULL for a missing value)."""
    kind = spec[1]
    if isinstance(kind, list):
        return f"CASE WHEN {ref} >= 0 THEN {_words(kind)}[{ref} + 1] END"
    value = f"NULLIF({ref}, {NA})"
    return {
        KEY: f"{_quote(spec[2] if len(spec) > 2 else '')} || ({value} // {SERIAL})::VARCHAR || '-' || lpad(({ref} % {SERIAL})::VARCHAR, 7, '0')",
        TS: f"strftime(make_timestamp({value} * 1000000), '%Y-%m-%d %H:%M:%S')",
        DATE: f"strftime(make_timestamp({value} * 1000000), '%Y-%m-%d')",
        BOOL: f"CASE {ref} WHEN 1 THEN 'true' WHEN 0 THEN 'false' END",
        INT: f"{value}::VARCHAR",
        NUM: f"CASE WHEN NOT isnan({ref}) THEN {ref}::VARCHAR END",
        STAFF: f"CASE WHEN {ref} >= 0 THEN {_words(staff_ids)}[{ref} + 1] END",
        CUSTOMER: f"'C' || {ref}::VARCHAR",
        CONTACT: f"CASE WHEN {value} >= 1000000000000 THEN 'user' || ({ref} - 1000000000000)::VARCHAR || '@example.com' "
                 f"ELSE substr({value}::VARCHAR, 1, 3) || '-' || substr({ref}::VARCHAR, 4, 4) || '-' || substr({ref}::VARCHAR, 8, 4) END",
        AGREEMENT: f"'XY-' || ({value} // 1000)::VARCHAR || '-' || ({ref} % 1000)::VARCHAR",
    }[kind]


def write_large(con: duckdb.DuckDBPyConnection, path: Path, name: str, parts: list[Part], staff_ids: list[str], bom: bool) -> None:
    columns = DATASETS[name]
    frame: dict[str, np.ndarray] = {}
    overrides: dict[str, dict[int, str]] = {}
    offset = 0
    for part in parts:
        rows = np.cumsum(part.kept()) - 1 + offset
        for column, cells in part.text.items():
            for i, value in cells.items():
                if part.kept()[i]:
                    overrides.setdefault(column, {})[int(rows[i])] = value
        offset += int(part.kept().sum())
    for index, spec in enumerate(columns):
        frame[f"c{index}"] = np.concatenate([p.cols[spec[0]][p.kept()] for p in parts])
    frame["rn"] = np.arange(offset, dtype=np.int64)
    select = []
    for index, spec in enumerate(columns):
        expression = column_sql(spec, f"c{index}", staff_ids)
        if spec[0] in overrides:
            cases = " ".join(f"WHEN {row} THEN {_quote(value)}" for row, value in sorted(overrides[spec[0]].items()))
            expression = f"CASE rn {cases} ELSE {expression} END"
        select.append(f"{expression} AS {spec[0]}")
    con.register("frame", frame)
    target = path.with_suffix(".tmp") if bom else path
    con.execute(f"COPY (SELECT {', '.join(select)} FROM frame ORDER BY rn) TO {_quote(str(target))} (HEADER, DELIMITER ',')")
    con.unregister("frame")
    if bom:
        with path.open("wb") as out, target.open("rb") as source:
            out.write(b"\xef\xbb\xbf")
            shutil.copyfileobj(source, out, 1 << 20)
        target.unlink()


def write_small(con: duckdb.DuckDBPyConnection, path: Path, name: str, rows: list[dict]) -> None:
    columns = [c[0] for c in DATASETS[name]]
    frame = {f"c{i}": np.array([text(r.get(c)) for r in rows] or [None], dtype=object) for i, c in enumerate(columns)}
    frame["rn"] = np.arange(max(1, len(rows)))
    con.register("frame", frame)
    select = ", ".join(f"c{i} AS {c}" for i, c in enumerate(columns))
    con.execute(f"COPY (SELECT {select} FROM frame WHERE rn < {len(rows)} ORDER BY rn) TO {_quote(str(path))} (HEADER, DELIMITER ',')")
    con.unregister("frame")


def write_xlsx(path: Path, columns: list[str], rows: list[dict]) -> None:
    """An Excel workbook with typed cells (dates, booleans), byte for byte the same on every run."""
    from openpyxl import Workbook  # the generator's own dependency, not clausewise's

    book = Workbook()
    sheet = book.active
    sheet.title = "员工名册"
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    book.properties.creator = "clausewise sample generator"
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl stamps the save time into the archive; pin it so the file is reproducible.
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", data)
            target.writestr(zipfile.ZipInfo(info.filename, FIXED_TIME), data, zipfile.ZIP_DEFLATED)


def write(w: World, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    for name in DATASETS:
        for stale in out.glob(f"{name}.*"):
            stale.unlink()
        if name == XLSX:
            write_xlsx(out / f"{name}.xlsx", [c[0] for c in DATASETS[name]], w.roster.records)
        elif name in LARGE:
            write_large(con, out / f"{name}.csv", name, w.large[name], w.roster.ids, name in BOM)
        else:
            write_small(con, out / f"{name}.csv", name, w.small[name])
    con.close()
    (out / "export.yaml").write_text(f"period: {w.month}\n", encoding="utf-8")
    findings = sorted(w.expected.findings, key=lambda f: (f["rule"], f.get("key") or "", json.dumps(f.get("group"), sort_keys=True)))
    (out / "expected-findings.json").write_text(json.dumps(findings, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def generate(month: str, rows: int, seed: int, violations: bool = True) -> World:
    if rows < 60:
        raise SystemExit("--rows must be at least 60")
    w = World(month, rows, seed)
    build(w)
    if violations:
        w.defects = persistent_staff(w)
        for defect in w.defects.values():
            w.used["staff"].add(defect["employee_id"])
        carried_items(w)
        carry_in(w)
        for inject in injections():
            inject(w)
    for r in w.small["appraisal_results"]:
        r.pop("_cents", None)
    return w


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2026-10", help="the month, YYYY-MM (default 2026-10)")
    parser.add_argument("--out", required=True, type=Path, help="folder to write the export to")
    parser.add_argument("--rows", type=int, default=300,
                        help="size: inquiries per month, the largest dataset; the others scale with it (default 300)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--no-violations", action="store_true", help="write a clean export: no injected violations")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        parser.error("--month must be YYYY-MM")
    write(generate(args.month, args.rows, args.seed, not args.no_violations), args.out)


if __name__ == "__main__":
    main()
