"""Maintenance contracts and warranties: eligibility, overlaps, the plan's warranty minimums."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.registry.models import MaintenanceContract, Warranty
from tests import factories
from tests.conftest import AuthHeaders
from tests.governance import builders as governance_builders


def contract_body(world: factories.World, **overrides: Any) -> dict[str, Any]:
    body = {
        "elevator_id": world.lift_a.id,
        "maintenance_unit_id": world.maintainer_b.id,
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "fee_yuan": "4800.00",
    }
    return body | overrides


def test_a_contract_following_the_current_one_is_accepted(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.post("/api/v1/contracts", json=contract_body(world), headers=bureau)
    assert response.status_code == 201
    assert response.json()["user_unit_id"] == world.user_a.id
    assert response.json()["mode"] == "regular"


def test_overlapping_contracts_are_refused_naming_the_existing_one(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    before = factories.count(session, MaintenanceContract)
    response = client.post(
        "/api/v1/contracts", json=contract_body(world, start_date="2026-12-31"), headers=bureau
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONTRACT_OVERLAP"
    assert "2026-12-31" in response.json()["error"]["message"]
    assert factories.count(session, MaintenanceContract) == before


def test_a_contract_ended_early_frees_the_rest_of_its_period(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    current = session.query(MaintenanceContract).filter_by(elevator_id=world.lift_a.id).one()
    ended = client.post(
        f"/api/v1/contracts/{current.id}/end",
        json={"terminated_on": "2026-11-30", "reason": "合同解除"},
        headers=bureau,
    )
    assert ended.status_code == 200
    assert ended.json()["terminated_on"] == "2026-11-30"
    response = client.post(
        "/api/v1/contracts", json=contract_body(world, start_date="2026-12-01"), headers=bureau
    )
    assert response.status_code == 201
    again = client.post(f"/api/v1/contracts/{current.id}/end", json={"reason": "x"}, headers=bureau)
    assert again.json()["error"]["code"] == "CONTRACT_ALREADY_ENDED"


def test_a_blacklisted_maintainer_is_not_eligible(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    factories.blacklist(session, world.maintainer_b, listed_on=date(2026, 6, 1))
    response = client.post("/api/v1/contracts", json=contract_body(world), headers=bureau)
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["rule"], error["field"]) == (
        "MAINTAINER_NOT_ELIGIBLE",
        "MAINTAINER_NOT_ELIGIBLE",
        "maintenance_unit_id",
    )
    assert "blacklisted since 2026-06-01" in error["message"]


def test_a_lifted_blacklisting_no_longer_blocks(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    entry = factories.blacklist(session, world.maintainer_b, listed_on=date(2025, 6, 1))
    entry.lifted_on = date(2026, 6, 1)
    session.flush()
    assert (
        client.post("/api/v1/contracts", json=contract_body(world), headers=bureau).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("licence_fields", "reason"),
    [
        ({"valid_until": date(2026, 11, 14)}, "expired on 2026-11-14"),
        ({"status": "suspended", "suspended_at": factories.CREATED}, "suspended"),
        (
            {"status": "revoked", "revoked_on": date(2026, 5, 1), "revoked_at": factories.CREATED},
            "revoked on 2026-05-01",
        ),
    ],
)
def test_a_maintainer_without_a_valid_licence_is_not_eligible(
    client: TestClient,
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
    licence_fields: dict[str, Any],
    reason: str,
) -> None:
    unit = factories.maintainer(session, "无证维保公司", **licence_fields)
    response = client.post(
        "/api/v1/contracts",
        json=contract_body(world, maintenance_unit_id=unit.id, start_date="2026-12-01"),
        headers=bureau,
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "MAINTAINER_NOT_ELIGIBLE"
    assert reason in response.json()["error"]["message"]


def test_a_licence_ending_before_the_contract_starts_is_not_enough(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    unit = factories.maintainer(session, "证将到期公司", valid_until=date(2026, 12, 31))
    response = client.post(
        "/api/v1/contracts", json=contract_body(world, maintenance_unit_id=unit.id), headers=bureau
    )
    assert response.json()["error"]["code"] == "MAINTAINER_NOT_ELIGIBLE"


def test_a_manufacturer_may_maintain_the_elevators_it_made(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    world.lift_a.manufacturer_id = world.manufacturer.id
    session.flush()
    response = client.post(
        "/api/v1/contracts",
        json=contract_body(world, maintenance_unit_id=world.manufacturer.id),
        headers=bureau,
    )
    assert response.status_code == 201


def test_a_manufacturer_may_not_maintain_another_makers_elevator_without_the_licence(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.post(
        "/api/v1/contracts",
        json=contract_body(world, maintenance_unit_id=world.manufacturer.id),
        headers=bureau,
    )
    assert response.json()["error"]["code"] == "MAINTAINER_NOT_ELIGIBLE"


def test_the_maintenance_unit_must_be_a_maintainer(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.post(
        "/api/v1/contracts",
        json=contract_body(world, maintenance_unit_id=world.user_b.id),
        headers=bureau,
    )
    assert response.json()["error"]["code"] == "ORGANISATION_ROLE_MISSING"


def test_an_elevator_without_user_unit_gets_no_contract(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.post(
        "/api/v1/contracts", json=contract_body(world, elevator_id=world.orphan.id), headers=bureau
    )
    assert response.json()["error"]["code"] == "NO_USER_UNIT"


def test_on_demand_contracts_carry_their_interval_and_only_they_do(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    governance_builders.on_demand_ready(session, world)
    missing = client.post(
        "/api/v1/contracts", json=contract_body(world, mode="on_demand"), headers=bureau
    )
    assert missing.json()["error"]["code"] == "MAINTENANCE_INTERVAL_INVALID"
    extra = client.post(
        "/api/v1/contracts", json=contract_body(world, maintenance_interval_days=30), headers=bureau
    )
    assert extra.json()["error"]["code"] == "MAINTENANCE_INTERVAL_INVALID"
    accepted = client.post(
        "/api/v1/contracts",
        json=contract_body(world, mode="on_demand", maintenance_interval_days=30),
        headers=bureau,
    )
    assert accepted.json()["maintenance_interval_days"] == 30


def test_contract_period_must_be_ordered(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.post(
        "/api/v1/contracts", json=contract_body(world, end_date="2026-12-31"), headers=bureau
    )
    assert response.json()["error"]["code"] == "DATE_RANGE_INVALID"


def test_the_user_unit_files_a_contract_for_its_own_elevator_only(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    headers = auth(Role.USER_UNIT, organisation=world.user_a)
    assert (
        client.post("/api/v1/contracts", json=contract_body(world), headers=headers).status_code
        == 201
    )
    before = factories.count(session, MaintenanceContract)
    foreign = client.post(
        "/api/v1/contracts", json=contract_body(world, elevator_id=world.lift_b.id), headers=headers
    )
    assert foreign.status_code == 404
    assert factories.count(session, MaintenanceContract) == before


def test_a_maintenance_unit_cannot_file_contracts(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_b)
    before = factories.count(session, MaintenanceContract)
    response = client.post("/api/v1/contracts", json=contract_body(world), headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN_ROLE"
    assert factories.count(session, MaintenanceContract) == before


def test_contracts_list_shows_a_unit_only_its_own(
    client: TestClient, auth: AuthHeaders, world: factories.World
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    items = client.get("/api/v1/contracts", headers=headers).json()["items"]
    assert {item["maintenance_unit_id"] for item in items} == {world.maintainer_a.id}
    assert len(items) == 1


# Warranties ---------------------------------------------------------------------------------


def warranty_body(world: factories.World, **overrides: Any) -> dict[str, Any]:
    body = {
        "elevator_id": world.lift_a.id,
        "scope": "whole_unit",
        "issuer_id": world.manufacturer.id,
        "start_date": "2026-03-01",
        "end_date": "2031-02-28",
        "context": "subsidised_renovation",
    }
    return body | overrides


def test_a_five_year_whole_unit_warranty_satisfies_subsidised_renovation(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    assert (
        client.post("/api/v1/warranties", json=warranty_body(world), headers=bureau).status_code
        == 201
    )


def test_a_whole_unit_warranty_one_day_short_of_five_years_is_refused(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    response = client.post(
        "/api/v1/warranties", json=warranty_body(world, end_date="2031-02-27"), headers=bureau
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["rule"], error["field"]) == (
        "WARRANTY_BELOW_MINIMUM",
        "WARRANTY_BELOW_MINIMUM",
        "end_date",
    )
    assert "at least 5 years" in error["message"]
    assert "1 days short" in error["message"]
    assert factories.count(session, Warranty) == 0


def make_maker_maintained(world: factories.World, session: Session) -> None:
    world.lift_a.manufacturer_id = world.manufacturer.id
    current = session.query(MaintenanceContract).filter_by(elevator_id=world.lift_a.id).one()
    current.maintenance_unit_id = world.manufacturer.id
    session.flush()


def test_major_parts_of_a_maker_maintained_new_elevator_need_ten_years(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    make_maker_maintained(world, session)
    body = warranty_body(
        world, scope="traction_machine", context="new_installation", end_date="2036-02-28"
    )
    short = client.post("/api/v1/warranties", json=body, headers=bureau)
    assert short.status_code == 409
    assert "at least 10 years" in short.json()["error"]["message"]
    assert "traction machine" in short.json()["error"]["message"]
    long_enough = client.post(
        "/api/v1/warranties", json=body | {"end_date": "2036-02-29"}, headers=bureau
    )
    assert long_enough.status_code == 201


def test_major_parts_need_no_ten_years_when_another_firm_maintains(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    world.lift_a.manufacturer_id = world.manufacturer.id
    session.flush()
    body = warranty_body(
        world, scope="door_operator", context="new_installation", end_date="2028-02-28"
    )
    assert client.post("/api/v1/warranties", json=body, headers=bureau).status_code == 201


def test_a_warranty_for_an_elevator_out_of_scope_is_404(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    headers = auth(Role.USER_UNIT, organisation=world.user_a)
    response = client.post(
        "/api/v1/warranties",
        json=warranty_body(world, elevator_id=world.lift_b.id),
        headers=headers,
    )
    assert response.status_code == 404
    assert factories.count(session, Warranty) == 0


def test_warranties_list_is_scoped(
    client: TestClient, bureau: dict[str, str], auth: AuthHeaders, world: factories.World
) -> None:
    client.post("/api/v1/warranties", json=warranty_body(world), headers=bureau)
    client.post(
        "/api/v1/warranties", json=warranty_body(world, elevator_id=world.lift_b.id), headers=bureau
    )
    own = client.get("/api/v1/warranties", headers=auth(Role.USER_UNIT, organisation=world.user_b))
    assert [item["elevator_id"] for item in own.json()["items"]] == [world.lift_b.id]
    assert len(client.get("/api/v1/warranties", headers=bureau).json()["items"]) == 2
