"""The maintenance visit: check-in, photos, second worker, check-out, submit (电子维保).

The phone names the visit by a UUID it generates before the first request, and every step is
idempotent on it: a check-in retried returns the visit already begun, a photo retried into the
same slot with the same bytes is the photo already stored, a check-out retried keeps the first
time, and a submit retried returns the record the first one filed. So a worker on a bad signal
can press again until the server answers, and never makes two records.

The record itself is filed by `maintenance.service.file_record`, the path of
``POST /maintenance-records``, so every refusal of that route applies here unchanged.
"""

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.errors import Conflict, Forbidden, InvalidValue, NotFound
from elevator_registry.maintenance import service as record_service
from elevator_registry.maintenance.models import MaintenanceRecord
from elevator_registry.maintenance.schemas import MaintenanceRecordCreate, Worker
from elevator_registry.registry.models import Elevator, MaintenanceContract
from elevator_registry.registry.scoping import contract_current_on
from elevator_registry.visits import checklist as checklist_table
from elevator_registry.visits import photos as photo_checks
from elevator_registry.visits.checklist import ITEM_RESULT_ZH, ItemResult
from elevator_registry.visits.enums import PhotoPhase, Presence
from elevator_registry.visits.models import MaintenanceVisit, VisitPhoto
from elevator_registry.visits.schemas import (
    ChecklistEntry,
    Position,
    PresenceConfirm,
    VisitStart,
    VisitSubmit,
)
from elevator_registry.visits.storage import PhotoStorage

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine; within 0.5 % of WGS-84 at these ranges)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _distance_to(elevator: Elevator, position: Position) -> int | None:
    if None in (elevator.latitude, elevator.longitude, position.latitude, position.longitude):
        return None
    return round(
        distance_m(
            float(elevator.latitude),  # type: ignore[arg-type]
            float(elevator.longitude),  # type: ignore[arg-type]
            float(position.latitude),  # type: ignore[arg-type]
            float(position.longitude),  # type: ignore[arg-type]
        )
    )


def _utc(instant: datetime | None) -> datetime | None:
    return None if instant is None else instant.astimezone(UTC)


def _not_found(rescue_code: str) -> NotFound:
    error = NotFound("elevator", rescue_code)
    error.message_zh = "未找到该电梯，或贵单位当天没有它的维保合同"
    return error


def visitable_elevator(
    session: Session, *, rescue_code: str, actor: Principal, now: datetime, settings: Settings
) -> tuple[Elevator, MaintenanceContract]:
    """The elevator and the actor firm's contract covering today; 404 for any other firm's."""
    actor.require(Role.MAINTENANCE_UNIT)
    day = record_service.local_day(now, settings.timezone)
    row = session.execute(
        select(Elevator, MaintenanceContract)
        .join(MaintenanceContract, MaintenanceContract.elevator_id == Elevator.id)
        .where(
            Elevator.rescue_code == rescue_code,
            MaintenanceContract.maintenance_unit_id == actor.organisation_id,
            contract_current_on(day),
        )
        .order_by(MaintenanceContract.id)
        .limit(1)
    ).first()
    if row is None:
        # Another firm's elevator and an unknown code answer alike: the firm learns nothing.
        raise _not_found(rescue_code)
    return row[0], row[1]


def may_visit(
    session: Session, *, rescue_code: str, actor: Principal, now: datetime, settings: Settings
) -> bool:
    """True when `actor` is a worker of the firm holding the elevator's contract today."""
    if actor.role != Role.MAINTENANCE_UNIT:
        return False
    try:
        visitable_elevator(
            session, rescue_code=rescue_code, actor=actor, now=now, settings=settings
        )
    except NotFound:
        return False
    return True


def _visit_not_found(visit_key: UUID | str) -> NotFound:
    error = NotFound("visit", visit_key)
    error.message_zh = "未找到该维保作业"
    return error


def get_visit(session: Session, *, visit_key: UUID | str, actor: Principal) -> MaintenanceVisit:
    """The visit if the caller may see it: its firm, the elevator's user unit, the bureau."""
    visit = session.scalar(
        select(MaintenanceVisit).where(MaintenanceVisit.visit_key == str(visit_key))
    )
    if visit is None:
        raise _visit_not_found(visit_key)
    if actor.role in (Role.BUREAU, Role.CLI):
        return visit
    if actor.role == Role.MAINTENANCE_UNIT and visit.maintenance_unit_id == actor.organisation_id:
        return visit
    if actor.role == Role.USER_UNIT:
        elevator = session.get_one(Elevator, visit.elevator_id)
        if elevator.user_unit_id == actor.organisation_id:
            return visit
    raise _visit_not_found(visit_key)


