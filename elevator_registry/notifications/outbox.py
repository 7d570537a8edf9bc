"""Writing the outbox: one message per recipient, in the caller's transaction.

`enqueue` is called by the code that makes the event happen (intake's dispatch, the escalation
pass, the stop-use notice, a maintenance record awaiting confirmation) on the same connection,
so the message commits or rolls back with the event: nothing is announced that did not happen,
and nothing that happened goes unannounced. One INSERT … SELECT fans the event out to the
organisation's in-app inbox and to each of its active subscriptions.
"""

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Insert,
    Integer,
    String,
    bindparam,
    cast,
    insert,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.engine import Connection

from elevator_registry.config import get_settings
from elevator_registry.maintenance.models import JsonDocument
from elevator_registry.notifications.enums import Channel, MessageStatus, Topic
from elevator_registry.notifications.models import OutboxMessage, Subscription

_message = OutboxMessage.__table__
_subscription = Subscription.__table__
ALL_CHANNELS = "all"


@cache
def _fan_out_statement() -> Insert:
    """Built once: intake runs it on its hot path (see incidents.intake's prebuilt statements)."""
    recipients = union_all(
        select(
            literal(Channel.IN_APP.value, String).label("recipient"),
            literal(Channel.IN_APP.value, String).label("channel"),
            cast(null(), Integer).label("subscription_id"),
        ),
        select(
            (literal("sub:", String) + cast(_subscription.c.id, String)).label("recipient"),
            _subscription.c.channel.label("channel"),
            _subscription.c.id.label("subscription_id"),
        ).where(
            _subscription.c.organisation_id == bindparam("organisation_id"),
            _subscription.c.active == true(),
        ),
    ).subquery("recipients")
    wanted = bindparam("channel_filter", type_=String())
    rows = select(
        bindparam("event_key", type_=String()),
        recipients.c.recipient,
        bindparam("topic", type_=String()),
        recipients.c.channel,
        bindparam("organisation_id", type_=Integer()),
        recipients.c.subscription_id,
        bindparam("incident_id", type_=Integer()),
        bindparam("payload", type_=JsonDocument),
        literal(MessageStatus.PENDING.value, String),
        literal(0, Integer),
        bindparam("now", type_=_message.c.created_at.type),
        bindparam("now", type_=_message.c.created_at.type),
    ).where(or_(wanted == ALL_CHANNELS, recipients.c.channel == wanted))
    return insert(_message).from_select(
        [
            "event_key",
            "recipient",
            "topic",
            "channel",
            "organisation_id",
            "subscription_id",
            "incident_id",
            "payload",
            "status",
            "attempt_count",
            "next_attempt_at",
            "created_at",
        ],
        rows,
    )


def enqueue(
    db: Connection,
    *,
    topic: Topic,
    event_key: str,
    organisation_id: int,
    payload: dict[str, Any],
    now: datetime,
    incident_id: int | None = None,
    channel: str = ALL_CHANNELS,
) -> None:
    """Writes the event's messages for `organisation_id` (in-app plus its subscriptions).

    `channel` narrows the fan-out to one channel (an escalation-policy step's choice). The
    unique (event_key, recipient) refuses a second announcement of the same event.
    """
    db.execute(
        _fan_out_statement(),
        {
            "event_key": event_key,
            "topic": str(topic),
            "organisation_id": organisation_id,
            "incident_id": incident_id,
            "payload": payload,
            "now": now,
            "channel_filter": channel,
        },
    )


def iso(instant: datetime | None) -> str | None:
    """A timestamp as the payloads carry it (ISO 8601, UTC)."""
    return None if instant is None else instant.isoformat()


def text_zh(topic: str, payload: dict[str, Any]) -> tuple[str, str]:
    """The Chinese title and body a person reads (SMS text, in-app notification, webhook)."""
    place = payload.get("address") or f"救援识别码 {payload.get('rescue_code', '')}"
    number = payload.get("number", "")
    if topic == Topic.INCIDENT_DISPATCHED:
        return (
            "困人救援派单",
            f"【96333】{place} 电梯困人 {payload.get('trapped_count', 1)} 人,单号 {number},"
            f"请立即接单并于 {_local(payload.get('arrival_deadline_at'))} 前到场。",
        )
    if topic == Topic.ACK_TIMEOUT:
        return (
            "派单超时未接单",
            f"【96333】单号 {number}({place})派单后 {payload.get('delay_minutes')} 分钟仍未接单,"
            "请立即接单;未响应将计入维保单位未响应次数。",
        )
    if topic == Topic.INCIDENT_ESCALATED:
        level = payload.get("escalation_level")
        whom = "消防救援 119" if level == 3 else "其他救援单位"
        return (
            f"救援升级至{level}级",
            f"【96333】单号 {number}({place})到场时限已过仍无人到场,已升级至{level}级,通知{whom}。",
        )
    if topic == Topic.HAZARD_STOP_USE:
        return (
            "重大隐患停用通知",
            f"电梯 {payload.get('equipment_code', '')}({place})发现重大事故隐患,已停止使用,"
            "请立即张贴停用告示并组织整改。",
        )
    if topic == Topic.RECORD_AWAITING_CONFIRMATION:
        return (
            "维保记录待确认",
            f"电梯 {payload.get('equipment_code', '')}({place})有一条维保记录待使用单位确认,"
            "请在 7 日内确认。",
        )
    return ("通知", str(payload))


def _local(instant: str | None) -> str:
    if instant is None:
        return ""
    moment = datetime.fromisoformat(instant).astimezone(ZoneInfo(get_settings().timezone))
    return f"{moment:%H:%M}"
