"""Hazard reports, the stop-use notice a serious one produces, and their resolution.

Plan §三(七)4 (and TSG T5002, domain-rules M12/M13): a unit that finds a serious hazard notifies
the user unit in writing to stop using the elevator and reports to the bureau. Filing a serious
hazard therefore does, in ONE transaction: the hazard report (with `reported_to_bureau_at`),
the suspension of the elevator if it is in use (registry.elevators.suspend_for_hazard, with its
dated status change), the written stop-use notice with a unique number, and their audit events.
Any failure leaves none of them. An elevator that is not in use (registered or already
suspended) gets the report and the notice all the same.

Resolving a hazard is a dated event (HazardResolution) by the reporting organisation or the
bureau. It does NOT resume the elevator: restarting is the user unit's or the bureau's explicit
`POST /elevators/{id}/resume`, with its own checks (INSPECTION_FAILED_IN_USE, SUSPENDED_RESTART,
and SERIOUS_HAZARD_OPEN, which refuses it while a serious hazard of the elevator is unresolved).
"""

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings, get_settings
from elevator_registry.errors import Conflict, Forbidden, InvalidValue, NotFound
from elevator_registry.maintenance.enums import HazardSeverity
from elevator_registry.maintenance.models import HazardReport, HazardResolution, StopUseNotice
from elevator_registry.maintenance.schemas import (
    HazardReportCreate,
    HazardReportRead,
    HazardResolutionRead,
    HazardResolve,
    NoticeElevator,
    NoticeSummary,
    StopUseNoticeRead,
)
from elevator_registry.maintenance.scoping import readable_hazards
from elevator_registry.maintenance.service import local_day
from elevator_registry.notifications import outbox
from elevator_registry.notifications.enums import Topic
from elevator_registry.registry import elevators as elevator_service
from elevator_registry.registry.enums import ElevatorStatus
from elevator_registry.registry.models import Elevator, MaintenanceContract, Organisation
from elevator_registry.registry.scoping import contract_current_on

NOTICE_TITLE = "电梯停止使用通知书"
LEGAL_BASIS = (
    "《重庆市綦江区“安全乘梯守护行动”实施方案》三(七)4：发现存在严重安全隐患的电梯，应当立即"
    "书面通知使用单位停止使用，并向当地特种设备安全监督管理部门报告；TSG T5002-2017《电梯维护保养规则》"
)


def notice_number(hazard: HazardReport, issued_on: date) -> str:
    """Unique notice number: TYTZ (停用通知) - year - the hazard report's id."""
    return f"TYTZ-{issued_on.year}-{hazard.id:06d}"


def reporting_unit_name(session: Session, hazard: HazardReport, elevator: Elevator) -> str:
    """The name of the organisation that reported, or the district bureau."""
    if hazard.reporter_organisation_id is not None:
        organisation = session.get(Organisation, hazard.reporter_organisation_id)
        if organisation is not None:
            return organisation.name
    return f"{elevator.district}市场监督管理局"


class NoticeSubject(Protocol):
    """What a notice says about its elevator (an `Elevator`, or a row with these columns)."""

    district: str
    equipment_code: str
    registration_number: str | None
    rescue_code: str
    address: str
    building: str | None


def notice_body(
    *,
    number: str,
    user_unit_name: str | None,
    reporting_unit: str,
    elevator: NoticeSubject,
    found_on: date,
    description: str,
    issued_on: date,
) -> str:
    """The notice's wording, frozen into the notice row when it is issued."""
    registration = elevator.registration_number or "未办理使用登记"
    location = elevator.address + (f" {elevator.building}" if elevator.building else "")
    return "\n".join(
        [
            NOTICE_TITLE,
            f"编号：{number}",
            "",
            f"{user_unit_name or '该电梯使用单位'}：",
            f"    {reporting_unit}于{found_on:%Y年%m月%d日}发现，你单位使用管理的下列电梯存在严重"
            "安全隐患：",
            f"    设备代码：{elevator.equipment_code}；使用登记证编号：{registration}；"
            f"96333应急救援识别码：{elevator.rescue_code}",
            f"    安装地点：{location}",
            f"    隐患情况：{description}",
            f"    依据{LEGAL_BASIS}的规定，现书面通知你单位：自接到本通知之日起立即停止使用该电梯，"
            "在显著位置设置停用标志，组织消除隐患；隐患消除并经确认后方可恢复使用。",
            f"    本隐患已同时报告{elevator.district}市场监督管理局。",
            "",
            f"{reporting_unit}",
            f"{issued_on:%Y年%m月%d日}",
        ]
    )


