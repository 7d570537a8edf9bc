"""Every refusal of an import report reads in Chinese beside its English: a bad cell names its
column as the file's header wrote it, pydantic's errors are translated, the services' refusals
keep their Chinese, and a deliberately bad file of each kind has no entry without it."""

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import CLI, Principal
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.schemas import ImportReport
from tests import factories
from tests.conftest import NOW
from tests.evidence_factories import BAD_CHECK, CERTIFIED
from tests.imports import files

CJK = re.compile(r"[\u4e00-\u9fff]")
# Three English words in a row: a sentence left untranslated (codes and header names are one).
ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,}){2,}")

LIFT_HEADER_ZH = ["设备代码", "救援识别码", "设备品种", "街道", "地址", "场所类别"]
LIFT_ROW = ["311050012202100041", "770041", "3110", "古南街道", "沙溪路41号", "住宅"]
RECORD_HEADER_ZH = [
    "设备代码",
    "维保类别",
    "维保时间",
    "维保人员1",
    "维保人员1证书编号",
    "维保人员2",
    "维保项目",
]


def record_row_zh(world: factories.World, days_ago: int = 5, **overrides: Any) -> list[Any]:
    """A valid row of RECORD_HEADER_ZH for lift A; overrides by header."""
    values = {
        "设备代码": world.lift_a.equipment_code,
        "维保类别": "半月",
        "维保时间": (NOW - timedelta(days=days_ago))
        .astimezone(files.LOCAL)
        .strftime("%Y-%m-%d %H:%M"),
        "维保人员1": "张伟",
        "维保人员1证书编号": CERTIFIED,
        "维保人员2": "李强",
        "维保项目": "机房环境;曳引机",
    } | overrides
    return [values[column] for column in RECORD_HEADER_ZH]


def only_error(report: ImportReport) -> tuple[str | None, str | None, str, str]:
    """(field, column, code, message_zh) of the report's single error."""
    assert len(report.errors) == 1, report.errors
    error = report.errors[0]
    return error.field, error.column, error.code, error.message_zh


# Cells ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field", "value", "message_zh"),
    [
        ("投用日期", "commissioned_on", "昨天", "投用日期：“昨天”不是日期（请写作 2026-03-01）"),
        (
            "投用日期",
            "commissioned_on",
            "2026/13/01",
            "投用日期：“2026/13/01”不是有效的日期（月份或日超出范围）",
        ),
        ("层数", "floors", "abc", "层数：“abc”不是整数"),
        ("额定速度", "rated_speed_mps", "快", "额定速度：“快”不是数字"),
        (
            "有维修资金",
            "has_repair_fund",
            "也许",
            "有维修资金：“也许”不是是/否（可填 是/否、有/无、true/false、1/0）",
        ),
        (
            "状态",
            "status",
            "拆了",
            "状态：“拆了”不是可选的值，须为以下之一："
            "已登记（registered）、在用（in_use）、停用（suspended）、报废（scrapped）",
        ),
    ],
)
def test_a_bad_cell_is_refused_in_chinese_naming_the_column_as_the_header_wrote_it(
    session: Session, world: factories.World, header: str, field: str, value: str, message_zh: str
) -> None:
    content = files.csv_bytes([*LIFT_HEADER_ZH, header], [[*LIFT_ROW, value]])
    report = files.run(session, ImportKind.ELEVATORS, content)
    assert only_error(report) == (field, header, "VALIDATION_ERROR", message_zh)
    assert value in report.errors[0].message  # the English stays beside it


def test_a_header_in_another_chinese_wording_is_named_as_written(
    session: Session, world: factories.World
) -> None:
    content = files.csv_bytes([*LIFT_HEADER_ZH, "投入使用日期"], [[*LIFT_ROW, "昨天"]])
    report = files.run(session, ImportKind.ELEVATORS, content)
    assert only_error(report)[3] == "投入使用日期：“昨天”不是日期（请写作 2026-03-01）"


def test_a_column_under_its_english_header_is_named_in_chinese_with_the_header_beside_it(
    session: Session, world: factories.World
) -> None:
    header = ["equipment_code", "rescue_code", "type_code", "street", "address", "place_category"]
    content = files.csv_bytes([*header, "floors"], [[*LIFT_ROW, "十八"]])
    report = files.run(session, ImportKind.ELEVATORS, content)
    assert only_error(report) == (
        "floors",
        "floors",
        "VALIDATION_ERROR",
        "层数（floors）：“十八”不是整数",
    )


