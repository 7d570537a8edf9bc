"""Maintenance-cost disclosure: user units file their own, the public reads them per unit."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.governance.models import CostDisclosure
from tests import factories
from tests.conftest import AuthHeaders


def disclosure(world: factories.World, **overrides: Any) -> dict[str, Any]:
    body = {
        "elevator_id": world.lift_a.id,
        "year": 2025,
        "amount_yuan": "9600.00",
        "property_fee_yuan": "6000.00",
        "advertising_income_yuan": "3600.00",
        "repair_fund_draw_yuan": "0",
        "items": "半月维保 24 次 4800 元; 更换门机皮带 1200 元",
    }
    return body | overrides


def test_a_user_unit_discloses_its_own_elevators_costs(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    headers = auth(Role.USER_UNIT, organisation=world.user_a)
    response = client.post("/api/v1/cost-disclosures", json=disclosure(world), headers=headers)
    assert response.status_code == 201
    body = response.json()
    assert (body["user_unit_id"], body["disclosed_on"], body["advertising_income_yuan"]) == (
        world.user_a.id,
        "2026-11-15",
        "3600.00",
    )
    other = client.post(
        "/api/v1/cost-disclosures",
        json=disclosure(world, elevator_id=world.lift_b.id),
        headers=headers,
    )
    assert other.status_code == 404
    assert factories.count(session, CostDisclosure) == 1


def test_refusals_change_nothing(
    client: TestClient,
    bureau: dict[str, str],
    auth: AuthHeaders,
    world: factories.World,
    session: Session,
) -> None:
    assert (
        client.post("/api/v1/cost-disclosures", json=disclosure(world), headers=bureau).status_code
        == 201
    )
    cases = [
        (bureau, disclosure(world), 409, "DISCLOSURE_EXISTS", "year"),
        (bureau, disclosure(world, year=2027), 422, "DATE_IN_FUTURE", "year"),
        (bureau, disclosure(world, amount_yuan="-5"), 422, "VALIDATION_ERROR", "amount_yuan"),
        (
            bureau,
            disclosure(world, elevator_id=world.orphan.id),
            409,
            "NO_USER_UNIT",
            "elevator_id",
        ),
        (
            auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a),
            disclosure(world, year=2024),
            403,
            "FORBIDDEN_ROLE",
            None,
        ),
    ]
    for headers, body, status, code, field in cases:
        response = client.post("/api/v1/cost-disclosures", json=body, headers=headers)
        error = response.json()["error"]
        assert (response.status_code, error["code"], error.get("field")) == (status, code, field)
    assert factories.count(session, CostDisclosure) == 1


def test_the_list_is_scoped_to_what_the_caller_may_read(
    client: TestClient, bureau: dict[str, str], auth: AuthHeaders, world: factories.World
) -> None:
    client.post("/api/v1/cost-disclosures", json=disclosure(world), headers=bureau)
    client.post(
        "/api/v1/cost-disclosures",
        json=disclosure(world, elevator_id=world.lift_b.id),
        headers=bureau,
    )
    everything = client.get("/api/v1/cost-disclosures?year=2025", headers=bureau).json()
    assert len(everything["items"]) == 2
    own = client.get(
        "/api/v1/cost-disclosures", headers=auth(Role.USER_UNIT, organisation=world.user_b)
    )
    assert [item["elevator_id"] for item in own.json()["items"]] == [world.lift_b.id]


def test_the_public_reads_a_user_units_disclosures_without_internal_ids(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    client.post("/api/v1/cost-disclosures", json=disclosure(world), headers=bureau)
    client.post(
        "/api/v1/cost-disclosures",
        json=disclosure(world, elevator_id=world.lift_b.id),
        headers=bureau,
    )
    response = client.get(f"/api/v1/public/cost-disclosures?user_unit_id={world.user_a.id}")
    assert response.status_code == 200
    assert response.json()["items"] == [
        {
            "user_unit_name": world.user_a.name,
            "rescue_code": world.lift_a.rescue_code,
            "address": world.lift_a.address,
            "year": 2025,
            "amount_yuan": "9600.00",
            "property_fee_yuan": "6000.00",
            "advertising_income_yuan": "3600.00",
            "repair_fund_draw_yuan": "0.00",
            "items": "半月维保 24 次 4800 元; 更换门机皮带 1200 元",
            "disclosed_on": "2026-11-15",
        }
    ]
    missing = client.get("/api/v1/public/cost-disclosures")
    assert (missing.status_code, missing.json()["error"]["field"]) == (422, "user_unit_id")
