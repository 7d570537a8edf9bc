"""Assembling an elevator's dossier, and writing it as an XLSX workbook (a sheet per section).

The dossier is scoped like the elevator itself: whoever may read the elevator reads its whole
file. Each section is one query (records, hazards: plus one for their confirmations or
resolutions), so the cost does not grow with the number of sections' children.
"""

import io
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.accounts.models import User
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.dossier.schemas import Dossier, IncidentSummary
from elevator_registry.incidents.models import Incident
from elevator_registry.inspection import service as inspection_service
from elevator_registry.inspection.models import Inspection, SafetyAssessment
from elevator_registry.inspection.schemas import AssessmentRead, InspectionRead
from elevator_registry.labels import actor_label, label, yes_no
from elevator_registry.maintenance import hazards as hazard_service
from elevator_registry.maintenance import service as record_service
from elevator_registry.maintenance.models import (
    HazardReport,
    MaintenanceRecord,
    RescueDrill,
    UsageCheck,
)
from elevator_registry.maintenance.schemas import RescueDrillRead, UsageCheckRead
from elevator_registry.messages_zh import field_label
from elevator_registry.registry import elevators as elevator_service
from elevator_registry.registry.models import MaintenanceContract, Organisation, Warranty
from elevator_registry.registry.schemas import ContractRead, WarrantyRead
from elevator_registry.visits.checklist import ITEM_RESULT_ZH, ItemResult
from elevator_registry.visits.enums import PhotoPhase
from elevator_registry.visits.labels import FLAG_ZH

# Columns holding an organisation's id: the workbook shows its name.
ORGANISATION_COLUMNS = frozenset(
    {
        "maintenance_unit_id",
        "user_unit_id",
        "issuer_id",
        "agency_id",
        "self_tester_id",
        "reporter_organisation_id",
        "manufacturer_id",
        "installer_id",
    }
)
SHEET_LABELS = {
    "elevator": "电梯",
    "contracts": "维保合同",
    "warranties": "质保",
    "maintenance_records": "维保记录",
    "inspections": "检验检测",
    "safety_assessments": "安全评估",
    "hazard_reports": "隐患",
    "usage_checks": "使用单位自查",
    "rescue_drills": "应急演练",
    "incidents": "96333 事件",
}
# Columns holding an enum's value even where the read model types them as text.
ENUM_COLUMNS = frozenset(
    {"mode", "scope", "context", "record_class", "kind", "result", "conclusion", "severity"}
    | {"channel", "status", "fault_cause_code", "place_category", "type_code"}
)
# Workbook columns whose header differs from the field's name in a request.
COLUMN_LABELS = {
    "id": "记录编号",
    "elevator_id": "设备代码",
    "confirmation": "确认",
    "resolution": "整改",
    "notice": "停用通知书",
    "filed_by": "填报人",
    "created_at": "录入时间",
    "revision": "版本",
    "superseded_by_id": "更正后的记录",
    "reported_to_bureau_at": "报告监管局时间",
    "findings_count": "问题数",
    "risk_score": "风险分",
    "next_inspection_due_on": "下次定期检验",
    "next_self_test_due_on": "下次自行检测",
    "inspection_valid_until": "检验有效期至",
    "status_changed_on": "状态变更日期",
    "district": "区县",
    "number": "事件编号",
    "reported_at": "报告时间",
    "arrival_deadline_at": "到场时限",
    "dispatched_at": "派单时间",
    "accepted_at": "接单时间",
    "arrived_at": "到场时间",
    "released_at": "解救时间",
    "closed_at": "办结时间",
    "issued_at": "出具时间",
    "notice_number": "通知书编号",
    "resolved_on": "整改完成日期",
    "performed_at": "维保时间",
    "findings": "发现的问题",
    "filed_by_user_id": "填报人账号",
    "confirmed_by_user_id": "确认人账号",
    "visit": "维保作业",
    "started_by": "签到人员",
    "check_in_at": "签到时间",
    "check_in_device_at": "签到时间（手机）",
    "check_in_latitude": "签到纬度",
    "check_in_longitude": "签到经度",
    "check_in_accuracy_m": "签到定位精度（米）",
    "check_in_distance_m": "签到距电梯（米）",
    "check_in_far": "签到超出范围",
    "check_out_at": "签退时间",
    "check_out_device_at": "签退时间（手机）",
    "check_out_latitude": "签退纬度",
    "check_out_longitude": "签退经度",
    "check_out_accuracy_m": "签退定位精度（米）",
    "check_out_distance_m": "签退距电梯（米）",
    "second_worker_name": "第二名作业人员",
    "second_worker_presence": "第二名作业人员到场确认",
    "second_worker_confirmed_at": "第二名作业人员确认时间",
    "checklist": "维保项目",
    "submitted_at": "提交时间",
    "photos": "照片",
    "flags": "提示",
}
# Columns holding a person's (app_user) id: the workbook shows their display name.
PERSON_COLUMNS = frozenset({"filed_by_user_id", "confirmed_by_user_id"})
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