def test_an_excel_number_that_lost_digits_is_explained_in_chinese(
    session: Session, world: factories.World
) -> None:
    content = files.xlsx_bytes(LIFT_HEADER_ZH, [[311050012201800001.0, *LIFT_ROW[1:]]])
    report = files.run(session, ImportKind.ELEVATORS, content, filename="lifts.xlsx")
    field, column, code, message_zh = only_error(report)
    assert (field, column, code) == ("equipment_code", "设备代码", "IMPORT_PRECISION_LOST")
    assert message_zh.startswith("设备代码：Excel 把此单元格存成了数字")
    assert "“文本”格式" in message_zh


# Pydantic's checks ---------------------------------------------------------------------------


def test_a_schema_refusal_is_pydantics_error_in_chinese_naming_the_column(
    session: Session, world: factories.World
) -> None:
    rows = [
        record_row_zh(world, 5, 维保人员2="张" * 60),
        record_row_zh(world, 6, 维保项目=""),
    ]
    report = files.run(
        session, ImportKind.MAINTENANCE_RECORDS, files.csv_bytes(RECORD_HEADER_ZH, rows)
    )
    assert [(error.field, error.column, error.message_zh) for error in report.errors] == [
        ("worker_2_name", "维保人员2", "维保人员2最多 50 个字符"),
        ("items_done", "维保项目", "维保项目为必填项"),
    ]


def test_a_required_column_left_blank_is_named_as_the_header_wrote_it(
    session: Session, world: factories.World
) -> None:
    header = ["统一社会信用代码", "单位名称", "角色"]
    report = files.run(
        session,
        ImportKind.ORGANISATIONS,
        files.csv_bytes(header, [[factories.credit_code(), "", "维保单位"]]),
    )
    assert only_error(report) == ("name", "单位名称", "VALIDATION_ERROR", "单位名称为必填项")


# The services' refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "overrides", "body"),
    [
        (
            "RECORD_DATE_IN_FUTURE",
            {"days_ago": -1},
            {"performed_at": NOW + timedelta(days=1)},
        ),
        (
            "CREW_TOO_SMALL",
            {"维保人员2": ""},
            {"workers": [{"name": "张伟", "certificate_number": CERTIFIED}]},
        ),
    ],
)
def test_a_services_refusal_carries_the_apis_chinese_message(
    session: Session,
    world: factories.World,
    code: str,
    overrides: dict[str, Any],
    body: dict[str, Any],
) -> None:
    days_ago = overrides.pop("days_ago", 5)
    api = files.api_refusal(session, world.lift_a, **body)
    report = files.run(
        session,
        ImportKind.MAINTENANCE_RECORDS,
        files.csv_bytes(RECORD_HEADER_ZH, [record_row_zh(world, days_ago, **overrides)]),
    )
    assert api.code == code
    assert only_error(report)[2:] == (code, api.message_zh)


def test_a_catalogue_sentence_names_the_files_column_not_the_apis_field(
    session: Session, world: factories.World
) -> None:
    header = [*LIFT_HEADER_ZH, "状态", "使用单位统一社会信用代码"]
    rows = [
        [*LIFT_ROW, "已登记", "91500222MA5U4LXB1X"],
        [
            "311050012202100042",
            "770042",
            "3110",
            "古南街道",
            "沙溪路42号",
            "住宅",
            "已登记",
            factories.credit_code(),
        ],
    ]
    report = files.run(session, ImportKind.ELEVATORS, files.csv_bytes(header, rows))
    unknown = rows[1][-1]
    assert [(error.code, error.message_zh) for error in report.errors] == [
        (
            "CREDIT_CODE_INVALID",
            "使用单位统一社会信用代码不是有效的统一社会信用代码（GB 32100-2015）",
        ),
        ("ORGANISATION_NOT_FOUND", f"单位“{unknown}”不存在或您无权查看"),
    ]


