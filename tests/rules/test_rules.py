"""Each rule of the catalogue: a case that triggers it and one that just misses it."""

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from elevator_registry.config import Settings
from elevator_registry.registry.models import Elevator, MaintenanceContract
from elevator_registry.rules import service as rules_service
from tests import factories
from tests.conftest import NOW
from tests.rules import builders

DAY = date(2026, 11, 15)


def rules_of(
    session: Session, lift: Elevator, as_of: date = DAY
) -> dict[str, rules_service.Finding]:
    findings = rules_service.elevator_findings(
        session, elevator_id=lift.id, as_of=as_of, now=NOW, settings=Settings()
    )
    return {finding.rule: finding for finding in findings}


def contract_of(session: Session, lift: Elevator) -> MaintenanceContract:
    return session.query(MaintenanceContract).filter_by(elevator_id=lift.id).one()


# MAINTENANCE_OVERDUE -----------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "overdue"), [(15, False), (16, True)])
def test_maintenance_overdue_after_fifteen_days(
    session: Session, world: factories.World, days_ago: int, overdue: bool
) -> None:
    # 23:30 local is 15:30 UTC: the local date, not the UTC one, counts.
    performed = builders.local(DAY - timedelta(days=days_ago), 23, 30)
    builders.record(session, world.lift_a, contract_of(session, world.lift_a), performed)
    found = rules_of(session, world.lift_a)
    assert ("MAINTENANCE_OVERDUE" in found) is overdue
    if overdue:
        assert found["MAINTENANCE_OVERDUE"].ref_date == DAY - timedelta(days=days_ago)
        assert "16 days ago" in found["MAINTENANCE_OVERDUE"].detail_en


def test_an_on_demand_contract_sets_its_own_interval(
    session: Session, world: factories.World
) -> None:
    contract = contract_of(session, world.lift_a)
    contract.mode, contract.maintenance_interval_days = "on_demand", 30
    session.flush()
    builders.record(session, world.lift_a, contract, builders.local(DAY - timedelta(days=30)))
    assert "MAINTENANCE_OVERDUE" not in rules_of(session, world.lift_a)
    assert "MAINTENANCE_OVERDUE" in rules_of(session, world.lift_a, DAY + timedelta(days=1))


def test_a_superseded_revision_does_not_count_as_maintenance(
    session: Session, world: factories.World
) -> None:
    contract = contract_of(session, world.lift_a)
    wrong = builders.record(
        session, world.lift_a, contract, builders.local(DAY - timedelta(days=2))
    )
    builders.record(
        session, world.lift_a, contract, builders.local(DAY - timedelta(days=20)), supersedes=wrong
    )
    assert rules_of(session, world.lift_a)["MAINTENANCE_OVERDUE"].ref_date == DAY - timedelta(
        days=20
    )


def test_records_after_the_evaluated_day_are_ignored(
    session: Session, world: factories.World
) -> None:
    builders.record(session, world.lift_a, contract_of(session, world.lift_a), builders.local(DAY))
    assert "MAINTENANCE_OVERDUE" not in rules_of(session, world.lift_a)
    assert "MAINTENANCE_OVERDUE" in rules_of(session, world.lift_a, DAY - timedelta(days=1))


# MAINTENANCE_CLASS_OVERDUE -----------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "missing"), [(366, None), (367, 3)])
def test_year_class_maintenance_within_366_days(
    session: Session, world: factories.World, days_ago: int, missing: int | None
) -> None:
    contract = contract_of(session, world.lift_a)
    builders.record(
        session,
        world.lift_a,
        contract,
        builders.local(DAY - timedelta(days=days_ago)),
        record_class="year",
    )
    builders.record(
        session,
        world.lift_a,
        contract,
        builders.local(DAY - timedelta(days=10)),
        record_class="half_year",
    )
    found = rules_of(session, world.lift_a).get("MAINTENANCE_CLASS_OVERDUE")
    assert (found.value if found else None) == missing


def test_a_higher_class_covers_the_quarter(session: Session, world: factories.World) -> None:
    contract = contract_of(session, world.lift_a)
    builders.record(
        session,
        world.lift_a,
        contract,
        builders.local(DAY - timedelta(days=30)),
        record_class="year",
    )
    assert "MAINTENANCE_CLASS_OVERDUE" not in rules_of(session, world.lift_a)


# RECORD_UNCONFIRMED ------------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "listed"), [(7, False), (8, True)])
def test_records_unconfirmed_after_seven_days(
    session: Session, world: factories.World, days_ago: int, listed: bool
) -> None:
    builders.record(
        session,
        world.lift_a,
        contract_of(session, world.lift_a),
        builders.local(DAY - timedelta(days=days_ago)),
    )
    assert ("RECORD_UNCONFIRMED" in rules_of(session, world.lift_a)) is listed


