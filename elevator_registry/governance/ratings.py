"""Yearly star ratings of maintenance units (plan §三(三),(八); DESIGN §6).

A rating has two parts:

- *indicators*: what the registry shows about the unit in the calendar year, gathered by
  grouped SQL aggregates over all units at once (`gather_indicators`), plus the veto items found;
- *the verdict*: score, grade and stars, a pure function of the indicators (`verdict`).

The weights, scales and thresholds in force are stored inside the indicators, so a stored
rating can always be re-derived exactly (`verdict(rating.indicators)`), even after the
settings change. Recomputing a year rewrites a rating only when its indicators changed, and
the rewrite is audited with the before and after; an unchanged rating keeps its row and its
`computed_at`. One row per unit and year (what the public reads); the history of changes is in
the audit trail rather than in revision rows, because a rating only changes when late evidence
for a closed year arrives, which the bureau needs to see as an event.
"""

import json
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.errors import InvalidValue
from elevator_registry.governance.enums import RatingGrade
from elevator_registry.governance.models import BlacklistEntry, StarRating, VetoEvent
from elevator_registry.incidents.enums import FaultCause, IncidentKind, IncidentStatus
from elevator_registry.incidents.models import Incident
from elevator_registry.inspection.enums import InspectionKind, InspectionResult
from elevator_registry.inspection.models import Inspection
from elevator_registry.maintenance.models import (
    MaintenanceConfirmation,
    MaintenanceRecord,
    RescueDrill,
)
from elevator_registry.registry.enums import LicenceKind
from elevator_registry.registry.models import Licence, MaintenanceContract, Organisation
from elevator_registry.rules.context import licence_valid_on
from elevator_registry.rules.queries import is_latest_revision as is_latest_revision
from elevator_registry.rules.sql import day_after, days_between, local_date, minus_days

INDICATORS = (
    "on_time_arrival",
    "trapped_rate",
    "overdue_maintenance",
    "first_pass_inspection",
    "unconfirmed_records",
    "drills",
)
# Licences that allow maintenance (安全法 第四十五条): their expiry or revocation is a veto.
MAINTAINING_LICENCES = (LicenceKind.INSTALLATION_MAINTENANCE, LicenceKind.MANUFACTURE)
# Looking this far back before 1 January finds the visit before the year's first one.
PREVIOUS_VISIT_LOOKBACK_DAYS = 366


class _Year:
    """The calendar year being rated, as local dates and UTC bounds."""

    def __init__(self, year: int, timezone: str) -> None:
        zone = ZoneInfo(timezone)
        self.year = year
        self.first = date(year, 1, 1)
        self.last = date(year, 12, 31)
        self.days = (self.last - self.first).days + 1
        self.start_at = datetime.combine(self.first, time(), zone).astimezone(UTC)
        self.end_at = datetime.combine(date(year + 1, 1, 1), time(), zone).astimezone(UTC)


# The verdict ---------------------------------------------------------------------------------


def points(value: float | None, weight: float, scale: list[float]) -> float:
    """Points for one indicator: linear from `scale[0]` (none) to `scale[1]` (full weight).

    No data (None) earns full points: a unit with no trapped incident or no inspection in the
    year has nothing to be faulted for on that indicator.
    """
    if value is None:
        return weight
    zero, full = scale
    share = (value - zero) / (full - zero)
    return weight * min(1.0, max(0.0, share))


def verdict(indicators: dict[str, Any]) -> tuple[Decimal, int, RatingGrade]:
    """Score, stars and grade from stored indicators alone (the same function computes them)."""
    total = sum(
        points(
            indicators["values"][name]["value"],
            indicators["weights"][name],
            indicators["scales"][name],
        )
        for name in INDICATORS
    )
    score = Decimal(str(round(total, 2)))
    if indicators["vetoes"]:
        return Decimal("0.00"), 0, RatingGrade.D
    grade = next(
        (
            RatingGrade(grade)
            for grade, lowest in sorted(
                indicators["grade_thresholds"].items(), key=lambda item: -item[1]
            )
            if score >= Decimal(str(lowest))
        ),
        RatingGrade.D,
    )
    stars = next(
        (
            int(stars)
            for stars, lowest in sorted(
                indicators["star_thresholds"].items(), key=lambda item: -item[1]
            )
            if score >= Decimal(str(lowest))
        ),
        0,
    )
    if grade == RatingGrade.D:
        stars = 0
    return score, stars, grade


