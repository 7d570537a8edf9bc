"""The plan's rules as data: code, severity, titles, source, parameters and query (DESIGN §3).

One object per rule. Write-time refusals raise `RuleViolation(rule.code, ...)`, the risk list
runs `rule.query`, and docs/RULES.md is generated from these objects, so the error a client
sees, the list the bureau reads and the documentation all name the same rule.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlalchemy import Select

from elevator_registry.inspection.schedule import month_last_day
from elevator_registry.rules import queries
from elevator_registry.rules.context import RuleContext


class Severity(StrEnum):
    """How urgently the bureau should act; weights are in settings."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Enforcement(StrEnum):
    """W = refused on write, L = on the risk list, K = feeds a KPI."""

    WRITE = "W"
    LIST = "L"
    KPI = "K"


# (ref_date, value, as_of) → (Chinese, English) text of one finding.
Detail = Callable[[date | None, int | None, date], tuple[str, str]]


def _days(since: date | None, as_of: date) -> int:
    return (as_of - since).days if since else 0


@dataclass(frozen=True)
class Rule:
    """One rule of the plan or the law."""

    code: str
    severity: Severity
    title_zh: str
    title_en: str
    source: str
    enforcement: frozenset[Enforcement]
    params: tuple[str, ...] = field(default=())
    query: Callable[[RuleContext], Select] | None = None
    detail: Detail | None = None

    def describe(self, ref_date: date | None, value: int | None, as_of: date) -> tuple[str, str]:
        """Human text of a finding, in Chinese and English."""
        if self.detail is None:
            return self.title_zh, self.title_en
        return self.detail(ref_date, value, as_of)


W, L = Enforcement.WRITE, Enforcement.LIST


def _aging(ref: date | None, threshold: int | None, as_of: date) -> tuple[str, str]:
    years = _days(ref, as_of) // 365
    return (
        f"{ref} 投用，已使用约 {years} 年（≥{threshold} 年），尚无安全评估",
        f"in use since {ref}, about {years} years (≥{threshold}), no safety assessment",
    )


def _maintenance(ref: date | None, interval: int | None, as_of: date) -> tuple[str, str]:
    if ref is None:
        return (
            f"无维保记录（要求每 {interval} 天）",
            f"no maintenance record (required every {interval} days)",
        )
    days = _days(ref, as_of)
    return (
        f"上次维保 {ref}，已 {days} 天（要求每 {interval} 天）",
        f"last maintenance {ref}, {days} days ago (required every {interval} days)",
    )


CLASS_NAMES = {1: ("季度", "quarter", 92), 2: ("半年", "half-year", 183), 3: ("年度", "year", 366)}


def _class(_ref: date | None, rank: int | None, _as_of: date) -> tuple[str, str]:
    zh, en, days = CLASS_NAMES[rank or 1]
    return f"{days} 天内无{zh}维保", f"no {en} class maintenance in {days} days"


def _optional_since(zh: str, en: str, none_zh: str, none_en: str) -> Detail:
    def detail(ref: date | None, value: int | None, as_of: date) -> tuple[str, str]:
        if ref is None:
            return none_zh.format(value=value), none_en.format(value=value)
        days = _days(ref, as_of)
        return zh.format(ref=ref, value=value, days=days), en.format(
            ref=ref, value=value, days=days
        )

    return detail


AGING_ASSESSMENT_MISSING = Rule(
    "AGING_ASSESSMENT_MISSING",
    Severity.HIGH,
    "老旧电梯未安全评估",
    "Aged elevator without safety assessment",
    "綦江区安全乘梯守护行动方案 §二 (2022): 全面开展15年以上老旧住宅电梯安全评估; 重庆市实践: 公众聚集场所10年",
    frozenset({L}),
    ("aging_years", "aging_public_place_years"),
    queries.aging_assessment_missing,
    _aging,
)
ASSESSMENT_HIGH_RISK = Rule(
    "ASSESSMENT_HIGH_RISK",
    Severity.HIGH,
    "安全评估风险等级高",
    "Safety assessment shows high risk",
    "方案 §三(二); GB/T 42615-2023 在用电梯安全评估规范",
    frozenset({L}),
    ("assessment_high_risk_grade",),
    queries.assessment_high_risk,
    lambda ref, grade, _as_of: (
        f"{ref} 安全评估风险等级 {grade} 级或结论为改造/更新，尚未改造",
        f"assessment of {ref}: risk grade {grade} or modernise/replace, not modernised since",
    ),
)


