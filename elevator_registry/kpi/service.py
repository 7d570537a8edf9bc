"""KPI computation: grouped SQL aggregates of incidents, elevators and inspections, combined.

They are read from the trigger-kept summary tables (kpi.models: day sums per street and per
unit, running sums of the elevators in use) plus the few incidents still waiting for someone;
or, where the summary does not hold the grouping, summed from the base tables. Every figure is a numerator and a denominator summed in SQL with GROUP BY, so the figures add
up: the numerators and denominators of the streets sum to the district's, and so do the
months' and the maintenance units'. A rate with a zero denominator is "no data" (value null),
never a division by zero.
"""

import calendar
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.errors import Forbidden, InvalidValue
from elevator_registry.governance.eligibility import in_force_on
from elevator_registry.incidents.enums import FaultCause, IncidentKind, IncidentStatus
from elevator_registry.incidents.models import Incident
from elevator_registry.inspection.enums import InspectionKind, InspectionResult
from elevator_registry.inspection.models import Inspection
from elevator_registry.kpi.definitions import (
    AVERAGE_ARRIVAL_MINUTES,
    EMERGENCY_RESPONSE_RATE,
    INSPECTION_PASS_RATE,
    INSURANCE_COVERAGE,
    KPIS,
    ON_TIME_ARRIVAL_RATE,
    TRAPPED_FAULT_RATE,
    Kpi,
)
from elevator_registry.kpi.models import (
    MEASURES,
    NO_UNIT,
    SUMMARY_RESPONSE_MINUTES,
    SUMMARY_TIMEZONE,
    KpiFleet,
    KpiStreetDay,
    KpiUnitDay,
)
from elevator_registry.registry.enums import ElevatorStatus
from elevator_registry.registry.models import Elevator, MaintenanceContract, Organisation
from elevator_registry.registry.scoping import contract_current_on

MAX_PERIOD_DAYS = 3 * 366


class GroupBy(StrEnum):
    """How the KPI figures are broken down."""

    DISTRICT = "district"
    STREET = "street"
    MAINTENANCE_UNIT = "maintenance_unit"
    MONTH = "month"


def compute(
    session: Session,
    *,
    date_from: date,
    date_to: date,
    group_by: GroupBy,
    actor: Principal,
    settings: Settings,
    now: datetime,
    from_summary: bool = True,
) -> dict[str, Any]:
    """The five plan KPIs and insurance coverage for [date_from, date_to] (local dates), grouped.

    From the summary tables (kpi.models) where they hold the grouping; `from_summary=False`
    recomputes everything from the base tables (the oracle the summary is tested against).
    Insurance coverage is always counted from the policies in force on `date_to`.
    """
    scope = _scope(actor)
    if date_to < date_from:
        raise InvalidValue("DATE_RANGE_INVALID", "to is before from", field="to")
    if (date_to - date_from).days >= MAX_PERIOD_DAYS:
        raise InvalidValue(
            "PERIOD_TOO_LONG", f"the period may span at most {MAX_PERIOD_DAYS} days", field="to"
        )
    zone = ZoneInfo(settings.timezone)
    start = datetime.combine(date_from, time(), zone).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(), zone).astimezone(UTC)
    dialect = session.get_bind().dialect.name
    sums: dict[Any, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    incident_sums = _incident_sums(group_by, scope, start, end, now, settings, dialect, zone)
    if from_summary and _summary_applies(group_by, scope, settings):
        statements = [
            _summary_sums(group_by, scope, date_from, date_to, dialect),
            # The summary holds settled incidents only; the waiting ones are read live.
            incident_sums.where(Incident.arrived_at.is_(None), Incident.released_at.is_(None)),
        ]
        fleets = [
            _fleet_counts(group_by, scope, date_to),
            _elevator_counts(group_by, scope, date_to, insured_only=True),
        ]
    else:
        statements = [
            incident_sums,
            _inspection_sums(group_by, scope, date_from, date_to, dialect),
        ]
        fleets = [_elevator_counts(group_by, scope, date_to)]
    for statement in statements:
        for row in session.execute(statement).mappings():
            for name, value in row.items():
                if name != "key":
                    sums[row["key"]][name] += float(value or 0)
    months = month_shares(date_from, date_to)
    for statement in fleets:
        for row in session.execute(statement).mappings():
            # The fleet is counted on the period's last day and stands for every month of it.
            shares = months if group_by == GroupBy.MONTH else {row["key"]: sum(months.values())}
            elevators = float(row.get("elevators", 0))
            for key, share in shares.items():
                sums[key]["elevators"] += elevators
                sums[key]["insured"] += float(row.get("insured") or 0)
                sums[key]["elevator_months"] += elevators * share
    if group_by == GroupBy.MONTH:
        for month in months:
            sums[month]  # every month of the period is shown, with "no data" where empty
    if group_by == GroupBy.DISTRICT and not sums:
        sums["district"]
    labels = _labels(session, group_by, list(sums))
    groups = [
        {
            "key": None if key is None else str(key),
            "label": labels.get(key, str(key)),
            "kpis": _kpis(values, settings),
        }
        for key, values in sorted(sums.items(), key=lambda item: (item[0] is None, str(item[0])))
    ]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "group_by": group_by,
        "generated_at": now,
        "groups": groups,
    }


