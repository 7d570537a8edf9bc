"""Governance rows for tests, built straight through the ORM: insurers, policies, ratings,
cost disclosures."""

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from elevator_registry.governance.models import (
    CostDisclosure,
    InsurancePolicy,
    StarRating,
    VetoEvent,
)
from elevator_registry.registry.enums import OrganisationRole
from elevator_registry.registry.models import Elevator, Organisation
from tests import factories
from tests.factories import CREATED
from tests.rules import builders as evidence

_serial = itertools.count(1)


def insurer(session: Session, name: str = "渝安财产保险綦江支公司") -> Organisation:
    """An organisation holding the insurer role."""
    return factories.organisation(session, name, OrganisationRole.INSURER)


def policy(
    session: Session,
    lift: Elevator,
    company: Organisation,
    *,
    kind: str = "liability",
    start: date = date(2026, 1, 1),
    end: date = date(2027, 12, 31),
) -> InsurancePolicy:
    """A policy on `lift`, in force over the reference day by default."""
    row = InsurancePolicy(
        elevator_id=lift.id,
        insurer_id=company.id,
        kind=kind,
        policy_number=f"PDEL{next(_serial):08d}",
        start_date=start,
        end_date=end,
        premium_yuan=Decimal("800.00"),
        created_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row


def rating(
    session: Session, unit: Organisation, *, year: int = 2025, grade: str = "A", **fields: Any
) -> StarRating:
    """A stored rating (its indicators are not meant to be re-derived)."""
    stars = fields.pop("stars", {"A": 4, "B": 3, "C": 2, "D": 0}[grade])
    row = StarRating(
        maintenance_unit_id=unit.id,
        year=year,
        score=Decimal(fields.pop("score", "88.00")),
        stars=stars,
        grade=grade,
        indicators={},
        computed_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row


def disclosure(session: Session, lift: Elevator, *, year: int, amount: str) -> CostDisclosure:
    """The cost disclosure of `lift` for `year`, filed by its user unit."""
    row = CostDisclosure(
        elevator_id=lift.id,
        user_unit_id=lift.user_unit_id,
        year=year,
        amount_yuan=Decimal(amount),
        property_fee_yuan=Decimal("6000.00"),
        advertising_income_yuan=Decimal("3600.00"),
        repair_fund_draw_yuan=Decimal(0),
        items="半月维保 24 次 4800 元; 更换门机皮带 1200 元",
        disclosed_on=date(year + 1, 3, 1),
        created_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row


def veto(session: Session, unit: Organisation, on: date, kind: str = "safety_accident") -> None:
    """A veto event against `unit` on `on`."""
    session.add(
        VetoEvent(
            organisation_id=unit.id,
            kind=kind,
            occurred_on=on,
            description="电梯剪切事故, 维保单位负主要责任",
            reference=f"綦市监罚〔2025〕{next(_serial)}号",
            created_at=CREATED,
        )
    )
    session.flush()


def on_demand_ready(session: Session, world: factories.World) -> Elevator:
    """Makes world.lift_a meet all four on-demand conditions with maintainer B in 2027."""
    lift = world.lift_a
    lift.iot_terminal_fitted = True
    rating(session, world.maintainer_b, grade="A")
    policy(session, lift, insurer(session))
    evidence.inspection(session, lift, world.agency, date(2026, 6, 10), "pass")
    session.flush()
    return lift
