"""Who may maintain on demand (按需维保): the four conditions of the Shanghai pilot the plan
adopts (plan §三(三); domain-rules M16, S6).

An on-demand contract replaces the 15-day visit with monitoring plus visits at its own interval,
so it is allowed only when all hold on the contract's first day:

1. the maintenance unit's latest star rating is above C (A or B); an unrated unit has not
   earned it;
2. the elevator's inspection is valid (inspection.schedule, as on the public card);
3. the elevator has an IoT smart terminal;
4. the elevator holds liability insurance in force: a liability policy, or a comprehensive one
   (电梯综合保险 includes liability cover).
"""

from datetime import date

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from elevator_registry.config import Settings
from elevator_registry.governance import ratings as rating_service
from elevator_registry.governance.enums import InsuranceKind, RatingGrade
from elevator_registry.governance.models import InsurancePolicy
from elevator_registry.incidents import public as public_service
from elevator_registry.registry import elevators as elevator_service
from elevator_registry.registry.models import Elevator

ON_DEMAND_GRADES = frozenset({RatingGrade.A, RatingGrade.B})


def in_force_on(day: date) -> ColumnElement[bool]:
    """WHERE clause on `Elevator`: a liability or comprehensive policy covers `day`."""
    return exists(
        select(InsurancePolicy.id).where(
            InsurancePolicy.elevator_id == Elevator.id,
            InsurancePolicy.kind.in_([InsuranceKind.LIABILITY, InsuranceKind.COMPREHENSIVE]),
            InsurancePolicy.start_date <= day,
            InsurancePolicy.end_date >= day,
        )
    )


def on_demand_unmet(
    session: Session,
    *,
    elevator: Elevator,
    maintenance_unit_id: int,
    on: date,
    settings: Settings,
) -> list[str]:
    """Every condition for on-demand maintenance not met on `on` (empty when all are)."""
    unmet = []
    rating = rating_service.latest_rating(session, maintenance_unit_id)
    if rating is None:
        unmet.append(f"maintenance unit {maintenance_unit_id} has no star rating (needs A or B)")
    elif rating.grade not in ON_DEMAND_GRADES:
        unmet.append(
            f"maintenance unit {maintenance_unit_id}'s latest grade ({rating.year}) is "
            f"{rating.grade}, on-demand needs A or B"
        )
    valid_until = public_service.inspection_valid_until(
        session, elevator=elevator, today=on, regime=settings.inspection_regime
    )
    if valid_until is None or valid_until < on:
        if valid_until is not None:
            why = f"it lapsed on {valid_until.isoformat()}"
        elif elevator_service.latest_inspection_failed(session, elevator.id) is not None:
            why = "the latest inspection failed"
        else:
            why = "no inspection schedule is on record"
        unmet.append(f"elevator {elevator.id} has no valid inspection on {on.isoformat()} ({why})")
    if not elevator.iot_terminal_fitted:
        unmet.append(f"elevator {elevator.id} has no IoT smart terminal")
    insured = session.scalar(select(Elevator.id).where(Elevator.id == elevator.id, in_force_on(on)))
    if insured is None:
        unmet.append(f"elevator {elevator.id} holds no liability insurance on {on.isoformat()}")
    return unmet
