"""Evidence rows for rule tests, built straight through the ORM."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from elevator_registry.incidents.models import Incident
from elevator_registry.inspection.models import Inspection, SafetyAssessment
from elevator_registry.maintenance.models import (
    HazardReport,
    HazardResolution,
    MaintenanceConfirmation,
    MaintenanceRecord,
    RescueDrill,
    UsageCheck,
)
from elevator_registry.registry.models import Elevator, MaintenanceContract, Organisation
from tests.factories import CREATED

ZONE = ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A local 綦江 time on `day`, as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), ZONE).astimezone(UTC)


def record(
    session: Session,
    lift: Elevator,
    contract: MaintenanceContract,
    performed: datetime,
    *,
    record_class: str = "half_month",
    supersedes: MaintenanceRecord | None = None,
) -> MaintenanceRecord:
    """A maintenance record (revision 1, or a revision superseding `supersedes`)."""
    row = MaintenanceRecord(
        elevator_id=lift.id,
        contract_id=contract.id,
        maintenance_unit_id=contract.maintenance_unit_id,
        record_class=record_class,
        performed_at=performed,
        workers=[{"name": "张师傅", "certificate_number": "T123456"}, {"name": "李师傅"}],
        items_done=["曳引机"],
        parts_replaced=[],
        revision=supersedes.revision + 1 if supersedes else 1,
        supersedes_id=supersedes.id if supersedes else None,
        filed_by="test",
        created_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row


def confirm(session: Session, row: MaintenanceRecord, at: datetime) -> None:
    """The user unit's confirmation of `row`."""
    session.add(
        MaintenanceConfirmation(
            record_id=row.id,
            safety_manager="王经理",
            confirmed_at=at,
            filed_by="test",
            created_at=CREATED,
        )
    )
    session.flush()


def inspection(
    session: Session,
    lift: Elevator,
    agency: Organisation,
    performed_on: date,
    result: str,
    *,
    kind: str = "periodic",
    follows: Inspection | None = None,
) -> Inspection:
    """An inspection filed by `agency`."""
    row = Inspection(
        elevator_id=lift.id,
        agency_id=agency.id,
        kind=kind,
        performed_on=performed_on,
        result=result,
        report_number=f"JD-{next(_serial):06d}",
        follows_id=follows.id if follows else None,
        filed_by="test",
        created_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row


def assessment(
    session: Session,
    lift: Elevator,
    agency: Organisation,
    assessed_on: date,
    grade: int,
    conclusion: str = "repair",
) -> SafetyAssessment:
    """A safety assessment."""
    row = SafetyAssessment(
        elevator_id=lift.id,
        agency_id=agency.id,
        assessed_on=assessed_on,
        score=70,
        risk_grade=grade,
        conclusion=conclusion,
        measures=[],
        filed_by="test",
        created_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row


def hazard(
    session: Session, lift: Elevator, found: datetime, *, serious: bool = True
) -> HazardReport:
    """A hazard report."""
    row = HazardReport(
        elevator_id=lift.id,
        severity="serious" if serious else "general",
        found_at=found,
        description="曳引钢丝绳断股",
        filed_by="test",
        created_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row


def resolve(session: Session, row: HazardReport, on: date) -> None:
    """Resolves a hazard."""
    session.add(
        HazardResolution(
            hazard_report_id=row.id, resolved_on=on, filed_by="test", created_at=CREATED
        )
    )
    session.flush()


def usage_check(session: Session, lift: Elevator, on: date) -> None:
    """A user-unit check."""
    session.add(
        UsageCheck(
            elevator_id=lift.id,
            user_unit_id=lift.user_unit_id,
            checked_on=on,
            checker_name="赵",
            created_at=CREATED,
        )
    )
    session.flush()


def drill(session: Session, unit: Organisation, on: date) -> None:
    """A rescue drill."""
    session.add(
        RescueDrill(maintenance_unit_id=unit.id, held_on=on, participants=4, created_at=CREATED)
    )
    session.flush()


def incident(
    session: Session,
    lift: Elevator,
    reported: datetime,
    *,
    kind: str = "trapped",
    status: str = "dispatched",
    arrived: datetime | None = None,
    deadline_minutes: int = 30,
) -> Incident:
    """An incident reported at `reported`."""
    serial = next(_serial)
    row = Incident(
        number=f"QJTEST-{serial:06d}",
        elevator_id=lift.id,
        kind=kind,
        channel="public",
        trapped_count=1 if kind == "trapped" else 0,
        status=status,
        escalation_level=1,
        reported_at=reported,
        arrival_deadline_at=reported + timedelta(minutes=deadline_minutes),
        dispatched_at=reported,
        arrived_at=arrived,
        tracking_token_hash=f"{serial:064d}",
        created_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row
