"""Maintenance records: filing, revisions, user-unit confirmation, reading (TSG T5002).

Records are append-only evidence (T5002 第十条). A correction is a new revision that supersedes
the latest one (revision n+1, `supersedes_id`); both stay readable, lists show the latest of each
chain. A confirmation belongs to one revision: the safety manager signed what that revision
says, so a revision needs a confirmation of its own (the RECORD_UNCONFIRMED rule reads the
latest revision).

`file_record` is the one validation path for a record, used by the API and by the bulk import:
it raises a DomainError for anything the law or the plan refuses and writes nothing then.
"""

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, aliased

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings, get_settings
from elevator_registry.errors import Conflict, Forbidden, InvalidValue, NotFound, RuleViolation
from elevator_registry.maintenance.models import MaintenanceConfirmation, MaintenanceRecord
from elevator_registry.maintenance.schemas import (
    ConfirmationCreate,
    ConfirmationRead,
    MaintenanceRecordCreate,
    MaintenanceRecordRead,
    MaintenanceRecordRevise,
    Worker,
)
from elevator_registry.maintenance.scoping import readable_records
from elevator_registry.notifications import outbox
from elevator_registry.notifications.enums import Topic
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.enums import ElevatorStatus
from elevator_registry.registry.models import Elevator, MaintenanceContract
from elevator_registry.registry.scoping import contract_current_on
from elevator_registry.rules.catalogue import MAINTAINER_NOT_ELIGIBLE
from elevator_registry.visits import reads as visit_reads

MIN_CREW = 2  # local 电梯安全条例 Art. 25(二); domain-rules M11

