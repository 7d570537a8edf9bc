"""Delivery channels behind one interface: signed webhooks, an SMS gateway adapter, in-app.

A channel's `send` either returns (delivered; the HTTP status if there was one) or raises
`DeliveryFailed` with what went wrong. `transactional` channels write to the database and run
inside the transaction that records the attempt; the others call out and must not hold one.
"""

import time
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import httpx
import orjson
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from elevator_registry.config import Settings
from elevator_registry.notifications import signing
from elevator_registry.notifications.models import Notification
from elevator_registry.notifications.outbox import text_zh


class DeliveryFailed(Exception):
    """One attempt failed; `status_code` is the receiver's answer when there was one."""

    def __init__(self, error: str, status_code: int | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status_code = status_code


@dataclass(frozen=True)
class DueMessage:
    """A message due for delivery, with what its channel needs to send it."""

    id: int
    event_key: str
    topic: str
    channel: str
    organisation_id: int | None
    incident_id: int | None
    payload: dict[str, Any]
    attempt_count: int
    created_at: Any
    target: str | None
    secret: str | None
    ack_url: str | None

    def body(self) -> dict[str, Any]:
        """What a webhook receives (and an SMS gateway, beside the text)."""
        title, text = text_zh(self.topic, self.payload)
        return {
            "message_id": self.id,
            "event_key": self.event_key,
            "topic": self.topic,
            "created_at": self.created_at.isoformat(),
            "title_zh": title,
            "text_zh": text + (f" 一键接单:{self.ack_url}" if self.ack_url else ""),
            "ack_url": self.ack_url,
            "data": self.payload,
        }


class Channel(Protocol):
    """One way of reaching a person."""

    transactional: ClassVar[bool]

    def send(self, message: DueMessage, connection: Connection | None) -> int | None:
        """Delivers `message`; returns the HTTP status (None if none) or raises DeliveryFailed."""
        ...


def _post(client: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> int:
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(
            f"receiver answered {response.status_code}: {response.text[:200]}",
            response.status_code,
        )
    return response.status_code


class WebhookChannel:
    """POSTs the JSON body, signed with the subscription's secret (see `signing`)."""

    transactional: ClassVar[bool] = False

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def send(self, message: DueMessage, connection: Connection | None) -> int | None:
        """Signs and posts the message to the subscription's URL."""
        if message.target is None or message.secret is None:
            raise DeliveryFailed("subscription has no URL or secret")
        body = orjson.dumps(message.body())
        headers = signing.signed_headers(
            message.secret, body, message_id=message.id, timestamp=int(time.time())
        )
        return _post(self.client, message.target, body, headers)


class SmsGateway(Protocol):
    """What an SMS vendor adapter offers: text one number."""

    def send_text(self, *, to: str, text: str, message_id: int) -> int | None:
        """Sends `text` to `to`; returns the gateway's HTTP status or raises DeliveryFailed."""
        ...


class HttpSmsGateway:
    """A generic JSON-over-HTTP gateway: POST {to, text, message_id} with a bearer token.

    Vendor adapters (Aliyun, Tencent Cloud…) implement `SmsGateway` the same way; none ships
    here, so no credentials do. Tests point `sms_gateway_url` at a local server.
    """

    def __init__(self, client: httpx.Client, settings: Settings) -> None:
        self.client = client
        self.url = settings.sms_gateway_url
        token = settings.sms_gateway_token
        self.headers = {"Content-Type": "application/json"}
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token.get_secret_value()}"

    def send_text(self, *, to: str, text: str, message_id: int) -> int | None:
        """Posts one text to the gateway."""
        if self.url is None:
            raise DeliveryFailed("no SMS gateway configured (sms_gateway_url)")
        body = orjson.dumps({"to": to, "text": text, "message_id": message_id})
        return _post(self.client, self.url, body, self.headers)


class SmsChannel:
    """Texts the subscription's duty phone through the configured gateway."""

    transactional: ClassVar[bool] = False

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    def send(self, message: DueMessage, connection: Connection | None) -> int | None:
        """Sends the message's Chinese text (with the acknowledge link)."""
        if message.target is None:
            raise DeliveryFailed("subscription has no phone number")
        return self.gateway.send_text(
            to=message.target, text=message.body()["text_zh"], message_id=message.id
        )


class InAppChannel:
    """Writes the notification row the organisation's pages read."""

    transactional: ClassVar[bool] = True

    def send(self, message: DueMessage, connection: Connection | None) -> int | None:
        """Inserts the notification (once: message_id is unique)."""
        assert connection is not None, "the in-app channel writes in the attempt's transaction"
        if message.organisation_id is None:
            raise DeliveryFailed("in-app message without an organisation")
        title, text = text_zh(message.topic, message.payload)
        connection.execute(
            insert(Notification.__table__).values(
                organisation_id=message.organisation_id,
                message_id=message.id,
                incident_id=message.incident_id,
                topic=message.topic,
                title_zh=title,
                body_zh=text,
                created_at=message.created_at,
            )
        )
        return None


def default_channels(client: httpx.Client, settings: Settings) -> dict[str, Channel]:
    """The channels `serve` delivers through."""
    return {
        "webhook": WebhookChannel(client),
        "sms": SmsChannel(HttpSmsGateway(client, settings)),
        "in_app": InAppChannel(),
    }
