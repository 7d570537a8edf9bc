"""The rescue lifecycle: every transition, its refusals, who may act, backfilled times."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.clock import FixedClock, get_clock
from elevator_registry.incidents.models import Incident
from tests import factories
from tests.conftest import NOW
from tests.incidents.conftest import Report

Headers = dict[str, str]


@pytest.fixture
def unit_a(auth: Callable[..., Headers], world: factories.World) -> Headers:
    return auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)


def new_incident(report: Report, lift: Any, kind: str = "trapped") -> int:
    number = report(lift, kind=kind).json()["number"]
    return int(number.split("-")[1])


def act(client: TestClient, incident_id: int, action: str, headers: Headers, **body: Any):
    return client.post(
        f"/api/v1/incidents/{incident_id}/{action}", json=body or None, headers=headers
    )


def at(client: TestClient, minutes: int) -> None:
    """Moves the app's clock to NOW + minutes."""
    client.app.dependency_overrides[get_clock] = lambda: FixedClock(  # type: ignore[attr-defined]
        at=NOW + timedelta(minutes=minutes)
    )


def test_a_full_rescue_stamps_each_time_once_with_its_event(
    unlimited: TestClient, report: Report, world: factories.World, unit_a: Headers, session: Session
) -> None:
    incident_id = new_incident(report, world.lift_a)
    at(unlimited, 2)
    assert act(unlimited, incident_id, "accept", unit_a).json()["status"] == "accepted"
    at(unlimited, 14)
    assert act(unlimited, incident_id, "arrive", unit_a).json()["status"] == "arrived"
    at(unlimited, 18)
    assert act(unlimited, incident_id, "release", unit_a).json()["status"] == "released"
    at(unlimited, 40)
    closed = act(unlimited, incident_id, "close", unit_a, fault_cause_code="door_system")
    assert closed.status_code == 200, closed.json()
    body = closed.json()
    assert body["status"] == "closed"
    assert body["fault_cause_code"] == "door_system"
    assert body["accepted_at"] == "2026-11-15T02:02:00Z"
    assert body["arrived_at"] == "2026-11-15T02:14:00Z"
    assert body["released_at"] == "2026-11-15T02:18:00Z"
    assert body["closed_at"] == "2026-11-15T02:40:00Z"
    kinds = [event["kind"] for event in body["events"]]
    assert kinds == ["reported", "dispatched", "accepted", "arrived", "released", "closed"]


