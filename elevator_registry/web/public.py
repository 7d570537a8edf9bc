"""Public pages (no login): the elevator card a QR code opens, the report form, tracking.

The report form posts to the same intake service as POST /api/v1/incidents, with an
Idempotency-Key generated into the form: a double click or a resubmitted form replays the first
answer, so it can never open a second incident. After a report the browser is redirected
(303) to the tracking page, so reloading it re-reads rather than re-posts.
"""

import io
import uuid
from typing import Annotated, Any

import orjson
import segno
from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from elevator_registry.accounts import service as accounts_service
from elevator_registry.accounts.models import User
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import PUBLIC
from elevator_registry.dependencies import ClockDep, SessionDep, SettingsDep
from elevator_registry.errors import DomainError
from elevator_registry.incidents import intake
from elevator_registry.incidents import public as public_service
from elevator_registry.incidents.enums import IncidentKind, IncidentStatus
from elevator_registry.incidents.protection import limit_public_intake, limit_public_read
from elevator_registry.incidents.schemas import IncidentCreate
from elevator_registry.visits import service as visit_service
from elevator_registry.web import session as web_session_module
from elevator_registry.web.forms import validation_errors
from elevator_registry.web.routing import PageRoute, WebSessionDep
from elevator_registry.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

RescueCode = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[^\x00/]+$")]
TrackingToken = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
# The form offers the two kinds a person in or at the car reports.
FORM_KINDS = (IncidentKind.TRAPPED, IncidentKind.FAULT)
FormText = Annotated[str, Form(max_length=1000)]
# The same per-client limits as the API's public routes.
ReadLimit = Annotated[None, Depends(limit_public_read)]
IntakeLimit = Annotated[None, Depends(limit_public_intake)]


