"""Assembling an elevator's dossier, and writing it as an XLSX workbook (a sheet per section).

The dossier is scoped like the elevator itself: whoever may read the elevator reads its whole
file. Each section is one query (records, hazards: plus one for their confirmations or
resolutions), so the cost does not grow with the number of sections' children.
"""

import io
import types
import typing
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.dossier.schemas import Dossier, IncidentSummary
from elevator_registry.incidents.models import Incident
from elevator_registry.inspection import service as inspection_service
from elevator_registry.inspection.models import Inspection, SafetyAssessment
from elevator_registry.inspection.schemas import AssessmentRead, InspectionRead
from elevator_registry.maintenance import hazards as hazard_service
from elevator_registry.maintenance import service as record_service
from elevator_registry.maintenance.models import (
    HazardReport,
    MaintenanceRecord,
    RescueDrill,
    UsageCheck,
)
from elevator_registry.maintenance.schemas import RescueDrillRead, UsageCheckRead
from elevator_registry.registry import elevators as elevator_service
from elevator_registry.registry.models import MaintenanceContract, Warranty
from elevator_registry.registry.schemas import ContractRead, WarrantyRead

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Sheet names (≤ 31 characters) in workbook order; the elevator itself comes first.
SECTIONS = (
    "contracts",
    "warranties",
    "maintenance_records",
    "inspections",
    "safety_assessments",
    "hazard_reports",
    "usage_checks",
    "rescue_drills",
    "incidents",
)


def build_dossier(
    session: Session,
    *,
    elevator_id: int,
    actor: Principal,
    settings: Settings,
    today: date,
    now: datetime,
) -> Dossier:
    """The elevator's file; 404 ELEVATOR_NOT_FOUND outside the caller's scope."""
    elevator = elevator_service.get_elevator(
        session, elevator_id=elevator_id, actor=actor, today=today
    )

    def rows(model: Any, *order: Any) -> list[Any]:
        return list(
            session.scalars(select(model).where(model.elevator_id == elevator.id).order_by(*order))
        )

    records = list(
        session.scalars(
            select(MaintenanceRecord)
            .where(MaintenanceRecord.elevator_id == elevator.id, record_service.latest_revision())
            .order_by(MaintenanceRecord.performed_at, MaintenanceRecord.id)
        )
    )
    return Dossier(
        generated_at=now,
        as_of=today,
        elevator=inspection_service.elevator_reads(
            session, [elevator], regime=settings.inspection_regime, as_of=today
        )[0],
        contracts=[
            ContractRead.model_validate(row)
            for row in rows(
                MaintenanceContract, MaintenanceContract.start_date, MaintenanceContract.id
            )
        ],
        warranties=[
            WarrantyRead.model_validate(row)
            for row in rows(Warranty, Warranty.start_date, Warranty.id)
        ],
        maintenance_records=record_service.record_reads(session, records),
        inspections=[
            InspectionRead.model_validate(row)
            for row in rows(Inspection, Inspection.performed_on, Inspection.id)
        ],
        safety_assessments=[
            AssessmentRead.model_validate(row)
            for row in rows(SafetyAssessment, SafetyAssessment.assessed_on, SafetyAssessment.id)
        ],
        hazard_reports=hazard_service.hazard_reads(
            session, rows(HazardReport, HazardReport.found_at, HazardReport.id)
        ),
        usage_checks=[
            UsageCheckRead.model_validate(row)
            for row in rows(UsageCheck, UsageCheck.checked_on, UsageCheck.id)
        ],
        rescue_drills=[
            RescueDrillRead.model_validate(row)
            for row in rows(RescueDrill, RescueDrill.held_on, RescueDrill.id)
        ],
        incidents=[
            IncidentSummary.model_validate(row)
            for row in rows(Incident, Incident.reported_at, Incident.id)
        ],
    )


# XLSX -------------------------------------------------------------------------------------------


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds (`Model` or `Model | None`), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for argument in typing.get_args(annotation):
            if isinstance(argument, type) and issubclass(argument, BaseModel):
                return argument
    return None


def columns_of(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Column names for `model`: its fields, nested models flattened as `parent.child`."""
    columns = []
    for name, field in model.model_fields.items():
        nested = _model_of(field.annotation)
        if nested is not None:
            columns.extend(columns_of(nested, f"{prefix}{name}."))
        else:
            columns.append(prefix + name)
    return columns


def _lookup(document: dict[str, Any], column: str) -> Any:
    value: Any = document
    for part in column.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _cell_value(value: Any, timezone: ZoneInfo) -> Any:
    """A spreadsheet-friendly value: local naive times, lists joined, text made safe."""
    if isinstance(value, datetime):
        return value.astimezone(timezone).replace(tzinfo=None)
    if isinstance(value, list):
        return "; ".join(_flat_text(item) for item in value)
    if isinstance(value, dict):
        return _flat_text(value)
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value  # enums
    return value


def _flat_text(item: Any) -> str:
    if isinstance(item, dict):
        return " ".join(str(part) for part in item.values() if part is not None)
    return str(item)


def _cell(sheet: Any, value: Any) -> WriteOnlyCell:
    if isinstance(value, str):
        # Control characters are illegal in XLSX; text is never a formula (no =cmd injection).
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def dossier_workbook(dossier: Dossier, *, timezone: str) -> bytes:
    """The dossier as an XLSX workbook: sheet `elevator` (field, value), then one per section
    with a header row; times in the district's local time."""
    zone = ZoneInfo(timezone)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("elevator")
    sheet.append([_cell(sheet, "field"), _cell(sheet, "value")])
    elevator = dossier.elevator.model_dump(mode="python")
    for column in columns_of(type(dossier.elevator)):
        sheet.append(
            [_cell(sheet, column), _cell(sheet, _cell_value(_lookup(elevator, column), zone))]
        )
    sheet.append(
        [
            _cell(sheet, "dossier_generated_at"),
            _cell(sheet, _cell_value(dossier.generated_at, zone)),
        ]
    )
    for section in SECTIONS:
        items: list[BaseModel] = getattr(dossier, section)
        model = _model_of(typing.get_args(Dossier.model_fields[section].annotation)[0])
        assert model is not None
        columns = columns_of(model)
        sheet = workbook.create_sheet(section)
        sheet.append([_cell(sheet, column) for column in columns])
        for item in items:
            document = item.model_dump(mode="python")
            sheet.append(
                [_cell(sheet, _cell_value(_lookup(document, column), zone)) for column in columns]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
