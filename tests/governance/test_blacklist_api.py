"""The blacklist: listing and lifting (dated, reasoned, audited), its public page, its effects."""

from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.governance.models import BlacklistEntry
from elevator_registry.registry.models import MaintenanceContract
from tests import factories
from tests.conftest import TODAY, AuthHeaders


def listing(world: factories.World, **overrides: Any) -> dict[str, Any]:
    body = {
        "organisation_id": world.maintainer_b.id,
        "reason": "伪造维保记录, 拒不整改",
        "legal_basis": "綦江府办发〔2022〕18号 三(十一)",
        "listed_on": "2026-11-01",
    }
    return body | overrides


def test_listing_is_dated_reasoned_and_audited(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    response = client.post("/api/v1/blacklist", json=listing(world), headers=bureau)
    assert response.status_code == 201
    entry = response.json()
    assert (entry["listed_on"], entry["lifted_on"], entry["reason"]) == (
        "2026-11-01",
        None,
        "伪造维保记录, 拒不整改",
    )
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity == "blacklist_entry", AuditEvent.entity_id == entry["id"]
        )
    ).one()
    assert (event.action, event.actor_role) == ("create", "bureau")
    assert event.changes["organisation_id"]["after"] == world.maintainer_b.id


def test_a_listing_defaults_to_today(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    body = listing(world)
    del body["listed_on"]
    response = client.post("/api/v1/blacklist", json=body, headers=bureau)
    assert response.json()["listed_on"] == TODAY.isoformat()


def test_refusals_change_nothing(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    factories.blacklist(session, world.maintainer_b, listed_on=date(2026, 1, 1))
    before = factories.count(session, BlacklistEntry)
    cases = [
        (listing(world), 409, "ALREADY_BLACKLISTED", "organisation_id"),
        (listing(world, listed_on="2026-11-16"), 422, "DATE_IN_FUTURE", "listed_on"),
        (listing(world, organisation_id=999999), 404, "ORGANISATION_NOT_FOUND", None),
        (listing(world, reason=""), 422, "VALIDATION_ERROR", "reason"),
        (listing(world, note="x"), 422, "UNKNOWN_FIELD", "note"),
    ]
    for body, status, code, field in cases:
        response = client.post("/api/v1/blacklist", json=body, headers=bureau)
        assert response.status_code == status, body
        assert response.json()["error"]["code"] == code
        assert response.json()["error"].get("field") == field
    assert factories.count(session, BlacklistEntry) == before


def test_only_the_bureau_lists_and_lifts(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    entry = factories.blacklist(session, world.maintainer_b, listed_on=date(2026, 1, 1))
    for headers in (
        auth(Role.USER_UNIT, organisation=world.user_a),
        auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a),
        auth(Role.STREET_OFFICE, street="古南街道"),
    ):
        listed = client.post("/api/v1/blacklist", json=listing(world), headers=headers)
        lifted = client.post(
            f"/api/v1/blacklist/{entry.id}/lift", json={"reason": "整改完成"}, headers=headers
        )
        assert (listed.status_code, lifted.status_code) == (403, 403)
    assert session.get(BlacklistEntry, entry.id).lifted_on is None
    assert client.post("/api/v1/blacklist", json=listing(world)).status_code == 401


def test_lifting_is_dated_reasoned_audited_and_happens_once(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    entry = factories.blacklist(session, world.maintainer_b, listed_on=date(2026, 3, 1))
    url = f"/api/v1/blacklist/{entry.id}/lift"
    early = client.post(url, json={"reason": "整改", "lifted_on": "2026-02-28"}, headers=bureau)
    assert (early.status_code, early.json()["error"]["code"]) == (422, "DATE_RANGE_INVALID")
    lifted = client.post(url, json={"reason": "整改完成, 经复查合格"}, headers=bureau)
    assert lifted.status_code == 200
    assert (lifted.json()["lifted_on"], lifted.json()["lift_reason"]) == (
        TODAY.isoformat(),
        "整改完成, 经复查合格",
    )
    again = client.post(url, json={"reason": "再次"}, headers=bureau)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "ALREADY_LIFTED")
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity == "blacklist_entry", AuditEvent.action == "lift"
        )
    ).one()
    assert event.changes["lifted_on"] == {"before": None, "after": TODAY.isoformat()}
    missing = client.post("/api/v1/blacklist/999999/lift", json={"reason": "x"}, headers=bureau)
    assert missing.json()["error"]["code"] == "BLACKLIST_ENTRY_NOT_FOUND"