# Aggregates ----------------------------------------------------------------------------------


def _scope(actor: Principal) -> dict[str, Any]:
    match actor.role:
        case Role.BUREAU | Role.OPERATOR | Role.CLI:
            return {}
        case Role.STREET_OFFICE:
            return {"street": actor.street}
        case Role.MAINTENANCE_UNIT:
            return {"maintenance_unit_id": actor.organisation_id}
        case _:
            raise Forbidden(
                "FORBIDDEN_ROLE",
                f"role {actor.role or 'public'} may not read KPIs; needs bureau, operator, "
                "street_office or maintenance_unit",
            )


def _seconds_between(earlier: Any, later: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    # SQLite stores UTC text; julianday is a float in days, rounded back to whole seconds.
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400)


def _local_month(column: Any, dialect: str, zone: ZoneInfo, *, is_date: bool = False) -> Any:
    if dialect == "postgresql":
        value = column if is_date else func.timezone(zone.key, column)
        return func.to_char(value, "YYYY-MM")
    if is_date:
        return func.strftime("%Y-%m", column)
    # SQLite has no time zones: the zone's current UTC offset (Asia/Shanghai has no DST).
    offset = datetime.now(zone).utcoffset() or timedelta()
    return func.strftime("%Y-%m", column, f"{int(offset.total_seconds() // 60):+d} minutes")


def _incident_sums(
    group_by: GroupBy,
    scope: dict[str, Any],
    start: datetime,
    end: datetime,
    now: datetime,
    settings: Settings,
    dialect: str,
    zone: ZoneInfo,
) -> Select[Any]:
    key: Any
    match group_by:
        case GroupBy.DISTRICT:
            key = literal("district")
        case GroupBy.STREET:
            key = Elevator.street
        case GroupBy.MAINTENANCE_UNIT:
            key = Incident.maintenance_unit_id
        case GroupBy.MONTH:
            key = _local_month(Incident.reported_at, dialect, zone)
    response_seconds = settings.kpi_response_minutes * 60
    arrived = Incident.arrived_at.is_not(None)
    not_faults = [str(cause) for cause in FaultCause.not_elevator_faults()]

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.sum(case((condition, 1), else_=0))

    statement = (
        select(
            key.label("key"),
            count_if(Incident.dispatched_at.is_not(None)).label("dispatched"),
            count_if(
                and_(
                    Incident.dispatched_at.is_not(None),
                    Incident.accepted_at.is_not(None),
                    _seconds_between(Incident.dispatched_at, Incident.accepted_at, dialect)
                    <= response_seconds,
                )
            ).label("responded"),
            count_if(
                or_(
                    Incident.fault_cause_code.is_(None),
                    Incident.fault_cause_code.not_in(not_faults),
                )
            ).label("fault_trapped"),
            count_if(arrived).label("arrived"),
            func.sum(
                case(
                    (arrived, _seconds_between(Incident.reported_at, Incident.arrived_at, dialect)),
                    else_=0,
                )
            ).label("arrival_seconds"),
            count_if(and_(arrived, Incident.arrived_at <= Incident.arrival_deadline_at)).label(
                "on_time"
            ),
            count_if(
                and_(
                    Incident.arrived_at.is_(None),
                    Incident.arrival_deadline_at < func.coalesce(Incident.released_at, now),
                )
            ).label("late_without_arrival"),
        )
        .where(
            Incident.kind == IncidentKind.TRAPPED,
            Incident.reported_at >= start,
            Incident.reported_at < end,
            Incident.status.not_in(list(IncidentStatus.not_genuine())),
        )
        .group_by(key)
    )
    if group_by == GroupBy.STREET or "street" in scope:
        statement = statement.join(Elevator, Elevator.id == Incident.elevator_id)
    if "street" in scope:
        statement = statement.where(Elevator.street == scope["street"])
    if "maintenance_unit_id" in scope:
        statement = statement.where(Incident.maintenance_unit_id == scope["maintenance_unit_id"])
    return statement


