"""HTTP routes of the 96333 incidents: intake (public, operator, IoT), lifecycle, public reads."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Response
from sqlalchemy import insert
from sqlalchemy.orm import Session

from elevator_registry.auth.dependencies import BEARER_SCHEME, get_authenticated, get_principal
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import get_settings
from elevator_registry.db import get_session
from elevator_registry.dependencies import (
    AuthenticatedDep,
    ClockDep,
    SessionDep,
    SettingsDep,
)
from elevator_registry.incidents import intake, protection
from elevator_registry.incidents import lifecycle as lifecycle_service
from elevator_registry.incidents import public as public_service
from elevator_registry.incidents.enums import IncidentKind, IncidentStatus
from elevator_registry.incidents.models import IdempotencyKey, Incident
from elevator_registry.incidents.protection import (
    RATE_LIMITED_RESPONSE,
    limit_public_intake,
    limit_public_read,
)
from elevator_registry.incidents.schemas import (
    AssignAction,
    CloseAction,
    EscalateAction,
    IncidentCreate,
    IncidentDetail,
    IncidentRead,
    IncidentReceipt,
    IncidentTracking,
    IotAlarm,
    PublicElevatorCard,
    TransitionAction,
)
from elevator_registry.incidents.scoping import mask_phone, sees_caller_phone
from elevator_registry.pagination import fetch_page
from elevator_registry.schemas import ERROR_RESPONSES, Cursor, Limit, Page, PathId

router = APIRouter(responses=ERROR_RESPONSES, tags=["incidents"])
public_router = APIRouter(responses=ERROR_RESPONSES, tags=["public"])


# Writing routes resolve the caller inside the endpoint, after taking SQLite's write lock (see
# intake.take_write_lock): in a dependency of its own, the lock holder would wait for a free
# worker thread while lock waiters hold them all, and the token SELECT before the lock would
# start a read snapshot that a concurrent commit makes stale (SQLITE_BUSY_SNAPSHOT).
AuthorizationHeader = Annotated[str | None, Header(include_in_schema=False)]
# The request transaction commits before the answer is sent (FastAPI's default for yield
# dependencies is after): a 201 or 200 is only ever given for a report that is durable, and a
# retry can never race ahead of the commit of the request it retries.
CommittedSessionDep = Annotated[Session, Depends(get_session, scope="function")]
# These routes read the Authorization header themselves (after the lock), so FastAPI cannot see
# the bearer scheme in their dependencies: declare it. Public intake takes a token or none.
TOKEN_REQUIRED = {"security": [{BEARER_SCHEME: []}]}
TOKEN_OPTIONAL = {"security": [{BEARER_SCHEME: []}, {}]}


def locked_caller(session: Session, authorization: str | None) -> Principal:
    """Takes the write lock (SQLite), then identifies the caller (public without a token)."""
    intake.take_write_lock(session)
    return get_principal(session, authorization)


def locked_actor(session: Session, authorization: str | None) -> Principal:
    """Same, for routes that need a token."""
    return get_authenticated(locked_caller(session, authorization))


IntakeLimit = Annotated[None, Depends(limit_public_intake)]
ReadLimit = Annotated[None, Depends(limit_public_read)]
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Client-chosen key (a UUID is best): a retry with the same key and body "
        "gets the first answer again, byte for byte.",
    ),
]
RECEIPT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": IncidentReceipt, "description": "Duplicate: joined the incident already open"},
    **RATE_LIMITED_RESPONSE,
}


def _answer(answer: intake.IntakeAnswer) -> Response:
    return Response(
        content=answer.body, status_code=answer.status_code, media_type="application/json"
    )


@router.post(
    "/incidents",
    status_code=201,
    response_model=IncidentReceipt,
    responses=RECEIPT_RESPONSES,
    openapi_extra=TOKEN_OPTIONAL,
)
def report_incident(
    _limit: IntakeLimit,
    body: IncidentCreate,
    session: CommittedSessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    authorization: AuthorizationHeader = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Reports a trapped passenger, a fault, a complaint or a question, by the car's rescue code.

    No token needed (residents); 96333 operators and IoT platforms use theirs. A trapped report
    is dispatched at once to the unit holding the current maintenance contract (none: level 2,
    flagged `no_contract`). 201: a new incident. 200 with `duplicate: true`: the elevator
    already has this kind of incident open, and the report joined it. Refused:
    RESCUE_CODE_UNKNOWN, ELEVATOR_SCRAPPED, PHONE_INVALID, TRAPPED_COUNT_INVALID,
    IDEMPOTENCY_KEY_REUSED, RATE_LIMITED (429, residents only).
    """
    caller = locked_caller(session, authorization)
    return _answer(
        intake.report(
            session,
            data=body,
            actor=caller,
            settings=settings,
            now=clock.now(),
            idempotency_key=idempotency_key,
        )
    )


