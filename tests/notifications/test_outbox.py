"""The outbox: written with the dispatch, delivered signed, retried with backoff, visible to
the bureau."""

import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from elevator_registry.app import create_app
from elevator_registry.auth.principal import PUBLIC
from elevator_registry.cli import app as cli_app
from elevator_registry.config import Settings, get_settings
from elevator_registry.db import get_sessionmaker
from elevator_registry.incidents import intake
from elevator_registry.incidents.models import Incident
from elevator_registry.incidents.schemas import IncidentCreate
from elevator_registry.notifications import delivery, signing
from elevator_registry.notifications.channels import DeliveryFailed, InAppChannel
from elevator_registry.notifications.models import (
    DeliveryAttempt,
    Notification,
    OutboxMessage,
    Subscription,
)
from tests import factories
from tests.conftest import NOW, AuthHeaders
from tests.incidents.conftest import Report
from tests.notifications.conftest import Receiver

SECRET = "whsec_test_secret_0123456789"


def subscribe(session: Session, organisation_id: int, url: str, channel: str = "webhook") -> None:
    session.add(
        Subscription(
            organisation_id=organisation_id,
            channel=channel,
            target=url,
            secret=SECRET if channel == "webhook" else None,
            active=True,
            created_by="test",
            created_at=NOW,
        )
    )
    session.flush()