# 特种设备作业人员证: since TSG Z6001-2019 the certificate number is the holder's citizen ID
# number (GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check character); older
# certificates carry a prefix of capital letters and digits.
_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
_LEGACY_CERTIFICATE = re.compile(r"^[A-Z]{1,4}\d{6,18}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_check_character(first17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits of an ID number."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def certificate_number_valid(number: str) -> bool:
    """True for an 18-character ID-style certificate number with a correct check character, or a
    legacy letters-and-digits number."""
    if _ID_NUMBER.match(number):
        return id_number_check_character(number[:17]) == number[17]
    return bool(_LEGACY_CERTIFICATE.match(number))


def checked_crew(workers: Sequence[Worker]) -> list[dict[str, Any]]:
    """The crew as stored; refuses fewer than 2 distinct workers or none certified."""
    crew = []
    for index, worker in enumerate(workers):
        number = worker.certificate_number
        if number is not None:
            number = number.upper()
            if not certificate_number_valid(number):
                raise InvalidValue(
                    "CERTIFICATE_NUMBER_INVALID",
                    f"workers[{index}].certificate_number {number!r} is neither an 18-character "
                    "certificate (ID) number with a valid check character nor a legacy number "
                    "(1-4 capital letters and 6-18 digits)",
                    field=f"workers.{index}.certificate_number",
                )
        crew.append({"name": worker.name, "certificate_number": number})
    names = [member["name"] for member in crew]
    if len(set(names)) != len(names):
        raise InvalidValue(
            "WORKER_DUPLICATE", "workers lists the same person twice", field="workers"
        )
    if len(crew) < MIN_CREW:
        raise InvalidValue(
            "CREW_TOO_SMALL",
            f"workers: {len(crew)} on site; at least {MIN_CREW} are required "
            "(domain-rules M11, 电梯安全条例 第二十五条)",
            field="workers",
        )
    if not any(member["certificate_number"] for member in crew):
        raise InvalidValue(
            "NO_CERTIFIED_WORKER",
            "workers: none gives an operator certificate number; at least one certified "
            "worker (特种设备作业人员证) is required",
            field="workers",
        )
    return crew


def local_day(instant: datetime, timezone: str) -> date:
    """The district's calendar day of `instant`."""
    return instant.astimezone(ZoneInfo(timezone)).date()


def local_day_start(day: date, timezone: str) -> datetime:
    """The UTC instant at which `day` starts in the district."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


# Reading ----------------------------------------------------------------------------------------


def latest_revision() -> Any:
    """The record has not been superseded."""
    newer = aliased(MaintenanceRecord)
    return ~exists(select(newer.id).where(newer.supersedes_id == MaintenanceRecord.id))


def records_statement(
    *,
    actor: Principal,
    today: date,
    timezone: str = "Asia/Shanghai",
    elevator_id: int | None = None,
    maintenance_unit_id: int | None = None,
    record_class: str | None = None,
    performed_from: date | None = None,
    performed_to: date | None = None,
    confirmed: bool | None = None,
    include_superseded: bool = False,
) -> Select[Any]:
    """Records the caller may read, latest revisions only unless `include_superseded`."""
    statement = select(MaintenanceRecord).where(readable_records(actor, today))
    if not include_superseded:
        statement = statement.where(latest_revision())
    equalities = {
        MaintenanceRecord.elevator_id: elevator_id,
        MaintenanceRecord.maintenance_unit_id: maintenance_unit_id,
        MaintenanceRecord.record_class: record_class,
    }
    for column, value in equalities.items():
        if value is not None:
            statement = statement.where(column == value)
    if performed_from is not None:
        statement = statement.where(
            MaintenanceRecord.performed_at >= local_day_start(performed_from, timezone)
        )
    if performed_to is not None:
        statement = statement.where(
            MaintenanceRecord.performed_at
            < local_day_start(date.fromordinal(performed_to.toordinal() + 1), timezone)
        )
    if confirmed is not None:
        signed = exists(
            select(MaintenanceConfirmation.id).where(
                MaintenanceConfirmation.record_id == MaintenanceRecord.id
            )
        )
        statement = statement.where(signed if confirmed else ~signed)
    return statement


def get_record(
    session: Session, *, record_id: int, actor: Principal, today: date
) -> MaintenanceRecord:
    """The record (any revision) if the caller may read it; 404 MAINTENANCE_RECORD_NOT_FOUND."""
    record = session.scalar(
        select(MaintenanceRecord).where(
            MaintenanceRecord.id == record_id, readable_records(actor, today)
        )
    )
    if record is None:
        raise NotFound("maintenance_record", record_id)
    return record


def record_history(
    session: Session, *, record_id: int, actor: Principal, today: date
) -> list[MaintenanceRecord]:
    """Every revision of the record's chain, oldest first."""
    record = get_record(session, record_id=record_id, actor=actor, today=today)
    chain = [record]
    while chain[0].supersedes_id is not None:
        earlier = session.get(MaintenanceRecord, chain[0].supersedes_id)
        if earlier is None:  # pragma: no cover - the foreign key forbids it
            break
        chain.insert(0, earlier)
    while True:
        later = session.scalar(
            select(MaintenanceRecord).where(MaintenanceRecord.supersedes_id == chain[-1].id)
        )
        if later is None:
            return chain
        chain.append(later)


def record_reads(
    session: Session, records: Sequence[MaintenanceRecord]
) -> list[MaintenanceRecordRead]:
    """Read models for `records`, with confirmations, successors and visits in a few queries."""
    ids = [record.id for record in records]
    visits = visit_reads.visits_of_records(session, ids)
    confirmations: dict[int, MaintenanceConfirmation] = {}
    successors: dict[int, int] = {}
    if ids:
        confirmations = {
            row.record_id: row
            for row in session.scalars(
                select(MaintenanceConfirmation).where(MaintenanceConfirmation.record_id.in_(ids))
            )
        }
        successors = {
            supersedes_id: successor_id
            for successor_id, supersedes_id in session.execute(
                select(MaintenanceRecord.id, MaintenanceRecord.supersedes_id).where(
                    MaintenanceRecord.supersedes_id.in_(ids)
                )
            )
        }
    reads = []
    for record in records:
        confirmation = confirmations.get(record.id)
        reads.append(
            MaintenanceRecordRead.model_validate(record).model_copy(
                update={
                    "superseded_by_id": successors.get(record.id),
                    "confirmation": ConfirmationRead.model_validate(confirmation)
                    if confirmation
                    else None,
                    "visit": visits.get(record.id),
                }
            )
        )
    return reads


# Writing ----------------------------------------------------------------------------------------


def find_duplicate(
    session: Session,
    *,
    elevator_id: int,
    performed_at: datetime,
    record_class: str,
    excluding_id: int | None = None,
) -> MaintenanceRecord | None:
    """A latest revision recording the same visit (elevator, instant, class), if any."""
    statement = select(MaintenanceRecord).where(
        MaintenanceRecord.elevator_id == elevator_id,
        MaintenanceRecord.performed_at == performed_at,
        MaintenanceRecord.record_class == record_class,
        latest_revision(),
    )
    if excluding_id is not None:
        statement = statement.where(MaintenanceRecord.id != excluding_id)
    return session.scalar(statement.limit(1))


class VisitedElevator(Protocol):
    """What the visit checks read about an elevator (an ORM row or the importer's facts)."""

    id: int
    commissioned_on: date | None
    status: str
    status_changed_on: date | None


def check_visit_day(
    elevator: VisitedElevator, *, performed_at: datetime, now: datetime, timezone: str
) -> date:
    """The local day of a visit; refuses one in the future, before commissioning or after scrapping."""
    if performed_at > now:
        raise InvalidValue(
            "RECORD_DATE_IN_FUTURE",
            f"performed_at {performed_at.isoformat()} is in the future",
            field="performed_at",
        )
    day = local_day(performed_at, timezone)
    if elevator.commissioned_on is None or day < elevator.commissioned_on:
        since = (
            f"was commissioned on {elevator.commissioned_on.isoformat()}"
            if elevator.commissioned_on
            else "has not been commissioned"
        )
        raise InvalidValue(
            "RECORD_BEFORE_COMMISSIONING",
            f"performed_at {day.isoformat()} is before commissioning: elevator {elevator.id} "
            f"{since}",
            field="performed_at",
        )
    if elevator.status == ElevatorStatus.SCRAPPED and (
        elevator.status_changed_on is None or day > elevator.status_changed_on
    ):
        raise Conflict(
            "ELEVATOR_SCRAPPED",
            f"elevator {elevator.id} was scrapped on {elevator.status_changed_on}; no maintenance "
            "after that",
            field="performed_at",
        )
    return day


def no_contract_on(day: date, *, elevator_id: int, maintenance_unit_id: int | None) -> Conflict:
    """NO_CONTRACT_ON_DATE for a visit no contract covers."""
    who = f"maintenance unit {maintenance_unit_id}" if maintenance_unit_id else "any unit"
    return Conflict(
        "NO_CONTRACT_ON_DATE",
        f"{who} holds no maintenance contract for elevator {elevator_id} covering "
        f"{day.isoformat()}",
        field="performed_at",
    )


def maintainer_not_eligible_on(day: date, *, unit_id: int, reasons: Sequence[str]) -> RuleViolation:
    """MAINTAINER_NOT_ELIGIBLE for a visit by a unit that could not maintain on that day."""
    return RuleViolation(
        MAINTAINER_NOT_ELIGIBLE.code,
        f"maintenance unit {unit_id} was not eligible to maintain elevators on "
        f"{day.isoformat()}: " + "; ".join(reasons),
        field="performed_at",
    )


def _known_to(actor: Principal, *, elevator_id: int, session: Session) -> bool:
    """A maintenance unit learns of no elevator it has never held a contract for."""
    if actor.role != Role.MAINTENANCE_UNIT:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    MaintenanceContract.elevator_id == elevator_id,
                    MaintenanceContract.maintenance_unit_id == actor.organisation_id,
                )
            )
        )
    )


