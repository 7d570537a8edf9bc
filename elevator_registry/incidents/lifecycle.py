"""The rescue lifecycle: explicit transitions, each a compare-and-set UPDATE with its event.

reported → dispatched → accepted → arrived → released → closed, side exits self_released,
false_alarm, cancelled; escalation (level 2: another rescue unit, level 3: fire service 119)
raises `escalation_level` without changing the status. Each transition names the statuses it
may start from, stamps its time exactly once (the column is only ever written by that
transition), and appends an `incident_event` in the same transaction. Two racing calls cannot
both win: the UPDATE re-checks the status, so the loser changes nothing and gets 409.

Times are the server's. An operator or the bureau may backfill a time (`at`) with a reason, for
a step the rescuer reported by phone; the event records it as backfilled.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, update
from sqlalchemy.orm import Session

from elevator_registry.audit import service as audit
from elevator_registry.auth.principal import Principal
from elevator_registry.config import get_settings
from elevator_registry.errors import Conflict, Forbidden, InvalidValue, NotFound
from elevator_registry.incidents.enums import (
    FaultCause,
    IncidentEventKind,
    IncidentKind,
    IncidentStatus,
)
from elevator_registry.incidents.intake import local_date_of
from elevator_registry.incidents.models import Incident, IncidentEvent, IncidentReport
from elevator_registry.incidents.schemas import (
    AssignAction,
    CloseAction,
    EscalateAction,
    TransitionAction,
)
from elevator_registry.incidents.scoping import STAFF, readable_incidents, require_actor
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.enums import OrganisationRole
from elevator_registry.registry.models import Organisation, OrganisationRoleRow

S = IncidentStatus
K = IncidentKind
ALL_KINDS = frozenset(IncidentKind)
RESCUE_KINDS = frozenset({K.TRAPPED, K.FAULT})


@dataclass(frozen=True)
class Transition:
    """One lifecycle step: where it may start, for which kinds, what it stamps."""

    action: str
    to: IncidentStatus
    event: IncidentEventKind
    stamps: tuple[str, ...]
    starts: dict[IncidentKind, frozenset[IncidentStatus]]


def _same(statuses: frozenset[IncidentStatus], kinds: frozenset[IncidentKind]) -> dict[Any, Any]:
    return dict.fromkeys(kinds, statuses)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "accept",
            S.ACCEPTED,
            IncidentEventKind.ACCEPTED,
            ("accepted_at",),
            _same(frozenset({S.DISPATCHED}), RESCUE_KINDS),
        ),
        Transition(
            "arrive",
            S.ARRIVED,
            IncidentEventKind.ARRIVED,
            ("arrived_at",),
            _same(frozenset({S.DISPATCHED, S.ACCEPTED}), RESCUE_KINDS),
        ),
        Transition(
            "release",
            S.RELEASED,
            IncidentEventKind.RELEASED,
            ("released_at",),
            {K.TRAPPED: frozenset({S.ARRIVED})},
        ),
        Transition(
            "close",
            S.CLOSED,
            IncidentEventKind.CLOSED,
            ("closed_at",),
            {
                K.TRAPPED: frozenset({S.RELEASED}),
                K.FAULT: frozenset({S.ARRIVED}),
                K.COMPLAINT: S.open(),
                K.CONSULTATION: S.open(),
            },
        ),
        Transition(
            "self_released",
            S.SELF_RELEASED,
            IncidentEventKind.SELF_RELEASED,
            ("released_at", "closed_at"),
            {K.TRAPPED: S.awaiting_arrival()},
        ),
        Transition(
            "false_alarm",
            S.FALSE_ALARM,
            IncidentEventKind.FALSE_ALARM,
            ("closed_at",),
            _same(S.active(), ALL_KINDS),
        ),
        Transition(
            "cancel",
            S.CANCELLED,
            IncidentEventKind.CANCELLED,
            ("closed_at",),
            _same(S.awaiting_arrival(), ALL_KINDS),
        ),
    )
}


def get_incident(session: Session, *, incident_id: int, actor: Principal) -> Incident:
    """The incident if the caller may read it; 404 INCIDENT_NOT_FOUND otherwise."""
    incident = session.scalar(
        select(Incident).where(Incident.id == incident_id, readable_incidents(actor))
    )
    if incident is None:
        raise NotFound("incident", incident_id)
    return incident


def incidents_statement(
    *,
    actor: Principal,
    status: str | None = None,
    kind: str | None = None,
    elevator_id: int | None = None,
    maintenance_unit_id: int | None = None,
    escalation_level: int | None = None,
    open_only: bool = False,
) -> Select[Any]:
    """Incidents the caller may read, filtered."""
    statement = select(Incident).where(readable_incidents(actor))
    for column, value in (
        (Incident.status, status),
        (Incident.kind, kind),
        (Incident.elevator_id, elevator_id),
        (Incident.maintenance_unit_id, maintenance_unit_id),
        (Incident.escalation_level, escalation_level),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if open_only:
        statement = statement.where(Incident.status.in_(S.open()))
    return statement


def report_counts(session: Session, incident_ids: list[int]) -> dict[int, int]:
    """Reports received per incident: the first one plus the duplicates."""
    if not incident_ids:
        return {}
    extra = dict(
        session.execute(
            select(IncidentReport.incident_id, func.count())
            .where(IncidentReport.incident_id.in_(incident_ids))
            .group_by(IncidentReport.incident_id)
        ).all()
    )
    return {incident_id: 1 + extra.get(incident_id, 0) for incident_id in incident_ids}


def events_of(session: Session, incident_id: int) -> list[IncidentEvent]:
    """The timeline, in order."""
    return list(
        session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.at, IncidentEvent.id)
        )
    )


def transition(
    session: Session,
    *,
    incident_id: int,
    action: str,
    data: TransitionAction,
    actor: Principal,
    now: datetime,
) -> Incident:
    """Performs lifecycle step `action` (accept, arrive, release, close, self_released, …)."""
    step = TRANSITIONS[action]
    incident = get_incident(session, incident_id=incident_id, actor=actor)
    require_actor(actor, incident, action)
    at, backfilled = _when(data, actor, now)
    starts = step.starts.get(IncidentKind(incident.kind))
    if starts is None:
        raise Conflict(
            "INVALID_TRANSITION",
            f"{action.replace('_', ' ')} does not apply to a {incident.kind} incident",
            field="status",
        )
    if incident.status not in starts:
        raise _invalid(incident, action, starts)
    _check_time_order(incident, at, action)
    values: dict[str, Any] = dict.fromkeys(step.stamps, at)
    values["status"] = step.to
    detail: dict[str, Any] | None = None
    if isinstance(data, CloseAction) and data.fault_cause_code is not None:
        values["fault_cause_code"] = data.fault_cause_code
        detail = {"fault_cause_code": str(data.fault_cause_code)}
    if action == "close" and incident.kind in RESCUE_KINDS:
        cause = data.fault_cause_code if isinstance(data, CloseAction) else None
        if cause is None:
            raise InvalidValue(
                "FAULT_CAUSE_REQUIRED",
                f"closing a {incident.kind} incident needs fault_cause_code, one of "
                + ", ".join(FaultCause),
                field="fault_cause_code",
            )
        if incident.kind == K.TRAPPED and (
            incident.arrived_at is None or incident.released_at is None
        ):
            raise Conflict(
                "INVALID_TRANSITION",
                "closing a trapped incident needs its arrival and release times",
                field="status",
            )
    moved = session.execute(
        update(Incident)
        .where(
            Incident.id == incident.id,
            Incident.status.in_(starts),
            # Each stamp is written once: a racing call that stamped it already makes this miss.
            *(getattr(Incident, column).is_(None) for column in step.stamps),
        )
        .values(**values)
        .returning(Incident.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if moved is None:
        session.refresh(incident)
        raise _invalid(incident, action, starts)
    session.add(
        IncidentEvent(
            incident_id=incident.id,
            kind=step.event,
            at=at,
            recorded_at=now,
            actor=actor.label,
            backfilled=backfilled,
            reason=data.reason,
            detail=detail,
        )
    )
    session.flush()
    session.refresh(incident)
    return incident


def escalate(
    session: Session, *, incident_id: int, data: EscalateAction, actor: Principal, now: datetime
) -> Incident:
    """Raises a trapped incident's escalation level by hand (operator, bureau)."""
    incident = get_incident(session, incident_id=incident_id, actor=actor)
    require_actor(actor, incident, "escalate")
    if incident.kind != K.TRAPPED or incident.status not in S.awaiting_arrival():
        raise _invalid(incident, "escalate", S.awaiting_arrival(), kinds="trapped ")
    level = data.level or incident.escalation_level + 1
    if level <= incident.escalation_level or level > 3:
        raise Conflict(
            "ESCALATION_LEVEL_INVALID",
            f"incident {incident.number} is at level {incident.escalation_level}; it can only "
            "go up, to 3 at most (fire service 119)",
            field="level",
        )
    moved = escalate_to(session, incident_ids=[incident.id], level=level)
    if not moved:
        session.refresh(incident)
        raise _invalid(incident, "escalate", S.awaiting_arrival(), kinds="trapped ")
    session.add(
        IncidentEvent(
            incident_id=incident.id,
            kind=IncidentEventKind.ESCALATED,
            at=now,
            recorded_at=now,
            actor=actor.label,
            backfilled=False,
            reason=data.reason,
            detail={"level": level, "automatic": False},
        )
    )
    session.flush()
    session.refresh(incident)
    return incident


