"""The columns of each import kind, their Chinese aliases, and matching a file's header to them.

A header cell names a column by its English name (`equipment_code`) or one of its aliases
(`设备代码`); case, surrounding spaces, a trailing `*` (the templates mark required columns
with it) and the difference between `-`, space and `_` do not matter. Columns marked
`required` must be present in the header; the others may be left out.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from elevator_registry.errors import InvalidValue

CJK = re.compile(r"[\u4e00-\u9fff]")


class ImportKind(StrEnum):
    """What a file holds."""

    ORGANISATIONS = "organisations"
    ELEVATORS = "elevators"
    MAINTENANCE_RECORDS = "maintenance-records"
    INSPECTIONS = "inspections"


@dataclass(frozen=True)
class Column:
    """One column of an import file.

    `description` is for programs and the README; `description_zh` is what the clerk filling in
    the XLSX template reads on its 说明 sheet. It has no default, so no column can lack it.
    """

    name: str
    aliases: tuple[str, ...]
    description: str
    example: str = ""
    required: bool = False
    description_zh: str = field(kw_only=True)

    @property
    def name_zh(self) -> str:
        """The column's Chinese name: its first Chinese alias."""
        return next((alias for alias in self.aliases if CJK.search(alias)), self.name)


@dataclass(frozen=True)
class HeaderMap:
    """Where each known column sits in the file, the header text the file used for it, and the
    Chinese name of every column of the kind (errors may name a column the file left out)."""

    positions: dict[str, int]
    headers: dict[str, str]
    width: int
    names_zh: dict[str, str]


def normalise(header: str) -> str:
    """The comparable form of a header cell."""
    return (
        header.strip()
        .strip("\ufeff")
        .rstrip("*＊")
        .strip()
        .lower()
        .replace("-", "_")
        .replace(" ", "_")
    )


def match_header(cells: Sequence[object], columns: Sequence[Column]) -> HeaderMap:
    """Maps header cells to columns; refuses unknown, duplicate, unnamed or missing ones."""
    lookup: dict[str, Column] = {}
    for column in columns:
        for name in (column.name, *column.aliases):
            lookup[normalise(name)] = column
    texts = ["" if cell is None else str(cell) for cell in cells]
    while texts and not texts[-1].strip():
        texts.pop()
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: list[str] = []
    duplicate: list[str] = []
    duplicate_zh: list[str] = []
    unnamed: list[int] = []
    for index, raw in enumerate(texts):
        if not raw.strip():
            unnamed.append(index + 1)
            continue
        column = lookup.get(normalise(raw))
        if column is None:
            unknown.append(raw.strip())
        elif column.name in positions:
            duplicate.append(
                f"{raw.strip()} (= {column.name}, already given as {headers[column.name]})"
            )
            duplicate_zh.append(f"“{raw.strip()}”与“{headers[column.name]}”是同一列")
        else:
            positions[column.name] = index
            headers[column.name] = raw.strip()
    missing = [
        column.name for column in columns if column.required and column.name not in positions
    ]
    names_zh = {column.name: column.name_zh for column in columns}
    problems = []
    problems_zh = []
    if missing:
        problems.append("missing required columns: " + ", ".join(missing))
        problems_zh.append(
            "缺少必填列：" + "、".join(f"{names_zh[name]}（{name}）" for name in missing)
        )
    if unknown:
        problems.append("unknown columns: " + ", ".join(unknown))
        problems_zh.append("无法识别的列：" + "、".join(unknown))
    if duplicate:
        problems.append("columns given twice: " + "; ".join(duplicate))
        problems_zh.append("列重复：" + "；".join(duplicate_zh))
    if unnamed:
        problems.append("columns without a name at position " + ", ".join(map(str, unnamed)))
        problems_zh.append("第 " + "、".join(map(str, unnamed)) + " 列没有列名")
    if problems:
        raise InvalidValue(
            "IMPORT_COLUMNS_INVALID",
            "; ".join(problems) + " (the header must be the first non-empty row; see the "
            "template for the column names)",
            field="file",
            message_zh="；".join(problems_zh) + "（表头须为第一个非空行，列名见模板）",
        )
    return HeaderMap(positions, headers, len(texts), names_zh)


