"""The maintenance visit on the worker's phone (电子维保): the form page and its JSON calls.

The page (`/firm/visit/{rescue_code}`) is rendered with the checklist of the chosen class and
the photo checkpoints; `static/visit.js` then walks the worker through check-in, checklist,
photos, check-out and submit. Its calls go to the `/firm/visits…` routes below, which take the
session cookie plus the page's CSRF token in the `X-CSRF-Token` header and call the very service
functions of the /api/v1 visit routes, answering with the same JSON and the same error envelope.

Rescue drills and hazard reports are filed from the phone too (`/firm/drill`, `/firm/hazard`),
through the existing services; a serious hazard is shown with what will follow (suspension and a
stop-use notice) and needs a second, explicit confirmation.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import Session

from elevator_registry.accounts import service as accounts_service
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings, get_settings
from elevator_registry.dependencies import ClockDep, SessionDep, SettingsDep
from elevator_registry.errors import InvalidValue, NotFound
from elevator_registry.maintenance import checks as check_service
from elevator_registry.maintenance import hazards as hazard_service
from elevator_registry.maintenance.enums import HazardSeverity, RecordClass
from elevator_registry.maintenance.schemas import HazardReportCreate, RescueDrillCreate
from elevator_registry.visits import checklist as checklist_table
from elevator_registry.visits import reads
from elevator_registry.visits import service as visit_service
from elevator_registry.visits.enums import PhotoPhase
from elevator_registry.visits.labels import VISIT_LABELS
from elevator_registry.visits.models import MaintenanceVisit
from elevator_registry.visits.routes import read_photo_body
from elevator_registry.visits.schemas import Position, VisitStart, VisitSubmit
from elevator_registry.visits.storage import photo_storage
from elevator_registry.web import session as web_session_module
from elevator_registry.web.forms import file_form
from elevator_registry.web.routing import PageRoute, WebSessionDep, page_principal
from elevator_registry.web.session import WebSession
from elevator_registry.web.templating import TEMPLATES, render


def checkpoint_label(key: str) -> str:
    """A photo checkpoint's Chinese name, from the settings ("点位" for one no longer configured)."""
    return get_settings().visit_photo_checkpoints.get(key, "点位")


TEMPLATES.env.globals.update(
    VISIT_LABELS, checkpoint_label=checkpoint_label, VISIT_ITEMS=checklist_table.ITEMS_BY_CODE
)

pages = APIRouter(route_class=PageRoute, include_in_schema=False)
calls = APIRouter(include_in_schema=False)

RescueCode = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[^\x00/]+$")]
Checkpoint = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
CsrfHeader = Annotated[str | None, Header(alias="X-CSRF-Token", max_length=128)]


def _firm_worker(session: Session, web_session: WebSession) -> Principal:
    return page_principal(session, web_session, Role.MAINTENANCE_UNIT)


def _call_principal(
    session: Session, web_session: WebSession, settings: Settings, csrf: str | None
) -> Principal:
    """The logged-in worker of a JSON call, whose CSRF header must match the session's."""
    web_session_module.check_csrf(web_session, settings, csrf)
    return _firm_worker(session, web_session)


# Pages ------------------------------------------------------------------------------------------


@pages.get("/firm/visit/{rescue_code}")
def visit_form(
    request: Request,
    rescue_code: RescueCode,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    record_class: Annotated[RecordClass, Query(alias="class")] = RecordClass.HALF_MONTH,
) -> Response:
    """The visit form of one elevator (a worker of the firm holding its contract today)."""
    actor = _firm_worker(session, web_session)
    elevator, _ = visit_service.visitable_elevator(
        session, rescue_code=rescue_code, actor=actor, now=clock.now(), settings=settings
    )
    if record_class not in checklist_table.visit_classes():
        raise InvalidValue(
            "VISIT_CLASS_WITHOUT_CHECKLIST",
            "a visit is half_month, quarter, half_year or year",
            field="class",
            message_zh="维保类别须为半月、季度、半年或年度",
        )
    assert actor.user_id is not None  # page_principal resolves a person
    worker = accounts_service.get_active_user(session, user_id=actor.user_id)
    return render(
        request,
        "visit.html",
        {
            "elevator": elevator,
            "record_class": record_class,
            "classes": checklist_table.visit_classes(),
            "items": checklist_table.checklist_of(record_class),
            "checkpoints": settings.visit_photo_checkpoints,
            "worker": worker,
            "max_photo_bytes": settings.visit_photo_max_bytes,
        },
        web_session=web_session,
        settings=settings,
    )