def unassigned() -> ColumnElement[bool]:
    """WHERE clause: rescue incidents still waiting for a seat to send someone (no contract)."""
    return and_(
        Incident.status == S.REPORTED,
        Incident.maintenance_unit_id.is_(None),
        Incident.kind.in_(IncidentKind.dispatched_at_intake()),
    )


def assign(
    session: Session, *, incident_id: int, data: AssignAction, actor: Principal, now: datetime
) -> Incident:
    """A seat sends a firm or rescue unit to an unowned incident (reported → dispatched).

    Compare-and-set on "still reported and nobody assigned": of two seats assigning at once,
    one wins and the other gets 409 INCIDENT_ALREADY_ASSIGNED. From then on the incident is the
    unit's as if it had held the contract: it sees it, accepts, arrives, releases.
    """
    incident = get_incident(session, incident_id=incident_id, actor=actor)
    if actor.role not in STAFF:
        raise Forbidden(
            "FORBIDDEN_ROLE",
            "only a 96333 seat (operator) or the bureau assigns a rescuer",
            message_zh="只有 96333 座席或监管局可以指派救援单位",
        )
    if incident.kind not in IncidentKind.dispatched_at_intake():
        raise Conflict(
            "INVALID_TRANSITION",
            f"a {incident.kind} incident sends nobody to the car; only trapped and fault "
            "incidents are assigned",
            field="status",
            message_zh="只有困人和故障事件需要指派救援单位",
        )
    unit = _rescue_unit(session, data.maintenance_unit_id, now)
    before = audit.snapshot(incident)
    moved = session.execute(
        update(Incident)
        .where(Incident.id == incident.id, unassigned(), Incident.dispatched_at.is_(None))
        .values(status=S.DISPATCHED, maintenance_unit_id=unit.id, dispatched_at=now)
        .returning(Incident.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if moved is None:
        session.refresh(incident)
        raise Conflict(
            "INCIDENT_ALREADY_ASSIGNED",
            f"incident {incident.number} is {incident.status} and already has a rescuer or "
            "needs none; only a reported incident without one is assigned",
            field="status",
            message_zh=f"事件 {incident.number} 已有救援单位或无需指派",
        )
    session.add(
        IncidentEvent(
            incident_id=incident.id,
            kind=IncidentEventKind.DISPATCHED,
            at=now,
            recorded_at=now,
            actor=actor.label,
            backfilled=False,
            reason=data.reason,
            detail={
                "level": incident.escalation_level,
                "maintenance_unit_id": unit.id,
                "assigned": True,
            },
        )
    )
    session.flush()
    session.refresh(incident)
    audit.record(
        session, actor=actor, at=now, action="incident.assign", row=incident, before=before
    )
    return incident


def _rescue_unit(session: Session, organisation_id: int, now: datetime) -> Organisation:
    """The organisation to send: it must maintain elevators and be eligible to today."""
    unit = session.get(Organisation, organisation_id)
    if unit is None:
        raise NotFound("organisation", organisation_id)
    is_maintainer = session.scalar(
        select(OrganisationRoleRow.role).where(
            OrganisationRoleRow.organisation_id == organisation_id,
            OrganisationRoleRow.role == OrganisationRole.MAINTAINER,
        )
    )
    if is_maintainer is None:
        raise InvalidValue(
            "ASSIGNEE_NOT_MAINTAINER",
            f"organisation {organisation_id} is not a maintenance unit; assign a maintenance "
            "firm or rescue unit",
            field="maintenance_unit_id",
            message_zh="所选单位不是维保（救援）单位",
        )
    reasons = organisation_service.maintainer_ineligibility(
        session, organisation_id=organisation_id, on=local_date_of(now, get_settings().timezone)
    )
    if reasons:
        raise Conflict(
            "MAINTAINER_NOT_ELIGIBLE",
            f"{unit.name} may not maintain elevators now: " + "; ".join(reasons),
            field="maintenance_unit_id",
            rule="MAINTAINER_NOT_ELIGIBLE",
            message_zh=f"{unit.name} 当前不具备维保资格（黑名单或许可证无效）",
        )
    return unit


def escalate_to(
    session: Session,
    *,
    level: int,
    incident_ids: list[int] | None = None,
    deadline_before: datetime | None = None,
) -> list[int]:
    """Compare-and-set: raises trapped incidents still awaiting arrival below `level` to it."""
    statement = update(Incident).where(
        Incident.kind == K.TRAPPED,
        Incident.status.in_(S.awaiting_arrival()),
        Incident.escalation_level < level,
    )
    if incident_ids is not None:
        statement = statement.where(Incident.id.in_(incident_ids))
    if deadline_before is not None:
        statement = statement.where(Incident.arrival_deadline_at < deadline_before)
    return list(
        session.scalars(
            statement.values(escalation_level=level)
            .returning(Incident.id)
            .execution_options(synchronize_session=False)
        )
    )


def _when(data: TransitionAction, actor: Principal, now: datetime) -> tuple[datetime, bool]:
    if data.at is None:
        return now, False
    if actor.role not in STAFF:
        raise Forbidden(
            "BACKFILL_NOT_ALLOWED",
            "only the 96333 operator or the bureau may record a time other than now",
            field="at",
        )
    if data.reason is None:
        raise InvalidValue(
            "BACKFILL_REASON_REQUIRED", "a backfilled time needs a reason", field="reason"
        )
    if data.at > now:
        raise InvalidValue(
            "TIME_IN_FUTURE", f"at {data.at.isoformat()} is in the future", field="at"
        )
    return data.at, True


def _check_time_order(incident: Incident, at: datetime, action: str) -> None:
    stamped = [
        (name, value)
        for name in ("reported_at", "dispatched_at", "accepted_at", "arrived_at", "released_at")
        if (value := getattr(incident, name)) is not None
    ]
    latest_name, latest = max(stamped, key=lambda pair: pair[1])
    if at < latest:
        raise InvalidValue(
            "TIME_ORDER_INVALID",
            f"{action.replace('_', ' ')} at {at.isoformat()} would be before {latest_name} "
            f"{latest.isoformat()}",
            field="at",
        )


def _invalid(
    incident: Incident, action: str, starts: frozenset[IncidentStatus], kinds: str = ""
) -> Conflict:
    needed = ", ".join(sorted(starts))
    return Conflict(
        "INVALID_TRANSITION",
        f"incident {incident.number} is {incident.status}; {action.replace('_', ' ')} needs a "
        f"{kinds}incident that is {needed}",
        field="status",
    )
