"""The delivery worker: sends due outbox messages, records every attempt, backs off, gives up.

`deliver_due(engine, now=…, settings=…)` is one pass: it reads the messages whose
`next_attempt_at` has come (oldest first, `outbox_batch_size` at most), sends each through its
channel and records the attempt (outcome, latency, HTTP status, error) together with the
message's new state in one transaction per message. A failure waits
`min(cap, base × 2^(failures − 1))` before the next attempt; after `outbox_max_attempts` the
message is dead (visible to the bureau with every attempt). The record is a compare-and-set on
`attempt_count`, so a message two passes picked up at once is recorded once.

`serve` runs passes every `outbox_interval_seconds` in a daemon thread (`start_background`,
`delivery_job`), back to back while each takes a full batch; running it once per tick across
processes is the periodic-job lease's business (`elevator_registry.jobs`).
"""

import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
import structlog
from sqlalchemy import Connection, Engine, insert, select, update

from elevator_registry.config import Settings
from elevator_registry.jobs import PeriodicJob, run_periodic
from elevator_registry.notifications import ack
from elevator_registry.notifications.channels import (
    Channel,
    DeliveryFailed,
    DueMessage,
    default_channels,
)
from elevator_registry.notifications.enums import AttemptOutcome, MessageStatus, Topic
from elevator_registry.notifications.models import DeliveryAttempt, OutboxMessage, Subscription

log = structlog.get_logger("elevator_registry.outbox")
ACK_TOPICS = frozenset({Topic.INCIDENT_DISPATCHED, Topic.ACK_TIMEOUT})


@dataclass
class DeliveryPass:
    """Message ids delivered, failed (to be retried) and given up by one pass."""

    delivered: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    # The pass took a whole batch: more messages may be due already.
    full: bool = False

    def summary(self) -> str:
        """One line for the CLI and the log."""
        return (
            f"delivered: {len(self.delivered)}; to retry: {len(self.retried)}; "
            f"given up: {len(self.dead)}"
        )

    __str__ = summary


def backoff(failures: int, settings: Settings) -> timedelta:
    """The wait after the `failures`-th failed attempt: doubling from the base, capped."""
    seconds = settings.outbox_backoff_base_seconds * 2 ** max(failures - 1, 0)
    return timedelta(seconds=min(seconds, settings.outbox_backoff_cap_seconds))


def any_due(engine: Engine, *, now: datetime) -> bool:
    """Whether a message waits for delivery at `now` (a read: the job claims its tick only then)."""
    with engine.connect() as connection:
        return (
            connection.execute(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == MessageStatus.PENDING,
                    OutboxMessage.next_attempt_at <= now,
                )
                .limit(1)
            ).first()
            is not None
        )