def _due(packed: int | None) -> tuple[date, str, str]:
    """Unpacks `value` = due month number·10 + kind (1 periodic, 2 self-test)."""
    month, kind = divmod(packed or 0, 10)
    due = month_last_day(month)
    return (due, "定期检验", "periodic inspection") if kind == 1 else (due, "自行检测", "self-test")


def _inspection_overdue(_ref: date | None, packed: int | None, as_of: date) -> tuple[str, str]:
    due, zh, en = _due(packed)
    return (
        f"{zh}应于 {due} 前完成，已超期 {(as_of - due).days} 天",
        f"{en} was due by {due}, {(as_of - due).days} days overdue",
    )


def _inspection_due_soon(_ref: date | None, packed: int | None, as_of: date) -> tuple[str, str]:
    due, zh, en = _due(packed)
    return (
        f"{zh}应于 {due} 前完成（还有 {(due - as_of).days} 天）",
        f"{en} due by {due} (in {(due - as_of).days} days)",
    )


INSPECTION_OVERDUE = Rule(
    "INSPECTION_OVERDUE",
    Severity.CRITICAL,
    "定期检验/自行检测超期",
    "Periodic inspection or self-test overdue",
    "TSG T7001-2023 §4.1 (1、4、7、9、11、13、15年定期检验，15年后每年); TSG T7008-2023 (其余年份自行检测)",
    frozenset({L}),
    ("inspection_regime",),
    queries.inspection_overdue,
    _inspection_overdue,
)
INSPECTION_DUE_SOON = Rule(
    "INSPECTION_DUE_SOON",
    Severity.LOW,
    "检验即将到期",
    "Inspection due within 30 days",
    "特种设备安全法 第四十条 (提前一个月申报)",
    frozenset({L}),
    ("inspection_due_soon_days",),
    queries.inspection_due_soon,
    _inspection_due_soon,
)
INSPECTION_FAILED_IN_USE = Rule(
    "INSPECTION_FAILED_IN_USE",
    Severity.CRITICAL,
    "检验不合格仍在使用",
    "Failed inspection, still in use",
    "特种设备安全法 第四十条",
    frozenset({W, L}),
    (),
    queries.inspection_failed_in_use,
    lambda ref, _value, _as_of: (
        f"{ref} 检验不合格，未经复检合格仍在使用",
        f"failed inspection on {ref}, in use without a passing re-inspection",
    ),
)
MAINTENANCE_OVERDUE = Rule(
    "MAINTENANCE_OVERDUE",
    Severity.HIGH,
    "维保超期",
    "Maintenance overdue",
    "特种设备安全监察条例 第三十一条; TSG T5002-2017",
    frozenset({L}),
    ("maintenance_interval_days",),
    queries.maintenance_overdue,
    _maintenance,
)
MAINTENANCE_CLASS_OVERDUE = Rule(
    "MAINTENANCE_CLASS_OVERDUE",
    Severity.MEDIUM,
    "季度/半年/年度维保缺失",
    "Quarter, half-year or year maintenance missing",
    "TSG T5002-2017 (维保分为半月、季度、半年、年度)",
    frozenset({L}),
    ("maintenance_quarter_days", "maintenance_half_year_days", "maintenance_year_days"),
    queries.maintenance_class_overdue,
    _class,
)
RECORD_UNCONFIRMED = Rule(
    "RECORD_UNCONFIRMED",
    Severity.LOW,
    "维保记录未经使用单位确认",
    "Maintenance record not confirmed by the user unit",
    "TSG T5002-2017 第七条 (维保记录应当经使用单位安全管理人员签字确认)",
    frozenset({L}),
    ("record_confirmation_days", "record_confirmation_lookback_days"),
    queries.record_unconfirmed,
    lambda ref, count, _as_of: (
        f"{count} 条维保记录超过 7 天未确认，最早 {ref}",
        f"{count} maintenance records unconfirmed after 7 days, oldest {ref}",
    ),
)
NO_USER_UNIT = Rule(
    "NO_USER_UNIT",
    Severity.CRITICAL,
    "使用单位不明确",
    "No user unit",
    "方案 §三(六)2, (七)3: 使用单位不明确的电梯不得投入使用",
    frozenset({W, L}),
    (),
    queries.no_user_unit,
    lambda _ref, _value, _as_of: ("在用但无使用单位", "in use without a user unit"),
)
THREE_NO = Rule(
    "THREE_NO",
    Severity.HIGH,
    "三无电梯",
    "No property management, contract or repair fund",
    "方案 §三(二) (无物业管理、无维护保养、无维修资金)",
    frozenset({L}),
    (),
    queries.three_no,
    lambda _ref, _value, _as_of: (
        "无物业管理、无维保合同、无维修资金",
        "no property management, no maintenance contract, no repair fund",
    ),
)
NO_MAINTENANCE_CONTRACT = Rule(
    "NO_MAINTENANCE_CONTRACT",
    Severity.CRITICAL,
    "无有效维保合同",
    "In use without a maintenance contract",
    "特种设备安全法 第四十五条",
    frozenset({L}),
    (),
    queries.no_maintenance_contract,
    _optional_since(
        "维保合同已于 {ref} 终止",
        "last maintenance contract ended {ref}",
        "从无维保合同",
        "never had a maintenance contract",
    ),
)
MAINTAINER_NOT_ELIGIBLE = Rule(
    "MAINTAINER_NOT_ELIGIBLE",
    Severity.CRITICAL,
    "维保单位不具备资格",
    "Maintainer blacklisted or without a valid licence",
    "方案 §三(八),(十一); 特种设备安全法 第四十五条",
    frozenset({W, L}),
    (),
    queries.maintainer_not_eligible,
    lambda _ref, unit, _as_of: (
        "当前维保单位已列入黑名单或无有效许可",
        f"maintenance unit #{unit} is blacklisted or holds no licence in force",
    ),
)
LICENCE_BAN = Rule(
    "LICENCE_BAN",
    Severity.HIGH,
    "吊销许可三年内不得申请",
    "Licence ban within 3 years of revocation",
    "方案 §三(十一)",
    frozenset({W}),
    ("licence_ban_years",),
)
ON_DEMAND_NOT_ELIGIBLE = Rule(
    "ON_DEMAND_NOT_ELIGIBLE",
    Severity.HIGH,
    "不具备按需维保条件",
    "Not eligible for on-demand maintenance",
    "方案 §三(三) (深化按需维保改革); 上海按需维保试点条件: 维保单位评级C级以上、检验有效、"
    "物联网监测、责任保险 (domain-rules M16, S6)",
    frozenset({W}),
    ("rating_grade_thresholds",),
)
HIGH_FAULT_FREQUENCY = Rule(
    "HIGH_FAULT_FREQUENCY",
    Severity.MEDIUM,
    "故障频发",
    "Frequent faults",
    "方案 §三(七)3 (故障频发的电梯委托第三方开展安全评估)",
    frozenset({L}),
    ("high_fault_incidents",),
    queries.high_fault_frequency,
    lambda ref, count, _as_of: (
        f"近 12 个月困人/故障 {count} 次，最近 {ref}，建议第三方安全评估",
        f"{count} trapped/fault incidents in 12 months, latest {ref}: third-party evaluation advised",
    ),
)
SERIOUS_HAZARD_OPEN = Rule(
    "SERIOUS_HAZARD_OPEN",
    Severity.CRITICAL,
    "严重隐患未消除",
    "Serious hazard not resolved",
    "特种设备安全法 第四十二条 (及第四十一条: 消除事故隐患后方可继续使用); "
    "方案 §三(七)4 (严重隐患书面通知使用单位停止使用)",
    frozenset({W, L}),
    (),
    queries.serious_hazard_open,
    lambda ref, count, as_of: (
        f"{count} 项严重隐患未消除，最早 {ref}（{_days(ref, as_of)} 天）",
        f"{count} serious hazards open, oldest found {ref} ({_days(ref, as_of)} days)",
    ),
)
WARRANTY_BELOW_MINIMUM = Rule(
    "WARRANTY_BELOW_MINIMUM",
    Severity.MEDIUM,
    "质保期低于要求",
    "Warranty shorter than required",
    "方案 §三(七)1 (财政补助更新改造整梯质保不少于5年; 原厂维保新梯五大部件质保不少于10年)",
    frozenset({W, L}),
    ("warranty_renovation_whole_unit_years", "warranty_maker_major_parts_years"),
    queries.warranty_below_minimum,
    lambda ref, count, _as_of: (
        f"{count} 项质保期低于方案要求（最早自 {ref}）",
        f"{count} warranties shorter than the plan's minimum (earliest from {ref})",
    ),
)
UNREGISTERED_IN_USE = Rule(
    "UNREGISTERED_IN_USE",
    Severity.HIGH,
    "未办理使用登记",
    "In use without use registration",
    "特种设备安全法 第三十三条; TSG 08-2017",
    frozenset({L}),
    ("registration_grace_days",),
    queries.unregistered_in_use,
    lambda ref, _value, as_of: (
        f"{ref} 投用，已 {_days(ref, as_of)} 天未办理使用登记",
        f"in use since {ref} ({_days(ref, as_of)} days) without use registration",
    ),
)
SUSPENDED_RESTART = Rule(
    "SUSPENDED_RESTART",
    Severity.HIGH,
    "停用一年以上未经检验重新启用",
    "Restart after a year out of use without inspection",
    "TSG T7001-2023; TSG 08-2017",
    frozenset({W}),
    ("suspended_restart_days",),
)
PUBLIC_PLACE_CHECKS = Rule(
    "PUBLIC_PLACE_CHECKS",
    Severity.MEDIUM,
    "使用单位自查缺失",
    "User-unit checks missing",
    "方案 §三(七)3; 特种设备安全监察条例 第二十七条",
    frozenset({L}),
    ("usage_check_public_days", "usage_check_days"),
    queries.public_place_checks,
    _optional_since(
        "上次使用单位自查 {ref}（要求每 {value} 天）",
        "last user-unit check {ref} (required every {value} days)",
        "无使用单位自查记录（要求每 {value} 天）",
        "no user-unit check on record (required every {value} days)",
    ),
)
NO_RESCUE_DRILL = Rule(
    "NO_RESCUE_DRILL",
    Severity.MEDIUM,
    "半年内未开展应急演练",
    "No rescue drill in 6 months",
    "TSG T5002-2017 (每半年至少一次应急演练)",
    frozenset({L}),
    ("rescue_drill_days",),
    queries.no_rescue_drill,
    _optional_since(
        "当前维保单位上次应急演练 {ref}",
        "maintenance unit #{value} last held a rescue drill on {ref}",
        "当前维保单位无应急演练记录",
        "maintenance unit #{value} has no rescue drill on record",
    ),
)
MAINTAINER_NON_RESPONSE = Rule(
    "MAINTAINER_NON_RESPONSE",
    Severity.HIGH,
    "维保单位派单未及时响应",
    "Maintainer does not answer dispatches in time",
    "渝府办发〔2021〕94号 方案 §二 (2023 应急响应率≥99%); DB37/T 3451-2018 (响应时间: 派单至维保单位成功响应); "
    "TSG T5002-2017 第五条 (24 小时值班电话, 接到困人报告后及时到场)",
    frozenset({L}),
    ("non_response_threshold", "non_response_window_days", "kpi_response_minutes"),
    queries.maintainer_non_response,
    lambda ref, count, _as_of: (
        f"维保单位近期 {count} 次困人派单未按时接单（最近一次 {ref}）",
        f"the maintainer left {count} trapped-passenger dispatches unanswered in time "
        f"(latest {ref})",
    ),
)
INCIDENT_LATE = Rule(
    "INCIDENT_LATE",
    Severity.CRITICAL,
    "困人救援超时",
    "Trapped-passenger rescue late",
    "方案 §二 (2023 救援到场≤30分钟); TSG T5002-2017 第五条",
    frozenset({L}),
    (),
    queries.incident_late,
    lambda ref, count, _as_of: (
        f"{count} 起困人救援超过到场时限（{ref}）",
        f"{count} trapped-passenger rescues past their arrival deadline ({ref})",
    ),
)