# Reading ----------------------------------------------------------------------------------------


def hazards_statement(
    *,
    actor: Principal,
    today: date,
    elevator_id: int | None = None,
    severity: str | None = None,
    reporter_organisation_id: int | None = None,
    open_only: bool | None = None,
) -> Select[Any]:
    """Hazard reports the caller may read, filtered; `open_only` False lists resolved ones."""
    statement = select(HazardReport).where(readable_hazards(actor, today))
    if elevator_id is not None:
        statement = statement.where(HazardReport.elevator_id == elevator_id)
    if severity is not None:
        statement = statement.where(HazardReport.severity == severity)
    if reporter_organisation_id is not None:
        statement = statement.where(
            HazardReport.reporter_organisation_id == reporter_organisation_id
        )
    if open_only is not None:
        resolved = exists(
            select(HazardResolution.id).where(HazardResolution.hazard_report_id == HazardReport.id)
        )
        statement = statement.where(~resolved if open_only else resolved)
    return statement


def get_hazard(session: Session, *, hazard_id: int, actor: Principal, today: date) -> HazardReport:
    """The hazard report if the caller may read it; 404 HAZARD_REPORT_NOT_FOUND otherwise."""
    hazard = session.scalar(
        select(HazardReport).where(HazardReport.id == hazard_id, readable_hazards(actor, today))
    )
    if hazard is None:
        raise NotFound("hazard_report", hazard_id)
    return hazard


def hazard_reads(session: Session, hazards: Sequence[HazardReport]) -> list[HazardReportRead]:
    """Read models with resolution and notice, in two queries for the whole list."""
    ids = [hazard.id for hazard in hazards]
    resolutions: dict[int, HazardResolution] = {}
    notices: dict[int, StopUseNotice] = {}
    if ids:
        resolutions = {
            row.hazard_report_id: row
            for row in session.scalars(
                select(HazardResolution).where(HazardResolution.hazard_report_id.in_(ids))
            )
        }
        notices = {
            row.hazard_report_id: row
            for row in session.scalars(
                select(StopUseNotice).where(StopUseNotice.hazard_report_id.in_(ids))
            )
        }
    reads = []
    for hazard in hazards:
        resolution = resolutions.get(hazard.id)
        notice = notices.get(hazard.id)
        reads.append(
            HazardReportRead.model_validate(hazard).model_copy(
                update={
                    "resolution": HazardResolutionRead.model_validate(resolution)
                    if resolution
                    else None,
                    "notice": NoticeSummary.model_validate(notice) if notice else None,
                }
            )
        )
    return reads


