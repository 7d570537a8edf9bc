"""Request and response bodies of the outbox, subscription, notification and policy routes."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from elevator_registry.schemas import InputModel, ReadModel

Target = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=r"^[^\x00\s]+$")]
Secret = Annotated[str, StringConstraints(min_length=16, max_length=128, pattern=r"^[!-~]+$")]


class SubscriptionCreate(InputModel):
    """A webhook URL (secret optional: one is generated) or a duty phone for SMS."""

    channel: Literal["webhook", "sms"]
    target: Target = Field(description="https:// or http:// URL (webhook), or a mobile number.")
    secret: Secret | None = Field(
        default=None, description="Webhook HMAC key (16-128 printable characters)."
    )


class SubscriptionRead(ReadModel):
    """A subscription; the secret is shown only in the answer that created it."""

    id: int
    organisation_id: int
    channel: str
    target: str
    active: bool
    created_at: datetime
    created_by: str


class SubscriptionCreated(SubscriptionRead):
    """The creation answer: carries the webhook secret once."""

    secret: str | None


class DeliveryAttemptRead(ReadModel):
    """One delivery attempt."""

    id: int
    attempt_number: int
    started_at: datetime
    latency_ms: int
    outcome: str
    status_code: int | None
    error: str | None


class OutboxMessageRead(ReadModel):
    """One outbox message and where it stands."""

    id: int
    event_key: str
    topic: str
    channel: str
    recipient: str
    organisation_id: int | None
    subscription_id: int | None
    incident_id: int | None
    status: str
    attempt_count: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    payload: dict[str, Any]


class OutboxMessageDetail(OutboxMessageRead):
    """A message with every attempt, oldest first."""

    attempts: list[DeliveryAttemptRead]


class NotificationRead(ReadModel):
    """An in-app notification."""

    id: int
    incident_id: int | None
    topic: str
    title_zh: str
    body_zh: str
    created_at: datetime
    read_at: datetime | None


class PolicyStepRead(ReadModel):
    """One escalation-policy step."""

    id: int
    street: str | None
    step: int
    trigger: str
    delay_minutes: int
    target_kind: str
    channel: str
    raise_to_level: int | None


class PolicyStepCreate(InputModel):
    """A step for a street/town's own policy (null street: the district default)."""

    street: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = None
    step: int = Field(ge=1, le=20)
    trigger: Literal["ack_timeout", "arrival_deadline"]
    delay_minutes: int = Field(ge=0, le=1440)
    target_kind: Literal["maintenance_unit", "rescue_unit", "fire_service"]
    channel: Literal["all", "webhook", "sms", "in_app"] = "all"
    raise_to_level: Literal[2, 3] | None = None


class AckAnswer(ReadModel):
    """What a tap on the acknowledge link did."""

    incident_number: str
    status: str
    accepted_now: bool
