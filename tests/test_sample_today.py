"""The sample loaded on the day it runs looks like a live district, not one frozen on the
generator's fixed date: few overdue maintenances, open trapped incidents of the last hours, and
still every rule of the catalogue triggered somewhere."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import get_settings
from elevator_registry.incidents.enums import IncidentKind, IncidentStatus
from elevator_registry.incidents.models import Incident
from elevator_registry.registry.enums import ElevatorStatus
from elevator_registry.registry.models import Elevator
from elevator_registry.rules import service as rules_service
from elevator_registry.sample.generator import SAMPLE_REFERENCE_DATE
from elevator_registry.sample.loader import load_sample

# A load long after the generator's fixed date, in the afternoon (14:40 in 綦江): what a newcomer
# running `load-sample` on any later day gets. A fixed instant keeps the test exact.
LATER = datetime(2027, 6, 18, 6, 40, tzinfo=UTC)


def _by_rule(session: Session) -> dict[str, int]:
    today = LATER.date()
    summary = rules_service.risk_summary(
        session,
        rules_service.RiskQuery(
            actor=Principal(Role.BUREAU, "test bureau"),
            filters=rules_service.RiskFilters(),
            as_of=today,
            today=today,
            now=LATER,
            settings=get_settings(),
        ),
    )
    return {row["rule"]: row["elevators"] for row in summary["by_rule"]}


def test_a_sample_loaded_on_a_later_day_looks_alive(session: Session) -> None:
    # One load for every check: the full sample takes most of a minute to build.
    load_sample(session, now=LATER)
    assert LATER.date() - SAMPLE_REFERENCE_DATE > timedelta(days=200)

    newest = session.scalar(select(func.max(Incident.reported_at)))
    assert newest is not None
    assert LATER - timedelta(hours=1) < _utc(newest) <= LATER

    open_trapped = session.scalars(
        select(Incident.reported_at).where(
            Incident.kind == IncidentKind.TRAPPED, Incident.status.in_(IncidentStatus.open())
        )
    ).all()
    assert open_trapped, "the sample keeps a few trapped incidents open (INCIDENT_LATE)"
    assert LATER - min(map(_utc, open_trapped)) < timedelta(hours=3)

    by_rule = _by_rule(session)
    in_use = session.scalar(select(func.count()).where(Elevator.status == ElevatorStatus.IN_USE))
    assert in_use and in_use > 1000
    assert 0 < by_rule["MAINTENANCE_OVERDUE"] < 0.1 * in_use
    assert [rule for rule, elevators in by_rule.items() if elevators == 0] == []


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive UTC datetimes, PostgreSQL aware ones.
    return moment.replace(tzinfo=UTC)