def _check_visit(
    session: Session,
    *,
    elevator: Elevator,
    performed_at: datetime,
    maintenance_unit_id: int | None,
    contract_id: int | None,
    now: datetime,
    timezone: str,
) -> MaintenanceContract:
    """Checks the date and the contract of a visit; returns the contract covering it."""
    day = check_visit_day(elevator, performed_at=performed_at, now=now, timezone=timezone)
    statement = select(MaintenanceContract).where(
        MaintenanceContract.elevator_id == elevator.id, contract_current_on(day)
    )
    if maintenance_unit_id is not None:
        statement = statement.where(MaintenanceContract.maintenance_unit_id == maintenance_unit_id)
    contract = session.scalar(statement.order_by(MaintenanceContract.id).limit(1))
    if contract is None:
        raise no_contract_on(day, elevator_id=elevator.id, maintenance_unit_id=maintenance_unit_id)
    if contract_id is not None and contract_id != contract.id:
        raise Conflict(
            "CONTRACT_MISMATCH",
            f"contract_id {contract_id} is not the contract covering elevator {elevator.id} on "
            f"{day.isoformat()} (that is contract {contract.id})",
            field="contract_id",
        )
    reasons = organisation_service.maintainer_ineligibility(
        session,
        organisation_id=contract.maintenance_unit_id,
        on=day,
        manufactured_by_it=elevator.manufacturer_id == contract.maintenance_unit_id,
    )
    if reasons:
        raise maintainer_not_eligible_on(day, unit_id=contract.maintenance_unit_id, reasons=reasons)
    return contract


