"""`elevator-registry generate`: realistic proportions, determinism, and a snapshot equal to
live evaluation."""

import hashlib
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.db import make_engine
from elevator_registry.incidents.models import Incident
from elevator_registry.inspection.models import Inspection
from elevator_registry.maintenance.models import MaintenanceConfirmation, MaintenanceRecord
from elevator_registry.registry.models import Elevator, MaintenanceContract
from elevator_registry.rules import service as rules_service
from elevator_registry.rules import snapshot
from elevator_registry.rules.catalogue import listed_rules
from elevator_registry.rules.context import RuleContext
from elevator_registry.rules.models import ElevatorRisk
from elevator_registry.sample.synthetic import COLUMNS, generate_registry
from tests.conftest import NOW, TODAY, migrate, new_database
from tests.rules.test_snapshot import assert_snapshot_matches_live

ELEVATORS = 400


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A scratch database holding 400 generated elevators with a year of evidence."""
    url, drop = new_database(tmp_path_factory, "synthetic")
    engine = make_engine(url)
    with engine.begin() as connection:
        migrate(connection, "head")
    generate_registry(engine, elevators=ELEVATORS, years=1, reference_date=TODAY)
    with Session(engine) as session, session.begin():
        snapshot.refresh_all(session, as_of=TODAY, now=NOW, settings=Settings())
    yield engine
    engine.dispose()
    drop()


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_volumes_follow_real_world_proportions(generated: Engine) -> None:
    with Session(generated) as session:
        assert count(session, Elevator) == ELEVATORS
        assert count(session, MaintenanceContract) == ELEVATORS
        records_per_elevator = count(session, MaintenanceRecord) / ELEVATORS
        assert 21 <= records_per_elevator <= 26  # half-monthly, a few stopped early
        confirmed = count(session, MaintenanceConfirmation) / count(session, MaintenanceRecord)
        assert 0.9 <= confirmed <= 1
        assert 0.7 <= count(session, Inspection) / ELEVATORS <= 1.3  # yearly
        trapped = session.scalar(
            select(func.count()).select_from(Incident).where(Incident.kind == "trapped")
        )
        assert 2 <= trapped * 100 / ELEVATORS <= 14  # about 7 per 100 elevators a year


def test_generating_into_a_registry_that_has_elevators_is_refused(generated: Engine) -> None:
    with pytest.raises(ValueError, match="already holds elevators"):
        generate_registry(generated, elevators=1, years=1, reference_date=TODAY)


def test_the_snapshot_of_generated_data_equals_live_evaluation(generated: Engine) -> None:
    with Session(generated) as session:
        assert count(session, ElevatorRisk) > ELEVATORS // 10
        assert assert_snapshot_matches_live(session, Settings()) == count(session, ElevatorRisk)


def test_the_summary_from_the_snapshot_equals_the_live_summary(generated: Engine) -> None:
    every_rule = tuple(rule.code for rule in listed_rules())
    with Session(generated) as session:
        street, unit = session.execute(
            select(Elevator.street, MaintenanceContract.maintenance_unit_id)
            .join(MaintenanceContract, MaintenanceContract.elevator_id == Elevator.id)
            .limit(1)
        ).one()
        callers = [
            (Principal(Role.BUREAU, "bureau"), rules_service.RiskFilters()),
            (Principal(Role.BUREAU, "bureau"), rules_service.RiskFilters(street=street)),
            (Principal(Role.STREET_OFFICE, "street", street=street), rules_service.RiskFilters()),
            (
                Principal(Role.MAINTENANCE_UNIT, "firm", organisation_id=unit),
                rules_service.RiskFilters(),
            ),
        ]
        for actor, filters in callers:
            from_snapshot = _summary(session, actor, filters)
            # Naming every rule makes the summary evaluate live (a rule filter bypasses the
            # snapshot, whose scores count every rule).
            live = _summary(session, actor, replace(filters, rules=every_rule))
            assert from_snapshot == live
            assert from_snapshot["elevators_with_findings"] > 0


def _summary(
    session: Session, actor: Principal, filters: rules_service.RiskFilters
) -> dict[str, object]:
    return rules_service.risk_summary(
        session,
        rules_service.RiskQuery(
            actor=actor,
            filters=filters,
            as_of=TODAY,
            today=TODAY,
            now=NOW,
            settings=Settings(),
        ),
    )


def test_each_rule_finds_an_elevator_at_most_once(generated: Engine) -> None:
    ctx = RuleContext(as_of=TODAY, settings=Settings(), now=NOW)
    with Session(generated) as session:
        for rule in listed_rules():
            found = rule.query(ctx).subquery()  # type: ignore[misc]
            rows, elevators = session.execute(
                select(func.count(), func.count(func.distinct(found.c.elevator_id)))
            ).one()
            assert rows == elevators, rule.code


def _digests(engine: Engine) -> dict[str, str]:
    """Per generated table, a digest of its rows in key order, in a form both databases agree on."""
    digests = {}
    with engine.connect() as connection:
        for table, columns in COLUMNS.items():
            rows = connection.execute(
                text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns[:2])}")
            ).all()
            digest = hashlib.sha256()
            for row in rows:
                digest.update(repr(tuple(str(value) for value in row)).encode())
            digests[table] = f"{len(rows)}:{digest.hexdigest()}"
    return digests


def _generated_digests(tmp_path_factory: pytest.TempPathFactory, seed: int) -> dict[str, str]:
    url, drop = new_database(tmp_path_factory, "determinism")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            migrate(connection, "head")
        generate_registry(engine, elevators=60, years=1, seed=seed, reference_date=TODAY)
        return _digests(engine)
    finally:
        engine.dispose()
        drop()


def test_the_same_arguments_generate_the_same_rows(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    first = _generated_digests(tmp_path_factory, seed=11)
    assert _generated_digests(tmp_path_factory, seed=11) == first
    other = _generated_digests(tmp_path_factory, seed=12)
    assert other["elevator"] != first["elevator"]
    assert other["maintenance_record"] != first["maintenance_record"]