ORGANISATION_COLUMNS = (
    Column(
        "credit_code",
        ("统一社会信用代码", "信用代码", "社会信用代码"),
        "统一社会信用代码, 18 characters, check character verified (GB 32100-2015)",
        "91500222MA5U4LXB1M",
        required=True,
        description_zh="18 位统一社会信用代码；按 GB 32100-2015 核对末位校验码，位数不对或校验不通过的拒收",
    ),
    Column(
        "name",
        ("名称", "单位名称", "企业名称"),
        "registered name",
        "重庆綦江安达电梯工程有限公司",
        required=True,
        description_zh="单位的登记名称（与营业执照一致）",
    ),
    Column(
        "roles",
        ("角色", "单位类型", "类型"),
        "one or more of manufacturer 制造单位, installer 安装单位, maintainer 维保单位, "
        "inspection_agency 检验机构, user_unit 使用单位, insurer 保险公司; separated by ; 、 or ,",
        "maintainer;installer",
        required=True,
        description_zh="单位类型，可填一个或多个：制造单位、安装单位、维保单位、检验机构、使用单位、保险公司；多个之间用顿号（、）、分号（;）或逗号（,）分隔，其他写法拒收",
    ),
    Column(
        "duty_phone",
        ("值班电话", "24小时值班电话", "电话", "联系电话"),
        "mobile or landline with area code",
        "023-48661234",
        description_zh="24 小时值班电话：手机号，或带区号的固定电话（如 023-48661234）",
    ),
    Column("contact_name", ("联系人",), "contact person", "王军", description_zh="联系人姓名"),
    Column(
        "address",
        ("地址", "住所", "单位地址"),
        "address",
        "綦江区古南街道沙溪路1号",
        description_zh="单位地址",
    ),
    # One licence per row: a second licence of the same organisation is a second row with the
    # same credit code, which adds only the licence (the organisation is already present).
    Column(
        "licence_kind",
        ("许可类别", "许可证类别", "资质类别"),
        "licence held: installation_maintenance 安装改造修理, manufacture 制造, inspection 检验; "
        "maintenance units need one in force to file contracts and records",
        "installation_maintenance",
        description_zh="持有的许可类别：安装改造修理许可、制造许可、检验检测；维保单位须持有有效的安装改造修理许可，才能登记维保合同和维保记录。每行只填一个许可，同一单位的第二个许可另起一行，填相同的统一社会信用代码",
    ),
    Column(
        "licence_number",
        ("许可证编号", "许可证号", "资质证书编号"),
        "licence number (required with licence_kind)",
        "TS3350988-2029",
        description_zh="许可证编号；填了许可类别时必填",
    ),
    Column(
        "licence_valid_from",
        ("许可有效期起", "发证日期"),
        "first day the licence is valid (required with licence_kind)",
        "2025-01-01",
        description_zh="许可有效期的第一天（如 2025-01-01）；填了许可类别时必填",
    ),
    Column(
        "licence_valid_until",
        ("许可有效期至", "有效期至"),
        "last day the licence is valid (required with licence_kind)",
        "2029-12-31",
        description_zh="许可有效期的最后一天（如 2029-12-31）；填了许可类别时必填",
    ),
)