@pytest.mark.parametrize(
    ("steps", "action", "body"),
    [
        ([], "release", {}),
        ([], "close", {"fault_cause_code": "control"}),
        (["accept"], "accept", {}),
        (["arrive"], "accept", {}),
        (["arrive"], "arrive", {}),
        (["arrive", "release"], "self-released", {}),
        (["arrive", "release"], "cancel", {}),
        (["arrive", "release", "close"], "false-alarm", {}),
        (["cancel"], "arrive", {}),
        (["false-alarm"], "release", {}),
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(
    unlimited: TestClient,
    report: Report,
    world: factories.World,
    operator: Headers,
    session: Session,
    steps: list[str],
    action: str,
    body: dict[str, Any],
) -> None:
    incident_id = new_incident(report, world.lift_a)
    for step in steps:
        extra = {"fault_cause_code": "control"} if step == "close" else {}
        assert act(unlimited, incident_id, step, operator, **extra).status_code == 200
    before = unlimited.get(f"/api/v1/incidents/{incident_id}", headers=operator).json()
    response = act(unlimited, incident_id, action, operator, **body)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INVALID_TRANSITION"
    assert unlimited.get(f"/api/v1/incidents/{incident_id}", headers=operator).json() == before


def test_closing_a_trapped_incident_needs_a_fault_cause(
    unlimited: TestClient, report: Report, world: factories.World, operator: Headers
) -> None:
    incident_id = new_incident(report, world.lift_a)
    act(unlimited, incident_id, "arrive", operator)
    act(unlimited, incident_id, "release", operator)
    response = act(unlimited, incident_id, "close", operator)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "FAULT_CAUSE_REQUIRED")
    unknown = act(unlimited, incident_id, "close", operator, fault_cause_code="gremlins")
    assert unknown.status_code == 422
    assert (
        act(unlimited, incident_id, "close", operator, fault_cause_code="misuse").status_code == 200
    )


def test_a_fault_incident_closes_after_arrival(
    unlimited: TestClient, report: Report, world: factories.World, unit_a: Headers
) -> None:
    incident_id = new_incident(report, world.lift_a, kind="fault")
    assert act(unlimited, incident_id, "release", unit_a).status_code == 409
    act(unlimited, incident_id, "arrive", unit_a)
    closed = act(unlimited, incident_id, "close", unit_a, fault_cause_code="traction")
    assert closed.json()["status"] == "closed"


def test_a_consultation_is_closed_by_the_operator_without_cause(
    unlimited: TestClient, report: Report, world: factories.World, operator: Headers
) -> None:
    incident_id = new_incident(report, world.lift_a, kind="consultation")
    assert act(unlimited, incident_id, "arrive", operator).status_code == 409
    assert act(unlimited, incident_id, "close", operator).json()["status"] == "closed"


@pytest.mark.parametrize(
    ("action", "status", "stamped"),
    [
        ("self-released", "self_released", ["released_at", "closed_at"]),
        ("false-alarm", "false_alarm", ["closed_at"]),
        ("cancel", "cancelled", ["closed_at"]),
    ],
)
def test_side_exits(
    unlimited: TestClient,
    report: Report,
    world: factories.World,
    operator: Headers,
    action: str,
    status: str,
    stamped: list[str],
) -> None:
    incident_id = new_incident(report, world.lift_a)
    at(unlimited, 7)
    body = act(unlimited, incident_id, action, operator, reason="居民回电").json()
    assert body["status"] == status
    for column in stamped:
        assert body[column] == "2026-11-15T02:07:00Z"
    assert body["events"][-1]["kind"] == status
    assert body["events"][-1]["reason"] == "居民回电"
    assert body["events"][-1]["backfilled"] is False


def test_a_unit_works_only_its_own_incidents(
    unlimited: TestClient, report: Report, world: factories.World, auth: Callable[..., Headers]
) -> None:
    incident_id = new_incident(report, world.lift_a)
    unit_b = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_b)
    response = act(unlimited, incident_id, "arrive", unit_b)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "INCIDENT_NOT_FOUND")


@pytest.mark.parametrize("action", ["cancel", "escalate"])
def test_a_unit_does_not_cancel_or_escalate(
    unlimited: TestClient, report: Report, world: factories.World, unit_a: Headers, action: str
) -> None:
    incident_id = new_incident(report, world.lift_a)
    response = act(
        unlimited, incident_id, action, unit_a, **({"reason": "x"} if action == "escalate" else {})
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "FORBIDDEN_ROLE")


def test_user_units_and_street_offices_read_but_do_not_act(
    unlimited: TestClient, report: Report, world: factories.World, auth: Callable[..., Headers]
) -> None:
    incident_id = new_incident(report, world.lift_a)
    for headers in (
        auth(Role.USER_UNIT, organisation=world.user_a),
        auth(Role.STREET_OFFICE, street="古南街道"),
    ):
        assert unlimited.get(f"/api/v1/incidents/{incident_id}", headers=headers).status_code == 200
        assert act(unlimited, incident_id, "arrive", headers).status_code == 403
    other_street = auth(Role.STREET_OFFICE, street="永新镇")
    assert (
        unlimited.get(f"/api/v1/incidents/{incident_id}", headers=other_street).status_code == 404
    )


def test_the_public_cannot_act(
    unlimited: TestClient, report: Report, world: factories.World
) -> None:
    incident_id = new_incident(report, world.lift_a)
    assert act(unlimited, incident_id, "arrive", {}).status_code == 401


def test_caller_phone_is_masked_for_roles_that_do_not_call_back(
    unlimited: TestClient,
    report: Report,
    world: factories.World,
    operator: Headers,
    unit_a: Headers,
    auth: Callable[..., Headers],
) -> None:
    report(world.lift_a, caller_phone="13812345678")
    user_unit = auth(Role.USER_UNIT, organisation=world.user_a)
    phones = {
        name: unlimited.get("/api/v1/incidents", headers=headers).json()["items"][0]["caller_phone"]
        for name, headers in (("operator", operator), ("unit", unit_a), ("user", user_unit))
    }
    assert phones == {"operator": "13812345678", "unit": "13812345678", "user": "138****5678"}


