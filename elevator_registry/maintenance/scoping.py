"""Row scoping for evidence, in one place: which records, hazards, checks and drills a caller reads.

Evidence follows its elevator: whoever may read the elevator today (registry.scoping) reads its
whole file, as the dossier does. A maintenance unit also keeps reading what it filed itself after
its contract ended (its own records, hazard reports and drills), since it answers for them.
"""

from datetime import date

from sqlalchemy import ColumnElement, false, select, true

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.maintenance.models import (
    HazardReport,
    MaintenanceRecord,
    RescueDrill,
    UsageCheck,
)
from elevator_registry.registry.models import Elevator
from elevator_registry.registry.scoping import readable_elevators


def _on_readable_elevator(
    column: ColumnElement[int] | ColumnElement[int | None], actor: Principal, today: date
) -> ColumnElement[bool]:
    return column.in_(select(Elevator.id).where(readable_elevators(actor, today)))


def _own(
    column: ColumnElement[int] | ColumnElement[int | None], actor: Principal
) -> ColumnElement[bool]:
    if actor.role == Role.MAINTENANCE_UNIT and actor.organisation_id is not None:
        return column == actor.organisation_id
    return false()


def readable_records(actor: Principal, today: date) -> ColumnElement[bool]:
    """WHERE clause on `MaintenanceRecord`."""
    return _on_readable_elevator(MaintenanceRecord.elevator_id, actor, today) | _own(
        MaintenanceRecord.maintenance_unit_id, actor
    )


def readable_hazards(actor: Principal, today: date) -> ColumnElement[bool]:
    """WHERE clause on `HazardReport`; any organisation reads the reports it filed."""
    own = (
        HazardReport.reporter_organisation_id == actor.organisation_id
        if actor.organisation_id is not None
        else false()
    )
    return _on_readable_elevator(HazardReport.elevator_id, actor, today) | own


def readable_usage_checks(actor: Principal, today: date) -> ColumnElement[bool]:
    """WHERE clause on `UsageCheck`."""
    return _on_readable_elevator(UsageCheck.elevator_id, actor, today)


def readable_drills(actor: Principal, today: date) -> ColumnElement[bool]:
    """WHERE clause on `RescueDrill`: the bureau and district-wide readers see every drill; a
    maintenance unit its own; others the drills held on elevators they may read."""
    # A drill need not name an elevator, so district-wide readers are listed here explicitly.
    if actor.role in (Role.BUREAU, Role.CLI, Role.OPERATOR, Role.INSPECTION_AGENCY):
        return true()
    return _on_readable_elevator(RescueDrill.elevator_id, actor, today) | _own(
        RescueDrill.maintenance_unit_id, actor
    )
