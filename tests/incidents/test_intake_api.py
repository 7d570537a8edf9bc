"""Public intake: dispatch at intake, refusals, deadlines, numbers and tokens."""

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.clock import FixedClock, get_clock
from elevator_registry.incidents.models import (
    IdempotencyKey,
    Incident,
    IncidentEvent,
    IncidentReport,
)
from tests import factories
from tests.incidents.conftest import Report


def events(session: Session, incident_id: int) -> list[tuple[str, Any]]:
    rows = session.scalars(
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident_id)
        .order_by(IncidentEvent.id)
    )
    return [(row.kind, row.detail) for row in rows]


def incident_by_number(session: Session, number: str) -> Incident:
    return session.scalars(select(Incident).where(Incident.number == number)).one()


def test_trapped_report_is_dispatched_to_the_contracted_unit(
    report: Report, world: factories.World, session: Session
) -> None:
    response = report(world.lift_a, trapped_count=2, caller_phone="13812345678")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("QJ20261115-")
    assert body["status"] == "dispatched"
    assert body["duplicate"] is False
    assert body["escalation_level"] == 1
    assert body["maintenance_unit"] == {
        "name": "重庆安达电梯工程有限公司",
        "duty_phone": "023-48661234",
    }
    assert body["arrival_deadline_at"] == "2026-11-15T02:30:00Z"
    assert body["hotline"] == "96333"
    assert "caller_phone" not in body
    incident = incident_by_number(session, body["number"])
    assert incident.maintenance_unit_id == world.maintainer_a.id
    assert incident.dispatched_at == incident.reported_at
    assert incident.trapped_count == 2
    assert [kind for kind, _ in events(session, incident.id)] == ["reported", "dispatched"]


def test_only_the_tracking_tokens_hash_is_stored(
    report: Report, world: factories.World, session: Session
) -> None:
    body = report(world.lift_a).json()
    token = body["tracking_token"]
    incident = incident_by_number(session, body["number"])
    assert incident.tracking_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(session.execute(select(Incident.__table__)).all())


def test_number_is_date_in_local_time_and_id(
    report: Report, world: factories.World, session: Session
) -> None:
    number = report(world.lift_a).json()["number"]
    incident = incident_by_number(session, number)
    assert number == f"QJ20261115-{incident.id:06d}"


def test_no_contract_goes_straight_to_level_2_flagged_and_waits_for_a_seat(
    report: Report, world: factories.World, session: Session
) -> None:
    lift = factories.elevator(session, street_name="古南街道", user_unit_id=world.user_a.id)
    body = report(lift).json()
    assert (body["status"], body["escalation_level"], body["no_contract"]) == (
        "reported",
        2,
        True,
    )
    assert body["maintenance_unit"] is None
    incident = incident_by_number(session, body["number"])
    assert incident.dispatched_at is None  # nobody is sent until a seat assigns a rescuer
    kinds = events(session, incident.id)
    assert [kind for kind, _ in kinds] == ["reported", "escalated"]
    assert kinds[1][1] == {"level": 2, "no_contract": True}


def test_expired_contract_counts_as_no_contract(
    report: Report, world: factories.World, session: Session
) -> None:
    lift = factories.elevator(session, street_name="古南街道", user_unit_id=world.user_a.id)
    factories.contract(
        session,
        lift,
        world.maintainer_a,
        start=datetime(2025, 1, 1).date(),
        end=datetime(2026, 11, 14).date(),
    )
    assert report(lift).json()["no_contract"] is True


def test_town_deadline_is_60_minutes(report: Report, world: factories.World) -> None:
    body = report(world.lift_b).json()
    assert body["arrival_deadline_at"] == "2026-11-15T03:00:00Z"


def test_deadline_and_number_across_local_midnight(
    unlimited: TestClient, world: factories.World, session: Session
) -> None:
    # 23:50 local on 15 November is 15:50 UTC; the 30-minute deadline is 00:20 local on the 16th.
    unlimited.app.dependency_overrides[get_clock] = lambda: FixedClock(  # type: ignore[attr-defined]
        at=datetime(2026, 11, 15, 15, 50, tzinfo=UTC)
    )
    body = unlimited.post(
        "/api/v1/incidents", json={"rescue_code": world.lift_a.rescue_code, "kind": "trapped"}
    ).json()
    assert body["arrival_deadline_at"] == "2026-11-15T16:20:00Z"
    assert body["number"].startswith("QJ20261115-")
    unlimited.app.dependency_overrides[get_clock] = lambda: FixedClock(  # type: ignore[attr-defined]
        at=datetime(2026, 11, 15, 16, 5, tzinfo=UTC)
    )
    after_midnight = unlimited.post(
        "/api/v1/incidents", json={"rescue_code": world.lift_b.rescue_code, "kind": "trapped"}
    ).json()
    assert after_midnight["number"].startswith("QJ20261116-")
    assert after_midnight["arrival_deadline_at"] == "2026-11-15T17:05:00Z"


