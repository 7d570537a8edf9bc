"""96333 intake: a report becomes one incident, dispatched in the same transaction, exactly once.

Two mechanisms make "never lose or double a report" hold under concurrency, on SQLite and
PostgreSQL alike:

- **Idempotency-Key.** The first request with a key claims an `idempotency_key` row with
  `INSERT … ON CONFLICT DO NOTHING` before doing any work; a concurrent request with the same key
  waits on that row (PostgreSQL waits for the uncommitted conflicting insert; SQLite serialises
  writers, see `take_write_lock`) and then replays the stored answer byte for byte. A different
  body under the same key is refused (409 IDEMPOTENCY_KEY_REUSED).
- **One active incident per elevator and kind.** A partial unique index holds it in the
  database; the insert uses `ON CONFLICT DO NOTHING` on that index, and losing the race means
  re-reading the winner's incident and joining it as a duplicate report.

The tracking token is a secret shown once; only its SHA-256 is stored. Under an Idempotency-Key
the token is derived from the key (HMAC with a per-row salt), so a replay can show it again
without the token ever being stored: the stored answer holds a placeholder in its place.
"""

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    Insert,
    ScalarSelect,
    Select,
    Text,
    Update,
    bindparam,
    cast,
    func,
    insert,
    or_,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.db import UTCDateTime
from elevator_registry.errors import Conflict, DomainError, Forbidden, InvalidValue, NotFound
from elevator_registry.incidents.enums import (
    ACTIVE_STATUS_SQL,
    OPEN_STATUS_SQL,
    IncidentChannel,
    IncidentEventKind,
    IncidentKind,
    IncidentStatus,
)
from elevator_registry.incidents.models import (
    IdempotencyKey,
    Incident,
    IncidentEvent,
    IncidentReport,
)
from elevator_registry.incidents.schemas import IncidentCreate, IncidentReceipt, UnitContact
from elevator_registry.notifications import outbox
from elevator_registry.notifications.enums import Topic
from elevator_registry.registry import identifiers
from elevator_registry.registry.enums import ElevatorStatus
from elevator_registry.registry.models import (
    Elevator,
    MaintenanceContract,
    Organisation,
    Street,
)
from elevator_registry.registry.scoping import contract_current_on

TOKEN_PLACEHOLDER = "__TRACKING_TOKEN__"
_PLACEHOLDER_JSON = json.dumps(TOKEN_PLACEHOLDER).encode()


class RescueCodeUnknown(NotFound):
    """404 RESCUE_CODE_UNKNOWN: no elevator carries this 96333 识别码."""

    def __init__(self, rescue_code: str) -> None:
        DomainError.__init__(
            self,
            "RESCUE_CODE_UNKNOWN",
            f"no elevator has rescue code {rescue_code!r}; check the code printed in the car "
            "or call 96333",
            field="rescue_code",
            message_zh=f"没有电梯使用 96333 识别码“{rescue_code}”，请核对轿厢内张贴的识别码或拨打 96333",
        )


class Claim(NamedTuple):
    """Our idempotency_key row: its id and the salt of the keyed tracking token."""

    id: int
    salt: str


class UnitRow(NamedTuple):
    """The maintenance unit holding the elevator's current contract."""

    maintenance_unit_id: int
    name: str
    duty_phone: str | None


@dataclass(frozen=True)
class IntakeAnswer:
    """The HTTP answer to a report: status 201 (new) or 200 (duplicate), and the JSON bytes."""

    status_code: int
    body: bytes
    incident_id: int | None = None
    # Timeline rows still to be written (report() writes them with the stored answer).
    events: tuple[dict[str, Any], ...] = ()


# Prebuilt statements --------------------------------------------------------------------------
# Intake is the hot path of a blackout burst: its statements are built once, with bind
# parameters, on Core tables (building SQLAlchemy expressions per request cost more than the
# database round trips they make).

_incident = Incident.__table__
_event_table = IncidentEvent.__table__
_report_table = IncidentReport.__table__
_key_table = IdempotencyKey.__table__


