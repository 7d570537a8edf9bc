"""Hazard reports: a serious one suspends, notifies and reports in one transaction."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.errors import Conflict
from elevator_registry.maintenance import hazards as hazard_service
from elevator_registry.maintenance.models import HazardReport, HazardResolution, StopUseNotice
from elevator_registry.registry.models import Elevator, ElevatorStatusChange
from tests import factories
from tests.conftest import AuthHeaders

HAZARDS = "/api/v1/hazard-reports"


@pytest.fixture
def unit_a(auth: AuthHeaders, world: factories.World) -> dict[str, str]:
    return auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)


def hazard_body(elevator: Elevator, **overrides: Any) -> dict[str, Any]:
    body = {
        "elevator_id": elevator.id,
        "severity": "serious",
        "found_at": "2026-11-15T09:10:00+08:00",
        "description": "曳引钢丝绳断丝超标，制动器制动力不足",
    }
    return body | overrides


def status_of(session: Session, elevator: Elevator) -> str:
    return session.scalar(select(Elevator.status).where(Elevator.id == elevator.id)) or ""


def test_a_general_hazard_is_recorded_without_stopping_the_elevator(
    client: TestClient, unit_a: dict[str, str], world: factories.World, session: Session
) -> None:
    response = client.post(
        HAZARDS, json=hazard_body(world.lift_a, severity="general"), headers=unit_a
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["notice"] is None
    assert body["reported_to_bureau_at"] is None
    assert body["reporter_organisation_id"] == world.maintainer_a.id
    assert status_of(session, world.lift_a) == "in_use"
    assert factories.count(session, StopUseNotice) == 0


def test_a_serious_hazard_suspends_notifies_and_reports(
    client: TestClient, unit_a: dict[str, str], world: factories.World, session: Session
) -> None:
    response = client.post(HAZARDS, json=hazard_body(world.lift_a), headers=unit_a)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reported_to_bureau_at"].startswith("2026-11-15T02:00:00")
    assert body["notice"]["notice_number"] == f"TYTZ-2026-{body['id']:06d}"
    assert status_of(session, world.lift_a) == "suspended"
    change = session.scalar(
        select(ElevatorStatusChange).where(
            ElevatorStatusChange.elevator_id == world.lift_a.id,
            ElevatorStatusChange.to_status == "suspended",
        )
    )
    assert change is not None and f"hazard report {body['id']}" in (change.reason or "")
    audited = set(session.scalars(select(AuditEvent.entity).where(AuditEvent.at.isnot(None))))
    assert {"hazard_report", "stop_use_notice", "elevator"} <= audited


def test_a_serious_hazard_on_an_elevator_not_in_use_still_gets_its_notice(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    response = client.post(HAZARDS, json=hazard_body(world.orphan), headers=bureau)
    assert response.status_code == 201, response.json()
    assert response.json()["notice"] is not None
    assert response.json()["reporter_organisation_id"] is None
    assert status_of(session, world.orphan) == "registered"
    assert factories.count(session, ElevatorStatusChange) == 0


def test_the_serious_hazard_transaction_is_all_or_nothing(
    client: TestClient,
    unit_a: dict[str, str],
    world: factories.World,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    audit_before = factories.count(session, AuditEvent)

    def notice_fails(*_args: object, **_kwargs: object) -> None:
        # Fails after the report was written and the elevator suspended.
        raise Conflict("NOTICE_NUMBER_TAKEN", "simulated failure while issuing the notice")

    monkeypatch.setattr(hazard_service, "issue_stop_use_notice", notice_fails)
    response = client.post(HAZARDS, json=hazard_body(world.lift_a), headers=unit_a)
    assert response.status_code == 409
    session.expire_all()
    assert status_of(session, world.lift_a) == "in_use"
    assert factories.count(session, HazardReport) == 0
    assert factories.count(session, StopUseNotice) == 0
    assert factories.count(session, ElevatorStatusChange) == 0
    assert factories.count(session, AuditEvent) == audit_before


@pytest.mark.parametrize(
    ("override", "status", "code"),
    [
        ({"found_at": "2026-11-15T11:00:00+08:00"}, 422, "HAZARD_DATE_IN_FUTURE"),
        ({"severity": "critical"}, 422, "VALIDATION_ERROR"),
        ({"description": ""}, 422, "VALIDATION_ERROR"),
    ],
)
def test_invalid_hazard_reports_are_refused(
    client: TestClient,
    unit_a: dict[str, str],
    world: factories.World,
    session: Session,
    override: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = client.post(HAZARDS, json=hazard_body(world.lift_a, **override), headers=unit_a)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert factories.count(session, HazardReport) == 0
    assert status_of(session, world.lift_a) == "in_use"


def test_a_unit_reports_only_on_elevators_it_maintains(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    unit_b = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_b)
    response = client.post(HAZARDS, json=hazard_body(world.lift_a), headers=unit_b)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "NO_CONTRACT_ON_DATE"
    user = auth(Role.USER_UNIT, organisation=world.user_a)
    assert client.post(HAZARDS, json=hazard_body(world.lift_a), headers=user).status_code == 403
    assert factories.count(session, HazardReport) == 0
    assert status_of(session, world.lift_a) == "in_use"


def test_an_agency_reports_anywhere(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    agency = auth(Role.INSPECTION_AGENCY, organisation=world.agency)
    response = client.post(HAZARDS, json=hazard_body(world.lift_b), headers=agency)
    assert response.status_code == 201
    assert status_of(session, world.lift_b) == "suspended"


def test_resolution_is_dated_once_and_does_not_resume_the_elevator(
    client: TestClient,
    unit_a: dict[str, str],
    auth: AuthHeaders,
    world: factories.World,
    session: Session,
) -> None:
    hazard = client.post(HAZARDS, json=hazard_body(world.lift_a), headers=unit_a).json()
    agency = auth(Role.INSPECTION_AGENCY, organisation=world.agency)
    not_theirs = client.post(f"{HAZARDS}/{hazard['id']}/resolve", json={}, headers=agency)
    assert not_theirs.status_code == 403
    assert not_theirs.json()["error"]["code"] == "OUT_OF_SCOPE"
    too_early = client.post(
        f"{HAZARDS}/{hazard['id']}/resolve", json={"resolved_on": "2026-11-14"}, headers=unit_a
    )
    assert too_early.json()["error"]["code"] == "DATE_ORDER_INVALID"
    assert factories.count(session, HazardResolution) == 0

    resolved = client.post(
        f"{HAZARDS}/{hazard['id']}/resolve", json={"note": "已更换钢丝绳"}, headers=unit_a
    )
    assert resolved.status_code == 201, resolved.json()
    assert resolved.json()["resolved_on"] == "2026-11-15"
    again = client.post(f"{HAZARDS}/{hazard['id']}/resolve", json={}, headers=auth(Role.BUREAU))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "HAZARD_ALREADY_RESOLVED"
    assert status_of(session, world.lift_a) == "suspended"
    read = client.get(f"{HAZARDS}/{hazard['id']}", headers=unit_a).json()
    assert read["resolution"]["note"] == "已更换钢丝绳"


def test_the_bureau_resolves_any_hazard(
    client: TestClient, unit_a: dict[str, str], bureau: dict[str, str], world: factories.World
) -> None:
    hazard = client.post(HAZARDS, json=hazard_body(world.lift_a), headers=unit_a).json()
    response = client.post(f"{HAZARDS}/{hazard['id']}/resolve", json={}, headers=bureau)
    assert response.status_code == 201


def test_open_filter_lists_unresolved_hazards(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    first = client.post(HAZARDS, json=hazard_body(world.lift_a), headers=bureau).json()
    second = client.post(
        HAZARDS, json=hazard_body(world.lift_b, severity="general"), headers=bureau
    ).json()
    client.post(f"{HAZARDS}/{first['id']}/resolve", json={}, headers=bureau)
    open_ids = [
        item["id"] for item in client.get(f"{HAZARDS}?open=true", headers=bureau).json()["items"]
    ]
    closed_ids = [
        item["id"] for item in client.get(f"{HAZARDS}?open=false", headers=bureau).json()["items"]
    ]
    assert (open_ids, closed_ids) == ([second["id"]], [first["id"]])


def test_the_notice_as_json_names_the_elevator_and_the_user_unit(
    client: TestClient, unit_a: dict[str, str], auth: AuthHeaders, world: factories.World
) -> None:
    hazard = client.post(HAZARDS, json=hazard_body(world.lift_a), headers=unit_a).json()
    user = auth(Role.USER_UNIT, organisation=world.user_a)
    response = client.get(f"{HAZARDS}/{hazard['id']}/notice", headers=user)
    assert response.status_code == 200, response.json()
    notice = response.json()
    assert notice["notice_number"] == hazard["notice"]["notice_number"]
    assert notice["user_unit_name"] == world.user_a.name
    assert notice["reporting_unit"] == world.maintainer_a.name
    assert notice["elevator"]["equipment_code"] == world.lift_a.equipment_code
    assert notice["issued_on"] == "2026-11-15"
    assert "立即停止使用该电梯" in notice["body"]
    assert "曳引钢丝绳断丝超标" in notice["body"]


def test_the_notice_prints_as_html(
    client: TestClient, unit_a: dict[str, str], world: factories.World
) -> None:
    hazard = client.post(
        HAZARDS,
        json=hazard_body(world.lift_a, description="门锁<失效> & 短接"),
        headers=unit_a,
    ).json()
    response = client.get(f"{HAZARDS}/{hazard['id']}/notice?format=html", headers=unit_a)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for expected in (
        "电梯停止使用通知书",
        hazard["notice"]["notice_number"],
        world.lift_a.equipment_code,
        world.lift_a.address,
        world.user_a.name,
        world.maintainer_a.name,
        "2026年11月15日",
    ):
        assert expected in page, expected
    assert "门锁&lt;失效&gt; &amp; 短接" in page  # escaped, never markup


def test_a_general_hazard_has_no_notice(
    client: TestClient, unit_a: dict[str, str], world: factories.World
) -> None:
    hazard = client.post(
        HAZARDS, json=hazard_body(world.lift_a, severity="general"), headers=unit_a
    ).json()
    response = client.get(f"{HAZARDS}/{hazard['id']}/notice", headers=unit_a)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "STOP_USE_NOTICE_NOT_FOUND"