def test_deadline_follows_the_streets_own_setting(
    report: Report, world: factories.World, session: Session
) -> None:
    street = factories.street(session, "三江街道")
    street.arrival_deadline_minutes = 20
    session.flush()
    lift = factories.elevator(session, street_name="三江街道", user_unit_id=world.user_a.id)
    factories.contract(session, lift, world.maintainer_a)
    assert report(lift).json()["arrival_deadline_at"] == "2026-11-15T02:20:00Z"


def test_fault_report_is_dispatched_but_a_consultation_is_not(
    report: Report, world: factories.World
) -> None:
    fault = report(world.lift_a, kind="fault").json()
    assert (fault["status"], fault["maintenance_unit"] is not None) == ("dispatched", True)
    question = report(world.lift_a, kind="consultation").json()
    assert (question["status"], question["maintenance_unit"]) == ("reported", None)


@pytest.mark.parametrize(
    ("fields", "status", "code", "field"),
    [
        ({"rescue_code": "999999"}, 404, "RESCUE_CODE_UNKNOWN", "rescue_code"),
        ({"caller_phone": "12345"}, 422, "PHONE_INVALID", "caller_phone"),
        ({"trapped_count": 61}, 422, "VALIDATION_ERROR", "trapped_count"),
        ({"trapped_count": 0}, 422, "TRAPPED_COUNT_INVALID", "trapped_count"),
        ({"kind": "fault", "trapped_count": 2}, 422, "TRAPPED_COUNT_INVALID", "trapped_count"),
        ({"kind": "stuck"}, 422, "VALIDATION_ERROR", "kind"),
        ({"status": "closed"}, 422, "UNKNOWN_FIELD", "status"),
        ({"channel": "operator"}, 403, "CHANNEL_NOT_ALLOWED", "channel"),
        ({"description": "x\x00"}, 422, "VALIDATION_ERROR", "description"),
    ],
)
def test_refusals_write_nothing(
    report: Report,
    world: factories.World,
    session: Session,
    fields: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    response = report(world.lift_a, **fields)
    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert response.json()["error"].get("field") == field
    assert factories.count(session, Incident) == 0
    assert factories.count(session, IncidentEvent) == 0


def test_scrapped_elevator_is_refused(
    report: Report, world: factories.World, session: Session
) -> None:
    lift = factories.elevator(session, street_name="古南街道", status="scrapped")
    response = report(lift)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ELEVATOR_SCRAPPED"
    assert factories.count(session, Incident) == 0


def test_operator_files_on_behalf_of_a_caller(
    report: Report, world: factories.World, operator: dict[str, str], session: Session
) -> None:
    body = report(world.lift_a, headers=operator, caller_phone="023-48660000").json()
    incident = incident_by_number(session, body["number"])
    assert (incident.channel, incident.caller_phone) == ("operator", "023-48660000")


def test_a_maintenance_unit_does_not_file_reports(
    report: Report, world: factories.World, auth: Any
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    response = report(world.lift_a, headers=headers)
    assert (response.status_code, response.json()["error"]["code"]) == (403, "FORBIDDEN_ROLE")


def test_second_report_within_the_window_joins_the_open_incident(
    report: Report, world: factories.World, session: Session
) -> None:
    first = report(world.lift_a, caller_phone="13812345678").json()
    second = report(world.lift_a, caller_phone="13900000000")
    assert second.status_code == 200
    body = second.json()
    assert body["duplicate"] is True
    assert body["number"] == first["number"]
    assert body["tracking_token"] != first["tracking_token"]
    assert factories.count(session, Incident) == 1
    extra = session.scalars(select(IncidentReport)).one()
    assert extra.caller_phone == "13900000000"
    incident = incident_by_number(session, first["number"])
    assert [kind for kind, _ in events(session, incident.id)].count("duplicate_report") == 1
    assert [kind for kind, _ in events(session, incident.id)].count("dispatched") == 1


def test_a_different_kind_is_a_different_incident(
    report: Report, world: factories.World, session: Session
) -> None:
    report(world.lift_a)
    assert report(world.lift_a, kind="fault").status_code == 201
    assert factories.count(session, Incident) == 2


def test_a_released_incident_outside_the_window_does_not_absorb_a_new_entrapment(
    report: Report, world: factories.World, session: Session, unlimited: TestClient
) -> None:
    first = report(world.lift_a).json()
    incident = incident_by_number(session, first["number"])
    incident.status, incident.arrived_at, incident.released_at = (
        "released",
        incident.reported_at,
        incident.reported_at,
    )
    incident.reported_at = incident.reported_at.replace(hour=1, minute=49)
    incident.arrived_at = incident.released_at = incident.reported_at
    session.flush()
    again = report(world.lift_a)
    assert again.status_code == 201
    assert again.json()["number"] != first["number"]


def test_a_released_incident_inside_the_window_absorbs_a_late_call(
    report: Report, world: factories.World, session: Session
) -> None:
    first = report(world.lift_a).json()
    incident = incident_by_number(session, first["number"])
    incident.status, incident.arrived_at, incident.released_at = (
        "released",
        incident.reported_at,
        incident.reported_at,
    )
    session.flush()
    again = report(world.lift_a)
    assert (again.status_code, again.json()["number"]) == (200, first["number"])


def test_idempotency_key_replays_the_first_answer_byte_for_byte(
    unlimited: TestClient, world: factories.World, session: Session
) -> None:
    body = {
        "rescue_code": world.lift_a.rescue_code,
        "kind": "trapped",
        "caller_phone": "13812345678",
    }
    headers = {"Idempotency-Key": "9b2f6c1e-4d5a-4c1b-9f00-000000000001"}
    first = unlimited.post("/api/v1/incidents", json=body, headers=headers)
    again = unlimited.post("/api/v1/incidents", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert factories.count(session, Incident) == 1
    assert factories.count(session, IncidentReport) == 0
    token = first.json()["tracking_token"]
    assert unlimited.get(f"/api/v1/incidents/track/{token}").status_code == 200


def test_idempotency_key_with_a_different_body_is_refused(
    unlimited: TestClient, world: factories.World, session: Session
) -> None:
    headers = {"Idempotency-Key": "key-1"}
    body = {"rescue_code": world.lift_a.rescue_code, "kind": "trapped"}
    assert unlimited.post("/api/v1/incidents", json=body, headers=headers).status_code == 201
    other = unlimited.post("/api/v1/incidents", json=body | {"trapped_count": 3}, headers=headers)
    assert other.status_code == 409
    assert other.json()["error"] == {
        "code": "IDEMPOTENCY_KEY_REUSED",
        "message": other.json()["error"]["message"],
        "message_zh": "此幂等键已用于另一份报告，新报告请用新键",
        "field": "Idempotency-Key",
    }
    assert factories.count(session, IncidentReport) == 0
    assert factories.count(session, IncidentEvent) == 2


def test_the_same_key_from_an_operator_is_a_different_key(
    unlimited: TestClient, world: factories.World, operator: dict[str, str]
) -> None:
    body = {"rescue_code": world.lift_a.rescue_code, "kind": "trapped"}
    public = unlimited.post("/api/v1/incidents", json=body, headers={"Idempotency-Key": "k"})
    staff = unlimited.post(
        "/api/v1/incidents", json=body, headers={"Idempotency-Key": "k", **operator}
    )
    assert (public.status_code, staff.status_code) == (201, 200)
    assert staff.json()["duplicate"] is True


def test_iot_alarms_collapse_into_one_incident(
    unlimited: TestClient, world: factories.World, auth: Any, session: Session
) -> None:
    platform = auth(Role.IOT_PLATFORM)
    alarm = {"rescue_code": world.lift_a.rescue_code, "alarm": "trapped", "description": "E35"}
    first = unlimited.post("/api/v1/iot/alarms", json=alarm, headers=platform)
    repeats = [unlimited.post("/api/v1/iot/alarms", json=alarm, headers=platform) for _ in range(3)]
    assert first.status_code == 201
    assert [r.status_code for r in repeats] == [200, 200, 200]
    incident = incident_by_number(session, first.json()["number"])
    assert incident.channel == "iot"
    assert factories.count(session, IncidentReport) == 3


def test_only_iot_platforms_post_alarms(
    unlimited: TestClient, world: factories.World, operator: dict[str, str]
) -> None:
    alarm = {"rescue_code": world.lift_a.rescue_code, "alarm": "fault"}
    assert unlimited.post("/api/v1/iot/alarms", json=alarm).status_code == 401
    response = unlimited.post("/api/v1/iot/alarms", json=alarm, headers=operator)
    assert (response.status_code, response.json()["error"]["code"]) == (403, "FORBIDDEN_ROLE")


def test_a_keyed_report_for_an_unknown_code_is_refused_and_leaves_no_key(
    unlimited: TestClient, world: factories.World, session: Session
) -> None:
    headers = {"Idempotency-Key": "unknown-code"}
    body = {"rescue_code": "999998", "kind": "trapped"}
    first = unlimited.post("/api/v1/incidents", json=body, headers=headers)
    assert (first.status_code, first.json()["error"]["code"]) == (404, "RESCUE_CODE_UNKNOWN")
    assert factories.count(session, IdempotencyKey) == 0
    retry = unlimited.post("/api/v1/incidents", json=body, headers=headers)
    assert retry.status_code == 404


def test_the_status_sql_of_the_indexes_matches_the_enums() -> None:
    import re

    from elevator_registry.incidents.enums import (
        ACTIVE_STATUS_SQL,
        OPEN_STATUS_SQL,
        IncidentStatus,
    )

    assert set(re.findall(r"'(\w+)'", ACTIVE_STATUS_SQL)) == IncidentStatus.active()
    assert set(re.findall(r"'(\w+)'", OPEN_STATUS_SQL)) == IncidentStatus.open()
