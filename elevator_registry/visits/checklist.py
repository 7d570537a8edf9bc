"""The TSG T5002-2017 maintenance items of traction and positive-drive elevators, as one table.

Source: TSG T5002-2017《电梯维护保养规则》附件A「曳引与强制驱动电梯维护保养项目（内容）和要求」,
tables A-1 (半月, 31 items), A-2 (季度, 13), A-3 (半年, 15) and A-4 (年度, 17). Codes follow the
standard's numbering: ``A1-5`` is item 5 of table A-1. 第九条 of the rule: a higher class includes
the lower ones, so a year visit does the 76 items of all four tables.

The texts are the standard's own (item and basic requirement); shortened nowhere, since the worker
ticks against exactly what the law asks.
"""

from dataclasses import dataclass
from enum import StrEnum

from elevator_registry.maintenance.enums import RecordClass


class ItemResult(StrEnum):
    """A checklist item's outcome on site."""

    NORMAL = "normal"  # 正常
    ADJUSTED = "adjusted"  # 调整
    REPLACED = "replaced"  # 更换
    NOT_APPLICABLE = "not_applicable"  # 不适用


ITEM_RESULT_ZH = {
    ItemResult.NORMAL: "正常",
    ItemResult.ADJUSTED: "调整",
    ItemResult.REPLACED: "更换",
    ItemResult.NOT_APPLICABLE: "不适用",
}


@dataclass(frozen=True)
class ChecklistItem:
    """One line of 附件A: its code, the item (维保项目) and the basic requirement (基本要求)."""

    code: str
    item: str
    requirement: str


def _table(prefix: str, rows: list[tuple[str, str]]) -> tuple[ChecklistItem, ...]:
    return tuple(
        ChecklistItem(code=f"{prefix}-{number}", item=item, requirement=requirement)
        for number, (item, requirement) in enumerate(rows, start=1)
    )


HALF_MONTH = _table(
    "A1",
    [
        ("机房、滑轮间环境", "清洁，门窗完好，照明正常"),
        ("手动紧急操作装置", "齐全，在指定位置"),
        ("驱动主机", "运行时无异常振动和异常声响"),
        ("制动器各销轴部位", "动作灵活"),
        ("制动器间隙", "打开时制动衬与制动轮不发生摩擦，间隙值符合制造单位要求"),
        (
            "制动器作为轿厢意外移动保护装置制停子系统时的自监测",
            "制动力人工方式检测符合使用维护说明书要求；制动力自监测系统有记录",
        ),
        ("编码器", "清洁，安装牢固"),
        ("限速器各销轴部位", "润滑，转动灵活；电气开关正常"),
        ("层门和轿门旁路装置", "工作正常"),
        ("紧急电动运行", "工作正常"),
        ("轿顶", "清洁，防护栏安全可靠"),
        ("轿顶检修开关、停止装置", "工作正常"),
        ("导靴上油杯", "吸油毛毡齐全，油量适宜，油杯无泄漏"),
        ("对重/平衡重块及其压板", "对重/平衡重块无松动，压板紧固"),
        ("井道照明", "齐全，正常"),
        ("轿厢照明、风扇、应急照明", "工作正常"),
        ("轿厢检修开关、停止装置", "工作正常"),
        ("轿内报警装置、对讲系统", "工作正常"),
        ("轿内显示、指令按钮、IC卡系统", "齐全，有效"),
        ("轿门防撞击保护装置（安全触板，光幕、光电等）", "功能有效"),
        ("轿门门锁电气触点", "清洁，触点接触良好，接线可靠"),
        ("轿门运行", "开启和关闭工作正常"),
        ("轿厢平层准确度", "符合标准值"),
        ("层站召唤、层楼显示", "齐全，有效"),
        ("层门地坎", "清洁"),
        ("层门自动关门装置", "正常"),
        ("层门门锁自动复位", "用层门钥匙打开手动开锁装置释放后，层门门锁能自动复位"),
        ("层门门锁电气触点", "清洁，触点接触良好，接线可靠"),
        ("层门锁紧元件啮合长度", "不小于7mm"),
        ("底坑环境", "清洁，无渗水、积水，照明正常"),
        ("底坑停止装置", "工作正常"),
    ],
)