@pages.get("/firm/visits/{visit_id}/done")
def visit_done(
    request: Request,
    visit_id: UUID,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """What was filed: the record's visit as the user unit will see it."""
    actor = _firm_worker(session, web_session)
    visit = visit_service.get_visit(session, visit_key=visit_id, actor=actor)
    return render(
        request,
        "visit_done.html",
        {"visit": reads.visit_reads(session, [visit])[0]},
        web_session=web_session,
        settings=settings,
    )


@pages.get("/photos/{sha256}")
def photo(
    sha256: Sha256, session: SessionDep, settings: SettingsDep, web_session: WebSessionDep
) -> Response:
    """A visit photo, for any logged-in person who may see a visit carrying it."""
    if web_session.user_id is None:
        raise NotFound("photo", sha256)
    actor = accounts_service.principal_of(
        accounts_service.get_active_user(session, user_id=web_session.user_id)
    )
    content_type = visit_service.readable_photo_type(session, sha256=sha256, actor=actor)
    try:
        data = photo_storage(settings).get(sha256)
    except KeyError as error:
        raise NotFound("photo", sha256) from error
    return Response(
        data, media_type=content_type, headers={"Cache-Control": "private, max-age=31536000"}
    )


# JSON calls of visit.js ---------------------------------------------------------------------------


def _visit_json(session: Session, visit: MaintenanceVisit, status_code: int = 200) -> Response:
    read = reads.visit_reads(session, [visit])[0]
    return JSONResponse(read.model_dump(mode="json"), status_code=status_code)


@calls.post("/firm/visits")
def call_start(
    body: VisitStart,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    csrf: CsrfHeader = None,
) -> Response:
    """Check-in (as POST /api/v1/visits)."""
    actor = _call_principal(session, web_session, settings, csrf)
    visit, created = visit_service.start_visit(
        session, data=body, actor=actor, now=clock.now(), settings=settings
    )
    return _visit_json(session, visit, 201 if created else 200)


@calls.post("/firm/visits/{visit_id}/check-out")
def call_check_out(
    visit_id: UUID,
    body: Position,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    csrf: CsrfHeader = None,
) -> Response:
    """Check-out (as POST /api/v1/visits/{id}/check-out)."""
    actor = _call_principal(session, web_session, settings, csrf)
    visit = visit_service.check_out(
        session, visit_key=visit_id, data=body, actor=actor, now=clock.now()
    )
    return _visit_json(session, visit)


@calls.put("/firm/visit-photos/{visit_id}/{checkpoint}/{phase}")
async def call_photo(
    visit_id: UUID,
    checkpoint: Checkpoint,
    phase: PhotoPhase,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    csrf: CsrfHeader = None,
) -> Response:
    """One photo (as PUT /api/v1/visit-photos/…)."""
    actor = _call_principal(session, web_session, settings, csrf)
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
    return JSONResponse(
        {"sha256": photo.sha256, "reused": photo.reused, "byte_size": photo.byte_size}
    )


@calls.post("/firm/visits/{visit_id}/submission")
def call_submit(
    visit_id: UUID,
    body: VisitSubmit,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    csrf: CsrfHeader = None,
) -> Response:
    """Submit (as POST /api/v1/visits/{id}/submission): 201 the first time, 200 on a retry."""
    actor = _call_principal(session, web_session, settings, csrf)
    record, created = visit_service.submit_visit(
        session,
        visit_key=visit_id,
        data=body,
        actor=actor,
        today=clock.today(),
        now=clock.now(),
        settings=settings,
    )
    return JSONResponse(
        {"record_id": record.id, "done": f"/firm/visits/{visit_id}/done"},
        status_code=201 if created else 200,
    )


# Drills and hazards on the phone ---------------------------------------------------------------


def _field_form(
    request: Request,
    template: str,
    context: dict[str, object],
    web_session: WebSession,
    settings: Settings,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        template,
        context,
        web_session=web_session,
        settings=settings,
        status_code=status_code,
    )


@pages.get("/firm/drill")
def drill_form(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The rescue-drill form (TSG T5002: at least every 6 months)."""
    _firm_worker(session, web_session)
    return _field_form(
        request,
        "drill.html",
        {"today": clock.today(), "errors": {}, "values": {}},
        web_session,
        settings,
    )


@pages.post("/firm/drill")
def drill_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    held_on: Annotated[str, Form(max_length=10)] = "",
    participants: Annotated[str, Form(max_length=4)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Files the drill through the drills service; a refusal is shown next to its field."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    actor = _firm_worker(session, web_session)
    values = {"held_on": held_on, "participants": participants, "description": description}
    refused = file_form(
        session,
        RescueDrillCreate,
        values,
        lambda data: check_service.file_rescue_drill(
            session, data=data, actor=actor, today=clock.today(), now=clock.now()
        ),
    )
    if refused is not None:
        errors, status_code = refused
        return _field_form(
            request,
            "drill.html",
            {"today": clock.today(), "errors": errors, "values": values},
            web_session,
            settings,
            status_code=status_code,
        )
    return RedirectResponse("/firm?filed=drill", status_code=303)


@pages.get("/firm/hazard/{rescue_code}")
def hazard_form(
    request: Request,
    rescue_code: RescueCode,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The hazard report form of one elevator the firm maintains today."""
    actor = _firm_worker(session, web_session)
    elevator, _ = visit_service.visitable_elevator(
        session, rescue_code=rescue_code, actor=actor, now=clock.now(), settings=settings
    )
    return _field_form(
        request,
        "hazard.html",
        {"elevator": elevator, "errors": {}, "values": {}, "confirming": False},
        web_session,
        settings,
    )


@pages.post("/firm/hazard/{rescue_code}")
def hazard_submit(
    request: Request,
    rescue_code: RescueCode,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    severity: Annotated[str, Form(max_length=10)] = "",
    description: Annotated[str, Form(max_length=4000)] = "",
    confirmed: Annotated[str, Form(max_length=3)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Files the hazard; a serious one first comes back asking to confirm what will follow."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    actor = _firm_worker(session, web_session)
    elevator, _ = visit_service.visitable_elevator(
        session, rescue_code=rescue_code, actor=actor, now=clock.now(), settings=settings
    )
    values = {"severity": severity, "description": description}
    context: dict[str, object] = {"elevator": elevator, "values": values, "errors": {}}
    if severity == HazardSeverity.SERIOUS and confirmed != "yes":
        return _field_form(
            request, "hazard.html", context | {"confirming": True}, web_session, settings
        )
    refused = file_form(
        session,
        HazardReportCreate,
        values,
        lambda data: hazard_service.report_hazard(
            session, data=data, actor=actor, today=clock.today(), now=clock.now(), settings=settings
        ),
        given={"elevator_id": elevator.id, "found_at": clock.now()},
    )
    if refused is not None:
        errors, status_code = refused
        return _field_form(
            request,
            "hazard.html",
            context | {"errors": errors, "confirming": False},
            web_session,
            settings,
            status_code=status_code,
        )
    return RedirectResponse("/firm?filed=hazard", status_code=303)
