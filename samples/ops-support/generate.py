#!/usr/bin/env python3
"""Generate a sample monthly export for the ops-support policy pack.

    python samples/ops-support/generate.py --month 2026-10 --out DIR --rows 300 --seed 7

writes the 13 datasets of the export contract for one month (``staff.xlsx``,
the others as CSV), ``export.yaml`` (``period: 2026-10``, which makes the audit
judge the export as of the end of the month) and ``expected-findings.json``.

The data is built clean first: every record complies with every rule of the
pack at its default parameters, including open items at the end of the month,
which are kept below the early-warning fraction of their deadline. Then a
fixed list of violations is injected, each into its own record, together with
the finding(s) it must produce; ``expected-findings.json`` is that list, as
``{rule, key | group, status}``. ``--no-violations`` skips the injection.

Times fall in working hours (09:00-18:00) on working days of the mainland China
calendar (public holidays and make-up working days from the ``holidays``
package); backups run at night. The output depends only on the arguments.

Dependencies: the standard library, ``holidays``, and ``openpyxl`` to write
the one XLSX file (python-calamine, which clausewise reads XLSX with, cannot
write). They are dependencies of this script, not of clausewise.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import holidays

H = 3600  # seconds in an hour
WORK_START, WORK_END = time(9), time(18)
DAY = 9 * H  # one working day

# ---- the calendar ------------------------------------------------------------------


class WorkCalendar:
    """Working time on the mainland China calendar, as clausewise counts it (docs/time.md)."""

    def __init__(self, first: date, last: date):
        source = holidays.country_holidays("CN", years=range(first.year - 1, last.year + 2))
        self._working = {}
        day = first
        while day <= last:
            regular = day.weekday() < 5 and day not in source
            self._working[day] = regular or day in source.weekend_workdays
            day += timedelta(days=1)

    def working_days(self, first: date, last: date) -> list[date]:
        days, day = [], first
        while day <= last:
            if self._working[day]:
                days.append(day)
            day += timedelta(days=1)
        return days

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant at which ``seconds`` of working time have passed since ``start``."""
        day = start.date()
        left = seconds
        while True:
            if self._working[day]:
                lo = max(start, datetime.combine(day, WORK_START))
                hi = datetime.combine(day, WORK_END)
                if lo < hi:
                    avail = (hi - lo).total_seconds()
                    if left <= avail:
                        return lo + timedelta(seconds=left)
                    left -= avail
            day += timedelta(days=1)

    def subtract(self, end: datetime, seconds: float) -> datetime:
        """The instant from which ``seconds`` of working time run up to ``end``."""
        day = end.date()
        left = seconds
        while True:
            if self._working[day]:
                lo = datetime.combine(day, WORK_START)
                hi = min(end, datetime.combine(day, WORK_END))
                if lo < hi:
                    avail = (hi - lo).total_seconds()
                    if left <= avail:
                        return hi - timedelta(seconds=left)
                    left -= avail
            day -= timedelta(days=1)


# ---- words ----------------------------------------------------------------------------
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏飞斌宇浩凯健俊帆晨曦欣怡佳琪子涵雨轩梓萱博文思远嘉怡"
SEGMENTS = ["政企业务", "家庭业务", "个人业务", "渠道支撑", "国际业务", "数字服务"]
INQUIRY_SUBJECTS = [
    "宽带故障报修进度", "套餐资费变更", "账单金额异议", "发票开具", "携号转网条件", "国际漫游开通",
    "积分兑换规则", "实名认证失败", "合约到期续约", "副卡办理", "5G套餐升级", "停机保号", "营业厅预约",
    "企业专线报价", "物联网卡批量开通", "话费充值未到账", "流量包叠加", "密码重置", "光猫更换", "云盘扩容",
]
BUSINESS_TYPES = ["企业专线开通", "宽带新装", "号码过户", "套餐变更", "发票抬头变更", "集团短信开通", "IDC机位租用", "物联网卡开户"]
REJECTION_REASONS = ["身份证明与申请人不符", "企业营业执照已过期", "申请地址不在覆盖范围", "欠费未结清", "申请资料存在涂改"]
PROBLEMS = [
    "计费系统批量出账延迟", "工单系统派单失败", "客服热线排队超时", "CRM客户资料同步异常", "短信通知发送失败",
    "报表平台数据缺失", "外部接口返回超时", "网上营业厅支付回调失败", "数据仓库夜间任务中断", "知识库检索无结果",
]
ROOT_CAUSES = ["配置变更未同步", "数据库连接池耗尽", "第三方接口变更未通知", "磁盘空间写满", "定时任务参数错误", "证书过期"]
PLANS = ["回滚配置并补发数据", "扩容连接池并优化查询", "与对方确认接口并发布适配", "清理日志并扩容磁盘", "修正参数并重跑任务", "更换证书并增加到期提醒"]
LESSONS = ["变更需同步通知相关系统", "容量监控阈值偏高", "外部接口缺少契约测试", "缺少磁盘告警", "任务参数缺少复核", "证书缺少到期监控"]
PREVENTIVE = ["纳入变更评审清单", "调整监控阈值并演练", "建立接口契约测试", "增加磁盘容量告警", "任务参数双人复核", "建立证书台账与提醒"]
DEPARTMENTS = ["市场部", "财务部", "人力资源部", "信息技术部", "客户服务部", "法务部", "网络部"]
COLLAB_ITEMS = [
    ("双十一活动数据提取", "评估活动效果"), ("客户投诉数据共享", "降低重复投诉"), ("年度预算数据核对", "完成预算编制"),
    ("新员工系统权限开通", "按时到岗上手"), ("合同模板法律审核", "降低合同风险"), ("网络割接通知配合", "减少客户影响"),
    ("账单系统升级联调", "保证出账准确"), ("满意度调研联合执行", "提升服务质量"),
]
SUMMARIES = ["按期交付，双方验收通过", "目标达成，流程可复用", "提前完成，已归档经验", "基本达成，后续持续优化"]
RISKS = {
    "business": ["重点客户流失", "业务量骤增导致积压", "合作渠道违约"],
    "technical": ["核心系统单点故障", "数据备份不可恢复", "外部接口不稳定"],
    "personnel": ["关键岗位人员流失", "新员工技能不足", "超负荷加班"],
    "management": ["流程执行不到位", "考核标准不统一", "跨部门职责不清"],
}
CONTROLS = ["建立双人复核机制", "部署主备切换", "每月演练恢复流程", "关键岗位AB角", "完善操作规程", "增加监控告警"]
INSTRUMENTS = ["财产一切险保单", "与供应商签订免责协议", "外包服务合同风险条款", "网络安全保险"]
SYSTEMS = ["CRM系统", "计费系统", "工单系统", "数据仓库"]


# ---- the world ------------------------------------------------------------------------
@dataclass
class Expected:
    findings: list[dict[str, Any]] = field(default_factory=list)

    def add(self, rule: str, key: str | None = None, group: dict | None = None, status: str = "violation") -> None:
        where = {"group": group} if group is not None else {"key": key}
        self.findings.append({"rule": rule, **where, "status": status})


