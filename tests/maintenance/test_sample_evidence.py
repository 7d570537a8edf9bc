"""The sample's evidence (sample/evidence.py) obeys the write rules and triggers the list rules."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry.inspection import service as inspection_service
from elevator_registry.inspection.models import Inspection
from elevator_registry.maintenance.models import (
    HazardReport,
    HazardResolution,
    MaintenanceConfirmation,
    MaintenanceRecord,
    RescueDrill,
    StopUseNotice,
    UsageCheck,
)
from elevator_registry.maintenance.service import certificate_number_valid, local_day
from elevator_registry.registry.models import Elevator, MaintenanceContract
from elevator_registry.sample.generator import SAMPLE_REFERENCE_DATE
from elevator_registry.sample.loader import load_sample

NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)


@pytest.fixture
def sample(session: Session) -> Session:
    load_sample(session, now=NOW, elevators=300)
    return session


def test_every_record_has_its_contract_crew_and_a_past_date(sample: Session) -> None:
    contracts = {row.id: row for row in sample.scalars(select(MaintenanceContract))}
    records = list(sample.scalars(select(MaintenanceRecord)))
    assert len(records) > 5000
    for record in records:
        contract = contracts[record.contract_id]
        day = local_day(record.performed_at, "Asia/Shanghai")
        assert contract.elevator_id == record.elevator_id
        assert contract.maintenance_unit_id == record.maintenance_unit_id
        assert contract.start_date <= day <= contract.effective_end
        assert record.performed_at <= NOW
        assert len(record.workers) >= 2
        assert any(
            worker["certificate_number"] and certificate_number_valid(worker["certificate_number"])
            for worker in record.workers
        )
    confirmations = sample.execute(
        select(MaintenanceConfirmation.confirmed_at, MaintenanceRecord.performed_at).join(
            MaintenanceRecord, MaintenanceRecord.id == MaintenanceConfirmation.record_id
        )
    ).all()
    assert all(performed <= confirmed <= NOW for confirmed, performed in confirmations)
    assert 0.8 < len(confirmations) / len(records) < 1


def test_some_elevators_are_overdue_for_maintenance(sample: Session) -> None:
    last = (
        select(MaintenanceRecord.elevator_id, func.max(MaintenanceRecord.performed_at).label("at"))
        .group_by(MaintenanceRecord.elevator_id)
        .subquery()
    )
    rows = sample.execute(
        select(Elevator.id, last.c.at)
        .outerjoin(last, last.c.elevator_id == Elevator.id)
        .where(Elevator.status == "in_use")
    ).all()
    overdue = [
        elevator_id
        for elevator_id, at in rows
        if at is None or at < NOW - timedelta(days=15, hours=10)
    ]
    assert 0.03 < len(overdue) / len(rows) < 0.2


def test_serious_open_hazards_suspend_their_elevators_with_a_notice(sample: Session) -> None:
    open_serious = list(
        sample.scalars(
            select(HazardReport).where(
                HazardReport.severity == "serious",
                ~select(HazardResolution.id)
                .where(HazardResolution.hazard_report_id == HazardReport.id)
                .exists(),
            )
        )
    )
    assert len(open_serious) >= 2
    for hazard in open_serious:
        assert sample.get_one(Elevator, hazard.elevator_id).status == "suspended"
        notice = sample.scalar(
            select(StopUseNotice).where(StopUseNotice.hazard_report_id == hazard.id)
        )
        assert notice is not None and "停止使用" in notice.body
        assert hazard.reported_to_bureau_at is not None


def test_inspections_follow_the_schedule_and_re_inspections_follow_failures(
    sample: Session,
) -> None:
    inspections = {row.id: row for row in sample.scalars(select(Inspection))}
    assert inspections
    for row in inspections.values():
        assert row.performed_on < SAMPLE_REFERENCE_DATE
        if row.kind == "re_inspection":
            target = inspections[row.follows_id]  # type: ignore[index]
            assert target.result == "fail" and target.elevator_id == row.elevator_id
            assert target.performed_on < row.performed_on
    lifts = list(sample.scalars(select(Elevator).where(Elevator.status == "in_use")))
    reads = inspection_service.elevator_reads(
        sample, lifts, regime="t7001_2023", as_of=SAMPLE_REFERENCE_DATE
    )
    overdue = [
        read
        for read in reads
        if read.next_inspection_due_on and read.next_inspection_due_on < SAMPLE_REFERENCE_DATE
    ]
    # Most lifts are inspected on time; a few skipped their latest obligation.
    assert len(overdue) < 0.06 * len(reads)
    assert sum(read.next_inspection_due_on is not None for read in reads) > 0.9 * len(reads)


def test_checks_and_drills_are_there_and_one_unit_lags(sample: Session) -> None:
    assert (sample.scalar(select(func.count()).select_from(UsageCheck)) or 0) > 3000
    last_drills = sample.execute(
        select(RescueDrill.maintenance_unit_id, func.max(RescueDrill.held_on)).group_by(
            RescueDrill.maintenance_unit_id
        )
    ).all()
    lagging = [unit for unit, held_on in last_drills if held_on < date(2026, 5, 16)]
    assert len(lagging) == 1


def test_the_evidence_is_deterministic(session: Session) -> None:
    summaries = []
    for _ in range(2):
        with session.begin_nested() as savepoint:
            load_sample(session, now=NOW, elevators=300)
            summaries.append(
                (
                    session.scalar(select(func.count()).select_from(MaintenanceConfirmation)),
                    session.scalar(select(func.sum(MaintenanceRecord.revision))),
                    session.scalar(select(func.count()).select_from(Inspection)),
                    session.scalar(select(func.max(UsageCheck.checked_on))),
                )
            )
            savepoint.rollback()
    assert summaries[0] == summaries[1]