QUARTER = _table(
    "A2",
    [
        ("减速机润滑油", "油量适宜，除蜗杆伸出端外均无渗漏"),
        ("制动衬", "清洁，磨损量不超过制造单位要求"),
        ("编码器", "工作正常"),
        ("选层器动静触点", "清洁，无烧蚀"),
        ("曳引轮槽、悬挂装置", "清洁，钢丝绳无严重油腻，张力均匀，符合制造单位要求"),
        ("限速器轮槽、限速器钢丝绳", "清洁，无严重油腻"),
        ("靴衬、滚轮", "清洁，磨损量不超过制造单位要求"),
        ("验证轿门关闭的电气安全装置", "工作正常"),
        ("层门、轿门系统中传动钢丝绳、链条、传动带", "按照制造单位要求进行清洁、调整"),
        ("层门门导靴", "磨损量不超过制造单位要求"),
        ("消防开关", "工作正常，功能有效"),
        ("耗能缓冲器", "电气安全装置功能有效，油量适宜，柱塞无锈蚀"),
        ("限速器张紧轮装置和电气安全装置", "工作正常"),
    ],
)

HALF_YEAR = _table(
    "A3",
    [
        ("电动机与减速机联轴器", "连接无松动，弹性元件外观良好，无老化等现象"),
        ("驱动轮、导向轮轴承部", "无异常声响，无振动，润滑良好"),
        ("曳引轮槽", "磨损量不超过制造单位要求"),
        ("制动器动作状态监测装置", "工作正常，制动器动作可靠"),
        ("控制柜内各接线端子", "各接线紧固、整齐，线号齐全清晰"),
        ("控制柜各仪表", "显示正确"),
        ("井道、对重、轿顶各反绳轮轴承部", "无异常声响，无振动，润滑良好"),
        ("悬挂装置、补偿绳", "磨损量、断丝数不超过要求"),
        ("绳头组合", "螺母无松动"),
        ("限速器钢丝绳", "磨损量、断丝数不超过制造单位要求"),
        ("层门、轿门门扇", "门扇各相关间隙符合标准值"),
        ("轿门开门限制装置", "工作正常"),
        ("对重缓冲距离", "符合标准值"),
        ("补偿链（绳）与轿厢、对重接合处", "固定，无松动"),
        ("上、下极限开关", "工作正常"),
    ],
)

YEAR = _table(
    "A4",
    [
        ("减速机润滑油", "按照制造单位要求适时更换，保证油质符合要求"),
        ("控制柜接触器，继电器触点", "接触良好"),
        ("制动器铁心（柱塞）", "进行清洁、润滑、检查，磨损量不超过制造单位要求"),
        (
            "制动器制动能力",
            "符合制造单位要求，保持有足够的制动力，必要时进行轿厢装载125%额定载重量的制动试验",
        ),
        ("导电回路绝缘性能测试", "符合标准"),
        (
            "限速器安全钳联动试验（对于使用年限不超过15年的限速器，每2年进行一次限速器动作速度"
            "校验；对于使用年限超过15年的限速器，每年进行一次限速器动作速度校验）",
            "工作正常",
        ),
        ("上行超速保护装置动作试验", "工作正常"),
        ("轿厢意外移动保护装置动作试验", "工作正常"),
        ("轿顶、轿厢架、轿门及其附件安装螺栓", "紧固"),
        ("轿厢和对重/平衡重的导轨支架", "固定，无松动"),
        ("轿厢和对重/平衡重的导轨", "清洁，压板牢固"),
        ("随行电缆", "无损伤"),
        ("层门装置和地坎", "无影响正常使用的变形，各安装螺栓紧固"),
        ("轿厢称重装置", "准确有效"),
        ("安全钳钳座", "固定，无松动"),
        ("轿底各安装螺栓", "紧固"),
        ("缓冲器", "固定，无松动"),
    ],
)

# 第九条: each class adds its own table to those of the lower classes.
_TABLES_OF_CLASS: dict[str, tuple[tuple[ChecklistItem, ...], ...]] = {
    RecordClass.HALF_MONTH: (HALF_MONTH,),
    RecordClass.QUARTER: (HALF_MONTH, QUARTER),
    RecordClass.HALF_YEAR: (HALF_MONTH, QUARTER, HALF_YEAR),
    RecordClass.YEAR: (HALF_MONTH, QUARTER, HALF_YEAR, YEAR),
}

ITEMS_BY_CODE = {
    item.code: item for table in (HALF_MONTH, QUARTER, HALF_YEAR, YEAR) for item in table
}


def visit_classes() -> tuple[str, ...]:
    """The record classes a checklist exists for (repair and on-demand visits have none)."""
    return tuple(_TABLES_OF_CLASS)


def checklist_of(record_class: str) -> list[ChecklistItem]:
    """The items a visit of `record_class` must go through, in the standard's order."""
    return [item for table in _TABLES_OF_CLASS.get(record_class, ()) for item in table]
