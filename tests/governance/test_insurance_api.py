"""Insurance policies, the premium factor they store, and the coverage KPI."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.config import Settings
from elevator_registry.governance import insurance
from elevator_registry.governance.models import InsurancePolicy
from tests import factories
from tests.conftest import AuthHeaders
from tests.governance import builders
from tests.rules import builders as evidence


def policy_body(world: factories.World, insurer_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "elevator_id": world.lift_a.id,
        "insurer_id": insurer_id,
        "kind": "liability",
        "policy_number": "PDEL2026500222000123",
        "start_date": "2026-11-01",
        "end_date": "2027-10-31",
        "premium_yuan": "860.00",
    }
    return body | overrides


def test_a_policy_stores_its_premium_factor_and_every_input(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    company = builders.insurer(session)
    response = client.post(
        "/api/v1/insurance-policies", json=policy_body(world, company.id), headers=bureau
    )
    assert response.status_code == 201
    policy = response.json()
    factors = policy["factors"]
    # Lift A: commissioned 2015-06-01 (11 years: band 10+ 1.1), residential (1.0), no trapped
    # incident (0.95), no inspection on record (1.2), no assessment (1.0), maintainer A unrated
    # (1.15), no IoT terminal (1.0).
    assert factors["age_years"] == {"value": 11, "band_from": 10, "multiplier": 1.1}
    assert factors["latest_inspection"] == {"value": "none", "multiplier": 1.2}
    assert factors["maintainer_stars"]["value"] == "unrated"
    assert Decimal(policy["risk_factor"]) == Decimal("1.442")  # 1.1·0.95·1.2·1.15
    stored = session.get(InsurancePolicy, policy["id"])
    assert stored.factors == factors


def test_the_factor_moves_with_each_risk_input(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    lift = world.lift_b  # school: a public gathering place
    lift.iot_terminal_fitted = True
    builders.rating(session, world.maintainer_b, year=2025, grade="A", stars=5)
    evidence.inspection(session, lift, world.agency, date(2026, 5, 1), "fail")
    evidence.assessment(session, lift, world.agency, date(2026, 2, 1), 4)
    # Three trapped incidents within the last 12 months, one just outside them.
    for day in (date(2025, 11, 15), date(2025, 11, 16), date(2026, 8, 1), date(2026, 11, 1)):
        evidence.incident(session, lift, evidence.local(day), status="closed")
    session.flush()
    response = client.get(f"/api/v1/elevators/{lift.id}/premium-factor", headers=bureau)
    assert response.status_code == 200
    factors = response.json()["factors"]
    assert factors["place_category"]["multiplier"] == 1.2
    assert factors["iot_terminal"]["multiplier"] == 0.9
    assert factors["maintainer_stars"] == {
        "value": "5",
        "maintenance_unit_id": world.maintainer_b.id,
        "rating_year": 2025,
        "multiplier": 0.85,
    }
    assert factors["latest_inspection"] == {"value": "fail", "multiplier": 1.5}
    assert factors["assessment_risk_grade"] == {"value": "4", "multiplier": 1.5}
    assert factors["trapped_12_months"]["value"] == 3
    product = Decimal(1)
    for item in factors.values():
        product *= Decimal(str(item["multiplier"]))
    assert Decimal(response.json()["factor"]) == product.quantize(Decimal("0.001"))


@pytest.mark.parametrize(
    ("commissioned", "band"),
    [(date(2021, 11, 15), 5), (date(2021, 11, 16), 0), (date(2006, 11, 15), 20)],
)
def test_age_bands_turn_on_the_anniversary(
    session: Session, world: factories.World, commissioned: date, band: int
) -> None:
    world.lift_a.commissioned_on = commissioned
    _, factors = insurance.premium_factor(
        session, elevator=world.lift_a, as_of=date(2026, 11, 15), settings=Settings()
    )
    assert factors["age_years"]["band_from"] == band


def test_refusals_change_nothing(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    company = builders.insurer(session)
    builders.policy(session, world.lift_a, company, start=date(2026, 1, 1), end=date(2026, 12, 31))
    before = factories.count(session, InsurancePolicy)
    cases = [
        (policy_body(world, company.id), 409, "POLICY_OVERLAP"),
        (policy_body(world, world.user_a.id), 409, "ORGANISATION_ROLE_MISSING"),
        (
            policy_body(world, company.id, kind="comprehensive", end_date="2026-11-01"),
            422,
            "DATE_RANGE_INVALID",
        ),
        (policy_body(world, company.id, premium_yuan="-1"), 422, "VALIDATION_ERROR"),
        (policy_body(world, company.id, elevator_id=999999), 404, "ELEVATOR_NOT_FOUND"),
    ]
    for body, status, code in cases:
        response = client.post("/api/v1/insurance-policies", json=body, headers=bureau)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), body
    assert factories.count(session, InsurancePolicy) == before


def test_a_user_unit_insures_its_own_elevators_only(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    company = builders.insurer(session)
    headers = auth(Role.USER_UNIT, organisation=world.user_a)
    own = client.post(
        "/api/v1/insurance-policies", json=policy_body(world, company.id), headers=headers
    )
    assert own.status_code == 201
    other = client.post(
        "/api/v1/insurance-policies",
        json=policy_body(world, company.id, elevator_id=world.lift_b.id, policy_number="P2"),
        headers=headers,
    )
    assert other.status_code == 404
    listed = client.get("/api/v1/insurance-policies", headers=headers).json()["items"]
    assert [item["elevator_id"] for item in listed] == [world.lift_a.id]
    maintainer = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    refused = client.post(
        "/api/v1/insurance-policies",
        json=policy_body(world, company.id, policy_number="P3"),
        headers=maintainer,
    )
    assert refused.json()["error"]["code"] == "FORBIDDEN_ROLE"


def test_policies_filter_by_day_in_force(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    company = builders.insurer(session)
    old = builders.policy(
        session, world.lift_a, company, start=date(2024, 1, 1), end=date(2024, 12, 31)
    )
    current = builders.policy(session, world.lift_b, company)
    page = client.get("/api/v1/insurance-policies?in_force_on=2026-11-15", headers=bureau).json()
    assert [item["id"] for item in page["items"]] == [current.id]
    page = client.get("/api/v1/insurance-policies?in_force_on=2024-12-31", headers=bureau).json()
    assert [item["id"] for item in page["items"]] == [old.id]


def test_coverage_kpi_counts_elevators_in_use_insured_on_the_last_day(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    company = builders.insurer(session)
    builders.policy(session, world.lift_a, company, start=date(2026, 1, 1), end=date(2026, 10, 31))
    builders.policy(session, world.lift_b, company, kind="comprehensive")
    report = client.get("/api/v1/kpi?from=2026-10-01&to=2026-10-31", headers=bureau).json()
    coverage = next(k for k in report["groups"][0]["kpis"] if k["code"] == "insurance_coverage")
    assert (coverage["numerator"], coverage["denominator"], coverage["met"]) == (2, 2, True)
    report = client.get("/api/v1/kpi?from=2026-11-01&to=2026-11-15", headers=bureau).json()
    coverage = next(k for k in report["groups"][0]["kpis"] if k["code"] == "insurance_coverage")
    # Lift A's policy ended on 31 October: 1 of 2 is 50%, below the 60% target.
    assert (coverage["value"], coverage["met"], coverage["target"]) == (0.5, False, 0.6)