ELEVATOR_COLUMNS = (
    Column(
        "equipment_code",
        ("设备代码", "设备编码"),
        "18-character equipment code or 20-digit legacy registration code, starting with the "
        "catalogue code (format the column as Text in Excel)",
        "311050012201800001",
        required=True,
        description_zh="18 位设备代码，或 20 位旧版注册代码，须以设备品种代码开头；请把本列设为“文本”格式，否则 Excel 会吞掉末尾数字，这样的代码拒收",
    ),
    Column(
        "rescue_code",
        ("救援识别码", "96333识别码", "应急救援识别码", "识别码"),
        "96333 识别码 (default 6 digits)",
        "100001",
        required=True,
        description_zh="96333 应急救援识别码（默认 6 位数字）",
    ),
    Column(
        "type_code",
        ("设备品种", "设备品种代码", "设备类别", "电梯类型", "品种"),
        "catalogue code 3110…3430 or its name (曳引驱动乘客电梯, 自动扶梯…)",
        "3110",
        required=True,
        description_zh="设备品种：填名称（曳引驱动乘客电梯、自动扶梯、消防员电梯等）或品种代码 3110…3430",
    ),
    Column(
        "registration_number",
        ("使用登记证编号", "登记证编号", "使用登记编号"),
        "梯 + feature code + province + city letter + 5 digits + (yy)",
        "梯11渝A00001(18)",
        description_zh="使用登记证编号：“梯”+ 特征代码 + 省份简称 + 城市代号字母 + 5 位数字 +（两位年份），如 梯11渝A00001(18)",
    ),
    Column(
        "registered_on",
        ("登记日期", "使用登记日期"),
        "date of the use registration (default today)",
        "2018-06-01",
        description_zh="办理使用登记的日期（不填则为导入当天）",
    ),
    Column(
        "street",
        ("街道", "所在街镇", "街镇", "乡镇街道", "所属街道"),
        "street or town of the district",
        "古南街道",
        required=True,
        description_zh="所在街道或镇，须为本区的街道、镇之一（如 古南街道），其他名称拒收",
    ),
    Column(
        "address",
        ("地址", "安装地址", "详细地址", "使用地点"),
        "address",
        "綦江区古南街道沙溪路12号",
        required=True,
        description_zh="电梯所在的详细地址",
    ),
    Column(
        "place_category",
        ("场所类别", "使用场所", "场所"),
        "residential 住宅, school 学校, kindergarten 幼儿园, hospital 医院, station 车站, "
        "passenger_terminal 客运码头, mall 商场, stadium 体育场馆, exhibition_hall 展览馆, park 公园, "
        "scenic_spot 景区, office 办公楼, factory 工厂, other 其他",
        "residential",
        required=True,
        description_zh="使用场所类别，填以下之一：住宅、学校、幼儿园、医院、车站、客运码头、商场、体育场馆、展览馆、公园、旅游景区、办公楼、厂房、其他",
    ),
    Column(
        "status",
        ("状态", "设备状态"),
        "registered 已登记 (default) or in_use 在用",
        "in_use",
        description_zh="设备状态：已登记（不填时默认）或 在用",
    ),
    Column(
        "commissioned_on",
        ("投用日期", "投入使用日期"),
        "date put into use (required when in_use)",
        "2018-07-01",
        description_zh="投入使用的日期；状态为“在用”时必填",
    ),
    Column(
        "user_unit_credit_code",
        ("使用单位统一社会信用代码", "使用单位信用代码"),
        "credit code of the user unit (required when in_use)",
        "91500222MA60Q8W31C",
        description_zh="使用单位的统一社会信用代码（该单位须已导入）；状态为“在用”时必填",
    ),
    Column(
        "manufacturer_credit_code",
        ("制造单位统一社会信用代码", "制造单位信用代码"),
        "credit code of the manufacturer",
        "",
        description_zh="制造单位的统一社会信用代码（该单位须已导入）",
    ),
    Column(
        "installer_credit_code",
        ("安装单位统一社会信用代码", "安装单位信用代码"),
        "credit code of the installer",
        "",
        description_zh="安装单位的统一社会信用代码（该单位须已导入）",
    ),
    Column("model", ("型号", "产品型号"), "model", "GeN2-MRL", description_zh="产品型号"),
    Column(
        "product_serial",
        ("产品编号", "出厂编号"),
        "manufacturer's serial number",
        "E2018-0001",
        description_zh="制造单位的产品编号（出厂编号）",
    ),
    Column(
        "rated_load_kg",
        ("额定载重量", "额定载重量(kg)", "载重量"),
        "rated load, kg",
        "1000",
        description_zh="额定载重量，单位千克（kg），只填数字",
    ),
    Column(
        "rated_speed_mps",
        ("额定速度", "额定速度(m/s)", "速度"),
        "rated speed, m/s",
        "1.75",
        description_zh="额定速度，单位米/秒（m/s），只填数字",
    ),
    Column("floors", ("层数", "层"), "floors", "18", description_zh="层数（整数）"),
    Column("stops", ("站数", "站"), "stops", "18", description_zh="站数（整数）"),
    Column("doors", ("门数", "门"), "doors", "18", description_zh="门数（整数）"),
    Column(
        "manufactured_on",
        ("制造日期", "出厂日期"),
        "date of manufacture",
        "2018-01-15",
        description_zh="制造日期",
    ),
    Column(
        "installation_inspected_on",
        ("安装监督检验日期", "监督检验日期", "监检日期"),
        "installation supervision inspection pass date",
        "2018-06-20",
        description_zh="安装监督检验合格的日期",
    ),
    Column(
        "modernised_on",
        ("改造日期",),
        "date of the last modernisation",
        "",
        description_zh="最近一次改造的日期",
    ),
    Column(
        "community",
        ("小区", "社区", "小区名称"),
        "community / estate",
        "沙溪小区",
        description_zh="所在小区或社区",
    ),
    Column("building", ("楼栋", "栋"), "building", "3栋", description_zh="楼栋"),
    Column("unit", ("单元",), "unit", "1单元", description_zh="单元"),
    Column(
        "in_house_number",
        ("内部编号", "梯号"),
        "the user unit's own number for the elevator",
        "1#",
        description_zh="使用单位自编的电梯编号（梯号）",
    ),
    Column("latitude", ("纬度",), "latitude", "29.028", description_zh="纬度，小数（如 29.028）"),
    Column(
        "longitude", ("经度",), "longitude", "106.651", description_zh="经度，小数（如 106.651）"
    ),
    Column(
        "has_property_management",
        ("有物业管理", "是否有物业", "物业管理"),
        "是/否 (default 是)",
        "是",
        description_zh="是否有物业管理：是/否（不填为“是”）",
    ),
    Column(
        "has_repair_fund",
        ("有维修资金", "是否有维修资金", "维修资金"),
        "是/否 (default 是)",
        "是",
        description_zh="是否有专项维修资金：是/否（不填为“是”）",
    ),
    Column(
        "added_to_old_building",
        ("既有住宅加装", "加装电梯", "是否加装"),
        "是/否 (default 否)",
        "否",
        description_zh="是否为既有住宅加装的电梯：是/否（不填为“否”）",
    ),
    Column(
        "iot_terminal_fitted",
        ("物联网终端", "是否安装物联网终端"),
        "是/否 (default 否)",
        "否",
        description_zh="是否安装物联网终端：是/否（不填为“否”）",
    ),
    Column(
        "emergency_levelling_fitted",
        ("应急平层装置", "是否安装应急平层装置"),
        "是/否 (default 否)",
        "否",
        description_zh="是否安装应急平层装置：是/否（不填为“否”）",
    ),
    # The ledger's current 维保单位 of the lift: one contract, filed with the elevator.
    Column(
        "maintenance_unit_credit_code",
        ("维保单位统一社会信用代码", "维保单位信用代码"),
        "credit code of the maintenance unit of the current contract (optional; with it, the "
        "contract columns are filed as a contract between the user unit and that unit)",
        "91500222MA5U4LXB1M",
        description_zh="当前维保合同的维保单位统一社会信用代码（可不填）；填了，本行的合同各列就作为使用单位与该维保单位的维保合同一并登记，合同不能登记（如维保单位不具备资格）则整行拒收",
    ),
    Column(
        "contract_start_date",
        ("维保合同开始日期", "合同开始日期", "合同起始日期"),
        "first day of the maintenance contract (required with maintenance_unit_credit_code)",
        "2026-01-01",
        description_zh="维保合同的第一天；填了维保单位时必填",
    ),
    Column(
        "contract_end_date",
        ("维保合同结束日期", "合同结束日期", "合同截止日期"),
        "last day of the maintenance contract (required with maintenance_unit_credit_code)",
        "2028-12-31",
        description_zh="维保合同的最后一天；填了维保单位时必填",
    ),
    Column(
        "contract_mode",
        ("维保方式", "维保模式", "合同方式"),
        "regular 常规 (default), on_demand 按需维保, full_package 全包, major_package 大包",
        "regular",
        description_zh="维保方式：常规（不填时默认）、按需维保、全包、大包",
    ),
    Column(
        "contract_interval_days",
        ("按需维保间隔", "维保间隔天数"),
        "on_demand contracts only: the agreed interval in days",
        "",
        description_zh="仅按需维保合同填写：约定的维保间隔天数",
    ),
)