def get_notice(
    session: Session,
    *,
    hazard_id: int,
    actor: Principal,
    today: date,
    settings: Settings | None = None,
) -> StopUseNoticeRead:
    """The stop-use notice of a serious hazard; 404 STOP_USE_NOTICE_NOT_FOUND for others."""
    settings = settings or get_settings()
    hazard = get_hazard(session, hazard_id=hazard_id, actor=actor, today=today)
    notice = session.scalar(
        select(StopUseNotice).where(StopUseNotice.hazard_report_id == hazard.id)
    )
    if notice is None:
        raise NotFound("stop_use_notice", f"for hazard report {hazard_id}")
    elevator = session.get_one(Elevator, notice.elevator_id)
    user_unit = session.get(Organisation, notice.user_unit_id) if notice.user_unit_id else None
    return StopUseNoticeRead(
        id=notice.id,
        notice_number=notice.notice_number,
        title=NOTICE_TITLE,
        hazard_report_id=hazard.id,
        issued_at=notice.issued_at,
        issued_on=local_day(notice.issued_at, settings.timezone),
        user_unit_id=notice.user_unit_id,
        user_unit_name=user_unit.name if user_unit else None,
        reporting_unit=reporting_unit_name(session, hazard, elevator),
        elevator=NoticeElevator.model_validate(elevator),
        hazard_found_at=hazard.found_at,
        hazard_description=hazard.description,
        legal_basis=LEGAL_BASIS,
        body=notice.body,
    )


@lru_cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("elevator_registry.maintenance", "templates"),
        autoescape=select_autoescape(default=True),
    )


def render_notice_html(notice: StopUseNoticeRead) -> str:
    """The notice as a printable HTML page (A4, the frozen wording)."""
    paragraphs = notice.body.split("\n")
    return (
        _templates()
        .get_template("stop_use_notice.html")
        .render(notice=notice, paragraphs=paragraphs)
    )


# Writing ----------------------------------------------------------------------------------------


def report_hazard(
    session: Session,
    *,
    data: HazardReportCreate,
    actor: Principal,
    today: date,
    now: datetime,
    settings: Settings | None = None,
) -> HazardReport:
    """Files a hazard report; a serious one also suspends the elevator, issues the stop-use
    notice and reports to the bureau, all in the caller's one transaction."""
    actor.require(Role.MAINTENANCE_UNIT, Role.INSPECTION_AGENCY, Role.BUREAU, Role.CLI)
    settings = settings or get_settings()
    # Locked so a concurrent status change or a second serious report serialise on the elevator.
    elevator = session.scalar(
        select(Elevator).where(Elevator.id == data.elevator_id).with_for_update()
    )
    if elevator is None:
        raise NotFound("elevator", data.elevator_id)
    found_at = data.found_at or now
    if found_at > now:
        raise InvalidValue(
            "HAZARD_DATE_IN_FUTURE",
            f"found_at {found_at.isoformat()} is in the future",
            field="found_at",
        )
    found_on = local_day(found_at, settings.timezone)
    if elevator.status == ElevatorStatus.SCRAPPED:
        raise Conflict(
            "ELEVATOR_SCRAPPED", f"elevator {elevator.id} is scrapped; it has no hazards to report"
        )
    if actor.role == Role.MAINTENANCE_UNIT:
        holds = session.scalar(
            select(MaintenanceContract.id).where(
                MaintenanceContract.elevator_id == elevator.id,
                MaintenanceContract.maintenance_unit_id == actor.organisation_id,
                contract_current_on(found_on),
            )
        )
        if holds is None:
            raise Conflict(
                "NO_CONTRACT_ON_DATE",
                f"maintenance unit {actor.organisation_id} holds no contract for elevator "
                f"{elevator.id} covering {found_on.isoformat()}",
                field="elevator_id",
            )
    serious = data.severity == HazardSeverity.SERIOUS
    hazard = HazardReport(
        elevator_id=elevator.id,
        reporter_organisation_id=actor.organisation_id,
        severity=data.severity,
        found_at=found_at,
        description=data.description,
        reported_to_bureau_at=now if serious else None,
        filed_by=actor.label,
        created_at=now,
    )
    session.add(hazard)
    audit.record(session, actor=actor, at=now, action="create", row=hazard)
    if serious:
        elevator_service.suspend_for_hazard(
            session,
            elevator=elevator,
            on=today,
            reason=f"serious hazard report {hazard.id}: stop-use notice (plan §三(七)4)",
            actor=actor,
            now=now,
        )
        issue_stop_use_notice(
            session,
            hazard=hazard,
            elevator=elevator,
            found_on=found_on,
            actor=actor,
            today=today,
            now=now,
        )
    return hazard