def test_a_confirmation_clears_the_record_from_the_day_it_was_given(
    session: Session, world: factories.World
) -> None:
    row = builders.record(
        session,
        world.lift_a,
        contract_of(session, world.lift_a),
        builders.local(DAY - timedelta(days=20)),
    )
    builders.confirm(session, row, builders.local(DAY - timedelta(days=3)))
    assert "RECORD_UNCONFIRMED" not in rules_of(session, world.lift_a)
    assert rules_of(session, world.lift_a, DAY - timedelta(days=4))["RECORD_UNCONFIRMED"].value == 1


# AGING_ASSESSMENT_MISSING ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("commissioned", "listed"), [(date(2011, 11, 15), True), (date(2011, 11, 16), False)]
)
def test_residential_elevators_are_assessed_from_their_fifteenth_anniversary(
    session: Session, world: factories.World, commissioned: date, listed: bool
) -> None:
    world.lift_a.commissioned_on = commissioned
    session.flush()
    assert ("AGING_ASSESSMENT_MISSING" in rules_of(session, world.lift_a)) is listed


def test_public_gathering_places_are_assessed_from_ten_years(
    session: Session, world: factories.World
) -> None:
    world.lift_b.commissioned_on = date(2016, 11, 15)
    session.flush()
    assert rules_of(session, world.lift_b)["AGING_ASSESSMENT_MISSING"].value == 10
    world.lift_b.commissioned_on = date(2016, 11, 16)
    session.flush()
    assert "AGING_ASSESSMENT_MISSING" not in rules_of(session, world.lift_b)


def test_a_leap_day_commissioning_ages_on_the_first_of_march(
    session: Session, world: factories.World
) -> None:
    world.lift_a.commissioned_on = date(2008, 2, 29)
    session.flush()
    assert "AGING_ASSESSMENT_MISSING" not in rules_of(session, world.lift_a, date(2023, 2, 28))
    assert "AGING_ASSESSMENT_MISSING" in rules_of(session, world.lift_a, date(2023, 3, 1))


def test_only_an_assessment_after_the_anniversary_counts(
    session: Session, world: factories.World
) -> None:
    world.lift_a.commissioned_on = date(2010, 6, 1)
    builders.assessment(session, world.lift_a, world.agency, date(2025, 5, 31), grade=1)
    assert "AGING_ASSESSMENT_MISSING" in rules_of(session, world.lift_a)
    builders.assessment(session, world.lift_a, world.agency, date(2025, 6, 1), grade=1)
    assert "AGING_ASSESSMENT_MISSING" not in rules_of(session, world.lift_a)


# ASSESSMENT_HIGH_RISK ----------------------------------------------------------------------


def test_latest_assessment_grade_three_is_high_risk_until_modernised(
    session: Session, world: factories.World
) -> None:
    builders.assessment(session, world.lift_a, world.agency, date(2026, 3, 1), grade=3)
    assert rules_of(session, world.lift_a)["ASSESSMENT_HIGH_RISK"].value == 3
    world.lift_a.modernised_on = date(2026, 9, 1)
    session.flush()
    assert "ASSESSMENT_HIGH_RISK" not in rules_of(session, world.lift_a)
    assert "ASSESSMENT_HIGH_RISK" in rules_of(session, world.lift_a, date(2026, 8, 31))


def test_a_later_low_grade_assessment_supersedes(session: Session, world: factories.World) -> None:
    builders.assessment(session, world.lift_a, world.agency, date(2025, 3, 1), grade=4)
    builders.assessment(session, world.lift_a, world.agency, date(2026, 3, 1), grade=2)
    assert "ASSESSMENT_HIGH_RISK" not in rules_of(session, world.lift_a)


def test_a_replace_conclusion_is_high_risk_whatever_the_grade(
    session: Session, world: factories.World
) -> None:
    builders.assessment(
        session, world.lift_a, world.agency, date(2026, 3, 1), grade=2, conclusion="replace"
    )
    assert "ASSESSMENT_HIGH_RISK" in rules_of(session, world.lift_a)


# INSPECTION_FAILED_IN_USE ------------------------------------------------------------------


def test_a_failed_inspection_lists_until_a_passing_reinspection(
    session: Session, world: factories.World
) -> None:
    failed = builders.inspection(session, world.lift_a, world.agency, date(2026, 10, 1), "fail")
    assert rules_of(session, world.lift_a)["INSPECTION_FAILED_IN_USE"].ref_date == date(2026, 10, 1)
    builders.inspection(
        session,
        world.lift_a,
        world.agency,
        date(2026, 11, 1),
        "pass",
        kind="re_inspection",
        follows=failed,
    )
    assert "INSPECTION_FAILED_IN_USE" not in rules_of(session, world.lift_a)
    assert "INSPECTION_FAILED_IN_USE" in rules_of(session, world.lift_a, date(2026, 10, 31))


