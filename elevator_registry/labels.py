"""Chinese labels for every enum a person can read, in one place (pages, exports, messages).

`label(value)` takes an enum member or its stored value (a string read from a row) and returns
its Chinese label; a value no enum has is returned unchanged, so a label never hides data. The
pages use it as the Jinja filter `zh`. `tests/test_labels.py` checks that every member of every
enum listed in `ENUM_LABELS` has a label, and the page walk fails on any raw value that escapes.
"""

from enum import StrEnum

from elevator_registry.auth.enums import Role
from elevator_registry.governance.enums import InsuranceKind, VetoKind
from elevator_registry.incidents.enums import (
    FaultCause,
    IncidentChannel,
    IncidentEventKind,
    IncidentKind,
    IncidentStatus,
)
from elevator_registry.inspection.enums import (
    AssessmentConclusion,
    InspectionKind,
    InspectionResult,
)
from elevator_registry.inspection.schedule import InspectionRegime, Obligation
from elevator_registry.maintenance.enums import HazardSeverity, RecordClass
from elevator_registry.notifications import enums as notification_enums
from elevator_registry.registry.enums import (
    ContractMode,
    ElevatorStatus,
    ElevatorType,
    LicenceKind,
    LicenceStatus,
    OrganisationRole,
    PlaceCategory,
    StreetKind,
    WarrantyContext,
    WarrantyScope,
)
from elevator_registry.rules.catalogue import Severity
from elevator_registry.visits.checklist import ITEM_RESULT_ZH, ItemResult
from elevator_registry.visits.enums import PhotoPhase, Presence

ENUM_LABELS: dict[type[StrEnum], dict[str, str]] = {
    Severity: {"critical": "严重", "high": "高", "medium": "中", "low": "低"},
    Role: {
        "bureau": "区市场监管局",
        "street_office": "街镇",
        "maintenance_unit": "维保单位",
        "user_unit": "使用单位",
        "inspection_agency": "检验机构",
        "operator": "96333 坐席",
        "iot_platform": "物联网平台",
        "cli": "命令行",
    },
    InsuranceKind: {"liability": "责任险", "comprehensive": "综合险"},
    VetoKind: {
        "safety_accident": "发生安全事故",
        "safety_circuit_shorted": "短接安全回路",
        "subcontracting": "转包分包维保业务",
    },
    IncidentKind: {
        "trapped": "电梯困人",
        "fault": "电梯故障",
        "complaint": "投诉",
        "consultation": "咨询",
    },
    IncidentChannel: {"public": "群众报告", "operator": "96333 坐席", "iot": "物联网报警"},
    IncidentStatus: {
        "reported": "已接报",
        "dispatched": "已派单",
        "accepted": "维保单位已接单",
        "arrived": "救援人员已到场",
        "released": "被困人员已解救",
        "closed": "已办结",
        "self_released": "已自行脱困",
        "false_alarm": "误报",
        "cancelled": "已取消",
    },
    IncidentEventKind: {
        "reported": "收到报告",
        "dispatched": "派单至维保单位",
        "escalated": "升级处置",
        "duplicate_report": "收到重复报告",
        "ack_timeout": "超时未接单，已再次通知",
        "accepted": "维保单位接单",
        "arrived": "救援人员到场",
        "released": "被困人员解救",
        "closed": "已办结",
        "self_released": "已自行脱困",
        "false_alarm": "误报",
        "cancelled": "已取消",
    },
    FaultCause: {
        "door_system": "门系统",
        "traction": "曳引系统",
        "guidance": "导向系统",
        "car_counterweight": "轿厢与对重",
        "control": "电气控制系统",
        "safety_devices": "安全保护装置",
        "elevator_power": "电梯电源",
        "power_cut": "外部停电",
        "misuse": "使用不当",
        "environment": "环境因素",
        "other": "其他",
        "unknown": "原因不明",
    },
    InspectionKind: {
        "installation_supervision": "监督检验",
        "periodic": "定期检验",
        "self_test": "自行检测",
        "re_inspection": "复检",
    },
    InspectionResult: {"pass": "合格", "fail": "不合格", "pass_after_rectification": "整改后合格"},
    AssessmentConclusion: {
        "continue_use": "继续使用",
        "repair": "维修",
        "modernise": "改造",
        "replace": "更新",
    },
    InspectionRegime: {"t7001_2023": "TSG T7001-2023", "yearly": "每年定期检验"},
    Obligation: {"periodic": "定期检验", "self_test": "自行检测"},
    RecordClass: {
        "half_month": "半月",
        "quarter": "季度",
        "half_year": "半年",
        "year": "年度",
        "repair": "维修",
        "on_demand": "按需维保",
    },
    HazardSeverity: {"general": "一般隐患", "serious": "重大隐患"},
    ItemResult: dict(ITEM_RESULT_ZH),
    PhotoPhase: {"before": "作业前", "after": "作业后"},
    Presence: {
        "confirmed_by_own_account": "本人账号确认到场",
        "entered_by_first": "由签到人员录入",
    },
    OrganisationRole: {
        "manufacturer": "制造单位",
        "installer": "安装单位",
        "maintainer": "维保单位",
        "inspection_agency": "检验机构",
        "user_unit": "使用单位",
        "insurer": "保险公司",
    },
    LicenceKind: {
        "manufacture": "制造许可",
        "installation_maintenance": "安装改造修理许可",
        "inspection": "检验检测资质",
    },
    LicenceStatus: {"valid": "有效", "suspended": "暂停", "revoked": "吊销", "expired": "过期"},
    ElevatorType: {
        "3110": "曳引驱动乘客电梯",
        "3120": "曳引驱动载货电梯",
        "3130": "强制驱动载货电梯",
        "3210": "液压乘客电梯",
        "3220": "液压载货电梯",
        "3310": "自动扶梯",
        "3320": "自动人行道",
        "3410": "防爆电梯",
        "3420": "消防员电梯",
        "3430": "杂物电梯",
    },
    PlaceCategory: {
        "residential": "住宅",
        "school": "学校",
        "kindergarten": "幼儿园",
        "hospital": "医院",
        "station": "车站",
        "passenger_terminal": "客运码头",
        "mall": "商场",
        "stadium": "体育场馆",
        "exhibition_hall": "展览馆",
        "park": "公园",
        "scenic_spot": "旅游景区",
        "office": "办公楼",
        "factory": "厂房",
        "other": "其他",
    },
    ElevatorStatus: {
        "registered": "已登记",
        "in_use": "在用",
        "suspended": "停用",
        "scrapped": "报废",
    },
    StreetKind: {"subdistrict": "街道", "town": "镇"},
    ContractMode: {
        "regular": "常规维保（每15日）",
        "on_demand": "按需维保",
        "full_package": "全包",
        "major_package": "大包",
    },
    WarrantyScope: {
        "whole_unit": "整机",
        "traction_machine": "曳引机",
        "door_operator": "门机",
        "safety_gear": "安全钳",
        "overspeed_governor": "限速器",
        "control_cabinet": "控制柜",
    },
    WarrantyContext: {
        "subsidised_renovation": "补贴改造",
        "new_installation": "新装",
        "other": "其他",
    },
}
# The outbox's vocabularies carry their labels on the enums themselves (`title_zh`).
ENUM_LABELS |= {
    enum: {member.value: member.title_zh for member in enum}
    for enum in (
        notification_enums.Channel,
        notification_enums.MessageStatus,
        notification_enums.AttemptOutcome,
        notification_enums.Topic,
        notification_enums.PolicyTrigger,
        notification_enums.TargetKind,
    )
}