def test_the_list_filters_current_and_past_entries(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    past = factories.blacklist(session, world.maintainer_a, listed_on=date(2025, 1, 1))
    past.lifted_on = date(2025, 6, 1)
    current = factories.blacklist(session, world.maintainer_b, listed_on=date(2026, 1, 1))
    session.flush()

    def ids(query: str) -> list[int]:
        page = client.get(f"/api/v1/blacklist{query}", headers=bureau).json()
        return [item["id"] for item in page["items"]]

    assert ids("") == [past.id, current.id]
    assert ids("?current=true") == [current.id]
    assert ids("?current=false") == [past.id]
    assert ids(f"?organisation_id={world.maintainer_a.id}") == [past.id]
    first = client.get("/api/v1/blacklist?limit=1", headers=bureau).json()
    second = client.get(
        f"/api/v1/blacklist?limit=1&cursor={first['next_cursor']}", headers=bureau
    ).json()
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [past.id, current.id]
    assert second["next_cursor"] is None


def test_the_public_page_shows_current_entries_and_nothing_private(
    client: TestClient, world: factories.World, session: Session
) -> None:
    world.maintainer_b.contact_name = "赵经理"
    world.maintainer_b.address = "綦江区文龙街道 1 号"
    lifted = factories.blacklist(session, world.maintainer_a, listed_on=date(2025, 1, 1))
    lifted.lifted_on = date(2025, 6, 1)
    lifted.lift_reason = "整改完成"
    factories.blacklist(session, world.maintainer_b, listed_on=date(2026, 1, 1))
    factories.blacklist(session, world.manufacturer, listed_on=date(2026, 11, 16))  # tomorrow
    session.flush()
    response = client.get("/api/v1/public/blacklist")
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "organisation_name": world.maintainer_b.name,
                "credit_code": world.maintainer_b.credit_code,
                "reason": "伪造维保记录",
                "legal_basis": "綦江区安全乘梯守护行动实施方案 三(十一)",
                "listed_on": "2026-01-01",
            }
        ],
        "next_cursor": None,
    }
    assert "023-48661234" not in response.text  # the unit's phone, contact, address: not here
    assert "赵经理" not in response.text


def test_a_blacklisted_maintainer_gets_no_new_contract(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    client.post("/api/v1/blacklist", json=listing(world), headers=bureau)
    before = factories.count(session, MaintenanceContract)
    body = {
        "elevator_id": world.lift_a.id,
        "maintenance_unit_id": world.maintainer_b.id,
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
    }
    response = client.post("/api/v1/contracts", json=body, headers=bureau)
    assert response.status_code == 409
    assert response.json()["error"]["rule"] == "MAINTAINER_NOT_ELIGIBLE"
    assert "blacklisted since 2026-11-01" in response.json()["error"]["message"]
    assert factories.count(session, MaintenanceContract) == before


def test_a_blacklisted_maintainers_elevators_are_on_the_risk_list_until_lifted(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    def listed(as_of: str) -> list[int]:
        response = client.get(
            f"/api/v1/risk-list?rule=MAINTAINER_NOT_ELIGIBLE&as_of={as_of}", headers=bureau
        )
        return [row["elevator"]["id"] for row in response.json()["items"]]

    entry = client.post("/api/v1/blacklist", json=listing(world), headers=bureau).json()
    assert listed("2026-10-31") == []
    assert listed("2026-11-01") == [world.lift_b.id]
    client.post(f"/api/v1/blacklist/{entry['id']}/lift", json={"reason": "整改"}, headers=bureau)
    assert listed(TODAY.isoformat()) == []
    # The listing still explains the past.
    assert listed("2026-11-14") == [world.lift_b.id]
