"""Escalation as data: each policy step fires once per incident with its event and message."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.config import Settings
from elevator_registry.incidents.escalation import escalate_overdue
from elevator_registry.incidents.models import Incident, IncidentEvent
from elevator_registry.notifications.models import (
    EscalationPolicyStep,
    IncidentEscalationStep,
    OutboxMessage,
)
from tests import factories
from tests.conftest import NOW
from tests.incidents.conftest import Report

SETTINGS = Settings()


def reported(session: Session, report: Report, lift: object) -> Incident:
    number = report(lift).json()["number"]
    return session.scalars(select(Incident).where(Incident.number == number)).one()


def timeline(session: Session, incident: Incident) -> list[tuple[str, object]]:
    return [
        (event.kind, (event.detail or {}).get("level"))
        for event in session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident.id)
            .order_by(IncidentEvent.id)
        )
    ]


def topics(session: Session, incident: Incident) -> list[str]:
    return [
        message.topic
        for message in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.incident_id == incident.id, OutboxMessage.channel == "in_app")
            .order_by(OutboxMessage.id)
        )
    ]


def test_the_migration_seeds_the_district_default_from_the_settings(session: Session) -> None:
    steps = session.scalars(
        select(EscalationPolicyStep).where(EscalationPolicyStep.street.is_(None))
    ).all()
    assert [(s.step, s.trigger, s.delay_minutes, s.raise_to_level) for s in steps] == [
        (1, "ack_timeout", SETTINGS.kpi_response_minutes, None),
        (2, "arrival_deadline", 0, 2),
        (3, "arrival_deadline", SETTINGS.escalation_level3_after_minutes, 3),
    ]


def test_each_step_fires_once_with_its_event_and_its_message(
    report: Report, world: factories.World, session: Session
) -> None:
    incident = reported(session, report, world.lift_a)
    for minutes in (4, 6, 6, 31, 31, 46, 46, 120):
        escalate_overdue(session, now=NOW + timedelta(minutes=minutes), settings=SETTINGS)
    assert timeline(session, incident) == [
        ("reported", None),
        ("dispatched", 1),
        ("ack_timeout", None),
        ("escalated", 2),
        ("escalated", 3),
    ]
    assert topics(session, incident) == [
        "incident.dispatched",
        "incident.ack_timeout",
        "incident.escalated",
        "incident.escalated",
    ]
    fired = session.scalars(
        select(IncidentEscalationStep).where(IncidentEscalationStep.incident_id == incident.id)
    ).all()
    assert len(fired) == 3


def test_an_accepted_rescue_without_arrival_re_escalates_but_is_not_renotified(
    report: Report,
    world: factories.World,
    session: Session,
    unlimited: TestClient,
    operator: dict[str, str],
) -> None:
    incident = reported(session, report, world.lift_a)
    unlimited.post(f"/api/v1/incidents/{incident.id}/accept", headers=operator)
    result = escalate_overdue(session, now=NOW + timedelta(minutes=31), settings=SETTINGS)
    assert (result.renotified, result.to_level_2) == ([], [incident.id])


def test_a_street_with_its_own_policy_follows_only_it(
    report: Report,
    world: factories.World,
    session: Session,
    unlimited: TestClient,
    bureau: dict[str, str],
) -> None:
    added = unlimited.post(
        "/api/v1/escalation-policy/steps",
        json={
            "street": world.lift_a.street,
            "step": 1,
            "trigger": "arrival_deadline",
            "delay_minutes": 10,
            "target_kind": "fire_service",
            "raise_to_level": 3,
        },
        headers=bureau,
    )
    assert added.status_code == 201, added.json()
    own = reported(session, report, world.lift_a)  # 古南街道: its own policy
    default = reported(session, report, world.lift_b)  # 永新镇: the district default
    early = escalate_overdue(session, now=NOW + timedelta(minutes=35), settings=SETTINGS)
    # Own policy: no ack step, no level 2 at the deadline; the default re-notifies.
    assert (early.renotified, early.to_level_2, early.to_level_3) == ([default.id], [], [])
    late = escalate_overdue(session, now=NOW + timedelta(minutes=41), settings=SETTINGS)
    assert late.to_level_3 == [own.id]
    listed = unlimited.get("/api/v1/escalation-policy", headers=bureau).json()
    assert [step["street"] for step in listed] == [None, None, None, world.lift_a.street]


def test_a_bad_policy_step_is_refused_with_a_chinese_message(
    world: factories.World, session: Session, unlimited: TestClient, bureau: dict[str, str]
) -> None:
    answer = unlimited.post(
        "/api/v1/escalation-policy/steps",
        json={
            "step": 9,
            "trigger": "ack_timeout",
            "delay_minutes": 3,
            "target_kind": "maintenance_unit",
            "raise_to_level": 2,
        },
        headers=bureau,
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == ("POLICY_STEP_INVALID", "raise_to_level")
    assert "不提升级别" in error["message_zh"]
    assert len(session.scalars(select(EscalationPolicyStep)).all()) == 3


def test_a_hand_escalation_spends_the_automatic_step_without_a_second_event(
    report: Report,
    world: factories.World,
    session: Session,
    unlimited: TestClient,
    operator: dict[str, str],
) -> None:
    incident = reported(session, report, world.lift_a)
    unlimited.post(
        f"/api/v1/incidents/{incident.id}/escalate",
        json={"level": 2, "reason": "调度员判断需要备用救援单位"},
        headers=operator,
    )
    result = escalate_overdue(session, now=NOW + timedelta(minutes=31), settings=SETTINGS)
    assert result.to_level_2 == []
    assert [kind for kind, _ in timeline(session, incident)].count("escalated") == 1
