"""The sample's year of incidents: deterministic, at realistic rates, consistent timelines."""

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry.incidents.models import Incident, IncidentEvent
from elevator_registry.registry.models import Elevator
from elevator_registry.sample.incidents import generate_incidents, load_incidents, read_lifts
from elevator_registry.sample.loader import load_sample
from tests.conftest import NOW

REFERENCE = date(2026, 11, 15)


def test_sample_load_adds_a_year_of_incidents_once(session: Session) -> None:
    load_sample(session, now=NOW, elevators=1000)
    in_use = session.scalar(select(func.count()).where(Elevator.status == "in_use")) or 0
    kinds = Counter(session.scalars(select(Incident.kind)))
    assert 0.06 * in_use <= kinds["trapped"] <= 0.08 * in_use
    assert kinds["fault"] > 0 and kinds["complaint"] > 0 and kinds["consultation"] > 0
    assert load_incidents(session, reference_date=REFERENCE) == 0  # already there

    statuses = Counter(session.scalars(select(Incident.status).where(Incident.kind == "trapped")))
    assert {"closed", "self_released", "false_alarm"} <= set(statuses)
    escalated = session.scalar(select(func.count()).where(Incident.escalation_level >= 2))
    assert escalated and escalated > 0
    # every incident has a "reported" event at its report time, and no event before it
    first_events = session.execute(
        select(Incident.reported_at, func.min(IncidentEvent.at))
        .join(IncidentEvent, IncidentEvent.incident_id == Incident.id)
        .group_by(Incident.id)
    ).all()
    assert all(reported == first for reported, first in first_events)
    # arrival times mostly 10-20 minutes, with a tail past 30
    minutes = [
        (arrived - reported).total_seconds() / 60
        for reported, arrived in session.execute(
            select(Incident.reported_at, Incident.arrived_at).where(
                Incident.kind == "trapped", Incident.arrived_at.is_not(None)
            )
        )
    ]
    assert sum(9 <= m <= 21 for m in minutes) / len(minutes) > 0.6
    assert any(m > 30 for m in minutes)
    # two trapped incidents are open past their deadline at 10:00 on the reference day
    late = session.scalar(
        select(func.count()).where(
            Incident.kind == "trapped",
            Incident.status.in_(["dispatched", "accepted"]),
            Incident.arrival_deadline_at < NOW,
        )
    )
    assert late == 2


def test_sample_incidents_are_deterministic(session: Session) -> None:
    load_sample(session, now=NOW, elevators=300)
    lifts = read_lifts(session, REFERENCE)
    first = generate_incidents(lifts, reference_date=REFERENCE)
    again = generate_incidents(lifts, reference_date=REFERENCE)
    other_seed = generate_incidents(lifts, reference_date=REFERENCE, seed=7)
    assert first == again
    assert first != other_seed
    stored = list(session.scalars(select(Incident.number).order_by(Incident.id)))
    assert stored == [row["number"] for row in first[0]]
