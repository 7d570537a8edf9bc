"""What the public may read: an incident through its tracking token, an elevator's public card.

Neither shows a person: no phone numbers, no names of callers, operators or rescuers, no
reasons typed by staff. Organisations (the maintenance unit and its duty phone) are public.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from elevator_registry.config import Settings
from elevator_registry.errors import DomainError, NotFound
from elevator_registry.incidents.enums import IncidentKind, IncidentStatus
from elevator_registry.incidents.intake import RescueCodeUnknown, hash_secret, local_date_of
from elevator_registry.incidents.models import Incident, IncidentEvent, IncidentReport
from elevator_registry.inspection import schedule
from elevator_registry.inspection.enums import InspectionKind
from elevator_registry.inspection.models import Inspection
from elevator_registry.maintenance.models import MaintenanceRecord
from elevator_registry.registry.elevators import latest_inspection_failed
from elevator_registry.registry.models import Elevator, MaintenanceContract, Organisation
from elevator_registry.registry.scoping import contract_current_on


class TrackingTokenUnknown(NotFound):
    """404 TRACKING_TOKEN_UNKNOWN."""

    def __init__(self) -> None:
        DomainError.__init__(
            self, "TRACKING_TOKEN_UNKNOWN", "no report has this tracking token", field="token"
        )


def track(session: Session, *, token: str, settings: Settings) -> dict[str, Any]:
    """The incident a tracking token belongs to (first report or a later one), for the public."""
    token_hash = hash_secret(token)
    incident = session.scalar(select(Incident).where(Incident.tracking_token_hash == token_hash))
    if incident is None:
        incident = session.scalar(
            select(Incident)
            .join(IncidentReport, IncidentReport.incident_id == Incident.id)
            .where(IncidentReport.tracking_token_hash == token_hash)
        )
    if incident is None:
        raise TrackingTokenUnknown()
    events = session.execute(
        select(IncidentEvent.kind, IncidentEvent.at, IncidentEvent.detail)
        .where(IncidentEvent.incident_id == incident.id)
        .order_by(IncidentEvent.at, IncidentEvent.id)
    ).all()
    elevator = session.get(Elevator, incident.elevator_id)
    assert elevator is not None  # incident.elevator_id is a non-null foreign key
    return {
        "number": incident.number,
        "elevator": _place(elevator),
        "kind": incident.kind,
        "status": incident.status,
        "escalation_level": incident.escalation_level,
        "reported_at": incident.reported_at,
        "arrival_deadline_at": incident.arrival_deadline_at,
        "arrived_at": incident.arrived_at,
        "released_at": incident.released_at,
        "closed_at": incident.closed_at,
        "maintenance_unit": _unit(session, incident.maintenance_unit_id),
        # Nobody sent yet (no contract): the seats' queue holds it until one assigns a rescuer.
        "awaiting_rescuer": incident.status == IncidentStatus.REPORTED
        and incident.maintenance_unit_id is None
        and incident.kind in IncidentKind.dispatched_at_intake(),
        "timeline": [
            {"kind": kind, "at": at, "escalation_level": (detail or {}).get("level")}
            for kind, at, detail in events
        ],
        "hotline": settings.rescue_hotline,
    }


def _place(elevator: Elevator) -> dict[str, Any]:
    """Where the elevator is, as its card shows it (so the reporter can tell it is the right one)."""
    return {
        "rescue_code": elevator.rescue_code,
        "street": elevator.street,
        "address": elevator.address,
        "building": elevator.building,
        "unit": elevator.unit,
        "in_house_number": elevator.in_house_number,
    }


def elevator_card(
    session: Session, *, rescue_code: str, settings: Settings, now: datetime
) -> dict[str, Any]:
    """The public card of the elevator with this rescue code (what its QR code shows)."""
    elevator = session.scalar(select(Elevator).where(Elevator.rescue_code == rescue_code))
    if elevator is None:
        raise RescueCodeUnknown(rescue_code)
    today = local_date_of(now, settings.timezone)
    unit_id = session.scalar(
        select(MaintenanceContract.maintenance_unit_id)
        .where(MaintenanceContract.elevator_id == elevator.id, contract_current_on(today))
        .order_by(MaintenanceContract.start_date.desc())
        .limit(1)
    )
    superseding = aliased(MaintenanceRecord)
    last_visit = session.scalar(
        select(func.max(MaintenanceRecord.performed_at)).where(
            MaintenanceRecord.elevator_id == elevator.id,
            MaintenanceRecord.performed_at <= now,
            # The latest revision of each record tells when the visit really was.
            ~exists().where(superseding.supersedes_id == MaintenanceRecord.id),
        )
    )
    return {
        "rescue_code": elevator.rescue_code,
        "address": elevator.address,
        "building": elevator.building,
        "unit": elevator.unit,
        "in_house_number": elevator.in_house_number,
        "street": elevator.street,
        "status": elevator.status,
        "place_category": elevator.place_category,
        "maintenance_unit": _unit(session, unit_id),
        "last_maintenance_on": local_date_of(last_visit, settings.timezone) if last_visit else None,
        "inspection_valid_until": inspection_valid_until(
            session, elevator=elevator, today=today, regime=settings.inspection_regime
        ),
        "hotline": settings.rescue_hotline,
    }


def inspection_valid_until(
    session: Session, *, elevator: Elevator, today: date, regime: str
) -> date | None:
    """Until when the inspection holds, by the TSG T7001-2023 schedule (inspection.schedule)."""
    latest = dict(
        session.execute(
            select(Inspection.kind, func.max(Inspection.performed_on))
            .where(
                Inspection.elevator_id == elevator.id,
                Inspection.kind.in_([InspectionKind.PERIODIC, InspectionKind.SELF_TEST]),
                Inspection.performed_on <= today,
            )
            .group_by(Inspection.kind)
        ).all()
    )
    base = schedule.schedule_base(
        installation_inspected_on=elevator.installation_inspected_on,
        modernised_on=elevator.modernised_on,
        commissioned_on=elevator.commissioned_on,
    )
    next_inspection, next_self_test = schedule.next_due(
        base, latest.get(InspectionKind.PERIODIC), latest.get(InspectionKind.SELF_TEST), regime
    )
    return schedule.inspection_valid_until(
        next_inspection,
        next_self_test,
        latest_failed=latest_inspection_failed(session, elevator.id) is not None,
    )


def _unit(session: Session, organisation_id: int | None) -> dict[str, Any] | None:
    if organisation_id is None:
        return None
    row = session.execute(
        select(Organisation.name, Organisation.duty_phone).where(Organisation.id == organisation_id)
    ).one()
    return {"name": row.name, "duty_phone": row.duty_phone}
