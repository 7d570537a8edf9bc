"""What the staff pages show, assembled from the domain services the API uses.

Nothing here queries around the services' scoping: incidents come from
`lifecycle.incidents_statement(actor=…)`, elevators from the risk list's `elevator_filter`, KPIs
from `kpi.service.compute`; this module only joins the names a page needs and shapes the rows.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.incidents import lifecycle as lifecycle_service
from elevator_registry.incidents.enums import IncidentKind
from elevator_registry.incidents.models import Incident
from elevator_registry.incidents.scoping import mask_phone, sees_caller_phone
from elevator_registry.kpi import service as kpi_service
from elevator_registry.registry.enums import OrganisationRole
from elevator_registry.registry.models import (
    Elevator,
    MaintenanceContract,
    Organisation,
    OrganisationRoleRow,
    Street,
)
from elevator_registry.rules import service as rules_service
from elevator_registry.rules.context import current_contract

# The buttons a maintenance firm gets, in the order of the rescue; "close" comes with the
# fault-cause picker, the two side exits are buttons of their own.
FIRM_ACTIONS = ("accept", "arrive", "release", "close", "self_released", "false_alarm")
ACTION_ZH = {
    "accept": "接单",
    "arrive": "已到场",
    "release": "已解救",
    "close": "办结",
    "self_released": "自行脱困",
    "false_alarm": "误报",
}
# Rules that say an elevator's maintenance is late (the firm page's "overdue" list).
MAINTENANCE_RULES = ("MAINTENANCE_OVERDUE", "MAINTENANCE_CLASS_OVERDUE")
# How far ahead the firm page looks for maintenance falling due.
DUE_SOON_DAYS = 3


@dataclass(frozen=True)
class BoardRow:
    """An open incident with where it is and how long is left until the arrival deadline."""

    incident: Incident
    street: str
    address: str
    rescue_code: str
    unit_name: str | None
    seconds_left: int
    actions: tuple[str, ...]
    # 栋 / 单元 / 梯号, so the rescuer finds the car in a housing estate.
    building: str | None = None
    unit: str | None = None
    in_house_number: str | None = None
    # Unmasked only for whoever calls the reporter back (staff, the assigned firm).
    caller_phone: str | None = None

    @property
    def awaiting_rescuer(self) -> bool:
        """A rescue nobody is sent to yet: it waits on the 96333 seats' queue."""
        return (
            self.incident.status == "reported"
            and self.incident.maintenance_unit_id is None
            and self.incident.kind in IncidentKind.dispatched_at_intake()
        )


def organisation_choices(session: Session, role: OrganisationRole) -> list[tuple[int, str]]:
    """(id, name) of the organisations holding `role`, by name: a filter's picker."""
    return [
        (row.id, row.name)
        for row in session.execute(
            select(Organisation.id, Organisation.name)
            .join(OrganisationRoleRow, OrganisationRoleRow.organisation_id == Organisation.id)
            .where(OrganisationRoleRow.role == role)
            .order_by(Organisation.name, Organisation.id)
        )
    ]


def maintainer_names(session: Session, elevator_ids: list[int], day: date) -> dict[int, str]:
    """The name of the unit whose contract covers `day`, per elevator (absent: none)."""
    if not elevator_ids:
        return {}
    rows = session.execute(
        select(Elevator.id, Organisation.name)
        .join(MaintenanceContract, current_contract(day))
        .join(Organisation, Organisation.id == MaintenanceContract.maintenance_unit_id)
        .where(Elevator.id.in_(elevator_ids))
    )
    return {row.id: row.name for row in rows}


def street_names(session: Session) -> list[str]:
    """Streets and towns of the district, for filter menus."""
    return list(session.scalars(select(Street.name).order_by(Street.name)))


def rescue_units(session: Session) -> list[tuple[int, str]]:
    """Maintenance firms a seat may send to an unowned incident (id, name), by name."""
    return [
        (unit_id, name)
        for unit_id, name in session.execute(
            select(Organisation.id, Organisation.name)
            .join(OrganisationRoleRow, OrganisationRoleRow.organisation_id == Organisation.id)
            .where(OrganisationRoleRow.role == OrganisationRole.MAINTAINER)
            .order_by(Organisation.name)
        )
    ]


