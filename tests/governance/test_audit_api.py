"""Audit browsing for the bureau: by entity, record, actor, role and local date."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from tests.conftest import AuthHeaders


def event(session: Session, at: datetime, *, actor: str, entity: str, entity_id: int = 1) -> int:
    row = AuditEvent(
        at=at,
        actor=actor,
        actor_role="bureau" if actor.startswith("bureau") else "user_unit",
        action="create",
        entity=entity,
        entity_id=entity_id,
        changes={},
    )
    session.add(row)
    session.flush()
    return row.id


def test_events_filter_by_entity_actor_role_and_local_dates(
    client: TestClient, bureau: dict[str, str], session: Session
) -> None:
    # 15:59 UTC on 31 Oct is 23:59 on 31 Oct in 綦江; 16:00 UTC is already 1 November.
    october = event(
        session,
        datetime(2026, 10, 31, 15, 59, tzinfo=UTC),
        actor="bureau 张",
        entity="blacklist_entry",
    )
    november = event(
        session,
        datetime(2026, 10, 31, 16, 0, tzinfo=UTC),
        actor="bureau 李",
        entity="star_rating",
        entity_id=7,
    )
    user = event(
        session,
        datetime(2026, 11, 10, 2, 0, tzinfo=UTC),
        actor="user 物业",
        entity="cost_disclosure",
    )

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/audit-events?{query}", headers=bureau)
        assert response.status_code == 200, response.text
        return [
            item["id"]
            for item in response.json()["items"]
            if item["id"] in (october, november, user)
        ]

    assert ids("from=2026-11-01") == [november, user]
    assert ids("to=2026-10-31") == [october]
    assert ids("from=2026-11-01&to=2026-11-01") == [november]
    assert ids("by=bureau 张") == [october]
    assert ids("actor_role=user_unit") == [user]
    assert ids("entity=star_rating&entity_id=7") == [november]
    bad = client.get("/api/v1/audit-events?from=2026-11-02&to=2026-11-01", headers=bureau)
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "DATE_RANGE_INVALID")


def test_only_the_bureau_browses_the_audit_trail(client: TestClient, auth: AuthHeaders) -> None:
    response = client.get("/api/v1/audit-events", headers=auth(Role.OPERATOR))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "FORBIDDEN_ROLE")
