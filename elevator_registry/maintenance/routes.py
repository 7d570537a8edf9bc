"""HTTP routes of maintenance evidence: records, hazard reports, usage checks, rescue drills.

Evidence is append-only: these paths route POST and GET only, so PUT, PATCH and DELETE answer
405 METHOD_NOT_ALLOWED (and the database refuses UPDATE and DELETE on the tables as well).
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from fastapi.responses import HTMLResponse

from elevator_registry.dependencies import AuthenticatedDep, ClockDep, SessionDep, SettingsDep
from elevator_registry.maintenance import checks as check_service
from elevator_registry.maintenance import hazards as hazard_service
from elevator_registry.maintenance import service as record_service
from elevator_registry.maintenance.enums import HazardSeverity, RecordClass
from elevator_registry.maintenance.models import (
    HazardReport,
    MaintenanceRecord,
    RescueDrill,
    UsageCheck,
)
from elevator_registry.maintenance.schemas import (
    ConfirmationCreate,
    HazardReportCreate,
    HazardReportRead,
    HazardResolutionRead,
    HazardResolve,
    MaintenanceRecordCreate,
    MaintenanceRecordRead,
    MaintenanceRecordRevise,
    RescueDrillCreate,
    RescueDrillRead,
    StopUseNoticeRead,
    UsageCheckCreate,
    UsageCheckRead,
)
from elevator_registry.pagination import fetch_page
from elevator_registry.schemas import (
    ERROR_RESPONSES,
    Cursor,
    FilterDate,
    FilterId,
    Page,
    PageLimit,
    PathId,
)

router = APIRouter(responses=ERROR_RESPONSES)


# Maintenance records ------------------------------------------------------------------------


@router.post(
    "/maintenance-records",
    status_code=status.HTTP_201_CREATED,
    response_model=MaintenanceRecordRead,
    tags=["maintenance records"],
)
def file_record(
    body: MaintenanceRecordCreate,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> MaintenanceRecordRead:
    """Files a maintenance record (maintenance unit holding the contract on that day; bureau).
    Refused: RECORD_DATE_IN_FUTURE, RECORD_BEFORE_COMMISSIONING, NO_CONTRACT_ON_DATE,
    CONTRACT_MISMATCH, MAINTAINER_NOT_ELIGIBLE, CREW_TOO_SMALL, NO_CERTIFIED_WORKER,
    CERTIFICATE_NUMBER_INVALID, WORKER_DUPLICATE, RECORD_DUPLICATE, ELEVATOR_SCRAPPED."""
    record = record_service.file_record(
        session, data=body, actor=actor, today=clock.today(), now=clock.now(), settings=settings
    )
    return record_service.record_reads(session, [record])[0]


@router.get(
    "/maintenance-records",
    response_model=Page[MaintenanceRecordRead],
    tags=["maintenance records"],
)
def list_records(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
    elevator_id: FilterId = None,
    maintenance_unit_id: FilterId = None,
    record_class: RecordClass | None = None,
    performed_from: Annotated[FilterDate, Query(description="Local date, inclusive")] = None,
    performed_to: Annotated[FilterDate, Query(description="Local date, inclusive")] = None,
    confirmed: bool | None = None,
    include_superseded: Annotated[
        bool, Query(description="Also list revisions that a later one replaced")
    ] = False,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Maintenance records the caller may read; the latest revision of each record by default."""
    statement = record_service.records_statement(
        actor=actor,
        today=clock.today(),
        timezone=settings.timezone,
        elevator_id=elevator_id,
        maintenance_unit_id=maintenance_unit_id,
        record_class=record_class,
        performed_from=performed_from,
        performed_to=performed_to,
        confirmed=confirmed,
        include_superseded=include_superseded,
    )
    page = fetch_page(session, statement, MaintenanceRecord.id, limit=limit, cursor=cursor)
    return page | {"items": record_service.record_reads(session, page["items"])}


