"""The sample's governance layer: a penalty, last year's star ratings, insurance, disclosures.

Runs after the evidence and incidents, because ratings and premium factors are computed from
them by the same code the API uses (`governance.ratings.compute`,
`governance.insurance.premium_factor`). Deterministic for a seed; never commits.

- one ordinary maintenance unit is penalised for short-circuiting a safety circuit in the
  rated year (so the sample shows a veto beside the blacklisting and licence stories);
- every unit that maintained in the last full year is rated;
- about 65% of the elevators in use hold a one-year policy in force on the reference day
  (public gathering places more often, as the plan's pilots insured them first), 80% liability,
  20% comprehensive; on-demand elevators always hold one (it is a condition of that mode);
- about half the elevators of user units with property management disclose last year's costs.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.auth.principal import CLI
from elevator_registry.config import Settings
from elevator_registry.dates import last_day_of_years
from elevator_registry.governance import insurance, ratings
from elevator_registry.governance.enums import InsuranceKind, VetoKind
from elevator_registry.governance.models import CostDisclosure, InsurancePolicy, VetoEvent
from elevator_registry.registry.enums import (
    ContractMode,
    ElevatorStatus,
    OrganisationRole,
    PlaceCategory,
)
from elevator_registry.registry.models import (
    Elevator,
    MaintenanceContract,
    Organisation,
    OrganisationRoleRow,
)
from elevator_registry.registry.scoping import contract_current_on

BASE_PREMIUM_YUAN = Decimal("600")
INSURED_SHARE = {"public_gathering": 0.85, "other": 0.6}
COMPREHENSIVE_SHARE = 0.2
DISCLOSING_SHARE = 0.5


@dataclass
class GovernanceReport:
    """Rows the governance pass inserted."""

    veto_events: int = 0
    star_ratings: int = 0
    insurance_policies: int = 0
    cost_disclosures: int = 0


def load_governance(
    session: Session, *, reference_date: date, seed: int, now: datetime, settings: Settings
) -> GovernanceReport:
    """Inserts the governance rows for the sample loaded up to `reference_date`."""
    report = GovernanceReport()
    rated_year = reference_date.year - 1
    rng = random.Random(f"{seed}-governance")
    report.veto_events = _penalty(session, rng, rated_year, now)
    report.star_ratings = ratings.compute(
        session, year=rated_year, actor=CLI, settings=settings, today=reference_date, now=now
    )["created"]
    report.insurance_policies = _policies(session, rng, reference_date, now, settings)
    report.cost_disclosures = _disclosures(session, rng, reference_date, now)
    return report


def _penalty(session: Session, rng: random.Random, year: int, now: datetime) -> int:
    """A 短接安全回路 penalty for one unit that maintained in `year` and has no other story."""
    maintained = set(
        session.scalars(
            select(MaintenanceContract.maintenance_unit_id).where(
                MaintenanceContract.start_date <= date(year, 12, 31),
                MaintenanceContract.effective_end >= date(year, 1, 1),
            )
        )
    )
    candidates = sorted(
        session.scalars(
            select(Organisation.id)
            .join(OrganisationRoleRow, OrganisationRoleRow.organisation_id == Organisation.id)
            .where(OrganisationRoleRow.role == OrganisationRole.MAINTAINER)
            .where(Organisation.id.in_(maintained))
        )
    )
    if not candidates:
        return 0
    session.add(
        VetoEvent(
            organisation_id=rng.choice(candidates),
            kind=VetoKind.SAFETY_CIRCUIT_SHORTED,
            occurred_on=date(year, rng.randint(2, 10), rng.randint(1, 28)),
            description="维保人员短接层门门锁回路运行电梯, 经查属实",
            reference=f"渝綦市监罚〔{year}〕{rng.randint(10, 99)}号",
            created_at=now,
        )
    )
    session.flush()
    return 1


def _policies(
    session: Session, rng: random.Random, today: date, now: datetime, settings: Settings
) -> int:
    insurers = sorted(
        session.scalars(
            select(OrganisationRoleRow.organisation_id).where(
                OrganisationRoleRow.role == OrganisationRole.INSURER
            )
        )
    )
    if not insurers:
        return 0
    on_demand = set(
        session.scalars(
            select(MaintenanceContract.elevator_id).where(
                MaintenanceContract.mode == ContractMode.ON_DEMAND, contract_current_on(today)
            )
        )
    )
    public = PlaceCategory.public_gathering()
    inserted = 0
    for elevator in session.scalars(
        select(Elevator).where(Elevator.status == ElevatorStatus.IN_USE).order_by(Elevator.id)
    ).all():
        share = INSURED_SHARE["public_gathering" if elevator.place_category in public else "other"]
        if elevator.id not in on_demand and rng.random() >= share:
            continue
        start = today - timedelta(days=rng.randint(0, 364))
        factor, factors = insurance.premium_factor(
            session, elevator=elevator, as_of=start, settings=settings
        )
        kind = (
            InsuranceKind.COMPREHENSIVE
            if elevator.id not in on_demand and rng.random() < COMPREHENSIVE_SHARE
            else InsuranceKind.LIABILITY
        )
        base = BASE_PREMIUM_YUAN * (3 if kind == InsuranceKind.COMPREHENSIVE else 1)
        session.add(
            InsurancePolicy(
                elevator_id=elevator.id,
                insurer_id=rng.choice(insurers),
                kind=kind,
                policy_number=f"P{start:%Y%m%d}{elevator.id:07d}",
                start_date=start,
                end_date=last_day_of_years(start, 1),
                premium_yuan=(base * factor).quantize(Decimal("0.01")),
                risk_factor=factor,
                factors=factors,
                created_at=now,
            )
        )
        inserted += 1
    session.flush()
    return inserted


def _disclosures(session: Session, rng: random.Random, today: date, now: datetime) -> int:
    year = today.year - 1
    rows = session.execute(
        select(Elevator.id, Elevator.user_unit_id, MaintenanceContract.fee_yuan)
        .join(
            MaintenanceContract,
            (MaintenanceContract.elevator_id == Elevator.id)
            & contract_current_on(date(year, 12, 31)),
        )
        .where(
            Elevator.status == ElevatorStatus.IN_USE,
            Elevator.user_unit_id.is_not(None),
            Elevator.has_property_management.is_(True),
        )
        .order_by(Elevator.id)
    ).all()
    inserted = 0
    for elevator_id, user_unit_id, fee in rows:
        if rng.random() >= DISCLOSING_SHARE:
            continue
        maintenance = Decimal(fee or 4800)
        repairs = Decimal(rng.choice((0, 0, 0, 350, 1200, 2600)))
        advertising = Decimal(rng.choice((0, 0, 1200, 2400, 3600)))
        fund = repairs if repairs > 1000 and rng.random() < 0.5 else Decimal(0)
        session.add(
            CostDisclosure(
                elevator_id=elevator_id,
                user_unit_id=user_unit_id,
                year=year,
                amount_yuan=maintenance + repairs,
                property_fee_yuan=max(Decimal(0), maintenance + repairs - advertising - fund),
                advertising_income_yuan=advertising,
                repair_fund_draw_yuan=fund,
                items=f"维保费 {maintenance} 元" + (f"; 维修 {repairs} 元" if repairs else ""),
                disclosed_on=date(today.year, 1, 15) + timedelta(days=rng.randint(0, 60)),
                created_at=now,
            )
        )
        inserted += 1
    session.flush()
    return inserted