def test_a_refusal_raised_with_its_own_chinese_keeps_it(
    session: Session, world: factories.World
) -> None:
    header = ["设备代码", "检验类别", "检验日期", "检验结论", "报告编号", "原检验报告编号"]
    row = [world.lift_a.equipment_code, "复检", "2026-06-20", "合格", "R1", "NOPE"]
    agency = Principal(role=Role.INSPECTION_AGENCY, label="检验院", organisation_id=world.agency.id)
    report = files.run(
        session, ImportKind.INSPECTIONS, files.csv_bytes(header, [row]), actor=agency
    )
    assert only_error(report) == (
        "follows_report_number",
        "原检验报告编号",
        "REINSPECTION_TARGET_INVALID",
        "该电梯没有报告编号为“NOPE”的检验",
    )


# Every entry of a bad file of each kind --------------------------------------------------------


def bad_organisations(session: Session, world: factories.World) -> tuple[bytes, Principal]:
    header = ["credit_code", "name", "roles", "duty_phone", "licence_kind", "licence_valid_from"]
    good = factories.credit_code
    rows = [
        ["91500222MA5U4LXB1X", "甲", "maintainer", "", "", ""],
        [good(), "乙", "maintainer;厨师", "", "", ""],
        [good(), "乙", "maintainer", "12345", "", ""],
        [good(), "", "user_unit", "", "", ""],
        [good(), "丙", "maintainer", "", "驾照", "2026-02-30"],
        [good(), "丁", "user_unit", "", "", "", "多余的单元格"],
    ]
    return files.csv_bytes(header, rows), CLI


def bad_elevators(session: Session, world: factories.World) -> tuple[bytes, Principal]:
    header = [
        "equipment_code",
        "rescue_code",
        "type_code",
        "street",
        "address",
        "place_category",
        "status",
        "commissioned_on",
        "user_unit_credit_code",
        "floors",
        "stops",
        "rated_speed_mps",
        "has_repair_fund",
        "contract_mode",
    ]

    def lift(serial: int, **overrides: str) -> list[str]:
        values = {
            "equipment_code": f"31105001220210{serial:04d}",
            "rescue_code": f"78{serial:04d}",
            "type_code": "3110",
            "street": "古南街道",
            "address": f"沙溪路{serial}号",
            "place_category": "residential",
            "status": "in_use",
            "commissioned_on": "2021-06-01",
            "user_unit_credit_code": world.user_a.credit_code,
            "floors": "18",
            "stops": "18",
            "rated_speed_mps": "1.75",
            "has_repair_fund": "是",
            "contract_mode": "",
        } | overrides
        return [values[column] for column in header]

    rows = [
        lift(51, user_unit_credit_code=""),
        lift(52, street="火星街道"),
        lift(53, equipment_code="331050012202100053"),
        lift(54, rescue_code=world.lift_a.rescue_code),
        lift(55, user_unit_credit_code=world.maintainer_a.credit_code),
        lift(56, user_unit_credit_code=factories.credit_code()),
        lift(57, user_unit_credit_code="91500222MA5U4LXB1X"),
        lift(58, stops="19"),
        lift(59, commissioned_on="2027-01-01"),
        lift(60, place_category="月球", floors="abc", commissioned_on="2026/13/01"),
        lift(61, rated_speed_mps="快", has_repair_fund="也许", type_code="飞船"),
        lift(62, rescue_code="12"),
        lift(63, address=""),
        lift(64, contract_mode="regular"),
    ]
    return files.csv_bytes(header, rows), CLI


def bad_maintenance_records(session: Session, world: factories.World) -> tuple[bytes, Principal]:
    header = [*files.RECORD_HEADER, "maintenance_unit_credit_code"]
    unit = Principal(
        role=Role.MAINTENANCE_UNIT, label="安达", organisation_id=world.maintainer_a.id
    )

    def record(days_ago: int = 5, unit_code: str = "", **overrides: Any) -> list[Any]:
        return [*files.record_row(world.lift_a, days_ago, **overrides), unit_code]

    rows = [
        record(equipment_code="311050012201899999"),
        record(equipment_code=world.lift_b.equipment_code),
        record(equipment_code=""),
        record(record_class="每日"),
        record(performed_at="上周三"),
        record(items_done=""),
        record(worker_2_name="", worker_2_certificate=CERTIFIED),
        record(worker_2_name="张" * 60),
        record(-3),
        record(worker_2_certificate=BAD_CHECK),
        record(worker_2_name=""),
        record(worker_2_name="张伟"),
        record(worker_1_certificate=""),
        record(performed_at="2015-05-31 10:00"),
        record(9, unit_code=world.maintainer_b.credit_code),
        record(10, unit_code=factories.credit_code()),
        record(11, unit_code="91500222MA5U4LXB1X"),
    ]
    return files.csv_bytes(header, rows), unit


