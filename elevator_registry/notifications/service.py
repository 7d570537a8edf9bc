"""Subscriptions, in-app notifications, outbox reading and policy steps: the services the API
and the pages call. Scoping lives here: the bureau manages every organisation's subscriptions,
an organisation its own; an organisation reads only its own notifications."""

import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.errors import Conflict, Forbidden, InvalidValue, NotFound
from elevator_registry.notifications.models import (
    DeliveryAttempt,
    EscalationPolicyStep,
    Notification,
    OutboxMessage,
    Subscription,
)
from elevator_registry.notifications.schemas import PolicyStepCreate, SubscriptionCreate
from elevator_registry.registry import identifiers
from elevator_registry.registry.models import Organisation, Street


def require_manager(actor: Principal, organisation_id: int) -> None:
    """The bureau, or the organisation itself; 403 SUBSCRIPTION_FORBIDDEN otherwise."""
    if actor.role == Role.BUREAU:
        return
    if actor.role in Role.organisation_bound() and actor.organisation_id == organisation_id:
        return
    raise Forbidden(
        "SUBSCRIPTION_FORBIDDEN",
        "only the bureau or the organisation itself manages its notification subscriptions",
        message_zh="只有区市场监管局或该单位本身可以管理其通知订阅。",
    )


def _validated_target(data: SubscriptionCreate) -> str:
    if data.channel == "sms":
        phone = data.target.replace(" ", "")
        if not identifiers.MOBILE_PHONE.match(phone):
            raise InvalidValue(
                "SUBSCRIPTION_TARGET_INVALID",
                "target of an SMS subscription must be a mobile number (1[3-9] + 9 digits)",
                field="target",
                message_zh="短信订阅的号码须为手机号(1[3-9] 开头共 11 位)。",
            )
        return phone
    parts = urlsplit(data.target)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidValue(
            "SUBSCRIPTION_TARGET_INVALID",
            "target of a webhook subscription must be an http:// or https:// URL",
            field="target",
            message_zh="Webhook 订阅的地址须为 http:// 或 https:// 开头的网址。",
        )
    return data.target


def create_subscription(
    session: Session,
    *,
    organisation_id: int,
    data: SubscriptionCreate,
    actor: Principal,
    now: datetime,
) -> Subscription:
    """Adds a subscription; a webhook without a secret gets a generated one."""
    require_manager(actor, organisation_id)
    if session.get(Organisation, organisation_id) is None:
        raise NotFound("organisation", organisation_id)
    target = _validated_target(data)
    if data.channel == "sms" and data.secret is not None:
        raise InvalidValue(
            "SUBSCRIPTION_SECRET_UNEXPECTED",
            "an SMS subscription has no secret",
            field="secret",
            message_zh="短信订阅不需要密钥。",
        )
    duplicate = session.scalar(
        select(Subscription.id).where(
            Subscription.organisation_id == organisation_id,
            Subscription.channel == data.channel,
            Subscription.target == target,
        )
    )
    if duplicate is not None:
        raise Conflict(
            "SUBSCRIPTION_EXISTS",
            f"organisation {organisation_id} already has this {data.channel} subscription "
            f"(id {duplicate})",
            field="target",
            message_zh="该单位已有相同的订阅。",
        )
    secret = data.secret
    if data.channel == "webhook" and secret is None:
        secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = Subscription(
        organisation_id=organisation_id,
        channel=data.channel,
        target=target,
        secret=secret,
        active=True,
        created_by=actor.label,
        created_at=now,
    )
    session.add(subscription)
    session.flush()
    return subscription


def subscriptions_of(
    session: Session, *, organisation_id: int, actor: Principal
) -> list[Subscription]:
    """An organisation's subscriptions, active first."""
    require_manager(actor, organisation_id)
    return list(
        session.scalars(
            select(Subscription)
            .where(Subscription.organisation_id == organisation_id)
            .order_by(Subscription.active.desc(), Subscription.id)
        )
    )


def deactivate_subscription(
    session: Session, *, subscription_id: int, actor: Principal
) -> Subscription:
    """Stops a subscription (kept, so past messages still name it)."""
    subscription = session.get(Subscription, subscription_id)
    if subscription is None:
        raise NotFound("subscription", subscription_id)
    require_manager(actor, subscription.organisation_id)
    subscription.active = False
    session.flush()
    return subscription