CATALOGUE: tuple[Rule, ...] = (
    AGING_ASSESSMENT_MISSING,
    ASSESSMENT_HIGH_RISK,
    INSPECTION_OVERDUE,
    INSPECTION_DUE_SOON,
    INSPECTION_FAILED_IN_USE,
    MAINTENANCE_OVERDUE,
    MAINTENANCE_CLASS_OVERDUE,
    RECORD_UNCONFIRMED,
    NO_USER_UNIT,
    THREE_NO,
    NO_MAINTENANCE_CONTRACT,
    MAINTAINER_NOT_ELIGIBLE,
    LICENCE_BAN,
    ON_DEMAND_NOT_ELIGIBLE,
    HIGH_FAULT_FREQUENCY,
    SERIOUS_HAZARD_OPEN,
    WARRANTY_BELOW_MINIMUM,
    UNREGISTERED_IN_USE,
    SUSPENDED_RESTART,
    PUBLIC_PLACE_CHECKS,
    NO_RESCUE_DRILL,
    MAINTAINER_NON_RESPONSE,
    INCIDENT_LATE,
)
BY_CODE = {rule.code: rule for rule in CATALOGUE}


def listed_rules() -> tuple[Rule, ...]:
    """The rules that put elevators on the risk list."""
    return tuple(rule for rule in CATALOGUE if rule.query is not None)