def _elevator_counts(
    group_by: GroupBy, scope: dict[str, Any], on: date, *, insured_only: bool = False
) -> Select[Any]:
    """Elevators in use and those insured on `on`, per group; only the insured when told."""
    by_unit = group_by == GroupBy.MAINTENANCE_UNIT or "maintenance_unit_id" in scope
    key: Any = {
        GroupBy.DISTRICT: literal("district"),
        GroupBy.STREET: Elevator.street,
        GroupBy.MAINTENANCE_UNIT: MaintenanceContract.maintenance_unit_id,
        GroupBy.MONTH: literal("all"),
    }[group_by]
    counts = (
        [func.count().label("insured")]
        if insured_only
        else [
            func.count().label("elevators"),
            func.sum(case((in_force_on(on), 1), else_=0)).label("insured"),
        ]
    )
    statement = (
        select(key.label("key"), *counts)
        .select_from(Elevator)
        .where(Elevator.status == ElevatorStatus.IN_USE)
        .group_by(key)
    )
    if insured_only:
        statement = statement.where(in_force_on(on))
    if by_unit:
        statement = statement.outerjoin(
            MaintenanceContract,
            and_(MaintenanceContract.elevator_id == Elevator.id, contract_current_on(on)),
        )
    if "street" in scope:
        statement = statement.where(Elevator.street == scope["street"])
    if "maintenance_unit_id" in scope:
        statement = statement.where(
            MaintenanceContract.maintenance_unit_id == scope["maintenance_unit_id"]
        )
    return statement


def _inspection_sums(
    group_by: GroupBy, scope: dict[str, Any], date_from: date, date_to: date, dialect: str
) -> Select[Any]:
    by_unit = group_by == GroupBy.MAINTENANCE_UNIT or "maintenance_unit_id" in scope
    key: Any = {
        GroupBy.DISTRICT: literal("district"),
        GroupBy.STREET: Elevator.street,
        GroupBy.MAINTENANCE_UNIT: MaintenanceContract.maintenance_unit_id,
        GroupBy.MONTH: _local_month(
            Inspection.performed_on, dialect, ZoneInfo("UTC"), is_date=True
        ),
    }[group_by]
    statement = (
        select(
            key.label("key"),
            func.count().label("inspections"),
            func.sum(case((Inspection.result == InspectionResult.PASS, 1), else_=0)).label(
                "first_passes"
            ),
        )
        .where(
            Inspection.kind.in_([InspectionKind.PERIODIC, InspectionKind.SELF_TEST]),
            Inspection.performed_on >= date_from,
            Inspection.performed_on <= date_to,
        )
        .group_by(key)
    )
    if group_by == GroupBy.STREET or "street" in scope:
        statement = statement.join(Elevator, Elevator.id == Inspection.elevator_id)
    if by_unit:
        statement = statement.outerjoin(
            MaintenanceContract,
            and_(
                MaintenanceContract.elevator_id == Inspection.elevator_id,
                MaintenanceContract.start_date <= Inspection.performed_on,
                MaintenanceContract.effective_end >= Inspection.performed_on,
            ),
        )
    if "street" in scope:
        statement = statement.where(Elevator.street == scope["street"])
    if "maintenance_unit_id" in scope:
        statement = statement.where(
            MaintenanceContract.maintenance_unit_id == scope["maintenance_unit_id"]
        )
    return statement


def _summary_applies(group_by: GroupBy, scope: dict[str, Any], settings: Settings) -> bool:
    """Whether the summary tables hold this grouping, scope and settings."""
    if (settings.timezone, settings.kpi_response_minutes) != (
        SUMMARY_TIMEZONE,
        SUMMARY_RESPONSE_MINUTES,
    ):
        return False
    # The day sums are kept per street and per unit, not per street and unit together.
    crossed = ("street" in scope and group_by == GroupBy.MAINTENANCE_UNIT) or (
        "maintenance_unit_id" in scope and group_by == GroupBy.STREET
    )
    return not crossed


def _summary_sums(
    group_by: GroupBy, scope: dict[str, Any], date_from: date, date_to: date, dialect: str
) -> Select[Any]:
    by_unit = group_by == GroupBy.MAINTENANCE_UNIT or "maintenance_unit_id" in scope
    table: type[KpiStreetDay] | type[KpiUnitDay] = KpiUnitDay if by_unit else KpiStreetDay
    key: Any = {
        GroupBy.DISTRICT: literal("district"),
        GroupBy.STREET: KpiStreetDay.street,
        GroupBy.MAINTENANCE_UNIT: func.nullif(KpiUnitDay.maintenance_unit_id, NO_UNIT),
        GroupBy.MONTH: _local_month(table.day, dialect, ZoneInfo("UTC"), is_date=True),
    }[group_by]
    statement = (
        select(key.label("key"), *(func.sum(getattr(table, name)).label(name) for name in MEASURES))
        .where(table.day >= date_from, table.day <= date_to)
        .group_by(key)
        # Rows a change brought back to zero are no group (the base tables have no fact there).
        .having(func.sum(table.incidents) + func.sum(table.inspections) > 0)
    )
    if "street" in scope:
        statement = statement.where(KpiStreetDay.street == scope["street"])
    if "maintenance_unit_id" in scope:
        statement = statement.where(KpiUnitDay.maintenance_unit_id == scope["maintenance_unit_id"])
    return statement


