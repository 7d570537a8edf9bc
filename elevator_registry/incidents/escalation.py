"""Escalation on the clock, as data: the steps of `escalation_policy_step` fire once each.

A street/town with steps of its own follows those; every other street the district default
(seeded by migration 0011: re-notify the firm `kpi_response_minutes` after an unaccepted
dispatch, level 2 at the arrival deadline, level 3 (fire service 119) 15 minutes later).
Trigger `ack_timeout` fires for a trapped incident still `dispatched` (not accepted) that long
after dispatch; `arrival_deadline` for one with nobody on site (dispatched *or accepted*) that
long after its deadline, so an accepted rescue that does not arrive re-escalates.

Each firing claims an `incident_escalation_step` row (primary key incident + step, insert
`ON CONFLICT DO NOTHING`), then, in the same transaction, raises the level (compare-and-set)
when the step has one, writes its timeline event and its outbox message. Running a pass twice,
or in two processes at once, fires each step once per incident.

`elevator-registry escalate` runs one pass; each `serve` process runs the job "escalation"
every `escalation_interval_seconds` unless `escalation_loop_enabled` is off, claimed through
`jobs.run_periodic` so that one process runs each tick.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, Row, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from elevator_registry.config import Settings
from elevator_registry.incidents.enums import IncidentEventKind, IncidentKind, IncidentStatus
from elevator_registry.incidents.lifecycle import escalate_to
from elevator_registry.incidents.models import Incident, IncidentEvent
from elevator_registry.jobs import PeriodicJob, run_periodic
from elevator_registry.notifications import outbox
from elevator_registry.notifications.enums import PolicyTrigger, Topic
from elevator_registry.notifications.models import EscalationPolicyStep, IncidentEscalationStep
from elevator_registry.registry.models import Elevator

ACTOR = "escalation"


@dataclass(frozen=True)
class EscalationPass:
    """Incidents raised to level 2, to level 3, and firms re-notified, by one pass."""

    to_level_2: list[int]
    to_level_3: list[int]
    renotified: list[int] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI and the log."""
        return (
            f"escalated to level 2: {len(self.to_level_2)}; to level 3 (119): "
            f"{len(self.to_level_3)}; re-notified (not accepted in time): {len(self.renotified)}"
        )


def policy_steps(session: Session) -> list[EscalationPolicyStep]:
    """Every step of every policy, in firing order (default and street ones alike)."""
    return list(
        session.scalars(
            select(EscalationPolicyStep).order_by(
                EscalationPolicyStep.step, EscalationPolicyStep.id
            )
        )
    )


def _claim_statement(dialect: str) -> Insert:
    insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert_(IncidentEscalationStep)
        .on_conflict_do_nothing(index_elements=["incident_id", "policy_step_id"])
        .returning(IncidentEscalationStep.incident_id)
    )


def _candidates(
    session: Session, step: EscalationPolicyStep, *, now: datetime, own_streets: set[str]
) -> list[Row[Any]]:
    """Trapped incidents this step is due for and has not fired on yet."""
    threshold = now - timedelta(minutes=step.delay_minutes)
    statement = (
        select(
            Incident.id,
            Incident.number,
            Incident.maintenance_unit_id,
            Incident.trapped_count,
            Incident.arrival_deadline_at,
            Elevator.address,
            Elevator.rescue_code,
        )
        .join(Elevator, Elevator.id == Incident.elevator_id)
        .where(
            Incident.kind == IncidentKind.TRAPPED,
            ~select(IncidentEscalationStep.incident_id)
            .where(
                IncidentEscalationStep.incident_id == Incident.id,
                IncidentEscalationStep.policy_step_id == step.id,
            )
            .exists(),
        )
        .order_by(Incident.id)
    )
    if step.street is not None:
        statement = statement.where(Elevator.street == step.street)
    elif own_streets:
        statement = statement.where(Elevator.street.not_in(own_streets))
    if step.trigger == PolicyTrigger.ACK_TIMEOUT:
        statement = statement.where(
            Incident.status == IncidentStatus.DISPATCHED,
            Incident.maintenance_unit_id.is_not(None),
            Incident.dispatched_at < threshold,
        )
    else:
        statement = statement.where(
            Incident.status.in_(IncidentStatus.awaiting_arrival()),
            Incident.arrival_deadline_at < threshold,
        )
    return list(session.execute(statement))


