"""Authentication and row scoping: who reads and writes which elevators."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.registry.models import MaintenanceContract
from tests import factories
from tests.conftest import NOW, AuthHeaders


def visible_ids(client: TestClient, headers: dict[str, str]) -> list[int]:
    return [item["id"] for item in client.get("/api/v1/elevators", headers=headers).json()["items"]]


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "AUTHENTICATION_REQUIRED"),
        ({"Authorization": "Bearer er_forged"}, "TOKEN_INVALID"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "TOKEN_INVALID"),
        ({"Authorization": "Bearer "}, "TOKEN_INVALID"),
    ],
)
def test_missing_or_forged_tokens_get_401(
    client: TestClient, world: factories.World, headers: dict[str, str], code: str
) -> None:
    response = client.get("/api/v1/elevators", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code


def test_a_revoked_token_stops_working(client: TestClient, session: Session) -> None:
    token, secret = auth_service.create_token(session, role=Role.BUREAU, label="leaver", now=NOW)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/elevators", headers=headers).status_code == 200
    auth_service.revoke_token(session, token_id=token.id, now=NOW)
    session.flush()
    assert (
        client.get("/api/v1/elevators", headers=headers).json()["error"]["code"] == "TOKEN_INVALID"
    )


def test_tokens_are_stored_only_as_hashes(session: Session) -> None:
    token, secret = auth_service.create_token(session, role=Role.OPERATOR, label="seat 3", now=NOW)
    assert secret not in (token.token_hash, token.prefix)
    assert token.token_hash == auth_service.hash_token(secret)


def test_a_failed_write_with_a_forged_token_writes_nothing(
    client: TestClient, world: factories.World, session: Session
) -> None:
    response = client.patch(
        f"/api/v1/elevators/{world.lift_a.id}",
        json={"address": "x"},
        headers={"Authorization": "Bearer er_forged"},
    )
    assert response.status_code == 401
    assert factories.count(session, AuditEvent) == 0


# Maintenance units --------------------------------------------------------------------------


def test_a_maintenance_unit_sees_only_elevators_it_holds_a_contract_for(
    client: TestClient, auth: AuthHeaders, world: factories.World
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    assert visible_ids(client, headers) == [world.lift_a.id]
    assert client.get(f"/api/v1/elevators/{world.lift_a.id}", headers=headers).status_code == 200
    other = client.get(f"/api/v1/elevators/{world.lift_b.id}", headers=headers)
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "ELEVATOR_NOT_FOUND"


def test_a_contract_that_ended_yesterday_no_longer_gives_access(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    current = session.query(MaintenanceContract).filter_by(elevator_id=world.lift_a.id).one()
    current.end_date = date(2026, 11, 14)
    session.flush()
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    assert visible_ids(client, headers) == []
    current.end_date = date(2026, 11, 15)
    session.flush()
    assert visible_ids(client, headers) == [world.lift_a.id]


def test_a_maintenance_unit_cannot_update_someone_elses_elevator(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    response = client.patch(
        f"/api/v1/elevators/{world.lift_b.id}", json={"iot_terminal_fitted": True}, headers=headers
    )
    assert response.status_code == 404
    session.refresh(world.lift_b)
    assert world.lift_b.iot_terminal_fitted is False
    assert factories.count(session, AuditEvent) == 0


def test_a_maintenance_unit_records_the_iot_terminal_on_its_own_elevator_only(
    client: TestClient, auth: AuthHeaders, world: factories.World
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    url = f"/api/v1/elevators/{world.lift_a.id}"
    assert client.patch(url, json={"iot_terminal_fitted": True}, headers=headers).json()[
        "iot_terminal_fitted"
    ]
    refused = client.patch(url, json={"user_unit_id": world.user_b.id}, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "FIELD_NOT_WRITABLE"
    assert refused.json()["error"]["field"] == "user_unit_id"


def test_a_maintenance_unit_cannot_change_status(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    response = client.post(f"/api/v1/elevators/{world.lift_a.id}/suspend", json={}, headers=headers)
    assert response.status_code == 403
    session.refresh(world.lift_a)
    assert world.lift_a.status == "in_use"


# User units ---------------------------------------------------------------------------------


def test_a_user_unit_sees_and_suspends_only_its_own_elevators(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    headers = auth(Role.USER_UNIT, organisation=world.user_a)
    assert visible_ids(client, headers) == [world.lift_a.id]
    foreign = client.post(f"/api/v1/elevators/{world.lift_b.id}/suspend", json={}, headers=headers)
    assert foreign.status_code == 404
    session.refresh(world.lift_b)
    assert world.lift_b.status == "in_use"
    own = client.post(f"/api/v1/elevators/{world.lift_a.id}/suspend", json={}, headers=headers)
    assert own.json()["status"] == "suspended"


def test_a_user_unit_cannot_touch_another_units_elevator(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    headers = auth(Role.USER_UNIT, organisation=world.user_a)
    response = client.patch(
        f"/api/v1/elevators/{world.lift_b.id}", json={"has_repair_fund": False}, headers=headers
    )
    assert response.status_code == 404
    session.refresh(world.lift_b)
    assert world.lift_b.has_repair_fund is True


# Street offices -----------------------------------------------------------------------------


def test_a_street_office_sees_its_area_and_arranges_a_user_unit_for_an_orphan(
    client: TestClient, auth: AuthHeaders, world: factories.World
) -> None:
    headers = auth(Role.STREET_OFFICE, street="古南街道")
    assert visible_ids(client, headers) == [world.lift_a.id, world.orphan.id]
    arranged = client.patch(
        f"/api/v1/elevators/{world.orphan.id}",
        json={"user_unit_id": world.user_a.id},
        headers=headers,
    )
    assert arranged.json()["user_unit_id"] == world.user_a.id
    reassign = client.patch(
        f"/api/v1/elevators/{world.lift_a.id}",
        json={"user_unit_id": world.user_b.id},
        headers=headers,
    )
    assert reassign.status_code == 403
    outside = client.patch(
        f"/api/v1/elevators/{world.lift_b.id}", json={"has_repair_fund": False}, headers=headers
    )
    assert outside.status_code == 404


# Other roles --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.INSPECTION_AGENCY])
def test_operators_and_agencies_read_every_elevator_but_change_none(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session, role: Role
) -> None:
    headers = auth(role, organisation=world.agency if role == Role.INSPECTION_AGENCY else None)
    assert len(visible_ids(client, headers)) == 3
    response = client.patch(
        f"/api/v1/elevators/{world.lift_a.id}", json={"address": "x路1号"}, headers=headers
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN_ROLE"
    assert factories.count(session, AuditEvent) == 0


def test_an_iot_platform_reads_no_elevators(
    client: TestClient, auth: AuthHeaders, world: factories.World
) -> None:
    headers = auth(Role.IOT_PLATFORM)
    assert visible_ids(client, headers) == []
    assert client.get(f"/api/v1/elevators/{world.lift_a.id}", headers=headers).status_code == 404


def test_only_the_bureau_reads_the_audit_trail(
    client: TestClient, auth: AuthHeaders, bureau: dict[str, str], world: factories.World
) -> None:
    client.patch(
        f"/api/v1/elevators/{world.lift_a.id}", json={"address": "新址9号"}, headers=bureau
    )
    events = client.get("/api/v1/audit-events?entity=elevator", headers=bureau).json()["items"]
    assert [event["changes"]["address"]["after"] for event in events] == ["新址9号"]
    refused = client.get(
        "/api/v1/audit-events", headers=auth(Role.USER_UNIT, organisation=world.user_a)
    )
    assert refused.status_code == 403