def _open_incident_id(elevator_id: Any) -> ScalarSelect[Any]:
    """The incident a new report of this elevator and kind joins, if any (a scalar subquery).

    Always the active one (nobody released yet: one rescue per car and kind, the unique index
    guarantees it); otherwise one released but not closed whose first report is within the
    dedup window (:window_start, a late call about a rescue just done). Later, a report is a
    new incident.
    """
    return (
        select(_incident.c.id)
        .where(
            _incident.c.elevator_id == elevator_id,
            _incident.c.kind == bindparam("kind"),
            # Literal status lists: no expanding parameters to render on every execution.
            or_(
                text(f"incident.{ACTIVE_STATUS_SQL}"),
                text(f"incident.{OPEN_STATUS_SQL}")
                & (_incident.c.reported_at >= bindparam("window_start", type_=UTCDateTime())),
            ),
        )
        .order_by(_incident.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


# One round trip: the elevator, its street's deadline, the unit holding its current contract,
# and the incident a report of this kind would join.
_CONTEXT = (
    select(
        Elevator.id,
        Elevator.status,
        Elevator.address,
        Street.arrival_deadline_minutes,
        MaintenanceContract.maintenance_unit_id,
        Organisation.name.label("unit_name"),
        Organisation.duty_phone.label("unit_phone"),
        _open_incident_id(Elevator.id).label("open_id"),
    )
    .join(Street, Street.name == Elevator.street)
    .outerjoin(
        MaintenanceContract,
        (MaintenanceContract.elevator_id == Elevator.id)
        & contract_current_on(bindparam("today", type_=Date())),
    )
    .outerjoin(Organisation, Organisation.id == MaintenanceContract.maintenance_unit_id)
    .where(Elevator.rescue_code == bindparam("rescue_code"))
    .order_by(MaintenanceContract.start_date.desc())
    .limit(1)
)
_REREAD_OPEN = select(_open_incident_id(bindparam("elevator_id")))
_INSERT_EVENTS = insert(_event_table)
_INSERT_REPORT = insert(_report_table).returning(_report_table.c.id)
_STORE_ANSWER = (
    update(_key_table)
    .where(_key_table.c.id == bindparam("b_id"))
    .values(
        status_code=bindparam("b_status"),
        response_body=bindparam("b_body"),
        incident_id=bindparam("b_incident"),
    )
)
_READ_KEY = select(
    _key_table.c.request_hash,
    _key_table.c.salt,
    _key_table.c.status_code,
    _key_table.c.response_body,
).where(_key_table.c.scope == bindparam("scope"), _key_table.c.key_hash == bindparam("key_hash"))
# The incident a duplicate report joins, with its unit's contact, in one round trip.
_JOINED = (
    select(
        _incident.c.id,
        _incident.c.number,
        _incident.c.kind,
        _incident.c.status,
        _incident.c.escalation_level,
        _incident.c.no_contract,
        _incident.c.reported_at,
        _incident.c.arrival_deadline_at,
        Organisation.name.label("unit_name"),
        Organisation.duty_phone.label("unit_phone"),
    )
    .outerjoin(Organisation, Organisation.id == _incident.c.maintenance_unit_id)
    .where(_incident.c.id == bindparam("incident_id"))
)


@cache
def _claim_statement(dialect: str) -> Insert:
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert_(_key_table)
        .on_conflict_do_nothing(index_elements=["scope", "key_hash"])
        .returning(_key_table.c.id)
    )


_NEW_INCIDENT_COLUMNS = (
    "elevator_id",
    "kind",
    "channel",
    "trapped_count",
    "caller_phone",
    "description",
    "status",
    "escalation_level",
    "maintenance_unit_id",
    "no_contract",
    "reported_at",
    "arrival_deadline_at",
    "dispatched_at",
    "tracking_token_hash",
    "created_at",
)


@cache
def _insert_incident_statement(dialect: str) -> Insert:
    """INSERT … SELECT that draws the id and writes the number from it in one statement.

    `ON CONFLICT DO NOTHING` on the partial unique index: a concurrent report of the same car
    and kind that won the active slot makes this insert nothing (RETURNING no row).
    PostgreSQL draws the id from the column's sequence; SQLite takes max(id) + 1, safe because
    intake holds SQLite's write lock (take_write_lock).
    """
    if dialect == "postgresql":
        drawn = select(func.nextval("incident_id_seq").label("id")).subquery("drawn")
        digits = cast(drawn.c.id, Text)
        number = func.concat(
            bindparam("number_prefix", type_=Text()),
            func.lpad(digits, func.greatest(6, func.length(digits)), "0"),
        )
        insert_ = postgresql.insert
    else:
        drawn = select((func.coalesce(func.max(_incident.c.id), 0) + 1).label("id")).subquery(
            "drawn"
        )
        number = bindparam("number_prefix", type_=Text()).concat(func.printf("%06d", drawn.c.id))
        insert_ = sqlite.insert
    values = select(
        drawn.c.id,
        number,
        *(bindparam(name, type_=_incident.c[name].type) for name in _NEW_INCIDENT_COLUMNS),
    ).where(true())  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
    return (
        insert_(_incident)
        .from_select(["id", "number", *_NEW_INCIDENT_COLUMNS], values)
        .on_conflict_do_nothing(
            index_elements=["elevator_id", "kind"], index_where=text(ACTIVE_STATUS_SQL)
        )
        .returning(_incident.c.id, _incident.c.number)
    )


_KEY_COLUMNS = ("scope", "key_hash", "request_hash", "salt", "created_at")
_EVENT_COLUMNS = (
    "incident_id",
    "kind",
    "at",
    "recorded_at",
    "actor",
    "backfilled",
    "reason",
    "detail",
)


@cache
def _claim_and_context_statement() -> Select[Any]:
    """PostgreSQL: claims the idempotency key and reads the intake context in one statement.

    If another transaction holds the key, the INSERT waits for it and then inserts nothing
    (claim_id null): the caller replays the stored answer, read by a later statement (a fresh
    snapshot). The context is then not used.
    """
    claim = (
        postgresql.insert(_key_table)
        .values({name: bindparam(name, type_=_key_table.c[name].type) for name in _KEY_COLUMNS})
        .on_conflict_do_nothing(index_elements=["scope", "key_hash"])
        .returning(_key_table.c.id)
        .cte("claim")
    )
    return _CONTEXT.add_columns(select(claim.c.id).scalar_subquery().label("claim_id")).add_cte(
        claim
    )


@cache
def _store_answer_with_events_statement(events: int) -> Update:
    """PostgreSQL: inserts `events` timeline rows and stores the answer in one statement.

    The rows are an INSERT … SELECT of a UNION ALL, not a multi-row VALUES: SQLAlchemy caches
    the compiled form of the former, and compiled the latter afresh on every request."""
    rows = union_all(
        *(
            select(
                *(
                    bindparam(f"e{index}_{name}", type_=_event_table.c[name].type).label(name)
                    for name in _EVENT_COLUMNS
                )
            )
            for index in range(events)
        )
    )
    timeline = postgresql.insert(_event_table).from_select(list(_EVENT_COLUMNS), rows)
    return _STORE_ANSWER.add_cte(timeline.cte("timeline"))


def take_write_lock(session: Session) -> None:
    """On SQLite, takes the database write lock now, before anything is read.

    The app's SQLite engine begins transactions with a plain (deferred) BEGIN. A deferred
    transaction that reads first and writes later fails at once with SQLITE_BUSY_SNAPSHOT when
    another writer committed in between; one whose first statement is a write waits for the lock
    (busy timeout) instead, exactly like BEGIN IMMEDIATE. Incident writes therefore start with a
    write that changes nothing. PostgreSQL needs nothing here: row locks and the unique indexes
    serialise what must be serialised.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE idempotency_key SET id = id WHERE 0 = 1"))


def channel_for(actor: Principal) -> IncidentChannel:
    """The intake channel a caller reports through; 403 FORBIDDEN_ROLE for the others."""
    if actor.is_public:
        return IncidentChannel.PUBLIC
    if actor.role in (Role.OPERATOR, Role.BUREAU, Role.CLI):
        return IncidentChannel.OPERATOR
    if actor.role == Role.IOT_PLATFORM:
        return IncidentChannel.IOT
    raise Forbidden(
        "FORBIDDEN_ROLE",
        f"role {actor.role} does not file 96333 reports; residents report without a token, "
        "operators and IoT platforms with theirs",
    )


def hash_secret(secret: str) -> str:
    """SHA-256 hex digest of a tracking token or an idempotency key."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_tracking_token() -> str:
    """A random tracking token (256 bits)."""
    return "trk_" + secrets.token_urlsafe(32)


def keyed_tracking_token(key: str, scope: str, salt: str) -> str:
    """The tracking token of a request sent with Idempotency-Key `key` (same key, same token)."""
    digest = hmac.new(key.encode(), f"{scope}:{salt}".encode(), hashlib.sha256).digest()
    return "trk_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def local_date_of(instant: datetime, timezone: str) -> Any:
    """The district's calendar date at `instant`."""
    return instant.astimezone(ZoneInfo(timezone)).date()


def report(
    session: Session,
    *,
    data: IncidentCreate,
    actor: Principal,
    settings: Settings,
    now: datetime,
    idempotency_key: str | None = None,
) -> IntakeAnswer:
    """Files a report: a new dispatched incident (201) or a duplicate report of an open one (200)."""
    channel = channel_for(actor)
    if data.channel is not None and data.channel != channel:
        raise Forbidden(
            "CHANNEL_NOT_ALLOWED",
            f"channel {data.channel} does not match the caller, who reports through {channel}",
            field="channel",
        )
    trapped_count = _trapped_count(data)
    phone = (
        identifiers.validate_phone(data.caller_phone, field="caller_phone")
        if data.caller_phone
        else None
    )
    today = local_date_of(now, settings.timezone)
    window_start = now - timedelta(minutes=settings.incident_dedup_window_minutes)
    lookup = {
        "rescue_code": data.rescue_code.strip(),
        "today": today,
        "kind": str(data.kind),
        "window_start": window_start,
    }
    # Core execution on the session's connection (same transaction): the statements load no
    # ORM objects, and the ORM's execution path cost more than some of their round trips.
    db = session.connection()
    postgres = db.dialect.name == "postgresql"
    claim: Claim | None = None
    if idempotency_key is None:
        token = new_tracking_token()
        context = db.execute(_CONTEXT, lookup).one_or_none()
    else:
        scope = "public" if actor.is_public else f"token:{actor.token_id or actor.label}"
        key_row = {
            "scope": scope,
            "key_hash": hash_secret(idempotency_key),
            "request_hash": _request_hash(data, channel),
            "salt": secrets.token_hex(16),
            "created_at": now,
        }
        if postgres:
            # One round trip: claim the key and read the context (a data-modifying CTE).
            context = db.execute(_claim_and_context_statement(), lookup | key_row).one_or_none()
            claimed = context.claim_id if context is not None else _own_claim(db, key_row)
        else:
            claimed = db.execute(_claim_statement("sqlite"), key_row).scalar_one_or_none()
            context = db.execute(_CONTEXT, lookup).one_or_none() if claimed else None
        if claimed is None:
            return _stored_answer(db, key=idempotency_key, key_row=key_row)
        claim = Claim(claimed, key_row["salt"])
        token = keyed_tracking_token(idempotency_key, scope, claim.salt)
    if context is None:
        raise RescueCodeUnknown(data.rescue_code)
    if context.status == ElevatorStatus.SCRAPPED:
        raise Conflict(
            "ELEVATOR_SCRAPPED",
            f"the elevator with rescue code {data.rescue_code} is scrapped and cannot be in use; "
            "call 96333 if someone is inside",
            field="rescue_code",
        )
    fields = {
        "kind": data.kind,
        "channel": channel,
        "trapped_count": trapped_count,
        "caller_phone": phone,
        "description": data.description,
    }
    unit = (
        UnitRow(context.maintenance_unit_id, context.unit_name, context.unit_phone)
        if context.maintenance_unit_id is not None
        else None
    )
    open_id = context.open_id
    for _attempt in range(3):
        if open_id is not None:
            answer = _join(
                db,
                incident=db.execute(_JOINED, {"incident_id": open_id}).one(),
                fields=fields,
                token=token,
                actor=actor,
                now=now,
                settings=settings,
            )
            break
        created = _create(
            db,
            elevator_id=context.id,
            place={"rescue_code": lookup["rescue_code"], "address": context.address},
            deadline_minutes=context.arrival_deadline_minutes,
            unit=unit,
            fields=fields,
            token=token,
            actor=actor,
            now=now,
            settings=settings,
        )
        if created is not None:
            answer = created
            break
        # Lost the race for the active slot: the winner's incident is committed now; join it.
        open_id = db.scalar(
            _REREAD_OPEN,
            {"elevator_id": context.id, "kind": str(data.kind), "window_start": window_start},
        )
    else:
        raise Conflict(
            "INCIDENT_BUSY", "the elevator's incident changed three times meanwhile; retry"
        )
    stored_answer = {
        "b_status": answer.status_code,
        "b_body": answer.body,
        "b_incident": answer.incident_id,
    }
    if claim is not None and postgres:
        # One round trip: the timeline rows ride along with storing the answer.
        db.execute(
            _store_answer_with_events_statement(len(answer.events)),
            {"b_id": claim.id, **stored_answer}
            | {
                f"e{index}_{name}": value
                for index, event in enumerate(answer.events)
                for name, value in event.items()
            },
        )
    else:
        db.execute(_INSERT_EVENTS, list(answer.events))
        if claim is not None:
            db.execute(_STORE_ANSWER, {"b_id": claim.id, **stored_answer})
    return IntakeAnswer(answer.status_code, _with_token(answer.body, token), answer.incident_id)


# Idempotency ---------------------------------------------------------------------------------


def _request_hash(data: IncidentCreate, channel: IncidentChannel) -> str:
    canonical = json.dumps(
        {"channel": channel, **data.model_dump(mode="json")}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _own_claim(db: Connection, key_row: dict[str, Any]) -> int | None:
    """After a claim-and-context that found no elevator: our claim's id, or None if the key
    was already taken (its row then carries another request's salt)."""
    row = db.execute(
        select(_key_table.c.id, _key_table.c.salt).where(
            _key_table.c.scope == key_row["scope"], _key_table.c.key_hash == key_row["key_hash"]
        )
    ).one()
    return row.id if row.salt == key_row["salt"] else None


def _stored_answer(db: Connection, *, key: str, key_row: dict[str, Any]) -> IntakeAnswer:
    """The answer stored under a key another request claimed first, replayed byte for byte."""
    stored = db.execute(
        _READ_KEY, {"scope": key_row["scope"], "key_hash": key_row["key_hash"]}
    ).one()
    if stored.request_hash != key_row["request_hash"]:
        raise Conflict(
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was used for a different report; use a new key for a new report",
            field="Idempotency-Key",
        )
    if stored.status_code is None or stored.response_body is None:
        raise Conflict(
            "IDEMPOTENCY_KEY_IN_PROGRESS",
            "the first request with this Idempotency-Key is still being processed; retry shortly",
            field="Idempotency-Key",
        )
    token = keyed_tracking_token(key, key_row["scope"], stored.salt)
    return IntakeAnswer(stored.status_code, _with_token(stored.response_body, token))


def _with_token(body: bytes, token: str) -> bytes:
    return body.replace(_PLACEHOLDER_JSON, json.dumps(token).encode(), 1)


# Dedup and creation --------------------------------------------------------------------------


def _create(
    db: Connection,
    *,
    elevator_id: int,
    place: dict[str, Any],
    deadline_minutes: int,
    unit: "UnitRow | None",
    fields: dict[str, Any],
    token: str,
    actor: Principal,
    now: datetime,
    settings: Settings,
) -> IntakeAnswer | None:
    """Inserts and dispatches a new incident; None when another request holds the active slot."""
    kind = IncidentKind(fields["kind"])
    if kind not in IncidentKind.dispatched_at_intake():
        unit = None  # complaints and questions stay with the operator
    no_contract = kind in IncidentKind.dispatched_at_intake() and unit is None
    escalation_level = 2 if (no_contract and kind == IncidentKind.TRAPPED) else 1
    # Without a contracted unit nobody is sent yet: the incident waits, reported, on the 96333
    # seats' queue until a seat assigns a rescuer (lifecycle.assign), so nobody is told
    # "dispatched" before someone is.
    dispatched = unit is not None
    token_hash = hash_secret(token)
    values = {
        **fields,
        "elevator_id": elevator_id,
        "status": IncidentStatus.DISPATCHED if dispatched else IncidentStatus.REPORTED,
        "escalation_level": escalation_level,
        "maintenance_unit_id": unit.maintenance_unit_id if unit else None,
        "no_contract": no_contract,
        "reported_at": now,
        "arrival_deadline_at": now + timedelta(minutes=deadline_minutes),
        "dispatched_at": now if dispatched else None,
        "tracking_token_hash": token_hash,
        "created_at": now,
        "number_prefix": number_prefix(settings.incident_number_prefix, now, settings.timezone),
    }
    inserted = db.execute(_insert_incident_statement(db.dialect.name), values).one_or_none()
    if inserted is None:
        return None
    incident_id, number = inserted
    events: list[dict[str, Any]] = [
        _event(
            incident_id,
            IncidentEventKind.REPORTED,
            actor,
            now,
            detail={"channel": str(fields["channel"]), "trapped_count": fields["trapped_count"]},
        )
    ]
    if escalation_level == 2:
        # No contracted rescuer: straight to level 2 (another rescue unit, which a seat picks),
        # flagged.
        events.append(
            _event(
                incident_id,
                IncidentEventKind.ESCALATED,
                actor,
                now,
                reason="no current maintenance contract for this elevator",
                detail={"level": 2, "no_contract": True},
            )
        )
    if dispatched:
        events.append(
            _event(
                incident_id,
                IncidentEventKind.DISPATCHED,
                actor,
                now,
                detail={
                    "level": escalation_level,
                    "maintenance_unit_id": unit.maintenance_unit_id if unit else None,
                },
            )
        )
    if unit is not None:
        # The firm hears of the dispatch from the outbox, in this transaction: no dispatch
        # without its message, no message for a report that rolled back.
        outbox.enqueue(
            db,
            topic=Topic.INCIDENT_DISPATCHED,
            event_key=f"incident:{incident_id}:dispatched",
            organisation_id=unit.maintenance_unit_id,
            incident_id=incident_id,
            now=now,
            payload={
                "incident_id": incident_id,
                "number": number,
                "kind": str(kind),
                "trapped_count": fields["trapped_count"],
                **place,
                "reported_at": now.isoformat(),
                "arrival_deadline_at": values["arrival_deadline_at"].isoformat(),
                "escalation_level": escalation_level,
            },
        )
    receipt = IncidentReceipt(
        number=number,
        kind=kind,
        status=values["status"],
        duplicate=False,
        escalation_level=escalation_level,
        no_contract=no_contract,
        reported_at=now,
        arrival_deadline_at=values["arrival_deadline_at"],
        maintenance_unit=UnitContact(name=unit.name, duty_phone=unit.duty_phone) if unit else None,
        tracking_token=TOKEN_PLACEHOLDER,
        hotline=settings.rescue_hotline,
    )
    return IntakeAnswer(201, receipt.model_dump_json().encode(), incident_id, tuple(events))


def _join(
    db: Connection,
    *,
    incident: Any,
    fields: dict[str, Any],
    token: str,
    actor: Principal,
    now: datetime,
    settings: Settings,
) -> IntakeAnswer:
    """Records a further report of an open incident: its caller, token and a timeline line."""
    report_id = db.execute(
        _INSERT_REPORT,
        {
            "incident_id": incident.id,
            "channel": fields["channel"],
            "trapped_count": fields["trapped_count"],
            "caller_phone": fields["caller_phone"],
            "description": fields["description"],
            "reported_at": now,
            "tracking_token_hash": hash_secret(token),
        },
    ).scalar_one()
    minutes = int((now - incident.reported_at).total_seconds() // 60)
    event = _event(
        incident.id,
        IncidentEventKind.DUPLICATE_REPORT,
        actor,
        now,
        detail={
            "report_id": report_id,
            "channel": str(fields["channel"]),
            "trapped_count": fields["trapped_count"],
            "minutes_after_first_report": minutes,
        },
    )
    unit = (
        UnitContact(name=incident.unit_name, duty_phone=incident.unit_phone)
        if incident.unit_name is not None
        else None
    )
    receipt = IncidentReceipt(
        number=incident.number,
        kind=IncidentKind(incident.kind),
        status=IncidentStatus(incident.status),
        duplicate=True,
        escalation_level=incident.escalation_level,
        no_contract=incident.no_contract,
        reported_at=incident.reported_at,
        arrival_deadline_at=incident.arrival_deadline_at,
        maintenance_unit=unit,
        tracking_token=TOKEN_PLACEHOLDER,
        hotline=settings.rescue_hotline,
    )
    return IntakeAnswer(200, receipt.model_dump_json().encode(), incident.id, (event,))


def number_prefix(prefix: str, reported_at: datetime, timezone: str) -> str:
    """`QJ20261115-`: the incident number up to its sequence (the id, at least 6 digits)."""
    return f"{prefix}{local_date_of(reported_at, timezone):%Y%m%d}-"


def _event(
    incident_id: int,
    kind: IncidentEventKind,
    actor: Principal,
    at: datetime,
    *,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "kind": kind,
        "at": at,
        "recorded_at": at,
        "actor": actor.label,
        "backfilled": False,
        "reason": reason,
        "detail": detail,
    }


def _trapped_count(data: IncidentCreate) -> int:
    if data.kind == IncidentKind.TRAPPED:
        count = 1 if data.trapped_count is None else data.trapped_count
        if count < 1:
            raise InvalidValue(
                "TRAPPED_COUNT_INVALID",
                "trapped_count must be 1-60 for a trapped-passenger report",
                field="trapped_count",
            )
        return count
    if data.trapped_count:
        raise InvalidValue(
            "TRAPPED_COUNT_INVALID",
            f"trapped_count must be 0 for a {data.kind} report; report kind trapped instead",
            field="trapped_count",
        )
    return 0