def _open_visit(session: Session, *, visit_key: UUID | str, actor: Principal) -> MaintenanceVisit:
    """The actor firm's visit, still open for changes."""
    actor.require(Role.MAINTENANCE_UNIT)
    visit = get_visit(session, visit_key=visit_key, actor=actor)
    if visit.record_id is not None:
        raise Conflict(
            "VISIT_ALREADY_SUBMITTED",
            f"visit {visit.visit_key} was submitted as record {visit.record_id}; it changes no more",
            message_zh="该维保作业已提交，不能再修改",
        )
    return visit


def start_visit(
    session: Session, *, data: VisitStart, actor: Principal, now: datetime, settings: Settings
) -> tuple[MaintenanceVisit, bool]:
    """Checks in (server time now); returns the visit and whether this call began it."""
    actor.require(Role.MAINTENANCE_UNIT)
    existing = session.scalar(
        select(MaintenanceVisit).where(MaintenanceVisit.visit_key == str(data.visit_id))
    )
    if existing is not None:
        if existing.maintenance_unit_id != actor.organisation_id:
            raise _visit_not_found(data.visit_id)
        return existing, False
    if data.record_class not in checklist_table.visit_classes():
        raise InvalidValue(
            "VISIT_CLASS_WITHOUT_CHECKLIST",
            f"record_class {data.record_class}: a visit is half_month, quarter, half_year or year",
            field="record_class",
            message_zh="维保类别须为半月、季度、半年或年度",
        )
    elevator, contract = visitable_elevator(
        session, rescue_code=data.rescue_code, actor=actor, now=now, settings=settings
    )
    distance = _distance_to(elevator, data)
    visit = MaintenanceVisit(
        visit_key=str(data.visit_id),
        elevator_id=elevator.id,
        contract_id=contract.id,
        maintenance_unit_id=contract.maintenance_unit_id,
        record_class=data.record_class,
        started_by=actor.label,
        started_by_user_id=actor.user_id,
        check_in_at=now,
        check_in_device_at=_utc(data.device_at),
        check_in_latitude=data.latitude,
        check_in_longitude=data.longitude,
        check_in_accuracy_m=data.accuracy_m,
        check_in_distance_m=distance,
        check_in_far=distance is not None and distance > settings.visit_checkin_radius_m,
        created_at=now,
    )
    session.add(visit)
    session.flush()
    audit.record(session, actor=actor, at=now, action="check_in", row=visit)
    return visit, True