# Gathering -----------------------------------------------------------------------------------


def rated_units(year: _Year) -> Select[Any]:
    """Maintenance units that held a contract on any day of the year."""
    return (
        select(MaintenanceContract.maintenance_unit_id)
        .where(
            MaintenanceContract.start_date <= year.last,
            MaintenanceContract.effective_end >= year.first,
        )
        .distinct()
    )


def gather_indicators(
    session: Session, *, year: int, settings: Settings
) -> dict[int, dict[str, Any]]:
    """Every rated unit's indicators for `year`, from one grouped query per indicator."""
    period = _Year(year, settings.timezone)
    units = list(session.scalars(rated_units(period)))
    measures: dict[int, dict[str, tuple[float, float | None]]] = defaultdict(dict)

    for row in session.execute(_arrivals(period)):
        measures[row.unit]["on_time_arrival"] = (row.on_time, row.due)
    for row in session.execute(_elevator_years(period)):
        measures[row.unit]["elevator_years"] = (row.elevator_days / period.days, None)
    for row in session.execute(_fault_entrapments(period)):
        measures[row.unit]["trapped"] = (row.trapped, None)
    for row in session.execute(_overdue_visits(period, settings)):
        measures[row.unit]["overdue_maintenance"] = (row.overdue, row.gaps)
    for row in session.execute(_first_passes(period)):
        measures[row.unit]["first_pass_inspection"] = (row.passes, row.inspections)
    for row in session.execute(_unconfirmed(period, settings)):
        measures[row.unit]["unconfirmed_records"] = (row.unconfirmed, row.records)
    for row in session.execute(_drills(period)):
        measures[row.unit]["drills"] = (row.drills, None)
    vetoes = _vetoes(session, period, units)

    parameters = _normalised(
        {
            "weights": settings.rating_weights,
            "scales": settings.rating_scales,
            "grade_thresholds": settings.rating_grade_thresholds,
            "star_thresholds": settings.rating_star_thresholds,
        }
    )
    result = {}
    for unit in units:
        found = measures[unit]
        elevator_years = found.get("elevator_years", (0.0, None))[0]
        trapped = found.get("trapped", (0, None))[0]
        values = {
            "on_time_arrival": _ratio(*found.get("on_time_arrival", (0, 0))),
            "trapped_rate": _ratio(trapped, elevator_years),
            "overdue_maintenance": _ratio(*found.get("overdue_maintenance", (0, 0))),
            "first_pass_inspection": _ratio(*found.get("first_pass_inspection", (0, 0))),
            "unconfirmed_records": _ratio(*found.get("unconfirmed_records", (0, 0))),
            "drills": {
                "numerator": found.get("drills", (0, None))[0],
                "denominator": None,
                "value": found.get("drills", (0, None))[0],
            },
        }
        indicators = {
            "period": {"from": period.first.isoformat(), "to": period.last.isoformat()},
            "vetoes": vetoes.get(unit, []),
            "values": values,
            **parameters,
        }
        result[unit] = _normalised(indicators)
    return result


def _ratio(numerator: float, denominator: float | None) -> dict[str, Any]:
    numerator = float(numerator or 0)
    denominator = float(denominator or 0)
    value = round(numerator / denominator, 6) if denominator else None
    return {"numerator": numerator, "denominator": round(denominator, 6), "value": value}


def _normalised(document: dict[str, Any]) -> dict[str, Any]:
    """The document as JSON will store it (string keys, lists), so comparisons are exact."""
    return json.loads(json.dumps(document, sort_keys=True))


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _genuine_trapped(period: _Year) -> Any:
    return and_(
        Incident.kind == IncidentKind.TRAPPED,
        Incident.reported_at >= period.start_at,
        Incident.reported_at < period.end_at,
        Incident.status.not_in(list(IncidentStatus.not_genuine())),
        Incident.maintenance_unit_id.is_not(None),
    )


