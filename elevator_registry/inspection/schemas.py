"""Request and response shapes of inspections, self-tests and safety assessments."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from elevator_registry.inspection.enums import (
    AssessmentConclusion,
    InspectionKind,
    InspectionResult,
)
from elevator_registry.schemas import (
    Code,
    DbId,
    InputModel,
    LongText,
    PlausibleDate,
    ReadModel,
    ShortText,
)


class InspectionCreate(InputModel):
    """An inspection or self-test report.

    An inspection agency files any kind under its own name. A maintenance unit files self-tests
    (TSG T7008-2023) of elevators it maintains, naming the agency that reviews them
    (`agency_id`). The bureau files on behalf of an agency (`agency_id` required).
    """

    elevator_id: DbId
    kind: InspectionKind
    performed_on: PlausibleDate
    result: InspectionResult
    report_number: Code = Field(examples=["DT-2026-500222-0001"])
    agency_id: DbId | None = Field(
        default=None,
        description="The responsible agency: the inspector, or the reviewer of a self-test. "
        "Defaults to the calling agency.",
    )
    self_tester_id: DbId | None = Field(
        default=None,
        description="Self-tests only: the maintenance unit that performed it (a maintenance "
        "unit filing is itself).",
    )
    follows_id: DbId | None = Field(
        default=None,
        description="Re-inspections only (and required for them): the failed inspection of the "
        "same elevator this one follows.",
    )


class InspectionRead(ReadModel):
    """An inspection as recorded."""

    id: int
    elevator_id: int
    agency_id: int
    self_tester_id: int | None
    kind: InspectionKind
    performed_on: date
    result: InspectionResult
    report_number: str
    follows_id: int | None
    filed_by: str
    created_at: datetime


class AssessmentCreate(InputModel):
    """An in-use safety assessment (GB/T 42615-2023) by an inspection agency."""

    elevator_id: DbId
    assessed_on: PlausibleDate
    score: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] = Field(
        examples=["72.50"]
    )
    risk_grade: Annotated[int, Field(ge=1, le=4)] = Field(description="1 lowest … 4 highest risk")
    conclusion: AssessmentConclusion
    measures: Annotated[list[ShortText], Field(max_length=50)] = Field(
        default_factory=list, examples=[["更换曳引钢丝绳", "加装轿厢意外移动保护装置"]]
    )
    report_number: Code | None = None
    notes: LongText | None = None
    agency_id: DbId | None = Field(
        default=None, description="Defaults to the calling agency; required for the bureau."
    )


class AssessmentRead(ReadModel):
    """A safety assessment."""

    id: int
    elevator_id: int
    agency_id: int
    assessed_on: date
    score: Decimal
    risk_grade: int
    conclusion: AssessmentConclusion
    measures: list[str]
    report_number: str | None
    notes: str | None
    filed_by: str
    created_at: datetime