def test_a_suspended_elevator_with_a_failed_inspection_is_not_in_use(
    session: Session, world: factories.World
) -> None:
    builders.inspection(session, world.lift_a, world.agency, date(2026, 10, 1), "fail")
    world.lift_a.status, world.lift_a.status_changed_on = "suspended", date(2026, 10, 2)
    session.flush()
    assert "INSPECTION_FAILED_IN_USE" not in rules_of(session, world.lift_a)


# Contracts, user units, eligibility --------------------------------------------------------


@pytest.mark.parametrize(("end", "listed"), [(DAY - timedelta(days=1), True), (DAY, False)])
def test_no_contract_from_the_day_after_it_ends(
    session: Session, world: factories.World, end: date, listed: bool
) -> None:
    contract_of(session, world.lift_a).end_date = end
    session.flush()
    found = rules_of(session, world.lift_a)
    assert ("NO_MAINTENANCE_CONTRACT" in found) is listed
    if listed:
        assert found["NO_MAINTENANCE_CONTRACT"].ref_date == end


def test_three_no_needs_all_three(session: Session, world: factories.World) -> None:
    contract_of(session, world.lift_a).end_date = DAY - timedelta(days=1)
    world.lift_a.has_property_management = False
    session.flush()
    assert "THREE_NO" not in rules_of(session, world.lift_a)
    world.lift_a.has_repair_fund = False
    session.flush()
    assert "THREE_NO" in rules_of(session, world.lift_a)


def test_an_elevator_in_use_without_user_unit_is_listed(
    session: Session, world: factories.World
) -> None:
    world.lift_a.user_unit_id = None
    session.flush()
    assert "NO_USER_UNIT" in rules_of(session, world.lift_a)
    assert "NO_USER_UNIT" not in rules_of(session, world.orphan)


@pytest.mark.parametrize(("listed_on", "listed"), [(DAY, True), (DAY + timedelta(days=1), False)])
def test_a_blacklisted_maintainer_lists_its_elevators_from_the_listing_day(
    session: Session, world: factories.World, listed_on: date, listed: bool
) -> None:
    factories.blacklist(session, world.maintainer_a, listed_on=listed_on)
    assert ("MAINTAINER_NOT_ELIGIBLE" in rules_of(session, world.lift_a)) is listed
    assert "MAINTAINER_NOT_ELIGIBLE" not in rules_of(session, world.lift_b)


@pytest.mark.parametrize(("valid_until", "listed"), [(DAY - timedelta(days=1), True), (DAY, False)])
def test_an_expired_licence_makes_the_maintainer_ineligible(
    session: Session, world: factories.World, valid_until: date, listed: bool
) -> None:
    unit = factories.maintainer(session, "到期公司", valid_until=valid_until)
    contract_of(session, world.lift_a).maintenance_unit_id = unit.id
    session.flush()
    assert ("MAINTAINER_NOT_ELIGIBLE" in rules_of(session, world.lift_a)) is listed


def test_a_revocation_counts_from_its_date(session: Session, world: factories.World) -> None:
    unit = factories.maintainer(
        session,
        "吊销公司",
        status="revoked",
        revoked_on=date(2026, 11, 1),
        revoked_at=factories.CREATED,
    )
    contract_of(session, world.lift_a).maintenance_unit_id = unit.id
    session.flush()
    assert "MAINTAINER_NOT_ELIGIBLE" in rules_of(session, world.lift_a)
    assert "MAINTAINER_NOT_ELIGIBLE" not in rules_of(session, world.lift_a, date(2026, 10, 31))


@pytest.mark.parametrize(("commissioned_days_ago", "listed"), [(30, False), (31, True)])
def test_unregistered_after_thirty_days_in_use(
    session: Session, world: factories.World, commissioned_days_ago: int, listed: bool
) -> None:
    world.lift_a.commissioned_on = DAY - timedelta(days=commissioned_days_ago)
    session.flush()
    assert ("UNREGISTERED_IN_USE" in rules_of(session, world.lift_a)) is listed
    world.lift_a.registration_number, world.lift_a.registered_on = "梯11渝A00001(26)", DAY
    session.flush()
    assert "UNREGISTERED_IN_USE" not in rules_of(session, world.lift_a)


# Incidents and hazards ---------------------------------------------------------------------


