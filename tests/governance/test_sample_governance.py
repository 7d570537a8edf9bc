"""The sample's governance layer: ratings for last year, a realistic insured share, disclosures."""

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry.governance import ratings
from elevator_registry.governance.models import (
    CostDisclosure,
    InsurancePolicy,
    StarRating,
    VetoEvent,
)
from elevator_registry.registry.models import Elevator, MaintenanceContract
from elevator_registry.registry.scoping import contract_current_on
from elevator_registry.sample.generator import SAMPLE_REFERENCE_DATE
from elevator_registry.sample.loader import load_sample
from tests.conftest import NOW


def test_the_sample_carries_ratings_policies_and_disclosures(session: Session) -> None:
    report = load_sample(session, now=NOW, elevators=300)
    year = SAMPLE_REFERENCE_DATE.year - 1
    stored = list(session.scalars(select(StarRating)))
    assert report.star_ratings == len(stored) > 5
    assert {rating.year for rating in stored} == {year}
    for rating in stored:
        assert ratings.verdict(rating.indicators) == (rating.score, rating.stars, rating.grade)
    penalised = session.scalars(select(VetoEvent.organisation_id)).one()
    assert next(r for r in stored if r.maintenance_unit_id == penalised).grade == "D"
    assert {rating.grade for rating in stored} >= {"A", "D"}

    in_use = session.scalar(select(func.count()).where(Elevator.status == "in_use"))
    in_force = session.scalar(
        select(func.count(func.distinct(InsurancePolicy.elevator_id))).where(
            InsurancePolicy.start_date <= SAMPLE_REFERENCE_DATE,
            InsurancePolicy.end_date >= SAMPLE_REFERENCE_DATE,
        )
    )
    assert 0.55 <= in_force / in_use <= 0.8
    on_demand = set(
        session.scalars(
            select(MaintenanceContract.elevator_id).where(
                MaintenanceContract.mode == "on_demand",
                contract_current_on(SAMPLE_REFERENCE_DATE),
            )
        )
    )
    insured = set(session.scalars(select(InsurancePolicy.elevator_id)))
    assert on_demand and on_demand <= insured
    for policy in session.scalars(select(InsurancePolicy)):
        product = Decimal(1)
        for item in policy.factors.values():
            product *= Decimal(str(item["multiplier"]))
        assert policy.risk_factor == product.quantize(Decimal("0.001"))

    disclosures = list(session.scalars(select(CostDisclosure)))
    assert report.cost_disclosures == len(disclosures) > 0
    assert {row.year for row in disclosures} == {year}
    assert all(row.disclosed_on >= date(year + 1, 1, 15) for row in disclosures)
