"""What every rule query needs: the day it is evaluated for, settings, and shared clauses."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, and_, case, exists, func, literal, or_, select, true

from elevator_registry.config import Settings
from elevator_registry.governance.models import BlacklistEntry
from elevator_registry.registry.enums import ElevatorStatus, LicenceKind, LicenceStatus
from elevator_registry.registry.models import (
    Elevator,
    ElevatorAssignmentChange,
    ElevatorStatusChange,
    Licence,
    MaintenanceContract,
)


def start_of_local_day(day: date, timezone: str) -> datetime:
    """Midnight at the start of `day` in `timezone`, in UTC."""
    return datetime.combine(day, time(), ZoneInfo(timezone)).astimezone(UTC)


@dataclass(frozen=True)
class RuleContext:
    """A rule evaluation: as of `as_of` (a local date), with `now` for the live incident rule."""

    as_of: date
    settings: Settings
    now: datetime
    elevator_filter: ColumnElement[bool] = field(default_factory=true)

    @property
    def zone(self) -> ZoneInfo:
        """The district's time zone."""
        return ZoneInfo(self.settings.timezone)

    def start_of(self, day: date) -> datetime:
        """Local midnight at the start of `day`, in UTC."""
        return start_of_local_day(day, self.settings.timezone)

    @property
    def end_of_day(self) -> datetime:
        """The first instant after `as_of` (local), in UTC."""
        return self.start_of(self.as_of + timedelta(days=1))

    @property
    def instant(self) -> datetime:
        """The moment the live rules look at: now for today, else the end of `as_of`."""
        return min(self.now, self.end_of_day)

    @property
    def day(self) -> ColumnElement[date]:
        """`as_of` as a SQL date literal."""
        return literal(self.as_of, Date)


def status_on(day: date) -> ColumnElement[str]:
    """The elevator's status on `day`, from its dated status changes.

    Elevators entered without history keep their current status from `status_changed_on`, and
    before their first change the status that change moved from.
    """
    latest_change = (
        select(ElevatorStatusChange.to_status)
        .where(
            ElevatorStatusChange.elevator_id == Elevator.id, ElevatorStatusChange.changed_on <= day
        )
        .order_by(ElevatorStatusChange.changed_on.desc(), ElevatorStatusChange.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # An elevator entered without history has one once it changes: the first change after
    # `day` says what it was moving from.
    first_later_change = (
        select(ElevatorStatusChange.from_status)
        .where(
            ElevatorStatusChange.elevator_id == Elevator.id, ElevatorStatusChange.changed_on > day
        )
        .order_by(ElevatorStatusChange.changed_on, ElevatorStatusChange.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(
        latest_change,
        first_later_change,
        case(
            (
                or_(Elevator.status_changed_on.is_(None), Elevator.status_changed_on <= day),
                Elevator.status,
            ),
            else_=None,
        ),
    )


def _first_assignment_change_after(day: date) -> ColumnElement[bool]:
    return and_(
        ElevatorAssignmentChange.elevator_id == Elevator.id,
        ElevatorAssignmentChange.changed_on > day,
    )


def _assigned_on(day: date, column: ColumnElement[Any], current: ColumnElement[Any]) -> Any:
    """`column` of the first assignment change after `day` (its `from_` value is that day's),
    or the elevator's `current` value when none came after."""
    first_after = (
        select(column)
        .where(_first_assignment_change_after(day))
        .order_by(ElevatorAssignmentChange.changed_on, ElevatorAssignmentChange.id)
        .limit(1)
        .correlate(Elevator)
        .scalar_subquery()
    )
    # A CASE rather than COALESCE: the user unit before the change may have been none.
    changed = exists(
        select(ElevatorAssignmentChange.id).where(_first_assignment_change_after(day))
    ).correlate(Elevator)
    return case((changed, first_after), else_=current)


def street_on(day: date) -> ColumnElement[str]:
    """The elevator's street or town on `day`, from its assignment history."""
    return _assigned_on(day, ElevatorAssignmentChange.from_street, Elevator.street)


def user_unit_on(day: date) -> ColumnElement[int | None]:
    """The elevator's user unit on `day`, from its assignment history."""
    return _assigned_on(day, ElevatorAssignmentChange.from_user_unit_id, Elevator.user_unit_id)


def maintenance_unit_on(day: date) -> ColumnElement[int | None]:
    """The maintenance unit of the contract covering `day` (the latest-starting one)."""
    return (
        select(MaintenanceContract.maintenance_unit_id)
        .where(current_contract(day))
        .order_by(MaintenanceContract.start_date.desc(), MaintenanceContract.id.desc())
        .limit(1)
        .correlate(Elevator)
        .scalar_subquery()
    )


def in_use_on(day: date) -> ColumnElement[bool]:
    """The elevator was in use on `day`."""
    return status_on(day) == ElevatorStatus.IN_USE


def current_contract(day: date) -> ColumnElement[bool]:
    """Correlated: `MaintenanceContract` covers `day` for the outer `Elevator`."""
    return and_(
        MaintenanceContract.elevator_id == Elevator.id,
        MaintenanceContract.start_date <= day,
        MaintenanceContract.effective_end >= day,
    )


def has_contract_on(day: date) -> ColumnElement[bool]:
    """The elevator has a maintenance contract covering `day`."""
    return exists(select(MaintenanceContract.id).where(current_contract(day)).correlate(Elevator))


def blacklisted_on(organisation_id: ColumnElement[int], day: date) -> ColumnElement[bool]:
    """The organisation is on the blacklist on `day`."""
    return exists(
        select(BlacklistEntry.id).where(
            BlacklistEntry.organisation_id == organisation_id,
            BlacklistEntry.listed_on <= day,
            or_(BlacklistEntry.lifted_on.is_(None), BlacklistEntry.lifted_on > day),
        )
    )


def licence_valid_on(day: date, end_of_day: datetime) -> ColumnElement[bool]:
    """`Licence` was in force on `day`: within validity, not revoked, suspended or expired yet."""
    return and_(
        Licence.valid_from <= day,
        Licence.valid_until >= day,
        Licence.status != LicenceStatus.EXPIRED,
        or_(Licence.revoked_on.is_(None), Licence.revoked_on > day),
        or_(Licence.suspended_at.is_(None), Licence.suspended_at >= end_of_day),
    )


def licensed_to_maintain_on(
    organisation_id: ColumnElement[int],
    manufacturer_id: ColumnElement[int | None],
    day: date,
    end_of_day: datetime,
) -> ColumnElement[bool]:
    """安全法 第四十五条: an installation/maintenance licence, or the maker's own licence."""
    own_make = and_(Licence.kind == LicenceKind.MANUFACTURE, organisation_id == manufacturer_id)
    return exists(
        select(Licence.id).where(
            Licence.organisation_id == organisation_id,
            or_(Licence.kind == LicenceKind.INSTALLATION_MAINTENANCE, own_make),
            licence_valid_on(day, end_of_day),
        )
    )


def maintainer_eligible_on(
    organisation_id: ColumnElement[int],
    manufacturer_id: ColumnElement[int | None],
    day: date,
    end_of_day: datetime,
) -> ColumnElement[bool]:
    """MAINTAINER_NOT_ELIGIBLE's negation: licensed and not blacklisted on `day`."""
    return and_(
        licensed_to_maintain_on(organisation_id, manufacturer_id, day, end_of_day),
        ~blacklisted_on(organisation_id, day),
    )
