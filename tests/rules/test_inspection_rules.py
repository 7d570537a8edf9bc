"""INSPECTION_OVERDUE and INSPECTION_DUE_SOON: the schedule's years, and SQL = Python."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from elevator_registry.config import Settings
from elevator_registry.inspection.schedule import due_on, next_due
from elevator_registry.rules import service as rules_service
from tests import factories
from tests.conftest import NOW
from tests.rules import builders

BASE = date(2008, 6, 10)


def rules_of(
    session: Session, world: factories.World, as_of: date, **overrides: object
) -> set[str]:
    findings = rules_service.elevator_findings(
        session,
        elevator_id=world.lift_a.id,
        as_of=as_of,
        now=NOW,
        settings=Settings(**overrides),  # type: ignore[arg-type]
    )
    return {finding.rule for finding in findings}


@pytest.fixture
def based(session: Session, world: factories.World) -> factories.World:
    world.lift_a.installation_inspected_on = BASE
    world.lift_a.commissioned_on = world.lift_a.status_changed_on = BASE
    session.flush()
    return world


def test_year_one_inspection_is_due_by_the_end_of_the_anniversary_month(
    session: Session, based: factories.World
) -> None:
    due = date(2009, 6, 30)
    assert "INSPECTION_OVERDUE" not in rules_of(session, based, due)
    assert "INSPECTION_DUE_SOON" in rules_of(session, based, due)
    assert "INSPECTION_DUE_SOON" not in rules_of(session, based, due - timedelta(days=31))
    assert "INSPECTION_OVERDUE" in rules_of(session, based, due + timedelta(days=1))


@pytest.mark.parametrize(
    ("done_in_year", "next_year"),
    [(1, 4), (4, 7), (7, 9), (9, 11), (11, 13), (13, 15), (15, 16), (16, 17), (20, 21)],
)
def test_periodic_inspections_follow_years_1_4_7_9_11_13_15_then_yearly(
    session: Session, based: factories.World, done_in_year: int, next_year: int
) -> None:
    done_on = due_on(BASE, done_in_year) - timedelta(days=5)
    builders.inspection(session, based.lift_a, based.agency, done_on, "pass")
    # Self-tests of the years in between are done, so only the periodic obligation is tested.
    for year in range(done_in_year + 1, next_year):
        builders.inspection(
            session,
            based.lift_a,
            based.agency,
            due_on(BASE, year) - timedelta(days=3),
            "pass",
            kind="self_test",
        )
    due = due_on(BASE, next_year)
    assert due == next_due(BASE, done_on, None)[0]
    assert "INSPECTION_OVERDUE" not in rules_of(session, based, due)
    assert "INSPECTION_OVERDUE" in rules_of(session, based, due + timedelta(days=1))


def test_a_self_test_is_due_in_the_years_without_inspection(
    session: Session, based: factories.World
) -> None:
    builders.inspection(session, based.lift_a, based.agency, date(2009, 6, 1), "pass")
    self_test_due = date(2010, 6, 30)  # year 2
    assert "INSPECTION_OVERDUE" not in rules_of(session, based, self_test_due)
    findings = rules_service.elevator_findings(
        session,
        elevator_id=based.lift_a.id,
        as_of=self_test_due + timedelta(days=1),
        now=NOW,
        settings=Settings(),
    )
    overdue = next(f for f in findings if f.rule == "INSPECTION_OVERDUE")
    assert "self-test was due by 2010-06-30" in overdue.detail_en


def test_the_yearly_regime_needs_an_inspection_every_year(
    session: Session, based: factories.World
) -> None:
    builders.inspection(session, based.lift_a, based.agency, date(2009, 6, 1), "pass")
    assert "INSPECTION_OVERDUE" in rules_of(
        session, based, date(2010, 7, 1), inspection_regime="yearly"
    )
    builders.inspection(
        session, based.lift_a, based.agency, date(2010, 6, 1), "pass", kind="self_test"
    )
    assert "INSPECTION_OVERDUE" not in rules_of(session, based, date(2010, 7, 1))
    assert "INSPECTION_OVERDUE" in rules_of(
        session, based, date(2010, 7, 1), inspection_regime="yearly"
    )


def test_a_leap_day_base_gives_february_deadlines(session: Session, based: factories.World) -> None:
    based.lift_a.installation_inspected_on = date(2012, 2, 29)
    session.flush()
    assert "INSPECTION_OVERDUE" not in rules_of(session, based, date(2013, 2, 28))
    assert "INSPECTION_OVERDUE" in rules_of(session, based, date(2013, 3, 1))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    base=st.dates(min_value=date(2000, 1, 1), max_value=date(2024, 12, 31)),
    periodic_after=st.one_of(st.none(), st.integers(min_value=0, max_value=9000)),
    self_test_after=st.one_of(st.none(), st.integers(min_value=0, max_value=9000)),
    as_of_after=st.integers(min_value=0, max_value=9500),
)
def test_sql_and_python_schedules_agree(
    session: Session,
    world: factories.World,
    base: date,
    periodic_after: int | None,
    self_test_after: int | None,
    as_of_after: int,
) -> None:
    as_of = base + timedelta(days=as_of_after)
    periodic = base + timedelta(days=periodic_after) if periodic_after is not None else None
    self_test = base + timedelta(days=self_test_after) if self_test_after is not None else None
    periodic = periodic if periodic and periodic <= as_of else None
    self_test = self_test if self_test and self_test <= as_of else None
    with session.begin_nested() as savepoint:
        world.lift_a.installation_inspected_on = base
        world.lift_a.commissioned_on = world.lift_a.status_changed_on = base
        session.flush()
        if periodic:
            builders.inspection(session, world.lift_a, world.agency, periodic, "pass")
        if self_test:
            builders.inspection(
                session, world.lift_a, world.agency, self_test, "pass", kind="self_test"
            )
        listed = rules_of(session, world, as_of)
        savepoint.rollback()
    dues = [due for due in next_due(base, periodic, self_test) if due is not None]
    overdue = any(as_of > due for due in dues)
    soon = not overdue and any((due - as_of).days <= 30 for due in dues)
    assert ("INSPECTION_OVERDUE" in listed) is overdue
    assert ("INSPECTION_DUE_SOON" in listed) is soon
