"""Maintenance contracts and warranties, with the plan's eligibility and warranty minimums."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.dates import last_day_of_years
from elevator_registry.errors import Conflict, InvalidValue, NotFound, RuleViolation
from elevator_registry.governance import eligibility
from elevator_registry.registry import elevators as elevator_service
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.enums import (
    ContractMode,
    ElevatorStatus,
    OrganisationRole,
    WarrantyContext,
    WarrantyScope,
)
from elevator_registry.registry.models import Elevator, MaintenanceContract, Warranty
from elevator_registry.registry.schemas import ContractCreate, ContractEnd, WarrantyCreate
from elevator_registry.registry.scoping import contract_current_on, readable_elevators
from elevator_registry.rules.catalogue import (
    MAINTAINER_NOT_ELIGIBLE,
    NO_USER_UNIT,
    ON_DEMAND_NOT_ELIGIBLE,
    WARRANTY_BELOW_MINIMUM,
)

# Contracts ----------------------------------------------------------------------------------


def get_contract(
    session: Session, *, contract_id: int, actor: Principal, today: date
) -> MaintenanceContract:
    """The contract if the caller may see it; 404 CONTRACT_NOT_FOUND otherwise."""
    contract = session.scalar(
        contracts_statement(actor=actor, today=today).where(MaintenanceContract.id == contract_id)
    )
    if contract is None:
        raise NotFound("contract", contract_id)
    return contract


def contracts_statement(
    *,
    actor: Principal,
    today: date,
    elevator_id: int | None = None,
    maintenance_unit_id: int | None = None,
    user_unit_id: int | None = None,
    current_on: date | None = None,
) -> Select[Any]:
    """Contracts the caller may read: a unit sees the contracts it is party to."""
    statement = select(MaintenanceContract)
    match actor.role:
        case Role.MAINTENANCE_UNIT:
            statement = statement.where(
                MaintenanceContract.maintenance_unit_id == actor.organisation_id
            )
        case Role.USER_UNIT:
            statement = statement.where(MaintenanceContract.user_unit_id == actor.organisation_id)
        case _:
            statement = statement.where(
                MaintenanceContract.elevator_id.in_(
                    select(Elevator.id).where(readable_elevators(actor, today))
                )
            )
    if elevator_id is not None:
        statement = statement.where(MaintenanceContract.elevator_id == elevator_id)
    if maintenance_unit_id is not None:
        statement = statement.where(MaintenanceContract.maintenance_unit_id == maintenance_unit_id)
    if user_unit_id is not None:
        statement = statement.where(MaintenanceContract.user_unit_id == user_unit_id)
    if current_on is not None:
        statement = statement.where(contract_current_on(current_on))
    return statement


def create_contract(
    session: Session,
    *,
    data: ContractCreate,
    actor: Principal,
    settings: Settings,
    today: date,
    now: datetime,
) -> MaintenanceContract:
    """Files a contract; refuses ineligible maintainers and overlaps with another contract."""
    # Not maintenance units: a contract grants its maintainer access to the elevator, so the
    # party that owes the contract (the user unit, 安全法 第四十五条) or the bureau files it.
    actor.require(Role.BUREAU, Role.CLI, Role.USER_UNIT)
    elevator = _lock_elevator(session, data.elevator_id)
    user_unit_id = data.user_unit_id or elevator.user_unit_id
    if actor.role == Role.USER_UNIT and elevator.user_unit_id != actor.organisation_id:
        # Same answer as for an elevator that does not exist: its existence is not the caller's.
        raise NotFound("elevator", data.elevator_id)
    if elevator.status == ElevatorStatus.SCRAPPED:
        raise Conflict("ELEVATOR_SCRAPPED", f"elevator {elevator.id} is scrapped")
    if user_unit_id is None:
        raise RuleViolation(
            NO_USER_UNIT.code,
            f"elevator {elevator.id} has no user unit to be party to the contract; the street "
            "office arranges one first (plan §三(六)2)",
            field="user_unit_id",
        )
    if user_unit_id != elevator.user_unit_id:
        raise Conflict(
            "CONTRACT_USER_UNIT_MISMATCH",
            f"user_unit_id {user_unit_id} is not elevator {elevator.id}'s user unit "
            f"({elevator.user_unit_id})",
            field="user_unit_id",
        )
    if data.end_date < data.start_date:
        raise InvalidValue("DATE_RANGE_INVALID", "end_date is before start_date", field="end_date")
    on_demand = data.mode == ContractMode.ON_DEMAND
    if on_demand != (data.maintenance_interval_days is not None):
        raise InvalidValue(
            "MAINTENANCE_INTERVAL_INVALID",
            "maintenance_interval_days is required for on_demand contracts and only for them",
            field="maintenance_interval_days",
        )
    organisation_service.require_role(
        session, data.maintenance_unit_id, OrganisationRole.MAINTAINER, field="maintenance_unit_id"
    )
    first_day = max(data.start_date, today)
    reasons = organisation_service.maintainer_ineligibility(
        session,
        organisation_id=data.maintenance_unit_id,
        on=first_day,
        manufactured_by_it=elevator.manufacturer_id == data.maintenance_unit_id,
    )
    if reasons:
        raise RuleViolation(
            MAINTAINER_NOT_ELIGIBLE.code,
            f"maintenance unit {data.maintenance_unit_id} may not maintain elevators: "
            + "; ".join(reasons),
            field="maintenance_unit_id",
        )
    if on_demand:
        unmet = eligibility.on_demand_unmet(
            session,
            elevator=elevator,
            maintenance_unit_id=data.maintenance_unit_id,
            on=first_day,
            settings=settings,
        )
        if unmet:
            raise RuleViolation(
                ON_DEMAND_NOT_ELIGIBLE.code,
                f"on-demand maintenance needs all four conditions on {first_day.isoformat()}, "
                "unmet: " + "; ".join(unmet),
                field="mode",
            )
    overlapping = session.scalar(
        select(MaintenanceContract).where(
            MaintenanceContract.elevator_id == elevator.id,
            MaintenanceContract.start_date <= data.end_date,
            MaintenanceContract.effective_end >= data.start_date,
        )
    )
    if overlapping is not None:
        raise Conflict(
            "CONTRACT_OVERLAP",
            f"elevator {elevator.id} already has contract {overlapping.id} from "
            f"{overlapping.start_date} to {overlapping.effective_end}",
            field="start_date",
        )
    contract = MaintenanceContract(
        elevator_id=elevator.id,
        maintenance_unit_id=data.maintenance_unit_id,
        user_unit_id=user_unit_id,
        start_date=data.start_date,
        end_date=data.end_date,
        mode=data.mode,
        maintenance_interval_days=data.maintenance_interval_days,
        fee_yuan=data.fee_yuan,
        created_at=now,
    )
    session.add(contract)
    audit.record(session, actor=actor, at=now, action="create", row=contract)
    return contract


def end_contract(
    session: Session,
    *,
    contract_id: int,
    data: ContractEnd,
    actor: Principal,
    today: date,
    now: datetime,
) -> MaintenanceContract:
    """Ends a contract early; a party to it or the bureau may do so."""
    actor.require(Role.BUREAU, Role.CLI, Role.USER_UNIT, Role.MAINTENANCE_UNIT)
    contract = get_contract(session, contract_id=contract_id, actor=actor, today=today)
    if contract.terminated_on is not None:
        raise Conflict(
            "CONTRACT_ALREADY_ENDED", f"contract {contract.id} ended on {contract.terminated_on}"
        )
    terminated_on = data.terminated_on or today
    if not contract.start_date <= terminated_on <= contract.end_date:
        raise InvalidValue(
            "DATE_RANGE_INVALID",
            f"terminated_on must fall within the contract, {contract.start_date} to {contract.end_date}",
            field="terminated_on",
        )
    before = audit.snapshot(contract)
    contract.terminated_on = terminated_on
    contract.termination_reason = data.reason
    audit.record(session, actor=actor, at=now, action="end", row=contract, before=before)
    return contract


def _lock_elevator(session: Session, elevator_id: int) -> Elevator:
    """Loads the elevator FOR UPDATE so concurrent contract filings for it serialise."""
    elevator = session.scalar(select(Elevator).where(Elevator.id == elevator_id).with_for_update())
    if elevator is None:
        raise NotFound("elevator", elevator_id)
    return elevator


# Warranties ---------------------------------------------------------------------------------


def warranties_statement(
    *, actor: Principal, today: date, elevator_id: int | None = None
) -> Select[Any]:
    """Warranties of elevators the caller may read."""
    statement = select(Warranty).where(
        Warranty.elevator_id.in_(select(Elevator.id).where(readable_elevators(actor, today)))
    )
    if elevator_id is not None:
        statement = statement.where(Warranty.elevator_id == elevator_id)
    return statement


def warranty_minimum(
    session: Session,
    *,
    elevator: Elevator,
    scope: str,
    context: str,
    start: date,
    settings: Settings,
) -> tuple[int, str] | None:
    """The minimum length in years that plan §三(七)1 sets for this warranty, and why; or None.

    - subsidised renovation (财政补助的更新改造): whole unit ≥5 years;
    - new installation whose maintainer is its manufacturer: each of the five major parts ≥10 years.
    """
    if context == WarrantyContext.SUBSIDISED_RENOVATION and scope == WarrantyScope.WHOLE_UNIT:
        return settings.warranty_renovation_whole_unit_years, "subsidised renovation, whole unit"
    if (
        context == WarrantyContext.NEW_INSTALLATION
        and scope in WarrantyScope.major_parts()
        and elevator.manufacturer_id is not None
        and maintainer_on(session, elevator_id=elevator.id, on=start) == elevator.manufacturer_id
    ):
        return (
            settings.warranty_maker_major_parts_years,
            f"new elevator maintained by its manufacturer, {scope.replace('_', ' ')}",
        )
    return None


def maintainer_on(session: Session, *, elevator_id: int, on: date) -> int | None:
    """The maintenance unit of the contract covering `on`, else of the elevator's latest contract."""
    current = session.scalar(
        select(MaintenanceContract.maintenance_unit_id).where(
            MaintenanceContract.elevator_id == elevator_id, contract_current_on(on)
        )
    )
    if current is not None:
        return current
    return session.scalar(
        select(MaintenanceContract.maintenance_unit_id)
        .where(MaintenanceContract.elevator_id == elevator_id)
        .order_by(MaintenanceContract.start_date.desc())
        .limit(1)
    )


