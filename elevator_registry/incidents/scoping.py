"""Row scoping for incidents, in one place: who may read an incident and who may act on it.

- bureau, 96333 operators and the CLI read and act on every incident;
- a maintenance unit reads and works the incidents dispatched to it (never another unit's);
- a street office reads the incidents of its street or town, a user unit those of its
  elevators; neither acts on them;
- the public reads an incident only through its tracking token; IoT platforms only post alarms.
"""

from sqlalchemy import ColumnElement, false, select, true

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.errors import Forbidden
from elevator_registry.incidents.models import Incident
from elevator_registry.registry.models import Elevator

STAFF = (Role.BUREAU, Role.OPERATOR, Role.CLI)
# What the assigned maintenance unit may do; cancelling and escalating are the platform's.
UNIT_ACTIONS = frozenset({"accept", "arrive", "release", "close", "self_released", "false_alarm"})


def readable_incidents(principal: Principal) -> ColumnElement[bool]:
    """WHERE clause on `Incident` selecting what `principal` may read."""
    match principal.role:
        case Role.BUREAU | Role.OPERATOR | Role.CLI:
            return true()
        case Role.MAINTENANCE_UNIT:
            return Incident.maintenance_unit_id == (principal.organisation_id or 0)
        case Role.STREET_OFFICE:
            return Incident.elevator_id.in_(
                select(Elevator.id).where(Elevator.street == principal.street)
            )
        case Role.USER_UNIT:
            return Incident.elevator_id.in_(
                select(Elevator.id).where(Elevator.user_unit_id == principal.organisation_id)
            )
        case _:
            return false()


def require_actor(principal: Principal, incident: Incident, action: str) -> None:
    """403 unless `principal` may perform `action` on `incident` (which it can already read)."""
    if principal.role in STAFF:
        return
    if principal.role == Role.MAINTENANCE_UNIT:
        if action in UNIT_ACTIONS and incident.maintenance_unit_id == principal.organisation_id:
            return
        raise Forbidden(
            "FORBIDDEN_ROLE",
            f"a maintenance unit may not {action.replace('_', ' ')} an incident; the 96333 "
            "operator or the bureau does",
        )
    raise Forbidden(
        "FORBIDDEN_ROLE",
        f"role {principal.role or 'public'} may not act on incidents; needs operator, bureau or "
        "the assigned maintenance unit",
    )


def sees_caller_phone(principal: Principal, incident: Incident) -> bool:
    """The dispatcher and the rescuer call the reporter back; everybody else sees a mask."""
    if principal.role in STAFF:
        return True
    return (
        principal.role == Role.MAINTENANCE_UNIT
        and incident.maintenance_unit_id == principal.organisation_id
    )


def mask_phone(phone: str | None) -> str | None:
    """138****5678: enough to recognise, not enough to call."""
    if phone is None:
        return None
    digits = phone.replace("-", "")
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "****" + digits[-4:]