def _arrivals(period: _Year) -> Select[Any]:
    """按时到达率 per unit, as the KPI defines it (kpi.definitions.ON_TIME_ARRIVAL_RATE)."""
    arrived = Incident.arrived_at.is_not(None)
    late_without_arrival = and_(
        ~arrived,
        Incident.arrival_deadline_at < func.coalesce(Incident.released_at, period.end_at),
    )
    return (
        select(
            Incident.maintenance_unit_id.label("unit"),
            _count_if(and_(arrived, Incident.arrived_at <= Incident.arrival_deadline_at)).label(
                "on_time"
            ),
            _count_if(or_(arrived, late_without_arrival)).label("due"),
        )
        .where(_genuine_trapped(period))
        .group_by(Incident.maintenance_unit_id)
    )


def _fault_entrapments(period: _Year) -> Select[Any]:
    """Trapped incidents the elevator caused (故障困人率's numerator), per dispatched unit."""
    not_faults = [str(cause) for cause in FaultCause.not_elevator_faults()]
    return (
        select(
            Incident.maintenance_unit_id.label("unit"),
            _count_if(
                or_(
                    Incident.fault_cause_code.is_(None),
                    Incident.fault_cause_code.not_in(not_faults),
                )
            ).label("trapped"),
        )
        .where(_genuine_trapped(period))
        .group_by(Incident.maintenance_unit_id)
    )


def _elevator_years(period: _Year) -> Select[Any]:
    """Elevator-days under each unit's contracts within the year."""
    first = case(
        (MaintenanceContract.start_date > period.first, MaintenanceContract.start_date),
        else_=period.first,
    )
    last = case(
        (MaintenanceContract.effective_end < period.last, MaintenanceContract.effective_end),
        else_=period.last,
    )
    return (
        select(
            MaintenanceContract.maintenance_unit_id.label("unit"),
            func.sum(days_between(first, last) + 1).label("elevator_days"),
        )
        .where(
            MaintenanceContract.start_date <= period.last,
            MaintenanceContract.effective_end >= period.first,
        )
        .group_by(MaintenanceContract.maintenance_unit_id)
    )


def _overdue_visits(period: _Year, settings: Settings) -> Select[Any]:
    """Gaps between consecutive visits to an elevator that ended in the year, and how many were
    longer than the interval (15 days; on-demand: the contract's), per unit that ended them."""
    visit_day = local_date(MaintenanceRecord.performed_at, settings.timezone)
    visits = (
        select(
            MaintenanceRecord.maintenance_unit_id.label("unit"),
            MaintenanceRecord.performed_at.label("performed_at"),
            visit_day.label("day"),
            func.lag(visit_day)
            .over(
                partition_by=MaintenanceRecord.elevator_id,
                order_by=(MaintenanceRecord.performed_at, MaintenanceRecord.id),
            )
            .label("previous_day"),
            func.coalesce(
                MaintenanceContract.maintenance_interval_days, settings.maintenance_interval_days
            ).label("interval"),
        )
        .join(MaintenanceContract, MaintenanceContract.id == MaintenanceRecord.contract_id)
        .where(
            is_latest_revision(),
            MaintenanceRecord.performed_at
            >= period.start_at - timedelta(days=PREVIOUS_VISIT_LOOKBACK_DAYS),
            MaintenanceRecord.performed_at < period.end_at,
        )
        .subquery()
    )
    gap = days_between(visits.c.previous_day, visits.c.day)
    return (
        select(
            visits.c.unit,
            func.count().label("gaps"),
            _count_if(gap > visits.c.interval).label("overdue"),
        )
        .where(visits.c.previous_day.is_not(None), visits.c.performed_at >= period.start_at)
        .group_by(visits.c.unit)
    )


def _first_passes(period: _Year) -> Select[Any]:
    """Periodic inspections and self-tests in the year passed at the first attempt, per unit
    holding the elevator's contract on the inspection day (as the KPI groups them)."""
    return (
        select(
            MaintenanceContract.maintenance_unit_id.label("unit"),
            func.count().label("inspections"),
            _count_if(Inspection.result == InspectionResult.PASS).label("passes"),
        )
        .join(
            MaintenanceContract,
            and_(
                MaintenanceContract.elevator_id == Inspection.elevator_id,
                MaintenanceContract.start_date <= Inspection.performed_on,
                MaintenanceContract.effective_end >= Inspection.performed_on,
            ),
        )
        .where(
            Inspection.kind.in_([InspectionKind.PERIODIC, InspectionKind.SELF_TEST]),
            Inspection.performed_on >= period.first,
            Inspection.performed_on <= period.last,
        )
        .group_by(MaintenanceContract.maintenance_unit_id)
    )


