"""The plan's rules as data: code, severity, titles, source and parameters (DESIGN §3).

Write-time refusals raise `RuleViolation(rule.code, ...)` with these objects, so the error a
client sees and the risk list name the same rule.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    """How urgently the bureau should act."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Enforcement(StrEnum):
    """W = refused on write, L = on the risk list, K = feeds a KPI."""

    WRITE = "W"
    LIST = "L"
    KPI = "K"


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


W, L = Enforcement.WRITE, Enforcement.LIST

AGING_ASSESSMENT_MISSING = Rule(
    "AGING_ASSESSMENT_MISSING",
    Severity.HIGH,
    "老旧电梯未安全评估",
    "Aged elevator without safety assessment",
    "綦江区安全乘梯守护行动方案 §二 (2022); 重庆市实践",
    frozenset({L}),
)
ASSESSMENT_HIGH_RISK = Rule(
    "ASSESSMENT_HIGH_RISK",
    Severity.HIGH,
    "安全评估风险等级高",
    "Safety assessment shows high risk",
    "方案 §三(二); GB/T 42615-2023",
    frozenset({L}),
)
INSPECTION_OVERDUE = Rule(
    "INSPECTION_OVERDUE",
    Severity.CRITICAL,
    "定期检验/自行检测超期",
    "Periodic inspection or self-test overdue",
    "TSG T7001-2023 §4.1; TSG T7008-2023",
    frozenset({L}),
    ("inspection_regime",),
)
INSPECTION_DUE_SOON = Rule(
    "INSPECTION_DUE_SOON",
    Severity.LOW,
    "检验即将到期",
    "Inspection due within 30 days",
    "特种设备安全法 第四十条",
    frozenset({L}),
)
INSPECTION_FAILED_IN_USE = Rule(
    "INSPECTION_FAILED_IN_USE",
    Severity.CRITICAL,
    "检验不合格仍在使用",
    "Failed inspection, still in use",
    "特种设备安全法 第四十条",
    frozenset({W, L}),
)
MAINTENANCE_OVERDUE = Rule(
    "MAINTENANCE_OVERDUE",
    Severity.HIGH,
    "维保超期",
    "Maintenance overdue",
    "特种设备安全监察条例 第三十一条; TSG T5002-2017",
    frozenset({L}),
)
MAINTENANCE_CLASS_OVERDUE = Rule(
    "MAINTENANCE_CLASS_OVERDUE",
    Severity.MEDIUM,
    "季度/半年/年度维保缺失",
    "Quarter, half-year or year maintenance missing",
    "TSG T5002-2017",
    frozenset({L}),
)
RECORD_UNCONFIRMED = Rule(
    "RECORD_UNCONFIRMED",
    Severity.LOW,
    "维保记录未经使用单位确认",
    "Maintenance record not confirmed by the user unit",
    "TSG T5002-2017 第七条",
    frozenset({L}),
)
NO_USER_UNIT = Rule(
    "NO_USER_UNIT",
    Severity.CRITICAL,
    "使用单位不明确",
    "No user unit",
    "方案 §三(六)2, (七)3: 使用单位不明确的电梯不得投入使用",
    frozenset({W, L}),
)
THREE_NO = Rule(
    "THREE_NO",
    Severity.HIGH,
    "三无电梯",
    "No property management, contract or repair fund",
    "方案 §三(二)",
    frozenset({L}),
)
NO_MAINTENANCE_CONTRACT = Rule(
    "NO_MAINTENANCE_CONTRACT",
    Severity.CRITICAL,
    "无有效维保合同",
    "In use without a maintenance contract",
    "特种设备安全法 第四十五条",
    frozenset({L}),
)
MAINTAINER_NOT_ELIGIBLE = Rule(
    "MAINTAINER_NOT_ELIGIBLE",
    Severity.CRITICAL,
    "维保单位不具备资格",
    "Maintainer blacklisted or without a valid licence",
    "方案 §三(八),(十一); 特种设备安全法 第四十五条",
    frozenset({W, L}),
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
HIGH_FAULT_FREQUENCY = Rule(
    "HIGH_FAULT_FREQUENCY",
    Severity.MEDIUM,
    "故障频发",
    "Frequent faults",
    "方案 §三(七)3",
    frozenset({L}),
)
SERIOUS_HAZARD_OPEN = Rule(
    "SERIOUS_HAZARD_OPEN",
    Severity.CRITICAL,
    "严重隐患未消除",
    "Serious hazard not resolved",
    "方案 §三(七)4",
    frozenset({L}),
)
WARRANTY_BELOW_MINIMUM = Rule(
    "WARRANTY_BELOW_MINIMUM",
    Severity.MEDIUM,
    "质保期低于要求",
    "Warranty shorter than required",
    "方案 §三(七)1",
    frozenset({W, L}),
    ("warranty_renovation_whole_unit_years", "warranty_maker_major_parts_years"),
)
UNREGISTERED_IN_USE = Rule(
    "UNREGISTERED_IN_USE",
    Severity.HIGH,
    "未办理使用登记",
    "In use without use registration",
    "特种设备安全法 第三十三条; TSG 08-2017",
    frozenset({L}),
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
)
NO_RESCUE_DRILL = Rule(
    "NO_RESCUE_DRILL",
    Severity.MEDIUM,
    "半年内未开展应急演练",
    "No rescue drill in 6 months",
    "TSG T5002-2017",
    frozenset({L}),
)
INCIDENT_LATE = Rule(
    "INCIDENT_LATE",
    Severity.CRITICAL,
    "困人救援超时",
    "Trapped-passenger rescue late",
    "方案 §二 (2023); TSG T5002-2017",
    frozenset({L}),
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
    HIGH_FAULT_FREQUENCY,
    SERIOUS_HAZARD_OPEN,
    WARRANTY_BELOW_MINIMUM,
    UNREGISTERED_IN_USE,
    SUSPENDED_RESTART,
    PUBLIC_PLACE_CHECKS,
    NO_RESCUE_DRILL,
    INCIDENT_LATE,
)
