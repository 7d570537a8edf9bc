"""Public reads (tracking, elevator card) and the protection of public routes (429, 413)."""

from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.incidents.models import Incident
from elevator_registry.incidents.protection import RateLimiter
from elevator_registry.maintenance.models import MaintenanceRecord
from elevator_registry.registry.models import MaintenanceContract
from tests import factories
from tests.conftest import NOW
from tests.evidence_factories import inspection
from tests.incidents.conftest import Report


def maintenance(
    session: Session, lift: object, performed_at: datetime, supersedes: int | None = None
) -> MaintenanceRecord:
    contract = session.query(MaintenanceContract).filter_by(elevator_id=lift.id).one()  # type: ignore[attr-defined]
    row = MaintenanceRecord(
        elevator_id=lift.id,  # type: ignore[attr-defined]
        contract_id=contract.id,
        maintenance_unit_id=contract.maintenance_unit_id,
        record_class="half_month",
        performed_at=performed_at,
        workers=[],
        items_done=[],
        parts_replaced=[],
        revision=2 if supersedes else 1,
        supersedes_id=supersedes,
        filed_by="test",
        created_at=performed_at,
    )
    session.add(row)
    session.flush()
    return row


def test_tracking_shows_status_deadline_and_timeline_but_no_people(
    report: Report, world: factories.World, unlimited: TestClient, operator: dict[str, str]
) -> None:
    receipt = report(world.lift_a, caller_phone="13812345678", description="三楼困人").json()
    incident_id = int(receipt["number"].split("-")[1])
    unlimited.post(
        f"/api/v1/incidents/{incident_id}/accept", headers=operator, json={"reason": "王师傅"}
    )
    response = unlimited.get(f"/api/v1/incidents/track/{receipt['tracking_token']}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == receipt["number"]
    assert body["status"] == "accepted"
    assert body["arrival_deadline_at"] == "2026-11-15T02:30:00Z"
    assert [step["kind"] for step in body["timeline"]] == ["reported", "dispatched", "accepted"]
    text = response.text
    for private in ("13812345678", "王师傅", "operator", "三楼困人"):
        assert private not in text


def test_a_duplicate_reporter_tracks_the_same_incident(
    report: Report, world: factories.World, unlimited: TestClient
) -> None:
    first = report(world.lift_a).json()
    second = report(world.lift_a).json()
    tracked = unlimited.get(f"/api/v1/incidents/track/{second['tracking_token']}").json()
    assert tracked["number"] == first["number"]
    assert [step["kind"] for step in tracked["timeline"]][-1] == "duplicate_report"


def test_unknown_tracking_token(unlimited: TestClient) -> None:
    response = unlimited.get("/api/v1/incidents/track/trk_not-a-real-token")
    assert (response.status_code, response.json()["error"]["code"]) == (
        404,
        "TRACKING_TOKEN_UNKNOWN",
    )


def test_public_card(unlimited: TestClient, world: factories.World, session: Session) -> None:
    maintenance(session, world.lift_a, NOW - timedelta(days=20))
    latest = maintenance(session, world.lift_a, NOW - timedelta(days=3, hours=20))
    # A correction moves the latest visit; the card follows the latest revision.
    maintenance(session, world.lift_a, NOW - timedelta(days=4, hours=20), supersedes=latest.id)
    inspection(session, world.lift_a, world.agency, performed_on=date(2025, 5, 20))
    response = unlimited.get(f"/api/v1/public/elevators/{world.lift_a.rescue_code}")
    assert response.status_code == 200, response.json()
    card = response.json()
    assert card["address"] == world.lift_a.address
    assert card["status"] == "in_use"
    assert card["maintenance_unit"] == {
        "name": "重庆安达电梯工程有限公司",
        "duty_phone": "023-48661234",
    }
    assert card["last_maintenance_on"] == "2026-11-10"
    # Base 2015-06 (commissioning): the 2025-05 inspection met year 10; year 11 (a periodic
    # inspection) was due by 2026-06-30, so the card shows an expired validity.
    assert card["inspection_valid_until"] == "2026-06-30"
    assert card["hotline"] == "96333"


def test_public_card_without_any_inspection_or_maintenance(
    unlimited: TestClient, world: factories.World, session: Session
) -> None:
    lift = factories.elevator(
        session,
        street_name="古南街道",
        commissioned_on=date(2026, 3, 1),
        status_changed_on=date(2026, 3, 1),
    )
    card = unlimited.get(f"/api/v1/public/elevators/{lift.rescue_code}").json()
    assert card["maintenance_unit"] is None
    assert card["last_maintenance_on"] is None
    assert card["inspection_valid_until"] == "2027-03-31"


def test_public_card_after_a_failed_inspection_has_no_validity(
    unlimited: TestClient, world: factories.World, session: Session
) -> None:
    inspection(session, world.lift_a, world.agency, performed_on=date(2026, 6, 1), result="fail")
    card = unlimited.get(f"/api/v1/public/elevators/{world.lift_a.rescue_code}").json()
    assert card["inspection_valid_until"] is None


def test_public_card_unknown_code(unlimited: TestClient) -> None:
    response = unlimited.get("/api/v1/public/elevators/000000")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "RESCUE_CODE_UNKNOWN")


