"""The elevator's dossier (一梯一档) as JSON and as an XLSX workbook."""

import io
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
    assert workbook.sheetnames == [
        "elevator",
        "contracts",
        "warranties",
        "maintenance_records",
        "inspections",
        "safety_assessments",
        "hazard_reports",
        "usage_checks",
        "rescue_drills",
        "incidents",
    ]
    elevator = {row[0]: row[1] for row in workbook["elevator"].iter_rows(values_only=True)}
    assert elevator["equipment_code"] == world.lift_a.equipment_code
    records = list(workbook["maintenance_records"].iter_rows(values_only=True))
    header, row = records[0], records[1]
    assert len(records) == 2
    values = dict(zip(header, row, strict=True))
    assert values["id"] == filled["revised"]
    assert values["revision"] == 2
    # User text stays text: no formula, no control character.
    assert values["findings"] == '=HYPERLINK("http://x")'
    findings_cell = workbook["maintenance_records"].cell(row=2, column=header.index("findings") + 1)
    assert findings_cell.data_type == "s"
    hazards = list(workbook["hazard_reports"].iter_rows(values_only=True))
    hazard = dict(zip(hazards[0], hazards[1], strict=True))
    assert hazard["notice.notice_number"].startswith("TYTZ-2026-")
    assert hazard["resolution.resolved_on"] is None
