"""Escalation on the clock: trapped incidents with nobody on site past their arrival deadline.

Level 2 (another rescue unit) once the deadline has passed; level 3 (fire service 119) when
`escalation_level3_after_minutes` more have passed. One pass is idempotent: each step is a
compare-and-set on `escalation_level`, so running it twice, or in two processes at once,
escalates each incident once and writes one event per level.

`elevator-registry escalate` runs one pass; each `serve` process runs the job "escalation"
every `escalation_interval_seconds` unless `escalation_loop_enabled` is off, claimed through
`jobs.run_periodic` so that one process runs each tick.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from elevator_registry.config import Settings
from elevator_registry.incidents.enums import IncidentEventKind
from elevator_registry.incidents.lifecycle import escalate_to
from elevator_registry.incidents.models import IncidentEvent
from elevator_registry.jobs import PeriodicJob, run_periodic

ACTOR = "escalation"


@dataclass(frozen=True)
class EscalationPass:
    """Incidents raised to level 2 and to level 3 by one pass."""

    to_level_2: list[int]
    to_level_3: list[int]

    def summary(self) -> str:
        """One line for the CLI and the log."""
        return (
            f"escalated to level 2: {len(self.to_level_2)}; to level 3 (119): "
            f"{len(self.to_level_3)}"
        )


def escalate_overdue(session: Session, *, now: datetime, settings: Settings) -> EscalationPass:
    """One escalation pass as of `now`; the caller commits."""
    to_level_2 = escalate_to(session, level=2, deadline_before=now)
    level3_window = timedelta(minutes=settings.escalation_level3_after_minutes)
    to_level_3 = escalate_to(session, level=3, deadline_before=now - level3_window)
    events = [
        {
            "incident_id": incident_id,
            "kind": IncidentEventKind.ESCALATED,
            "at": now,
            "recorded_at": now,
            "actor": ACTOR,
            "backfilled": False,
            "reason": reason,
            "detail": {"level": level, "automatic": True},
        }
        for level, ids, reason in (
            (2, to_level_2, "no arrival by the deadline: another rescue unit is sent"),
            (
                3,
                to_level_3,
                f"no arrival {settings.escalation_level3_after_minutes} minutes after the "
                "deadline: fire service 119",
            ),
        )
        for incident_id in ids
    ]
    if events:
        session.execute(insert(IncidentEvent), events)
    return EscalationPass(to_level_2, to_level_3)


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
        return result if (result.to_level_2 or result.to_level_3) else None

    return run_periodic(
        "escalation", settings.escalation_interval_seconds, one_pass, engine=get_engine()
    )