def _fleet_counts(group_by: GroupBy, scope: dict[str, Any], on: date) -> Select[Any]:
    """Elevators in use per group (by the contracts of day `on`), from the running sums."""
    key: Any = {
        GroupBy.DISTRICT: literal("district"),
        GroupBy.STREET: KpiFleet.street,
        GroupBy.MAINTENANCE_UNIT: func.nullif(KpiFleet.maintenance_unit_id, NO_UNIT),
        GroupBy.MONTH: literal("all"),
    }[group_by]
    elevators = func.sum(KpiFleet.elevators)
    statement = (
        select(key.label("key"), elevators.label("elevators"))
        .where(KpiFleet.day <= on)
        .group_by(key)
        .having(elevators != 0)  # a unit whose contracts all ended is no group
    )
    if "street" in scope:
        statement = statement.where(KpiFleet.street == scope["street"])
    if "maintenance_unit_id" in scope:
        statement = statement.where(KpiFleet.maintenance_unit_id == scope["maintenance_unit_id"])
    return statement


# Assembly ------------------------------------------------------------------------------------


def month_shares(date_from: date, date_to: date) -> dict[str, float]:
    """Each calendar month the period touches, with the share of its days inside the period."""
    shares: dict[str, float] = {}
    day = date_from.replace(day=1)
    while day <= date_to:
        length = calendar.monthrange(day.year, day.month)[1]
        last = day.replace(day=length)
        covered = (min(last, date_to) - max(day, date_from)).days + 1
        shares[f"{day:%Y-%m}"] = covered / length
        day = last + timedelta(days=1)
    return shares


def _labels(session: Session, group_by: GroupBy, keys: list[Any]) -> dict[Any, str]:
    if group_by == GroupBy.DISTRICT:
        district = session.scalar(select(Elevator.district).limit(1)) or "district"
        return dict.fromkeys(keys, district)
    if group_by != GroupBy.MAINTENANCE_UNIT:
        return {}
    ids = [int(key) for key in keys if key is not None]
    names = (
        dict(
            session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    labels = {key: names.get(int(key), str(key)) for key in keys if key is not None}
    labels[None] = "无维保单位 (no contract)"
    return labels


def _figure(kpi: Kpi, numerator: float, denominator: float, **detail: Any) -> dict[str, Any]:
    value = numerator / denominator if denominator else None
    return {
        "code": kpi.code,
        "title_zh": kpi.title_zh,
        "title_en": kpi.title_en,
        "unit": kpi.unit,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "target": kpi.target,
        "comparison": kpi.comparison,
        "met": None if value is None else kpi.met(value),
        "status": "no_data" if value is None else ("met" if kpi.met(value) else "not_met"),
        "detail": detail,
    }


def _kpis(values: dict[str, float], settings: Settings) -> list[dict[str, Any]]:
    get = values.get
    fault_rate = _figure(
        TRAPPED_FAULT_RATE,
        get("fault_trapped", 0.0),
        round(get("elevator_months", 0.0), 6),
        elevators_in_use=get("elevators", 0.0),
    )
    fault_rate["detail"]["yearly_rate"] = (
        None if fault_rate["value"] is None else fault_rate["value"] * 12
    )
    figures = {
        EMERGENCY_RESPONSE_RATE.code: _figure(
            EMERGENCY_RESPONSE_RATE,
            get("responded", 0.0),
            get("dispatched", 0.0),
            response_minutes=settings.kpi_response_minutes,
            # Dispatches not accepted within the response time: per firm with group_by
            # maintenance_unit, what MAINTAINER_NON_RESPONSE counts over its own window.
            non_responses=get("dispatched", 0.0) - get("responded", 0.0),
        ),
        TRAPPED_FAULT_RATE.code: fault_rate,
        INSPECTION_PASS_RATE.code: _figure(
            INSPECTION_PASS_RATE, get("first_passes", 0.0), get("inspections", 0.0)
        ),
        AVERAGE_ARRIVAL_MINUTES.code: _figure(
            AVERAGE_ARRIVAL_MINUTES, get("arrival_seconds", 0.0) / 60, get("arrived", 0.0)
        ),
        ON_TIME_ARRIVAL_RATE.code: _figure(
            ON_TIME_ARRIVAL_RATE,
            get("on_time", 0.0),
            get("arrived", 0.0) + get("late_without_arrival", 0.0),
            late_without_arrival=get("late_without_arrival", 0.0),
        ),
        INSURANCE_COVERAGE.code: _figure(
            INSURANCE_COVERAGE, get("insured", 0.0), get("elevators", 0.0)
        ),
    }
    return [figures[kpi.code] for kpi in KPIS]