MAINTENANCE_RECORD_COLUMNS = (
    Column(
        "equipment_code",
        ("设备代码", "设备编码"),
        "the elevator's equipment code",
        "311050012201800001",
        required=True,
        description_zh="电梯的设备代码（电梯须已登记）；请把本列设为“文本”格式",
    ),
    Column(
        "record_class",
        ("维保类别", "维保类型", "保养类别", "类别"),
        "half_month 半月, quarter 季度, half_year 半年, year 年度, repair 维修, on_demand 按需",
        "half_month",
        required=True,
        description_zh="维保类别：半月、季度、半年、年度、维修、按需维保",
    ),
    Column(
        "performed_at",
        ("维保时间", "维保日期", "保养时间", "作业时间"),
        "date and time of the visit; local (Asia/Shanghai) unless an offset is given",
        "2026-03-01 09:30",
        required=True,
        description_zh="维保作业的日期和时间，如 2026-03-01 09:30；按北京时间理解，另注明时区偏移的除外",
    ),
    Column(
        "maintenance_unit_credit_code",
        ("维保单位统一社会信用代码", "维保单位信用代码"),
        "the maintenance unit; default: a unit's own upload, or the unit holding the contract "
        "on that day",
        "",
        description_zh="维保单位的统一社会信用代码；不填时，维保单位自己上传的为本单位，否则为当天持有该电梯维保合同的单位",
    ),
    Column(
        "worker_1_name",
        ("维保人员1", "维保人员1姓名", "作业人员1"),
        "first worker",
        "张伟",
        required=True,
        description_zh="第一名维保人员的姓名",
    ),
    Column(
        "worker_1_certificate",
        ("维保人员1证书编号", "作业人员1证书编号", "证书编号1"),
        "first worker's 特种设备作业人员证 number",
        "500222199001011237",
        description_zh="第一名维保人员的特种设备作业人员证编号",
    ),
    Column(
        "worker_2_name",
        ("维保人员2", "维保人员2姓名", "作业人员2"),
        "second worker",
        "李强",
        required=True,
        description_zh="第二名维保人员的姓名",
    ),
    Column(
        "worker_2_certificate",
        ("维保人员2证书编号", "作业人员2证书编号", "证书编号2"),
        "second worker's certificate number",
        "",
        description_zh="第二名维保人员的特种设备作业人员证编号",
    ),
    Column(
        "worker_3_name",
        ("维保人员3", "维保人员3姓名", "作业人员3"),
        "third worker (optional)",
        "",
        description_zh="第三名维保人员的姓名（可不填）",
    ),
    Column(
        "worker_3_certificate",
        ("维保人员3证书编号", "作业人员3证书编号", "证书编号3"),
        "third worker's certificate number",
        "",
        description_zh="第三名维保人员的特种设备作业人员证编号",
    ),
    Column(
        "items_done",
        ("维保项目", "保养项目", "完成项目"),
        "items done, separated by ; (not 、, which item names contain)",
        "机房环境;手动紧急操作装置;曳引机",
        description_zh="完成的维保项目，多项之间用分号（;）分隔；不要用顿号（、），项目名称本身含有顿号",
    ),
    Column(
        "findings",
        ("发现问题", "维保情况", "备注"),
        "findings",
        "",
        description_zh="发现的问题或维保情况",
    ),
    Column(
        "parts_replaced",
        ("更换部件", "更换配件"),
        "parts replaced, separated by ;",
        "",
        description_zh="更换的部件，多项之间用分号（;）分隔",
    ),
)

