"""Organisations and licences through the API."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.messages_zh import field_label
from elevator_registry.registry.models import Licence, Organisation
from tests import factories
from tests.conftest import AuthHeaders

NEW_ORGANISATION = {
    "credit_code": "91350100M000100Y43",
    "name": "綦江新城物业服务有限公司",
    "roles": ["user_unit"],
    "duty_phone": "13912345678",
}


def test_bureau_creates_an_organisation_and_the_write_is_audited(
    client: TestClient, bureau: dict[str, str], session: Session
) -> None:
    response = client.post("/api/v1/organisations", json=NEW_ORGANISATION, headers=bureau)
    assert response.status_code == 201
    body = response.json()
    assert body["credit_code"] == "91350100M000100Y43"
    assert body["roles"] == ["user_unit"]
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity == "organisation", AuditEvent.entity_id == body["id"]
        )
    )
    assert event is not None
    assert event.action == "create"
    assert event.actor_role == "bureau"
    assert event.changes["name"] == {"before": None, "after": "綦江新城物业服务有限公司"}


def test_a_wrong_check_character_is_refused_and_nothing_is_written(
    client: TestClient, bureau: dict[str, str], session: Session
) -> None:
    before = factories.count(session, Organisation)
    response = client.post(
        "/api/v1/organisations",
        json=NEW_ORGANISATION | {"credit_code": "91350100M000100Y44"},
        headers=bureau,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "CREDIT_CODE_INVALID"
    assert response.json()["error"]["field"] == "credit_code"
    assert factories.count(session, Organisation) == before
    assert factories.count(session, AuditEvent) == 0


def test_a_second_organisation_with_the_same_credit_code_is_refused(
    client: TestClient, bureau: dict[str, str], session: Session
) -> None:
    assert (
        client.post("/api/v1/organisations", json=NEW_ORGANISATION, headers=bureau).status_code
        == 201
    )
    response = client.post("/api/v1/organisations", json=NEW_ORGANISATION, headers=bureau)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CREDIT_CODE_TAKEN"
    assert factories.count(session, Organisation) == 1


def test_a_bad_duty_phone_is_refused(client: TestClient, bureau: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/organisations", json=NEW_ORGANISATION | {"duty_phone": "12345"}, headers=bureau
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "PHONE_INVALID",
        "message": response.json()["error"]["message"],
        "message_zh": "值班电话不是有效的手机号码或带区号的固定电话",
        "field": "duty_phone",
    }


def test_only_the_bureau_creates_organisations(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    before = factories.count(session, Organisation)
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    response = client.post("/api/v1/organisations", json=NEW_ORGANISATION, headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN_ROLE"
    assert factories.count(session, Organisation) == before


def test_an_organisation_changes_its_own_duty_phone_but_not_its_name(
    client: TestClient, auth: AuthHeaders, world: factories.World
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    url = f"/api/v1/organisations/{world.maintainer_a.id}"
    changed = client.patch(url, json={"duty_phone": "400-820-1234"}, headers=headers)
    assert changed.status_code == 200
    assert changed.json()["duty_phone"] == "400-820-1234"
    refused = client.patch(url, json={"name": "别的名字"}, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "FIELD_NOT_WRITABLE",
        "message": "role maintenance_unit may not change name",
        "message_zh": "您无权修改名称",
        "field": "name",
    }


@pytest.mark.parametrize("field", ["name", "roles"])
def test_name_and_roles_cannot_be_cleared(
    client: TestClient, bureau: dict[str, str], world: factories.World, field: str
) -> None:
    response = client.patch(
        f"/api/v1/organisations/{world.maintainer_a.id}", json={field: None}, headers=bureau
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "FIELD_REQUIRED",
        "message": f"{field} cannot be cleared",
        "message_zh": f"{field_label(field)}不能为空",
        "field": field,
    }
    assert world.maintainer_a.name and world.maintainer_a.roles


def test_an_organisation_cannot_change_another(
    client: TestClient, auth: AuthHeaders, world: factories.World
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    response = client.patch(
        f"/api/v1/organisations/{world.maintainer_b.id}",
        json={"duty_phone": "13912345678"},
        headers=headers,
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "OUT_OF_SCOPE"
    assert world.maintainer_b.duty_phone == "023-48661234"


def test_list_filters_by_role_and_paginates_with_a_cursor(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    first = client.get("/api/v1/organisations?role=maintainer&limit=2", headers=bureau).json()
    assert [item["id"] for item in first["items"]] == [world.maintainer_a.id, world.maintainer_b.id]
    second = client.get(
        f"/api/v1/organisations?role=maintainer&limit=2&cursor={first['next_cursor']}",
        headers=bureau,
    ).json()
    assert [item["id"] for item in second["items"]] == [world.manufacturer.id]
    assert second["next_cursor"] is None


def test_a_forged_cursor_is_refused(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.get("/api/v1/organisations?cursor=bm9wZQ", headers=bureau)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "CURSOR_INVALID"


def test_unknown_organisation_is_404(client: TestClient, bureau: dict[str, str]) -> None:
    response = client.get("/api/v1/organisations/999999", headers=bureau)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ORGANISATION_NOT_FOUND"


# Licences -----------------------------------------------------------------------------------


def licence_body(number: str = "TS3350999-2029") -> dict[str, str]:
    return {
        "kind": "installation_maintenance",
        "number": number,
        "valid_from": "2026-01-01",
        "valid_until": "2029-12-31",
    }


def test_revoking_a_licence_records_the_date_and_starts_a_three_year_ban(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    url = f"/api/v1/organisations/{world.maintainer_a.id}/licences"
    granted = client.post(url, json=licence_body(), headers=bureau)
    assert granted.status_code == 201
    revoked = client.post(
        f"/api/v1/licences/{granted.json()['id']}/revoke",
        json={"on": "2025-03-10", "reason": "伪造维保记录"},
        headers=bureau,
    )
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["revoked_on"] == "2025-03-10"
    assert revoked.json()["revoked_at"] is not None
    before = factories.count(session, Licence)
    refused = client.post(url, json=licence_body("TS3350998-2030"), headers=bureau)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert (error["code"], error["rule"]) == ("LICENCE_BAN", "LICENCE_BAN")
    assert "2028-03-10" in error["message"]
    assert factories.count(session, Licence) == before


def test_the_ban_ends_on_the_third_anniversary(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    factories.licence(
        session,
        world.maintainer_a,
        status="revoked",
        revoked_on=date(2023, 11, 15),
        revoked_at=factories.CREATED,
    )
    url = f"/api/v1/organisations/{world.maintainer_a.id}/licences"
    assert client.post(url, json=licence_body(), headers=bureau).status_code == 201


def test_the_ban_still_holds_the_day_before_the_third_anniversary(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    factories.licence(
        session,
        world.maintainer_a,
        status="revoked",
        revoked_on=date(2023, 11, 16),
        revoked_at=factories.CREATED,
    )
    url = f"/api/v1/organisations/{world.maintainer_a.id}/licences"
    response = client.post(url, json=licence_body(), headers=bureau)
    assert response.json()["error"]["code"] == "LICENCE_BAN"


def test_a_ban_on_one_kind_does_not_block_another_kind(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    factories.licence(
        session,
        world.maintainer_a,
        status="revoked",
        revoked_on=date(2026, 1, 1),
        revoked_at=factories.CREATED,
    )
    url = f"/api/v1/organisations/{world.maintainer_a.id}/licences"
    response = client.post(url, json=licence_body() | {"kind": "manufacture"}, headers=bureau)
    assert response.status_code == 201


def test_suspending_a_licence_then_suspending_again_is_an_invalid_transition(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    granted = client.post(
        f"/api/v1/organisations/{world.maintainer_a.id}/licences",
        json=licence_body(),
        headers=bureau,
    ).json()
    url = f"/api/v1/licences/{granted['id']}/suspend"
    first = client.post(url, json={"reason": "整改"}, headers=bureau)
    assert first.json()["status"] == "suspended"
    second = client.post(url, json={"reason": "整改"}, headers=bureau)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "INVALID_TRANSITION"


def test_duplicate_licence_number_is_refused(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    url = f"/api/v1/organisations/{world.maintainer_a.id}/licences"
    assert client.post(url, json=licence_body(), headers=bureau).status_code == 201
    response = client.post(url, json=licence_body(), headers=bureau)
    assert response.json()["error"]["code"] == "LICENCE_NUMBER_TAKEN"


def test_licence_validity_must_be_ordered(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.post(
        f"/api/v1/organisations/{world.maintainer_a.id}/licences",
        json=licence_body() | {"valid_until": "2025-01-01"},
        headers=bureau,
    )
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "valid_until"