def test_three_faults_in_twelve_months_flag_the_elevator(
    session: Session, world: factories.World
) -> None:
    builders.incident(
        session, world.lift_a, builders.local(date(2025, 11, 16)), kind="fault", status="closed"
    )
    builders.incident(session, world.lift_a, builders.local(date(2026, 5, 1)), status="closed")
    assert "HIGH_FAULT_FREQUENCY" not in rules_of(session, world.lift_a)
    builders.incident(
        session, world.lift_a, builders.local(date(2026, 9, 1)), kind="fault", status="false_alarm"
    )
    assert "HIGH_FAULT_FREQUENCY" not in rules_of(session, world.lift_a)
    builders.incident(
        session, world.lift_a, builders.local(date(2026, 9, 2)), kind="fault", status="closed"
    )
    assert rules_of(session, world.lift_a)["HIGH_FAULT_FREQUENCY"].value == 3
    assert "HIGH_FAULT_FREQUENCY" not in rules_of(session, world.lift_a, date(2026, 11, 16))


def test_an_open_serious_hazard_lists_until_resolved(
    session: Session, world: factories.World
) -> None:
    builders.hazard(session, world.lift_a, builders.local(date(2026, 11, 1)), serious=False)
    assert "SERIOUS_HAZARD_OPEN" not in rules_of(session, world.lift_a)
    serious = builders.hazard(session, world.lift_a, builders.local(date(2026, 11, 2)))
    assert rules_of(session, world.lift_a)["SERIOUS_HAZARD_OPEN"].ref_date == date(2026, 11, 2)
    builders.resolve(session, serious, date(2026, 11, 10))
    assert "SERIOUS_HAZARD_OPEN" not in rules_of(session, world.lift_a)
    assert "SERIOUS_HAZARD_OPEN" in rules_of(session, world.lift_a, date(2026, 11, 9))


def test_a_trapped_incident_is_late_past_its_deadline_without_arrival(
    session: Session, world: factories.World
) -> None:
    builders.incident(session, world.lift_a, NOW - timedelta(minutes=29))
    assert "INCIDENT_LATE" not in rules_of(session, world.lift_a)
    late = builders.incident(session, world.lift_b, NOW - timedelta(minutes=31))
    assert "INCIDENT_LATE" in rules_of(session, world.lift_b)
    late.arrived_at = NOW - timedelta(minutes=1)
    session.flush()
    assert "INCIDENT_LATE" not in rules_of(session, world.lift_b)


# Checks and drills -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "days_ago", "listed"),
    [
        ("school", 6, False),
        ("school", 7, True),
        ("residential", 30, False),
        ("residential", 31, True),
    ],
)
def test_user_unit_checks_weekly_in_public_places_and_monthly_elsewhere(
    session: Session, world: factories.World, place: str, days_ago: int, listed: bool
) -> None:
    world.lift_a.place_category = place
    builders.usage_check(session, world.lift_a, DAY - timedelta(days=days_ago))
    assert ("PUBLIC_PLACE_CHECKS" in rules_of(session, world.lift_a)) is listed


@pytest.mark.parametrize(("days_ago", "listed"), [(182, False), (183, True)])
def test_a_maintainer_drills_at_least_every_six_months(
    session: Session, world: factories.World, days_ago: int, listed: bool
) -> None:
    builders.drill(session, world.maintainer_a, DAY - timedelta(days=days_ago))
    assert ("NO_RESCUE_DRILL" in rules_of(session, world.lift_a)) is listed


# Warranties and status history -------------------------------------------------------------


@pytest.mark.parametrize(("end", "listed"), [(date(2031, 2, 27), True), (date(2031, 2, 28), False)])
def test_legacy_short_renovation_warranties_are_listed(
    session: Session, world: factories.World, end: date, listed: bool
) -> None:
    from elevator_registry.registry.models import Warranty

    session.add(
        Warranty(
            elevator_id=world.lift_a.id,
            scope="whole_unit",
            issuer_id=world.manufacturer.id,
            start_date=date(2026, 3, 1),
            end_date=end,
            context="subsidised_renovation",
            created_at=factories.CREATED,
        )
    )
    session.flush()
    assert ("WARRANTY_BELOW_MINIMUM" in rules_of(session, world.lift_a)) is listed


def test_rules_are_evaluated_on_the_status_the_elevator_had_that_day(
    session: Session, world: factories.World
) -> None:
    from elevator_registry.registry.models import ElevatorStatusChange

    world.lift_a.status, world.lift_a.status_changed_on = "suspended", date(2026, 11, 10)
    session.add_all(
        [
            ElevatorStatusChange(
                elevator_id=world.lift_a.id,
                from_status=None,
                to_status="in_use",
                changed_on=date(2015, 6, 1),
                actor="t",
                created_at=factories.CREATED,
            ),
            ElevatorStatusChange(
                elevator_id=world.lift_a.id,
                from_status="in_use",
                to_status="suspended",
                changed_on=date(2026, 11, 10),
                actor="t",
                created_at=factories.CREATED,
            ),
        ]
    )
    session.flush()
    assert "MAINTENANCE_OVERDUE" not in rules_of(session, world.lift_a)
    assert "MAINTENANCE_OVERDUE" in rules_of(session, world.lift_a, date(2026, 11, 9))
