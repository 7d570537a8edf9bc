"""Pages of the outbox: the acknowledge link's page, the bureau's message and attempt lists,
the firm's notifications, and the subscription settings of a firm (its own) or of any
organisation (the bureau)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.dependencies import ClockDep, SessionDep, SettingsDep
from elevator_registry.errors import DomainError, NotFound
from elevator_registry.incidents import intake
from elevator_registry.incidents.models import Incident
from elevator_registry.notifications import ack
from elevator_registry.notifications import service as notification_service
from elevator_registry.notifications.enums import PAGE_LABELS, MessageStatus
from elevator_registry.notifications.models import OutboxMessage, Subscription
from elevator_registry.notifications.schemas import SubscriptionCreate
from elevator_registry.registry.models import Organisation
from elevator_registry.schemas import PathId
from elevator_registry.web import session as web_session_module
from elevator_registry.web.routing import (
    FIRM_ROLES,
    PageRoute,
    WebSessionDep,
    page_principal,
)
from elevator_registry.web.session import WebSession
from elevator_registry.web.templating import TEMPLATES, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
TEMPLATES.env.globals["LABEL"] = lambda value: PAGE_LABELS.get(str(value), "其他")
Token = Annotated[str, Path(min_length=10, max_length=400, pattern=r"^[A-Za-z0-9_.\-]+$")]


# Acknowledge link ---------------------------------------------------------------------------


def _ack_page(
    request: Request,
    web_session: WebSession,
    settings: Settings,
    *,
    token: str,
    incident: Incident | None = None,
    accepted_now: bool = False,
    refusal: DomainError | None = None,
) -> Response:
    done = incident is not None and ack.already_accepted(incident)
    return render(
        request,
        "ack.html",
        {
            "token": token,
            "incident": incident,
            "accepted_now": accepted_now,
            "done": done,
            "refusal": refusal,
        },
        web_session=web_session,
        settings=settings,
        status_code=refusal.status_code if refusal is not None else 200,
    )


@router.get("/ack/{token}")
def ack_form(
    token: Token,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The link's landing page: the incident and one button (a GET never accepts: SMS apps and
    mail scanners open links on their own)."""
    try:
        claim = ack.read_token(token, now=clock.now(), settings=settings)
    except ack.AckLinkInvalid as refusal:
        return _ack_page(request, web_session, settings, token=token, refusal=refusal)
    incident = session.get(Incident, claim.incident_id)
    if incident is None or incident.maintenance_unit_id != claim.organisation_id:
        refusal = NotFound("incident", claim.incident_id)
        refusal.message_zh = "该事件已不由贵单位处理。"
        return _ack_page(request, web_session, settings, token=token, refusal=refusal)
    return _ack_page(request, web_session, settings, token=token, incident=incident)


@router.post("/ack/{token}")
def ack_accept(
    token: Token,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """Accepts the incident once; a second tap shows 已接单 and changes nothing. No CSRF token:
    no cookie authorises this, the signed link does."""
    intake.take_write_lock(session)
    try:
        outcome = ack.acknowledge(session, token=token, now=clock.now(), settings=settings)
    except DomainError as refusal:
        if refusal.message_zh is None:
            refusal.message_zh = "无法接单,请在维保单位页面操作或致电 96333。"
        return _ack_page(request, web_session, settings, token=token, refusal=refusal)
    return _ack_page(
        request,
        web_session,
        settings,
        token=token,
        incident=outcome.incident,
        accepted_now=outcome.accepted_now,
    )


# Bureau: outbox -----------------------------------------------------------------------------


@router.get("/bureau/outbox")
def outbox_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    status: Annotated[str, Query(pattern=r"^(|pending|delivered|dead)$")] = "",
) -> Response:
    """The latest 200 messages with their state and last error."""
    page_principal(session, web_session, Role.BUREAU, Role.OPERATOR)
    statement = (
        notification_service.messages_statement(status=status or None)
        .add_columns(Organisation.name)
        .outerjoin(Organisation, Organisation.id == OutboxMessage.organisation_id)
        .order_by(OutboxMessage.id.desc())
        .limit(200)
    )
    rows = [
        {"message": message, "organisation": name} for message, name in session.execute(statement)
    ]
    return render(
        request,
        "outbox.html",
        {
            "rows": rows,
            "status": status,
            "statuses": [(member.value, member.title_zh) for member in MessageStatus],
        },
        web_session=web_session,
        settings=settings,
    )


