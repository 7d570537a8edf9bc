"""Maintenance-cost disclosure (plan §三(三)): 物业服务企业每年公示电梯运行维护费用收支情况.

A user unit files one disclosure per elevator and year: what was spent, and where the money
came from (property-fee share, advertising income in the cars, repair-fund draws). The public
reads them per user unit, identified by elevator rescue code and address, never by a person.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.errors import Conflict, InvalidValue, RuleViolation
from elevator_registry.governance.models import CostDisclosure
from elevator_registry.governance.schemas import CostDisclosureCreate
from elevator_registry.registry import elevators as elevator_service
from elevator_registry.registry.models import Elevator, Organisation
from elevator_registry.registry.scoping import readable_elevators
from elevator_registry.rules.catalogue import NO_USER_UNIT


def file_disclosure(
    session: Session, *, data: CostDisclosureCreate, actor: Principal, today: date, now: datetime
) -> CostDisclosure:
    """Files a disclosure for a year that has begun (the elevator's user unit, or the bureau)."""
    actor.require(Role.BUREAU, Role.CLI, Role.USER_UNIT)
    elevator = elevator_service.get_elevator(
        session, elevator_id=data.elevator_id, actor=actor, today=today
    )
    if elevator.user_unit_id is None:
        raise RuleViolation(
            NO_USER_UNIT.code,
            f"elevator {elevator.id} has no user unit to disclose its costs",
            field="elevator_id",
        )
    if data.year > today.year:
        raise InvalidValue("DATE_IN_FUTURE", f"year {data.year} has not begun", field="year")
    existing = session.scalar(
        select(CostDisclosure.id).where(
            CostDisclosure.elevator_id == elevator.id, CostDisclosure.year == data.year
        )
    )
    if existing is not None:
        raise Conflict(
            "DISCLOSURE_EXISTS",
            f"elevator {elevator.id}'s costs for {data.year} are disclosed (disclosure {existing})",
            field="year",
        )
    disclosure = CostDisclosure(
        **data.model_dump(), user_unit_id=elevator.user_unit_id, disclosed_on=today, created_at=now
    )
    session.add(disclosure)
    audit.record(session, actor=actor, at=now, action="create", row=disclosure)
    return disclosure


def disclosures_statement(
    *,
    actor: Principal,
    today: date,
    elevator_id: int | None = None,
    user_unit_id: int | None = None,
    year: int | None = None,
) -> Select[Any]:
    """Disclosures of elevators the caller may read, filtered."""
    statement = select(CostDisclosure).where(
        CostDisclosure.elevator_id.in_(select(Elevator.id).where(readable_elevators(actor, today)))
    )
    return _filtered(statement, elevator_id=elevator_id, user_unit_id=user_unit_id, year=year)


def public_statement(*, user_unit_id: int, year: int | None = None) -> Select[Any]:
    """A user unit's disclosures as the public sees them."""
    statement = (
        select(
            CostDisclosure.id,
            Organisation.name.label("user_unit_name"),
            Elevator.rescue_code,
            Elevator.address,
            CostDisclosure.year,
            CostDisclosure.amount_yuan,
            CostDisclosure.property_fee_yuan,
            CostDisclosure.advertising_income_yuan,
            CostDisclosure.repair_fund_draw_yuan,
            CostDisclosure.items,
            CostDisclosure.disclosed_on,
        )
        .join(Elevator, Elevator.id == CostDisclosure.elevator_id)
        .join(Organisation, Organisation.id == CostDisclosure.user_unit_id)
    )
    return _filtered(statement, elevator_id=None, user_unit_id=user_unit_id, year=year)


def disclosing_user_units(session: Session) -> list[Any]:
    """User units with at least one disclosure (id and name, by name): whom the public can pick."""
    return list(
        session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.id.in_(select(CostDisclosure.user_unit_id)))
            .order_by(Organisation.name, Organisation.id)
        )
    )


def _filtered(
    statement: Select[Any], *, elevator_id: int | None, user_unit_id: int | None, year: int | None
) -> Select[Any]:
    if elevator_id is not None:
        statement = statement.where(CostDisclosure.elevator_id == elevator_id)
    if user_unit_id is not None:
        statement = statement.where(CostDisclosure.user_unit_id == user_unit_id)
    if year is not None:
        statement = statement.where(CostDisclosure.year == year)
    return statement