# A stored value read from a row carries no enum type. Values shared by several enums mean the
# same in each except three (test_labels checks): a bare "suspended" is an elevator's status (a
# licence's reads through its enum), an incident's status wins over the event kind, and a bare
# "ack_timeout" is the timeline's event (the policy step's trigger reads through its enum).
_BY_VALUE: dict[str, str] = {}
for _labels in ENUM_LABELS.values():
    _BY_VALUE.update(_labels)
_BY_VALUE.update(ENUM_LABELS[ElevatorStatus])
_BY_VALUE.update(ENUM_LABELS[IncidentEventKind])
_BY_VALUE.update(ENUM_LABELS[IncidentStatus])


def label(value: object) -> str:
    """The Chinese label of an enum member or stored enum value; anything else as text.

    `None` reads as "—", the pages' sign for no value.
    """
    if value is None:
        return "—"
    if isinstance(value, StrEnum):
        labels = ENUM_LABELS.get(type(value))
        if labels is not None and value.value in labels:
            return labels[value.value]
        return _BY_VALUE.get(value.value, value.value)
    text = str(value)
    return _BY_VALUE.get(text, text)


def label_with_code(value: str) -> str:
    """A stored value as a person reads it with the code a program writes beside it,
    `住宅（residential）`; the value alone when it has no label."""
    named = label(value)
    return f"{named}（{value}）" if named != value else value


def raw_values() -> frozenset[str]:
    """Every enum value that is an ASCII word (what a page must never show a person)."""
    return frozenset(
        value
        for labels in ENUM_LABELS.values()
        for value in labels
        if value.isascii() and any(character.isalpha() for character in value)
    )


def actor_label(actor: str | None) -> str:
    """Who filed a record, for a person: `bureau:张三的令牌#12` → `区市场监管局（张三的令牌）`.

    Evidence rows store the principal's label (`role:token label#token id`, `public`, `cli`);
    the token's id is internal, the role reads in Chinese.
    """
    if not actor:
        return "—"
    role, separator, rest = actor.partition(":")
    if not separator:
        return label(role)
    name = rest.rsplit("#", 1)[0] if "#" in rest else rest
    return f"{label(role)}（{name}）" if name else label(role)


def yes_no(value: bool | None) -> str:
    """是 / 否 for a flag, — for unknown."""
    return "—" if value is None else ("是" if value else "否")
