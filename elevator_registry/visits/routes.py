"""HTTP routes of the maintenance visit (电子维保) under /api/v1.

The phone generates the visit's UUID and sends it with the check-in; every later step names the
visit by it and is safe to repeat (see `visits.service`). Photos go one by one, as the raw bytes
of one image per request, so a retry on a bad signal resends only the photo that did not arrive.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import JSONResponse

from elevator_registry.dependencies import AuthenticatedDep, ClockDep, SessionDep, SettingsDep
from elevator_registry.errors import NotFound
from elevator_registry.maintenance import service as record_service
from elevator_registry.maintenance.enums import RecordClass
from elevator_registry.maintenance.schemas import MaintenanceRecordRead
from elevator_registry.schemas import ERROR_RESPONSES
from elevator_registry.visits import checklist as checklist_table
from elevator_registry.visits import photos as photo_checks
from elevator_registry.visits import reads
from elevator_registry.visits import service as visit_service
from elevator_registry.visits.enums import PhotoPhase
from elevator_registry.visits.schemas import (
    ChecklistItemRead,
    Position,
    PresenceConfirm,
    VisitPhotoRead,
    VisitRead,
    VisitStart,
    VisitSubmit,
)
from elevator_registry.visits.storage import photo_storage

router = APIRouter(responses=ERROR_RESPONSES, tags=["maintenance visits"])

VisitKey = Annotated[UUID, Path(description="The UUID the phone generated at check-in")]
Checkpoint = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]


async def read_photo_body(request: Request, max_bytes: int) -> bytes:
    """The request body, refused (413 PHOTO_TOO_LARGE) as soon as it passes `max_bytes`."""
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            photo_checks.check_size(size, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/visits/checklists/{record_class}", response_model=list[ChecklistItemRead])
def checklist(record_class: RecordClass, _actor: AuthenticatedDep) -> list[ChecklistItemRead]:
    """The TSG T5002 附件A items of a class (a higher class includes the lower ones)."""
    items = checklist_table.checklist_of(record_class)
    if not items:
        raise NotFound("checklist", record_class)
    return [ChecklistItemRead.model_validate(item) for item in items]


@router.post(
    "/visits",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitRead,
    responses={200: {"model": VisitRead, "description": "The visit this UUID already began"}},
)
def start_visit(
    body: VisitStart,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Check-in at the elevator (maintenance unit holding its contract today; any other firm's
    elevator answers 404 ELEVATOR_NOT_FOUND). The server's time is the check-in time; the
    device's time and location are kept beside it, a check-in farther than
    `visit_checkin_radius_m` is flagged FAR_FROM_ELEVATOR. The same `visit_id` again: 200 with
    the visit it began."""
    visit, created = visit_service.start_visit(
        session, data=body, actor=actor, now=clock.now(), settings=settings
    )
    read = reads.visit_reads(session, [visit])[0]
    return JSONResponse(read.model_dump(mode="json"), status_code=201 if created else 200)


@router.get("/visits/{visit_id}", response_model=VisitRead)
def read_visit(visit_id: VisitKey, session: SessionDep, actor: AuthenticatedDep) -> VisitRead:
    """A visit with its photos and flags (its firm, the elevator's user unit, the bureau)."""
    visit = visit_service.get_visit(session, visit_key=visit_id, actor=actor)
    return reads.visit_reads(session, [visit])[0]


@router.put(
    "/visit-photos/{visit_id}/{checkpoint}/{phase}",
    response_model=VisitPhotoRead,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in ("image/jpeg", "image/png", "image/heic")
            },
        }
    },
)
async def put_photo(
    visit_id: VisitKey,
    checkpoint: Checkpoint,
    phase: PhotoPhase,
    request: Request,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> VisitPhotoRead:
    """One checkpoint's photo before or after the work, as the raw image bytes. Stored by its
    SHA-256; the same bytes again change nothing. Refused: PHOTO_TOO_LARGE (413),
    PHOTO_TYPE_NOT_ALLOWED (415: not JPEG/PNG/HEIC by its first bytes), PHOTO_CHECKPOINT_UNKNOWN,
    VISIT_ALREADY_SUBMITTED. A photo already attached to another elevator or day is flagged."""
    data = await read_photo_body(request, settings.visit_photo_max_bytes)
    photo = visit_service.attach_photo(
        session,
        visit_key=visit_id,
        checkpoint=checkpoint,
        phase=phase,
        data=data,
        actor=actor,
        now=clock.now(),
        settings=settings,
        storage=photo_storage(settings),
    )
    return VisitPhotoRead.model_validate(photo)


@router.get(
    "/visit-photos/{sha256}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/heic": {}}}},
)
def get_photo(
    sha256: Sha256, session: SessionDep, actor: AuthenticatedDep, settings: SettingsDep
) -> Response:
    """The bytes of a photo, for a caller who may see a visit that carries it."""
    content_type = visit_service.readable_photo_type(session, sha256=sha256, actor=actor)
    try:
        data = photo_storage(settings).get(sha256)
    except KeyError as error:
        raise NotFound("photo", sha256) from error
    return Response(
        data, media_type=content_type, headers={"Cache-Control": "private, max-age=31536000"}
    )


@router.post("/visits/{visit_id}/check-out", response_model=VisitRead)
def check_out(
    visit_id: VisitKey,
    body: Position,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> VisitRead:
    """Check-out (server time); a retry keeps the first check-out."""
    visit = visit_service.check_out(
        session, visit_key=visit_id, data=body, actor=actor, now=clock.now()
    )
    return reads.visit_reads(session, [visit])[0]


@router.post("/visits/{visit_id}/presence", response_model=VisitRead)
def confirm_presence(
    visit_id: VisitKey,
    body: PresenceConfirm,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> VisitRead:
    """The second worker confirms being on site from their own account. Refused:
    PRESENCE_NEEDS_PERSONAL_ACCOUNT (a token, not a person), PRESENCE_SAME_PERSON."""
    visit = visit_service.confirm_presence(
        session, visit_key=visit_id, data=body, actor=actor, now=clock.now()
    )
    return reads.visit_reads(session, [visit])[0]


@router.post(
    "/visits/{visit_id}/submission",
    status_code=status.HTTP_201_CREATED,
    response_model=MaintenanceRecordRead,
    responses={200: {"model": MaintenanceRecordRead, "description": "Already submitted"}},
)
def submit_visit(
    visit_id: VisitKey,
    body: VisitSubmit,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """Files the visit's maintenance record through the path of POST /maintenance-records (all
    its refusals apply), once: a retry answers 200 with the record already filed. Refused
    besides: VISIT_NOT_CHECKED_OUT, CHECKLIST_INCOMPLETE, CHECKLIST_ITEM_UNKNOWN,
    CHECKLIST_ITEM_DUPLICATE, CHECKLIST_NOTE_REQUIRED, PHOTO_MISSING."""
    record, created = visit_service.submit_visit(
        session,
        visit_key=visit_id,
        data=body,
        actor=actor,
        today=clock.today(),
        now=clock.now(),
        settings=settings,
    )
    read = record_service.record_reads(session, [record])[0]
    return JSONResponse(read.model_dump(mode="json"), status_code=201 if created else 200)
