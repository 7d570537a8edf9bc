"""The dossier document: the elevator and every record of its file, one typed response."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from elevator_registry.incidents.enums import IncidentChannel, IncidentKind, IncidentStatus
from elevator_registry.inspection.schemas import AssessmentRead, InspectionRead
from elevator_registry.maintenance.schemas import (
    HazardReportRead,
    MaintenanceRecordRead,
    RescueDrillRead,
    UsageCheckRead,
)
from elevator_registry.registry.schemas import ContractRead, ElevatorRead, WarrantyRead
from elevator_registry.schemas import ReadModel


class IncidentSummary(ReadModel):
    """A 96333 incident of the elevator, read-only and without callers' personal data."""

    id: int
    number: str
    kind: IncidentKind
    channel: IncidentChannel
    status: IncidentStatus
    escalation_level: int
    trapped_count: int
    maintenance_unit_id: int | None
    reported_at: datetime
    arrival_deadline_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    arrived_at: datetime | None
    released_at: datetime | None
    closed_at: datetime | None
    fault_cause_code: str | None


class Dossier(BaseModel):
    """一梯一档: the elevator's file as of `as_of`, each section oldest first."""

    generated_at: datetime
    as_of: date
    elevator: ElevatorRead
    contracts: list[ContractRead]
    warranties: list[WarrantyRead]
    maintenance_records: list[MaintenanceRecordRead] = Field(
        description="Latest revision of each record, with its confirmation; earlier revisions "
        "via GET /maintenance-records/{id}/history."
    )
    inspections: list[InspectionRead]
    safety_assessments: list[AssessmentRead]
    hazard_reports: list[HazardReportRead]
    usage_checks: list[UsageCheckRead]
    rescue_drills: list[RescueDrillRead] = Field(description="Drills held on this elevator.")
    incidents: list[IncidentSummary]
