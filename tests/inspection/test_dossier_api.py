"""The elevator's dossier (一梯一档) as JSON and as an XLSX workbook."""

import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from tests import factories
from tests.conftest import AuthHeaders
from tests.evidence_factories import inspection, record_body, revision_body


@pytest.fixture
def filled(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> dict[str, int]:
    """lift_a with a revised record, an inspection, an assessment, a serious hazard, a check."""
    record = client.post(
        "/api/v1/maintenance-records", json=record_body(world.lift_a), headers=bureau
    ).json()
    revised = client.post(
        f"/api/v1/maintenance-records/{record['id']}/revisions",
        json=revision_body(findings='=HYPERLINK("http://x")\x01'),
        headers=bureau,
    ).json()
    inspection(session, world.lift_a, world.agency, performed_on=date(2026, 6, 1))
    client.post(
        "/api/v1/safety-assessments",
        json={
            "elevator_id": world.lift_a.id,
            "assessed_on": "2026-09-01",
            "score": "58",
            "risk_grade": 3,
            "conclusion": "modernise",
            "measures": ["更换控制柜"],
            "agency_id": world.agency.id,
        },
        headers=bureau,
    )
    hazard = client.post(
        "/api/v1/hazard-reports",
        json={"elevator_id": world.lift_a.id, "severity": "serious", "description": "制动器失效"},
        headers=bureau,
    ).json()
    client.post(
        "/api/v1/usage-checks",
        json={"elevator_id": world.lift_a.id, "checker_name": "王强"},
        headers=bureau,
    )
    return {"record": record["id"], "revised": revised["id"], "hazard": hazard["id"]}


def test_the_dossier_holds_every_section(
    client: TestClient, bureau: dict[str, str], world: factories.World, filled: dict[str, int]
) -> None:
    response = client.get(f"/api/v1/elevators/{world.lift_a.id}/dossier", headers=bureau)
    assert response.status_code == 200, response.json()
    dossier = response.json()
    assert dossier["elevator"]["id"] == world.lift_a.id
    assert dossier["elevator"]["status"] == "suspended"
    assert dossier["elevator"]["next_inspection_due_on"] == "2028-06-30"
    assert len(dossier["contracts"]) == 1
    assert [record["id"] for record in dossier["maintenance_records"]] == [filled["revised"]]
    assert len(dossier["inspections"]) == 1
    assert dossier["safety_assessments"][0]["risk_grade"] == 3
    assert dossier["hazard_reports"][0]["notice"]["notice_number"].startswith("TYTZ-2026-")
    assert len(dossier["usage_checks"]) == 1
    assert dossier["incidents"] == []
    assert dossier["as_of"] == "2026-11-15"


def test_the_dossier_is_scoped_like_the_elevator(
    client: TestClient, auth: AuthHeaders, world: factories.World, filled: dict[str, int]
) -> None:
    user_b = auth(Role.USER_UNIT, organisation=world.user_b)
    response = client.get(f"/api/v1/elevators/{world.lift_a.id}/dossier", headers=user_b)
    assert response.status_code == 404
    user_a = auth(Role.USER_UNIT, organisation=world.user_a)
    assert (
        client.get(f"/api/v1/elevators/{world.lift_a.id}/dossier", headers=user_a).status_code
        == 200
    )


def test_the_dossier_as_a_workbook_has_a_sheet_per_section(
    client: TestClient, bureau: dict[str, str], world: factories.World, filled: dict[str, int]
) -> None:
    response = client.get(
        f"/api/v1/elevators/{world.lift_a.id}/dossier?format=xlsx", headers=bureau
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"] == (
        f'attachment; filename="dossier-{world.lift_a.equipment_code}.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    # People read it: Chinese sheet names, headers and labels, organisations by name.
    assert workbook.sheetnames == [
        "电梯",
        "维保合同",
        "质保",
        "维保记录",
        "检验检测",
        "安全评估",
        "隐患",
        "使用单位自查",
        "应急演练",
        "96333 事件",
    ]
    elevator = {row[0]: row[1] for row in workbook["电梯"].iter_rows(values_only=True)}
    assert elevator["设备代码"] == world.lift_a.equipment_code
    assert elevator["场所类别"] == "住宅"
    assert elevator["状态"] == "停用"
    assert elevator["使用单位"] == world.user_a.name
    assert elevator["是否有物业管理"] in ("是", "否")
    contracts = list(workbook["维保合同"].iter_rows(values_only=True))
    contract = dict(zip(contracts[0], contracts[1], strict=True))
    assert contract["维保单位"] == world.maintainer_a.name
    assert contract["维保方式"] == "常规维保（每15日）"
    records = list(workbook["维保记录"].iter_rows(values_only=True))
    header, row = records[0], records[1]
    assert len(records) == 2
    values = dict(zip(header, row, strict=True))
    assert values["记录编号"] == filled["revised"]
    assert values["版本"] == 2
    assert values["维保类别"] == "半月"
    assert values["填报人"].startswith("区市场监管局（")
    # User text stays text: no formula, no control character.
    assert values["发现的问题"] == '=HYPERLINK("http://x")'
    findings_cell = workbook["维保记录"].cell(row=2, column=header.index("发现的问题") + 1)
    assert findings_cell.data_type == "s"
    hazards = list(workbook["隐患"].iter_rows(values_only=True))
    hazard = dict(zip(hazards[0], hazards[1], strict=True))
    assert hazard["停用通知书·通知书编号"].startswith("TYTZ-2026-")
    assert hazard["整改·整改完成日期"] is None
    assert hazard["严重程度"] == "重大隐患"
    every_header = [
        cell for sheet in workbook.worksheets for cell in next(sheet.iter_rows(values_only=True))
    ]
    assert [cell for cell in every_header if re.search(r"[a-z]", cell)] == []
