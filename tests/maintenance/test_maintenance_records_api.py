"""Maintenance records through the API: filing, refusals, revisions, confirmation, scoping."""

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.maintenance.models import MaintenanceConfirmation, MaintenanceRecord
from elevator_registry.maintenance.service import certificate_number_valid
from elevator_registry.registry.models import Licence, MaintenanceContract
from tests import factories
from tests.conftest import NOW, AuthHeaders
from tests.evidence_factories import (
    BAD_CHECK,
    CERTIFIED,
    LEGACY_CERTIFIED,
    crew,
    record_body,
    revision_body,
)

RECORDS = "/api/v1/maintenance-records"


@pytest.fixture
def unit_a(auth: AuthHeaders, world: factories.World) -> dict[str, str]:
    return auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)


@pytest.fixture
def user_a(auth: AuthHeaders, world: factories.World) -> dict[str, str]:
    return auth(Role.USER_UNIT, organisation=world.user_a)


def file(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(RECORDS, json=body, headers=headers)
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_maintenance_unit_files_a_record_and_the_contract_is_found(
    client: TestClient, unit_a: dict[str, str], world: factories.World, session: Session
) -> None:
    body = file(client, unit_a, record_body(world.lift_a))
    assert body["maintenance_unit_id"] == world.maintainer_a.id
    assert body["contract_id"] is not None
    assert (body["revision"], body["supersedes_id"], body["superseded_by_id"]) == (1, None, None)
    assert body["confirmation"] is None
    assert body["workers"][0]["certificate_number"] == CERTIFIED
    audit = session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity == "maintenance_record", AuditEvent.entity_id == body["id"]
        )
    )
    assert audit is not None and audit.action == "create"


