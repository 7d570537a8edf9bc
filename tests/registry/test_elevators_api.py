"""Elevators through the API: creation, lookup, filters, updates and the status lifecycle."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.inspection.models import Inspection
from elevator_registry.messages_zh import field_label
from elevator_registry.registry.elevators import REQUIRED_FIELDS
from elevator_registry.registry.models import Elevator, ElevatorStatusChange
from tests import factories


def new_elevator(world: factories.World, **overrides: Any) -> dict[str, Any]:
    body = {
        "equipment_code": "311050012202100007",
        "rescue_code": "654321",
        "type_code": "3110",
        "registration_number": "梯11渝A00077(21)",
        "street": "古南街道",
        "address": "綦江区古南街道沙溪路88号",
        "place_category": "residential",
        "user_unit_id": world.user_a.id,
        "manufacturer_id": world.manufacturer.id,
        "rated_load_kg": 1000,
        "rated_speed_mps": "1.75",
        "floors": 18,
        "stops": 18,
        "doors": 18,
    }
    return body | overrides


def test_bureau_enters_an_elevator_with_its_first_status_change(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    response = client.post("/api/v1/elevators", json=new_elevator(world), headers=bureau)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "registered"
    assert body["district"] == "綦江区"
    assert body["registered_on"] == "2026-11-15"
    change = session.scalar(
        select(ElevatorStatusChange).where(ElevatorStatusChange.elevator_id == body["id"])
    )
    assert change is not None
    assert (change.from_status, change.to_status) == (None, "registered")


@pytest.mark.parametrize(
    ("override", "status", "code", "field"),
    [
        ({"equipment_code": "31105001220210000"}, 422, "EQUIPMENT_CODE_INVALID", "equipment_code"),
        (
            {"equipment_code": "331050012202100007"},
            422,
            "EQUIPMENT_CODE_TYPE_MISMATCH",
            "equipment_code",
        ),
        (
            {"registration_number": "梯31渝A00077(21)"},
            422,
            "REGISTRATION_TYPE_MISMATCH",
            "registration_number",
        ),
        (
            {"registration_number": "11渝A00077(21)"},
            422,
            "REGISTRATION_NUMBER_INVALID",
            "registration_number",
        ),
        ({"rescue_code": "12ab56"}, 422, "RESCUE_CODE_INVALID", "rescue_code"),
        ({"street": "不存在街道"}, 422, "STREET_UNKNOWN", "street"),
        ({"manufactured_on": "2027-01-01"}, 422, "DATE_IN_FUTURE", "manufactured_on"),
        ({"stops": 19}, 422, "STOPS_EXCEED_FLOORS", "stops"),
        (
            {"status": "in_use", "user_unit_id": None, "commissioned_on": "2026-01-01"},
            409,
            "NO_USER_UNIT",
            "user_unit_id",
        ),
        ({"status": "in_use"}, 422, "COMMISSIONED_ON_REQUIRED", "commissioned_on"),
        ({"status": "scrapped"}, 422, "STATUS_NOT_ALLOWED", "status"),
        ({"colour": "red"}, 422, "UNKNOWN_FIELD", "colour"),
        ({"rated_load_kg": 0}, 422, "VALIDATION_ERROR", "rated_load_kg"),
    ],
)
def test_invalid_elevators_are_refused_and_nothing_is_written(
    client: TestClient,
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
    override: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    before = factories.count(session, Elevator)
    response = client.post(
        "/api/v1/elevators", json=new_elevator(world, **override), headers=bureau
    )
    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["field"] == field
    assert factories.count(session, Elevator) == before
    assert factories.count(session, ElevatorStatusChange) == 0


def test_user_unit_must_be_an_organisation_with_that_role(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.post(
        "/api/v1/elevators",
        json=new_elevator(world, user_unit_id=world.maintainer_a.id),
        headers=bureau,
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ORGANISATION_ROLE_MISSING"


@pytest.mark.parametrize(
    ("field", "taken_from"),
    [("equipment_code", "equipment_code"), ("rescue_code", "rescue_code")],
)
def test_codes_are_unique(
    client: TestClient, bureau: dict[str, str], world: factories.World, field: str, taken_from: str
) -> None:
    response = client.post(
        "/api/v1/elevators",
        json=new_elevator(world, **{field: getattr(world.lift_a, taken_from)}),
        headers=bureau,
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == f"{field.upper()}_TAKEN"


def test_registration_number_is_unique(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    assert (
        client.post("/api/v1/elevators", json=new_elevator(world), headers=bureau).status_code
        == 201
    )
    second = new_elevator(world, equipment_code="311050012202100008", rescue_code="654322")
    response = client.post("/api/v1/elevators", json=second, headers=bureau)
    assert response.json()["error"]["code"] == "REGISTRATION_NUMBER_TAKEN"


def test_lookup_by_each_code(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    created = client.post("/api/v1/elevators", json=new_elevator(world), headers=bureau).json()
    for query in (
        "equipment_code=311050012202100007",
        "rescue_code=654321",
        "registration_number=梯11渝A00077（21）",
    ):
        items = client.get(f"/api/v1/elevators?{query}", headers=bureau).json()["items"]
        assert [item["id"] for item in items] == [created["id"]], query


def test_list_filters_combine(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    def ids(query: str) -> list[int]:
        return [
            item["id"]
            for item in client.get(f"/api/v1/elevators?{query}", headers=bureau).json()["items"]
        ]

    assert ids("street=永新镇") == [world.lift_b.id]
    assert ids(f"maintenance_unit_id={world.maintainer_a.id}") == [world.lift_a.id]
    assert ids("status=registered") == [world.orphan.id]
    assert ids("place_category=school") == [world.lift_b.id]
    assert ids(f"user_unit_id={world.user_a.id}&status=in_use") == [world.lift_a.id]
    assert ids("commissioned_from_year=2015&commissioned_to_year=2015") == [
        world.lift_a.id,
        world.lift_b.id,
    ]
    assert ids("commissioned_from_year=2016") == []
    assert ids("type_code=3310") == []


def test_list_pages_through_every_elevator_once(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    seen: list[int] = []
    cursor = None
    while True:
        query = "limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"/api/v1/elevators?{query}", headers=bureau).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted([world.lift_a.id, world.lift_b.id, world.orphan.id])


# Updates ------------------------------------------------------------------------------------


def test_bureau_update_is_audited_with_before_and_after(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    response = client.patch(
        f"/api/v1/elevators/{world.lift_a.id}",
        json={"address": "綦江区文龙街道新址1号"},
        headers=bureau,
    )
    assert response.status_code == 200
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.entity == "elevator", AuditEvent.action == "update")
    )
    assert event is not None
    assert set(event.changes) == {"address"}
    assert event.changes["address"]["after"] == "綦江区文龙街道新址1号"
    assert event.changes["address"]["before"].startswith("綦江区沙溪路")


def test_clearing_the_user_unit_of_an_elevator_in_use_is_refused(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.patch(
        f"/api/v1/elevators/{world.lift_a.id}", json={"user_unit_id": None}, headers=bureau
    )
    assert response.status_code == 409
    assert response.json()["error"]["rule"] == "NO_USER_UNIT"
    assert world.lift_a.user_unit_id == world.user_a.id


def test_required_fields_cannot_be_cleared(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    for field in REQUIRED_FIELDS:
        response = client.patch(
            f"/api/v1/elevators/{world.lift_a.id}", json={field: None}, headers=bureau
        )
        assert response.status_code == 422, field
        assert response.json()["error"] == {
            "code": "FIELD_REQUIRED",
            "message": f"{field} cannot be cleared",
            "message_zh": f"{field_label(field)}不能为空",
            "field": field,
        }


def test_explicit_nulls_on_a_new_elevator_take_the_defaults(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    body = new_elevator(world, registered_on=None, iot_terminal_fitted=None, has_repair_fund=None)
    response = client.post("/api/v1/elevators", json=body, headers=bureau)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["registered_on"] == "2026-11-15"
    assert (created["iot_terminal_fitted"], created["has_repair_fund"]) == (False, True)


def test_rescue_code_change_is_validated(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.patch(
        f"/api/v1/elevators/{world.lift_a.id}", json={"rescue_code": "1"}, headers=bureau
    )
    assert response.json()["error"]["code"] == "RESCUE_CODE_INVALID"


# Lifecycle ----------------------------------------------------------------------------------


def post(
    client: TestClient,
    headers: dict[str, str],
    elevator: Elevator,
    action: str,
    body: dict[str, Any] | None = None,
):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/elevators/{elevator.id}/{action}", json=body or {}, headers=headers
    )


def test_an_elevator_without_user_unit_cannot_be_put_in_use(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    response = post(client, bureau, world.orphan, "put-in-use")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "NO_USER_UNIT"
    session.refresh(world.orphan)
    assert world.orphan.status == "registered"
    assert factories.count(session, ElevatorStatusChange) == 0


def test_put_in_use_records_commissioning_and_a_status_change(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    world.orphan.user_unit_id = world.user_a.id
    session.flush()
    response = post(client, bureau, world.orphan, "put-in-use", {"commissioned_on": "2026-11-01"})
    assert response.status_code == 200
    assert response.json()["status"] == "in_use"
    assert response.json()["commissioned_on"] == "2026-11-01"
    change = session.scalar(
        select(ElevatorStatusChange).where(ElevatorStatusChange.elevator_id == world.orphan.id)
    )
    assert change is not None
    assert (change.from_status, change.to_status, change.changed_on) == (
        "registered",
        "in_use",
        date(2026, 11, 1),
    )


def test_a_failed_inspection_without_passing_reinspection_blocks_put_in_use(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    world.orphan.user_unit_id = world.user_a.id
    failed = Inspection(
        elevator_id=world.orphan.id,
        agency_id=world.agency.id,
        kind="periodic",
        performed_on=date(2026, 10, 1),
        result="fail",
        report_number="JD-2026-001",
        filed_by="test",
        created_at=factories.CREATED,
    )
    session.add(failed)
    session.flush()
    refused = post(client, bureau, world.orphan, "put-in-use")
    assert refused.status_code == 409
    assert refused.json()["error"]["rule"] == "INSPECTION_FAILED_IN_USE"
    assert "JD-2026-001" in refused.json()["error"]["message"]
    session.add(
        Inspection(
            elevator_id=world.orphan.id,
            agency_id=world.agency.id,
            kind="re_inspection",
            performed_on=date(2026, 10, 20),
            result="pass",
            report_number="JD-2026-002",
            follows_id=failed.id,
            filed_by="test",
            created_at=factories.CREATED,
        )
    )
    session.flush()
    assert post(client, bureau, world.orphan, "put-in-use").status_code == 200


def test_suspend_then_resume(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    suspended = post(client, bureau, world.lift_a, "suspend", {"reason": "更换钢丝绳"})
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["status_changed_on"] == "2026-11-15"
    resumed = post(client, bureau, world.lift_a, "resume")
    assert resumed.json()["status"] == "in_use"


def test_resuming_an_elevator_in_use_is_an_invalid_transition(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = post(client, bureau, world.lift_a, "resume")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INVALID_TRANSITION"


@pytest.mark.parametrize(
    ("suspended_on", "refused"), [(date(2025, 11, 15), True), (date(2025, 11, 16), False)]
)
def test_restart_after_a_year_out_of_use_needs_a_passing_inspection(
    client: TestClient,
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
    suspended_on: date,
    refused: bool,
) -> None:
    world.lift_a.status = "suspended"
    world.lift_a.status_changed_on = suspended_on
    session.flush()
    response = post(client, bureau, world.lift_a, "resume")
    if refused:
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "SUSPENDED_RESTART"
        assert "365 days" in response.json()["error"]["message"]
    else:
        assert response.status_code == 200


def test_a_passing_inspection_during_the_suspension_allows_the_restart(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    world.lift_a.status = "suspended"
    world.lift_a.status_changed_on = date(2024, 1, 1)
    session.add(
        Inspection(
            elevator_id=world.lift_a.id,
            agency_id=world.agency.id,
            kind="periodic",
            performed_on=date(2026, 11, 1),
            result="pass",
            report_number="JD-2026-009",
            filed_by="test",
            created_at=factories.CREATED,
        )
    )
    session.flush()
    assert post(client, bureau, world.lift_a, "resume").json()["status"] == "in_use"


def test_scrapping_is_final(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    assert (
        post(client, bureau, world.lift_a, "scrap", {"reason": "整机更新"}).json()["status"]
        == "scrapped"
    )
    for action in ("resume", "suspend", "put-in-use", "scrap"):
        response = post(client, bureau, world.lift_a, action)
        assert response.status_code == 409, action
        assert response.json()["error"]["code"] == "ELEVATOR_SCRAPPED", action
    patch = client.patch(
        f"/api/v1/elevators/{world.lift_a.id}", json={"address": "x路1号"}, headers=bureau
    )
    assert patch.json()["error"]["code"] == "ELEVATOR_SCRAPPED"
    register = post(
        client, bureau, world.lift_a, "register", {"registration_number": "梯11渝A00099(26)"}
    )
    assert register.json()["error"]["code"] == "ELEVATOR_SCRAPPED"


def test_registering_records_the_certificate(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = post(
        client, bureau, world.orphan, "register", {"registration_number": "梯11渝A00099（26）"}
    )
    assert response.status_code == 200
    assert response.json()["registration_number"] == "梯11渝A00099(26)"
    assert response.json()["registered_on"] == "2026-11-15"


def test_action_dates_cannot_be_in_the_future(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = post(client, bureau, world.lift_a, "suspend", {"on": "2026-11-16"})
    assert response.status_code == 422
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "DATE_IN_FUTURE",
        "on",
    )


def test_unknown_elevator_is_404(client: TestClient, bureau: dict[str, str]) -> None:
    response = client.get("/api/v1/elevators/123456", headers=bureau)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ELEVATOR_NOT_FOUND"