def test_operator_backfills_a_time_with_a_reason(
    unlimited: TestClient,
    report: Report,
    world: factories.World,
    operator: Headers,
    session: Session,
) -> None:
    incident_id = new_incident(report, world.lift_a)
    at(unlimited, 30)
    response = act(
        unlimited,
        incident_id,
        "arrive",
        operator,
        at="2026-11-15T02:12:00Z",
        reason="救援人员电话报告到场",
    )
    assert response.json()["arrived_at"] == "2026-11-15T02:12:00Z"
    event = response.json()["events"][-1]
    assert (event["backfilled"], event["reason"], event["recorded_at"]) == (
        True,
        "救援人员电话报告到场",
        "2026-11-15T02:30:00Z",
    )


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("unit", {"at": "2026-11-15T02:05:00Z", "reason": "x"}, 403, "BACKFILL_NOT_ALLOWED"),
        ("operator", {"at": "2026-11-15T02:05:00Z"}, 422, "BACKFILL_REASON_REQUIRED"),
        ("operator", {"at": "2026-11-15T03:05:00Z", "reason": "x"}, 422, "TIME_IN_FUTURE"),
        ("operator", {"at": "2026-11-15T01:59:00Z", "reason": "x"}, 422, "TIME_ORDER_INVALID"),
        ("operator", {"at": "2026-11-15T02:05:00", "reason": "x"}, 422, "VALIDATION_ERROR"),
    ],
)
def test_backfill_refusals(
    unlimited: TestClient,
    report: Report,
    world: factories.World,
    operator: Headers,
    unit_a: Headers,
    session: Session,
    who: str,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    incident_id = new_incident(report, world.lift_a)
    at(unlimited, 10)
    response = act(unlimited, incident_id, "arrive", unit_a if who == "unit" else operator, **body)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert session.get(Incident, incident_id).arrived_at is None  # type: ignore[union-attr]


def test_release_cannot_be_backfilled_before_arrival(
    unlimited: TestClient, report: Report, world: factories.World, operator: Headers
) -> None:
    incident_id = new_incident(report, world.lift_a)
    at(unlimited, 20)
    act(unlimited, incident_id, "arrive", operator)
    response = act(
        unlimited, incident_id, "release", operator, at="2026-11-15T02:15:00Z", reason="x"
    )
    assert response.json()["error"]["code"] == "TIME_ORDER_INVALID"


def test_manual_escalation_goes_up_one_level_at_a_time_to_119(
    unlimited: TestClient, report: Report, world: factories.World, operator: Headers
) -> None:
    incident_id = new_incident(report, world.lift_a)
    body = act(unlimited, incident_id, "escalate", operator, reason="维保单位电话无人接听").json()
    assert body["escalation_level"] == 2
    assert body["events"][-1]["detail"] == {"level": 2, "automatic": False}
    assert (
        act(unlimited, incident_id, "escalate", operator, level=3, reason="x").json()[
            "escalation_level"
        ]
        == 3
    )
    above_119 = act(unlimited, incident_id, "escalate", operator, reason="x")
    assert (above_119.status_code, above_119.json()["error"]["code"]) == (
        409,
        "ESCALATION_LEVEL_INVALID",
    )
    assert act(unlimited, incident_id, "escalate", operator, level=4, reason="x").status_code == 422
    refused = act(unlimited, incident_id, "escalate", operator, level=2, reason="x")
    assert (refused.status_code, refused.json()["error"]["code"]) == (
        409,
        "ESCALATION_LEVEL_INVALID",
    )


def test_escalation_needs_a_trapped_incident_still_waiting(
    unlimited: TestClient, report: Report, world: factories.World, operator: Headers
) -> None:
    incident_id = new_incident(report, world.lift_a)
    act(unlimited, incident_id, "arrive", operator)
    response = act(unlimited, incident_id, "escalate", operator, reason="x")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "INVALID_TRANSITION")


def test_lists_are_scoped_and_filtered(
    unlimited: TestClient,
    report: Report,
    world: factories.World,
    operator: Headers,
    unit_a: Headers,
) -> None:
    report(world.lift_a)
    report(world.lift_b)
    assert len(unlimited.get("/api/v1/incidents", headers=operator).json()["items"]) == 2
    mine = unlimited.get("/api/v1/incidents", headers=unit_a).json()["items"]
    assert [item["elevator_id"] for item in mine] == [world.lift_a.id]
    town = unlimited.get(
        "/api/v1/incidents", params={"elevator_id": world.lift_b.id}, headers=operator
    ).json()["items"]
    assert [item["reports"] for item in town] == [1]
