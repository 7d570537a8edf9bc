"""HTTP routes of inspections, self-tests and safety assessments (append-only: POST and GET)."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from elevator_registry.dependencies import AuthenticatedDep, ClockDep, SessionDep
from elevator_registry.inspection import service as inspection_service
from elevator_registry.inspection.enums import InspectionKind, InspectionResult
from elevator_registry.inspection.models import Inspection, SafetyAssessment
from elevator_registry.inspection.schemas import (
    AssessmentCreate,
    AssessmentRead,
    InspectionCreate,
    InspectionRead,
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


@router.post(
    "/inspections",
    status_code=status.HTTP_201_CREATED,
    response_model=InspectionRead,
    tags=["inspections"],
)
def file_inspection(
    body: InspectionCreate, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> Inspection:
    """Files an inspection (agency; bureau on its behalf) or a self-test (also the maintenance
    unit, naming the reviewing agency). Refused: REPORT_NUMBER_TAKEN, FOLLOWS_REQUIRED,
    FOLLOWS_NOT_ALLOWED, REINSPECTION_TARGET_INVALID, INSPECTION_KIND_NOT_ALLOWED,
    NO_CONTRACT_ON_DATE, AGENCY_REQUIRED, DATE_IN_FUTURE, ELEVATOR_SCRAPPED."""
    return inspection_service.file_inspection(
        session, data=body, actor=actor, today=clock.today(), now=clock.now()
    )


@router.get("/inspections", response_model=Page[InspectionRead], tags=["inspections"])
def list_inspections(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    elevator_id: FilterId = None,
    agency_id: FilterId = None,
    kind: InspectionKind | None = None,
    result: InspectionResult | None = None,
    performed_from: FilterDate = None,
    performed_to: FilterDate = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Inspections and self-tests the caller may read."""
    statement = inspection_service.inspections_statement(
        actor=actor,
        today=clock.today(),
        elevator_id=elevator_id,
        agency_id=agency_id,
        kind=kind,
        result=result,
        performed_from=performed_from,
        performed_to=performed_to,
    )
    return fetch_page(session, statement, Inspection.id, limit=limit, cursor=cursor)


@router.get("/inspections/{inspection_id}", response_model=InspectionRead, tags=["inspections"])
def read_inspection(
    inspection_id: PathId, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> Inspection:
    """One inspection."""
    return inspection_service.get_inspection(
        session, inspection_id=inspection_id, actor=actor, today=clock.today()
    )


@router.post(
    "/safety-assessments",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentRead,
    tags=["safety assessments"],
)
def file_assessment(
    body: AssessmentCreate, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> SafetyAssessment:
    """Files an in-use safety assessment (GB/T 42615-2023) by an agency (bureau on its behalf).
    Refused: REPORT_NUMBER_TAKEN, AGENCY_REQUIRED, DATE_IN_FUTURE, ELEVATOR_SCRAPPED."""
    return inspection_service.file_assessment(
        session, data=body, actor=actor, today=clock.today(), now=clock.now()
    )


@router.get("/safety-assessments", response_model=Page[AssessmentRead], tags=["safety assessments"])
def list_assessments(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    elevator_id: FilterId = None,
    agency_id: FilterId = None,
    min_risk_grade: Annotated[int | None, Query(ge=1, le=4)] = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Safety assessments the caller may read."""
    statement = inspection_service.assessments_statement(
        actor=actor,
        today=clock.today(),
        elevator_id=elevator_id,
        agency_id=agency_id,
        min_risk_grade=min_risk_grade,
    )
    return fetch_page(session, statement, SafetyAssessment.id, limit=limit, cursor=cursor)
