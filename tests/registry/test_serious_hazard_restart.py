"""SERIOUS_HAZARD_OPEN at write time: no resume or put-in-use over an unresolved serious hazard.

特种设备安全法 第四十二条: the user unit eliminates the hazard before the elevator is used again.
The refusal names the hazard and how to resolve it, and changes nothing.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.registry.models import Elevator, ElevatorStatusChange
from tests import factories
from tests.conftest import NOW, AuthHeaders
from tests.imports import files
from tests.imports.test_import_registry import ELEVATOR_HEADER
from tests.imports.test_import_registry import elevator as elevator_row

HAZARDS = "/api/v1/hazard-reports"
ELEVATORS = "/api/v1/elevators"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class MovableClock:
    """A clock the test moves forward between requests (the fixed clock cannot move)."""

    at: datetime
    timezone: str = "Asia/Shanghai"

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.astimezone(ZoneInfo(self.timezone)).date()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(at=NOW)


def local(text: str) -> datetime:
    """A wall-clock time in 綦江 as the UTC instant the server sees."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)


def file_serious_hazard(
    client: TestClient, headers: dict[str, str], elevator: Elevator, found_at: str
) -> dict[str, object]:
    response = client.post(
        HAZARDS,
        json={
            "elevator_id": elevator.id,
            "severity": "serious",
            "found_at": found_at,
            "description": "制动器制动力不足",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.json()
    return response.json()


def status_of(session: Session, elevator: Elevator) -> str:
    session.expire_all()
    return session.scalar(select(Elevator.status).where(Elevator.id == elevator.id)) or ""


def resolve(client: TestClient, hazard_id: object, headers: dict[str, str]) -> dict[str, str]:
    response = client.post(f"{HAZARDS}/{hazard_id}/resolve", json={}, headers=headers)
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.mark.parametrize("role", [Role.BUREAU, Role.USER_UNIT])
def test_resume_is_refused_until_the_serious_hazard_is_resolved(
    role: Role,
    client: TestClient,
    auth: AuthHeaders,
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
) -> None:
    unit = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    hazard = file_serious_hazard(client, unit, world.lift_a, "2026-11-15T09:10:00+08:00")
    assert status_of(session, world.lift_a) == "suspended"
    resumer = bureau if role == Role.BUREAU else auth(Role.USER_UNIT, organisation=world.user_a)
    changes = factories.count(session, ElevatorStatusChange)
    events = factories.count(session, AuditEvent)

    refused = client.post(f"{ELEVATORS}/{world.lift_a.id}/resume", json={}, headers=resumer)

    assert refused.status_code == 409
    error = refused.json()["error"]
    assert (error["code"], error["rule"]) == ("SERIOUS_HAZARD_OPEN", "SERIOUS_HAZARD_OPEN")
    assert f"hazard report {hazard['id']}" in error["message"]
    assert "2026-11-15" in error["message"] and "制动器制动力不足" in error["message"]
    assert f"/hazard-reports/{hazard['id']}/resolve" in error["message"]
    assert f"第 {hazard['id']} 号" in error["message_zh"] and "隐患消除" in error["message_zh"]
    assert status_of(session, world.lift_a) == "suspended"
    assert factories.count(session, ElevatorStatusChange) == changes
    assert factories.count(session, AuditEvent) == events

    resolve(client, hazard["id"], unit)
    resumed = client.post(f"{ELEVATORS}/{world.lift_a.id}/resume", json={}, headers=resumer)
    assert resumed.status_code == 200, resumed.json()
    assert status_of(session, world.lift_a) == "in_use"


def test_every_serious_hazard_must_be_resolved_and_general_ones_do_not_block(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    first = file_serious_hazard(client, bureau, world.lift_a, "2026-11-15T08:00:00+08:00")
    second = file_serious_hazard(client, bureau, world.lift_a, "2026-11-15T09:00:00+08:00")
    general = client.post(
        HAZARDS,
        json={
            "elevator_id": world.lift_a.id,
            "severity": "general",
            "description": "轿厢照明不足",
        },
        headers=bureau,
    )
    assert general.status_code == 201
    resolve(client, first["id"], bureau)
    refused = client.post(f"{ELEVATORS}/{world.lift_a.id}/resume", json={}, headers=bureau)
    assert refused.json()["error"]["code"] == "SERIOUS_HAZARD_OPEN"
    assert f"hazard report {second['id']}" in refused.json()["error"]["message"]
    resolve(client, second["id"], bureau)
    resumed = client.post(f"{ELEVATORS}/{world.lift_a.id}/resume", json={}, headers=bureau)
    assert resumed.status_code == 200, resumed.json()


def test_the_day_boundary_is_the_local_day_of_the_resolution(
    client: TestClient,
    clock: MovableClock,
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
) -> None:
    # Found and filed on D-1 = 15 November (local); resolved at 00:30 local on D = 16 November,
    # which is still 15 November in UTC: the UTC date must not be the one compared.
    clock.at = local("2026-11-15T10:00:00")
    hazard = file_serious_hazard(client, bureau, world.lift_a, "2026-11-15T09:10:00+08:00")
    resume = f"{ELEVATORS}/{world.lift_a.id}/resume"

    clock.at = local("2026-11-15T23:59:00")
    late_evening = client.post(resume, json={}, headers=bureau)
    assert late_evening.json()["error"]["code"] == "SERIOUS_HAZARD_OPEN"

    clock.at = local("2026-11-16T00:30:00")
    assert clock.at.date() == date(2026, 11, 15)
    assert resolve(client, hazard["id"], bureau)["resolved_on"] == "2026-11-16"

    backdated = client.post(resume, json={"on": "2026-11-15"}, headers=bureau)
    assert backdated.status_code == 409
    assert backdated.json()["error"]["code"] == "SERIOUS_HAZARD_OPEN"
    assert "not resolved by 2026-11-15" in backdated.json()["error"]["message"]
    assert status_of(session, world.lift_a) == "suspended"

    clock.at = local("2026-11-16T00:31:00")
    resumed = client.post(resume, json={}, headers=bureau)
    assert resumed.status_code == 200, resumed.json()
    assert resumed.json()["status"] == "in_use"
    change = session.scalar(
        select(ElevatorStatusChange)
        .where(ElevatorStatusChange.elevator_id == world.lift_a.id)
        .order_by(ElevatorStatusChange.id.desc())
        .limit(1)
    )
    assert change is not None and change.changed_on == date(2026, 11, 16)


def test_put_in_use_is_refused_over_a_serious_hazard_reported_before_commissioning(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    given = client.patch(
        f"{ELEVATORS}/{world.orphan.id}", json={"user_unit_id": world.user_a.id}, headers=bureau
    )
    assert given.status_code == 200, given.json()
    hazard = file_serious_hazard(client, bureau, world.orphan, "2026-11-15T09:10:00+08:00")
    put_in_use = f"{ELEVATORS}/{world.orphan.id}/put-in-use"
    body = {"commissioned_on": "2026-11-15"}

    refused = client.post(put_in_use, json=body, headers=bureau)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "SERIOUS_HAZARD_OPEN"
    assert status_of(session, world.orphan) == "registered"

    resolve(client, hazard["id"], bureau)
    accepted = client.post(put_in_use, json=body, headers=bureau)
    assert accepted.status_code == 200, accepted.json()
    assert status_of(session, world.orphan) == "in_use"


def test_an_import_cannot_put_back_in_use_an_elevator_with_an_open_hazard(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    """Import creates elevators only: a row naming an existing one as 在用 is skipped."""
    file_serious_hazard(client, bureau, world.lift_a, "2026-11-15T09:10:00+08:00")
    row = elevator_row(world, 1, 设备代码=world.lift_a.equipment_code, 状态="在用")
    response = files.upload(client, "elevators", files.csv_bytes(ELEVATOR_HEADER, [row]), bureau)
    assert response.status_code == 200, response.json()
    assert (response.json()["rows_written"], response.json()["rows_skipped"]) == (0, 1)
    assert status_of(session, world.lift_a) == "suspended"
