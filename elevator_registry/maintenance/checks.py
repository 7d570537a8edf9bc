"""Usage checks (the user unit's own periodic checks) and rescue drills (maintenance units).

Simple dated records: a user unit files checks for its own elevators (安全监察条例 第二十七条,
at least monthly; weekly in public gathering places, plan §三(七)3); a maintenance unit files its
rescue drills (TSG T5002: at least every 6 months), optionally naming an elevator it maintained
on that day. The bureau (and the CLI) may file either on a unit's behalf.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.errors import Conflict, InvalidValue, NotFound, RuleViolation
from elevator_registry.maintenance.models import RescueDrill, UsageCheck
from elevator_registry.maintenance.schemas import RescueDrillCreate, UsageCheckCreate
from elevator_registry.maintenance.scoping import readable_drills, readable_usage_checks
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.enums import ElevatorStatus, OrganisationRole
from elevator_registry.registry.models import Elevator, MaintenanceContract
from elevator_registry.registry.scoping import contract_current_on
from elevator_registry.rules.catalogue import NO_USER_UNIT


def _day(value: date | None, today: date, *, field: str) -> date:
    day = value or today
    if day > today:
        raise InvalidValue("DATE_IN_FUTURE", f"{field} {day} is in the future", field=field)
    return day


# Usage checks -----------------------------------------------------------------------------------


def file_usage_check(
    session: Session, *, data: UsageCheckCreate, actor: Principal, today: date, now: datetime
) -> UsageCheck:
    """Files a user unit's check of one of its elevators."""
    actor.require(Role.USER_UNIT, Role.BUREAU, Role.CLI)
    elevator = session.get(Elevator, data.elevator_id)
    if elevator is None or (
        actor.role == Role.USER_UNIT and elevator.user_unit_id != actor.organisation_id
    ):
        # Another unit's elevator is answered like a missing one: its existence is not theirs.
        raise NotFound("elevator", data.elevator_id)
    if elevator.user_unit_id is None:
        raise RuleViolation(
            NO_USER_UNIT.code,
            f"elevator {elevator.id} has no user unit to file checks for it",
            field="elevator_id",
        )
    checked_on = _day(data.checked_on, today, field="checked_on")
    if elevator.status == ElevatorStatus.SCRAPPED:
        raise Conflict("ELEVATOR_SCRAPPED", f"elevator {elevator.id} is scrapped")
    check = UsageCheck(
        elevator_id=elevator.id,
        user_unit_id=elevator.user_unit_id,
        checked_on=checked_on,
        checker_name=data.checker_name,
        findings=data.findings,
        created_at=now,
    )
    session.add(check)
    audit.record(session, actor=actor, at=now, action="create", row=check)
    return check


def usage_checks_statement(
    *,
    actor: Principal,
    today: date,
    elevator_id: int | None = None,
    user_unit_id: int | None = None,
    checked_from: date | None = None,
    checked_to: date | None = None,
) -> Select[Any]:
    """Usage checks the caller may read, filtered."""
    statement = select(UsageCheck).where(readable_usage_checks(actor, today))
    if elevator_id is not None:
        statement = statement.where(UsageCheck.elevator_id == elevator_id)
    if user_unit_id is not None:
        statement = statement.where(UsageCheck.user_unit_id == user_unit_id)
    if checked_from is not None:
        statement = statement.where(UsageCheck.checked_on >= checked_from)
    if checked_to is not None:
        statement = statement.where(UsageCheck.checked_on <= checked_to)
    return statement


# Rescue drills ----------------------------------------------------------------------------------


def file_rescue_drill(
    session: Session, *, data: RescueDrillCreate, actor: Principal, today: date, now: datetime
) -> RescueDrill:
    """Files a maintenance unit's rescue drill."""
    actor.require(Role.MAINTENANCE_UNIT, Role.BUREAU, Role.CLI)
    if actor.role == Role.MAINTENANCE_UNIT:
        if data.maintenance_unit_id not in (None, actor.organisation_id):
            raise InvalidValue(
                "FIELD_NOT_ALLOWED",
                "maintenance_unit_id: a maintenance unit files its own drills only",
                field="maintenance_unit_id",
            )
        unit_id = actor.organisation_id
    else:
        if data.maintenance_unit_id is None:
            raise InvalidValue(
                "FIELD_REQUIRED",
                "maintenance_unit_id is required when the bureau files a drill",
                field="maintenance_unit_id",
            )
        organisation_service.require_role(
            session,
            data.maintenance_unit_id,
            OrganisationRole.MAINTAINER,
            field="maintenance_unit_id",
        )
        unit_id = data.maintenance_unit_id
    held_on = _day(data.held_on, today, field="held_on")
    if data.elevator_id is not None:
        if session.get(Elevator, data.elevator_id) is None:
            raise NotFound("elevator", data.elevator_id)
        holds = session.scalar(
            select(MaintenanceContract.id).where(
                MaintenanceContract.elevator_id == data.elevator_id,
                MaintenanceContract.maintenance_unit_id == unit_id,
                contract_current_on(held_on),
            )
        )
        if holds is None:
            raise Conflict(
                "NO_CONTRACT_ON_DATE",
                f"maintenance unit {unit_id} held no contract for elevator {data.elevator_id} "
                f"on {held_on.isoformat()}",
                field="elevator_id",
            )
    drill = RescueDrill(
        maintenance_unit_id=unit_id,
        elevator_id=data.elevator_id,
        held_on=held_on,
        participants=data.participants,
        description=data.description,
        created_at=now,
    )
    session.add(drill)
    audit.record(session, actor=actor, at=now, action="create", row=drill)
    return drill


def drills_statement(
    *,
    actor: Principal,
    today: date,
    maintenance_unit_id: int | None = None,
    elevator_id: int | None = None,
    held_from: date | None = None,
    held_to: date | None = None,
) -> Select[Any]:
    """Rescue drills the caller may read, filtered."""
    statement = select(RescueDrill).where(readable_drills(actor, today))
    if maintenance_unit_id is not None:
        statement = statement.where(RescueDrill.maintenance_unit_id == maintenance_unit_id)
    if elevator_id is not None:
        statement = statement.where(RescueDrill.elevator_id == elevator_id)
    if held_from is not None:
        statement = statement.where(RescueDrill.held_on >= held_from)
    if held_to is not None:
        statement = statement.where(RescueDrill.held_on <= held_to)
    return statement
