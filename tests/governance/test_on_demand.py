"""On-demand maintenance (按需维保): refused unless all four conditions hold, each named."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.config import Settings
from elevator_registry.governance.models import InsurancePolicy, StarRating
from elevator_registry.registry.models import MaintenanceContract
from elevator_registry.rules import service as rules_service
from tests import factories
from tests.conftest import NOW
from tests.governance import builders
from tests.rules import builders as evidence


def on_demand_body(world: factories.World) -> dict[str, Any]:
    return {
        "elevator_id": world.lift_a.id,
        "maintenance_unit_id": world.maintainer_b.id,
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "mode": "on_demand",
        "maintenance_interval_days": 30,
    }


def _downgrade(session: Session, world: factories.World) -> None:
    builders.rating(session, world.maintainer_b, year=2026, grade="C")


def _unrated(session: Session, world: factories.World) -> None:
    for rating in session.scalars(select(StarRating)):
        session.delete(rating)
    session.flush()


def _no_iot(session: Session, world: factories.World) -> None:
    world.lift_a.iot_terminal_fitted = False
    session.flush()


def _failed_inspection(session: Session, world: factories.World) -> None:
    evidence.inspection(session, world.lift_a, world.agency, date(2026, 9, 1), "fail")


def _insurance_ends_first(session: Session, world: factories.World) -> None:
    policy = session.scalars(select(InsurancePolicy)).one()
    policy.end_date = date(2026, 12, 31)  # the contract starts on 1 January 2027
    session.flush()


def _only_comprehensive(session: Session, world: factories.World) -> None:
    policy = session.scalars(select(InsurancePolicy)).one()
    policy.kind = "comprehensive"
    session.flush()


UNMET: dict[str, tuple[Callable[[Session, factories.World], None], str]] = {
    "grade C": (_downgrade, "latest grade (2026) is C, on-demand needs A or B"),
    "no rating": (_unrated, "has no star rating (needs A or B)"),
    "no IoT terminal": (_no_iot, "has no IoT smart terminal"),
    "failed inspection": (
        _failed_inspection,
        "has no valid inspection on 2027-01-01 (the latest inspection failed)",
    ),
    "insurance lapses": (_insurance_ends_first, "holds no liability insurance on 2027-01-01"),
}


@pytest.mark.parametrize("condition", sorted(UNMET))
def test_each_missing_condition_alone_refuses_the_contract_and_is_named(
    client: TestClient,
    bureau: dict[str, str],
    world: factories.World,
    session: Session,
    condition: str,
) -> None:
    builders.on_demand_ready(session, world)
    breaks, named = UNMET[condition]
    breaks(session, world)
    before = factories.count(session, MaintenanceContract)
    response = client.post("/api/v1/contracts", json=on_demand_body(world), headers=bureau)
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["rule"], error["field"]) == (
        "ON_DEMAND_NOT_ELIGIBLE",
        "ON_DEMAND_NOT_ELIGIBLE",
        "mode",
    )
    assert named in error["message"]
    assert error["message"].count(";") == 0  # exactly one unmet condition listed
    assert factories.count(session, MaintenanceContract) == before


def test_every_unmet_condition_is_listed_at_once(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.post("/api/v1/contracts", json=on_demand_body(world), headers=bureau)
    message = response.json()["error"]["message"]
    for _, named in (UNMET["no rating"], UNMET["no IoT terminal"]):
        assert named in message
    assert "has no valid inspection" in message
    assert "holds no liability insurance" in message


def test_all_four_conditions_met_allows_the_contract(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    builders.on_demand_ready(session, world)
    response = client.post("/api/v1/contracts", json=on_demand_body(world), headers=bureau)
    assert response.status_code == 201
    assert (response.json()["mode"], response.json()["maintenance_interval_days"]) == (
        "on_demand",
        30,
    )


def test_grade_b_and_comprehensive_insurance_suffice(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    builders.on_demand_ready(session, world)
    builders.rating(session, world.maintainer_b, year=2026, grade="B")
    _only_comprehensive(session, world)
    response = client.post("/api/v1/contracts", json=on_demand_body(world), headers=bureau)
    assert response.status_code == 201


def test_regular_contracts_need_none_of_the_conditions(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    body = on_demand_body(world) | {"mode": "regular", "maintenance_interval_days": None}
    assert client.post("/api/v1/contracts", json=body, headers=bureau).status_code == 201


@pytest.mark.parametrize(("days_since", "overdue"), [(30, False), (31, True)])
def test_maintenance_overdue_counts_the_on_demand_contracts_own_interval(
    session: Session, world: factories.World, days_since: int, overdue: bool
) -> None:
    contract = session.scalars(
        select(MaintenanceContract).where(MaintenanceContract.elevator_id == world.lift_b.id)
    ).one()
    contract.mode, contract.maintenance_interval_days = "on_demand", 30
    session.flush()
    day = date(2026, 11, 15)
    evidence.record(
        session, world.lift_b, contract, evidence.local(day - timedelta(days=days_since))
    )
    findings = rules_service.elevator_findings(
        session, elevator_id=world.lift_b.id, as_of=day, now=NOW, settings=Settings()
    )
    assert ("MAINTENANCE_OVERDUE" in {finding.rule for finding in findings}) is overdue
