"""HTTP routes: outbox messages and attempts (bureau), subscriptions (bureau and the
organisation itself), in-app notifications (the organisation), the escalation policy, and the
acknowledge link's API form."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from elevator_registry.auth.enums import Role
from elevator_registry.dependencies import AuthenticatedDep, ClockDep, SessionDep, SettingsDep
from elevator_registry.notifications import ack
from elevator_registry.notifications import service as notification_service
from elevator_registry.notifications.enums import MessageStatus, Topic
from elevator_registry.notifications.models import Notification, OutboxMessage
from elevator_registry.notifications.schemas import (
    AckAnswer,
    NotificationRead,
    OutboxMessageDetail,
    OutboxMessageRead,
    PolicyStepCreate,
    PolicyStepRead,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
)
from elevator_registry.pagination import fetch_page
from elevator_registry.schemas import ERROR_RESPONSES, Cursor, FilterId, Page, PageLimit, PathId

router = APIRouter(responses=ERROR_RESPONSES, tags=["notifications"])
Token = Annotated[str, Path(min_length=10, max_length=400, pattern=r"^[A-Za-z0-9_.\-]+$")]


@router.get("/outbox/messages", response_model=Page[OutboxMessageRead])
def list_messages(
    session: SessionDep,
    actor: AuthenticatedDep,
    status: MessageStatus | None = None,
    topic: Topic | None = None,
    incident_id: FilterId = None,
    organisation_id: FilterId = None,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """Every outbox message and where it stands (bureau, 96333 operators)."""
    actor.require(Role.BUREAU, Role.OPERATOR)
    statement = notification_service.messages_statement(
        status=status, topic=topic, incident_id=incident_id, organisation_id=organisation_id
    )
    return fetch_page(session, statement, OutboxMessage.id, limit=limit, cursor=cursor)


@router.get("/outbox/messages/{message_id}", response_model=OutboxMessageDetail)
def read_message(message_id: PathId, session: SessionDep, actor: AuthenticatedDep) -> Any:
    """A message with each delivery attempt (status, latency, error)."""
    actor.require(Role.BUREAU, Role.OPERATOR)
    message, attempts = notification_service.message_with_attempts(session, message_id=message_id)
    return {**OutboxMessageRead.model_validate(message).model_dump(), "attempts": attempts}


@router.post(
    "/organisations/{organisation_id}/subscriptions",
    response_model=SubscriptionCreated,
    status_code=201,
)
def create_subscription(
    organisation_id: PathId,
    data: SubscriptionCreate,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
) -> Any:
    """Adds a webhook URL or SMS duty phone (bureau, or the organisation itself). The webhook
    secret is in this answer only."""
    return notification_service.create_subscription(
        session, organisation_id=organisation_id, data=data, actor=actor, now=clock.now()
    )


@router.get("/organisations/{organisation_id}/subscriptions", response_model=list[SubscriptionRead])
def list_subscriptions(
    organisation_id: PathId, session: SessionDep, actor: AuthenticatedDep
) -> Any:
    """An organisation's subscriptions (bureau, or the organisation itself)."""
    return notification_service.subscriptions_of(
        session, organisation_id=organisation_id, actor=actor
    )


@router.post("/subscriptions/{subscription_id}/deactivate", response_model=SubscriptionRead)
def deactivate_subscription(
    subscription_id: PathId, session: SessionDep, actor: AuthenticatedDep
) -> Any:
    """Stops sending to a subscription (bureau, or its organisation)."""
    return notification_service.deactivate_subscription(
        session, subscription_id=subscription_id, actor=actor
    )


@router.get("/notifications", response_model=Page[NotificationRead])
def list_notifications(
    session: SessionDep,
    actor: AuthenticatedDep,
    unread: Annotated[bool, Query(description="Only unread ones.")] = False,
    limit: PageLimit = 50,
    cursor: Cursor = None,
) -> dict[str, object]:
    """The caller's organisation's in-app notifications, oldest first."""
    statement = notification_service.notifications_statement(actor, unread_only=unread)
    return fetch_page(session, statement, Notification.id, limit=limit, cursor=cursor)


@router.post("/notifications/{notification_id}/read")
def mark_notification_read(
    notification_id: PathId, session: SessionDep, actor: AuthenticatedDep, clock: ClockDep
) -> dict[str, int]:
    """Marks one notification read."""
    changed = notification_service.mark_read(
        session, notification_id=notification_id, actor=actor, now=clock.now()
    )
    return {"marked_read": changed}


@router.get("/escalation-policy", response_model=list[PolicyStepRead])
def list_policy(session: SessionDep, actor: AuthenticatedDep) -> Any:
    """Every escalation-policy step: the district default (street null) and street ones."""
    actor.require(Role.BUREAU, Role.OPERATOR, Role.STREET_OFFICE)
    return notification_service.policy(session)


@router.post("/escalation-policy/steps", response_model=PolicyStepRead, status_code=201)
def add_policy_step(data: PolicyStepCreate, session: SessionDep, actor: AuthenticatedDep) -> Any:
    """Adds a step (bureau). A street/town with any step of its own follows only its own."""
    return notification_service.add_policy_step(session, data=data, actor=actor)


@router.post("/ack/{token}", response_model=AckAnswer)
def acknowledge(token: Token, session: SessionDep, clock: ClockDep, settings: SettingsDep) -> Any:
    """The acknowledge link's API form (no login: the signed token is the credential)."""
    outcome = ack.acknowledge(session, token=token, now=clock.now(), settings=settings)
    return AckAnswer(
        incident_number=outcome.incident.number,
        status=outcome.incident.status,
        accepted_now=outcome.accepted_now,
    )