class World:
    """One month of the department, built record by record."""

    def __init__(self, month: str, rows: int, seed: int):
        self.rng = random.Random(seed)
        self.rows = rows
        year, mon = (int(p) for p in month.split("-"))
        self.start = datetime(year, mon, 1)
        self.as_of = datetime(year + (mon == 12), mon % 12 + 1, 1)
        self.cal = WorkCalendar(date(year - 12, 1, 1), date(year + 2, 12, 31))
        self.days = self.cal.working_days(self.start.date(), (self.as_of - timedelta(days=1)).date())
        self.data: dict[str, list[dict[str, Any]]] = {name: [] for name in DATASETS}
        self.expected = Expected()
        self.used: set[tuple[str, str]] = set()
        self.counters: dict[str, int] = {}

    # -- helpers --------------------------------------------------------------------
    def next_id(self, prefix: str, width: int = 4) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:0{width}d}"

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def moment(self, first: date | None = None, last: date | None = None, latest: time = time(17, 30)) -> datetime:
        """A random minute in working hours on a working day of the month (or of [first, last])."""
        days = [d for d in self.days if (first is None or d >= first) and (last is None or d <= last)]
        return self._on(self.rng.choice(days), latest)

    def moment_between(self, first: date, last: date) -> datetime | None:
        """A random minute in working hours on a working day in [first, last], any month."""
        days = self.cal.working_days(first, last)
        return self._on(self.rng.choice(days)) if days else None

    def _on(self, day: date, latest: time = time(17, 30)) -> datetime:
        span = (datetime.combine(day, latest) - datetime.combine(day, WORK_START)).seconds // 60
        return datetime.combine(day, WORK_START) + timedelta(minutes=self.rng.randint(0, span))

    def later(self, start: datetime, low_h: float, high_h: float) -> datetime:
        """``start`` plus a random amount of working time, to the minute."""
        return _minute(self.cal.add(start, self.rng.uniform(low_h, high_h) * H))

    def calendar_later(self, start: datetime, low_h: float, high_h: float) -> datetime:
        return _minute(start + timedelta(hours=self.rng.uniform(low_h, high_h)))

    def before_as_of(self, value: datetime | None) -> datetime | None:
        return value if value is not None and value < self.as_of else None

    def pick(self, dataset: str, test: Callable[[dict], bool] = lambda r: True) -> dict:
        """A clean record of ``dataset`` no injection has used yet."""
        key = KEYS[dataset]
        candidates = [r for r in self.data[dataset] if (dataset, r[key]) not in self.used and test(r)]
        if not candidates:
            raise SystemExit(f"--rows is too small: no {dataset} record left for an injection")
        record = self.rng.choice(candidates)
        self.used.add((dataset, record[key]))
        return record

    def reserve(self, dataset: str, key: str) -> None:
        self.used.add((dataset, key))

    # -- staff ------------------------------------------------------------------------
    def build_staff(self) -> None:
        size = max(20, self.rows // 5)
        segments = SEGMENTS[: max(3, min(len(SEGMENTS), size // 12))]
        self.manager = self._employee("manager", None, None, hired=self._old_hire())
        self.supervisors = {s: self._employee("supervisor", s, self.manager["employee_id"], hired=self._old_hire()) for s in segments}
        for index in range(size - 1 - len(segments)):
            segment = segments[index % len(segments)]
            self._employee("specialist", segment, self.supervisors[segment]["employee_id"], hired=self._old_hire())
        # Recent movements: a hire last month, two hires this month, a leaver.
        def hire(segment: str, day: date) -> dict:
            return self._employee("specialist", segment, self.supervisors[segment]["employee_id"], hired=day)

        hire(segments[0], self.start.date() - timedelta(days=17))
        self.new_hires = [hire(segments[1], self.days[len(self.days) // 3]),
                          hire(segments[2], self.days[len(self.days) * 2 // 3])]
        leaver = hire(segments[0], self._old_hire())
        leaver["left_at"] = self.days[len(self.days) // 2]
        self.all_month = [r for r in self.data["staff"] if r["hired_at"] <= self.start.date() and r["left_at"] is None]
        self.specialists = [r for r in self.all_month if r["role"] == "specialist"]
        self.actors = [r["employee_id"] for r in self.specialists]

    def _old_hire(self) -> date:
        return date(self.start.year - self.rng.randint(1, 9), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def _employee(self, role: str, segment: str | None, boss: str | None, hired: date) -> dict:
        track = "management" if role != "specialist" or self.rng.random() < 0.45 else "technical"
        level = role if track == "management" else self.rng.choice(["junior", "intermediate", "senior", "expert"])
        record = {
            "employee_id": self.next_id("E", 3), "name": self.name(), "role": role, "track": track, "level": level,
            "segment": segment, "supervisor_id": boss, "hired_at": hired, "left_at": None,
            "onboarding_trained_at": None, "career_plan_at": None, "career_plan_reviewed_at": None,
            "hire_screened": True, "hire_written_test": True, "hire_interviewed": True,
        }
        as_of = self.as_of.date()
        trained = hired + timedelta(days=self.rng.randint(2, 18))
        record["onboarding_trained_at"] = trained if trained < as_of else None
        plan = hired + timedelta(days=self.rng.randint(20, 60))
        record["career_plan_at"] = plan if plan < as_of else None
        if plan < _months_before(as_of, 12) + timedelta(days=10):
            low = max(plan, _months_before(as_of, 12) + timedelta(days=10))
            record["career_plan_reviewed_at"] = low + timedelta(days=self.rng.randint(0, (as_of - timedelta(days=3) - low).days))
        self.data["staff"].append(record)
        return record

    # -- people's month -----------------------------------------------------------------
    def build_trainings(self) -> None:
        kinds = ["skills", "skills", "management", "external"]
        for person in self.specialists + list(self.supervisors.values()):
            count = self.rng.choice((1, 1, 2)) if person["role"] == "specialist" else self.rng.choice((0, 1))
            for _ in range(count):
                self._training(person["employee_id"], self.rng.choice(kinds), self.moment(latest=time(16)))
        for hire in self.new_hires:
            if hire["onboarding_trained_at"] is not None:
                self._training(hire["employee_id"], "onboarding", datetime.combine(hire["onboarding_trained_at"], time(9, 30)))

    def _training(self, employee: str, kind: str, held: datetime, evaluate_after: float | None = None) -> dict:
        # Evaluated within 10 days (of the 14 allowed); a later evaluation is left open.
        if evaluate_after is not None:
            evaluated = _minute(held + timedelta(days=evaluate_after))
        else:
            evaluated = self.later(held, 4, 5 * DAY / H)
            if evaluated > held + timedelta(days=10):
                evaluated = _minute(held + timedelta(days=self.rng.uniform(1, 10)))
        evaluated = self.before_as_of(evaluated)
        record = {
            "training_id": self.next_id("PX", 5), "employee_id": employee, "kind": kind, "held_at": held,
            "evaluated_at": evaluated, "evaluation_score": self.rng.randint(70, 98) if evaluated else None,
        }
        self.data["trainings"].append(record)
        return record

    def build_appraisals(self) -> None:
        """Monthly appraisal of supervisors and specialists: superior, peers and self."""
        period = self.start.strftime("%Y-%m")
        staff = [r for r in self.all_month if r["role"] in ("supervisor", "specialist")]
        weak = {staff[0]["employee_id"], staff[1]["employee_id"]}  # one to act on, one for an injection
        for person in staff:
            quality = 52 if person["employee_id"] in weak else self.rng.gauss(83, 6)
            self._appraise(person, period, quality)

    def _appraise(self, person: dict, period: str, quality: float) -> None:
        if person["role"] == "supervisor":
            superior = self.manager["employee_id"]
            peers = [s["employee_id"] for s in self.supervisors.values() if s is not person]
        else:
            superior = person["supervisor_id"]
            peers = [r["employee_id"] for r in self.specialists if r["segment"] == person["segment"] and r is not person]
        evaluators = [("superior", superior)] + [("peer", p) for p in self.rng.sample(peers, min(len(peers), self.rng.choice((1, 2))))]
        evaluators.append(("self", person["employee_id"]))
        rows = []
        for kind, who in evaluators:
            bias = 4 if kind == "self" else 0
            score = lambda: max(0, min(100, round(self.rng.gauss(quality + bias, 4))))  # noqa: E731
            rows.append({
                "appraisal_id": self.next_id("KH", 5), "employee_id": person["employee_id"], "cycle": "monthly",
                "period": period, "evaluator_type": kind, "evaluator_id": who,
                "performance": score(), "ability": score(), "attitude": score(),
            })
        self.data["appraisals"].extend(rows)
        total = weighted_score(rows)
        grade = band(total, APPRAISAL_BANDS)
        action, at = "none", None
        if grade == "excellent":
            action, at = self.rng.choice(["reward", "recognition"]), self.moment(self.days[-3])
        elif grade == "unqualified":
            action, at = "coaching", self.moment(self.days[-3])
        self.data["appraisal_results"].append({
            "result_id": self.next_id("JG", 4), "employee_id": person["employee_id"], "cycle": "monthly", "period": period,
            "recorded_score": f"{round(total, 2):.2f}", "recorded_grade": grade, "action": action, "action_recorded_at": at,
            "_score": total,
        })

    # -- business acceptance ---------------------------------------------------------------
    def build_inquiries(self) -> None:
        for _ in range(self.rows):
            self._inquiry()

    def _inquiry(self, on_spot: bool | None = None, reply_hours: float | None = None, last: date | None = None) -> dict:
        received = self.moment(last=last)
        on_spot = self.rng.random() < 0.6 if on_spot is None else on_spot
        if on_spot:
            replied = received + timedelta(minutes=self.rng.randint(0, 8))
        else:
            replied = _minute(received + timedelta(hours=reply_hours if reply_hours is not None else self.rng.uniform(0.5, 16.5)))
        contact = self._contact() if not on_spot or self.rng.random() < 0.3 else None
        record = {
            "inquiry_id": self.next_id("ZX", 6), "channel": self.rng.choice(["hotline", "hotline", "online", "email"]),
            "received_at": received, "customer_id": f"C{self.rng.randint(100000, 999999)}",
            "subject": self.rng.choice(INQUIRY_SUBJECTS), "answered_on_spot": on_spot, "customer_contact": contact,
            "replied_at": self.before_as_of(replied), "agent_id": self.rng.choice(self.actors),
            "source": self.rng.choices(["system", "manual", "interface"], [7, 2, 1])[0],
        }
        self.data["inquiries"].append(record)
        return record

    def _contact(self) -> str:
        if self.rng.random() < 0.8:
            return f"1{self.rng.choice('3589')}{self.rng.randint(0, 9)}-{self.rng.randint(1000, 9999)}-{self.rng.randint(1000, 9999)}"
        return f"user{self.rng.randint(100, 999)}@example.com"

    def build_applications(self) -> None:
        for _ in range(self.rows * 2 // 3):
            self._application()

    def _application(self, *, last: date | None = None, correction: bool | None = None, notice_h: float | None = None,
                     review_h: float | None = None, rejected: bool | None = None, complex_: bool | None = None,
                     completion_notice_h: float | None = None) -> dict:
        """One application through precheck, entry, review and handling, cut off at the as-of time.

        Every clean clock uses at most 70 % of its allowed time, so an item still
        open at the end of the month is never an early warning.
        """
        rng = self.rng
        submitted = self.moment(last=last, latest=time(16))
        correction = rng.random() < 0.15 if correction is None else correction
        clerk, handler = rng.sample(self.actors, 2)
        record = {
            "application_id": self.next_id("SQ", 6), "customer_id": f"C{rng.randint(100000, 999999)}",
            "business_type": rng.choice(BUSINESS_TYPES), "submitted_at": submitted,
            "has_application_form": True, "has_id_proof": True, "has_supporting_docs": True,
            "precheck_at": self.later(submitted, 0.2, 1.5), "precheck_result": "needs_correction" if correction else "pass",
            "correction_notified_at": None, "correction_received_at": None, "entered_at": None, "assigned_to": None,
            "assigned_at": None, "entered_by": None, "complexity": None, "has_doubts": None, "reviewed_at": None,
            "reviewer_id": None, "review_result": None, "joint_reviewers": None, "rejection_reason": None,
            "rejection_notified_at": None, "completed_at": None, "result_confirmed": None, "customer_notified_at": None,
        }
        ready = record["precheck_at"]
        if correction:
            record["correction_notified_at"] = self.later(ready, 0.2, 6) if notice_h is None else self.later(ready, notice_h, notice_h)
            record["correction_received_at"] = self.later(record["correction_notified_at"], 2, 30)
            ready = record["correction_received_at"]
        entered = self.later(ready, 0.1, 1)
        assigned = self.later(entered, 0.05, 0.4)
        complex_ = rng.random() < 0.12 if complex_ is None else complex_
        doubts = rng.random() < 0.08
        record.update({
            "entered_at": entered, "assigned_at": assigned, "entered_by": clerk, "assigned_to": handler,
            "complexity": "complex" if complex_ else "standard", "has_doubts": doubts,
        })
        reviewed = self.later(assigned, 1, 18) if review_h is None else self.later(assigned, review_h, review_h)
        rejected = rng.random() < 0.15 if rejected is None else rejected
        record.update({
            "reviewed_at": reviewed, "reviewer_id": handler, "review_result": "rejected" if rejected else "approved",
            "joint_reviewers": rng.choice((2, 2, 3)) if complex_ or doubts else None,
        })
        if rejected:
            record["rejection_reason"] = rng.choice(REJECTION_REASONS)
            record["rejection_notified_at"] = self.later(reviewed, 0.2, 6)
        else:
            completed = self.later(reviewed, 2, 40)
            notice = (completion_notice_h, completion_notice_h) if completion_notice_h is not None else (0.1, 6)
            record.update({"completed_at": completed, "result_confirmed": True,
                           "customer_notified_at": self.later(completed, *notice)})
        self._cut_application(record)
        self.data["applications"].append(record)
        return record

    def _cut_application(self, r: dict) -> None:
        """Drop every step that lies after the as-of time, keeping each step's companions."""
        steps = [
            (["correction_notified_at"], []), (["correction_received_at"], []),
            (["entered_at", "assigned_at"], ["entered_by", "assigned_to", "complexity", "has_doubts"]),
            (["reviewed_at"], ["reviewer_id", "review_result", "joint_reviewers", "rejection_reason"]),
            (["rejection_notified_at"], []), (["completed_at"], ["result_confirmed"]), (["customer_notified_at"], []),
        ]
        cut = False
        for times, companions in steps:
            if cut or any(r[t] is not None and r[t] >= self.as_of for t in times):
                cut = True
                for name in times + companions:
                    r[name] = None
        if r["precheck_result"] == "needs_correction" and r["entered_at"] is None:
            r["has_id_proof"] = False  # still waiting for the customer's correction

    def build_followups(self) -> None:
        visits = [(app, v) for app in self.data["applications"] if (v := self.visit_time(app)) is not None]
        low_budget = int(len(visits) * 0.06)
        for app, visit in visits:
            low = low_budget > 0 and self.rng.random() < 0.07
            low_budget -= low
            self._followup(app["application_id"], visit, satisfaction=self.rng.choice((2, 3)) if low else None)

    def visit_time(self, app: dict) -> datetime | None:
        """When a completed application is visited: within its 7 days, unless still to come."""
        done, window = app["completed_at"], timedelta(days=7)
        if done is None:
            return None
        visit = self.later(done, 2, 30)
        if visit > done + window or visit >= self.as_of:
            visit = _minute(done + timedelta(hours=self.rng.uniform(1, 20)))
            if visit >= min(done + window, self.as_of):
                visit = None
        if visit is None and done + window <= self.as_of:
            raise AssertionError("a completed application cannot get its follow-up visit")
        return visit

    def follow_up(self, app: dict) -> None:
        """The visit of an application added after the follow-ups were built."""
        visit = self.visit_time(app)
        if visit is not None:
            self._followup(app["application_id"], visit, satisfaction=5, issue=False)

    def _followup(self, application: str, visit: datetime, satisfaction: int | None = None,
                  issue: bool | None = None, report_h: float | None = None) -> dict:
        rng = self.rng
        satisfaction = satisfaction if satisfaction is not None else rng.choices([5, 4], [6, 4])[0]
        issue = rng.random() < 0.08 if issue is None else issue
        record = {
            "followup_id": self.next_id("HF", 5), "application_id": application, "visited_at": visit,
            "satisfaction": satisfaction, "issue_raised": issue, "issue_resolved_at": None, "result_reported_at": None,
            "agent_id": rng.choice(self.actors),
        }
        if issue or satisfaction < 4:
            resolved = self.later(visit, 1, 12) if report_h is None else self.later(visit, report_h - 2, report_h - 2)
            reported = self.later(resolved, 0.5, 4) if report_h is None else self.later(visit, report_h, report_h)
            record["issue_resolved_at"] = self.before_as_of(resolved)
            record["result_reported_at"] = self.before_as_of(reported) if record["issue_resolved_at"] else None
        self.data["followups"].append(record)
        return record

    # -- problems -----------------------------------------------------------------------------
    def build_problems(self) -> None:
        self._problem(severity="critical")  # at least one to escalate
        for _ in range(self.rows // 3 - 1):
            self._problem()

    def _problem(self, *, last: date | None = None, severity: str | None = None, scope: str | None = None,
                 urgent: bool | None = None, report_min: float | None = None, interim_min: float | None = None,
                 escalate_min: float | None = None, resolve: datetime | None = None, priority: str | None = None,
                 reported: datetime | None = None) -> dict:
        rng = self.rng
        severity = severity or rng.choices(["critical", "high", "medium", "low"], [1, 3, 5, 4])[0]
        scope = scope or rng.choice(["individual", "team", "department", "company", "customer"])
        priority = priority or PRIORITY[(severity, scope in WIDE_SCOPES)]
        discovered = self.moment(last=last)
        if reported is not None:
            discovered = reported - timedelta(minutes=rng.randint(3, 60))
        reported = reported or _minute(discovered + timedelta(minutes=report_min if report_min is not None else rng.uniform(3, 80)))
        urgent = (severity == "critical" or (severity == "high" and rng.random() < 0.5)) if urgent is None else urgent
        resolved = resolve or self._resolution(priority, reported)
        span = (resolved - reported).total_seconds() / 60
        assessed = _minute(reported + timedelta(minutes=rng.uniform(5, min(160, max(6, span / 2)))))
        resolver, verifier = rng.sample(self.actors, 2)
        verified = self.calendar_later(resolved, 0.2, 3)
        closed = self.calendar_later(verified, 0, 1)
        index = rng.randrange(len(PROBLEMS))
        record = {
            "problem_id": self.next_id("WT", 5), "discovered_at": discovered,
            "occurred_at": _minute(discovered - timedelta(minutes=rng.uniform(5, 180))), "reported_at": reported,
            "reporter_id": rng.choice(self.actors), "description": PROBLEMS[index], "impact_scope": scope,
            "severity": severity, "urgent": urgent,
            "interim_measure_at": _minute(reported + timedelta(minutes=interim_min if interim_min is not None else rng.uniform(2, 20))) if urgent else None,
            "escalated_at": _minute(reported + timedelta(minutes=escalate_min if escalate_min is not None else rng.uniform(5, 40))) if severity == "critical" else None,
            "assessed_at": assessed, "priority": priority, "owner_id": rng.choice(self.actors),
            "root_cause": ROOT_CAUSES[index % len(ROOT_CAUSES)], "solution_plan": PLANS[index % len(PLANS)],
            "resolved_at": resolved, "resolver_id": resolver, "verified_at": verified, "verifier_id": verifier,
            "closed_at": closed, "status": "closed", "lessons_learned": LESSONS[index % len(LESSONS)],
            "preventive_measures": PREVENTIVE[index % len(PREVENTIVE)],
        }
        self._cut_problem(record)
        self.data["problems"].append(record)
        return record

    def _resolution(self, priority: str, reported: datetime) -> datetime:
        if priority == "P1":
            return self.calendar_later(reported, 0.5, 2.6)
        if priority == "P2":
            return self.calendar_later(reported, 1, 16)
        return self.later(reported, 1, 18) if priority == "P3" else self.later(reported, 2, 60)

    def _cut_problem(self, r: dict) -> None:
        if r["closed_at"] >= self.as_of or r["verified_at"] >= self.as_of:
            r.update(closed_at=None, status="resolved")
            if r["verified_at"] >= self.as_of:
                r.update(verified_at=None, verifier_id=None)
        if r["resolved_at"] >= self.as_of:
            r.update(resolved_at=None, resolver_id=None, root_cause=None, solution_plan=None,
                     lessons_learned=None, preventive_measures=None, status="resolving")
        if r["status"] != "closed":
            r.update(lessons_learned=None, preventive_measures=None)

    # -- data -------------------------------------------------------------------------------
    def build_reports(self) -> None:
        previous = (self.start - timedelta(days=1)).strftime("%Y-%m")
        due = self.cal.add(self.start, 5 * DAY)
        submitted = self.moment(last=min(due.date(), self.days[-1]))
        while submitted > due:
            submitted = self.moment(last=due.date())
        self.data["data_reports"].append({
            "report_id": f"SJBG-{previous}", "period": previous, "author_id": next(iter(self.supervisors.values()))["employee_id"],
            "submitted_at": submitted, "has_purpose": True, "has_method": True, "has_results": True,
            "has_recommendations": True, "recipients": "分管副总经理;市场部;财务部;信息技术部",
        })

    def build_backups(self) -> None:
        day = self.start.date()
        while day < self.as_of.date():
            for run, hour in ((1, 2), (2, 14)):
                for system in SYSTEMS:
                    started = datetime.combine(day, time(hour)) + timedelta(minutes=self.rng.randint(0, 15))
                    finished = started + timedelta(minutes=self.rng.randint(10, 50))
                    self.data["backups"].append({
                        "backup_id": f"BK-{day:%Y%m%d}-{run}-{SYSTEMS.index(system) + 1}", "system": system,
                        "started_at": started, "finished_at": finished, "encrypted": True, "verified": True,
                    })
            day += timedelta(days=1)

    # -- communication ------------------------------------------------------------------------
    def build_meetings(self) -> None:
        # Four regular meetings, about a week apart, on working days.
        regular = sorted({self.days[len(self.days) * i // 4] for i in range(4)})
        for day in regular:
            self.data["meetings"].append({"meeting_id": self.next_id("HY", 3), "kind": "department_regular",
                                          "held_at": datetime.combine(day, time(9, 30)), "minutes_recorded": True})
        for _ in range(self.rng.randint(2, 3)):
            self.data["meetings"].append({"meeting_id": self.next_id("HY", 3), "kind": "cross_department",
                                          "held_at": self.moment(latest=time(16)), "minutes_recorded": self.rng.random() < 0.8})
        self.data["meetings"].sort(key=lambda r: r["held_at"])

    def build_collaborations(self) -> None:
        for _ in range(max(12, self.rows // 10)):
            self._collaboration()

    def _collaboration(self, *, last: date | None = None, evaluate_h: float | None = None, agreed: bool | None = None,
                       late_days: int | None = None) -> dict:
        rng = self.rng
        submitted = self.moment(last=last)
        other = rng.choice(DEPARTMENTS)
        ours = "运营支撑部"
        item, goal = rng.choice(COLLAB_ITEMS)
        agreed = rng.random() < 0.8 if agreed is None else agreed
        evaluated = self.later(submitted, 1, 18) if evaluate_h is None else self.later(submitted, evaluate_h, evaluate_h)
        record = {
            "request_id": self.next_id("XZ", 4), "from_dept": other if rng.random() < 0.7 else ours,
            "to_dept": None, "item": item, "goal": goal, "required_by": None, "submitted_at": submitted,
            "evaluated_at": evaluated, "decision": "agreed" if agreed else "declined", "plan_at": None,
            "completed_at": None, "accepted_at": None, "summary": None, "agreement_ref": None,
        }
        record["to_dept"] = ours if record["from_dept"] != ours else other
        required = submitted.date() + timedelta(days=rng.randint(10, 40))
        if agreed:
            plan = self.calendar_later(evaluated, 0.2, 1.5)
            completed = self.later(plan, 8, 80)
            accepted = self.later(completed, 0.5, 3)
            record.update(plan_at=plan, agreement_ref=f"XY-{submitted:%Y}-{rng.randint(100, 999)}")
            if late_days is not None:
                required = completed.date() - timedelta(days=late_days)
            elif completed.date() > required:
                required = completed.date() + timedelta(days=rng.randint(0, 5))
            if accepted < self.as_of:
                record.update(completed_at=completed, accepted_at=accepted, summary=rng.choice(SUMMARIES))
            elif required <= self.as_of.date():
                required = self.as_of.date() + timedelta(days=rng.randint(2, 20))
        record["required_by"] = required
        if evaluated >= self.as_of or (record["plan_at"] is not None and record["plan_at"] >= self.as_of):
            record.update(evaluated_at=None, decision=None, plan_at=None, agreement_ref=None)
        self.data["collaborations"].append(record)
        return record

    # -- risks --------------------------------------------------------------------------------
    def build_risks(self) -> None:
        # One of each response first, so that every response rule has a record to look at.
        self._risk(reviewed_this_month=True)
        self._risk(likelihood=4, impact=5, controllable=False)
        self._risk(likelihood=3, impact=4, strategy="transfer")
        self._risk(likelihood=1, impact=3, strategy="accept")
        self._risk(fresh=True)
        for _ in range(max(16, self.rows // 5) - 5):
            self._risk()

    def _risk(self, *, likelihood: int | None = None, impact: int | None = None, controllable: bool | None = None,
              strategy: str | None = None, reviewed_this_month: bool = False, review_age: float | None = None,
              fresh: bool = False) -> dict:
        rng = self.rng
        likelihood = likelihood or rng.choices(range(1, 6), [2, 4, 5, 3, 1])[0]
        impact = impact or rng.choices(range(1, 6), [2, 4, 5, 3, 1])[0]
        grade = band(likelihood * impact, RISK_BANDS)
        controllable = (grade != "high" or rng.random() < 0.6) if controllable is None else controllable
        if strategy is None:
            if grade == "high":
                strategy = "avoid" if not controllable else rng.choice(["reduce", "reduce", "transfer"])
            elif grade == "medium":
                strategy = rng.choice(["reduce", "reduce", "transfer"])
            else:
                strategy = rng.choice(["accept", "accept", "reduce"])
        category = rng.choice(list(RISKS))
        today = self.as_of.date()
        identified = self.moment_between(today - timedelta(days=480), self.days[-1])
        if reviewed_this_month or review_age is not None:
            identified = self.moment_between(today - timedelta(days=400), today - timedelta(days=60))
        if fresh:  # identified this month, first review not due yet
            identified = self.moment()
        # A review at least 10 % of the interval before it runs out at the as-of time.
        due_from = today - timedelta(days=REVIEW_DAYS[grade] * 0.9) + timedelta(days=1)
        first = max(identified.date() + timedelta(days=1), due_from)
        if review_age is not None:
            day = today - timedelta(days=review_age)
            reviewed = self.moment_between(day - timedelta(days=7), day)
        elif reviewed_this_month:
            reviewed = self.moment(max(self.days[0], first))
        elif identified.date() >= due_from and (fresh or rng.random() < 0.3):
            reviewed = None  # a new risk whose first review is not due yet
        else:
            reviewed = self.moment_between(first, self.days[-1])
        threshold = rng.choice([5, 10, 20, 100])
        has_kri = rng.random() < 0.7
        record = {
            "risk_id": self.next_id("FX", 3), "category": category,
            "source": rng.choice(["data_analysis", "case_analysis", "internal_audit", "other"]),
            "identified_at": identified, "likelihood": likelihood, "impact": impact, "recorded_grade": grade,
            "controllable": controllable, "strategy": strategy, "owner_id": rng.choice(self.actors),
            "control_measures": rng.choice(CONTROLS) if strategy in ("reduce", "avoid") else None,
            "transfer_instrument": rng.choice(INSTRUMENTS) if strategy == "transfer" else None,
            "last_reviewed_at": reviewed,
            # Below the early-warning fraction (0.8) of the threshold, so clean risks raise nothing.
            "kri_value": round(threshold * rng.uniform(0.1, 0.75), 2) if has_kri else None,
            "kri_threshold": threshold if has_kri else None,
            "_title": rng.choice(RISKS[category]),
        }
        self.data["risks"].append(record)
        return record

    def build(self) -> None:
        for step in (self.build_staff, self.build_trainings, self.build_appraisals, self.build_inquiries,
                     self.build_applications, self.build_followups, self.build_problems, self.build_reports,
                     self.build_backups, self.build_meetings, self.build_collaborations, self.build_risks):
            step()


# ---- grades, as the policy computes them ------------------------------------------------
DIMENSIONS = {"performance": Fraction(60, 100), "ability": Fraction(25, 100), "attitude": Fraction(15, 100)}
EVALUATORS = {"superior": Fraction(50, 100), "peer": Fraction(30, 100), "self": Fraction(20, 100)}
APPRAISAL_BANDS = {"excellent": 90, "good": 80, "qualified": 60, "unqualified": 0}
RISK_BANDS = {"high": 15, "medium": 8, "low": 1}
REVIEW_DAYS = {"high": 30, "medium": 90, "low": 180}
WIDE_SCOPES = ("company", "customer")
PRIORITY = {("critical", False): "P1", ("critical", True): "P1", ("high", False): "P2", ("high", True): "P1",
            ("medium", False): "P3", ("medium", True): "P2", ("low", False): "P4", ("low", True): "P4"}


def weighted_score(rows: list[dict]) -> float:
    """Σ evaluator weight × average over that evaluator type of Σ dimension weight × score."""
    by_type: dict[str, list[Fraction]] = {}
    for r in rows:
        by_type.setdefault(r["evaluator_type"], []).append(sum(w * Fraction(r[d]) for d, w in DIMENSIONS.items()))
    total = sum(EVALUATORS[t] * sum(v) / len(v) for t, v in by_type.items())
    return round(float(total), 6)


def band(value: float, bands: dict[str, float]) -> str:
    return next(name for name, low in sorted(bands.items(), key=lambda kv: -kv[1]) if value >= low)


# ---- injected violations ------------------------------------------------------------------
def injections() -> list[Callable[[World], None]]:
    """Every ``inject_*`` function below, in the order of their numbers."""
    return [f for name, f in sorted(globals().items()) if name.startswith("inject_")]


def _early(w: World) -> date:
    return w.days[len(w.days) * 2 // 3]


def inject_01_agent_not_on_roster(w: World) -> None:
    r = w.pick("inquiries")
    r["agent_id"] = "E999"
    w.expected.add("inquiries-agent-id-known", r["inquiry_id"])


def inject_02_supervisor_of_another_segment(w: World) -> None:
    r = w.pick("staff", lambda r: r in w.specialists)
    other = next(s for seg, s in w.supervisors.items() if seg != r["segment"])
    r["supervisor_id"] = other["employee_id"]
    w.expected.add("specialist-supervisor-in-segment", r["employee_id"])


def inject_03_critical_escalated_late(w: World) -> None:
    r = w._problem(last=_early(w), severity="critical", escalate_min=75)
    w.reserve("problems", r["problem_id"])
    w.expected.add("problem-escalated", r["problem_id"])


def inject_04_specialist_not_trained(w: World) -> None:
    r = w.pick("staff", lambda r: r in w.specialists)
    w.data["trainings"] = [t for t in w.data["trainings"] if t["employee_id"] != r["employee_id"]]
    w.expected.add("specialist-trained-monthly", r["employee_id"])


def inject_05_inquiry_reply_late(w: World) -> None:
    r = w._inquiry(on_spot=False, reply_hours=w.rng.uniform(25, 30), last=_early(w))
    w.reserve("inquiries", r["inquiry_id"])
    w.expected.add("inquiry-reply-deadline", r["inquiry_id"])


def inject_06_inquiry_contact_missing(w: World) -> None:
    r = w.pick("inquiries", lambda r: not r["answered_on_spot"])
    r["customer_contact"] = None
    w.expected.add("inquiry-contact-recorded", r["inquiry_id"])


def inject_07_on_spot_answer_late(w: World) -> None:
    r = w.pick("inquiries", lambda r: r["answered_on_spot"])
    r["replied_at"] = r["received_at"] + timedelta(minutes=w.rng.randint(20, 45))
    w.expected.add("inquiry-answered-on-spot", r["inquiry_id"])


def inject_08_correction_notice_late(w: World) -> None:
    r = w._application(last=_early(w), correction=True, notice_h=12)
    w.reserve("applications", r["application_id"])
    w.follow_up(r)
    w.expected.add("application-correction-notice", r["application_id"])


def inject_09_entered_before_precheck(w: World) -> None:
    r = w.pick("applications", lambda r: r["precheck_result"] == "pass" and r["entered_at"] is not None)
    r["entered_at"] = r["precheck_at"] - timedelta(minutes=w.rng.randint(5, 30))
    w.expected.add("application-entered-after-check", r["application_id"])
    w.expected.add("application-steps-in-order", r["application_id"])


def inject_10_documents_missing_at_entry(w: World) -> None:
    r = w.pick("applications", lambda r: r["entered_at"] is not None)
    r["has_supporting_docs"] = False
    w.expected.add("application-documents-complete", r["application_id"])


def inject_11_review_late(w: World) -> None:
    r = w._application(last=_early(w), correction=False, review_h=30)
    w.reserve("applications", r["application_id"])
    w.follow_up(r)
    w.expected.add("application-review-deadline", r["application_id"])


def inject_12_no_joint_review(w: World) -> None:
    r = w.pick("applications", lambda r: r["reviewed_at"] is not None and r["complexity"] == "standard" and not r["has_doubts"])
    r.update(complexity="complex", joint_reviewers=1)
    w.expected.add("application-joint-review", r["application_id"])


def inject_13_reviewer_entered_it(w: World) -> None:
    r = w.pick("applications", lambda r: r["reviewed_at"] is not None)
    r["entered_by"] = r["reviewer_id"]
    w.expected.add("application-four-eyes", r["application_id"])


def inject_14_rejection_without_reason(w: World) -> None:
    r = w.pick("applications", lambda r: r["review_result"] == "rejected")
    r["rejection_reason"] = None
    w.expected.add("application-rejection-reason", r["application_id"])


def inject_15_completion_notice_late(w: World) -> None:
    r = w._application(last=w.days[len(w.days) // 3], rejected=False, completion_notice_h=14)
    w.reserve("applications", r["application_id"])
    w._followup(r["application_id"], r["completed_at"] + timedelta(days=2))
    w.expected.add("application-completion-notice", r["application_id"])


def inject_16_result_not_confirmed(w: World) -> None:
    r = w.pick("applications", lambda r: r["completed_at"] is not None)
    r["result_confirmed"] = False
    w.expected.add("application-result-confirmed", r["application_id"])


def inject_17_no_followup(w: World) -> None:
    window = timedelta(days=7)
    r = w.pick("applications", lambda r: r["completed_at"] is not None and r["completed_at"] + window <= w.as_of)
    w.data["followups"] = [f for f in w.data["followups"] if f["application_id"] != r["application_id"]]
    w.expected.add("application-followed-up", r["application_id"])


def inject_18_issue_reported_back_late(w: World) -> None:
    def soon(r: dict) -> bool:  # visited within its window, with time left in the month to be late
        done = r["completed_at"]
        return done is not None and done.date() <= _early(w) and w.cal.add(done, 4 * H) <= done + timedelta(days=6)

    app = w.pick("applications", soon)
    w.data["followups"] = [f for f in w.data["followups"] if f["application_id"] != app["application_id"]]
    r = w._followup(app["application_id"], w.later(app["completed_at"], 2, 4), satisfaction=5, issue=True, report_h=32)
    w.reserve("followups", r["followup_id"])
    w.expected.add("followup-issue-resolved", r["followup_id"])


def inject_19_source_missing(w: World) -> None:
    r = w.pick("inquiries")
    r["source"] = None
    w.expected.add("inquiry-source-recorded", r["inquiry_id"])


def inject_20_bad_timestamp(w: World) -> None:
    r = w.pick("inquiries", lambda r: not r["answered_on_spot"])
    r["received_at"] = r["received_at"].strftime("%Y-%m-32 %H:%M:00")
    w.expected.add("data-quality", r["inquiry_id"], status="invalid")


def inject_21_bad_enum(w: World) -> None:
    r = w.pick("applications", lambda r: r["complexity"] == "standard" and not r["has_doubts"])
    r["complexity"] = "复杂"
    w.expected.add("data-quality", r["application_id"], status="invalid")


def inject_22_duplicate_problem(w: World) -> None:
    r = w.pick("problems", lambda r: r["status"] == "closed")
    w.data["problems"].append(dict(r))
    w.expected.add("problems-key-unique", r["problem_id"])


def inject_23_bad_number(w: World) -> None:
    r = w.pick("followups", lambda r: not r["issue_raised"] and r["satisfaction"] >= 4)
    r["satisfaction"] = "五"
    w.expected.add("data-quality", r["followup_id"], status="invalid")
    w.expected.add("followup-recorded", r["followup_id"])


def inject_24_report_without_recommendations(w: World) -> None:
    r = w.pick("data_reports")
    r["has_recommendations"] = False
    w.expected.add("data-report-sections", r["report_id"])


def inject_25_backups_missed(w: World) -> None:
    system = w.rng.choice(SYSTEMS)
    runs = [b for b in w.data["backups"] if b["system"] == system]
    at = w.rng.randrange(4, len(runs) - 6)
    for missed in runs[at + 1: at + 3]:
        w.data["backups"].remove(missed)
    w.reserve("backups", runs[at]["backup_id"])
    w.expected.add("backup-interval", runs[at]["backup_id"])


def inject_26_backup_not_encrypted(w: World) -> None:
    r = w.pick("backups")
    r["encrypted"] = False
    w.expected.add("backup-secured", r["backup_id"])


def inject_27_problem_reported_late(w: World) -> None:
    r = w._problem(last=_early(w), severity="low", scope="team", report_min=w.rng.uniform(150, 200))
    w.reserve("problems", r["problem_id"])
    w.expected.add("problem-reported-in-time", r["problem_id"])


def inject_28_interim_measure_late(w: World) -> None:
    r = w._problem(last=_early(w), severity="high", scope="team", urgent=True, interim_min=w.rng.uniform(45, 90))
    w.reserve("problems", r["problem_id"])
    w.expected.add("problem-interim-measure", r["problem_id"])


def inject_29_priority_off_the_table(w: World) -> None:
    r = w._problem(last=_early(w), severity="high", scope="customer", urgent=False, priority="P2")
    w.reserve("problems", r["problem_id"])
    w.expected.add("problem-priority-consistent", r["problem_id"])


def inject_30_resolved_late(w: World) -> None:
    reported = w.moment(last=_early(w))
    r = w._problem(severity="medium", scope="team", reported=reported, resolve=w.later(reported, 30, 36))
    w.reserve("problems", r["problem_id"])
    w.expected.add("problem-resolution-deadline", r["problem_id"])


def inject_31_open_problem_near_deadline(w: World) -> None:
    # 88 % of its 3 working days used at the end of the month: an early warning.
    reported = _minute(w.cal.subtract(w.as_of, 0.88 * 3 * DAY))
    r = w._problem(severity="medium", scope="team", reported=reported, resolve=w.as_of + timedelta(days=5))
    w.reserve("problems", r["problem_id"])
    w.expected.add("problem-resolution-deadline", r["problem_id"], status="warning")


def inject_32_closed_unverified(w: World) -> None:
    r = w.pick("problems", lambda r: r["status"] == "closed")
    r.update(verified_at=None, verifier_id=None)
    w.expected.add("problem-verified-before-closure", r["problem_id"])


def inject_33_resolver_verified(w: World) -> None:
    r = w.pick("problems", lambda r: r["verifier_id"] is not None)
    r["verifier_id"] = r["resolver_id"]
    w.expected.add("problem-closure-four-eyes", r["problem_id"])


def inject_34_closed_without_lessons(w: World) -> None:
    r = w.pick("problems", lambda r: r["status"] == "closed")
    r["lessons_learned"] = None
    w.expected.add("problem-closure-summary", r["problem_id"])


def inject_35_no_written_test(w: World) -> None:
    r = w.pick("staff", lambda r: r in w.specialists)
    r["hire_written_test"] = False
    w.expected.add("staff-hiring-stages", r["employee_id"])


def inject_36_training_evaluated_late(w: World) -> None:
    person = w.pick("staff", lambda r: r in w.specialists)
    r = w._training(person["employee_id"], "skills", w.moment(last=w.days[len(w.days) // 3], latest=time(16)), evaluate_after=16)
    w.reserve("trainings", r["training_id"])
    w.expected.add("training-evaluated", r["training_id"])


def _result(w: World, test: Callable[[dict], bool]) -> dict:
    """A result whose employee no other injection touches (and none will)."""
    r = w.pick("appraisal_results", lambda r: test(r) and ("staff", r["employee_id"]) not in w.used)
    w.reserve("staff", r["employee_id"])
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
    w.data["appraisals"] = [a for a in w.data["appraisals"]
                            if not (a["employee_id"] == r["employee_id"] and a["evaluator_type"] == "self")]
    w.expected.add("appraisal-evaluators-complete", group={"employee_id": r["employee_id"], "cycle": "monthly", "period": r["period"]})
    w.expected.add("appraisal-score-computed", r["result_id"])


def inject_40_not_appraised(w: World) -> None:
    r = _result(w, lambda r: True)
    w.data["appraisal_results"].remove(r)
    w.expected.add("staff-appraised-monthly", r["employee_id"])


def inject_41_score_misrecorded(w: World) -> None:
    r = _result(w, lambda r: r["recorded_grade"] in ("good", "qualified"))
    r["recorded_score"] = f"{r['_score'] + 3.2:.2f}"
    w.expected.add("appraisal-score-computed", r["result_id"])


def inject_42_career_plan_not_reviewed(w: World) -> None:
    r = w.pick("staff", lambda r: r in w.specialists and r["career_plan_reviewed_at"] is not None)
    r["career_plan_reviewed_at"] = _months_before(w.as_of.date(), 13)
    w.expected.add("career-plan-reviewed", r["employee_id"])


def inject_43_onboarding_near_deadline(w: World) -> None:
    # Hired 24 days before the end of the month and not yet trained: 80 % of 30 days.
    segment, boss = next(iter(w.supervisors.items()))
    r = w._employee("specialist", segment, boss["employee_id"], hired=w.as_of.date() - timedelta(days=24))
    r.update(onboarding_trained_at=None, career_plan_at=None, career_plan_reviewed_at=None)
    w.reserve("staff", r["employee_id"])
    w.expected.add("onboarding-training", r["employee_id"], status="warning")


def inject_44_level_off_track(w: World) -> None:
    r = w.pick("staff", lambda r: r in w.specialists and r["track"] == "technical")
    r["level"] = "supervisor"
    w.expected.add("staff-level-on-track", r["employee_id"])


def inject_45_meeting_without_minutes(w: World) -> None:
    r = w.pick("meetings", lambda r: r["kind"] == "department_regular")
    r["minutes_recorded"] = False
    w.expected.add("meeting-minutes-recorded", r["meeting_id"])


def inject_46_no_agreement(w: World) -> None:
    r = w.pick("collaborations", lambda r: r["decision"] == "agreed")
    r["agreement_ref"] = None
    w.expected.add("collaboration-agreement", r["request_id"])


def inject_47_evaluated_late(w: World) -> None:
    r = w._collaboration(last=_early(w), evaluate_h=32, agreed=False)
    w.reserve("collaborations", r["request_id"])
    w.expected.add("collaboration-evaluated-in-time", r["request_id"])


def inject_48_completed_late(w: World) -> None:
    r = w._collaboration(last=w.days[len(w.days) // 4], evaluate_h=2, agreed=True, late_days=1)
    while r["completed_at"] is None:  # completion must fall in the month to be late
        w.data["collaborations"].remove(r)
        r = w._collaboration(last=w.days[len(w.days) // 4], evaluate_h=2, agreed=True, late_days=1)
    w.reserve("collaborations", r["request_id"])
    w.expected.add("collaboration-completed-on-time", r["request_id"])


def inject_49_completed_without_summary(w: World) -> None:
    r = w.pick("collaborations", lambda r: r["completed_at"] is not None)
    r["summary"] = None
    w.expected.add("collaboration-accepted", r["request_id"])


def inject_50_risk_grade_misrecorded(w: World) -> None:
    r = w._risk(likelihood=2, impact=5, strategy="reduce")
    r["recorded_grade"] = "low"
    w.reserve("risks", r["risk_id"])
    w.expected.add("risk-grade-banding", r["risk_id"])


def inject_51_high_risk_not_avoided(w: World) -> None:
    r = w._risk(likelihood=4, impact=4, controllable=False, strategy="reduce")
    w.reserve("risks", r["risk_id"])
    w.expected.add("risk-avoid-uncontrollable-high", r["risk_id"])


def inject_52_medium_risk_accepted(w: World) -> None:
    r = w._risk(likelihood=3, impact=3, strategy="accept")
    w.reserve("risks", r["risk_id"])
    w.expected.add("risk-accept-low-only", r["risk_id"])


def inject_53_transfer_without_instrument(w: World) -> None:
    r = w._risk(likelihood=2, impact=4, strategy="transfer")
    r["transfer_instrument"] = None
    w.reserve("risks", r["risk_id"])
    w.expected.add("risk-transfer-instrument", r["risk_id"])


def inject_54_high_risk_review_overdue(w: World) -> None:
    r = w._risk(likelihood=5, impact=4, controllable=True, strategy="reduce", review_age=w.rng.uniform(33, 45))
    w.reserve("risks", r["risk_id"])
    w.expected.add("risk-review-interval", r["risk_id"])


def inject_55_kri_breach(w: World) -> None:
    r = w.pick("risks", lambda r: r["kri_threshold"] is not None)
    r["kri_value"] = round(r["kri_threshold"] * 1.1, 2)
    w.expected.add("risk-kri-breach", r["risk_id"])


def inject_57_kri_early_warning(w: World) -> None:
    r = w.pick("risks", lambda r: r["kri_threshold"] is not None)
    r["kri_value"] = round(r["kri_threshold"] * 0.9, 2)
    w.expected.add("risk-kri-warning", r["risk_id"], status="warning")


def inject_56_staff_bad_date(w: World) -> None:
    r = w.pick("staff", lambda r: r in w.specialists)
    r["hired_at"] = f"{r['hired_at']:%Y}/13/{r['hired_at']:%d}"
    w.expected.add("data-quality", r["employee_id"], status="invalid")


# ---- writing ------------------------------------------------------------------------------
DATASETS = {
    "staff": ["employee_id", "name", "role", "track", "level", "segment", "supervisor_id", "hired_at", "left_at",
              "onboarding_trained_at", "career_plan_at", "career_plan_reviewed_at", "hire_screened",
              "hire_written_test", "hire_interviewed"],
    "inquiries": ["inquiry_id", "channel", "received_at", "customer_id", "subject", "answered_on_spot",
                  "customer_contact", "replied_at", "agent_id", "source"],
    "applications": ["application_id", "customer_id", "business_type", "submitted_at", "has_application_form",
                     "has_id_proof", "has_supporting_docs", "precheck_at", "precheck_result", "correction_notified_at",
                     "correction_received_at", "entered_at", "assigned_to", "assigned_at", "entered_by", "complexity",
                     "has_doubts", "reviewed_at", "reviewer_id", "review_result", "joint_reviewers", "rejection_reason",
                     "rejection_notified_at", "completed_at", "result_confirmed", "customer_notified_at"],
    "followups": ["followup_id", "application_id", "visited_at", "satisfaction", "issue_raised", "issue_resolved_at",
                  "result_reported_at", "agent_id"],
    "problems": ["problem_id", "discovered_at", "occurred_at", "reported_at", "reporter_id", "description",
                 "impact_scope", "severity", "urgent", "interim_measure_at", "escalated_at", "assessed_at", "priority",
                 "owner_id", "root_cause", "solution_plan", "resolved_at", "resolver_id", "verified_at", "verifier_id",
                 "closed_at", "status", "lessons_learned", "preventive_measures"],
    "data_reports": ["report_id", "period", "author_id", "submitted_at", "has_purpose", "has_method", "has_results",
                     "has_recommendations", "recipients"],
    "backups": ["backup_id", "system", "started_at", "finished_at", "encrypted", "verified"],
    "appraisals": ["appraisal_id", "employee_id", "cycle", "period", "evaluator_type", "evaluator_id", "performance",
                   "ability", "attitude"],
    "appraisal_results": ["result_id", "employee_id", "cycle", "period", "recorded_score", "recorded_grade", "action",
                          "action_recorded_at"],
    "trainings": ["training_id", "employee_id", "kind", "held_at", "evaluated_at", "evaluation_score"],
    "meetings": ["meeting_id", "kind", "held_at", "minutes_recorded"],
    "collaborations": ["request_id", "from_dept", "to_dept", "item", "goal", "required_by", "submitted_at",
                       "evaluated_at", "decision", "plan_at", "completed_at", "accepted_at", "summary", "agreement_ref"],
    "risks": ["risk_id", "category", "source", "identified_at", "likelihood", "impact", "recorded_grade",
              "controllable", "strategy", "owner_id", "control_measures", "transfer_instrument", "last_reviewed_at",
              "kri_value", "kri_threshold"],
}
KEYS = {name: columns[0] for name, columns in DATASETS.items()}
XLSX = "staff"          # the HR roster comes out of Excel
BOM = ("problems",)      # written by Excel "CSV UTF-8": with a byte-order mark
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, columns: list[str], rows: list[dict], bom: bool) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([text(row.get(c)) for c in columns])


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
    for name, columns in DATASETS.items():
        for stale in out.glob(f"{name}.*"):
            stale.unlink()
        if name == XLSX:
            write_xlsx(out / f"{name}.xlsx", columns, w.data[name])
        else:
            write_csv(out / f"{name}.csv", columns, w.data[name], name in BOM)
    (out / "export.yaml").write_text(f"period: {w.start:%Y-%m}\n", encoding="utf-8")
    findings = sorted(w.expected.findings, key=lambda f: (f["rule"], f.get("key") or "", json.dumps(f.get("group"), sort_keys=True)))
    (out / "expected-findings.json").write_text(json.dumps(findings, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def generate(month: str, rows: int, seed: int, violations: bool = True) -> World:
    if rows < 60:
        raise SystemExit("--rows must be at least 60")
    w = World(month, rows, seed)
    w.build()
    if violations:
        for inject in injections():
            inject(w)
    for name in ("appraisal_results", "risks"):
        for r in w.data[name]:
            r.pop("_score", None), r.pop("_title", None)
    return w


def _minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return day.replace(year=year, month=month + 1, day=min(day.day, 28))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="2026-10", help="the month, YYYY-MM (default 2026-10)")
    parser.add_argument("--out", required=True, type=Path, help="folder to write the export to")
    parser.add_argument("--rows", type=int, default=300, help="size: inquiries per month; other datasets scale with it (default 300)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--no-violations", action="store_true", help="write a clean export: no injected violations")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        parser.error("--month must be YYYY-MM")
    write(generate(args.month, args.rows, args.seed, not args.no_violations), args.out)


if __name__ == "__main__":
    main()