INSPECTION_COLUMNS = (
    Column(
        "equipment_code",
        ("设备代码", "设备编码"),
        "the elevator's equipment code",
        "311050012201800001",
        required=True,
        description_zh="电梯的设备代码（电梯须已登记）；请把本列设为“文本”格式",
    ),
    Column(
        "kind",
        ("检验类别", "检验类型", "类别"),
        "installation_supervision 监督检验, periodic 定期检验, self_test 自行检测, re_inspection 复检",
        "periodic",
        required=True,
        description_zh="检验类别：监督检验、定期检验、自行检测、复检",
    ),
    Column(
        "performed_on",
        ("检验日期",),
        "date of the inspection",
        "2026-03-01",
        required=True,
        description_zh="检验日期",
    ),
    Column(
        "result",
        ("检验结论", "结论", "检验结果"),
        "pass 合格, fail 不合格, pass_after_rectification 整改后合格",
        "pass",
        required=True,
        description_zh="检验结论：合格、不合格、整改后合格",
    ),
    Column(
        "report_number",
        ("报告编号", "检验报告编号"),
        "report number, unique per agency",
        "DT2026-000123",
        required=True,
        description_zh="检验报告编号，同一检验机构的报告编号不得重复",
    ),
    Column(
        "agency_credit_code",
        ("检验机构统一社会信用代码", "检验机构信用代码"),
        "the inspection agency (required unless an agency uploads its own)",
        "12500000450400157W",
        description_zh="检验机构的统一社会信用代码；检验机构上传自己的检验时可不填，其他情况必填",
    ),
    Column(
        "follows_report_number",
        ("原检验报告编号", "复检对应报告编号"),
        "re-inspections: the report number of the inspection it follows",
        "",
        description_zh="复检时填写：所复检的那次检验的报告编号",
    ),
    Column(
        "self_tester_credit_code",
        ("自检单位统一社会信用代码", "检测单位信用代码"),
        "self-tests done by a maintenance unit: its credit code",
        "",
        description_zh="维保单位自行检测的，填该维保单位的统一社会信用代码",
    ),
)

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.ORGANISATIONS: ORGANISATION_COLUMNS,
    ImportKind.ELEVATORS: ELEVATOR_COLUMNS,
    ImportKind.MAINTENANCE_RECORDS: MAINTENANCE_RECORD_COLUMNS,
    ImportKind.INSPECTIONS: INSPECTION_COLUMNS,
}

# Rows of the templates after the first (which is each column's `example`), so that the four
# templates imported in order make one consistent ledger: the elevator's user unit and the
# inspection agency are organisations of the organisations template.
MORE_EXAMPLES: dict[ImportKind, tuple[dict[str, str], ...]] = {
    ImportKind.ORGANISATIONS: (
        {
            "credit_code": "91500222MA60Q8W31C",
            "name": "重庆沙溪物业管理有限公司",
            "roles": "user_unit",
            "duty_phone": "023-48665678",
            "contact_name": "刘芳",
            "address": "綦江区古南街道沙溪路10号",
        },
        {
            "credit_code": "12500000450400157W",
            "name": "綦江区特种设备检验所",
            "roles": "inspection_agency",
            "duty_phone": "023-48669999",
            "contact_name": "陈明",
            "address": "綦江区古南街道新街20号",
        },
    ),
}