@router.get(
    "/maintenance-records/{record_id}",
    response_model=MaintenanceRecordRead,
    tags=["maintenance records"],
)
def read_record(
    record_id: PathId, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> MaintenanceRecordRead:
    """One revision of a record, with its confirmation and `superseded_by_id`."""
    record = record_service.get_record(
        session, record_id=record_id, actor=actor, today=clock.today()
    )
    return record_service.record_reads(session, [record])[0]


@router.get(
    "/maintenance-records/{record_id}/history",
    response_model=list[MaintenanceRecordRead],
    tags=["maintenance records"],
)
def record_history(
    record_id: PathId, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> list[MaintenanceRecordRead]:
    """Every revision of the record's chain, oldest first (any revision's id will do)."""
    chain = record_service.record_history(
        session, record_id=record_id, actor=actor, today=clock.today()
    )
    return record_service.record_reads(session, chain)


@router.post(
    "/maintenance-records/{record_id}/revisions",
    status_code=status.HTTP_201_CREATED,
    response_model=MaintenanceRecordRead,
    tags=["maintenance records"],
)
def revise_record(
    record_id: PathId,
    body: MaintenanceRecordRevise,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> MaintenanceRecordRead:
    """Files a corrected revision of the latest revision (its unit or the bureau); the earlier
    one stays readable. Refused: RECORD_SUPERSEDED and the checks of a new record."""
    revision = record_service.revise_record(
        session,
        record_id=record_id,
        data=body,
        actor=actor,
        today=clock.today(),
        now=clock.now(),
        settings=settings,
    )
    return record_service.record_reads(session, [revision])[0]


@router.post(
    "/maintenance-records/{record_id}/confirmation",
    status_code=status.HTTP_201_CREATED,
    response_model=MaintenanceRecordRead,
    tags=["maintenance records"],
)
def confirm_record(
    record_id: PathId,
    body: ConfirmationCreate,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> MaintenanceRecordRead:
    """The elevator's user unit confirms the latest revision (once; a revision needs its own).
    Refused: RECORD_ALREADY_CONFIRMED, RECORD_SUPERSEDED, CONFIRMATION_TIME_INVALID."""
    confirmation = record_service.confirm_record(
        session, record_id=record_id, data=body, actor=actor, today=clock.today(), now=clock.now()
    )
    record = session.get_one(MaintenanceRecord, confirmation.record_id)
    return record_service.record_reads(session, [record])[0]


# Hazard reports ---------------------------------------------------------------------------


@router.post(
    "/hazard-reports",
    status_code=status.HTTP_201_CREATED,
    response_model=HazardReportRead,
    tags=["hazard reports"],
)
def report_hazard(
    body: HazardReportCreate,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> HazardReportRead:
    """Reports a hazard (maintenance unit for its elevators, agency, bureau). A serious one, in
    the same transaction, suspends the elevator if in use, issues the stop-use notice to the
    user unit and reports to the bureau. Refused: NO_CONTRACT_ON_DATE, HAZARD_DATE_IN_FUTURE,
    ELEVATOR_SCRAPPED."""
    hazard = hazard_service.report_hazard(
        session, data=body, actor=actor, today=clock.today(), now=clock.now(), settings=settings
    )
    return hazard_service.hazard_reads(session, [hazard])[0]


@router.get("/hazard-reports", response_model=Page[HazardReportRead], tags=["hazard reports"])
def list_hazards(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    elevator_id: FilterId = None,
    severity: HazardSeverity | None = None,
    reporter_organisation_id: FilterId = None,
    open: Annotated[
        bool | None, Query(description="true: unresolved only; false: resolved only")
    ] = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Hazard reports the caller may read."""
    statement = hazard_service.hazards_statement(
        actor=actor,
        today=clock.today(),
        elevator_id=elevator_id,
        severity=severity,
        reporter_organisation_id=reporter_organisation_id,
        open_only=open,
    )
    page = fetch_page(session, statement, HazardReport.id, limit=limit, cursor=cursor)
    return page | {"items": hazard_service.hazard_reads(session, page["items"])}


@router.get("/hazard-reports/{hazard_id}", response_model=HazardReportRead, tags=["hazard reports"])
def read_hazard(
    hazard_id: PathId, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> HazardReportRead:
    """One hazard report with its resolution and notice."""
    hazard = hazard_service.get_hazard(
        session, hazard_id=hazard_id, actor=actor, today=clock.today()
    )
    return hazard_service.hazard_reads(session, [hazard])[0]


@router.post(
    "/hazard-reports/{hazard_id}/resolve",
    status_code=status.HTTP_201_CREATED,
    response_model=HazardResolutionRead,
    tags=["hazard reports"],
)
def resolve_hazard(
    hazard_id: PathId,
    body: HazardResolve,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> object:
    """Records that the hazard was removed (the reporting organisation or the bureau), once.
    Does not resume the elevator: that is the user unit's or bureau's `/resume`.
    Refused: HAZARD_ALREADY_RESOLVED, OUT_OF_SCOPE, DATE_IN_FUTURE, DATE_ORDER_INVALID."""
    return hazard_service.resolve_hazard(
        session,
        hazard_id=hazard_id,
        data=body,
        actor=actor,
        today=clock.today(),
        now=clock.now(),
        settings=settings,
    )


@router.get(
    "/hazard-reports/{hazard_id}/notice",
    response_model=StopUseNoticeRead,
    tags=["hazard reports"],
    responses={
        200: {
            "description": "The notice as JSON, or as a printable HTML page with `format=html`",
            "content": {"text/html": {"schema": {"type": "string"}}},
        }
    },
)
def read_notice(
    hazard_id: PathId,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
    format: Annotated[Literal["json", "html"], Query(description="json or html")] = "json",
) -> object:
    """The written stop-use notice (停止使用通知书) of a serious hazard, addressed to the user
    unit; 404 STOP_USE_NOTICE_NOT_FOUND for a general hazard."""
    notice = hazard_service.get_notice(
        session, hazard_id=hazard_id, actor=actor, today=clock.today(), settings=settings
    )
    if format == "html":
        return HTMLResponse(hazard_service.render_notice_html(notice))
    return notice


# Usage checks and rescue drills -----------------------------------------------------------


@router.post(
    "/usage-checks",
    status_code=status.HTTP_201_CREATED,
    response_model=UsageCheckRead,
    tags=["usage checks"],
)
def file_usage_check(
    body: UsageCheckCreate, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> UsageCheck:
    """Files the user unit's own check of one of its elevators (bureau on its behalf)."""
    return check_service.file_usage_check(
        session, data=body, actor=actor, today=clock.today(), now=clock.now()
    )


@router.get("/usage-checks", response_model=Page[UsageCheckRead], tags=["usage checks"])
def list_usage_checks(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    elevator_id: FilterId = None,
    user_unit_id: FilterId = None,
    checked_from: FilterDate = None,
    checked_to: FilterDate = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Usage checks the caller may read."""
    statement = check_service.usage_checks_statement(
        actor=actor,
        today=clock.today(),
        elevator_id=elevator_id,
        user_unit_id=user_unit_id,
        checked_from=checked_from,
        checked_to=checked_to,
    )
    return fetch_page(session, statement, UsageCheck.id, limit=limit, cursor=cursor)


@router.post(
    "/rescue-drills",
    status_code=status.HTTP_201_CREATED,
    response_model=RescueDrillRead,
    tags=["rescue drills"],
)
def file_rescue_drill(
    body: RescueDrillCreate, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> RescueDrill:
    """Files a maintenance unit's rescue drill; a named elevator must be one it maintained on
    that day (NO_CONTRACT_ON_DATE)."""
    return check_service.file_rescue_drill(
        session, data=body, actor=actor, today=clock.today(), now=clock.now()
    )


@router.get("/rescue-drills", response_model=Page[RescueDrillRead], tags=["rescue drills"])
def list_rescue_drills(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    maintenance_unit_id: FilterId = None,
    elevator_id: FilterId = None,
    held_from: FilterDate = None,
    held_to: FilterDate = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Rescue drills the caller may read."""
    statement = check_service.drills_statement(
        actor=actor,
        today=clock.today(),
        maintenance_unit_id=maintenance_unit_id,
        elevator_id=elevator_id,
        held_from=held_from,
        held_to=held_to,
    )
    return fetch_page(session, statement, RescueDrill.id, limit=limit, cursor=cursor)
