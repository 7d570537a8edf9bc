"""The trigger-kept KPI summary against a recomputation from the base tables, on generated data.

A generated district (streets, units, elevators, overlapping-free contracts, incidents in every
state, inspections) is then changed the ways the registry changes it: incidents move on, are
called false alarms or get a cause, an elevator moves street, one stops and one starts being
used, contracts end early, are withdrawn or added. After each round every grouping, period and
scope must give the same figures from the summary as from the base tables.
"""

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import CLI, Principal
from elevator_registry.config import Settings
from elevator_registry.incidents.models import Incident
from elevator_registry.kpi.models import KpiFleet, KpiStreetDay, KpiUnitDay
from elevator_registry.kpi.service import GroupBy, compute
from elevator_registry.registry.models import Elevator, MaintenanceContract
from tests import factories
from tests.evidence_factories import inspection

NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
STREETS = ("古南街道", "永新镇", "横山镇")
PERIODS = (
    (date(2026, 1, 1), date(2026, 11, 14)),
    (date(2026, 3, 10), date(2026, 5, 20)),
    (date(2025, 6, 1), date(2027, 6, 30)),
)
STATUSES = ("dispatched", "accepted", "arrived", "released", "closed", "closed", "closed")
STATUSES += ("self_released", "false_alarm", "cancelled")
CAUSES = (None, "door_system", "control", "power_cut", "misuse")


def generated_district(session: Session, rng: random.Random) -> dict[str, Any]:
    """Elevators, contracts, incidents and inspections at random (seeded)."""
    world = factories.build_world(session)
    factories.street(session, "横山镇", town=True)
    units = [world.maintainer_a, world.maintainer_b, factories.maintainer(session, "綦江捷达电梯")]
    lifts = [world.lift_a, world.lift_b]
    for _ in range(24):
        lifts.append(
            factories.elevator(
                session,
                street_name=rng.choice(STREETS),
                user_unit_id=world.user_a.id,
                status=rng.choice(["in_use"] * 5 + ["suspended"]),
            )
        )
    for lift in lifts[2:]:
        start = date(2025, 1, 1) + timedelta(days=rng.randrange(400))
        for _ in range(rng.randrange(3)):
            end = start + timedelta(days=rng.randrange(60, 400))
            factories.contract(session, lift, rng.choice(units), start=start, end=end)
            start = end + timedelta(days=rng.randrange(1, 90))
    active: set[tuple[int, str]] = set()
    for serial in range(150):
        lift = rng.choice(lifts)
        reported = datetime(2025, 12, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(500_000))

        def after(low: int, high: int, at: datetime = reported) -> datetime:
            return at + timedelta(minutes=rng.randrange(low, high))

        kind = rng.choice(["trapped"] * 4 + ["fault"])
        status = rng.choice(STATUSES)
        if status in ("dispatched", "accepted", "arrived"):
            if (lift.id, kind) in active:
                status = "closed"  # one active incident per car and kind
            active.add((lift.id, kind))
        dispatched = reported if rng.random() < 0.9 else None
        accepted = None
        if dispatched is not None and status != "dispatched" and rng.random() < 0.9:
            accepted = after(0, 9)
        arrived = after(5, 50) if status in ("arrived", "released", "closed") else None
        released = None
        if status in ("released", "closed"):
            released = after(1, 20, arrived or reported)
        elif status == "self_released":
            released = after(1, 90)
        session.add(
            Incident(
                number=f"G{serial:08d}",
                elevator_id=lift.id,
                kind=kind,
                channel="public",
                trapped_count=1,
                status=status,
                escalation_level=1,
                maintenance_unit_id=rng.choice([None, *(unit.id for unit in units)]),
                no_contract=False,
                reported_at=reported,
                arrival_deadline_at=reported + timedelta(minutes=rng.choice([30, 60])),
                dispatched_at=dispatched,
                accepted_at=accepted,
                arrived_at=arrived,
                released_at=released,
                fault_cause_code=rng.choice(CAUSES),
                tracking_token_hash=f"g{serial:063d}",
                created_at=reported,
            )
        )
    session.flush()
    for lift in lifts:
        for _ in range(rng.randrange(3)):
            inspection(
                session,
                lift,
                world.agency,
                kind=rng.choice(["periodic", "self_test"]),
                performed_on=date(2025, 12, 1) + timedelta(days=rng.randrange(360)),
                result=rng.choice(["pass", "pass", "fail", "pass_after_rectification"]),
            )
    return {"world": world, "units": units, "lifts": lifts}