def header(column: str) -> str:
    """The Chinese header of a workbook column (`confirmation.confirmed_at` → 确认·确认时间)."""
    *parents, name = column.split(".")
    named = COLUMN_LABELS.get(name) or field_label(name)
    return "·".join([*(COLUMN_LABELS.get(part) or field_label(part) for part in parents), named])


class _Texts:
    """A cell's value as a person reads it: labels for enums and flags, names for ids."""

    def __init__(
        self,
        names: Mapping[int, str],
        people: Mapping[int, str],
        equipment_code: str,
        settings: Settings,
    ) -> None:
        self.names = names
        self.people = people
        self.equipment_code = equipment_code
        self.zone = ZoneInfo(settings.timezone)
        self.checkpoints = settings.visit_photo_checkpoints

    def __call__(self, column: str, value: Any) -> Any:
        name = column.rsplit(".", 1)[-1]
        if value is None:
            return None
        if name in ORGANISATION_COLUMNS and isinstance(value, int):
            return self.names.get(value, value)
        if name in PERSON_COLUMNS and isinstance(value, int):
            return self.people.get(value, value)
        if name == "elevator_id":
            return self.equipment_code
        if name == "filed_by":
            return actor_label(value)
        if column == "visit.checklist":
            return "; ".join(
                f"{entry['code']} {ITEM_RESULT_ZH[ItemResult(entry['result'])]}"
                + (f"（{entry['note']}）" if entry.get("note") else "")
                for entry in value
            )
        if column == "visit.photos":
            return "; ".join(
                f"{self.checkpoints.get(photo['checkpoint'], '点位')}·"
                f"{label(PhotoPhase(photo['phase']))} {photo['sha256']}"
                + ("（重复照片）" if photo["reused"] else "")
                for photo in value
            )
        if column == "visit.flags":
            return "; ".join(FLAG_ZH.get(flag, flag) for flag in value)
        if isinstance(value, bool):
            return yes_no(value)
        if isinstance(value, StrEnum) or name in ENUM_COLUMNS:
            return label(value)
        return _cell_value(value, self.zone)


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


def organisation_names(session: Session, dossier: Dossier) -> dict[int, str]:
    """The names of the organisations the dossier refers to by id (units, agencies, makers)."""
    ids: set[int] = set()
    documents = [dossier.elevator.model_dump(mode="python")] + [
        item.model_dump(mode="python") for section in SECTIONS for item in getattr(dossier, section)
    ]
    for document in documents:
        ids.update(
            value
            for column, value in document.items()
            if column in ORGANISATION_COLUMNS and isinstance(value, int)
        )
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    )
    return {row.id: row.name for row in rows}


def person_names(session: Session, dossier: Dossier) -> dict[int, str]:
    """The display names of the people (accounts) who filed or confirmed the dossier's records."""
    ids = {record.filed_by_user_id for record in dossier.maintenance_records} | {
        record.confirmation.confirmed_by_user_id
        for record in dossier.maintenance_records
        if record.confirmation is not None
    }
    ids.discard(None)
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {row.id: row.display_name for row in rows}


def dossier_workbook(
    dossier: Dossier,
    *,
    settings: Settings,
    names: Mapping[int, str],
    people: Mapping[int, str],
) -> bytes:
    """The dossier as an XLSX workbook for people: sheet 电梯 (项目, 内容), then one per section
    with a header row; Chinese headers and labels, organisations (`names`) and people (`people`)
    by name, times in the district's local time."""
    text = _Texts(names, people, dossier.elevator.equipment_code, settings)
    zone = text.zone
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_LABELS["elevator"])
    sheet.append([_cell(sheet, "项目"), _cell(sheet, "内容")])
    elevator = dossier.elevator.model_dump(mode="python")
    for column in columns_of(type(dossier.elevator)):
        sheet.append(
            [_cell(sheet, header(column)), _cell(sheet, text(column, _lookup(elevator, column)))]
        )
    sheet.append(
        [_cell(sheet, "档案生成时间"), _cell(sheet, _cell_value(dossier.generated_at, zone))]
    )
    for section in SECTIONS:
        items: list[BaseModel] = getattr(dossier, section)
        model = _model_of(typing.get_args(Dossier.model_fields[section].annotation)[0])
        assert model is not None
        columns = columns_of(model)
        sheet = workbook.create_sheet(SHEET_LABELS[section])
        sheet.append([_cell(sheet, header(column)) for column in columns])
        for item in items:
            document = item.model_dump(mode="python")
            sheet.append(
                [_cell(sheet, text(column, _lookup(document, column))) for column in columns]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
