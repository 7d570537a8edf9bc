"""Evidence tables refuse UPDATE and DELETE in the database itself (triggers of 0002, 0007, 0014)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from elevator_registry.incidents.models import Incident, IncidentEvent
from elevator_registry.inspection.models import SafetyAssessment
from elevator_registry.maintenance.models import (
    HazardReport,
    HazardResolution,
    MaintenanceConfirmation,
    MaintenanceRecord,
    RescueDrill,
    StopUseNotice,
    UsageCheck,
)
from elevator_registry.registry.models import ElevatorAssignmentChange, MaintenanceContract
from tests import factories
from tests.evidence_factories import CERTIFIED, inspection

AT = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


@pytest.fixture
def evidence(session: Session, world: factories.World) -> dict[str, int]:
    """One row in each append-only table; returns their ids by table."""
    contract_id = (
        session.query(MaintenanceContract.id).filter_by(elevator_id=world.lift_a.id).scalar()
    )
    record = MaintenanceRecord(
        elevator_id=world.lift_a.id,
        contract_id=contract_id,
        maintenance_unit_id=world.maintainer_a.id,
        record_class="half_month",
        performed_at=AT,
        workers=[{"name": "张伟", "certificate_number": CERTIFIED}, {"name": "李强"}],
        items_done=["驱动主机"],
        parts_replaced=[],
        revision=1,
        filed_by="test",
        created_at=AT,
    )
    hazard = HazardReport(
        elevator_id=world.lift_a.id,
        severity="serious",
        found_at=AT,
        description="制动器失效",
        reported_to_bureau_at=AT,
        filed_by="test",
        created_at=AT,
    )
    assessment = SafetyAssessment(
        elevator_id=world.lift_a.id,
        agency_id=world.agency.id,
        assessed_on=date(2026, 11, 1),
        score=Decimal("70.00"),
        risk_grade=2,
        conclusion="repair",
        measures=["更换钢丝绳"],
        filed_by="test",
        created_at=AT,
    )
    incident = Incident(
        number="QJ-TEST-0001",
        elevator_id=world.lift_a.id,
        kind="fault",
        channel="operator",
        trapped_count=0,
        status="closed",
        escalation_level=1,
        no_contract=False,
        reported_at=AT,
        arrival_deadline_at=AT,
        closed_at=AT,
        tracking_token_hash="0" * 64,
        created_at=AT,
    )
    session.add_all([record, hazard, assessment, incident])
    session.flush()
    confirmation = MaintenanceConfirmation(
        record_id=record.id, safety_manager="李娜", confirmed_at=AT, filed_by="test", created_at=AT
    )
    resolution = HazardResolution(
        hazard_report_id=hazard.id, resolved_on=date(2026, 11, 12), filed_by="test", created_at=AT
    )
    notice = StopUseNotice(
        notice_number="TYTZ-2026-TEST",
        hazard_report_id=hazard.id,
        elevator_id=world.lift_a.id,
        user_unit_id=world.user_a.id,
        issued_at=AT,
        body="停止使用",
        created_at=AT,
    )
    check = UsageCheck(
        elevator_id=world.lift_a.id,
        user_unit_id=world.user_a.id,
        checked_on=date(2026, 11, 3),
        checker_name="李娜",
        created_at=AT,
    )
    drill = RescueDrill(
        maintenance_unit_id=world.maintainer_a.id,
        elevator_id=world.lift_a.id,
        held_on=date(2026, 9, 8),
        participants=6,
        created_at=AT,
    )
    session.add_all([confirmation, resolution, notice, check, drill])
    session.flush()
    event_id = session.execute(
        insert(IncidentEvent)
        .values(
            incident_id=incident.id,
            kind="closed",
            at=AT,
            recorded_at=AT,
            actor="test",
            backfilled=False,
        )
        .returning(IncidentEvent.id)
    ).scalar_one()
    checked = inspection(session, world.lift_a, world.agency, performed_on=date(2026, 6, 1))
    assignment = ElevatorAssignmentChange(
        elevator_id=world.lift_a.id,
        changed_on=date(2026, 11, 10),
        from_street="古南街道",
        to_street="古南街道",
        from_user_unit_id=world.user_b.id,
        to_user_unit_id=world.user_a.id,
        actor="test",
        created_at=AT,
    )
    session.add(assignment)
    session.flush()
    return {
        "elevator_assignment_change": assignment.id,
        "maintenance_record": record.id,
        "maintenance_confirmation": confirmation.id,
        "inspection": checked.id,
        "safety_assessment": assessment.id,
        "hazard_report": hazard.id,
        "hazard_resolution": resolution.id,
        "stop_use_notice": notice.id,
        "incident_event": event_id,
        "usage_check": check.id,
        "rescue_drill": drill.id,
    }


TABLES = [
    "maintenance_record",
    "maintenance_confirmation",
    "inspection",
    "safety_assessment",
    "hazard_report",
    "hazard_resolution",
    "stop_use_notice",
    "incident_event",
    "usage_check",
    "rescue_drill",
    "elevator_assignment_change",
]


@pytest.mark.parametrize("table", TABLES)
def test_raw_update_is_refused(session: Session, evidence: dict[str, int], table: str) -> None:
    with pytest.raises(IntegrityError, match="append-only"), session.begin_nested():
        session.execute(
            text(f"UPDATE {table} SET id = id WHERE id = :id"),
            {"id": evidence[table]},
        )
    assert (
        session.execute(
            text(f"SELECT count(*) FROM {table} WHERE id = :id"), {"id": evidence[table]}
        ).scalar_one()
        == 1
    )


@pytest.mark.parametrize("table", TABLES)
def test_raw_delete_is_refused(session: Session, evidence: dict[str, int], table: str) -> None:
    # Children first would not help: every table refuses on its own.
    with pytest.raises(IntegrityError, match="append-only"), session.begin_nested():
        session.execute(text(f"DELETE FROM {table} WHERE id = :id"), {"id": evidence[table]})
    assert (
        session.execute(
            text(f"SELECT count(*) FROM {table} WHERE id = :id"), {"id": evidence[table]}
        ).scalar_one()
        == 1
    )


def test_an_orm_change_to_a_record_is_refused_at_flush(
    session: Session, evidence: dict[str, int]
) -> None:
    record = session.get_one(MaintenanceRecord, evidence["maintenance_record"])
    with pytest.raises(IntegrityError), session.begin_nested():
        record.findings = "事后修改"
        session.flush()
    session.expire_all()
    assert session.get_one(MaintenanceRecord, evidence["maintenance_record"]).findings is None


def test_inserting_new_evidence_still_works(session: Session, evidence: dict[str, int]) -> None:
    # The triggers refuse rewriting history, not adding to it.
    session.execute(
        text(
            "INSERT INTO hazard_report (elevator_id, severity, found_at, description, filed_by, "
            "created_at) SELECT elevator_id, 'general', found_at, '补充', 'test', created_at "
            "FROM hazard_report WHERE id = :id"
        ),
        {"id": evidence["hazard_report"]},
    )
    assert factories.count(session, HazardReport) == 2
