"""Request and response shapes of the maintenance evidence API: records, hazards, checks, drills."""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from elevator_registry.maintenance.enums import HazardSeverity, RecordClass
from elevator_registry.schemas import (
    DbId,
    InputModel,
    LongText,
    Name,
    PlausibleDate,
    ReadModel,
    ShortText,
)
from elevator_registry.visits.schemas import VisitRead

# Instants outside this window are typos; the bounds also keep date arithmetic from overflowing.
EvidenceInstant = Annotated[
    AwareDatetime,
    Field(ge=datetime(1950, 1, 1, tzinfo=UTC), le=datetime(2100, 12, 31, tzinfo=UTC)),
]
CertificateNumber = Annotated[
    str, StringConstraints(min_length=1, max_length=30, pattern=r"^[^\x00]*$")
]

# Maintenance records --------------------------------------------------------------------------


class Worker(InputModel):
    """One worker on site; at least one of the crew must give an operator certificate number."""

    name: Name = Field(examples=["张伟"])
    certificate_number: CertificateNumber | None = Field(
        default=None,
        description=(
            "特种设备作业人员证 number. Accepted: the 18-character number of certificates issued "
            "under TSG Z6001-2019 (the holder's citizen ID number: 17 digits and a GB 11643 "
            "check character, 0-9 or X), or a legacy number of 1-4 capital letters followed by "
            "6-18 digits (e.g. T3100012345)."
        ),
        examples=["500222199001011234"],
    )


class _RecordContent(InputModel):
    """What a maintenance visit did (TSG T5002 第七条)."""

    record_class: RecordClass = Field(
        description="half_month, quarter, half_year, year (higher classes include the lower "
        "ones), repair, on_demand."
    )
    performed_at: EvidenceInstant = Field(
        description="When the visit took place, with its UTC offset; not in the future, not "
        "before commissioning.",
        examples=["2026-11-10T09:30:00+08:00"],
    )
    workers: Annotated[list[Worker], Field(max_length=20)] = Field(
        description="At least 2 workers, at least 1 with a valid certificate number."
    )
    items_done: Annotated[list[ShortText], Field(min_length=1, max_length=100)] = Field(
        examples=[["机房、滑轮间环境", "手动紧急操作装置", "制动器各销轴部位"]]
    )
    findings: LongText | None = None
    parts_replaced: Annotated[list[ShortText], Field(max_length=100)] = Field(default_factory=list)


class MaintenanceRecordCreate(_RecordContent):
    """A maintenance record filed by the maintenance unit holding the contract on that day."""

    elevator_id: DbId
    contract_id: DbId | None = Field(
        default=None,
        description="Optional: found from the elevator and the date; if given, it must be the "
        "contract covering that date.",
    )


class MaintenanceRecordRevise(_RecordContent):
    """A correction: the whole content again, and why it changed. The earlier one stays."""

    reason: LongText = Field(examples=["补录更换的门锁触点"])


class ConfirmationCreate(InputModel):
    """The user unit's safety manager signing the record."""

    safety_manager: Name = Field(examples=["李娜"])
    confirmed_at: EvidenceInstant | None = Field(
        default=None, description="When it was signed; default now. Not before the visit."
    )


class WorkerRead(ReadModel):
    """A worker as recorded."""

    name: str
    certificate_number: str | None = None


class ConfirmationRead(ReadModel):
    """A user-unit confirmation."""

    id: int
    safety_manager: str
    confirmed_at: datetime
    filed_by: str
    confirmed_by_user_id: int | None = Field(
        default=None, description="The safety manager's account (null for a token)."
    )
    created_at: datetime


