"""Inspections, self-tests and safety assessments: filing, reading, and the schedule per elevator.

Scoping in one place (`readable_inspections`, `readable_assessments`): evidence follows its
elevator (registry.scoping.readable_elevators); a maintenance unit also reads the self-tests it
performed. `file_inspection` and `file_assessment` are the one validation path, used by the API
and the bulk import; they raise a DomainError and write nothing on refusal.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, case, false, func, select
from sqlalchemy.orm import Session

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.errors import Conflict, Forbidden, InvalidValue, NotFound
from elevator_registry.inspection import schedule
from elevator_registry.inspection.enums import InspectionKind, InspectionResult
from elevator_registry.inspection.models import Inspection, SafetyAssessment
from elevator_registry.inspection.schemas import AssessmentCreate, InspectionCreate
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.enums import ElevatorStatus, OrganisationRole
from elevator_registry.registry.models import Elevator, MaintenanceContract
from elevator_registry.registry.schemas import ElevatorRead
from elevator_registry.registry.scoping import contract_current_on, readable_elevators

# Scoping ----------------------------------------------------------------------------------------


def readable_inspections(actor: Principal, today: date) -> ColumnElement[bool]:
    """WHERE clause on `Inspection`."""
    own = (
        Inspection.self_tester_id == actor.organisation_id
        if actor.role == Role.MAINTENANCE_UNIT and actor.organisation_id is not None
        else false()
    )
    return (
        Inspection.elevator_id.in_(select(Elevator.id).where(readable_elevators(actor, today)))
        | own
    )


def readable_assessments(actor: Principal, today: date) -> ColumnElement[bool]:
    """WHERE clause on `SafetyAssessment`."""
    return SafetyAssessment.elevator_id.in_(
        select(Elevator.id).where(readable_elevators(actor, today))
    )


# Shared checks ----------------------------------------------------------------------------------


def _elevator_for_evidence(
    session: Session, elevator_id: int, day: date, today: date, *, field: str
) -> Elevator:
    elevator = session.get(Elevator, elevator_id)
    if elevator is None:
        raise NotFound("elevator", elevator_id)
    if day > today:
        raise InvalidValue(
            "DATE_IN_FUTURE", f"{field} {day.isoformat()} is in the future", field=field
        )
    if elevator.status == ElevatorStatus.SCRAPPED and (
        elevator.status_changed_on is None or day > elevator.status_changed_on
    ):
        raise Conflict(
            "ELEVATOR_SCRAPPED",
            f"elevator {elevator.id} was scrapped on {elevator.status_changed_on}",
        )
    return elevator


def _responsible_agency(session: Session, actor: Principal, agency_id: int | None) -> int:
    """The agency a report is filed under: the calling agency, or the one named."""
    if actor.role == Role.INSPECTION_AGENCY:
        if agency_id not in (None, actor.organisation_id):
            raise Forbidden(
                "OUT_OF_SCOPE", "an inspection agency files reports under its own name only"
            )
        return actor.organisation_id  # type: ignore[return-value]
    if agency_id is None:
        raise InvalidValue(
            "AGENCY_REQUIRED",
            "agency_id: name the responsible inspection agency",
            field="agency_id",
        )
    organisation_service.require_role(
        session, agency_id, OrganisationRole.INSPECTION_AGENCY, field="agency_id"
    )
    return agency_id


def _report_number_free(
    session: Session, model: type[Inspection] | type[SafetyAssessment], agency_id: int, number: str
) -> None:
    taken = session.scalar(
        select(model.id).where(model.agency_id == agency_id, model.report_number == number)
    )
    if taken is not None:
        raise Conflict(
            "REPORT_NUMBER_TAKEN",
            f"agency {agency_id} already filed report number {number} ({model.__tablename__} "
            f"{taken})",
            field="report_number",
        )


# Inspections ------------------------------------------------------------------------------------


def file_inspection(
    session: Session, *, data: InspectionCreate, actor: Principal, today: date, now: datetime
) -> Inspection:
    """Files an inspection or self-test.

    Refused: DATE_IN_FUTURE, ELEVATOR_SCRAPPED, INSPECTION_KIND_NOT_ALLOWED (a maintenance unit
    filing other than a self-test), NO_CONTRACT_ON_DATE, AGENCY_REQUIRED,
    ORGANISATION_ROLE_MISSING, FIELD_NOT_ALLOWED, FOLLOWS_REQUIRED, FOLLOWS_NOT_ALLOWED,
    REINSPECTION_TARGET_INVALID, REPORT_NUMBER_TAKEN.
    """
    actor.require(Role.INSPECTION_AGENCY, Role.MAINTENANCE_UNIT, Role.BUREAU, Role.CLI)
    elevator = _elevator_for_evidence(
        session, data.elevator_id, data.performed_on, today, field="performed_on"
    )
    self_tester_id = data.self_tester_id
    if actor.role == Role.MAINTENANCE_UNIT:
        if data.kind != InspectionKind.SELF_TEST:
            raise Forbidden(
                "INSPECTION_KIND_NOT_ALLOWED",
                f"a maintenance unit files self-tests only, not {data.kind}",
            )
        if self_tester_id not in (None, actor.organisation_id):
            raise InvalidValue(
                "FIELD_NOT_ALLOWED",
                "self_tester_id: a maintenance unit files its own self-tests",
                field="self_tester_id",
            )
        self_tester_id = actor.organisation_id
        holds = session.scalar(
            select(MaintenanceContract.id).where(
                MaintenanceContract.elevator_id == elevator.id,
                MaintenanceContract.maintenance_unit_id == self_tester_id,
                contract_current_on(data.performed_on),
            )
        )
        if holds is None:
            raise Conflict(
                "NO_CONTRACT_ON_DATE",
                f"maintenance unit {self_tester_id} held no contract for elevator {elevator.id} "
                f"on {data.performed_on.isoformat()}",
                field="elevator_id",
            )
    elif self_tester_id is not None:
        if data.kind != InspectionKind.SELF_TEST:
            raise InvalidValue(
                "FIELD_NOT_ALLOWED", "self_tester_id is for self-tests only", field="self_tester_id"
            )
        organisation_service.require_role(
            session, self_tester_id, OrganisationRole.MAINTAINER, field="self_tester_id"
        )
    agency_id = _responsible_agency(session, actor, data.agency_id)
    _check_follows(session, data, elevator)
    _report_number_free(session, Inspection, agency_id, data.report_number)
    inspection = Inspection(
        elevator_id=elevator.id,
        agency_id=agency_id,
        self_tester_id=self_tester_id,
        kind=data.kind,
        performed_on=data.performed_on,
        result=data.result,
        report_number=data.report_number,
        follows_id=data.follows_id,
        filed_by=actor.label,
        created_at=now,
    )
    session.add(inspection)
    audit.record(session, actor=actor, at=now, action="create", row=inspection)
    return inspection


def _check_follows(session: Session, data: InspectionCreate, elevator: Elevator) -> None:
    if data.kind != InspectionKind.RE_INSPECTION:
        if data.follows_id is not None:
            raise InvalidValue(
                "FOLLOWS_NOT_ALLOWED",
                "follows_id: only a re_inspection follows another inspection",
                field="follows_id",
            )
        return
    if data.follows_id is None:
        raise InvalidValue(
            "FOLLOWS_REQUIRED",
            "follows_id: a re_inspection names the failed inspection it follows",
            field="follows_id",
        )
    target = session.get(Inspection, data.follows_id)
    problem = None
    if target is None:
        problem = "does not exist"
    elif target.elevator_id != elevator.id:
        problem = f"is of elevator {target.elevator_id}, not {elevator.id}"
    elif target.result != InspectionResult.FAIL:
        problem = f"did not fail (result {target.result})"
    elif target.performed_on > data.performed_on:
        problem = f"was performed later, on {target.performed_on.isoformat()}"
    if problem is not None:
        raise Conflict(
            "REINSPECTION_TARGET_INVALID",
            f"follows_id: inspection {data.follows_id} {problem}; a re-inspection follows a "
            "failed inspection of the same elevator",
            field="follows_id",
        )


def get_inspection(
    session: Session, *, inspection_id: int, actor: Principal, today: date
) -> Inspection:
    """The inspection if the caller may read it; 404 INSPECTION_NOT_FOUND otherwise."""
    inspection = session.scalar(
        select(Inspection).where(Inspection.id == inspection_id, readable_inspections(actor, today))
    )
    if inspection is None:
        raise NotFound("inspection", inspection_id)
    return inspection


def inspections_statement(
    *,
    actor: Principal,
    today: date,
    elevator_id: int | None = None,
    agency_id: int | None = None,
    kind: str | None = None,
    result: str | None = None,
    performed_from: date | None = None,
    performed_to: date | None = None,
) -> Select[Any]:
    """Inspections the caller may read, filtered."""
    statement = select(Inspection).where(readable_inspections(actor, today))
    equalities = {
        Inspection.elevator_id: elevator_id,
        Inspection.agency_id: agency_id,
        Inspection.kind: kind,
        Inspection.result: result,
    }
    for column, value in equalities.items():
        if value is not None:
            statement = statement.where(column == value)
    if performed_from is not None:
        statement = statement.where(Inspection.performed_on >= performed_from)
    if performed_to is not None:
        statement = statement.where(Inspection.performed_on <= performed_to)
    return statement


# Safety assessments -----------------------------------------------------------------------------


def file_assessment(
    session: Session, *, data: AssessmentCreate, actor: Principal, today: date, now: datetime
) -> SafetyAssessment:
    """Files an in-use safety assessment (agency; the bureau on an agency's behalf).

    Refused: DATE_IN_FUTURE, ELEVATOR_SCRAPPED, AGENCY_REQUIRED, ORGANISATION_ROLE_MISSING,
    REPORT_NUMBER_TAKEN.
    """
    actor.require(Role.INSPECTION_AGENCY, Role.BUREAU, Role.CLI)
    elevator = _elevator_for_evidence(
        session, data.elevator_id, data.assessed_on, today, field="assessed_on"
    )
    agency_id = _responsible_agency(session, actor, data.agency_id)
    if data.report_number is not None:
        _report_number_free(session, SafetyAssessment, agency_id, data.report_number)
    assessment = SafetyAssessment(
        elevator_id=elevator.id,
        agency_id=agency_id,
        assessed_on=data.assessed_on,
        score=data.score,
        risk_grade=data.risk_grade,
        conclusion=data.conclusion,
        measures=list(data.measures),
        report_number=data.report_number,
        notes=data.notes,
        filed_by=actor.label,
        created_at=now,
    )
    session.add(assessment)
    audit.record(session, actor=actor, at=now, action="create", row=assessment)
    return assessment


def assessments_statement(
    *,
    actor: Principal,
    today: date,
    elevator_id: int | None = None,
    agency_id: int | None = None,
    min_risk_grade: int | None = None,
) -> Select[Any]:
    """Safety assessments the caller may read, filtered."""
    statement = select(SafetyAssessment).where(readable_assessments(actor, today))
    if elevator_id is not None:
        statement = statement.where(SafetyAssessment.elevator_id == elevator_id)
    if agency_id is not None:
        statement = statement.where(SafetyAssessment.agency_id == agency_id)
    if min_risk_grade is not None:
        statement = statement.where(SafetyAssessment.risk_grade >= min_risk_grade)
    return statement


# The schedule per elevator ----------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionFacts:
    """What the schedule needs from an elevator's inspections up to a day."""

    last_periodic: date | None = None
    last_self_test: date | None = None
    latest_failed: bool = False


def inspection_facts(
    session: Session, elevator_ids: Sequence[int], *, as_of: date
) -> dict[int, InspectionFacts]:
    """Latest periodic, latest self-test and whether the latest inspection failed, per elevator,
    in ONE grouped query (window functions) for the whole list."""
    if not elevator_ids:
        return {}
    per_elevator = {"partition_by": Inspection.elevator_id}
    ranked = (
        select(
            Inspection.elevator_id,
            Inspection.result,
            func.row_number()
            .over(
                partition_by=Inspection.elevator_id,
                order_by=(Inspection.performed_on.desc(), Inspection.id.desc()),
            )
            .label("position"),
            func.max(case((Inspection.kind == InspectionKind.PERIODIC, Inspection.performed_on)))
            .over(**per_elevator)
            .label("last_periodic"),
            func.max(case((Inspection.kind == InspectionKind.SELF_TEST, Inspection.performed_on)))
            .over(**per_elevator)
            .label("last_self_test"),
        )
        .where(Inspection.elevator_id.in_(list(elevator_ids)), Inspection.performed_on <= as_of)
        .subquery()
    )
    rows = session.execute(
        select(
            ranked.c.elevator_id,
            ranked.c.result,
            ranked.c.last_periodic,
            ranked.c.last_self_test,
        ).where(ranked.c.position == 1)
    )
    return {
        row.elevator_id: InspectionFacts(
            last_periodic=_as_date(row.last_periodic),
            last_self_test=_as_date(row.last_self_test),
            latest_failed=row.result == InspectionResult.FAIL,
        )
        for row in rows
    }


def _as_date(value: date | str | None) -> date | None:
    # SQLite hands back window aggregates of dates as text.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def schedule_of(elevator: Elevator, facts: InspectionFacts, *, regime: str) -> dict[str, Any]:
    """The elevator's computed schedule fields."""
    base = schedule.schedule_base(
        installation_inspected_on=elevator.installation_inspected_on,
        modernised_on=elevator.modernised_on,
        commissioned_on=elevator.commissioned_on,
    )
    inspection_due, self_test_due = schedule.next_due(
        base, facts.last_periodic, facts.last_self_test, regime
    )
    return {
        "next_inspection_due_on": inspection_due,
        "next_self_test_due_on": self_test_due,
        "inspection_valid_until": schedule.inspection_valid_until(
            inspection_due, self_test_due, latest_failed=facts.latest_failed
        ),
    }


def elevator_reads(
    session: Session, elevators: Sequence[Elevator], *, regime: str, as_of: date
) -> list[ElevatorRead]:
    """Elevator read models with `inspection_valid_until`, `next_inspection_due_on` and
    `next_self_test_due_on` filled (one query for the whole page)."""
    facts = inspection_facts(session, [elevator.id for elevator in elevators], as_of=as_of)
    return [
        ElevatorRead.model_validate(elevator).model_copy(
            update=schedule_of(elevator, facts.get(elevator.id, InspectionFacts()), regime=regime)
        )
        for elevator in elevators
    ]