def _fire(
    session: Session, step: EscalationPolicyStep, rows: list[Row[Any]], *, now: datetime
) -> list[int]:
    """Claims the step for `rows`, acts on those claimed; returns the incidents it acted on."""
    claimed = set(
        session.scalars(
            _claim_statement(session.get_bind().dialect.name),
            [
                {"incident_id": row.id, "policy_step_id": step.id, "fired_at": now, "acted": True}
                for row in rows
            ],
        )
    )
    acted = [row for row in rows if row.id in claimed]
    if step.raise_to_level is not None and acted:
        moved = set(
            escalate_to(session, level=step.raise_to_level, incident_ids=[row.id for row in acted])
        )
        # Already at or past this level (by hand, or no contract at intake): the step is spent
        # without a second event or message.
        spent = [row.id for row in acted if row.id not in moved]
        if spent:
            session.execute(
                IncidentEscalationStep.__table__.update()
                .where(
                    IncidentEscalationStep.policy_step_id == step.id,
                    IncidentEscalationStep.incident_id.in_(spent),
                )
                .values(acted=False)
            )
        acted = [row for row in acted if row.id in moved]
    if not acted:
        return []
    level = step.raise_to_level
    if step.trigger == PolicyTrigger.ACK_TIMEOUT:
        kind, topic = IncidentEventKind.ACK_TIMEOUT, Topic.ACK_TIMEOUT
        reason = f"not accepted {step.delay_minutes} minutes after dispatch: the firm is told again"
    else:
        kind, topic = IncidentEventKind.ESCALATED, Topic.INCIDENT_ESCALATED
        reason = (
            "no arrival by the deadline: another rescue unit is sent"
            if step.delay_minutes == 0
            else f"no arrival {step.delay_minutes} minutes after the deadline"
            + (": fire service 119" if level == 3 else "")
        )
    detail = {"automatic": True, "policy_step": step.step, "target_kind": step.target_kind}
    if level is not None:
        detail["level"] = level
    session.execute(
        insert(IncidentEvent),
        [
            {
                "incident_id": row.id,
                "kind": kind,
                "at": now,
                "recorded_at": now,
                "actor": ACTOR,
                "backfilled": False,
                "reason": reason,
                "detail": detail,
            }
            for row in acted
        ],
    )
    connection = session.connection()
    for row in acted:
        if row.maintenance_unit_id is None:
            continue  # no firm to tell; the 96333 seat sees the level on its queue
        outbox.enqueue(
            connection,
            topic=topic,
            event_key=f"incident:{row.id}:policy-step:{step.id}",
            organisation_id=row.maintenance_unit_id,
            incident_id=row.id,
            now=now,
            channel=step.channel,
            payload={
                "incident_id": row.id,
                "number": row.number,
                "trapped_count": row.trapped_count,
                "rescue_code": row.rescue_code,
                "address": row.address,
                "arrival_deadline_at": outbox.iso(row.arrival_deadline_at),
                "escalation_level": level,
                "delay_minutes": step.delay_minutes,
                "target_kind": step.target_kind,
                "policy_step": step.step,
            },
        )
    return [row.id for row in acted]


def escalate_overdue(session: Session, *, now: datetime, settings: Settings) -> EscalationPass:
    """One pass of every policy step as of `now`; the caller commits."""
    steps = policy_steps(session)
    own_streets = {step.street for step in steps if step.street is not None}
    result = EscalationPass([], [], [])
    for step in steps:
        rows = _candidates(session, step, now=now, own_streets=own_streets)
        if not rows:
            continue
        acted = _fire(session, step, rows, now=now)
        if step.raise_to_level == 2:
            result.to_level_2.extend(acted)
        elif step.raise_to_level == 3:
            result.to_level_3.extend(acted)
        else:
            result.renotified.extend(acted)
    return result


def start_background(settings: Settings) -> PeriodicJob | None:
    """Starts the escalation job, once per tick across processes (None when disabled)."""
    if not settings.escalation_loop_enabled:
        return None
    from elevator_registry.clock import get_clock
    from elevator_registry.db import get_engine, get_sessionmaker

    def one_pass() -> EscalationPass | None:
        with get_sessionmaker()() as session, session.begin():
            result = escalate_overdue(session, now=get_clock().now(), settings=settings)
        # Only passes that moved something are worth a log line.
        return result if (result.to_level_2 or result.to_level_3 or result.renotified) else None

    return run_periodic(
        "escalation", settings.escalation_interval_seconds, one_pass, engine=get_engine()
    )