def _own_organisation(actor: Principal) -> int:
    if actor.role not in Role.organisation_bound() or actor.organisation_id is None:
        raise Forbidden(
            "FORBIDDEN_ROLE",
            "in-app notifications belong to an organisation: use a unit's token",
            message_zh="站内通知属于单位,请使用单位账号。",
        )
    return actor.organisation_id


def notifications_statement(actor: Principal, *, unread_only: bool = False) -> Select[Any]:
    """The caller's organisation's notifications."""
    statement = select(Notification).where(Notification.organisation_id == _own_organisation(actor))
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return statement


def unread_count(session: Session, *, actor: Principal) -> int:
    """The badge: unread notifications of the caller's organisation."""
    return (
        session.scalar(
            select(func.count()).where(
                Notification.organisation_id == _own_organisation(actor),
                Notification.read_at.is_(None),
            )
        )
        or 0
    )


def recent_notifications(
    session: Session, *, actor: Principal, limit: int = 50
) -> list[Notification]:
    """Newest first, for the firm's page."""
    return list(
        session.scalars(
            notifications_statement(actor).order_by(Notification.id.desc()).limit(limit)
        )
    )


def mark_read(
    session: Session, *, notification_id: int | None, actor: Principal, now: datetime
) -> int:
    """Marks one notification (or, with None, all) of the caller's organisation read."""
    statement = update(Notification).where(
        Notification.organisation_id == _own_organisation(actor), Notification.read_at.is_(None)
    )
    if notification_id is not None:
        if (
            session.scalar(notifications_statement(actor).where(Notification.id == notification_id))
            is None
        ):
            raise NotFound("notification", notification_id)
        statement = statement.where(Notification.id == notification_id)
    return session.execute(statement.values(read_at=now)).rowcount


def messages_statement(
    *,
    status: str | None = None,
    topic: str | None = None,
    incident_id: int | None = None,
    organisation_id: int | None = None,
) -> Select[Any]:
    """Outbox messages, filtered (the bureau's view)."""
    statement = select(OutboxMessage)
    for column, value in (
        (OutboxMessage.status, status),
        (OutboxMessage.topic, topic),
        (OutboxMessage.incident_id, incident_id),
        (OutboxMessage.organisation_id, organisation_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return statement


def message_with_attempts(
    session: Session, *, message_id: int
) -> tuple[OutboxMessage, list[DeliveryAttempt]]:
    """A message and its attempts, oldest first."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("outbox_message", message_id)
    attempts = list(
        session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.message_id == message_id)
            .order_by(DeliveryAttempt.attempt_number)
        )
    )
    return message, attempts


def add_policy_step(
    session: Session, *, data: PolicyStepCreate, actor: Principal
) -> EscalationPolicyStep:
    """Adds a step to a street/town's policy, or to the district default (bureau)."""
    actor.require(Role.BUREAU)
    if (
        data.street is not None
        and session.scalar(select(Street.id).where(Street.name == data.street)) is None
    ):
        raise NotFound("street", data.street)
    if data.trigger == "ack_timeout" and data.raise_to_level is not None:
        raise InvalidValue(
            "POLICY_STEP_INVALID",
            "an ack_timeout step re-notifies the firm; it raises no level",
            field="raise_to_level",
            message_zh="超时未接单步骤只再次通知维保单位,不提升级别。",
        )
    taken = session.scalar(
        select(EscalationPolicyStep.id).where(
            EscalationPolicyStep.street.is_(None)
            if data.street is None
            else EscalationPolicyStep.street == data.street,
            EscalationPolicyStep.step == data.step,
        )
    )
    if taken is not None:
        raise Conflict(
            "POLICY_STEP_EXISTS",
            f"step {data.step} of this policy exists already (id {taken})",
            field="step",
            message_zh="该策略已有此序号的步骤。",
        )
    step = EscalationPolicyStep(**data.model_dump())
    session.add(step)
    session.flush()
    return step


def policy(session: Session) -> list[EscalationPolicyStep]:
    """Every policy step: the district default first, then street by street, in step order."""
    return list(
        session.scalars(
            select(EscalationPolicyStep).order_by(
                EscalationPolicyStep.street.is_not(None),
                EscalationPolicyStep.street,
                EscalationPolicyStep.step,
            )
        )
    )
