"""Visit fixtures: a photo store in a temporary folder, a firm's worker, an elevator with
coordinates under its contract, and a helper walking a visit to the point of submitting."""

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from elevator_registry.auth.enums import Role
from elevator_registry.config import get_settings
from elevator_registry.visits import checklist, storage
from tests import factories
from tests.conftest import AuthHeaders
from tests.evidence_factories import CERTIFIED
from tests.visits.photos import jpeg

CHECKPOINTS = ("machine_room", "car_top", "pit", "car")
# 古南街道, 綦江: the elevator's coordinates in these tests.
LIFT_LATITUDE, LIFT_LONGITUDE = Decimal("29.028300"), Decimal("106.651400")


@pytest.fixture(autouse=True)
def photo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test stores its photos in its own folder."""
    folder = tmp_path / "photos"
    monkeypatch.setenv("ELEVATOR_REGISTRY_PHOTO_STORAGE_DIR", str(folder))
    get_settings.cache_clear()
    storage._storages.clear()
    yield folder
    get_settings.cache_clear()
    storage._storages.clear()


@pytest.fixture
def located(world: factories.World) -> factories.World:
    """The world, with lift A at known coordinates."""
    world.lift_a.latitude = LIFT_LATITUDE
    world.lift_a.longitude = LIFT_LONGITUDE
    return world


@pytest.fixture
def firm_a(auth: AuthHeaders, located: factories.World) -> dict[str, str]:
    return auth(Role.MAINTENANCE_UNIT, organisation=located.maintainer_a)


@pytest.fixture
def firm_b(auth: AuthHeaders, located: factories.World) -> dict[str, str]:
    return auth(Role.MAINTENANCE_UNIT, organisation=located.maintainer_b)


def start(
    client: TestClient,
    headers: dict[str, str],
    rescue_code: str,
    *,
    visit_id: str | None = None,
    record_class: str = "half_month",
    **position: Any,
) -> Any:
    """POSTs a check-in; returns the response."""
    body = {
        "visit_id": visit_id or str(uuid.uuid4()),
        "rescue_code": rescue_code,
        "record_class": record_class,
        "device_at": "2026-11-15T09:58:00+08:00",
        "latitude": str(LIFT_LATITUDE + Decimal("0.000500")),
        "longitude": str(LIFT_LONGITUDE),
        "accuracy_m": 12.5,
    } | position
    return client.post("/api/v1/visits", json=body, headers=headers)


def put_photo(
    client: TestClient,
    headers: dict[str, str],
    visit_id: str,
    checkpoint: str,
    phase: str,
    data: bytes,
) -> Any:
    return client.put(
        f"/api/v1/visit-photos/{visit_id}/{checkpoint}/{phase}",
        content=data,
        headers=headers | {"Content-Type": "image/jpeg"},
    )


def all_photos(client: TestClient, headers: dict[str, str], visit_id: str) -> list[str]:
    """Attaches the 8 photos; returns their hashes."""
    hashes = []
    for checkpoint in CHECKPOINTS:
        for phase in ("before", "after"):
            response = put_photo(client, headers, visit_id, checkpoint, phase, jpeg())
            assert response.status_code == 200, response.json()
            hashes.append(response.json()["sha256"])
    return hashes


def submit_body(record_class: str = "half_month") -> dict[str, Any]:
    """A complete submission: every item normal, the second worker entered by the first."""
    return {
        "first_worker": {"name": "张伟", "certificate_number": CERTIFIED},
        "second_worker": {"name": "李强"},
        "checklist": [
            {"code": item.code, "result": "normal"} for item in checklist.checklist_of(record_class)
        ],
        "findings": "运行正常",
    }


def ready_visit(client: TestClient, headers: dict[str, str], rescue_code: str) -> str:
    """A checked-in visit with its photos, checked out: ready to submit."""
    response = start(client, headers, rescue_code)
    assert response.status_code == 201, response.json()
    visit_id = response.json()["visit_id"]
    all_photos(client, headers, visit_id)
    out = client.post(
        f"/api/v1/visits/{visit_id}/check-out",
        json={"device_at": "2026-11-15T09:59:00+08:00"},
        headers=headers,
    )
    assert out.status_code == 200, out.json()
    return visit_id