@router.post(
    "/iot/alarms",
    status_code=201,
    response_model=IncidentReceipt,
    responses=RECEIPT_RESPONSES,
    openapi_extra=TOKEN_REQUIRED,
)
def post_iot_alarm(
    body: IotAlarm,
    session: CommittedSessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    authorization: AuthorizationHeader = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """An IoT platform's alarm (role iot_platform). Repeated alarms join the open incident."""
    actor = locked_actor(session, authorization)
    actor.require(Role.IOT_PLATFORM)
    report = IncidentCreate(
        rescue_code=body.rescue_code,
        kind=IncidentKind(body.alarm),
        trapped_count=body.trapped_count,
        description=body.description,
    )
    return _answer(
        intake.report(
            session,
            data=report,
            actor=actor,
            settings=settings,
            now=clock.now(),
            idempotency_key=idempotency_key,
        )
    )


@router.get("/incidents", response_model=Page[IncidentRead])
def list_incidents(
    session: SessionDep,
    actor: AuthenticatedDep,
    status: IncidentStatus | None = None,
    kind: IncidentKind | None = None,
    elevator_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    maintenance_unit_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    escalation_level: Annotated[int | None, Query(ge=1, le=3)] = None,
    open_only: bool = False,
    limit: Annotated[Limit, Query()] = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Incidents the caller may see (staff all; a maintenance unit those dispatched to it)."""
    statement = lifecycle_service.incidents_statement(
        actor=actor,
        status=status,
        kind=kind,
        elevator_id=elevator_id,
        maintenance_unit_id=maintenance_unit_id,
        escalation_level=escalation_level,
        open_only=open_only,
    )
    page = fetch_page(session, statement, Incident.id, limit=limit, cursor=cursor)
    counts = lifecycle_service.report_counts(session, [item.id for item in page["items"]])
    return page | {"items": [_read(item, actor, counts[item.id]) for item in page["items"]]}


@public_router.get(
    "/incidents/track/{token}", response_model=IncidentTracking, responses=RATE_LIMITED_RESPONSE
)
def track_incident(
    _limit: ReadLimit,
    token: Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
    session: SessionDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Public tracking by the token the report answered with: status, deadline, timeline.

    No phone numbers and no names of people. Refused: TRACKING_TOKEN_UNKNOWN (404).
    """
    return public_service.track(session, token=token, settings=settings)


@public_router.get(
    "/public/elevators/{rescue_code}",
    response_model=PublicElevatorCard,
    responses=RATE_LIMITED_RESPONSE,
)
def public_elevator_card(
    _limit: ReadLimit,
    rescue_code: Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[^\x00/]+$")],
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """The elevator's public card (what the QR code in the car shows): address, status,
    maintainer and its 24-hour phone, last maintenance, inspection valid until, 96333."""
    return public_service.elevator_card(
        session, rescue_code=rescue_code, settings=settings, now=clock.now()
    )


@router.get("/incidents/{incident_id}", response_model=IncidentDetail)
def read_incident(
    incident_id: PathId, session: SessionDep, actor: AuthenticatedDep
) -> dict[str, Any]:
    """One incident with its timeline."""
    incident = lifecycle_service.get_incident(session, incident_id=incident_id, actor=actor)
    return _detail(session, incident, actor)


def _transition_route(
    action: str, path: str, summary: str, body_model: type[TransitionAction]
) -> None:
    def endpoint(
        incident_id: PathId,
        session: CommittedSessionDep,
        clock: ClockDep,
        body: body_model | None = None,  # type: ignore[valid-type]
        authorization: AuthorizationHeader = None,
    ) -> dict[str, Any]:
        actor = locked_actor(session, authorization)
        incident = lifecycle_service.transition(
            session,
            incident_id=incident_id,
            action=action,
            data=body or body_model(),
            actor=actor,
            now=clock.now(),
        )
        return _detail(session, incident, actor)

    endpoint.__doc__ = summary
    endpoint.__name__ = f"incident_{action}"
    router.add_api_route(
        f"/incidents/{{incident_id}}/{path}",
        endpoint,
        methods=["POST"],
        response_model=IncidentDetail,
        name=f"incident_{action}",
        openapi_extra=TOKEN_REQUIRED,
    )


_transition_route(
    "accept",
    "accept",
    "The rescuer accepts the dispatch (dispatched → accepted).",
    TransitionAction,
)
_transition_route(
    "arrive", "arrive", "The rescuer is on site (dispatched/accepted → arrived).", TransitionAction
)
_transition_route(
    "release", "release", "The trapped people are out (arrived → released).", TransitionAction
)
_transition_route(
    "close",
    "close",
    "Closes the incident; trapped (released) and fault (arrived) incidents need a fault-cause code.",
    CloseAction,
)
_transition_route(
    "self_released",
    "self-released",
    "The trapped people got out before anyone arrived.",
    TransitionAction,
)
_transition_route(
    "false_alarm", "false-alarm", "Nobody was trapped / nothing was wrong.", TransitionAction
)
_transition_route(
    "cancel",
    "cancel",
    "Cancelled by the platform before arrival (operator, bureau).",
    TransitionAction,
)


@router.post(
    "/incidents/{incident_id}/escalate",
    response_model=IncidentDetail,
    openapi_extra=TOKEN_REQUIRED,
)
def escalate_incident(
    incident_id: PathId,
    body: EscalateAction,
    session: CommittedSessionDep,
    clock: ClockDep,
    authorization: AuthorizationHeader = None,
) -> dict[str, Any]:
    """Raises a trapped incident to level 2 (another rescue unit) or 3 (fire service 119)."""
    actor = locked_actor(session, authorization)
    incident = lifecycle_service.escalate(
        session, incident_id=incident_id, data=body, actor=actor, now=clock.now()
    )
    return _detail(session, incident, actor)


@router.post("/incidents/{incident_id}/assign", response_model=IncidentDetail)
def assign_incident(
    incident_id: PathId,
    body: AssignAction,
    session: CommittedSessionDep,
    clock: ClockDep,
    authorization: AuthorizationHeader = None,
) -> dict[str, Any]:
    """A 96333 seat sends a firm or level-2 rescue unit to an incident without a contracted
    unit (reported → dispatched); the unit then works it as usual."""
    actor = locked_actor(session, authorization)
    incident = lifecycle_service.assign(
        session, incident_id=incident_id, data=body, actor=actor, now=clock.now()
    )
    return _detail(session, incident, actor)


def _read(incident: Incident, actor: Principal, reports: int) -> dict[str, Any]:
    fields = {column.key: getattr(incident, column.key) for column in Incident.__table__.columns}
    if not sees_caller_phone(actor, incident):
        fields["caller_phone"] = mask_phone(incident.caller_phone)
    fields["reports"] = reports
    return fields


def _detail(session: Session, incident: Incident, actor: Principal) -> dict[str, Any]:
    reports = lifecycle_service.report_counts(session, [incident.id])[incident.id]
    return _read(incident, actor, reports) | {
        "events": lifecycle_service.events_of(session, incident.id)
    }


# Benchmark ceiling -----------------------------------------------------------------------------

bench_router = APIRouter(tags=["benchmark"], include_in_schema=False)


@bench_router.post("/bench/bare-insert", status_code=201)
def bare_insert(session: CommittedSessionDep, clock: ClockDep) -> dict[str, int]:
    """One INSERT through the same stack and driver: the ceiling the intake is measured against."""
    import secrets

    row_id = session.execute(
        insert(IdempotencyKey)
        .values(
            scope="bench",
            key_hash=secrets.token_hex(32),
            request_hash="-",
            salt="-",
            created_at=clock.now(),
        )
        .returning(IdempotencyKey.id)
    ).scalar_one()
    return {"id": row_id}


def install(app: FastAPI) -> None:
    """Mounts the incident routes on `app` with their protection (rate limits, body cap)."""
    settings = get_settings()
    protection.install(app, settings)
    app.include_router(router, prefix="/api/v1")
    app.include_router(public_router, prefix="/api/v1")
    if settings.benchmark_routes_enabled:
        app.include_router(bench_router)