def change_everything(session: Session, district: dict[str, Any], rng: random.Random) -> None:
    """One round of the changes the registry makes, straight through the ORM."""
    incidents = list(session.scalars(select(Incident).order_by(Incident.id)))
    for incident in rng.sample(incidents, 30):
        if incident.arrived_at is None and incident.released_at is None:
            incident.arrived_at = incident.reported_at + timedelta(minutes=rng.randrange(5, 70))
        elif rng.random() < 0.3:
            incident.status = "false_alarm"
        else:
            incident.fault_cause_code = rng.choice(CAUSES)
    session.delete(incidents[-1])
    lifts: list[Elevator] = district["lifts"]
    moved = rng.choice(lifts[2:])
    moved.street = next(street for street in STREETS if street != moved.street)
    stopped, started = rng.sample(lifts[2:], 2)
    stopped.status = "suspended"
    started.status = "in_use"
    contracts = list(session.scalars(select(MaintenanceContract).order_by(MaintenanceContract.id)))
    ended = rng.choice(contracts)
    ended.terminated_on = ended.start_date + (ended.end_date - ended.start_date) / 2
    withdrawn = rng.choice([contract for contract in contracts if contract is not ended])
    session.delete(withdrawn)
    session.flush()
    session.execute(
        update(MaintenanceContract)
        .where(MaintenanceContract.id == rng.choice(contracts).id)
        .where(MaintenanceContract.id != withdrawn.id)
        .values(maintenance_unit_id=rng.choice(district["units"]).id)
    )
    free = next(
        lift
        for lift in lifts[2:]
        if session.scalar(
            select(func.count())
            .select_from(MaintenanceContract)
            .where(MaintenanceContract.elevator_id == lift.id)
        )
        == 0
    )
    factories.contract(
        session, free, district["units"][0], start=date(2026, 2, 1), end=date(2026, 8, 31)
    )
    session.flush()


def figures(report: dict[str, Any]) -> dict[Any, dict[str, tuple[float, float]]]:
    return {
        group["key"]: {kpi["code"]: (kpi["numerator"], kpi["denominator"]) for kpi in group["kpis"]}
        for group in report["groups"]
    }


def assert_summary_matches_base(session: Session, actors: list[Principal]) -> None:
    settings = Settings()
    for actor in actors:
        for group_by in GroupBy:
            for date_from, date_to in PERIODS:
                reports = [
                    figures(
                        compute(
                            session,
                            date_from=date_from,
                            date_to=date_to,
                            group_by=group_by,
                            actor=actor,
                            settings=settings,
                            now=NOW,
                            from_summary=from_summary,
                        )
                    )
                    for from_summary in (True, False)
                ]
                summary, base = reports
                assert summary.keys() == base.keys(), (actor.role, group_by, date_from)
                for key, kpis in base.items():
                    for code, (numerator, denominator) in kpis.items():
                        assert summary[key][code] == (
                            pytest.approx(numerator, rel=1e-9),
                            pytest.approx(denominator, rel=1e-9),
                        ), (actor.role, group_by, date_from, key, code)


@pytest.mark.parametrize("seed", [1, 2])
def test_summary_equals_a_recomputation_from_the_base_tables(session: Session, seed: int) -> None:
    rng = random.Random(seed)
    district = generated_district(session, rng)
    actors = [
        CLI,
        Principal(role=Role.STREET_OFFICE, label="street", street="古南街道"),
        Principal(
            role=Role.MAINTENANCE_UNIT,
            label="unit",
            organisation_id=district["units"][0].id,
        ),
    ]
    for table in (KpiStreetDay, KpiUnitDay, KpiFleet):
        assert session.scalar(select(func.count()).select_from(table)), table
    assert_summary_matches_base(session, actors)
    change_everything(session, district, rng)
    assert_summary_matches_base(session, actors)
    session.execute(delete(Incident))
    assert_summary_matches_base(session, actors)
