"""Subscriptions (bureau and the organisation itself), the other outbox events, and the pages."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.config import Settings
from elevator_registry.notifications import delivery
from elevator_registry.notifications.models import OutboxMessage, Subscription
from tests import factories
from tests.conftest import NOW, AuthHeaders
from tests.evidence_factories import record_body
from tests.incidents.conftest import Report
from tests.web.conftest import Login, csrf_of


def subscriptions_url(organisation: object) -> str:
    return f"/api/v1/organisations/{organisation.id}/subscriptions"  # type: ignore[attr-defined]


def test_a_firm_adds_its_own_webhook_and_gets_a_secret_once(
    world: factories.World, client: TestClient, auth: AuthHeaders
) -> None:
    firm = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    created = client.post(
        subscriptions_url(world.maintainer_a),
        json={"channel": "webhook", "target": "https://firm.example/hook"},
        headers=firm,
    )
    assert created.status_code == 201, created.json()
    assert created.json()["secret"].startswith("whsec_")
    listed = client.get(subscriptions_url(world.maintainer_a), headers=firm).json()
    assert [item["target"] for item in listed] == ["https://firm.example/hook"]
    assert "secret" not in listed[0]


def test_the_bureau_manages_any_organisations_subscriptions_and_others_may_not(
    world: factories.World, client: TestClient, auth: AuthHeaders, bureau: dict[str, str]
) -> None:
    created = client.post(
        subscriptions_url(world.maintainer_b),
        json={"channel": "sms", "target": "13900139000"},
        headers=bureau,
    )
    assert created.status_code == 201, created.json()
    other = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    refused = client.get(subscriptions_url(world.maintainer_b), headers=other)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "SUBSCRIPTION_FORBIDDEN"
    stopped = client.post(
        f"/api/v1/subscriptions/{created.json()['id']}/deactivate", headers=bureau
    )
    assert stopped.json()["active"] is False


def test_a_bad_target_is_refused_naming_field_and_rule_and_nothing_is_written(
    world: factories.World, client: TestClient, bureau: dict[str, str], session: Session
) -> None:
    for body in (
        {"channel": "webhook", "target": "ftp://firm.example/hook"},
        {"channel": "sms", "target": "12345"},
    ):
        answer = client.post(subscriptions_url(world.maintainer_a), json=body, headers=bureau)
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert (error["code"], error["field"]) == ("SUBSCRIPTION_TARGET_INVALID", "target")
        assert error["message_zh"]
    assert session.scalars(select(Subscription)).all() == []


def test_a_serious_hazard_tells_the_user_unit_in_its_transaction(
    world: factories.World, client: TestClient, auth: AuthHeaders, session: Session
) -> None:
    unit = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    answer = client.post(
        "/api/v1/hazard-reports",
        json={
            "elevator_id": world.lift_a.id,
            "severity": "serious",
            "found_at": "2026-11-15T09:10:00+08:00",
            "description": "曳引钢丝绳断丝超标",
        },
        headers=unit,
    )
    assert answer.status_code == 201, answer.json()
    (message,) = session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == "hazard.stop_use_notice")
    ).all()
    assert message.organisation_id == world.user_a.id
    assert message.payload["notice_number"] == answer.json()["notice"]["notice_number"]


def test_a_new_maintenance_record_tells_the_user_unit_to_confirm_it(
    world: factories.World, client: TestClient, auth: AuthHeaders, session: Session
) -> None:
    unit = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    answer = client.post(
        "/api/v1/maintenance-records", json=record_body(world.lift_a), headers=unit
    )
    assert answer.status_code == 201, answer.json()
    (message,) = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.topic == "maintenance_record.awaiting_confirmation"
        )
    ).all()
    assert (message.organisation_id, message.payload["maintenance_record_id"]) == (
        world.user_a.id,
        answer.json()["id"],
    )


def test_the_firm_page_shows_the_unread_badge_and_the_notification(
    report: Report, world: factories.World, session: Session, login: Login
) -> None:
    report(world.lift_a)
    delivery.deliver_due(session.connection(), now=NOW, settings=Settings())
    pages = login(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    firm = pages.get("/firm")
    assert 'id="unread-badge"' in firm.text and ">1</span>" in firm.text
    listing = pages.get("/firm/notifications")
    assert "困人救援派单" in listing.text and "电梯困人 1 人" in listing.text
    read = pages.post(
        "/firm/notifications/read",
        data={"csrf_token": csrf_of(listing.text)},
        follow_redirects=False,
    )
    assert read.status_code == 303
    assert 'id="unread-badge"' not in pages.get("/firm").text


def test_the_bureau_page_lists_messages_and_attempts_in_chinese(
    report: Report, world: factories.World, session: Session, login: Login
) -> None:
    session.add(
        Subscription(
            organisation_id=world.maintainer_a.id,
            channel="webhook",
            target="http://127.0.0.1:9/hook",
            secret="whsec_0123456789abcdef",
            active=True,
            created_by="test",
            created_at=NOW,
        )
    )
    report(world.lift_a)
    delivery.deliver_due(session.connection(), now=NOW, settings=Settings())
    session.expire_all()
    pages = login(Role.BUREAU)
    listing = pages.get("/bureau/outbox")
    assert listing.status_code == 200
    assert "困人救援派单" in listing.text and "待发送" in listing.text and "已送达" in listing.text
    assert "incident.dispatched" not in listing.text  # no raw topic codes on the page
    webhook = session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).one()
    detail = pages.get(f"/bureau/outbox/{webhook.id}")
    assert "失败" in detail.text and "ConnectError" in detail.text


def test_a_firm_adds_a_duty_phone_on_its_page_and_a_bad_one_is_explained(
    world: factories.World, session: Session, login: Login
) -> None:
    pages = login(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    form = pages.get("/firm/subscriptions")
    bad = pages.post(
        "/firm/subscriptions",
        data={"channel": "sms", "target": "12345", "csrf_token": csrf_of(form.text)},
    )
    assert bad.status_code == 422 and "手机号" in bad.text
    good = pages.post(
        "/firm/subscriptions",
        data={"channel": "sms", "target": "13800138000", "csrf_token": csrf_of(form.text)},
    )
    assert good.status_code == 200 and "13800138000" in good.text
    (row,) = session.scalars(select(Subscription)).all()
    assert (row.organisation_id, row.channel) == (world.maintainer_a.id, "sms")


def test_a_firm_stops_its_own_subscription_on_its_page_but_not_anothers(
    world: factories.World, session: Session, login: Login
) -> None:
    for organisation in (world.maintainer_a, world.maintainer_b):
        session.add(
            Subscription(
                organisation_id=organisation.id,
                channel="sms",
                target="13800138000",
                active=True,
                created_by="test",
                created_at=NOW,
            )
        )
    session.flush()
    own, other = session.scalars(select(Subscription).order_by(Subscription.id)).all()
    pages = login(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    csrf = csrf_of(pages.get("/firm/subscriptions").text)
    stopped = pages.post(
        f"/firm/subscriptions/{own.id}/deactivate",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert (stopped.status_code, stopped.headers["location"]) == (303, "/firm/subscriptions")
    refused = pages.post(f"/firm/subscriptions/{other.id}/deactivate", data={"csrf_token": csrf})
    assert refused.status_code == 403
    session.expire_all()
    assert (own.active, other.active) == (False, True)