@router.get("/e/{rescue_code}")
def elevator_card(
    _limit: ReadLimit,
    request: Request,
    rescue_code: RescueCode,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The elevator's public card with the big "trapped" button; a logged-in worker of the firm
    holding its contract today is also offered "开始维保" (the card's QR is how a visit starts)."""
    card = public_service.elevator_card(
        session, rescue_code=rescue_code, settings=settings, now=clock.now()
    )
    can_visit = False
    if web_session.user_id is not None:
        user = session.get(User, web_session.user_id)
        if user is not None and user.active and user.role == Role.MAINTENANCE_UNIT:
            can_visit = visit_service.may_visit(
                session,
                rescue_code=rescue_code,
                actor=accounts_service.principal_of(user),
                now=clock.now(),
                settings=settings,
            )
    return render(
        request,
        "card.html",
        {"card": card, "can_visit": can_visit},
        web_session=web_session,
        settings=settings,
    )


@router.get("/e/{rescue_code}/qr.{image_format}")
def elevator_qr(
    _limit: ReadLimit,
    request: Request,
    rescue_code: RescueCode,
    image_format: Annotated[str, Path(pattern=r"^(svg|png)$")],
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> Response:
    """The QR code of the card's address, to print on the car's use sign (SVG or PNG)."""
    # Only codes that exist get a QR code: a printed sign must never point at a 404.
    public_service.elevator_card(
        session, rescue_code=rescue_code, settings=settings, now=clock.now()
    )
    # Error level M survives a scratched or dirty sign better than the default L.
    code = segno.make(str(request.url_for("elevator_card", rescue_code=rescue_code)), error="m")
    buffer = io.BytesIO()
    if image_format == "svg":
        code.save(buffer, kind="svg", scale=8, border=4, xmldecl=False, title=rescue_code)
        media_type = "image/svg+xml"
    else:
        code.save(buffer, kind="png", scale=10, border=4)
        media_type = "image/png"
    return Response(
        buffer.getvalue(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400"},
    )


def _report_form(
    request: Request,
    *,
    card: dict[str, Any],
    kind: IncidentKind,
    values: dict[str, str],
    errors: dict[str, str],
    web_session: web_session_module.WebSession,
    settings: SettingsDep,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "report.html",
        {"card": card, "kind": kind, "values": values, "errors": errors},
        web_session=web_session,
        settings=settings,
        status_code=status_code,
    )


@router.get("/e/{rescue_code}/report")
def report_form(
    _limit: ReadLimit,
    request: Request,
    rescue_code: RescueCode,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    kind: Annotated[IncidentKind, Query()] = IncidentKind.TRAPPED,
) -> Response:
    """The report form, with a fresh idempotency key for this one report."""
    card = public_service.elevator_card(
        session, rescue_code=rescue_code, settings=settings, now=clock.now()
    )
    values = {"idempotency_key": str(uuid.uuid4()), "trapped_count": "1"}
    return _report_form(
        request,
        card=card,
        kind=kind if kind in FORM_KINDS else IncidentKind.TRAPPED,
        values=values,
        errors={},
        web_session=web_session,
        settings=settings,
    )


@router.post("/e/{rescue_code}/report")
def submit_report(
    _limit: IntakeLimit,
    request: Request,
    rescue_code: RescueCode,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    kind: Annotated[IncidentKind, Form()],
    idempotency_key: Annotated[str, Form(min_length=8, max_length=64, pattern=r"^[\w-]+$")],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    trapped_count: FormText = "",
    caller_phone: FormText = "",
    description: FormText = "",
) -> Response:
    """Files the report through the intake service; redirects to the tracking page."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    values = {
        "idempotency_key": idempotency_key,
        "trapped_count": trapped_count,
        "caller_phone": caller_phone,
        "description": description,
    }
    errors: dict[str, str] = {}
    answer = None
    try:
        report = IncidentCreate(
            rescue_code=rescue_code,
            kind=kind,
            trapped_count=int(trapped_count)
            if kind == IncidentKind.TRAPPED and trapped_count.strip()
            else None,
            caller_phone=caller_phone.strip() or None,
            description=description.strip() or None,
        )
        intake.take_write_lock(session)
        # A refused report must leave nothing behind, although the page is answered normally.
        with session.begin_nested():
            answer = intake.report(
                session,
                data=report,
                actor=PUBLIC,
                settings=settings,
                now=clock.now(),
                idempotency_key=f"web-{idempotency_key}",
            )
    except ValueError as error:  # int() of the count, or the schema's bounds
        errors.update(_field_errors(error))
    except DomainError as error:
        if error.field is None:
            raise
        errors[error.field] = error.message_zh
    if answer is None:
        card = public_service.elevator_card(
            session, rescue_code=rescue_code, settings=settings, now=clock.now()
        )
        return _report_form(
            request,
            card=card,
            kind=kind,
            values=values,
            errors=errors,
            web_session=web_session,
            settings=settings,
            status_code=422,
        )
    receipt = orjson.loads(answer.body)
    return RedirectResponse(
        f"/t/{receipt['tracking_token']}?received={'duplicate' if receipt['duplicate'] else 'new'}",
        status_code=303,
    )


def _field_errors(error: ValueError) -> dict[str, str]:
    if not isinstance(error, ValidationError):
        return {"trapped_count": "请填写人数（数字）"}
    return validation_errors(error)


@router.get("/t/{token}")
def tracking(
    _limit: ReadLimit,
    request: Request,
    token: TrackingToken,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    web_session: WebSessionDep,
    received: Annotated[str | None, Query(pattern=r"^(new|duplicate)$")] = None,
) -> Response:
    """The tracking page: status, arrival deadline countdown, timeline; updated live."""
    tracked = public_service.track(session, token=token, settings=settings)
    return render(
        request,
        "tracking.html",
        {
            "tracked": tracked,
            "received": received,
            "now": clock.now(),
            "live_stream": f"/t/{token}/live",
            "live_poll": f"/t/{token}/live.json",
            "live_poll_seconds": settings.web_tracking_refresh_seconds,
            # Once the incident is over there is nothing left to wait for: no more reloads.
            "final": tracked["status"] not in IncidentStatus.open(),
        },
        web_session=web_session,
        settings=settings,
    )
