"""A past risk list is the list as it was: each row shows that day's status, street, user unit
and maintenance unit, whatever changed since, live and from the snapshot, in JSON, CSV and XLSX.
"""

import io
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.config import get_settings
from elevator_registry.registry.models import ElevatorAssignmentChange, MaintenanceContract
from elevator_registry.rules import snapshot
from tests import factories
from tests.conftest import NOW, TODAY
from tests.rules import builders

PAST = date(2026, 11, 1)
RISK = "/api/v1/risk-list"


def json_rows(client: TestClient, headers: dict[str, str], **params: str) -> list[Any]:
    """Every row of the list, page by page (small pages, so paging is exercised too)."""
    rows: list[Any] = []
    cursor = None
    while True:
        query = {"limit": "1", **params} | ({"cursor": cursor} if cursor else {})
        page = client.get(RISK, params=query, headers=headers)
        assert page.status_code == 200, page.json()
        rows += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return rows


def downloads(client: TestClient, headers: dict[str, str], **params: str) -> tuple[bytes, list]:
    csv = client.get(RISK, params={"format": "csv", **params}, headers=headers)
    xlsx = client.get(RISK, params={"format": "xlsx", **params}, headers=headers)
    assert csv.status_code == xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    return csv.content, list(sheet.iter_rows(values_only=True))


def change_everything_today(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    """Today: lift A is suspended, changes maintainer and gets a record; lift B moves to another
    street and another user unit."""
    suspended = client.post(
        f"/api/v1/elevators/{world.lift_a.id}/suspend", json={"reason": "改造"}, headers=bureau
    )
    assert suspended.status_code == 200, suspended.json()
    contract_a = session.scalar(
        select(MaintenanceContract).where(MaintenanceContract.elevator_id == world.lift_a.id)
    )
    assert contract_a is not None
    builders.record(session, world.lift_a, contract_a, NOW - timedelta(hours=1))
    ended = client.post(
        f"/api/v1/contracts/{contract_a.id}/end",
        json={"terminated_on": TODAY.isoformat(), "reason": "更换维保单位"},
        headers=bureau,
    )
    assert ended.status_code == 200, ended.json()
    factories.contract(session, world.lift_a, world.maintainer_b, start=TODAY + timedelta(days=1))
    moved = client.patch(
        f"/api/v1/elevators/{world.lift_b.id}",
        json={"street": "古南街道", "user_unit_id": world.user_a.id},
        headers=bureau,
    )
    assert moved.status_code == 200, moved.json()


@pytest.mark.parametrize("from_snapshot", [False, True], ids=["live", "snapshot"])
def test_a_past_list_is_the_same_after_todays_changes(
    from_snapshot: bool,
    client: TestClient,
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
) -> None:
    if from_snapshot:
        snapshot.refresh_all(session, as_of=PAST, now=NOW, settings=get_settings())
    past = {"as_of": PAST.isoformat()}
    rows_before = json_rows(client, bureau, **past)
    street_before = json_rows(client, bureau, **past, street="永新镇")
    csv_before, xlsx_before = downloads(client, bureau, **past)
    by_id = {row["elevator"]["id"]: row["elevator"] for row in rows_before}
    assert {world.lift_a.id, world.lift_b.id} <= set(by_id)
    assert by_id[world.lift_b.id]["street"] == "永新镇"
    assert by_id[world.lift_b.id]["user_unit_name"] == world.user_b.name
    assert by_id[world.lift_a.id]["maintenance_unit_id"] == world.maintainer_a.id

    change_everything_today(client, bureau, world, session)

    assert json_rows(client, bureau, **past) == rows_before
    assert json_rows(client, bureau, **past, street="永新镇") == street_before
    csv_after, xlsx_after = downloads(client, bureau, **past)
    assert csv_after == csv_before
    assert xlsx_after == xlsx_before
    # The changes did happen: tomorrow's list shows them.
    tomorrow = {
        row["elevator"]["id"]: row["elevator"]
        for row in json_rows(client, bureau, as_of=(TODAY + timedelta(days=1)).isoformat())
    }
    assert tomorrow[world.lift_b.id]["street"] == "古南街道"
    assert tomorrow[world.lift_b.id]["user_unit_id"] == world.user_a.id
    if world.lift_a.id in tomorrow:
        assert tomorrow[world.lift_a.id]["status"] == "suspended"
        assert tomorrow[world.lift_a.id]["maintenance_unit_id"] == world.maintainer_b.id


def test_the_csv_shows_the_day_s_status_and_units(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    change_everything_today(client, bureau, world, session)
    csv, _ = downloads(client, bureau, as_of=PAST.isoformat())
    text = csv.decode("utf-8-sig")
    line_b = next(line for line in text.splitlines() if line.startswith(f'"{world.lift_b.id}"'))
    assert '"永新镇"' in line_b and f'"{world.user_b.name}"' in line_b
    assert f'"{world.maintainer_b.name}"' in line_b
    line_a = next(line for line in text.splitlines() if line.startswith(f'"{world.lift_a.id}"'))
    assert (
        '"在用"' in line_a and '"停用"' not in line_a and f'"{world.maintainer_a.name}"' in line_a
    )


def test_a_street_or_user_unit_change_is_recorded_with_its_day(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    moved = client.patch(
        f"/api/v1/elevators/{world.lift_b.id}", json={"street": "古南街道"}, headers=bureau
    )
    assert moved.status_code == 200, moved.json()
    unchanged = client.patch(
        f"/api/v1/elevators/{world.lift_b.id}", json={"has_repair_fund": True}, headers=bureau
    )
    assert unchanged.status_code == 200
    changes = session.scalars(
        select(ElevatorAssignmentChange).where(
            ElevatorAssignmentChange.elevator_id == world.lift_b.id
        )
    ).all()
    assert [
        (c.changed_on, c.from_street, c.to_street, c.from_user_unit_id, c.to_user_unit_id)
        for c in changes
    ] == [(TODAY, "永新镇", "古南街道", world.user_b.id, world.user_b.id)]