def _unconfirmed(period: _Year, settings: Settings) -> Select[Any]:
    """Visits in the year not confirmed by the user unit within 7 days (TSG T5002 第七条)."""
    confirmed_in_time = exists(
        select(MaintenanceConfirmation.id).where(
            MaintenanceConfirmation.record_id == MaintenanceRecord.id,
            minus_days(MaintenanceConfirmation.confirmed_at, settings.record_confirmation_days)
            <= MaintenanceRecord.performed_at,
        )
    )
    return (
        select(
            MaintenanceRecord.maintenance_unit_id.label("unit"),
            func.count().label("records"),
            _count_if(~confirmed_in_time).label("unconfirmed"),
        )
        .where(
            is_latest_revision(),
            MaintenanceRecord.performed_at >= period.start_at,
            MaintenanceRecord.performed_at < period.end_at,
        )
        .group_by(MaintenanceRecord.maintenance_unit_id)
    )


def _drills(period: _Year) -> Select[Any]:
    """Rescue drills held in the year (TSG T5002: one every 6 months)."""
    return (
        select(RescueDrill.maintenance_unit_id.label("unit"), func.count().label("drills"))
        .where(RescueDrill.held_on >= period.first, RescueDrill.held_on <= period.last)
        .group_by(RescueDrill.maintenance_unit_id)
    )


def _vetoes(session: Session, period: _Year, units: list[int]) -> dict[int, list[str]]:
    """The veto items (先决否定项) found per unit in the year, as sentences, sorted."""
    found: dict[int, list[str]] = defaultdict(list)
    if not units:
        return found
    for row in session.execute(
        select(
            VetoEvent.organisation_id, VetoEvent.kind, VetoEvent.occurred_on, VetoEvent.reference
        )
        .where(
            VetoEvent.organisation_id.in_(units),
            VetoEvent.occurred_on >= period.first,
            VetoEvent.occurred_on <= period.last,
        )
        .order_by(VetoEvent.occurred_on, VetoEvent.id)
    ):
        found[row.organisation_id].append(
            f"{row.kind} on {row.occurred_on.isoformat()} ({row.reference})"
        )
    for row in session.execute(
        select(BlacklistEntry.organisation_id, BlacklistEntry.listed_on, BlacklistEntry.lifted_on)
        .where(
            BlacklistEntry.organisation_id.in_(units),
            BlacklistEntry.listed_on <= period.last,
            or_(BlacklistEntry.lifted_on.is_(None), BlacklistEntry.lifted_on > period.first),
        )
        .order_by(BlacklistEntry.listed_on, BlacklistEntry.id)
    ):
        until = f" until {row.lifted_on.isoformat()}" if row.lifted_on else ""
        found[row.organisation_id].append(f"blacklisted from {row.listed_on.isoformat()}{until}")
    for row in session.execute(
        select(Licence.organisation_id, Licence.number, Licence.revoked_on)
        .where(
            Licence.organisation_id.in_(units),
            Licence.kind.in_(MAINTAINING_LICENCES),
            Licence.revoked_on >= period.first,
            Licence.revoked_on <= period.last,
        )
        .order_by(Licence.revoked_on, Licence.id)
    ):
        found[row.organisation_id].append(
            f"licence {row.number} revoked on {row.revoked_on.isoformat()}"
        )
    # A unit whose licence was revoked or lapsed before the year and that still maintains on
    # 1 January without another in force is as unlicensed as one losing it during the year.
    lost = aliased(Licence)
    for unit in session.scalars(
        select(MaintenanceContract.maintenance_unit_id)
        .where(
            MaintenanceContract.maintenance_unit_id.in_(units),
            MaintenanceContract.start_date <= period.first,
            MaintenanceContract.effective_end >= period.first,
            exists(
                select(lost.id).where(
                    lost.organisation_id == MaintenanceContract.maintenance_unit_id,
                    lost.kind.in_(MAINTAINING_LICENCES),
                    or_(lost.revoked_on < period.first, lost.valid_until < period.first),
                )
            ),
            ~exists(
                select(Licence.id).where(
                    Licence.organisation_id == MaintenanceContract.maintenance_unit_id,
                    Licence.kind.in_(MAINTAINING_LICENCES),
                    licence_valid_on(period.first, period.start_at + timedelta(days=1)),
                )
            ),
        )
        .distinct()
        .order_by(MaintenanceContract.maintenance_unit_id)
    ):
        found[unit].append(
            f"maintaining on {period.first.isoformat()} with its licence revoked or expired"
        )
    successor = aliased(Licence)
    for row in session.execute(
        select(Licence.organisation_id, Licence.number, Licence.valid_until)
        .where(
            Licence.organisation_id.in_(units),
            Licence.kind.in_(MAINTAINING_LICENCES),
            Licence.valid_until >= period.first,
            Licence.valid_until < period.last,
            # Renewed without a gap: another licence of the kind takes over the next day.
            ~exists(
                select(successor.id).where(
                    successor.organisation_id == Licence.organisation_id,
                    successor.kind == Licence.kind,
                    successor.id != Licence.id,
                    successor.valid_from <= day_after(Licence.valid_until),
                    successor.valid_until > Licence.valid_until,
                )
            ),
        )
        .order_by(Licence.valid_until, Licence.id)
    ):
        found[row.organisation_id].append(
            f"licence {row.number} expired on {row.valid_until.isoformat()} without renewal"
        )
    return found


