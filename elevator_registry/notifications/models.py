"""Outbox tables: subscriptions, messages and their delivery attempts, in-app notifications, and
the escalation policy with the steps each incident has already been through."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from elevator_registry.db import Base, CreatedAtMixin, UTCDateTime, enum_check
from elevator_registry.maintenance.models import JsonDocument
from elevator_registry.notifications.enums import (
    AttemptOutcome,
    Channel,
    MessageStatus,
    PolicyTrigger,
    TargetKind,
    Topic,
)


class Subscription(CreatedAtMixin, Base):
    """Where an organisation wants to be told: a webhook URL (with its secret) or a duty phone.

    In-app notifications need no subscription: every organisation a message is for gets one.
    """

    __tablename__ = "notification_subscription"
    __table_args__ = (
        CheckConstraint("channel IN ('webhook', 'sms')", name="channel_valid"),
        CheckConstraint("channel <> 'webhook' OR secret IS NOT NULL", name="webhook_has_secret"),
        UniqueConstraint("organisation_id", "channel", "target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    # The webhook URL, or the mobile number the SMS gateway texts.
    target: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(120))


class OutboxMessage(Base):
    """One message for one recipient, written in the transaction of the event it announces.

    `event_key` names the event (`incident:12:dispatched`); with `recipient` (`in_app` or
    `sub:<subscription id>`) it is unique, so writing the same event twice sends nothing twice.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        enum_check("topic", Topic),
        enum_check("channel", Channel),
        enum_check("status", MessageStatus),
        UniqueConstraint("event_key", "recipient"),
        # The delivery worker's question: what is due now?
        Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(String(120))
    recipient: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(48))
    channel: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("notification_subscription.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.PENDING)
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class DeliveryAttempt(Base):
    """One try at delivering a message: when, how long it took, what came back. Append-only."""

    __tablename__ = "delivery_attempt"
    __table_args__ = (enum_check("outcome", AttemptOutcome),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), index=True)
    attempt_number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    latency_ms: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class Notification(Base):
    """An in-app notification an organisation's pages show (unread badge, list)."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_organisation_id_read_at", "organisation_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_message.id"), unique=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    topic: Mapped[str] = mapped_column(String(48))
    title_zh: Mapped[str] = mapped_column(String(200))
    body_zh: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EscalationPolicyStep(Base):
    """One step of an escalation policy: for a street/town, or the district default (NULL).

    A street with steps of its own uses only those; every other street uses the default.
    """

    __tablename__ = "escalation_policy_step"
    __table_args__ = (
        enum_check("trigger", PolicyTrigger),
        enum_check("target_kind", TargetKind),
        CheckConstraint("channel IN ('all', 'webhook', 'sms', 'in_app')", name="channel_valid"),
        CheckConstraint("delay_minutes BETWEEN 0 AND 1440", name="delay_range"),
        CheckConstraint("raise_to_level IS NULL OR raise_to_level IN (2, 3)", name="level_range"),
        UniqueConstraint("street", "step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    street: Mapped[str | None] = mapped_column(ForeignKey("street.name"))
    step: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(24))
    delay_minutes: Mapped[int] = mapped_column(Integer)
    target_kind: Mapped[str] = mapped_column(String(24))
    # Which of the recipient's channels are used ('all': in-app and every subscription).
    channel: Mapped[str] = mapped_column(String(16))
    raise_to_level: Mapped[int | None] = mapped_column(Integer)


class IncidentEscalationStep(Base):
    """A policy step an incident has been through; the primary key makes each fire once."""

    __tablename__ = "incident_escalation_step"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), primary_key=True)
    policy_step_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_policy_step.id"), primary_key=True
    )
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # False when the step found the incident already at (or past) its level: recorded, no message.
    acted: Mapped[bool] = mapped_column(Boolean)
