"""MAINTAINER_NON_RESPONSE: a firm that leaves trapped dispatches unaccepted past the response
time, three times (config) in a year (config), puts its elevators on the risk list."""

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from elevator_registry.config import Settings
from elevator_registry.rules import service as rules_service
from tests import factories
from tests.conftest import NOW, TODAY
from tests.rules import builders

RULE = "MAINTAINER_NON_RESPONSE"
RESPONSE = timedelta(minutes=Settings().kpi_response_minutes)


def listed(session: Session, world: factories.World, settings: Settings | None = None) -> bool:
    findings = rules_service.elevator_findings(
        session,
        elevator_id=world.lift_a.id,
        as_of=TODAY,
        now=NOW,
        settings=settings or Settings(),
    )
    return RULE in {finding.rule for finding in findings}


def dispatch(
    session: Session,
    world: factories.World,
    ago: timedelta,
    *,
    accepted_after: timedelta | None = None,
    status: str = "closed",
) -> None:
    """A trapped dispatch to maintainer A `ago` before NOW (closed by default: one car has one
    active incident at a time)."""
    row = builders.incident(session, world.lift_a, NOW - ago, status=status)
    row.maintenance_unit_id = world.maintainer_a.id
    if accepted_after is not None:
        row.accepted_at = row.dispatched_at + accepted_after  # type: ignore[operator]
    session.flush()


def test_three_missed_dispatches_list_the_firms_elevators_two_do_not(
    session: Session, world: factories.World
) -> None:
    for days in (10, 20):
        dispatch(session, world, timedelta(days=days))
    assert not listed(session, world)
    dispatch(session, world, timedelta(days=30))
    assert listed(session, world)
    (finding,) = [
        f
        for f in rules_service.elevator_findings(
            session, elevator_id=world.lift_a.id, as_of=TODAY, now=NOW, settings=Settings()
        )
        if f.rule == RULE
    ]
    assert (finding.value, finding.ref_date) == (3, (NOW - timedelta(days=10)).date())


@pytest.mark.parametrize(
    ("accepted_after", "missed"),
    [(RESPONSE, False), (RESPONSE + timedelta(seconds=1), True), (None, True)],
)
def test_accepted_within_the_response_time_is_answered(
    session: Session,
    world: factories.World,
    accepted_after: timedelta | None,
    missed: bool,
) -> None:
    for days in (10, 20):
        dispatch(session, world, timedelta(days=days))
    dispatch(session, world, timedelta(days=30), accepted_after=accepted_after)
    assert listed(session, world) is missed


def test_a_dispatch_still_inside_its_response_time_is_not_judged_yet(
    session: Session, world: factories.World
) -> None:
    for days in (10, 20):
        dispatch(session, world, timedelta(days=days))
    dispatch(session, world, RESPONSE - timedelta(seconds=1), status="dispatched")
    assert not listed(session, world)
    dispatch(session, world, RESPONSE + timedelta(seconds=1))
    assert listed(session, world)


def test_the_window_and_false_alarms_bound_the_count(
    session: Session, world: factories.World
) -> None:
    for days in (10, 20):
        dispatch(session, world, timedelta(days=days))
    dispatch(session, world, timedelta(days=366))
    dispatch(session, world, timedelta(days=40), status="false_alarm")
    assert not listed(session, world)
    assert listed(session, world, Settings(non_response_window_days=400))
    assert listed(session, world, Settings(non_response_threshold=2))


def test_an_earlier_day_does_not_see_a_later_acceptance(
    session: Session, world: factories.World
) -> None:
    for days in (10, 20, 30):
        dispatch(session, world, timedelta(days=days), accepted_after=timedelta(hours=1))
    assert listed(session, world)
