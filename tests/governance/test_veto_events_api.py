"""Veto events: the bureau records accidents and penalties that sink a year's rating."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.governance.models import VetoEvent
from tests import factories
from tests.conftest import AuthHeaders


def test_the_bureau_records_and_lists_veto_events(
    client: TestClient,
    bureau: dict[str, str],
    auth: AuthHeaders,
    world: factories.World,
    session: Session,
) -> None:
    body = {
        "organisation_id": world.maintainer_a.id,
        "kind": "safety_circuit_shorted",
        "occurred_on": "2025-04-02",
        "description": "维保人员短接门锁回路运行电梯",
        "reference": "綦市监罚〔2025〕31号",
    }
    created = client.post("/api/v1/veto-events", json=body, headers=bureau)
    assert created.status_code == 201
    assert created.json()["kind"] == "safety_circuit_shorted"
    refused = [
        client.post("/api/v1/veto-events", json=body | {"kind": "late_report"}, headers=bureau),
        client.post(
            "/api/v1/veto-events", json=body | {"occurred_on": "2026-11-16"}, headers=bureau
        ),
        client.post(
            "/api/v1/veto-events",
            json=body,
            headers=auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a),
        ),
    ]
    assert [(r.status_code, r.json()["error"]["code"]) for r in refused] == [
        (422, "VALIDATION_ERROR"),
        (422, "DATE_IN_FUTURE"),
        (403, "FORBIDDEN_ROLE"),
    ]
    assert factories.count(session, VetoEvent) == 1
    listed = client.get("/api/v1/veto-events?year=2025", headers=bureau).json()["items"]
    assert [item["id"] for item in listed] == [created.json()["id"]]
    assert client.get("/api/v1/veto-events?year=2024", headers=bureau).json()["items"] == []