class MaintenanceRecordRead(ReadModel):
    """A maintenance record (one revision), its confirmation, and its place in the chain."""

    id: int
    elevator_id: int
    contract_id: int
    maintenance_unit_id: int
    record_class: RecordClass
    performed_at: datetime
    workers: list[WorkerRead]
    items_done: list[str]
    findings: str | None
    parts_replaced: list[str]
    revision: int
    supersedes_id: int | None
    superseded_by_id: int | None = Field(
        default=None, description="The revision that replaced this one; null for the latest."
    )
    revision_reason: str | None
    filed_by: str
    filed_by_user_id: int | None = Field(
        default=None, description="The person who filed it (null for a token or an import)."
    )
    created_at: datetime
    confirmation: ConfirmationRead | None = Field(
        default=None, description="The user unit's confirmation of this revision, if any."
    )
    visit: VisitRead | None = Field(
        default=None,
        description="The on-site visit the record was filed from (电子维保): check-in and "
        "check-out times and places, checklist, photo hashes, flags; null for records filed "
        "directly.",
    )


# Hazard reports -------------------------------------------------------------------------------


class HazardReportCreate(InputModel):
    """A hazard found on an elevator; `serious` stops the elevator and notifies its user unit."""

    elevator_id: DbId
    severity: HazardSeverity
    found_at: EvidenceInstant | None = Field(default=None, description="Default now.")
    description: LongText = Field(examples=["曳引钢丝绳断丝超标，制动器制动力不足"])


class HazardResolve(InputModel):
    """The hazard has been removed."""

    resolved_on: PlausibleDate | None = Field(default=None, description="Default today.")
    note: LongText | None = None


class HazardResolutionRead(ReadModel):
    """The dated event that closed a hazard report."""

    id: int
    resolved_on: date
    note: str | None
    filed_by: str
    created_at: datetime


class NoticeSummary(ReadModel):
    """The stop-use notice a serious hazard produced."""

    id: int
    notice_number: str
    issued_at: datetime


class HazardReportRead(ReadModel):
    """A hazard report with its resolution and notice, when there are."""

    id: int
    elevator_id: int
    reporter_organisation_id: int | None
    severity: HazardSeverity
    found_at: datetime
    description: str
    reported_to_bureau_at: datetime | None
    filed_by: str
    created_at: datetime
    resolution: HazardResolutionRead | None = None
    notice: NoticeSummary | None = None


class NoticeElevator(ReadModel):
    """The elevator a stop-use notice names."""

    id: int
    equipment_code: str
    registration_number: str | None
    rescue_code: str
    street: str
    address: str


class StopUseNoticeRead(ReadModel):
    """停止使用通知书: the written notice to the user unit (plan §三(七)4)."""

    id: int
    notice_number: str
    title: str
    hazard_report_id: int
    issued_at: datetime
    issued_on: date
    user_unit_id: int | None
    user_unit_name: str | None
    reporting_unit: str
    elevator: NoticeElevator
    hazard_found_at: datetime
    hazard_description: str
    legal_basis: str
    body: str = Field(description="The notice's text as issued (frozen at issue time).")


# Usage checks and rescue drills -------------------------------------------------------------


class UsageCheckCreate(InputModel):
    """The user unit's own check of an elevator (at least monthly; weekly in public places)."""

    elevator_id: DbId
    checked_on: PlausibleDate | None = Field(default=None, description="Default today.")
    checker_name: Name = Field(examples=["王强"])
    findings: LongText | None = None


class UsageCheckRead(ReadModel):
    """A usage check."""

    id: int
    elevator_id: int
    user_unit_id: int
    checked_on: date
    checker_name: str
    findings: str | None
    created_at: datetime


class RescueDrillCreate(InputModel):
    """A rescue drill held by a maintenance unit (TSG T5002: at least every 6 months)."""

    held_on: PlausibleDate | None = Field(default=None, description="Default today.")
    participants: Annotated[int, Field(ge=1, le=500)] = Field(examples=[6])
    elevator_id: DbId | None = Field(
        default=None, description="Optional: an elevator the unit maintained on that day."
    )
    maintenance_unit_id: DbId | None = Field(
        default=None,
        description="Bureau only (filing on a unit's behalf); units file for themselves.",
    )
    description: LongText | None = None


class RescueDrillRead(ReadModel):
    """A rescue drill."""

    id: int
    maintenance_unit_id: int
    elevator_id: int | None
    held_on: date
    participants: int
    description: str | None
    created_at: datetime
