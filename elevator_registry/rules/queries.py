"""The SQL that finds each rule's violations as of a day.

Every query selects from `Elevator` and returns three columns: `elevator_id`, `ref_date` (the
date behind the finding: last maintenance, commissioning, failed inspection…) and `value`
(a number the finding's text needs: days, count, grade…), at most one row per elevator, so a
rule weighs once in an elevator's score. Thresholds that are constants for the
evaluated day are computed in Python and bound as parameters, so the same SQL runs on SQLite
and PostgreSQL and the planner can use plain index range scans.
"""

from datetime import timedelta

from sqlalchemy import (
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import True_

from elevator_registry.dates import add_years
from elevator_registry.incidents.enums import IncidentKind, IncidentStatus
from elevator_registry.incidents.models import Incident
from elevator_registry.inspection.enums import AssessmentConclusion, InspectionResult
from elevator_registry.inspection.models import Inspection, SafetyAssessment
from elevator_registry.inspection.schedule import (
    EARLY_MONTHS,
    SCHEDULED_YEARS,
    InspectionRegime,
    Obligation,
    month_last_day,
    month_number,
    next_year_of,
)
from elevator_registry.maintenance.enums import HazardSeverity, RecordClass
from elevator_registry.maintenance.models import (
    HazardReport,
    HazardResolution,
    MaintenanceConfirmation,
    MaintenanceRecord,
    RescueDrill,
    UsageCheck,
)
from elevator_registry.registry.enums import (
    ContractMode,
    ElevatorStatus,
    PlaceCategory,
    WarrantyContext,
    WarrantyScope,
)
from elevator_registry.registry.models import Elevator, MaintenanceContract, Warranty
from elevator_registry.rules.context import (
    RuleContext,
    current_contract,
    has_contract_on,
    in_use_on,
    maintainer_eligible_on,
    status_on,
    user_unit_on,
)
from elevator_registry.rules.sql import add_years as sql_add_years
from elevator_registry.rules.sql import last_day_of_years, local_date, minus_days, seconds_between

PUBLIC_PLACES = sorted(PlaceCategory.public_gathering())
NO_VALUE = cast(null(), Integer)
NO_DATE = cast(null(), Date)


def _finding(ref_date, value) -> Select:  # type: ignore[no-untyped-def]
    """The three columns every rule returns; `ref_date` must already be a date."""
    return select(
        Elevator.id.label("elevator_id"),
        ref_date.label("ref_date"),
        cast(value, Integer).label("value"),
    )


def _scoped(elevator_id, ctx: RuleContext):  # type: ignore[no-untyped-def]
    """Limits a per-elevator aggregate to the elevators in scope before it groups.

    Without it the database aggregates the whole evidence table and only then joins the few
    elevators a page or a single write asks for.
    """
    if isinstance(ctx.elevator_filter, True_):
        return true()
    return elevator_id.in_(select(Elevator.id).where(ctx.elevator_filter))


def is_latest_revision():  # type: ignore[no-untyped-def]
    """The record has not been superseded by a later revision."""
    successor = MaintenanceRecord.__table__.alias("successor")
    return ~exists(select(successor.c.id).where(successor.c.supersedes_id == MaintenanceRecord.id))


def aging_assessment_missing(ctx: RuleContext) -> Select:
    """In use, aged (residential and others 15 years, public places 10), no assessment since."""
    public_years = ctx.settings.aging_public_place_years
    other_years = ctx.settings.aging_years
    threshold = case((Elevator.place_category.in_(PUBLIC_PLACES), public_years), else_=other_years)
    public_anniversary = sql_add_years(Elevator.commissioned_on, public_years)
    other_anniversary = sql_add_years(Elevator.commissioned_on, other_years)
    anniversary = case(
        (Elevator.place_category.in_(PUBLIC_PLACES), public_anniversary), else_=other_anniversary
    )
    assessed_since = exists(
        select(SafetyAssessment.id).where(
            SafetyAssessment.elevator_id == Elevator.id,
            SafetyAssessment.assessed_on >= anniversary,
            SafetyAssessment.assessed_on <= ctx.as_of,
        )
    )
    aged = or_(
        and_(
            Elevator.place_category.in_(PUBLIC_PLACES),
            Elevator.commissioned_on <= add_years(ctx.as_of, -public_years),
        ),
        and_(
            Elevator.place_category.not_in(PUBLIC_PLACES),
            Elevator.commissioned_on <= add_years(ctx.as_of, -other_years),
        ),
    )
    return _finding(Elevator.commissioned_on, threshold).where(
        ctx.elevator_filter, in_use_on(ctx.as_of), aged, ~assessed_since
    )


def assessment_high_risk(ctx: RuleContext) -> Select:
    """Latest assessment grade ≥3 or conclusion modernise/replace, not modernised since."""
    latest = (
        select(SafetyAssessment.id)
        .where(
            SafetyAssessment.elevator_id == Elevator.id, SafetyAssessment.assessed_on <= ctx.as_of
        )
        .order_by(SafetyAssessment.assessed_on.desc(), SafetyAssessment.id.desc())
        .limit(1)
        .correlate(Elevator)
        .scalar_subquery()
    )
    return (
        _finding(SafetyAssessment.assessed_on, SafetyAssessment.risk_grade)
        .join(SafetyAssessment, SafetyAssessment.id == latest)
        .where(
            ctx.elevator_filter,
            in_use_on(ctx.as_of),
            or_(
                SafetyAssessment.risk_grade >= ctx.settings.assessment_high_risk_grade,
                SafetyAssessment.conclusion.in_(
                    [AssessmentConclusion.MODERNISE, AssessmentConclusion.REPLACE]
                ),
            ),
            or_(
                Elevator.modernised_on.is_(None),
                Elevator.modernised_on < SafetyAssessment.assessed_on,
                Elevator.modernised_on > ctx.as_of,
            ),
        )
    )


def inspection_failed_in_use(ctx: RuleContext) -> Select:
    """In use while the latest inspection failed (no passing re-inspection after it)."""
    latest = (
        select(Inspection.id)
        .where(Inspection.elevator_id == Elevator.id, Inspection.performed_on <= ctx.as_of)
        .order_by(Inspection.performed_on.desc(), Inspection.id.desc())
        .limit(1)
        .correlate(Elevator)
        .scalar_subquery()
    )
    return (
        _finding(Inspection.performed_on, NO_VALUE)
        .join(Inspection, Inspection.id == latest)
        .where(
            ctx.elevator_filter, in_use_on(ctx.as_of), Inspection.result == InspectionResult.FAIL
        )
    )


def _last_maintenance_at(ctx: RuleContext):  # type: ignore[no-untyped-def]
    return (
        select(func.max(MaintenanceRecord.performed_at))
        .where(
            MaintenanceRecord.elevator_id == Elevator.id,
            MaintenanceRecord.performed_at < ctx.end_of_day,
            is_latest_revision(),
        )
        .scalar_subquery()
    )


def maintenance_overdue(ctx: RuleContext) -> Select:
    """More than 15 days (on-demand: the contract's interval) since the last maintenance."""
    interval = (
        select(MaintenanceContract.maintenance_interval_days)
        .where(current_contract(ctx.as_of), MaintenanceContract.mode == ContractMode.ON_DEMAND)
        .limit(1)
        .scalar_subquery()
    )
    days = func.coalesce(interval, ctx.settings.maintenance_interval_days)
    start_of_day = literal(ctx.start_of(ctx.as_of), Elevator.created_at.type)
    cutoff = minus_days(start_of_day, days)
    last = _last_maintenance_at(ctx)
    never_maintained_since = Elevator.commissioned_on < ctx.as_of - timedelta(
        days=ctx.settings.maintenance_interval_days
    )
    return _finding(local_date(last, ctx.settings.timezone), days).where(
        ctx.elevator_filter,
        in_use_on(ctx.as_of),
        or_(last < cutoff, and_(last.is_(None), never_maintained_since)),
    )


CLASS_WINDOWS = (
    (3, RecordClass.YEAR, (RecordClass.YEAR,), "maintenance_year_days"),
    (
        2,
        RecordClass.HALF_YEAR,
        (RecordClass.HALF_YEAR, RecordClass.YEAR),
        "maintenance_half_year_days",
    ),
    (
        1,
        RecordClass.QUARTER,
        (RecordClass.QUARTER, RecordClass.HALF_YEAR, RecordClass.YEAR),
        "maintenance_quarter_days",
    ),
)


def maintenance_class_overdue(ctx: RuleContext) -> Select:
    """No quarter/half-year/year record in 92/183/366 days (a higher class covers a lower one).

    `value` is the worst missing class: 3 year, 2 half-year, 1 quarter.
    """
    branches = []
    for rank, _class, covering, setting in CLASS_WINDOWS:
        window = getattr(ctx.settings, setting)
        since = ctx.as_of - timedelta(days=window)
        missing = and_(
            Elevator.commissioned_on <= since,
            ~exists(
                select(MaintenanceRecord.id).where(
                    MaintenanceRecord.elevator_id == Elevator.id,
                    MaintenanceRecord.record_class.in_(covering),
                    MaintenanceRecord.performed_at >= ctx.start_of(since),
                    MaintenanceRecord.performed_at < ctx.end_of_day,
                )
            ),
        )
        branches.append((missing, rank))
    worst = case(*branches, else_=None)
    return _finding(NO_DATE, worst).where(
        ctx.elevator_filter, in_use_on(ctx.as_of), worst.is_not(None)
    )


def record_unconfirmed(ctx: RuleContext) -> Select:
    """Records older than 7 days, in the last year, still without the user unit's confirmation."""
    late = ctx.start_of(ctx.as_of - timedelta(days=ctx.settings.record_confirmation_days))
    lookback = ctx.start_of(
        ctx.as_of - timedelta(days=ctx.settings.record_confirmation_lookback_days)
    )
    unconfirmed = (
        select(
            MaintenanceRecord.elevator_id.label("elevator_id"),
            func.min(MaintenanceRecord.performed_at).label("oldest"),
            func.count().label("records"),
        )
        .where(
            MaintenanceRecord.performed_at < late,
            MaintenanceRecord.performed_at >= lookback,
            _scoped(MaintenanceRecord.elevator_id, ctx),
            is_latest_revision(),
            ~exists(
                select(MaintenanceConfirmation.id).where(
                    MaintenanceConfirmation.record_id == MaintenanceRecord.id,
                    MaintenanceConfirmation.confirmed_at < ctx.end_of_day,
                )
            ),
        )
        .group_by(MaintenanceRecord.elevator_id)
        .subquery()
    )
    return (
        _finding(local_date(unconfirmed.c.oldest, ctx.settings.timezone), unconfirmed.c.records)
        .join(unconfirmed, unconfirmed.c.elevator_id == Elevator.id)
        .where(ctx.elevator_filter, in_use_on(ctx.as_of))
    )


def no_user_unit(ctx: RuleContext) -> Select:
    """In use without a user unit on the day (legacy rows; new ones are refused on write)."""
    return _finding(Elevator.commissioned_on, NO_VALUE).where(
        ctx.elevator_filter, in_use_on(ctx.as_of), user_unit_on(ctx.as_of).is_(None)
    )


def three_no(ctx: RuleContext) -> Select:
    """三无: no property management, no current maintenance contract, no repair fund."""
    return _finding(NO_DATE, NO_VALUE).where(
        ctx.elevator_filter,
        in_use_on(ctx.as_of),
        Elevator.has_property_management.is_(False),
        Elevator.has_repair_fund.is_(False),
        ~has_contract_on(ctx.as_of),
    )


def no_maintenance_contract(ctx: RuleContext) -> Select:
    """In use without a contract covering the day; ref_date is when the last one ended."""
    last_end = (
        select(func.max(MaintenanceContract.effective_end))
        .where(
            MaintenanceContract.elevator_id == Elevator.id,
            MaintenanceContract.start_date <= ctx.as_of,
        )
        .scalar_subquery()
    )
    return _finding(last_end, NO_VALUE).where(
        ctx.elevator_filter, in_use_on(ctx.as_of), ~has_contract_on(ctx.as_of)
    )


def maintainer_not_eligible(ctx: RuleContext) -> Select:
    """The current maintainer is blacklisted or holds no licence in force."""
    return (
        _finding(MaintenanceContract.start_date, MaintenanceContract.maintenance_unit_id)
        .join(MaintenanceContract, current_contract(ctx.as_of))
        .where(
            ctx.elevator_filter,
            in_use_on(ctx.as_of),
            ~maintainer_eligible_on(
                MaintenanceContract.maintenance_unit_id,
                Elevator.manufacturer_id,
                ctx.as_of,
                ctx.end_of_day,
            ),
        )
    )


def high_fault_frequency(ctx: RuleContext) -> Select:
    """≥3 trapped or fault incidents in the last 12 months: recommend a third-party evaluation."""
    since = ctx.start_of(add_years(ctx.as_of, -1) + timedelta(days=1))
    recent = (
        select(
            Incident.elevator_id.label("elevator_id"),
            func.count().label("incidents"),
            func.max(Incident.reported_at).label("latest"),
        )
        .where(
            Incident.kind.in_([IncidentKind.TRAPPED, IncidentKind.FAULT]),
            Incident.status.not_in([IncidentStatus.FALSE_ALARM, IncidentStatus.CANCELLED]),
            Incident.reported_at >= since,
            Incident.reported_at < ctx.end_of_day,
            _scoped(Incident.elevator_id, ctx),
        )
        .group_by(Incident.elevator_id)
        .having(func.count() >= ctx.settings.high_fault_incidents)
        .subquery()
    )
    return (
        _finding(local_date(recent.c.latest, ctx.settings.timezone), recent.c.incidents)
        .join(recent, recent.c.elevator_id == Elevator.id)
        .where(ctx.elevator_filter, status_on(ctx.as_of) != ElevatorStatus.SCRAPPED)
    )


def serious_hazard_open(ctx: RuleContext) -> Select:
    """A serious hazard reported and not resolved by the day."""
    open_hazards = (
        select(
            HazardReport.elevator_id.label("elevator_id"),
            func.min(HazardReport.found_at).label("found"),
            func.count().label("hazards"),
        )
        .where(
            HazardReport.severity == HazardSeverity.SERIOUS,
            HazardReport.found_at < ctx.end_of_day,
            _scoped(HazardReport.elevator_id, ctx),
            ~exists(
                select(HazardResolution.id).where(
                    HazardResolution.hazard_report_id == HazardReport.id,
                    HazardResolution.resolved_on <= ctx.as_of,
                )
            ),
        )
        .group_by(HazardReport.elevator_id)
        .subquery()
    )
    return (
        _finding(local_date(open_hazards.c.found, ctx.settings.timezone), open_hazards.c.hazards)
        .join(open_hazards, open_hazards.c.elevator_id == Elevator.id)
        .where(ctx.elevator_filter, status_on(ctx.as_of) != ElevatorStatus.SCRAPPED)
    )


def warranty_below_minimum(ctx: RuleContext) -> Select:
    """A warranty shorter than plan §三(七)1 requires (legacy rows; new ones are refused)."""
    renovation_years = ctx.settings.warranty_renovation_whole_unit_years
    maker_years = ctx.settings.warranty_maker_major_parts_years
    maintainer_at_start = (
        select(MaintenanceContract.maintenance_unit_id)
        .where(
            MaintenanceContract.elevator_id == Elevator.id,
            MaintenanceContract.start_date <= Warranty.start_date,
        )
        .order_by(MaintenanceContract.start_date.desc())
        .limit(1)
        .scalar_subquery()
    )
    short_renovation = and_(
        Warranty.context == WarrantyContext.SUBSIDISED_RENOVATION,
        Warranty.scope == WarrantyScope.WHOLE_UNIT,
        Warranty.end_date < last_day_of_years(Warranty.start_date, renovation_years),
    )
    short_maker_parts = and_(
        Warranty.context == WarrantyContext.NEW_INSTALLATION,
        Warranty.scope.in_(sorted(WarrantyScope.major_parts())),
        Elevator.manufacturer_id.is_not(None),
        Elevator.manufacturer_id == maintainer_at_start,
        Warranty.end_date < last_day_of_years(Warranty.start_date, maker_years),
    )
    short = (
        select(
            Warranty.elevator_id.label("elevator_id"),
            func.min(Warranty.start_date).label("start"),
            func.count().label("warranties"),
        )
        .join(Elevator, Elevator.id == Warranty.elevator_id)
        .where(
            Warranty.start_date <= ctx.as_of,
            _scoped(Warranty.elevator_id, ctx),
            or_(short_renovation, short_maker_parts),
        )
        .group_by(Warranty.elevator_id)
        .subquery()
    )
    return (
        _finding(short.c.start, short.c.warranties)
        .join(short, short.c.elevator_id == Elevator.id)
        .where(ctx.elevator_filter, status_on(ctx.as_of) != ElevatorStatus.SCRAPPED)
    )


def unregistered_in_use(ctx: RuleContext) -> Select:
    """In use more than 30 days without a use-registration certificate."""
    return _finding(Elevator.commissioned_on, NO_VALUE).where(
        ctx.elevator_filter,
        in_use_on(ctx.as_of),
        Elevator.commissioned_on < ctx.as_of - timedelta(days=ctx.settings.registration_grace_days),
        or_(Elevator.registration_number.is_(None), Elevator.registered_on > ctx.as_of),
    )


def public_place_checks(ctx: RuleContext) -> Select:
    """No user-unit check in the last 7 days (public gathering places) or 31 days (others)."""
    public_since = ctx.as_of - timedelta(days=ctx.settings.usage_check_public_days - 1)
    other_since = ctx.as_of - timedelta(days=ctx.settings.usage_check_days - 1)
    is_public = Elevator.place_category.in_(PUBLIC_PLACES)
    window_start = case((is_public, public_since), else_=other_since)
    last_check = (
        select(func.max(UsageCheck.checked_on))
        .where(UsageCheck.elevator_id == Elevator.id, UsageCheck.checked_on <= ctx.as_of)
        .scalar_subquery()
    )
    window = case(
        (is_public, ctx.settings.usage_check_public_days), else_=ctx.settings.usage_check_days
    )
    return _finding(last_check, window).where(
        ctx.elevator_filter,
        in_use_on(ctx.as_of),
        Elevator.commissioned_on < window_start,
        or_(last_check.is_(None), last_check < window_start),
    )


def no_rescue_drill(ctx: RuleContext) -> Select:
    """The current maintainer has held no rescue drill in the last 6 months."""
    since = ctx.as_of - timedelta(days=ctx.settings.rescue_drill_days)
    last_drill = (
        select(func.max(RescueDrill.held_on))
        .where(
            RescueDrill.maintenance_unit_id == MaintenanceContract.maintenance_unit_id,
            RescueDrill.held_on <= ctx.as_of,
        )
        .scalar_subquery()
    )
    return (
        _finding(last_drill, MaintenanceContract.maintenance_unit_id)
        .join(MaintenanceContract, current_contract(ctx.as_of))
        .where(
            ctx.elevator_filter,
            in_use_on(ctx.as_of),
            or_(last_drill.is_(None), last_drill <= since),
        )
    )


def incident_late(ctx: RuleContext) -> Select:
    """A trapped-passenger incident with nobody on site past its arrival deadline."""
    # Named, so a statement built once (the per-write refresh) can be run for another moment.
    instant = bindparam("instant", ctx.instant, type_=Incident.reported_at.type)
    late = (
        select(
            Incident.elevator_id.label("elevator_id"),
            func.min(Incident.arrival_deadline_at).label("deadline"),
            func.count().label("incidents"),
        )
        .where(
            Incident.kind == IncidentKind.TRAPPED,
            Incident.reported_at <= instant,
            Incident.arrival_deadline_at < instant,
            Incident.status.not_in(
                [IncidentStatus.FALSE_ALARM, IncidentStatus.CANCELLED, IncidentStatus.SELF_RELEASED]
            ),
            or_(Incident.arrived_at.is_(None), Incident.arrived_at > instant),
            or_(Incident.released_at.is_(None), Incident.released_at > instant),
            or_(Incident.closed_at.is_(None), Incident.closed_at > instant),
            _scoped(Incident.elevator_id, ctx),
        )
        .group_by(Incident.elevator_id)
        .subquery()
    )
    return (
        _finding(local_date(late.c.deadline, ctx.settings.timezone), late.c.incidents)
        .join(late, late.c.elevator_id == Elevator.id)
        .where(ctx.elevator_filter)
    )


def maintainer_non_response(ctx: RuleContext) -> Select:
    """The current maintainer left `non_response_threshold` or more trapped dispatches in the
    last `non_response_window_days` unaccepted `kpi_response_minutes` after dispatch.

    The same test as the 应急响应率 KPI (accepted within the response time of dispatch; false
    alarms and cancelled reports left out), counted per firm. A dispatch is judged once its
    response time has passed at the evaluated instant; an acceptance after that instant does
    not count, so an earlier day's list is reproduced exactly.
    """
    instant = bindparam("instant", ctx.instant, type_=Incident.reported_at.type)
    response = timedelta(minutes=ctx.settings.kpi_response_minutes)
    window_start = ctx.instant - timedelta(days=ctx.settings.non_response_window_days)
    missed = (
        select(
            Incident.maintenance_unit_id.label("unit_id"),
            func.max(Incident.dispatched_at).label("latest"),
            func.count().label("missed"),
        )
        .where(
            Incident.kind == IncidentKind.TRAPPED,
            Incident.maintenance_unit_id.is_not(None),
            Incident.dispatched_at >= window_start,
            Incident.dispatched_at <= ctx.instant - response,
            Incident.status.not_in(list(IncidentStatus.not_genuine())),
            or_(
                Incident.accepted_at.is_(None),
                Incident.accepted_at > instant,
                seconds_between(Incident.dispatched_at, Incident.accepted_at)
                > int(response.total_seconds()),
            ),
        )
        .group_by(Incident.maintenance_unit_id)
        .having(func.count() >= ctx.settings.non_response_threshold)
        .subquery()
    )
    return (
        _finding(local_date(missed.c.latest, ctx.settings.timezone), missed.c.missed)
        .join(MaintenanceContract, current_contract(ctx.as_of))
        .join(missed, missed.c.unit_id == MaintenanceContract.maintenance_unit_id)
        .where(ctx.elevator_filter, in_use_on(ctx.as_of))
    )


# Inspection schedule (TSG T7001-2023 §4.1, TSG T7008-2023) -----------------------------------
#
# The SQL twin of `inspection.schedule.next_due`, in month numbers (12·year + month − 1):
# with B the base month and L the latest inspection of a kind, the first year whose window
# opens after L is k₀ = max(1, (L − B + early) div 12 + 1); the obligation falls in the first
# year ≥ k₀ of its kind and is due by the last day of month B + 12·k. A due month M is overdue
# on day D when month(D) > M. `value` packs M·10 + kind (1 periodic, 2 self-test) so the
# finding's text can name the due date and the kind.

PERIODIC, SELF_TEST = 1, 2


def _month_number(day):  # type: ignore[no-untyped-def]
    return cast(extract("year", day), Integer) * 12 + cast(extract("month", day), Integer) - 1


def _first_open_year(latest, base_month, early: int):  # type: ignore[no-untyped-def]
    elapsed_years = (_month_number(latest) - base_month + early) // 12 + 1
    return case(
        (latest.is_(None), 1),
        (elapsed_years < 1, 1),
        else_=elapsed_years,
    )


def _next_year_of(first_open, obligation, regime: str):  # type: ignore[no-untyped-def]
    if regime == InspectionRegime.YEARLY:
        return first_open if obligation == Obligation.PERIODIC else cast(null(), Integer)
    lookup = {
        year: next_year_of(obligation, year, regime) for year in range(1, SCHEDULED_YEARS + 1)
    }
    mapped = case(
        *[(first_open == year, target) for year, target in lookup.items() if target is not None],
        else_=None,
    )
    if obligation == Obligation.PERIODIC:
        return case((first_open > SCHEDULED_YEARS, first_open), else_=mapped)
    return mapped


def _latest_inspections(ctx: RuleContext):  # type: ignore[no-untyped-def]
    """Per elevator: the latest periodic inspection and the latest periodic or self-test."""
    return (
        select(
            Inspection.elevator_id.label("elevator_id"),
            func.max(case((Inspection.kind == "periodic", Inspection.performed_on))).label(
                "periodic"
            ),
            func.max(Inspection.performed_on).label("periodic_or_self_test"),
        )
        .where(
            Inspection.kind.in_(("periodic", "self_test")),
            Inspection.performed_on <= ctx.as_of,
            _scoped(Inspection.elevator_id, ctx),
        )
        .group_by(Inspection.elevator_id)
        .subquery("latest_inspection")
    )


def _due_months(ctx: RuleContext, name: str):  # type: ignore[no-untyped-def]
    """Per elevator in use: (periodic due month, self-test due month) as of the day.

    Two materialized CTEs, so each step is computed once per elevator: inlined, the schedule's
    nested CASE expressions repeat every earlier step in every branch (hundreds of kilobytes
    of SQL, evaluated row by row).
    """
    latest = _latest_inspections(ctx)
    installed = func.coalesce(Elevator.installation_inspected_on, Elevator.commissioned_on)
    base = case(
        (
            and_(
                Elevator.modernised_on.is_not(None),
                or_(installed.is_(None), Elevator.modernised_on > installed),
            ),
            Elevator.modernised_on,
        ),
        else_=installed,
    )
    facts = (
        select(
            Elevator.id.label("elevator_id"),
            _month_number(base).label("base_month"),
            latest.c.periodic,
            latest.c.periodic_or_self_test,
        )
        .outerjoin(latest, latest.c.elevator_id == Elevator.id)
        .where(ctx.elevator_filter, in_use_on(ctx.as_of))
        .cte(f"{name}_facts")
        .prefix_with("MATERIALIZED")
    )
    regime = ctx.settings.inspection_regime
    periodic_year = _next_year_of(
        _first_open_year(facts.c.periodic, facts.c.base_month, EARLY_MONTHS[Obligation.PERIODIC]),
        Obligation.PERIODIC,
        regime,
    )
    self_test_year = _next_year_of(
        _first_open_year(
            facts.c.periodic_or_self_test,
            facts.c.base_month,
            EARLY_MONTHS[Obligation.SELF_TEST],
        ),
        Obligation.SELF_TEST,
        regime,
    )
    return (
        select(
            facts.c.elevator_id,
            (facts.c.base_month + 12 * periodic_year).label("periodic"),
            (facts.c.base_month + 12 * self_test_year).label("self_test"),
        )
        .cte(f"{name}_due")
        .prefix_with("MATERIALIZED")
    )


def _earliest_due(periodic_month, self_test_month, condition):  # type: ignore[no-untyped-def]
    """value = month·10 + kind of the earliest due obligation that meets `condition`."""
    periodic_hit = condition(periodic_month)
    self_test_hit = condition(self_test_month)
    return case(
        (
            and_(
                periodic_hit,
                or_(self_test_month.is_(None), ~self_test_hit, periodic_month <= self_test_month),
            ),
            periodic_month * 10 + PERIODIC,
        ),
        (self_test_hit, self_test_month * 10 + SELF_TEST),
        else_=None,
    )


def inspection_overdue(ctx: RuleContext) -> Select:
    """The next periodic inspection or self-test was due before the day's month."""
    months = _due_months(ctx, "overdue")
    today_month = month_number(ctx.as_of)
    due = _earliest_due(months.c.periodic, months.c.self_test, lambda month: month < today_month)
    return (
        _finding(NO_DATE, due)
        .join(months, months.c.elevator_id == Elevator.id)
        .where(due.is_not(None))
    )


def inspection_due_soon(ctx: RuleContext) -> Select:
    """An obligation falls due within 30 days and none is overdue yet (apply a month ahead)."""
    months = _due_months(ctx, "due_soon")
    periodic_month, self_test_month = months.c.periodic, months.c.self_test
    today_month = month_number(ctx.as_of)
    horizon = ctx.as_of + timedelta(days=ctx.settings.inspection_due_soon_days)
    # The last month whose last day is on or before the horizon.
    horizon_month = month_number(horizon) - (
        0 if month_last_day(month_number(horizon)) == horizon else 1
    )
    overdue = _earliest_due(periodic_month, self_test_month, lambda month: month < today_month)
    soon = _earliest_due(periodic_month, self_test_month, lambda month: month <= horizon_month)
    return (
        _finding(NO_DATE, soon)
        .join(months, months.c.elevator_id == Elevator.id)
        .where(overdue.is_(None), soon.is_not(None))
    )
