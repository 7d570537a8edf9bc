"""Elevator insurance (plan §三(九)): policies, and the premium factor each policy stores.

The plan asks insurers to adjust premiums to the risk they observe (保费费率动态调整). No
published formula exists (domain-rules N5), so the factor is a product of one multiplier per
risk input, read from tables in settings; each policy stores the factor and every input with
its multiplier, so a premium can be explained after the tables change.

Who files a policy: the bureau, or the elevator's user unit (the policyholder). Insurers hold
no API role of their own yet; the insurer named must be an organisation with the insurer role.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.dates import add_years
from elevator_registry.errors import Conflict, InvalidValue
from elevator_registry.governance import ratings as rating_service
from elevator_registry.governance.models import InsurancePolicy
from elevator_registry.governance.schemas import InsurancePolicyCreate
from elevator_registry.incidents.enums import IncidentKind, IncidentStatus
from elevator_registry.incidents.models import Incident
from elevator_registry.inspection.enums import InspectionKind
from elevator_registry.inspection.models import Inspection, SafetyAssessment
from elevator_registry.registry import contracts as contract_service
from elevator_registry.registry import elevators as elevator_service
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.enums import ElevatorStatus, OrganisationRole, PlaceCategory
from elevator_registry.registry.models import Elevator
from elevator_registry.registry.scoping import readable_elevators
from elevator_registry.rules.sql import local_date

RESULT_KINDS = (InspectionKind.PERIODIC, InspectionKind.SELF_TEST, InspectionKind.RE_INSPECTION)


def _band(table: dict[int, float], value: int) -> tuple[int, float]:
    """The entry of a from-this-value-up table that `value` falls in."""
    floor = max((bound for bound in table if bound <= value), default=min(table))
    return floor, table[floor]


def premium_factor(
    session: Session, *, elevator: Elevator, as_of: date, settings: Settings
) -> tuple[Decimal, dict[str, Any]]:
    """The elevator's premium factor on `as_of` and the inputs behind it."""
    commissioned = elevator.commissioned_on
    age = 0
    if commissioned is not None and commissioned <= as_of:
        age = as_of.year - commissioned.year
        if add_years(commissioned, age) > as_of:
            age -= 1
    age_floor, age_multiplier = _band(settings.premium_age_factors, age)

    if elevator.place_category in PlaceCategory.public_gathering():
        place = "public_gathering"
    elif elevator.place_category == PlaceCategory.RESIDENTIAL:
        place = "residential"
    else:
        place = "other"

    trapped = session.scalar(
        select(func.count()).where(
            Incident.elevator_id == elevator.id,
            Incident.kind == IncidentKind.TRAPPED,
            Incident.status.not_in(list(IncidentStatus.not_genuine())),
            local_date(Incident.reported_at, settings.timezone) > add_years(as_of, -1),
            local_date(Incident.reported_at, settings.timezone) <= as_of,
        )
    )
    trapped_floor, trapped_multiplier = _band(settings.premium_trapped_factors, trapped or 0)

    latest_result = session.scalar(
        select(Inspection.result)
        .where(
            Inspection.elevator_id == elevator.id,
            Inspection.kind.in_(RESULT_KINDS),
            Inspection.performed_on <= as_of,
        )
        .order_by(Inspection.performed_on.desc(), Inspection.id.desc())
        .limit(1)
    )
    inspection = str(latest_result or "none")

    grade = session.scalar(
        select(SafetyAssessment.risk_grade)
        .where(SafetyAssessment.elevator_id == elevator.id, SafetyAssessment.assessed_on <= as_of)
        .order_by(SafetyAssessment.assessed_on.desc(), SafetyAssessment.id.desc())
        .limit(1)
    )
    assessment = "none" if grade is None else str(grade)

    maintainer = contract_service.maintainer_on(session, elevator_id=elevator.id, on=as_of)
    rating = None if maintainer is None else rating_service.latest_rating(session, maintainer)
    stars = "unrated" if rating is None else str(rating.stars)
    iot = "fitted" if elevator.iot_terminal_fitted else "not_fitted"

    factors = {
        "age_years": {"value": age, "band_from": age_floor, "multiplier": age_multiplier},
        "place_category": {
            "value": elevator.place_category,
            "band": place,
            "multiplier": settings.premium_place_factors[place],
        },
        "trapped_12_months": {
            "value": trapped or 0,
            "band_from": trapped_floor,
            "multiplier": trapped_multiplier,
        },
        "latest_inspection": {
            "value": inspection,
            "multiplier": settings.premium_inspection_factors[inspection],
        },
        "assessment_risk_grade": {
            "value": assessment,
            "multiplier": settings.premium_assessment_factors[assessment],
        },
        "maintainer_stars": {
            "value": stars,
            "maintenance_unit_id": maintainer,
            "rating_year": None if rating is None else rating.year,
            "multiplier": settings.premium_star_factors[stars],
        },
        "iot_terminal": {"value": iot, "multiplier": settings.premium_iot_factors[iot]},
    }
    product = Decimal(1)
    for item in factors.values():
        product *= Decimal(str(item["multiplier"]))
    return product.quantize(Decimal("0.001")), factors