def create_warranty(
    session: Session,
    *,
    data: WarrantyCreate,
    actor: Principal,
    settings: Settings,
    today: date,
    now: datetime,
) -> Warranty:
    """Files a warranty; refused when shorter than the plan's minimum for its context."""
    actor.require(Role.BUREAU, Role.CLI, Role.USER_UNIT, Role.MAINTENANCE_UNIT)
    elevator = elevator_service.get_elevator(
        session, elevator_id=data.elevator_id, actor=actor, today=today
    )
    organisation_service.get_organisation(session, data.issuer_id)
    if data.end_date <= data.start_date:
        raise InvalidValue(
            "DATE_RANGE_INVALID", "end_date must be after start_date", field="end_date"
        )
    minimum = warranty_minimum(
        session,
        elevator=elevator,
        scope=data.scope,
        context=data.context,
        start=data.start_date,
        settings=settings,
    )
    if minimum is not None:
        years, why = minimum
        required_end = last_day_of_years(data.start_date, years)
        if data.end_date < required_end:
            short_by = (required_end - data.end_date).days
            raise RuleViolation(
                WARRANTY_BELOW_MINIMUM.code,
                f"{why}: plan §三(七)1 requires at least {years} years, i.e. until "
                f"{required_end.isoformat()}; this warranty ends {data.end_date.isoformat()}, "
                f"{short_by} days short",
                field="end_date",
            )
    warranty = Warranty(**data.model_dump(), created_at=now)
    session.add(warranty)
    audit.record(session, actor=actor, at=now, action="create", row=warranty)
    return warranty
