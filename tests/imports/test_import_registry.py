"""Importing organisations and elevators: the API's rules per row, all-or-nothing or partial,
idempotent re-import, and who may import what."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.registry.models import Elevator, ElevatorStatusChange, Organisation
from tests import factories
from tests.conftest import AuthHeaders
from tests.imports import files

ORGANISATION_HEADER = ["credit_code", "name", "roles", "duty_phone", "contact_name"]
ELEVATOR_HEADER = [
    "设备代码",
    "救援识别码",
    "设备品种",
    "使用登记证编号",
    "街道",
    "地址",
    "场所类别",
    "状态",
    "投用日期",
    "使用单位统一社会信用代码",
    "制造单位统一社会信用代码",
    "层数",
    "站数",
    "额定速度",
    "有维修资金",
]


def organisation(**overrides: str) -> list[str]:
    values = {
        "credit_code": factories.credit_code(),
        "name": "重庆綦江新安电梯工程有限公司",
        "roles": "维保单位;安装单位",
        "duty_phone": "023-48660000",
        "contact_name": "刘洋",
    } | overrides
    return [values[column] for column in ORGANISATION_HEADER]


def elevator(world: factories.World, serial: int, **overrides: Any) -> list[Any]:
    values = {
        "设备代码": f"31105001220210{serial:04d}",
        "救援识别码": f"77{serial:04d}",
        "设备品种": "曳引驱动乘客电梯",
        "使用登记证编号": f"梯11渝A{serial:05d}(21)",
        "街道": "古南街道",
        "地址": f"綦江区古南街道沙溪路{serial}号",
        "场所类别": "住宅",
        "状态": "在用",
        "投用日期": "2021-06-01",
        "使用单位统一社会信用代码": world.user_a.credit_code,
        "制造单位统一社会信用代码": world.manufacturer.credit_code,
        "层数": "18",
        "站数": "18",
        "额定速度": "1.75",
        "有维修资金": "是",
    } | overrides
    return [values[column] for column in ELEVATOR_HEADER]


def test_bureau_imports_organisations_through_the_api(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    rows = [organisation(), organisation(name="綦江检验所", roles="inspection_agency")]
    response = files.upload(
        client, "organisations", files.csv_bytes(ORGANISATION_HEADER, rows), bureau
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["committed"], body["rows_written"], body["rows_failed"]) == (True, 2, 0)
    created = session.scalar(select(Organisation).where(Organisation.credit_code == rows[0][0]))
    assert created is not None and created.roles == ["installer", "maintainer"]
    # The service's own audit event per organisation, and one event for the import itself.
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "organisation").order_by(AuditEvent.id)
    ).all()
    assert actions[-3:] == ["create", "create", "import"]


def test_one_bad_row_refuses_the_whole_file_and_reports_every_failure(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    rows = [
        organisation(),
        organisation(credit_code="91500222MA5U4LXB1X"),
        organisation(duty_phone="12345"),
        organisation(roles="维保单位;厨师"),
        organisation(credit_code=world.user_a.credit_code),  # present: skipped, not an error
    ]
    before = factories.count(session, Organisation)
    events = factories.count(session, AuditEvent)
    response = files.upload(
        client, "organisations", files.csv_bytes(ORGANISATION_HEADER, rows), bureau
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"]["code"] == "IMPORT_ROWS_INVALID"
    assert body["error"]["message_zh"] == (
        "5 行中有 3 行未通过检查，未写入任何数据（请修改这些行，或以 partial=true 导入以保留有效的行）"
    )
    report = body["report"]
    assert files.codes(report) == [
        (3, "credit_code", "CREDIT_CODE_INVALID"),
        (4, "duty_phone", "PHONE_INVALID"),
        (5, "roles", "VALIDATION_ERROR"),
    ]
    assert [error["message_zh"] for error in report["errors"]] == [
        "统一社会信用代码（credit_code）不是有效的统一社会信用代码（GB 32100-2015）",
        "值班电话（duty_phone）不是有效的手机号码或带区号的固定电话",
        "角色（roles）：“厨师”不是可选的值，须为以下之一：制造单位（manufacturer）、"
        "安装单位（installer）、维保单位（maintainer）、检验机构（inspection_agency）、"
        "使用单位（user_unit）、保险公司（insurer）",
    ]
    assert (report["committed"], report["rows_valid"], report["rows_written"]) == (False, 1, 0)
    assert report["rows_skipped"] == 1
    assert factories.count(session, Organisation) == before
    assert factories.count(session, AuditEvent) == events


def test_partial_keeps_the_valid_rows(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    rows = [organisation(), organisation(credit_code="bad"), organisation()]
    before = factories.count(session, Organisation)
    response = files.upload(
        client, "organisations", files.csv_bytes(ORGANISATION_HEADER, rows), bureau, partial=True
    )
    assert response.status_code == 200
    assert (response.json()["rows_written"], response.json()["rows_failed"]) == (2, 1)
    assert factories.count(session, Organisation) == before + 2


def test_importing_the_same_file_again_adds_nothing(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    content = files.csv_bytes(ORGANISATION_HEADER, [organisation(), organisation()])
    assert files.upload(client, "organisations", content, bureau).json()["rows_written"] == 2
    count = factories.count(session, Organisation)
    events = factories.count(session, AuditEvent)
    again = files.upload(client, "organisations", content, bureau).json()
    assert (again["rows_written"], again["rows_skipped"]) == (0, 2)
    assert factories.count(session, Organisation) == count
    assert factories.count(session, AuditEvent) == events


def test_a_credit_code_twice_in_one_file_is_written_once(
    session: Session, world: factories.World
) -> None:
    row = organisation()
    report = files.run(
        session, files.ImportKind.ORGANISATIONS, files.csv_bytes(ORGANISATION_HEADER, [row, row])
    )
    assert (report.rows_written, report.rows_skipped) == (1, 1)


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        (Role.MAINTENANCE_UNIT, "organisations"),
        (Role.MAINTENANCE_UNIT, "elevators"),
        (Role.USER_UNIT, "maintenance-records"),
        (Role.STREET_OFFICE, "elevators"),
        (Role.OPERATOR, "inspections"),
        (Role.INSPECTION_AGENCY, "maintenance-records"),
    ],
)
def test_roles_import_only_their_kinds(
    client: TestClient,
    auth: AuthHeaders,
    world: factories.World,
    session: Session,
    role: Role,
    kind: str,
) -> None:
    binding: dict[str, Any] = {
        Role.MAINTENANCE_UNIT: {"organisation": world.maintainer_a},
        Role.USER_UNIT: {"organisation": world.user_a},
        Role.INSPECTION_AGENCY: {"organisation": world.agency},
        Role.STREET_OFFICE: {"street": "古南街道"},
    }.get(role, {})
    content = files.csv_bytes(ORGANISATION_HEADER, [organisation()])
    response = files.upload(client, kind, content, auth(role, **binding))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN_ROLE"


def test_an_import_needs_a_token(client: TestClient) -> None:
    response = files.upload(client, "organisations", b"credit_code,name,roles\r\n", {})
    assert response.status_code == 401


def test_an_unknown_kind_is_a_validation_error(client: TestClient, bureau: dict[str, str]) -> None:
    response = files.upload(client, "cats", b"a\r\n1\r\n", bureau)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_file_refusals_use_the_error_envelope(client: TestClient, bureau: dict[str, str]) -> None:
    response = files.upload(client, "organisations", b"", bureau)
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "IMPORT_EMPTY",
            "message": "the file is empty",
            "message_zh": "导入文件没有数据行",
            "field": "file",
        }
    }
    response = files.upload(
        client, "elevators", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bureau, filename="a.xls"
    )
    assert response.status_code == 415


def test_an_upload_over_the_limit_is_refused_with_413(
    client: TestClient, bureau: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    small = files.get_settings().model_copy(update={"import_max_upload_bytes": 2000})
    monkeypatch.setattr("elevator_registry.imports.routes.get_settings", lambda: small)
    content = files.csv_bytes(ORGANISATION_HEADER, [organisation() for _ in range(40)])
    response = files.upload(client, "organisations", content, bureau)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "IMPORT_TOO_LARGE"
    assert response.json()["error"]["message_zh"] == (
        "上传的文件超过 2000 字节的上限；请拆分文件，或在命令行导入"
    )
    assert files.upload(client, "organisations", content[:600], bureau).status_code != 413


def test_an_upload_without_a_declared_length_is_cut_off_at_the_limit(
    client: TestClient, bureau: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    small = files.get_settings().model_copy(update={"import_max_upload_bytes": 2000})
    monkeypatch.setattr("elevator_registry.imports.routes.get_settings", lambda: small)
    boundary = "xyzBOUNDARY"
    content = files.csv_bytes(ORGANISATION_HEADER, [organisation() for _ in range(40)])
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )

    def chunks():  # a generator body is sent chunked, without Content-Length
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    response = client.post(
        "/api/v1/imports/organisations",
        content=chunks(),
        headers=bureau | {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "IMPORT_TOO_LARGE"


# Elevators --------------------------------------------------------------------------------


def test_bureau_imports_an_xlsx_ledger_of_elevators_with_chinese_headers(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    content = files.xlsx_bytes(
        ELEVATOR_HEADER, [elevator(world, 1), elevator(world, 2, 状态="已登记", 投用日期="")]
    )
    response = files.upload(client, "elevators", content, bureau, filename="台账.xlsx")
    assert response.status_code == 200, response.json()
    assert response.json()["rows_written"] == 2
    lift = session.scalar(select(Elevator).where(Elevator.equipment_code == "311050012202100001"))
    assert lift is not None
    assert (lift.status, lift.user_unit_id, lift.manufacturer_id) == (
        "in_use",
        world.user_a.id,
        world.manufacturer.id,
    )
    assert lift.registration_number == "梯11渝A00001(21)"
    assert (
        session.scalar(
            select(ElevatorStatusChange.to_status).where(
                ElevatorStatusChange.elevator_id == lift.id
            )
        )
        == "in_use"
    )


def test_elevator_rows_meet_the_same_rules_as_the_api(
    session: Session, world: factories.World
) -> None:
    rows = [
        elevator(world, 11, 使用单位统一社会信用代码=""),  # in use without a user unit
        elevator(world, 12, 街道="火星街道"),
        elevator(world, 13, 设备代码="331050012202100013"),
        elevator(world, 14, 使用登记证编号="梯31渝A00014(21)"),
        elevator(world, 15, 救援识别码=world.lift_a.rescue_code),
        elevator(world, 16, 使用单位统一社会信用代码=world.maintainer_a.credit_code),
        elevator(world, 17, 使用单位统一社会信用代码=factories.credit_code()),
        elevator(world, 18, 站数="19"),
        elevator(world, 19, 投用日期="2027-01-01"),
        elevator(world, 20, 场所类别="月球"),
        elevator(world, 21),
    ]
    report = files.run(
        session, files.ImportKind.ELEVATORS, files.csv_bytes(ELEVATOR_HEADER, rows), partial=True
    )
    assert files.codes(report) == [
        (2, "user_unit_credit_code", "NO_USER_UNIT"),
        (3, "street", "STREET_UNKNOWN"),
        (4, "equipment_code", "EQUIPMENT_CODE_TYPE_MISMATCH"),
        (5, "registration_number", "REGISTRATION_TYPE_MISMATCH"),
        (6, "rescue_code", "RESCUE_CODE_TAKEN"),
        (7, "user_unit_credit_code", "ORGANISATION_ROLE_MISSING"),
        (8, "user_unit_credit_code", "ORGANISATION_NOT_FOUND"),
        (9, "stops", "STOPS_EXCEED_FLOORS"),
        (10, "commissioned_on", "DATE_IN_FUTURE"),
        (11, "place_category", "VALIDATION_ERROR"),
    ]
    assert report.errors[0].column == "使用单位统一社会信用代码"
    assert report.rows_written == 1


def test_an_elevator_already_registered_is_skipped_not_updated(
    session: Session, world: factories.World
) -> None:
    row = elevator(world, 30, 设备代码=world.lift_a.equipment_code.lower(), 地址="新地址")
    report = files.run(session, files.ImportKind.ELEVATORS, files.csv_bytes(ELEVATOR_HEADER, [row]))
    assert (report.rows_skipped, report.rows_written, report.committed) == (1, 0, True)
    session.refresh(world.lift_a)
    assert world.lift_a.address != "新地址"