def file_record(
    session: Session,
    *,
    data: MaintenanceRecordCreate,
    actor: Principal,
    today: date,
    now: datetime,
    settings: Settings | None = None,
) -> MaintenanceRecord:
    """Files a maintenance record (revision 1).

    A maintenance unit files for elevators it holds a contract for on the visit's day; the bureau
    (and the CLI import) file on behalf of the unit holding that contract. Refused with
    RECORD_DATE_IN_FUTURE, RECORD_BEFORE_COMMISSIONING, NO_CONTRACT_ON_DATE, CONTRACT_MISMATCH,
    MAINTAINER_NOT_ELIGIBLE, CREW_TOO_SMALL, NO_CERTIFIED_WORKER, CERTIFICATE_NUMBER_INVALID,
    WORKER_DUPLICATE, RECORD_DUPLICATE, ELEVATOR_SCRAPPED; nothing is written then.
    """
    actor.require(Role.MAINTENANCE_UNIT, Role.BUREAU, Role.CLI)
    settings = settings or get_settings()
    elevator = session.get(Elevator, data.elevator_id)
    if elevator is None or not _known_to(actor, elevator_id=data.elevator_id, session=session):
        raise NotFound("elevator", data.elevator_id)
    crew = checked_crew(data.workers)
    unit_id = actor.organisation_id if actor.role == Role.MAINTENANCE_UNIT else None
    contract = _check_visit(
        session,
        elevator=elevator,
        performed_at=data.performed_at,
        maintenance_unit_id=unit_id,
        contract_id=data.contract_id,
        now=now,
        timezone=settings.timezone,
    )
    duplicate = find_duplicate(
        session,
        elevator_id=elevator.id,
        performed_at=data.performed_at,
        record_class=data.record_class,
    )
    if duplicate is not None:
        raise Conflict(
            "RECORD_DUPLICATE",
            f"record {duplicate.id} already records this {data.record_class} visit to elevator "
            f"{elevator.id} at {data.performed_at.isoformat()}; correct it with a revision",
            field="performed_at",
        )
    record = MaintenanceRecord(
        elevator_id=elevator.id,
        contract_id=contract.id,
        maintenance_unit_id=contract.maintenance_unit_id,
        record_class=data.record_class,
        performed_at=data.performed_at,
        workers=crew,
        items_done=list(data.items_done),
        findings=data.findings,
        parts_replaced=list(data.parts_replaced),
        revision=1,
        supersedes_id=None,
        filed_by=actor.label,
        filed_by_user_id=actor.user_id,
        created_at=now,
    )
    session.add(record)
    audit.record(session, actor=actor, at=now, action="create", row=record)
    if elevator.user_unit_id is not None:
        session.flush()  # the record's id names the event
        # TSG T5002 第7条: the user unit confirms the record; tell it there is one to confirm.
        outbox.enqueue(
            session.connection(),
            topic=Topic.RECORD_AWAITING_CONFIRMATION,
            event_key=f"maintenance_record:{record.id}:awaiting_confirmation",
            organisation_id=elevator.user_unit_id,
            now=now,
            payload={
                "maintenance_record_id": record.id,
                "elevator_id": elevator.id,
                "equipment_code": elevator.equipment_code,
                "rescue_code": elevator.rescue_code,
                "address": elevator.address,
                "record_class": str(data.record_class),
                "performed_at": data.performed_at.isoformat(),
            },
        )
    return record