def bad_inspections(session: Session, world: factories.World) -> tuple[bytes, Principal]:
    header = [
        "equipment_code",
        "kind",
        "performed_on",
        "result",
        "report_number",
        "agency_credit_code",
        "follows_report_number",
    ]
    other_agency = factories.organisation(
        session, "外省检验所", factories.OrganisationRole.INSPECTION_AGENCY
    )
    code = world.lift_a.equipment_code
    rows = [
        [code, "periodic", "2026-12-01", "pass", "A1", "", ""],
        [code, "re_inspection", "2026-06-01", "pass", "A2", "", ""],
        [code, "re_inspection", "2026-06-01", "pass", "A3", "", "NOPE"],
        [code, "periodic", "2026-06-01", "马马虎虎", "A4", "", ""],
        ["311050012201899999", "periodic", "2026-06-01", "pass", "A5", "", ""],
        [code, "periodic", "2026-06-01", "pass", "A6", other_agency.credit_code, ""],
        [code, "年检", "6月1日", "pass", "A7", "", ""],
        [code, "periodic", "2026-06-01", "pass", "A8", "91500222MA5U4LXB1X", ""],
    ]
    agency = Principal(role=Role.INSPECTION_AGENCY, label="检验院", organisation_id=world.agency.id)
    return files.csv_bytes(header, rows), agency


BadFile = Callable[[Session, factories.World], tuple[bytes, Principal]]
BAD_FILES: dict[ImportKind, tuple[BadFile, set[str]]] = {
    ImportKind.ORGANISATIONS: (
        bad_organisations,
        {"CREDIT_CODE_INVALID", "PHONE_INVALID", "VALIDATION_ERROR", "IMPORT_ROW_INVALID"},
    ),
    ImportKind.ELEVATORS: (
        bad_elevators,
        {
            "NO_USER_UNIT",
            "STREET_UNKNOWN",
            "EQUIPMENT_CODE_TYPE_MISMATCH",
            "RESCUE_CODE_TAKEN",
            "RESCUE_CODE_INVALID",
            "ORGANISATION_ROLE_MISSING",
            "ORGANISATION_NOT_FOUND",
            "CREDIT_CODE_INVALID",
            "STOPS_EXCEED_FLOORS",
            "DATE_IN_FUTURE",
            "VALIDATION_ERROR",
        },
    ),
    ImportKind.MAINTENANCE_RECORDS: (
        bad_maintenance_records,
        {
            "ELEVATOR_NOT_FOUND",
            "VALIDATION_ERROR",
            "RECORD_DATE_IN_FUTURE",
            "RECORD_BEFORE_COMMISSIONING",
            "CERTIFICATE_NUMBER_INVALID",
            "CREW_TOO_SMALL",
            "WORKER_DUPLICATE",
            "NO_CERTIFIED_WORKER",
            "OUT_OF_SCOPE",
            "ORGANISATION_NOT_FOUND",
            "CREDIT_CODE_INVALID",
        },
    ),
    ImportKind.INSPECTIONS: (
        bad_inspections,
        {
            "DATE_IN_FUTURE",
            "FOLLOWS_REQUIRED",
            "REINSPECTION_TARGET_INVALID",
            "VALIDATION_ERROR",
            "ELEVATOR_NOT_FOUND",
            "OUT_OF_SCOPE",
            "CREDIT_CODE_INVALID",
        },
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES), ids=[kind.value for kind in BAD_FILES])
def test_every_row_error_of_a_bad_file_reads_in_chinese(
    session: Session, world: factories.World, kind: ImportKind
) -> None:
    build, expected_codes = BAD_FILES[kind]
    content, actor = build(session, world)
    report = files.run(session, kind, content, actor=actor, partial=True)
    assert {error.code for error in report.errors} >= expected_codes
    assert report.rows_failed == report.rows_read  # every row of the file is bad
    untranslated = [
        (error.row, error.code, error.message_zh)
        for error in report.errors
        if not CJK.search(error.message_zh)
        or ENGLISH_SENTENCE.search(error.message_zh)
        or error.message_zh == error.message
    ]
    assert untranslated == []
