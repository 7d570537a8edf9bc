"""Row scoping for the registry, in one place: which elevators a caller may read and write.

- bureau, 96333 operator and inspection agencies read every elevator (agencies are assigned
  elevators anywhere in the district, before they have inspected them);
- a street office reads the elevators of its street or town;
- a maintenance unit reads the elevators it holds a contract for on the day asked;
- a user unit reads its own elevators;
- the public and IoT platforms read none through these routes.
"""

from datetime import date

from sqlalchemy import ColumnElement, exists, false, select, true

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.registry.models import Elevator, MaintenanceContract


def contract_current_on(day: date) -> ColumnElement[bool]:
    """A contract covers `day` (start and effective end inclusive)."""
    return (MaintenanceContract.start_date <= day) & (MaintenanceContract.effective_end >= day)


def maintained_by(organisation_id: int, day: date) -> ColumnElement[bool]:
    """The elevator has a contract with `organisation_id` covering `day`."""
    return exists(
        select(MaintenanceContract.id)
        .where(
            MaintenanceContract.elevator_id == Elevator.id,
            MaintenanceContract.maintenance_unit_id == organisation_id,
            contract_current_on(day),
        )
        .correlate(Elevator)
    )


def readable_elevators(principal: Principal, today: date) -> ColumnElement[bool]:
    """WHERE clause on `Elevator` selecting what `principal` may read."""
    match principal.role:
        case Role.BUREAU | Role.OPERATOR | Role.INSPECTION_AGENCY | Role.CLI:
            return true()
        case Role.STREET_OFFICE:
            return Elevator.street == principal.street
        case Role.MAINTENANCE_UNIT:
            return maintained_by(principal.organisation_id or 0, today)
        case Role.USER_UNIT:
            return Elevator.user_unit_id == principal.organisation_id
        case _:
            return false()
