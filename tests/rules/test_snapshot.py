"""The risk snapshot agrees with live evaluation, and writes keep it current."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.registry.models import Elevator, MaintenanceContract
from elevator_registry.rules import service as rules_service
from elevator_registry.rules import snapshot
from elevator_registry.rules.catalogue import listed_rules
from elevator_registry.rules.context import RuleContext
from elevator_registry.rules.models import ElevatorRisk
from tests import factories
from tests.conftest import NOW, TODAY
from tests.rules import builders

BUREAU = Principal(Role.BUREAU, "test bureau")


def bureau_query(settings: Settings) -> rules_service.RiskQuery:
    """The bureau's whole, unfiltered list as of TODAY."""
    return rules_service.RiskQuery(
        actor=BUREAU,
        filters=rules_service.RiskFilters(),
        as_of=TODAY,
        today=TODAY,
        now=NOW,
        settings=settings,
    )


def live_rows(session: Session, ids: list[int], settings: Settings) -> dict[int, list[Any]]:
    """Every elevator's findings evaluated live (the path the snapshot must reproduce)."""
    ctx = RuleContext(as_of=TODAY, settings=settings, now=NOW)
    findings: dict[int, list[Any]] = {}
    for start in range(0, len(ids), 500):
        findings.update(
            rules_service._findings_for(
                session, ctx, list(listed_rules()), ids[start : start + 500]
            )
        )
    return findings


def assert_snapshot_matches_live(session: Session, settings: Settings) -> int:
    """Score, findings and their text per elevator are identical; returns how many compared."""
    # The refresh writes with Core statements: the identity map may hold rows it replaced.
    stored = {
        row.elevator_id: row
        for row in session.scalars(select(ElevatorRisk).execution_options(populate_existing=True))
    }
    ids = list(session.scalars(select(Elevator.id).order_by(Elevator.id)))
    live = live_rows(session, ids, settings)
    assert set(stored) == set(live)
    for elevator_id, findings in live.items():
        row = stored[elevator_id]
        from_snapshot = rules_service.stored_findings(row.findings, TODAY, settings)
        assert from_snapshot == findings, elevator_id
        assert row.score == sum(settings.severity_weights[f.severity] for f in findings)
        assert row.findings_count == len(findings)
        assert (row.rules, row.details_zh, row.details_en) == rules_service.finding_cells(
            findings
        ), elevator_id
    return len(live)


def test_a_refresh_stores_exactly_what_live_evaluation_finds(
    session: Session, world: factories.World
) -> None:
    settings = Settings()
    world.lift_a.user_unit_id = None
    session.flush()
    snapshot.refresh_all(session, as_of=TODAY, now=NOW, settings=settings)
    assert assert_snapshot_matches_live(session, settings) >= 1
    assert rules_service.snapshot_day(session) == TODAY


def test_the_list_reads_the_snapshot_for_its_day_and_pages_the_same(
    session: Session, world: factories.World
) -> None:
    settings = Settings()
    world.lift_a.user_unit_id = None
    session.flush()

    def pages() -> list[tuple[int, int, list[str]]]:
        seen, cursor = [], None
        while True:
            rows, cursor = rules_service.risk_page(
                session,
                bureau_query(settings),
                limit=1,
                cursor=cursor,
            )
            seen += [(r.elevator.id, r.score, [f.detail_zh for f in r.findings]) for r in rows]
            if cursor is None:
                return seen

    live = pages()
    snapshot.refresh_all(session, as_of=TODAY, now=NOW, settings=settings)
    assert pages() == live
    exported = rules_service.iter_risk_rows(
        session,
        bureau_query(settings),
    )
    assert [(r.elevator.id, r.score, [f.detail_zh for f in r.findings]) for r in exported] == live


def test_a_maintenance_record_refreshes_its_elevator_in_the_same_transaction(
    session: Session, world: factories.World
) -> None:
    settings = Settings()
    contract = session.scalars(
        select(MaintenanceContract).where(MaintenanceContract.elevator_id == world.lift_a.id)
    ).one()
    builders.record(session, world.lift_a, contract, builders.local(TODAY - timedelta(days=20)))
    snapshot.refresh_all(session, as_of=TODAY, now=NOW, settings=settings)

    def rules_of_lift_a() -> set[str]:
        row = session.get(ElevatorRisk, world.lift_a.id, populate_existing=True)
        return {rule for rule, _ref, _value in row.findings} if row else set()

    assert "MAINTENANCE_OVERDUE" in rules_of_lift_a()
    builders.record(session, world.lift_a, contract, builders.local(TODAY - timedelta(days=1)))
    assert "MAINTENANCE_OVERDUE" not in rules_of_lift_a()
    assert_snapshot_matches_live(session, settings)


def test_the_elevator_read_model_shows_findings_count_and_score(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    settings = Settings()
    live = rules_service.scores_for(
        session, elevator_ids=[world.lift_a.id], as_of=TODAY, now=NOW, settings=settings
    )[world.lift_a.id]
    one = client.get(f"/api/v1/elevators/{world.lift_a.id}", headers=bureau).json()
    assert (one["findings_count"], one["risk_score"]) == live
    snapshot.refresh_all(session, as_of=TODAY, now=NOW, settings=settings)
    listed = client.get("/api/v1/elevators", headers=bureau).json()["items"]
    by_id = {item["id"]: (item["findings_count"], item["risk_score"]) for item in listed}
    assert by_id[world.lift_a.id] == live


def test_a_snapshot_of_another_day_is_not_read(session: Session, world: factories.World) -> None:
    settings = Settings()
    snapshot.refresh_all(session, as_of=TODAY - timedelta(days=1), now=NOW, settings=settings)
    session.execute(ElevatorRisk.__table__.delete())
    rows, _ = rules_service.risk_page(
        session,
        bureau_query(settings),
        limit=50,
        cursor=None,
    )
    assert rows, "today's list is evaluated live, not read from yesterday's emptied snapshot"


def test_a_single_elevator_refresh_is_evaluated_at_its_own_moment(
    session: Session, world: factories.World
) -> None:
    settings = Settings()
    snapshot.refresh_all(session, as_of=TODAY, now=NOW, settings=settings)
    builders.incident(session, world.lift_b, NOW - timedelta(minutes=10))

    def late() -> bool:
        row = session.get(ElevatorRisk, world.lift_b.id, populate_existing=True)
        return row is not None and "INCIDENT_LATE" in {rule for rule, *_ in row.findings}

    # One statement serves every write of the day; the moment is its parameter.
    snapshot.refresh_elevators(session, [world.lift_b.id], settings=settings, now=NOW)
    assert not late()
    later = NOW + timedelta(minutes=25)
    snapshot.refresh_elevators(session, [world.lift_b.id], settings=settings, now=later)
    assert late()
    snapshot.refresh_elevators(session, [world.lift_b.id], settings=settings, now=NOW)
    assert not late()