def open_incidents(
    session: Session,
    *,
    actor: Principal,
    now: datetime,
    street: str | None = None,
    limit: int,
    unassigned_only: bool = False,
) -> list[BoardRow]:
    """Open incidents the caller may read, nearest arrival deadline first; `unassigned_only`
    keeps those still waiting for a seat to send a rescuer (the seats' queue)."""
    statement = (
        lifecycle_service.incidents_statement(actor=actor, open_only=True)
        .join(Elevator, Elevator.id == Incident.elevator_id)
        .outerjoin(Organisation, Organisation.id == Incident.maintenance_unit_id)
        .add_columns(
            Elevator.street,
            Elevator.address,
            Elevator.rescue_code,
            Organisation.name,
            Elevator.building,
            Elevator.unit,
            Elevator.in_house_number,
        )
        .order_by(Incident.arrival_deadline_at, Incident.id)
        .limit(limit)
    )
    if street:
        statement = statement.where(Elevator.street == street)
    if unassigned_only:
        statement = statement.where(lifecycle_service.unassigned())
    return [
        BoardRow(
            incident=incident,
            street=row_street,
            address=address,
            rescue_code=rescue_code,
            unit_name=unit_name,
            seconds_left=int((incident.arrival_deadline_at - now).total_seconds()),
            actions=tuple(
                action
                for action in FIRM_ACTIONS
                if incident.status
                in lifecycle_service.TRANSITIONS[action].starts.get(incident.kind, frozenset())
            ),
            building=building,
            unit=unit,
            in_house_number=in_house_number,
            caller_phone=incident.caller_phone
            if sees_caller_phone(actor, incident)
            else mask_phone(incident.caller_phone),
        )
        for (
            incident,
            row_street,
            address,
            rescue_code,
            unit_name,
            building,
            unit,
            in_house_number,
        ) in session.execute(statement)
    ]


def kpi_period(today: date) -> tuple[date, date]:
    """The dashboard's default period: the year to date."""
    return date(today.year, 1, 1), today


def dashboard(
    session: Session,
    *,
    actor: Principal,
    settings: Settings,
    now: datetime,
    today: date,
    date_from: date,
    date_to: date,
) -> dict[str, Any]:
    """The dashboard's figures: KPI tiles, monthly series, risk per street, open incidents."""
    common = {"date_from": date_from, "date_to": date_to, "actor": actor, "settings": settings}
    district = kpi_service.compute(
        session, group_by=kpi_service.GroupBy.DISTRICT, now=now, **common
    )
    monthly = kpi_service.compute(session, group_by=kpi_service.GroupBy.MONTH, now=now, **common)
    tiles = district["groups"][0]["kpis"] if district["groups"] else []
    # A month the period covers only in part (the running one, mostly) is marked on the charts:
    # its rate counts its elevator-months by the share of days, as the plan's monthly rate does.
    partial = [
        month for month, share in kpi_service.month_shares(date_from, date_to).items() if share < 1
    ]
    series = [
        {
            "figure": tile,
            "points": [
                (
                    f"{group['key']} 未满月" if group["key"] in partial else group["key"],
                    next(k for k in group["kpis"] if k["code"] == tile["code"])["value"],
                )
                for group in monthly["groups"]
            ],
        }
        for tile in tiles
    ]
    risk = rules_service.risk_summary(
        session,
        rules_service.RiskQuery(
            actor=actor,
            filters=rules_service.RiskFilters(),
            as_of=today,
            today=today,
            now=now,
            settings=settings,
        ),
    )
    # Streets with the most risk first: where the bureau should look.
    risk["by_street"] = sorted(
        risk["by_street"], key=lambda row: (-row["score"], -row["elevators"], row["street"])
    )
    return {
        "tiles": tiles,
        "series": series,
        "partial_months": partial,
        "risk": risk,
        "incidents": open_incidents(session, actor=actor, now=now, limit=10),
    }


def maintenance_due(
    session: Session, *, actor: Principal, settings: Settings, now: datetime, today: date
) -> dict[str, list[rules_service.RiskRow]]:
    """The caller's elevators whose maintenance is overdue today, or falls overdue soon.

    "Soon" is the same rules evaluated DUE_SOON_DAYS ahead, less what is overdue already.
    """
    filters = rules_service.RiskFilters(rules=MAINTENANCE_RULES)

    def rows(as_of: date) -> list[rules_service.RiskRow]:
        return list(
            rules_service.iter_risk_rows(
                session,
                rules_service.RiskQuery(
                    actor=actor,
                    filters=filters,
                    as_of=as_of,
                    today=today,
                    now=now,
                    settings=settings,
                ),
            )
        )

    overdue = rows(today)
    overdue_ids = {row.elevator.id for row in overdue}
    ahead = today + timedelta(days=DUE_SOON_DAYS)
    due_soon = [row for row in rows(ahead) if row.elevator.id not in overdue_ids]
    return {"overdue": overdue, "due_soon": due_soon}
