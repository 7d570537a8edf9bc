"""Inspections, self-tests, re-inspections and safety assessments through the API."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.inspection.models import Inspection, SafetyAssessment
from elevator_registry.registry.models import Elevator
from tests import factories
from tests.conftest import AuthHeaders
from tests.evidence_factories import inspection

INSPECTIONS = "/api/v1/inspections"
ASSESSMENTS = "/api/v1/safety-assessments"


@pytest.fixture
def agency(auth: AuthHeaders, world: factories.World) -> dict[str, str]:
    return auth(Role.INSPECTION_AGENCY, organisation=world.agency)


def inspection_body(elevator: Elevator, **overrides: Any) -> dict[str, Any]:
    body = {
        "elevator_id": elevator.id,
        "kind": "periodic",
        "performed_on": "2026-06-10",
        "result": "pass",
        "report_number": "DT-2026-0001",
    }
    return body | overrides


def test_an_agency_files_an_inspection_under_its_own_name(
    client: TestClient, agency: dict[str, str], world: factories.World
) -> None:
    response = client.post(INSPECTIONS, json=inspection_body(world.lift_a), headers=agency)
    assert response.status_code == 201, response.json()
    assert response.json()["agency_id"] == world.agency.id
    assert response.json()["self_tester_id"] is None


@pytest.mark.parametrize(
    ("override", "status", "code"),
    [
        ({"performed_on": "2026-11-16"}, 422, "DATE_IN_FUTURE"),
        ({"kind": "re_inspection"}, 422, "FOLLOWS_REQUIRED"),
        ({"follows_id": 1}, 422, "FOLLOWS_NOT_ALLOWED"),
        ({"self_tester_id": 1}, 422, "FIELD_NOT_ALLOWED"),
        ({"result": "maybe"}, 422, "VALIDATION_ERROR"),
        ({"report_number": ""}, 422, "VALIDATION_ERROR"),
        ({"elevator_id": 2_000_000}, 404, "ELEVATOR_NOT_FOUND"),
    ],
)
def test_invalid_inspections_are_refused(
    client: TestClient,
    agency: dict[str, str],
    world: factories.World,
    session: Session,
    override: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = client.post(
        INSPECTIONS, json=inspection_body(world.lift_a, **override), headers=agency
    )
    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert factories.count(session, Inspection) == 0


def test_report_numbers_are_unique_per_agency(
    client: TestClient,
    agency: dict[str, str],
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
) -> None:
    assert (
        client.post(INSPECTIONS, json=inspection_body(world.lift_a), headers=agency).status_code
        == 201
    )
    again = client.post(INSPECTIONS, json=inspection_body(world.lift_b), headers=agency)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "REPORT_NUMBER_TAKEN"
    other = factories.organisation(
        session, "綦江特检站", factories.OrganisationRole.INSPECTION_AGENCY
    )
    by_other = client.post(
        INSPECTIONS, json=inspection_body(world.lift_b, agency_id=other.id), headers=bureau
    )
    assert by_other.status_code == 201
    assert factories.count(session, Inspection) == 2


def test_the_bureau_names_the_agency(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    missing = client.post(INSPECTIONS, json=inspection_body(world.lift_a), headers=bureau)
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "AGENCY_REQUIRED"
    not_agency = client.post(
        INSPECTIONS, json=inspection_body(world.lift_a, agency_id=world.user_a.id), headers=bureau
    )
    assert not_agency.json()["error"]["code"] == "ORGANISATION_ROLE_MISSING"


def test_a_maintenance_unit_files_self_tests_reviewed_by_an_agency(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    unit_a = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    body = inspection_body(world.lift_a, kind="self_test", agency_id=world.agency.id)
    response = client.post(INSPECTIONS, json=body, headers=unit_a)
    assert response.status_code == 201, response.json()
    assert response.json()["self_tester_id"] == world.maintainer_a.id
    assert response.json()["agency_id"] == world.agency.id

    periodic = client.post(
        INSPECTIONS, json=body | {"kind": "periodic", "report_number": "X2"}, headers=unit_a
    )
    assert periodic.status_code == 403
    assert periodic.json()["error"]["code"] == "INSPECTION_KIND_NOT_ALLOWED"
    no_agency = client.post(
        INSPECTIONS,
        json=inspection_body(world.lift_a, kind="self_test", report_number="X3"),
        headers=unit_a,
    )
    assert no_agency.json()["error"]["code"] == "AGENCY_REQUIRED"
    not_maintained = client.post(
        INSPECTIONS,
        json=inspection_body(
            world.lift_b, kind="self_test", agency_id=world.agency.id, report_number="X4"
        ),
        headers=unit_a,
    )
    assert not_maintained.status_code == 409
    assert not_maintained.json()["error"]["code"] == "NO_CONTRACT_ON_DATE"
    assert factories.count(session, Inspection) == 1


def test_a_re_inspection_follows_a_failed_inspection_of_the_same_elevator(
    client: TestClient, agency: dict[str, str], world: factories.World, session: Session
) -> None:
    passed = inspection(session, world.lift_a, world.agency, performed_on=date(2026, 6, 1))
    failed = inspection(
        session, world.lift_a, world.agency, performed_on=date(2026, 7, 1), result="fail"
    )
    other = inspection(
        session, world.lift_b, world.agency, performed_on=date(2026, 7, 1), result="fail"
    )
    for target, performed_on in (
        (passed, "2026-08-01"),
        (other, "2026-08-01"),
        (failed, "2026-06-30"),
    ):
        response = client.post(
            INSPECTIONS,
            json=inspection_body(
                world.lift_a,
                kind="re_inspection",
                follows_id=target.id,
                performed_on=performed_on,
                report_number="RE-1",
            ),
            headers=agency,
        )
        assert response.status_code == 409, target.id
        assert response.json()["error"]["code"] == "REINSPECTION_TARGET_INVALID"
    good = client.post(
        INSPECTIONS,
        json=inspection_body(
            world.lift_a,
            kind="re_inspection",
            follows_id=failed.id,
            performed_on="2026-08-01",
            report_number="RE-1",
        ),
        headers=agency,
    )
    assert good.status_code == 201
    assert good.json()["follows_id"] == failed.id


def test_a_failed_inspection_blocks_resume_until_a_passing_re_inspection(
    client: TestClient,
    agency: dict[str, str],
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
) -> None:
    failed = client.post(
        INSPECTIONS, json=inspection_body(world.lift_a, result="fail"), headers=agency
    ).json()
    client.post(
        f"/api/v1/elevators/{world.lift_a.id}/suspend", json={"on": "2026-06-11"}, headers=bureau
    )
    blocked = client.post(f"/api/v1/elevators/{world.lift_a.id}/resume", json={}, headers=bureau)
    assert blocked.status_code == 409
    assert blocked.json()["error"]["code"] == "INSPECTION_FAILED_IN_USE"
    still_failing = client.post(
        INSPECTIONS,
        json=inspection_body(
            world.lift_a,
            kind="re_inspection",
            follows_id=failed["id"],
            performed_on="2026-07-01",
            result="fail",
            report_number="RE-1",
        ),
        headers=agency,
    ).json()
    assert (
        client.post(
            f"/api/v1/elevators/{world.lift_a.id}/resume", json={}, headers=bureau
        ).status_code
        == 409
    )
    client.post(
        INSPECTIONS,
        json=inspection_body(
            world.lift_a,
            kind="re_inspection",
            follows_id=still_failing["id"],
            performed_on="2026-08-01",
            result="pass_after_rectification",
            report_number="RE-2",
        ),
        headers=agency,
    )
    resumed = client.post(f"/api/v1/elevators/{world.lift_a.id}/resume", json={}, headers=bureau)
    assert resumed.status_code == 200, resumed.json()
    assert resumed.json()["status"] == "in_use"


def test_the_elevator_read_carries_its_inspection_schedule(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    # lift_a: commissioned 2015-06-01 (no installation date: falls back), inspected 2026-06-01.
    inspection(session, world.lift_a, world.agency, performed_on=date(2026, 6, 1))
    inspection(session, world.lift_b, world.agency, performed_on=date(2026, 6, 1), result="fail")
    one = client.get(f"/api/v1/elevators/{world.lift_a.id}", headers=bureau).json()
    # Year 11 (2026-06) met; year 12 (2027-06) is a self-test year, year 13 (2028-06) inspected.
    assert one["next_inspection_due_on"] == "2028-06-30"
    assert one["next_self_test_due_on"] == "2027-06-30"
    assert one["inspection_valid_until"] == "2027-06-30"
    listed = {
        item["id"]: item for item in client.get("/api/v1/elevators", headers=bureau).json()["items"]
    }
    assert listed[world.lift_a.id]["inspection_valid_until"] == "2027-06-30"
    assert listed[world.lift_b.id]["inspection_valid_until"] is None  # latest failed
    assert listed[world.lift_b.id]["next_inspection_due_on"] == "2028-06-30"
    assert listed[world.orphan.id]["next_inspection_due_on"] is None  # no base date


def test_the_yearly_regime_is_a_setting(
    client: TestClient,
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from elevator_registry.config import get_settings

    monkeypatch.setenv("ELEVATOR_REGISTRY_INSPECTION_REGIME", "yearly")
    get_settings.cache_clear()
    try:
        inspection(session, world.lift_a, world.agency, performed_on=date(2026, 6, 1))
        one = client.get(f"/api/v1/elevators/{world.lift_a.id}", headers=bureau).json()
        assert one["next_inspection_due_on"] == "2027-06-30"
        assert one["next_self_test_due_on"] is None
    finally:
        get_settings.cache_clear()


# Safety assessments ---------------------------------------------------------------------------


def assessment_body(elevator: Elevator, **overrides: Any) -> dict[str, Any]:
    body = {
        "elevator_id": elevator.id,
        "assessed_on": "2026-09-01",
        "score": "62.50",
        "risk_grade": 3,
        "conclusion": "modernise",
        "measures": ["更换曳引钢丝绳", "加装轿厢意外移动保护装置"],
        "report_number": "PG-2026-001",
    }
    return body | overrides


def test_an_agency_files_a_safety_assessment(
    client: TestClient, agency: dict[str, str], world: factories.World
) -> None:
    response = client.post(ASSESSMENTS, json=assessment_body(world.lift_a), headers=agency)
    assert response.status_code == 201, response.json()
    assert response.json()["measures"] == ["更换曳引钢丝绳", "加装轿厢意外移动保护装置"]
    assert response.json()["score"] == "62.50"
    high = client.get(f"{ASSESSMENTS}?min_risk_grade=3", headers=agency).json()["items"]
    assert [item["id"] for item in high] == [response.json()["id"]]


@pytest.mark.parametrize(
    ("override", "status", "code"),
    [
        ({"score": "100.01"}, 422, "VALIDATION_ERROR"),
        ({"risk_grade": 5}, 422, "VALIDATION_ERROR"),
        ({"conclusion": "demolish"}, 422, "VALIDATION_ERROR"),
        ({"assessed_on": "2026-12-01"}, 422, "DATE_IN_FUTURE"),
    ],
)
def test_invalid_assessments_are_refused(
    client: TestClient,
    agency: dict[str, str],
    world: factories.World,
    session: Session,
    override: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = client.post(
        ASSESSMENTS, json=assessment_body(world.lift_a, **override), headers=agency
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert factories.count(session, SafetyAssessment) == 0


def test_assessment_report_numbers_are_unique_and_units_do_not_assess(
    client: TestClient,
    agency: dict[str, str],
    auth: AuthHeaders,
    world: factories.World,
    session: Session,
) -> None:
    client.post(ASSESSMENTS, json=assessment_body(world.lift_a), headers=agency)
    again = client.post(ASSESSMENTS, json=assessment_body(world.lift_b), headers=agency)
    assert again.json()["error"]["code"] == "REPORT_NUMBER_TAKEN"
    unit = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    by_unit = client.post(
        ASSESSMENTS, json=assessment_body(world.lift_a, report_number="PG-9"), headers=unit
    )
    assert by_unit.status_code == 403
    assert factories.count(session, SafetyAssessment) == 1


def test_the_schedule_of_a_page_costs_one_query(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    for lift in (world.lift_a, world.lift_b):
        inspection(session, lift, world.agency, performed_on=date(2026, 6, 1))
    statements: list[str] = []

    def remember(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", remember)
    try:
        assert client.get("/api/v1/elevators", headers=bureau).status_code == 200
    finally:
        event.remove(connection, "before_cursor_execute", remember)
    # The page's risk columns are one more statement (the rules' union, which reads inspections
    # too when no risk snapshot exists); the schedule itself is one.
    risk = [statement for statement in statements if "AS rule" in statement]
    assert len(risk) == 1
    assert (
        sum("FROM inspection" in statement for statement in statements if statement not in risk)
        == 1
    )