@router.get("/bureau/outbox/{message_id}")
def outbox_message_page(
    message_id: PathId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """One message and each of its attempts."""
    page_principal(session, web_session, Role.BUREAU, Role.OPERATOR)
    message, attempts = notification_service.message_with_attempts(session, message_id=message_id)
    organisation = (
        session.get(Organisation, message.organisation_id) if message.organisation_id else None
    )
    subscription = (
        session.get(Subscription, message.subscription_id) if message.subscription_id else None
    )
    return render(
        request,
        "outbox_message.html",
        {
            "message": message,
            "attempts": attempts,
            "organisation": organisation.name if organisation else None,
            "target": subscription.target if subscription else None,
        },
        web_session=web_session,
        settings=settings,
    )


# Firm: notifications ------------------------------------------------------------------------


@router.get("/firm/notifications")
def notifications_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The firm's latest notifications, unread ones marked."""
    actor = page_principal(session, web_session, *FIRM_ROLES)
    return render(
        request,
        "notifications.html",
        {
            "items": notification_service.recent_notifications(session, actor=actor),
            "unread": notification_service.unread_count(session, actor=actor),
        },
        web_session=web_session,
        settings=settings,
    )


@router.post("/firm/notifications/read")
def notifications_read(
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Marks every notification of the firm read."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    actor = page_principal(session, web_session, *FIRM_ROLES)
    notification_service.mark_read(session, notification_id=None, actor=actor, now=clock.now())
    return RedirectResponse("/firm/notifications", status_code=303)


# Subscriptions ------------------------------------------------------------------------------


def _subscriptions_page(
    request: Request,
    session: Session,
    settings: Settings,
    web_session: WebSession,
    *,
    actor: Principal,
    organisation_id: int,
    base_path: str,
    created_secret: str | None = None,
    error: str | None = None,
    form_target: str | None = None,
) -> Response:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("organisation", organisation_id)
    return render(
        request,
        "subscriptions.html",
        {
            "organisation": organisation,
            "items": notification_service.subscriptions_of(
                session, organisation_id=organisation_id, actor=actor
            ),
            "firm": actor.role in FIRM_ROLES,
            "base_path": base_path,
            "created_secret": created_secret,
            "error": error,
            "form_target": form_target,
        },
        web_session=web_session,
        settings=settings,
        status_code=422 if error else 200,
    )


def _where(actor: Principal, organisation_id: int | None) -> tuple[int, str]:
    if organisation_id is None:
        assert actor.organisation_id is not None
        return actor.organisation_id, "/firm/subscriptions"
    return organisation_id, f"/bureau/organisations/{organisation_id}/subscriptions"


def _show(
    request: Request,
    session: Session,
    settings: Settings,
    web_session: WebSession,
    organisation_id: int | None,
) -> Response:
    roles = FIRM_ROLES if organisation_id is None else (Role.BUREAU,)
    actor = page_principal(session, web_session, *roles)
    target_id, base_path = _where(actor, organisation_id)
    return _subscriptions_page(
        request,
        session,
        settings,
        web_session,
        actor=actor,
        organisation_id=target_id,
        base_path=base_path,
    )


def _add(
    request: Request,
    session: Session,
    settings: Settings,
    web_session: WebSession,
    now: datetime,
    organisation_id: int | None,
    channel: str,
    target: str,
    csrf_token: str,
) -> Response:
    web_session_module.check_csrf(web_session, settings, csrf_token)
    roles = FIRM_ROLES if organisation_id is None else (Role.BUREAU,)
    actor = page_principal(session, web_session, *roles)
    target_id, base_path = _where(actor, organisation_id)
    error: str | None = None
    try:
        data = SubscriptionCreate.model_validate({"channel": channel, "target": target})
        with session.begin_nested():
            created = notification_service.create_subscription(
                session, organisation_id=target_id, data=data, actor=actor, now=now
            )
    except ValidationError:
        error = "手机号或网址格式不正确(不能含空格)。"
    except DomainError as refusal:
        error = refusal.message_zh or refusal.message
    if error is not None:
        return _subscriptions_page(
            request,
            session,
            settings,
            web_session,
            actor=actor,
            organisation_id=target_id,
            base_path=base_path,
            error=error,
            form_target=target,
        )
    return _subscriptions_page(
        request,
        session,
        settings,
        web_session,
        actor=actor,
        organisation_id=target_id,
        base_path=base_path,
        created_secret=created.secret,
    )


Channel = Annotated[str, Form(pattern=r"^(sms|webhook)$")]
TargetField = Annotated[str, Form(min_length=1, max_length=500)]
Csrf = Annotated[str, Form(max_length=128)]


@router.get("/firm/subscriptions")
def firm_subscriptions(
    request: Request, session: SessionDep, settings: SettingsDep, web_session: WebSessionDep
) -> Response:
    """The firm's own duty phones and webhooks."""
    return _show(request, session, settings, web_session, None)


@router.post("/firm/subscriptions")
def firm_subscription_add(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    channel: Channel,
    target: TargetField,
    csrf_token: Csrf = "",
) -> Response:
    """Adds a duty phone or webhook for the firm."""
    return _add(
        request, session, settings, web_session, clock.now(), None, channel, target, csrf_token
    )


@router.get("/bureau/organisations/{organisation_id}/subscriptions")
def bureau_subscriptions(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """Any organisation's subscriptions (bureau)."""
    return _show(request, session, settings, web_session, organisation_id)


@router.post("/bureau/organisations/{organisation_id}/subscriptions")
def bureau_subscription_add(
    organisation_id: PathId,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    channel: Channel,
    target: TargetField,
    csrf_token: Csrf = "",
) -> Response:
    """Adds a subscription for an organisation (bureau)."""
    return _add(
        request,
        session,
        settings,
        web_session,
        clock.now(),
        organisation_id,
        channel,
        target,
        csrf_token,
    )


@router.post("/firm/subscriptions/{subscription_id}/deactivate")
@router.post("/bureau/organisations/{organisation_id}/subscriptions/{subscription_id}/deactivate")
def subscription_deactivate(
    subscription_id: PathId,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    csrf_token: Csrf = "",
    organisation_id: int | None = None,
) -> Response:
    """Stops a subscription; back to the list."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    actor = page_principal(session, web_session, *FIRM_ROLES, Role.BUREAU)
    subscription = notification_service.deactivate_subscription(
        session, subscription_id=subscription_id, actor=actor
    )
    if actor.role == Role.BUREAU:
        target = f"/bureau/organisations/{subscription.organisation_id}/subscriptions"
    else:
        target = "/firm/subscriptions"
    return RedirectResponse(target, status_code=303)
