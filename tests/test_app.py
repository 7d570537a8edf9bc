"""The error envelope, health checks and the OpenAPI document."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elevator_registry.app import create_app
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.models import Elevator
from tests import factories


def test_unknown_route_and_method_use_the_envelope(
    client: TestClient, bureau: dict[str, str]
) -> None:
    missing = client.get("/api/v1/nowhere", headers=bureau)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "ROUTE_NOT_FOUND"
    wrong_method = client.delete("/api/v1/elevators", headers=bureau)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_malformed_json_is_a_validation_error(client: TestClient, bureau: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/organisations",
        content=b"{not json",
        headers=bureau | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_nul_characters_are_refused_before_reaching_the_database(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.patch(
        f"/api/v1/elevators/{world.lift_a.id}", json={"address": "a\x00b"}, headers=bureau
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "address"


def test_query_parameters_are_validated_into_the_envelope(
    client: TestClient, bureau: dict[str, str]
) -> None:
    response = client.get("/api/v1/elevators?limit=0", headers=bureau)
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": response.json()["error"]["message"],
        "message_zh": "每页条数须不小于 1",
        "field": "limit",
    }


def test_a_constraint_hit_by_a_racing_write_is_a_409_and_rolls_back(
    client: TestClient,
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def racing_update(*_args: object, **_kwargs: object) -> None:
        raise IntegrityError("UPDATE organisation", {}, Exception("duplicate key"))

    monkeypatch.setattr(organisation_service, "update_organisation", racing_update)
    response = client.patch(
        f"/api/v1/organisations/{world.user_a.id}", json={"name": "x"}, headers=bureau
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CONSTRAINT_VIOLATION"


def test_the_database_enforces_its_check_constraints(
    session: Session, world: factories.World
) -> None:
    world.lift_a.status = "in_service"
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_the_database_enforces_unique_rescue_codes(
    session: Session, world: factories.World
) -> None:
    with pytest.raises(IntegrityError), session.begin_nested():
        factories.elevator(session, street_name="古南街道", rescue_code=world.lift_a.rescue_code)
    assert factories.count(session, Elevator) == 3


def test_live_answers_without_a_database(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}


def test_ready_reports_the_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("elevator_registry.app.get_engine", lambda: engine)
    with TestClient(create_app()) as client:
        response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": engine.dialect.name}


def test_ready_is_503_when_the_database_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    nowhere = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    monkeypatch.setattr("elevator_registry.app.get_engine", lambda: nowhere)
    with TestClient(create_app()) as client:
        response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "DATABASE_UNAVAILABLE"


def test_openapi_documents_the_error_envelope_and_examples(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    create = document["paths"]["/api/v1/elevators"]["post"]
    assert create["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }
    assert create["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"
    }
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["schemas"]["ElevatorCreate"]["properties"]["equipment_code"][
        "examples"
    ]