# Computing and reading -----------------------------------------------------------------------


def compute(
    session: Session, *, year: int, actor: Principal, settings: Settings, today: date, now: datetime
) -> dict[str, int]:
    """Rates every unit that maintained elevators in `year`, a year that has ended (bureau)."""
    actor.require(Role.BUREAU, Role.CLI)
    if year >= today.year:
        raise InvalidValue(
            "YEAR_NOT_ENDED",
            f"year {year} has not ended; ratings are computed for closed years (up to "
            f"{today.year - 1})",
            field="year",
        )
    existing = {
        rating.maintenance_unit_id: rating
        for rating in session.scalars(
            select(StarRating).where(StarRating.year == year).with_for_update()
        )
    }
    counts = {"year": year, "created": 0, "updated": 0, "unchanged": 0}
    for unit, indicators in sorted(
        gather_indicators(session, year=year, settings=settings).items()
    ):
        score, stars, grade = verdict(indicators)
        rating = existing.get(unit)
        if rating is None:
            rating = StarRating(
                maintenance_unit_id=unit,
                year=year,
                score=score,
                stars=stars,
                grade=grade,
                indicators=indicators,
                computed_at=now,
            )
            session.add(rating)
            audit.record(session, actor=actor, at=now, action="rate", row=rating)
            counts["created"] += 1
        elif _normalised(rating.indicators) == indicators:
            counts["unchanged"] += 1
        else:
            before = audit.snapshot(rating)
            rating.score, rating.stars, rating.grade = score, stars, grade
            rating.indicators = indicators
            rating.computed_at = now
            audit.record(session, actor=actor, at=now, action="rerate", row=rating, before=before)
            counts["updated"] += 1
    return counts


def ratings_statement(
    *, year: int | None = None, maintenance_unit_id: int | None = None, grade: str | None = None
) -> Select[Any]:
    """Stored ratings, filtered."""
    statement = select(StarRating)
    if year is not None:
        statement = statement.where(StarRating.year == year)
    if maintenance_unit_id is not None:
        statement = statement.where(StarRating.maintenance_unit_id == maintenance_unit_id)
    if grade is not None:
        statement = statement.where(StarRating.grade == grade)
    return statement


def public_statement(*, year: int | None = None) -> Select[Any]:
    """Published ratings: the unit's public identity, year, score, stars and grade."""
    statement = select(
        StarRating.id,
        Organisation.name.label("maintenance_unit_name"),
        Organisation.credit_code,
        StarRating.year,
        StarRating.score,
        StarRating.stars,
        StarRating.grade,
    ).join(Organisation, Organisation.id == StarRating.maintenance_unit_id)
    if year is not None:
        statement = statement.where(StarRating.year == year)
    return statement


def rated_years(session: Session) -> list[int]:
    """The years that have published ratings, latest first."""
    return list(
        session.scalars(select(StarRating.year).distinct().order_by(StarRating.year.desc()))
    )


def latest_rating(session: Session, maintenance_unit_id: int) -> StarRating | None:
    """The unit's rating of its most recent rated year, if any."""
    return session.scalar(
        select(StarRating)
        .where(StarRating.maintenance_unit_id == maintenance_unit_id)
        .order_by(StarRating.year.desc())
        .limit(1)
    )