def messages(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_trapped_report_writes_one_message_per_recipient(
    report: Report, world: factories.World, session: Session, receiver: Receiver
) -> None:
    subscribe(session, world.maintainer_a.id, receiver.url)
    number = report(world.lift_a).json()["number"]
    rows = messages(session)
    assert [(row.channel, row.organisation_id, row.status) for row in rows] == [
        ("in_app", world.maintainer_a.id, "pending"),
        ("webhook", world.maintainer_a.id, "pending"),
    ]
    assert {row.payload["number"] for row in rows} == {number}
    assert rows[0].topic == "incident.dispatched"


def test_the_message_rolls_back_with_the_report(
    world: factories.World, session: Session, receiver: Receiver
) -> None:
    subscribe(session, world.maintainer_a.id, receiver.url)
    with pytest.raises(RuntimeError), session.begin_nested():
        intake.report(
            session,
            data=IncidentCreate(rescue_code=world.lift_a.rescue_code, kind="trapped"),
            actor=PUBLIC,
            settings=get_settings(),
            now=NOW,
        )
        assert len(messages(session)) == 2  # written in the report's transaction…
        raise RuntimeError("the request fails after the dispatch")
    # …and gone with it: neither the incident nor its messages survive.
    assert session.scalar(select(func.count()).select_from(Incident)) == 0
    assert messages(session) == []


def test_a_fault_without_contract_and_a_complaint_write_no_message(
    report: Report, world: factories.World, session: Session
) -> None:
    report(world.orphan)
    report(world.lift_a, kind="complaint")
    assert messages(session) == []


def test_delivery_signs_the_webhook_and_the_receiver_can_verify_it(
    report: Report, world: factories.World, session: Session, receiver: Receiver
) -> None:
    subscribe(session, world.maintainer_a.id, receiver.url)
    number = report(world.lift_a).json()["number"]
    result = delivery.deliver_due(session.connection(), now=NOW, settings=Settings())
    assert len(result.delivered) == 2
    (request,) = receiver.wait(1)
    signing.verify_signature(SECRET, request.headers, request.body)
    body = request.json()
    assert body["topic"] == "incident.dispatched"
    assert body["data"]["number"] == number
    assert body["ack_url"].startswith("http://127.0.0.1:8000/ack/")
    assert body["ack_url"] in body["text_zh"]
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_signature(SECRET, request.headers, request.body + b" ")
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_signature("another-secret-000000", request.headers, request.body)


def test_a_pass_that_takes_a_whole_batch_says_more_may_wait(
    report: Report, world: factories.World, session: Session, receiver: Receiver
) -> None:
    subscribe(session, world.maintainer_a.id, receiver.url)
    report(world.lift_a)  # two messages: the webhook and the in-app notification
    settings = Settings(outbox_batch_size=1)
    first = delivery.deliver_due(session.connection(), now=NOW, settings=settings)
    second = delivery.deliver_due(session.connection(), now=NOW, settings=settings)
    last = delivery.deliver_due(session.connection(), now=NOW, settings=settings)
    assert (len(first.delivered), first.full) == (1, True)
    assert (len(second.delivered), second.full) == (1, True)
    # The job polls again only after a pass that found less than a batch.
    assert (last.delivered, last.full) == ([], False)
    assert str(first) == "delivered: 1; to retry: 0; given up: 0"


def test_a_stale_timestamp_is_refused_as_a_replay() -> None:
    body = b'{"x":1}'
    headers = signing.signed_headers(SECRET, body, message_id=1, timestamp=1_000_000)
    assert signing.verify_signature(SECRET, headers, body, now=1_000_300) == 1_000_000
    with pytest.raises(signing.SignatureInvalid, match="replay window"):
        signing.verify_signature(SECRET, headers, body, now=1_000_301)


def test_in_app_delivery_feeds_the_firms_notifications(
    report: Report,
    world: factories.World,
    session: Session,
    unlimited: TestClient,
    auth: AuthHeaders,
) -> None:
    report(world.lift_a)
    delivery.deliver_due(session.connection(), now=NOW, settings=Settings())
    (notification,) = session.scalars(select(Notification)).all()
    assert notification.organisation_id == world.maintainer_a.id
    assert "困人" in notification.body_zh
    firm = auth("maintenance_unit", organisation=world.maintainer_a)
    listed = unlimited.get("/api/v1/notifications?unread=true", headers=firm).json()
    assert [item["id"] for item in listed["items"]] == [notification.id]
    other = auth("maintenance_unit", organisation=world.maintainer_b)
    assert unlimited.get("/api/v1/notifications", headers=other).json()["items"] == []
    read = unlimited.post(f"/api/v1/notifications/{notification.id}/read", headers=firm)
    assert read.json() == {"marked_read": 1}
    assert unlimited.get("/api/v1/notifications?unread=true", headers=firm).json()["items"] == []


def test_a_failing_receiver_is_retried_with_backoff_and_the_bureau_sees_each_attempt(
    report: Report,
    world: factories.World,
    session: Session,
    receiver: Receiver,
    unlimited: TestClient,
    bureau: dict[str, str],
) -> None:
    settings = Settings(outbox_backoff_base_seconds=10, outbox_backoff_cap_seconds=15)
    subscribe(session, world.maintainer_a.id, receiver.url)
    report(world.lift_a)
    receiver.statuses = [500, 503]
    db = session.connection()
    assert delivery.deliver_due(db, now=NOW, settings=settings).retried != []
    (webhook,) = [row for row in messages(session) if row.channel == "webhook"]
    session.refresh(webhook)
    assert webhook.next_attempt_at == NOW + timedelta(seconds=10)
    # Not due yet: nothing is sent before the backoff has passed.
    assert delivery.deliver_due(db, now=NOW + timedelta(seconds=9), settings=settings).retried == []
    assert len(receiver.received) == 1
    second = delivery.deliver_due(db, now=NOW + timedelta(seconds=10), settings=settings)
    assert second.retried == [webhook.id]
    session.refresh(webhook)
    # 10 s, then doubled to 20 s but capped at 15 s.
    assert webhook.next_attempt_at == NOW + timedelta(seconds=25)
    third = delivery.deliver_due(db, now=NOW + timedelta(seconds=25), settings=settings)
    assert third.delivered == [webhook.id]
    assert len(receiver.received) == 3
    # Every retry carries the same message id, so the receiver can de-duplicate.
    assert {r.headers["X-Registry-Message-Id"] for r in receiver.received} == {str(webhook.id)}
    session.expire_all()  # the worker wrote through Core; the API shares this test's session
    detail = unlimited.get(f"/api/v1/outbox/messages/{webhook.id}", headers=bureau).json()
    assert detail["status"] == "delivered"
    assert [(a["outcome"], a["status_code"]) for a in detail["attempts"]] == [
        ("failed", 500),
        ("failed", 503),
        ("delivered", 200),
    ]
    assert all(attempt["latency_ms"] >= 0 for attempt in detail["attempts"])
    listed = unlimited.get("/api/v1/outbox/messages?status=delivered", headers=bureau).json()
    assert webhook.id in [item["id"] for item in listed["items"]]


def test_after_the_last_attempt_the_message_is_dead(
    report: Report, world: factories.World, session: Session, receiver: Receiver
) -> None:
    settings = Settings(outbox_max_attempts=2, outbox_backoff_base_seconds=1)
    subscribe(session, world.maintainer_a.id, receiver.url)
    report(world.lift_a)
    receiver.statuses = [500, 500, 500]
    db = session.connection()
    delivery.deliver_due(db, now=NOW, settings=settings)
    result = delivery.deliver_due(db, now=NOW + timedelta(seconds=1), settings=settings)
    (webhook,) = [row for row in messages(session) if row.channel == "webhook"]
    assert result.dead == [webhook.id]
    session.refresh(webhook)
    assert (webhook.status, webhook.attempt_count) == ("dead", 2)
    assert "500" in (webhook.last_error or "")
    assert delivery.deliver_due(db, now=NOW + timedelta(hours=1), settings=settings).dead == []


def test_an_unreachable_receiver_is_a_failed_attempt_with_its_error(
    report: Report, world: factories.World, session: Session
) -> None:
    subscribe(session, world.maintainer_a.id, "http://127.0.0.1:9/hook")  # discard port: closed
    report(world.lift_a)
    delivery.deliver_due(session.connection(), now=NOW, settings=Settings())
    (attempt,) = [
        row for row in session.scalars(select(DeliveryAttempt)) if row.outcome == "failed"
    ]
    assert attempt.status_code is None
    assert "ConnectError" in (attempt.error or "")


def test_the_sms_gateway_double_receives_the_text_with_the_ack_link(
    report: Report, world: factories.World, session: Session, receiver: Receiver
) -> None:
    subscribe(session, world.maintainer_a.id, "13800138000", channel="sms")
    report(world.lift_a)
    settings = Settings(sms_gateway_url=receiver.url, sms_gateway_token="gateway-token")
    assert (
        len(delivery.deliver_due(session.connection(), now=NOW, settings=settings).delivered) == 2
    )
    (request,) = receiver.wait(1)
    assert request.headers["Authorization"] == "Bearer gateway-token"
    sms = request.json()
    assert sms["to"] == "13800138000"
    assert "电梯困人" in sms["text"] and "/ack/" in sms["text"]


def test_without_a_gateway_the_sms_attempt_fails_and_says_why(
    report: Report, world: factories.World, session: Session
) -> None:
    subscribe(session, world.maintainer_a.id, "13800138000", channel="sms")
    report(world.lift_a)
    result = delivery.deliver_due(session.connection(), now=NOW, settings=Settings())
    assert len(result.retried) == 1
    (sms,) = [row for row in messages(session) if row.channel == "sms"]
    session.refresh(sms)
    assert "sms_gateway_url" in (sms.last_error or "")


def test_a_broken_channel_does_not_stop_the_others(
    report: Report, world: factories.World, session: Session, receiver: Receiver
) -> None:
    subscribe(session, world.maintainer_a.id, receiver.url)
    report(world.lift_a)

    class Broken:
        transactional = False

        def send(self, message: object, connection: object) -> int | None:
            raise DeliveryFailed("vendor down", 502)

    result = delivery.deliver_due(
        session.connection(),
        now=NOW,
        settings=Settings(),
        channels={"webhook": Broken(), "in_app": InAppChannel()},
    )
    assert (len(result.delivered), len(result.retried)) == (1, 1)


def test_the_serve_loop_delivers_a_report_to_the_receiver_within_2_seconds(
    scratch_database: str, receiver: Receiver
) -> None:
    assert CliRunner().invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    with get_sessionmaker()() as setup, setup.begin():
        world = factories.build_world(setup)
        subscribe(setup, world.maintainer_a.id, receiver.url)
        rescue_code = world.lift_a.rescue_code
    job = delivery.start_background(Settings(outbox_interval_seconds=0.2))
    assert job is not None
    try:
        with TestClient(create_app()) as client:
            answer = client.post(
                "/api/v1/incidents", json={"rescue_code": rescue_code, "kind": "trapped"}
            )
            # The dispatch exists from its commit, which the answer follows; the clock starts
            # there (on a loaded 2-CPU machine the request itself can take seconds).
            committed = time.monotonic()
            assert answer.status_code == 201, answer.json()
            (request,) = receiver.wait(1, timeout=5)
        assert request.at - committed < 2.0
        signing.verify_signature(SECRET, request.headers, request.body)
        assert request.json()["data"]["number"] == answer.json()["number"]
    finally:
        job.stop()