@pytest.mark.parametrize(
    ("override", "status", "code", "field"),
    [
        (
            {"performed_at": (NOW + timedelta(hours=1)).isoformat()},
            422,
            "RECORD_DATE_IN_FUTURE",
            "performed_at",
        ),
        (
            {"performed_at": "2015-05-31T10:00:00+08:00"},
            422,
            "RECORD_BEFORE_COMMISSIONING",
            "performed_at",
        ),
        # The contract starts on 2026-01-01 (local day): 23:30 local on 31 December is outside.
        ({"performed_at": "2025-12-31T23:30:00+08:00"}, 409, "NO_CONTRACT_ON_DATE", "performed_at"),
        ({"workers": crew(size=1)}, 422, "CREW_TOO_SMALL", "workers"),
        ({"workers": crew(certified=False)}, 422, "NO_CERTIFIED_WORKER", "workers"),
        (
            {"workers": [{"name": "张伟", "certificate_number": BAD_CHECK}, {"name": "李强"}]},
            422,
            "CERTIFICATE_NUMBER_INVALID",
            "workers.0.certificate_number",
        ),
        (
            {"workers": [{"name": "张伟", "certificate_number": CERTIFIED}, {"name": "张伟"}]},
            422,
            "WORKER_DUPLICATE",
            "workers",
        ),
        ({"items_done": []}, 422, "VALIDATION_ERROR", "items_done"),
        ({"performed_at": "2026-11-10T09:30:00"}, 422, "VALIDATION_ERROR", "performed_at"),
        ({"signature": "x"}, 422, "UNKNOWN_FIELD", "signature"),
    ],
)
def test_invalid_records_are_refused_and_nothing_is_written(
    client: TestClient,
    unit_a: dict[str, str],
    world: factories.World,
    session: Session,
    override: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    audit_before = factories.count(session, AuditEvent)
    response = client.post(RECORDS, json=record_body(world.lift_a, **override), headers=unit_a)
    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["field"] == field
    assert factories.count(session, MaintenanceRecord) == 0
    assert factories.count(session, AuditEvent) == audit_before


def test_a_contract_id_that_does_not_cover_the_visit_is_refused(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    other_contract = session.scalar(
        select(MaintenanceContract.id).where(MaintenanceContract.elevator_id == world.lift_b.id)
    )
    response = client.post(
        RECORDS, json=record_body(world.lift_a, contract_id=other_contract), headers=bureau
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONTRACT_MISMATCH"
    assert factories.count(session, MaintenanceRecord) == 0


def test_a_blacklisted_maintainer_cannot_file_for_days_after_its_listing(
    client: TestClient, unit_a: dict[str, str], world: factories.World, session: Session
) -> None:
    factories.blacklist(session, world.maintainer_a, listed_on=date(2026, 11, 1))
    refused = client.post(RECORDS, json=record_body(world.lift_a), headers=unit_a)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "MAINTAINER_NOT_ELIGIBLE"
    assert refused.json()["error"]["rule"] == "MAINTAINER_NOT_ELIGIBLE"
    assert factories.count(session, MaintenanceRecord) == 0
    # A visit on a day it was still eligible is evidence all the same.
    file(client, unit_a, record_body(world.lift_a, performed_at="2026-10-20T09:00:00+08:00"))


def test_a_revoked_licence_refuses_visits_from_its_revocation_day_only(
    client: TestClient,
    unit_a: dict[str, str],
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
) -> None:
    licence = session.scalars(
        select(Licence).where(Licence.organisation_id == world.maintainer_a.id)
    ).one()
    revoked = client.post(
        f"/api/v1/licences/{licence.id}/revoke",
        json={"on": "2026-11-05", "reason": "伪造维保记录"},
        headers=bureau,
    )
    assert revoked.status_code == 200, revoked.json()
    on_the_day = client.post(
        RECORDS,
        json=record_body(world.lift_a, performed_at="2026-11-05T09:00:00+08:00"),
        headers=unit_a,
    )
    assert on_the_day.status_code == 409
    assert (
        f"licence {licence.number} revoked on 2026-11-05" in on_the_day.json()["error"]["message"]
    )
    file(client, unit_a, record_body(world.lift_a, performed_at="2026-11-04T16:00:00+08:00"))


def test_a_unit_filing_for_an_elevator_it_does_not_maintain_writes_nothing(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    unit_b = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_b)
    response = client.post(RECORDS, json=record_body(world.lift_a), headers=unit_b)
    # The same answer as for an elevator that does not exist: a firm learns of no other's lifts.
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ELEVATOR_NOT_FOUND"
    assert factories.count(session, MaintenanceRecord) == 0


def test_user_units_and_agencies_do_not_file_records(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    for headers in (
        auth(Role.USER_UNIT, organisation=world.user_a),
        auth(Role.INSPECTION_AGENCY, organisation=world.agency),
    ):
        response = client.post(RECORDS, json=record_body(world.lift_a), headers=headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "FORBIDDEN_ROLE"
    assert factories.count(session, MaintenanceRecord) == 0


def test_the_same_visit_cannot_be_filed_twice(
    client: TestClient, unit_a: dict[str, str], world: factories.World, session: Session
) -> None:
    file(client, unit_a, record_body(world.lift_a))
    response = client.post(RECORDS, json=record_body(world.lift_a), headers=unit_a)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "RECORD_DUPLICATE"
    assert factories.count(session, MaintenanceRecord) == 1


def test_the_bureau_files_on_behalf_of_the_contract_holder(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    body = file(client, bureau, record_body(world.lift_b))
    assert body["maintenance_unit_id"] == world.maintainer_b.id


def test_a_revision_supersedes_and_both_stay_readable(
    client: TestClient, unit_a: dict[str, str], world: factories.World, bureau: dict[str, str]
) -> None:
    first = file(client, unit_a, record_body(world.lift_a))
    response = client.post(
        f"{RECORDS}/{first['id']}/revisions", json=revision_body(), headers=unit_a
    )
    assert response.status_code == 201, response.json()
    second = response.json()
    assert (second["revision"], second["supersedes_id"]) == (2, first["id"])
    assert second["revision_reason"] == "补录门锁触点检查"

    listed = client.get(f"{RECORDS}?elevator_id={world.lift_a.id}", headers=bureau).json()
    assert [item["id"] for item in listed["items"]] == [second["id"]]
    everything = client.get(
        f"{RECORDS}?elevator_id={world.lift_a.id}&include_superseded=true", headers=bureau
    ).json()
    assert [item["id"] for item in everything["items"]] == [first["id"], second["id"]]

    old = client.get(f"{RECORDS}/{first['id']}", headers=bureau).json()
    assert old["superseded_by_id"] == second["id"]
    assert old["findings"] == "正常"
    for any_id in (first["id"], second["id"]):
        history = client.get(f"{RECORDS}/{any_id}/history", headers=bureau).json()
        assert [item["revision"] for item in history] == [1, 2]


def test_revising_a_superseded_revision_is_refused(
    client: TestClient, unit_a: dict[str, str], world: factories.World, session: Session
) -> None:
    first = file(client, unit_a, record_body(world.lift_a))
    assert (
        client.post(
            f"{RECORDS}/{first['id']}/revisions", json=revision_body(), headers=unit_a
        ).status_code
        == 201
    )
    again = client.post(f"{RECORDS}/{first['id']}/revisions", json=revision_body(), headers=unit_a)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "RECORD_SUPERSEDED"
    assert factories.count(session, MaintenanceRecord) == 2


def test_a_revision_is_checked_like_a_new_record(
    client: TestClient, unit_a: dict[str, str], world: factories.World, session: Session
) -> None:
    first = file(client, unit_a, record_body(world.lift_a))
    response = client.post(
        f"{RECORDS}/{first['id']}/revisions",
        json=revision_body(workers=crew(certified=False)),
        headers=unit_a,
    )
    assert response.json()["error"]["code"] == "NO_CERTIFIED_WORKER"
    assert factories.count(session, MaintenanceRecord) == 1


def test_only_the_filing_unit_or_the_bureau_revises(
    client: TestClient,
    unit_a: dict[str, str],
    auth: AuthHeaders,
    world: factories.World,
    bureau: dict[str, str],
    session: Session,
) -> None:
    first = file(client, unit_a, record_body(world.lift_a))
    unit_b = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_b)
    refused = client.post(
        f"{RECORDS}/{first['id']}/revisions", json=revision_body(), headers=unit_b
    )
    assert refused.status_code == 404
    assert factories.count(session, MaintenanceRecord) == 1
    by_bureau = client.post(
        f"{RECORDS}/{first['id']}/revisions", json=revision_body(), headers=bureau
    )
    assert by_bureau.status_code == 201
    assert by_bureau.json()["maintenance_unit_id"] == world.maintainer_a.id


def test_the_user_unit_confirms_once(
    client: TestClient,
    unit_a: dict[str, str],
    user_a: dict[str, str],
    world: factories.World,
    session: Session,
) -> None:
    record = file(client, unit_a, record_body(world.lift_a))
    response = client.post(
        f"{RECORDS}/{record['id']}/confirmation", json={"safety_manager": "李娜"}, headers=user_a
    )
    assert response.status_code == 201, response.json()
    confirmation = response.json()["confirmation"]
    assert confirmation["safety_manager"] == "李娜"
    assert confirmation["confirmed_at"].startswith("2026-11-15T02:00:00")
    again = client.post(
        f"{RECORDS}/{record['id']}/confirmation", json={"safety_manager": "李娜"}, headers=user_a
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "RECORD_ALREADY_CONFIRMED"
    assert factories.count(session, MaintenanceConfirmation) == 1


def test_another_user_unit_cannot_confirm_and_nothing_is_written(
    client: TestClient,
    unit_a: dict[str, str],
    auth: AuthHeaders,
    world: factories.World,
    session: Session,
) -> None:
    record = file(client, unit_a, record_body(world.lift_a))
    user_b = auth(Role.USER_UNIT, organisation=world.user_b)
    response = client.post(
        f"{RECORDS}/{record['id']}/confirmation", json={"safety_manager": "王五"}, headers=user_b
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "MAINTENANCE_RECORD_NOT_FOUND"
    by_maintainer = client.post(
        f"{RECORDS}/{record['id']}/confirmation", json={"safety_manager": "王五"}, headers=unit_a
    )
    assert by_maintainer.status_code == 403
    assert factories.count(session, MaintenanceConfirmation) == 0


def test_a_revision_needs_its_own_confirmation(
    client: TestClient,
    unit_a: dict[str, str],
    user_a: dict[str, str],
    world: factories.World,
    bureau: dict[str, str],
) -> None:
    first = file(client, unit_a, record_body(world.lift_a))
    client.post(
        f"{RECORDS}/{first['id']}/confirmation", json={"safety_manager": "李娜"}, headers=user_a
    )
    second = client.post(
        f"{RECORDS}/{first['id']}/revisions", json=revision_body(), headers=unit_a
    ).json()
    assert second["confirmation"] is None
    assert client.get(f"{RECORDS}/{first['id']}", headers=bureau).json()["confirmation"] is not None
    stale = client.post(
        f"{RECORDS}/{first['id']}/confirmation", json={"safety_manager": "李娜"}, headers=user_a
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "RECORD_SUPERSEDED"
    unconfirmed = client.get(f"{RECORDS}?confirmed=false", headers=bureau).json()["items"]
    assert [item["id"] for item in unconfirmed] == [second["id"]]
    fresh = client.post(
        f"{RECORDS}/{second['id']}/confirmation", json={"safety_manager": "李娜"}, headers=user_a
    )
    assert fresh.status_code == 201


def test_a_confirmation_cannot_predate_the_visit(
    client: TestClient, unit_a: dict[str, str], user_a: dict[str, str], world: factories.World
) -> None:
    record = file(client, unit_a, record_body(world.lift_a))
    response = client.post(
        f"{RECORDS}/{record['id']}/confirmation",
        json={"safety_manager": "李娜", "confirmed_at": "2026-11-01T09:00:00+08:00"},
        headers=user_a,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "CONFIRMATION_TIME_INVALID"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_records_cannot_be_edited_or_deleted_through_the_api(
    client: TestClient,
    unit_a: dict[str, str],
    world: factories.World,
    bureau: dict[str, str],
    method: str,
) -> None:
    record = file(client, unit_a, record_body(world.lift_a))
    for path in (f"{RECORDS}/{record['id']}", RECORDS):
        response = client.request(method, path, json={"findings": "改"}, headers=bureau)
        assert response.status_code == 405, path
        assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert client.get(f"{RECORDS}/{record['id']}", headers=bureau).json()["findings"] == "正常"


def test_a_user_unit_reads_the_records_of_its_own_elevators_only(
    client: TestClient,
    bureau: dict[str, str],
    auth: AuthHeaders,
    world: factories.World,
) -> None:
    mine = file(client, bureau, record_body(world.lift_a))
    theirs = file(client, bureau, record_body(world.lift_b))
    user_a = auth(Role.USER_UNIT, organisation=world.user_a)
    items = client.get(RECORDS, headers=user_a).json()["items"]
    assert [item["id"] for item in items] == [mine["id"]]
    assert client.get(f"{RECORDS}/{theirs['id']}", headers=user_a).status_code == 404


def test_the_date_filters_use_the_local_day(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    # 00:30 in 綦江 on 10 November is still 9 November in UTC.
    early = file(
        client, bureau, record_body(world.lift_a, performed_at="2026-11-10T00:30:00+08:00")
    )
    file(client, bureau, record_body(world.lift_a, performed_at="2026-11-09T12:00:00+08:00"))
    items = client.get(
        f"{RECORDS}?performed_from=2026-11-10&performed_to=2026-11-10", headers=bureau
    ).json()["items"]
    assert [item["id"] for item in items] == [early["id"]]


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        (CERTIFIED, True),
        (BAD_CHECK, False),
        ("11010519491231002X", True),  # the GB 11643 standard's own example
        (LEGACY_CERTIFIED, True),
        ("T123", False),
        ("3100012345", False),
        ("TS-3100012345", False),
    ],
)
def test_certificate_number_formats(number: str, valid: bool) -> None:
    assert certificate_number_valid(number) is valid
