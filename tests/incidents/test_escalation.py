"""Escalation on the clock: level 2 at the deadline, level 3 after a further window, once."""

import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from elevator_registry.cli import app as cli_app
from elevator_registry.clock import FixedClock, get_clock
from elevator_registry.config import Settings, get_settings
from elevator_registry.db import get_sessionmaker
from elevator_registry.incidents import escalation
from elevator_registry.incidents.escalation import EscalationPass, escalate_overdue
from elevator_registry.incidents.models import Incident, IncidentEvent
from tests import factories
from tests.conftest import NOW
from tests.incidents.conftest import Report

SETTINGS = Settings()


def overdue_incident(world: factories.World) -> Incident:
    """A trapped incident an hour old whose deadline passed 30 minutes ago (before NOW)."""
    return Incident(
        number="QJ20261115-000001",
        elevator_id=world.lift_a.id,
        kind="trapped",
        channel="public",
        trapped_count=1,
        status="dispatched",
        escalation_level=1,
        maintenance_unit_id=world.maintainer_a.id,
        no_contract=False,
        reported_at=NOW - timedelta(hours=1),
        arrival_deadline_at=NOW - timedelta(minutes=30),
        dispatched_at=NOW - timedelta(hours=1),
        tracking_token_hash="0" * 64,
        created_at=NOW,
    )


def incident(session: Session, number: str) -> Incident:
    return session.scalars(select(Incident).where(Incident.number == number)).one()


def escalations(session: Session, incident_id: int) -> list[object]:
    return [
        event.detail
        for event in session.scalars(
            select(IncidentEvent).where(
                IncidentEvent.incident_id == incident_id, IncidentEvent.kind == "escalated"
            )
        )
    ]


def test_nothing_is_escalated_before_the_deadline(
    report: Report, world: factories.World, session: Session
) -> None:
    row = incident(session, report(world.lift_a).json()["number"])
    result = escalate_overdue(session, now=NOW + timedelta(minutes=30), settings=SETTINGS)
    # Not accepted within 5 minutes: the firm is told again, but nobody else is called yet.
    assert result == EscalationPass([], [], renotified=[row.id])


def test_level_2_just_after_the_deadline_then_level_3_after_the_window(
    report: Report, world: factories.World, session: Session
) -> None:
    row = incident(session, report(world.lift_a).json()["number"])
    deadline = row.arrival_deadline_at
    assert escalate_overdue(session, now=deadline + timedelta(seconds=1), settings=SETTINGS) == (
        EscalationPass([row.id], [], renotified=[row.id])
    )
    at_window = deadline + timedelta(minutes=15)
    assert escalate_overdue(session, now=at_window, settings=SETTINGS) == EscalationPass([], [])
    later = at_window + timedelta(seconds=1)
    assert escalate_overdue(session, now=later, settings=SETTINGS) == EscalationPass([], [row.id])
    session.refresh(row)
    assert row.escalation_level == 3
    assert escalations(session, row.id) == [
        {"level": 2, "automatic": True, "policy_step": 2, "target_kind": "rescue_unit"},
        {"level": 3, "automatic": True, "policy_step": 3, "target_kind": "fire_service"},
    ]


def test_running_twice_escalates_once(
    report: Report, world: factories.World, session: Session
) -> None:
    row = incident(session, report(world.lift_a).json()["number"])
    late = NOW + timedelta(hours=2)
    first = escalate_overdue(session, now=late, settings=SETTINGS)
    second = escalate_overdue(session, now=late, settings=SETTINGS)
    assert (first, second) == (
        EscalationPass([row.id], [row.id], [row.id]),
        EscalationPass([], []),
    )
    assert len(escalations(session, row.id)) == 2


def test_arrived_released_and_other_kinds_are_not_escalated(
    report: Report,
    world: factories.World,
    session: Session,
    unlimited: TestClient,
    operator: dict[str, str],
) -> None:
    arrived = incident(session, report(world.lift_a).json()["number"])
    unlimited.post(f"/api/v1/incidents/{arrived.id}/arrive", headers=operator)
    report(world.lift_b, kind="fault")
    result = escalate_overdue(session, now=NOW + timedelta(hours=3), settings=SETTINGS)
    assert result == EscalationPass([], [])


def test_the_town_deadline_is_60_minutes(
    report: Report, world: factories.World, session: Session
) -> None:
    row = incident(session, report(world.lift_b).json()["number"])
    assert (
        escalate_overdue(session, now=NOW + timedelta(minutes=45), settings=SETTINGS).to_level_2
        == []
    )
    assert escalate_overdue(
        session, now=NOW + timedelta(minutes=61), settings=SETTINGS
    ).to_level_2 == [row.id]


def test_late_open_incidents_show_as_incident_late(
    report: Report, world: factories.World, unlimited: TestClient, bureau: dict[str, str]
) -> None:
    report(world.lift_a)
    unlimited.app.dependency_overrides[get_clock] = lambda: FixedClock(  # type: ignore[attr-defined]
        at=NOW + timedelta(minutes=45)
    )
    findings = unlimited.get(f"/api/v1/elevators/{world.lift_a.id}/findings", headers=bureau)
    assert findings.status_code == 200, findings.json()
    assert "INCIDENT_LATE" in str(findings.json())


def test_the_background_loop_is_off_when_disabled() -> None:
    assert escalation.start_background(Settings(escalation_loop_enabled=False)) is None


def test_escalate_command_is_idempotent(scratch_database: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    with get_sessionmaker()() as session, session.begin():
        world = factories.build_world(session)
        session.add(overdue_incident(world))
    first = runner.invoke(cli_app, ["escalate"])
    second = runner.invoke(cli_app, ["escalate"])
    assert first.stdout.strip() == (
        "escalated to level 2: 1; to level 3 (119): 1; re-notified (not accepted in time): 1"
    )
    assert second.stdout.strip() == (
        "escalated to level 2: 0; to level 3 (119): 0; re-notified (not accepted in time): 0"
    )
    assert get_settings().escalation_loop_enabled is True


def test_the_background_loop_escalates_on_a_real_database(scratch_database: str) -> None:
    assert CliRunner().invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    with get_sessionmaker()() as session, session.begin():
        world = factories.build_world(session)
        session.add(overdue_incident(world))
    job = escalation.start_background(Settings(escalation_interval_seconds=1))
    assert job is not None
    try:
        level = 1
        for _ in range(100):  # polls for up to 20 s; the loop runs every second
            with get_sessionmaker()() as session:
                level = session.scalars(select(Incident.escalation_level)).one()
            if level == 3:
                break
            time.sleep(0.2)
        assert level == 3
    finally:
        job.stop(timeout=10)
    assert not job.thread.is_alive()