def test_public_intake_is_rate_limited_per_client_with_retry_after(
    client: TestClient, world: factories.World, operator: dict[str, str]
) -> None:
    client.app.state.rate_limiter = RateLimiter({"intake": "3/minute", "public_read": "2/minute"})  # type: ignore[attr-defined]
    body = {"rescue_code": world.lift_a.rescue_code, "kind": "consultation"}
    statuses = [client.post("/api/v1/incidents", json=body).status_code for _ in range(4)]
    assert statuses == [201, 200, 200, 429]
    refused = client.post("/api/v1/incidents", json=body)
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Authenticated callers (the 96333 call centre) are never throttled.
    assert client.post("/api/v1/incidents", json=body, headers=operator).status_code == 200
    reads = [client.get("/api/v1/public/elevators/000000").status_code for _ in range(3)]
    assert reads == [404, 404, 429]


def test_rate_limit_is_per_client() -> None:
    limiter = RateLimiter({"intake": "1/minute"})
    limiter.check("intake", "10.0.0.1")
    limiter.check("intake", "10.0.0.2")  # another resident is not affected
    try:
        limiter.check("intake", "10.0.0.1")
    except Exception as error:
        assert getattr(error, "code", None) == "RATE_LIMITED"
    else:
        raise AssertionError("the second request of one client in a minute passed")


def test_oversized_bodies_get_413_and_write_nothing(
    unlimited: TestClient, world: factories.World, session: Session
) -> None:
    body = {"rescue_code": world.lift_a.rescue_code, "kind": "trapped", "description": "x" * 70_000}
    response = unlimited.post("/api/v1/incidents", json=body)
    assert (response.status_code, response.json()["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    chunked = unlimited.post(
        "/api/v1/incidents",
        content=iter([b'{"rescue_code": "', b"1" * 70_000, b'"}']),
        headers={"content-type": "application/json"},
    )
    assert chunked.status_code == 413
    assert factories.count(session, Incident) == 0


def test_bodies_under_the_cap_pass_intact(unlimited: TestClient, world: factories.World) -> None:
    body = {"rescue_code": world.lift_a.rescue_code, "kind": "trapped", "description": "困" * 900}
    assert unlimited.post("/api/v1/incidents", json=body).status_code == 201


def test_the_import_prefix_is_exempt_from_the_json_cap(
    unlimited: TestClient, bureau: dict[str, str]
) -> None:
    response = unlimited.post("/api/v1/imports/unknown-kind", content=b"x" * 70_000, headers=bureau)
    assert response.json()["error"]["code"] != "PAYLOAD_TOO_LARGE"