def issue_stop_use_notice(
    session: Session,
    *,
    hazard: HazardReport,
    elevator: Elevator,
    found_on: date,
    actor: Principal,
    today: date,
    now: datetime,
) -> StopUseNotice:
    """Writes the stop-use notice to the elevator's user unit for a serious hazard."""
    user_unit = session.get(Organisation, elevator.user_unit_id) if elevator.user_unit_id else None
    number = notice_number(hazard, today)
    notice = StopUseNotice(
        notice_number=number,
        hazard_report_id=hazard.id,
        elevator_id=elevator.id,
        user_unit_id=elevator.user_unit_id,
        issued_at=now,
        body=notice_body(
            number=number,
            user_unit_name=user_unit.name if user_unit else None,
            reporting_unit=reporting_unit_name(session, hazard, elevator),
            elevator=elevator,
            found_on=found_on,
            description=hazard.description,
            issued_on=today,
        ),
        created_at=now,
    )
    session.add(notice)
    audit.record(session, actor=actor, at=now, action="issue", row=notice)
    if elevator.user_unit_id is not None:
        session.flush()  # the notice's id names the event
        # The user unit must post the notice and keep the car closed: tell it at once.
        outbox.enqueue(
            session.connection(),
            topic=Topic.HAZARD_STOP_USE,
            event_key=f"stop_use_notice:{notice.id}",
            organisation_id=elevator.user_unit_id,
            now=now,
            payload={
                "notice_number": number,
                "hazard_report_id": hazard.id,
                "elevator_id": elevator.id,
                "equipment_code": elevator.equipment_code,
                "rescue_code": elevator.rescue_code,
                "address": elevator.address,
                "issued_at": now.isoformat(),
            },
        )
    return notice


def resolve_hazard(
    session: Session,
    *,
    hazard_id: int,
    data: HazardResolve,
    actor: Principal,
    today: date,
    now: datetime,
    settings: Settings | None = None,
) -> HazardResolution:
    """Closes a hazard report with a dated resolution (reporter or bureau); once only.

    Does not resume a suspended elevator: that stays an explicit action.
    """
    actor.require(Role.MAINTENANCE_UNIT, Role.INSPECTION_AGENCY, Role.BUREAU, Role.CLI)
    settings = settings or get_settings()
    hazard = get_hazard(session, hazard_id=hazard_id, actor=actor, today=today)
    if actor.role not in (Role.BUREAU, Role.CLI) and (
        hazard.reporter_organisation_id is None
        or hazard.reporter_organisation_id != actor.organisation_id
    ):
        raise Forbidden(
            "OUT_OF_SCOPE",
            f"hazard report {hazard.id} is resolved by the organisation that reported it or "
            "by the bureau",
        )
    resolved = session.scalar(
        select(HazardResolution).where(HazardResolution.hazard_report_id == hazard.id)
    )
    if resolved is not None:
        raise Conflict(
            "HAZARD_ALREADY_RESOLVED",
            f"hazard report {hazard.id} was resolved on {resolved.resolved_on.isoformat()}",
        )
    resolved_on = data.resolved_on or today
    found_on = local_day(hazard.found_at, settings.timezone)
    if resolved_on > today:
        raise InvalidValue(
            "DATE_IN_FUTURE", f"resolved_on {resolved_on} is in the future", field="resolved_on"
        )
    if resolved_on < found_on:
        raise InvalidValue(
            "DATE_ORDER_INVALID",
            f"resolved_on {resolved_on} is before the hazard was found ({found_on})",
            field="resolved_on",
        )
    resolution = HazardResolution(
        hazard_report_id=hazard.id,
        resolved_on=resolved_on,
        note=data.note,
        filed_by=actor.label,
        created_at=now,
    )
    session.add(resolution)
    audit.record(session, actor=actor, at=now, action="resolve", row=resolution)
    return resolution