def revise_record(
    session: Session,
    *,
    record_id: int,
    data: MaintenanceRecordRevise,
    actor: Principal,
    today: date,
    now: datetime,
    settings: Settings | None = None,
) -> MaintenanceRecord:
    """Files revision n+1 of the latest revision `record_id`; the earlier one stays readable.

    Only the unit that filed the record (or the bureau) revises it; the elevator and the unit stay
    those of the record, the date may change and is checked again. 409 RECORD_SUPERSEDED when
    `record_id` is not the latest revision.
    """
    actor.require(Role.MAINTENANCE_UNIT, Role.BUREAU, Role.CLI)
    settings = settings or get_settings()
    record = get_record(session, record_id=record_id, actor=actor, today=today)
    if actor.role == Role.MAINTENANCE_UNIT and record.maintenance_unit_id != actor.organisation_id:
        raise Forbidden(
            "OUT_OF_SCOPE",
            f"record {record.id} was filed by maintenance unit {record.maintenance_unit_id}; "
            "only it or the bureau may revise it",
        )
    _ensure_latest(session, record)
    crew = checked_crew(data.workers)
    elevator = session.get_one(Elevator, record.elevator_id)
    contract = _check_visit(
        session,
        elevator=elevator,
        performed_at=data.performed_at,
        maintenance_unit_id=record.maintenance_unit_id,
        contract_id=None,
        now=now,
        timezone=settings.timezone,
    )
    duplicate = find_duplicate(
        session,
        elevator_id=elevator.id,
        performed_at=data.performed_at,
        record_class=data.record_class,
        excluding_id=record.id,
    )
    if duplicate is not None:
        raise Conflict(
            "RECORD_DUPLICATE",
            f"record {duplicate.id} already records a {data.record_class} visit to elevator "
            f"{elevator.id} at {data.performed_at.isoformat()}",
            field="performed_at",
        )
    revision = MaintenanceRecord(
        elevator_id=elevator.id,
        contract_id=contract.id,
        maintenance_unit_id=record.maintenance_unit_id,
        record_class=data.record_class,
        performed_at=data.performed_at,
        workers=crew,
        items_done=list(data.items_done),
        findings=data.findings,
        parts_replaced=list(data.parts_replaced),
        revision=record.revision + 1,
        supersedes_id=record.id,
        revision_reason=data.reason,
        filed_by=actor.label,
        filed_by_user_id=actor.user_id,
        created_at=now,
    )
    session.add(revision)
    audit.record(session, actor=actor, at=now, action="revise", row=revision)
    return revision


def confirm_record(
    session: Session,
    *,
    record_id: int,
    data: ConfirmationCreate,
    actor: Principal,
    today: date,
    now: datetime,
) -> MaintenanceConfirmation:
    """The elevator's user unit signs the latest revision of a record, once.

    Signed from the safety manager's own account: 409 CONFIRMER_IS_FILER when the person
    confirming filed the record (a worker's own session), 403 FORBIDDEN_ROLE for anyone but
    the user unit.
    """
    # A maintenance worker is let through to here only to be told why, in its own code.
    actor.require(Role.USER_UNIT, Role.MAINTENANCE_UNIT)
    record = get_record(session, record_id=record_id, actor=actor, today=today)
    if actor.user_id is not None and actor.user_id == record.filed_by_user_id:
        raise Conflict(
            "CONFIRMER_IS_FILER",
            f"record {record.id} was filed from this account; the user unit's safety manager "
            "confirms it from their own account",
            message_zh="该记录由本账号填报，须由使用单位安全管理员用自己的账号确认",
        )
    actor.require(Role.USER_UNIT)
    elevator = session.get_one(Elevator, record.elevator_id)
    if elevator.user_unit_id != actor.organisation_id:  # pragma: no cover - scoping already
        raise NotFound("maintenance_record", record_id)
    _ensure_latest(session, record)
    signed = session.scalar(
        select(MaintenanceConfirmation).where(MaintenanceConfirmation.record_id == record.id)
    )
    if signed is not None:
        raise Conflict(
            "RECORD_ALREADY_CONFIRMED",
            f"record {record.id} was confirmed by {signed.safety_manager} at "
            f"{signed.confirmed_at.isoformat()}",
        )
    confirmed_at = data.confirmed_at or now
    if confirmed_at > now or confirmed_at < record.performed_at:
        raise InvalidValue(
            "CONFIRMATION_TIME_INVALID",
            f"confirmed_at {confirmed_at.isoformat()} must lie between the visit "
            f"({record.performed_at.isoformat()}) and now",
            field="confirmed_at",
        )
    confirmation = MaintenanceConfirmation(
        record_id=record.id,
        safety_manager=data.safety_manager,
        confirmed_at=confirmed_at,
        filed_by=actor.label,
        confirmed_by_user_id=actor.user_id,
        created_at=now,
    )
    session.add(confirmation)
    audit.record(session, actor=actor, at=now, action="confirm", row=confirmation)
    return confirmation


def _ensure_latest(session: Session, record: MaintenanceRecord) -> None:
    successor = session.scalar(
        select(MaintenanceRecord.id).where(MaintenanceRecord.supersedes_id == record.id)
    )
    if successor is not None:
        raise Conflict(
            "RECORD_SUPERSEDED",
            f"record {record.id} (revision {record.revision}) was superseded by record "
            f"{successor}; act on the latest revision",
        )