def check_out(
    session: Session,
    *,
    visit_key: UUID | str,
    data: Position,
    actor: Principal,
    now: datetime,
) -> MaintenanceVisit:
    """Checks out once (server time now); a retry keeps the first check-out."""
    actor.require(Role.MAINTENANCE_UNIT)
    visit = get_visit(session, visit_key=visit_key, actor=actor)
    if visit.check_out_at is not None:
        return visit
    elevator = session.get_one(Elevator, visit.elevator_id)
    # Compare-and-set: of two racing check-outs only one stamps the time.
    session.execute(
        update(MaintenanceVisit)
        .where(MaintenanceVisit.id == visit.id, MaintenanceVisit.check_out_at.is_(None))
        .values(
            check_out_at=now,
            check_out_device_at=_utc(data.device_at),
            check_out_latitude=data.latitude,
            check_out_longitude=data.longitude,
            check_out_accuracy_m=data.accuracy_m,
            check_out_distance_m=_distance_to(elevator, data),
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(visit)
    audit.record(session, actor=actor, at=now, action="check_out", row=visit)
    return visit


def attach_photo(
    session: Session,
    *,
    visit_key: UUID | str,
    checkpoint: str,
    phase: PhotoPhase,
    data: bytes,
    actor: Principal,
    now: datetime,
    settings: Settings,
    storage: PhotoStorage,
) -> VisitPhoto:
    """Stores one checkpoint's photo (before or after); the same bytes again change nothing,
    other bytes replace the slot's photo until the visit is submitted."""
    visit = _open_visit(session, visit_key=visit_key, actor=actor)
    if checkpoint not in settings.visit_photo_checkpoints:
        known = ", ".join(settings.visit_photo_checkpoints)
        raise InvalidValue(
            "PHOTO_CHECKPOINT_UNKNOWN",
            f"checkpoint {checkpoint!r} is not one of {known}",
            field="checkpoint",
            message_zh="拍照点位不存在",
        )
    photo_checks.check_size(len(data), settings.visit_photo_max_bytes)
    content_type = photo_checks.content_type_of(data)
    sha256 = storage.put(data, content_type=content_type)
    slot = session.scalar(
        select(VisitPhoto).where(
            VisitPhoto.visit_id == visit.id,
            VisitPhoto.checkpoint == checkpoint,
            VisitPhoto.phase == phase,
        )
    )
    if slot is not None and slot.sha256 == sha256:
        return slot
    values = {
        "sha256": sha256,
        "byte_size": len(data),
        "content_type": content_type,
        "taken_at": _utc(photo_checks.capture_time(data, content_type, settings.timezone)),
        "reused": _seen_elsewhere(session, sha256=sha256, visit=visit, settings=settings),
        "created_at": now,
    }
    if slot is None:
        slot = VisitPhoto(visit_id=visit.id, checkpoint=checkpoint, phase=phase, **values)
        session.add(slot)
    else:
        for name, value in values.items():
            setattr(slot, name, value)
    session.flush()
    return slot


def _seen_elsewhere(
    session: Session, *, sha256: str, visit: MaintenanceVisit, settings: Settings
) -> bool:
    """The same photo on another elevator's visit, or on a visit of another local day."""
    day = record_service.local_day(visit.check_in_at, settings.timezone)
    day_start = record_service.local_day_start(day, settings.timezone)
    elsewhere = (
        (MaintenanceVisit.elevator_id != visit.elevator_id)
        | (MaintenanceVisit.check_in_at < day_start)
        | (MaintenanceVisit.check_in_at >= day_start + timedelta(days=1))
    )
    return (
        session.scalar(
            select(VisitPhoto.id)
            .join(MaintenanceVisit, MaintenanceVisit.id == VisitPhoto.visit_id)
            .where(VisitPhoto.sha256 == sha256, MaintenanceVisit.id != visit.id, elsewhere)
            .limit(1)
        )
        is not None
    )


def confirm_presence(
    session: Session,
    *,
    visit_key: UUID | str,
    data: PresenceConfirm,
    actor: Principal,
    now: datetime,
) -> MaintenanceVisit:
    """The second worker, logged in as themself, confirms being on site."""
    visit = _open_visit(session, visit_key=visit_key, actor=actor)
    if actor.user_id is None:
        raise Forbidden(
            "PRESENCE_NEEDS_PERSONAL_ACCOUNT",
            "presence is confirmed from a worker's own account, not from a token",
            message_zh="须由第二名作业人员用本人账号确认到场",
        )
    if actor.user_id == visit.started_by_user_id:
        raise Conflict(
            "PRESENCE_SAME_PERSON",
            "the worker who checked in cannot confirm the second worker's presence",
            field="second_worker",
            message_zh="签到人员不能替第二名作业人员确认到场",
        )
    visit.second_worker_name = data.name
    visit.second_worker_certificate_number = data.certificate_number
    visit.second_worker_presence = Presence.CONFIRMED_BY_OWN_ACCOUNT
    visit.second_worker_user_id = actor.user_id
    visit.second_worker_confirmed_at = now
    session.flush()
    audit.record(session, actor=actor, at=now, action="confirm_presence", row=visit)
    return visit


def _checked_checklist(
    record_class: str, entries: Sequence[ChecklistEntry]
) -> list[dict[str, str | None]]:
    """The checklist as stored: every item of the class, once, in the standard's order."""
    expected = checklist_table.checklist_of(record_class)
    by_code: dict[str, dict[str, str | None]] = {}
    for index, entry in enumerate(entries):
        code, result, note = entry.code, entry.result, entry.note
        if code not in checklist_table.ITEMS_BY_CODE or code not in {i.code for i in expected}:
            raise InvalidValue(
                "CHECKLIST_ITEM_UNKNOWN",
                f"checklist[{index}].code {code!r} is not an item of the {record_class} checklist",
                field=f"checklist.{index}.code",
                message_zh=f"维保项目 {code} 不属于本次维保类别",
            )
        if code in by_code:
            raise InvalidValue(
                "CHECKLIST_ITEM_DUPLICATE",
                f"checklist lists {code} twice",
                field=f"checklist.{index}.code",
                message_zh=f"维保项目 {code} 重复",
            )
        if result in (ItemResult.ADJUSTED, ItemResult.REPLACED) and not note:
            raise InvalidValue(
                "CHECKLIST_NOTE_REQUIRED",
                f"checklist {code}: a result of {result} needs a note saying what was done",
                field=f"checklist.{index}.note",
                message_zh=f"维保项目 {code}：{ITEM_RESULT_ZH[result]}须填写说明",
            )
        by_code[code] = {"code": code, "result": str(result), "note": note}
    missing = [item.code for item in expected if item.code not in by_code]
    if missing:
        raise InvalidValue(
            "CHECKLIST_INCOMPLETE",
            f"checklist: {len(missing)} items of the {record_class} checklist have no result "
            f"({', '.join(missing[:5])}{'…' if len(missing) > 5 else ''})",
            field=f"checklist.{missing[0]}",
            message_zh=f"还有 {len(missing)} 个维保项目未填写结果（{missing[0]} 起）",
        )
    return [by_code[item.code] for item in expected]


def _check_photos(session: Session, visit: MaintenanceVisit, settings: Settings) -> None:
    """Every configured checkpoint has its before and after photo."""
    present = {
        (checkpoint, phase)
        for checkpoint, phase in session.execute(
            select(VisitPhoto.checkpoint, VisitPhoto.phase).where(VisitPhoto.visit_id == visit.id)
        )
    }
    for checkpoint, label in settings.visit_photo_checkpoints.items():
        for phase, phase_zh in ((PhotoPhase.BEFORE, "作业前"), (PhotoPhase.AFTER, "作业后")):
            if (checkpoint, phase) not in present:
                raise InvalidValue(
                    "PHOTO_MISSING",
                    f"photos: the {phase} photo of {checkpoint} is missing",
                    field=f"photos.{checkpoint}.{phase}",
                    message_zh=f"缺少照片：{label}（{phase_zh}）",
                )


def submit_visit(
    session: Session,
    *,
    visit_key: UUID | str,
    data: VisitSubmit,
    actor: Principal,
    today: date,
    now: datetime,
    settings: Settings,
) -> tuple[MaintenanceRecord, bool]:
    """Files the visit's maintenance record once; a retry returns the record already filed."""
    actor.require(Role.MAINTENANCE_UNIT)
    visit = get_visit(session, visit_key=visit_key, actor=actor)
    if visit.record_id is not None:
        return session.get_one(MaintenanceRecord, visit.record_id), False
    if visit.check_out_at is None:
        raise Conflict(
            "VISIT_NOT_CHECKED_OUT",
            "check out before submitting the visit",
            field="check_out",
            message_zh="请先签退再提交",
        )
    checklist = _checked_checklist(visit.record_class, data.checklist)
    _check_photos(session, visit, settings)
    if visit.second_worker_presence == Presence.CONFIRMED_BY_OWN_ACCOUNT:
        # The worker who confirmed from their own account stands; the phone cannot replace them.
        second = Worker(
            name=visit.second_worker_name or "",
            certificate_number=visit.second_worker_certificate_number,
        )
        second_fields: dict[str, object] = {}
    elif data.second_worker is not None:
        second = Worker(
            name=data.second_worker.name, certificate_number=data.second_worker.certificate_number
        )
        second_fields = {
            "second_worker_name": second.name,
            "second_worker_certificate_number": second.certificate_number,
            "second_worker_presence": Presence.ENTERED_BY_FIRST,
        }
    else:
        raise InvalidValue(
            "CREW_TOO_SMALL",
            "workers: the second worker neither confirmed presence nor was entered",
            field="second_worker",
            message_zh="至少两名作业人员：请第二名作业人员确认到场，或由您录入",
        )
    crew = [
        Worker(
            name=data.first_worker.name, certificate_number=data.first_worker.certificate_number
        ),
        second,
    ]
    items = checklist_table.ITEMS_BY_CODE
    record = record_service.file_record(
        session,
        data=MaintenanceRecordCreate(
            elevator_id=visit.elevator_id,
            contract_id=visit.contract_id,
            record_class=visit.record_class,
            performed_at=visit.check_in_at,
            workers=crew,
            items_done=[
                f"{entry['code']} {items[str(entry['code'])].item}"
                for entry in checklist
                if entry["result"] != ItemResult.NOT_APPLICABLE
            ]
            or ["（全部不适用）"],
            findings=data.findings,
            parts_replaced=data.parts_replaced,
        ),
        actor=actor,
        today=today,
        now=now,
        settings=settings,
    )
    session.flush()
    # Compare-and-set: of two racing submits one links its record, the other rolls back.
    linked = session.execute(
        update(MaintenanceVisit)
        .where(MaintenanceVisit.id == visit.id, MaintenanceVisit.record_id.is_(None))
        .values(
            record_id=record.id,
            submitted_at=now,
            checklist=checklist,
            **second_fields,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if linked != 1:
        raise Conflict(
            "VISIT_ALREADY_SUBMITTED",
            f"visit {visit.visit_key} was submitted meanwhile; retry to read its record",
            message_zh="该维保作业刚刚已提交，请刷新",
        )
    session.refresh(visit)
    audit.record(session, actor=actor, at=now, action="submit", row=visit)
    return record, True


# Reading ----------------------------------------------------------------------------------------


def readable_photo_type(session: Session, *, sha256: str, actor: Principal) -> str:
    """The photo's content type, if the caller may see a visit that carries it; 404 otherwise."""
    rows = session.execute(
        select(MaintenanceVisit.visit_key, VisitPhoto.content_type)
        .join(VisitPhoto, VisitPhoto.visit_id == MaintenanceVisit.id)
        .where(VisitPhoto.sha256 == sha256)
    ).all()
    for visit_key, content_type in rows:
        try:
            get_visit(session, visit_key=visit_key, actor=actor)
        except NotFound:
            continue
        return str(content_type)
    raise NotFound("photo", sha256)