def elevator_premium_factor(
    session: Session,
    *,
    elevator_id: int,
    actor: Principal,
    settings: Settings,
    as_of: date,
    today: date,
) -> dict[str, Any]:
    """The premium factor of an elevator the caller may read (bureau, its user unit, ...)."""
    elevator = elevator_service.get_elevator(
        session, elevator_id=elevator_id, actor=actor, today=today
    )
    factor, factors = premium_factor(session, elevator=elevator, as_of=as_of, settings=settings)
    return {"elevator_id": elevator.id, "as_of": as_of, "factor": factor, "factors": factors}


def create_policy(
    session: Session,
    *,
    data: InsurancePolicyCreate,
    actor: Principal,
    settings: Settings,
    today: date,
    now: datetime,
) -> InsurancePolicy:
    """Files a policy (bureau, or the elevator's user unit), pricing its risk factor on filing."""
    actor.require(Role.BUREAU, Role.CLI, Role.USER_UNIT)
    elevator = elevator_service.get_elevator(
        session, elevator_id=data.elevator_id, actor=actor, today=today
    )
    if elevator.status == ElevatorStatus.SCRAPPED:
        raise Conflict("ELEVATOR_SCRAPPED", f"elevator {elevator.id} is scrapped")
    organisation_service.require_role(
        session, data.insurer_id, OrganisationRole.INSURER, field="insurer_id"
    )
    if data.end_date <= data.start_date:
        raise InvalidValue(
            "DATE_RANGE_INVALID", "end_date must be after start_date", field="end_date"
        )
    if session.scalar(
        select(InsurancePolicy.id).where(
            InsurancePolicy.insurer_id == data.insurer_id,
            InsurancePolicy.policy_number == data.policy_number,
        )
    ):
        raise Conflict(
            "POLICY_NUMBER_TAKEN",
            f"insurer {data.insurer_id} already has policy {data.policy_number}",
            field="policy_number",
        )
    overlapping = session.scalar(
        select(InsurancePolicy).where(
            InsurancePolicy.elevator_id == elevator.id,
            InsurancePolicy.kind == data.kind,
            InsurancePolicy.start_date <= data.end_date,
            InsurancePolicy.end_date >= data.start_date,
        )
    )
    if overlapping is not None:
        raise Conflict(
            "POLICY_OVERLAP",
            f"elevator {elevator.id} already has {data.kind} policy {overlapping.policy_number} "
            f"from {overlapping.start_date} to {overlapping.end_date}",
            field="start_date",
        )
    # Priced on the first day of cover, or today for a policy that starts later.
    factor, factors = premium_factor(
        session, elevator=elevator, as_of=min(data.start_date, today), settings=settings
    )
    policy = InsurancePolicy(
        **data.model_dump(), risk_factor=factor, factors=factors, created_at=now
    )
    session.add(policy)
    audit.record(session, actor=actor, at=now, action="create", row=policy)
    return policy


def policies_statement(
    *,
    actor: Principal,
    today: date,
    elevator_id: int | None = None,
    insurer_id: int | None = None,
    kind: str | None = None,
    in_force_on: date | None = None,
) -> Select[Any]:
    """Policies of elevators the caller may read, filtered."""
    statement = select(InsurancePolicy).where(
        InsurancePolicy.elevator_id.in_(select(Elevator.id).where(readable_elevators(actor, today)))
    )
    if elevator_id is not None:
        statement = statement.where(InsurancePolicy.elevator_id == elevator_id)
    if insurer_id is not None:
        statement = statement.where(InsurancePolicy.insurer_id == insurer_id)
    if kind is not None:
        statement = statement.where(InsurancePolicy.kind == kind)
    if in_force_on is not None:
        statement = statement.where(
            InsurancePolicy.start_date <= in_force_on, InsurancePolicy.end_date >= in_force_on
        )
    return statement