def due_messages(
    bind: Engine | Connection, *, now: datetime, settings: Settings
) -> list[DueMessage]:
    """The messages due at `now`, oldest first, with their subscription's target and secret."""
    statement = (
        select(
            OutboxMessage.id,
            OutboxMessage.event_key,
            OutboxMessage.topic,
            OutboxMessage.channel,
            OutboxMessage.organisation_id,
            OutboxMessage.incident_id,
            OutboxMessage.payload,
            OutboxMessage.attempt_count,
            OutboxMessage.created_at,
            Subscription.target,
            Subscription.secret,
        )
        .outerjoin(Subscription, Subscription.id == OutboxMessage.subscription_id)
        .where(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(settings.outbox_batch_size)
    )
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            rows = connection.execute(statement).all()
    else:
        rows = bind.execute(statement).all()
    return [
        DueMessage(
            **row._asdict(),
            ack_url=ack.link(
                incident_id=row.incident_id,
                organisation_id=row.organisation_id,
                now=now,
                settings=settings,
            )
            if row.topic in ACK_TOPICS
            and row.incident_id is not None
            and row.organisation_id is not None
            else None,
        )
        for row in rows
    ]


def deliver_due(
    engine: Engine | Connection,
    *,
    now: datetime,
    settings: Settings,
    channels: Mapping[str, Channel] | None = None,
) -> DeliveryPass:
    """One delivery pass as of `now` (see the module docstring); commits per message.

    Given a connection instead of an engine (tests inside a rolled-back transaction), each
    message's record is a savepoint on it.
    """
    messages = due_messages(engine, now=now, settings=settings)
    result = DeliveryPass(full=len(messages) == settings.outbox_batch_size)
    if not messages:
        return result
    limits = httpx.Limits(max_connections=settings.outbox_concurrency)
    with httpx.Client(timeout=settings.webhook_timeout_seconds, limits=limits) as client:
        chosen = channels if channels is not None else default_channels(client, settings)

        def attempt(message: DueMessage) -> MessageStatus:
            # Attempts are stamped with the pass's instant (the injected clock, so tests are
            # exact); each one's own duration is its latency_ms.
            return _attempt(engine, message, chosen[message.channel], now, settings)

        if isinstance(engine, Engine) and settings.outbox_concurrency > 1:
            # One slow receiver must not hold up the others: attempts run side by side, each in
            # its own transaction (a test's single connection keeps them in order).
            with ThreadPoolExecutor(settings.outbox_concurrency) as pool:
                outcomes = list(pool.map(attempt, messages))
        else:
            outcomes = [attempt(message) for message in messages]
    for message, outcome in zip(messages, outcomes, strict=True):
        {
            MessageStatus.DELIVERED: result.delivered,
            MessageStatus.PENDING: result.retried,
            MessageStatus.DEAD: result.dead,
        }[outcome].append(message.id)
    return result


class _AlreadyRecorded(Exception):
    """Another pass recorded this attempt first: roll ours back."""


@contextmanager
def _transaction(bind: Engine | Connection) -> Iterator[Connection]:
    """A transaction of its own: on an engine a new one, on a connection a savepoint (tests)."""
    if isinstance(bind, Engine):
        with bind.begin() as connection:
            yield connection
    else:
        with bind.begin_nested():
            yield bind


def _attempt(
    bind: Engine | Connection,
    message: DueMessage,
    channel: Channel,
    started_at: datetime,
    settings: Settings,
) -> MessageStatus:
    try:
        if channel.transactional:
            with _transaction(bind) as connection:
                clock = time.perf_counter()
                error, status_code = _send(channel, message, connection)
                latency_ms = round((time.perf_counter() - clock) * 1000)
                return _record(
                    connection, message, started_at, latency_ms, error, status_code, settings
                )
        # An outside call must not hold a transaction (SQLite's write lock) while it waits.
        clock = time.perf_counter()
        error, status_code = _send(channel, message, None)
        latency_ms = round((time.perf_counter() - clock) * 1000)
        with _transaction(bind) as connection:
            return _record(
                connection, message, started_at, latency_ms, error, status_code, settings
            )
    except _AlreadyRecorded:
        return MessageStatus.PENDING


def _send(
    channel: Channel, message: DueMessage, connection: Connection | None
) -> tuple[str | None, int | None]:
    try:
        return None, channel.send(message, connection)
    except DeliveryFailed as failure:
        return failure.error, failure.status_code
    except Exception as unexpected:  # a channel bug must not stop the other messages
        return f"{type(unexpected).__name__}: {unexpected}", None


def _record(
    connection: Connection,
    message: DueMessage,
    started_at: datetime,
    latency_ms: int,
    error: str | None,
    status_code: int | None,
    settings: Settings,
) -> MessageStatus:
    """Stores the attempt and the message's next state (compare-and-set on attempt_count)."""
    failures = message.attempt_count + 1
    values: dict[str, object]
    if error is None:
        status, values = MessageStatus.DELIVERED, {"delivered_at": started_at, "last_error": None}
    elif failures >= settings.outbox_max_attempts:
        status, values = MessageStatus.DEAD, {"last_error": error}
    else:
        status = MessageStatus.PENDING
        values = {"last_error": error, "next_attempt_at": started_at + backoff(failures, settings)}
    moved = connection.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.attempt_count == message.attempt_count,
            OutboxMessage.status == MessageStatus.PENDING,
        )
        .values(status=status, attempt_count=failures, **values)
    ).rowcount
    if not moved:
        raise _AlreadyRecorded
    connection.execute(
        insert(DeliveryAttempt).values(
            message_id=message.id,
            attempt_number=failures,
            started_at=started_at,
            latency_ms=latency_ms,
            outcome=AttemptOutcome.DELIVERED if error is None else AttemptOutcome.FAILED,
            status_code=status_code,
            error=error,
        )
    )
    return status


def start_background(settings: Settings) -> PeriodicJob | None:
    """Starts the delivery job, once per tick across processes (None when disabled)."""
    if not settings.outbox_loop_enabled:
        return None
    from elevator_registry.clock import get_clock
    from elevator_registry.db import get_engine

    return delivery_job(get_engine(), settings, now=lambda: get_clock().now())


def delivery_job(engine: Engine, settings: Settings, *, now: Callable[[], datetime]) -> PeriodicJob:
    """The delivery job on `engine`: a pass every `outbox_interval_seconds` while messages are
    due, passes back to back while each takes a full batch (a burst), a log line for a pass
    that must retry, gave up or was full."""

    def one_pass() -> DeliveryPass | None:
        result = deliver_due(engine, now=now(), settings=settings)
        return result if (result.retried or result.dead or result.full) else None

    return run_periodic(
        "outbox",
        settings.outbox_interval_seconds,
        one_pass,
        engine=engine,
        wanted=lambda: any_due(engine, now=now()),
        backlog=lambda result: result is not None and result.full,
    )
