"""Elevators: registration, lookup, updates and the status lifecycle.

Status transitions are explicit functions; each checks the rules that guard it, then moves the
status with a compare-and-set UPDATE so two racing calls cannot both succeed, and writes the
dated `elevator_status_change` row and the audit event in the same transaction.
"""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, exists, extract, select, update
from sqlalchemy.orm import Session

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings, get_settings
from elevator_registry.errors import (
    Conflict,
    Forbidden,
    InvalidValue,
    NotFound,
    RuleViolation,
    refuse_clearing,
)
from elevator_registry.inspection.enums import InspectionResult
from elevator_registry.inspection.models import Inspection
from elevator_registry.maintenance.enums import HazardSeverity
from elevator_registry.maintenance.models import HazardReport, HazardResolution
from elevator_registry.registry import identifiers, search
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.enums import ElevatorStatus, OrganisationRole
from elevator_registry.registry.models import (
    Elevator,
    ElevatorAssignmentChange,
    ElevatorStatusChange,
    MaintenanceContract,
    Street,
)
from elevator_registry.registry.schemas import (
    ElevatorCreate,
    ElevatorUpdate,
    PutInUseAction,
    RegisterAction,
    StatusAction,
)
from elevator_registry.registry.scoping import contract_current_on, readable_elevators
from elevator_registry.rules.catalogue import (
    INSPECTION_FAILED_IN_USE,
    NO_USER_UNIT,
    SERIOUS_HAZARD_OPEN,
    SUSPENDED_RESTART,
)

# Which fields each role may change on an elevator it can see. The bureau changes all of them.
WRITABLE_FIELDS: dict[Role, frozenset[str]] = {
    Role.STREET_OFFICE: frozenset({"user_unit_id", "has_property_management", "has_repair_fund"}),
    Role.USER_UNIT: frozenset(
        {"has_property_management", "has_repair_fund", "iot_terminal_fitted", "in_house_number"}
    ),
    Role.MAINTENANCE_UNIT: frozenset({"iot_terminal_fitted", "emergency_levelling_fitted"}),
}
# Columns an update may change but not clear.
REQUIRED_FIELDS = (
    "street",
    "address",
    "place_category",
    "rescue_code",
    "has_property_management",
    "has_repair_fund",
    "added_to_old_building",
    "iot_terminal_fitted",
    "emergency_levelling_fitted",
)


def get_elevator(session: Session, *, elevator_id: int, actor: Principal, today: date) -> Elevator:
    """The elevator if the caller may see it; 404 ELEVATOR_NOT_FOUND otherwise."""
    elevator = session.scalar(
        select(Elevator).where(Elevator.id == elevator_id, readable_elevators(actor, today))
    )
    if elevator is None:
        raise NotFound("elevator", elevator_id)
    return elevator


def elevators_statement(
    *,
    actor: Principal,
    today: date,
    street: str | None = None,
    user_unit_id: int | None = None,
    maintenance_unit_id: int | None = None,
    type_code: str | None = None,
    place_category: str | None = None,
    status: str | None = None,
    commissioned_from_year: int | None = None,
    commissioned_to_year: int | None = None,
    equipment_code: str | None = None,
    registration_number: str | None = None,
    rescue_code: str | None = None,
    address: str | None = None,
    q: str | None = None,
) -> Select[Any]:
    """Elevators the caller may read, with the list filters applied.

    `address` keeps elevators whose address contains it; `q` those whose identifiers, address
    or community contain it (the search box's fragment match, without its ranking).
    """
    statement = select(Elevator).where(readable_elevators(actor, today))
    if address is not None:
        statement = statement.where(
            Elevator.address.contains(search.check_query(address, field="address"), autoescape=True)
        )
    if q is not None:
        statement = statement.where(search.fragment_condition(search.check_query(q)))
    equalities = {
        Elevator.street: street,
        Elevator.user_unit_id: user_unit_id,
        Elevator.type_code: type_code,
        Elevator.place_category: place_category,
        Elevator.status: status,
        Elevator.equipment_code: equipment_code and equipment_code.upper(),
        Elevator.registration_number: registration_number
        and registration_number.replace("（", "(").replace("）", ")"),
        Elevator.rescue_code: rescue_code,
    }
    for column, value in equalities.items():
        if value is not None:
            statement = statement.where(column == value)
    if maintenance_unit_id is not None:
        statement = statement.where(
            exists(
                select(MaintenanceContract.id).where(
                    MaintenanceContract.elevator_id == Elevator.id,
                    MaintenanceContract.maintenance_unit_id == maintenance_unit_id,
                    contract_current_on(today),
                )
            )
        )
    if commissioned_from_year is not None:
        statement = statement.where(
            extract("year", Elevator.commissioned_on) >= commissioned_from_year
        )
    if commissioned_to_year is not None:
        statement = statement.where(
            extract("year", Elevator.commissioned_on) <= commissioned_to_year
        )
    return statement


def create_elevator(
    session: Session,
    *,
    data: ElevatorCreate,
    actor: Principal,
    settings: Settings,
    today: date,
    now: datetime,
) -> Elevator:
    """Enters an elevator in the registry, validating its identifiers and references."""
    actor.require(Role.BUREAU, Role.CLI)
    # On a new record an explicit null means "not given": the column's default applies.
    fields = data.model_dump(exclude_none=True)
    status = fields.pop("status", ElevatorStatus.REGISTERED)
    if status not in (ElevatorStatus.REGISTERED, ElevatorStatus.IN_USE):
        raise InvalidValue(
            "STATUS_NOT_ALLOWED", "a new elevator is registered or in_use", field="status"
        )
    fields["equipment_code"] = identifiers.validate_equipment_code(
        data.equipment_code, data.type_code
    )
    fields["rescue_code"] = identifiers.validate_rescue_code(
        data.rescue_code, settings.rescue_code_pattern
    )
    if data.registration_number is not None:
        fields["registration_number"] = identifiers.validate_registration_number(
            data.registration_number, data.type_code
        )
        fields.setdefault("registered_on", today)
    elif data.registered_on is not None:
        raise InvalidValue(
            "REGISTRATION_NUMBER_REQUIRED",
            "registered_on needs a registration_number",
            field="registration_number",
        )
    street = _street(session, data.street)
    _check_references(session, fields)
    _check_unique(session, fields)
    _check_dates(fields, today)
    if status == ElevatorStatus.IN_USE:
        if data.user_unit_id is None:
            raise _no_user_unit(None)
        if data.commissioned_on is None:
            raise InvalidValue(
                "COMMISSIONED_ON_REQUIRED",
                "an elevator entered as in_use needs commissioned_on",
                field="commissioned_on",
            )
    elevator = Elevator(
        **fields,
        district=street.district,
        status=status,
        status_changed_on=data.commissioned_on if status == ElevatorStatus.IN_USE else today,
        created_at=now,
    )
    session.add(elevator)
    session.flush()
    session.add(
        ElevatorStatusChange(
            elevator_id=elevator.id,
            from_status=None,
            to_status=status,
            changed_on=elevator.status_changed_on,
            reason="entered in the registry",
            actor=actor.label,
            created_at=now,
        )
    )
    audit.record(session, actor=actor, at=now, action="create", row=elevator)
    return elevator


def update_elevator(
    session: Session,
    *,
    elevator_id: int,
    data: ElevatorUpdate,
    actor: Principal,
    settings: Settings,
    today: date,
    now: datetime,
) -> Elevator:
    """Changes the given fields, each of which the caller's role must be allowed to change."""
    elevator = get_elevator(session, elevator_id=elevator_id, actor=actor, today=today)
    changes = data.model_dump(exclude_unset=True)
    if actor.role not in (Role.BUREAU, Role.CLI):
        allowed = WRITABLE_FIELDS.get(actor.role, frozenset())  # type: ignore[arg-type]
        if not allowed:
            raise Forbidden("FORBIDDEN_ROLE", f"role {actor.role} may not change elevators")
        for field in changes:
            if field not in allowed:
                raise Forbidden(
                    "FIELD_NOT_WRITABLE", f"role {actor.role} may not change {field}", field=field
                )
        if actor.role == Role.STREET_OFFICE and "user_unit_id" in changes and elevator.user_unit_id:
            raise Forbidden(
                "FIELD_NOT_WRITABLE",
                "a street office arranges a user unit only for an elevator without one",
                field="user_unit_id",
            )
    _ensure_not_scrapped(elevator)
    refuse_clearing(changes, REQUIRED_FIELDS)
    if "rescue_code" in changes:
        changes["rescue_code"] = identifiers.validate_rescue_code(
            changes["rescue_code"], settings.rescue_code_pattern
        )
    if "street" in changes:
        changes["district"] = _street(session, changes["street"]).district
    if (
        "user_unit_id" in changes
        and changes["user_unit_id"] is None
        and elevator.status in (ElevatorStatus.commissioned())
    ):
        raise _no_user_unit(elevator.id)
    _check_references(session, changes)
    _check_unique(session, changes, exclude_id=elevator.id)
    merged = {
        "manufactured_on": elevator.manufactured_on,
        "commissioned_on": elevator.commissioned_on,
        "floors": elevator.floors,
        "stops": elevator.stops,
    } | changes
    _check_dates(merged, today)
    before = audit.snapshot(elevator)
    for field, value in changes.items():
        setattr(elevator, field, value)
    elevator.updated_at = now
    _record_assignment_change(session, elevator, before, actor=actor, today=today, now=now)
    audit.record(session, actor=actor, at=now, action="update", row=elevator, before=before)
    return elevator


def _record_assignment_change(
    session: Session,
    elevator: Elevator,
    before: dict[str, Any],
    *,
    actor: Principal,
    today: date,
    now: datetime,
) -> None:
    """Appends the dated street / user unit change, so past risk lists show that day's values."""
    if (before["street"], before["user_unit_id"]) == (elevator.street, elevator.user_unit_id):
        return
    session.add(
        ElevatorAssignmentChange(
            elevator_id=elevator.id,
            changed_on=today,
            from_street=before["street"],
            to_street=elevator.street,
            from_user_unit_id=before["user_unit_id"],
            to_user_unit_id=elevator.user_unit_id,
            actor=actor.label,
            created_at=now,
        )
    )


# Lifecycle ---------------------------------------------------------------------------------


def register(
    session: Session,
    *,
    elevator_id: int,
    data: RegisterAction,
    actor: Principal,
    today: date,
    now: datetime,
) -> Elevator:
    """Records the use registration (使用登记证); a scrapped elevator cannot be registered."""
    actor.require(Role.BUREAU, Role.CLI)
    elevator = get_elevator(session, elevator_id=elevator_id, actor=actor, today=today)
    _ensure_not_scrapped(elevator)
    number = identifiers.validate_registration_number(data.registration_number, elevator.type_code)
    _check_unique(session, {"registration_number": number}, exclude_id=elevator.id)
    registered_on = _action_date(data.registered_on, today, field="registered_on")
    before = audit.snapshot(elevator)
    elevator.registration_number = number
    elevator.registered_on = registered_on
    elevator.updated_at = now
    audit.record(session, actor=actor, at=now, action="register", row=elevator, before=before)
    return elevator


def put_in_use(
    session: Session,
    *,
    elevator_id: int,
    data: PutInUseAction,
    actor: Principal,
    today: date,
    now: datetime,
    settings: Settings | None = None,
) -> Elevator:
    """registered → in_use: needs a user unit, no unremedied failed inspection and no open
    serious hazard (one can be reported on an elevator not yet in use)."""
    settings = settings or get_settings()
    _require_operator_of(actor, session, elevator_id, today)
    elevator = get_elevator(session, elevator_id=elevator_id, actor=actor, today=today)
    commissioned_on = _action_date(
        data.commissioned_on or elevator.commissioned_on, today, field="commissioned_on"
    )
    if elevator.manufactured_on and commissioned_on < elevator.manufactured_on:
        raise InvalidValue(
            "DATE_ORDER_INVALID",
            "commissioned_on is before manufactured_on",
            field="commissioned_on",
        )
    _ensure_status(elevator, {ElevatorStatus.REGISTERED}, ElevatorStatus.IN_USE)
    _ensure_fit_for_use(session, elevator, on=commissioned_on, timezone=settings.timezone)
    return _transition(
        session,
        elevator=elevator,
        allowed={ElevatorStatus.REGISTERED},
        to=ElevatorStatus.IN_USE,
        on=commissioned_on,
        reason="put into use",
        actor=actor,
        now=now,
        extra={"commissioned_on": commissioned_on},
    )


def suspend(
    session: Session,
    *,
    elevator_id: int,
    data: StatusAction,
    actor: Principal,
    today: date,
    now: datetime,
) -> Elevator:
    """in_use → suspended (停用)."""
    _require_operator_of(actor, session, elevator_id, today)
    elevator = get_elevator(session, elevator_id=elevator_id, actor=actor, today=today)
    on = _action_date(data.on, today, field="on", not_before=elevator.status_changed_on)
    _ensure_status(elevator, {ElevatorStatus.IN_USE}, ElevatorStatus.SUSPENDED)
    return _transition(
        session,
        elevator=elevator,
        allowed={ElevatorStatus.IN_USE},
        to=ElevatorStatus.SUSPENDED,
        on=on,
        reason=data.reason,
        actor=actor,
        now=now,
    )


def resume(
    session: Session,
    *,
    elevator_id: int,
    data: StatusAction,
    actor: Principal,
    settings: Settings,
    today: date,
    now: datetime,
) -> Elevator:
    """suspended → in_use; after a year out of use only with a passing inspection since."""
    _require_operator_of(actor, session, elevator_id, today)
    elevator = get_elevator(session, elevator_id=elevator_id, actor=actor, today=today)
    on = _action_date(data.on, today, field="on", not_before=elevator.status_changed_on)
    _ensure_status(elevator, {ElevatorStatus.SUSPENDED}, ElevatorStatus.IN_USE)
    suspended_on = elevator.status_changed_on or on
    if (on - suspended_on).days >= settings.suspended_restart_days:
        passed_since = session.scalar(
            select(Inspection.id).where(
                Inspection.elevator_id == elevator.id,
                Inspection.performed_on >= suspended_on,
                Inspection.result.in_(InspectionResult.passing()),
            )
        )
        if passed_since is None:
            raise RuleViolation(
                SUSPENDED_RESTART.code,
                f"elevator {elevator.id} has been out of use since {suspended_on.isoformat()} "
                f"({(on - suspended_on).days} days, ≥{settings.suspended_restart_days}); "
                "TSG T7001-2023 needs a passing periodic inspection before it restarts",
            )
    _ensure_fit_for_use(session, elevator, on=on, timezone=settings.timezone)
    return _transition(
        session,
        elevator=elevator,
        allowed={ElevatorStatus.SUSPENDED},
        to=ElevatorStatus.IN_USE,
        on=on,
        reason=data.reason,
        actor=actor,
        now=now,
    )


def scrap(
    session: Session,
    *,
    elevator_id: int,
    data: StatusAction,
    actor: Principal,
    today: date,
    now: datetime,
) -> Elevator:
    """Any status → scrapped (报废); terminal."""
    actor.require(Role.BUREAU, Role.CLI)
    elevator = get_elevator(session, elevator_id=elevator_id, actor=actor, today=today)
    _ensure_not_scrapped(elevator)
    on = _action_date(data.on, today, field="on", not_before=elevator.status_changed_on)
    allowed = set(ElevatorStatus) - {ElevatorStatus.SCRAPPED}
    return _transition(
        session,
        elevator=elevator,
        allowed=allowed,
        to=ElevatorStatus.SCRAPPED,
        on=on,
        reason=data.reason,
        actor=actor,
        now=now,
    )


def suspend_for_hazard(
    session: Session,
    *,
    elevator: Elevator,
    on: date,
    reason: str,
    actor: Principal,
    now: datetime,
) -> bool:
    """in_use → suspended because a serious hazard was reported (plan §三(七)4).

    Called inside the hazard report's transaction by whoever may report (maintenance unit,
    agency, bureau). Returns False, changing nothing, when the elevator is not in use.
    """
    if elevator.status != ElevatorStatus.IN_USE:
        return False
    _transition(
        session,
        elevator=elevator,
        allowed={ElevatorStatus.IN_USE},
        to=ElevatorStatus.SUSPENDED,
        on=max(on, elevator.status_changed_on or on),
        reason=reason,
        actor=actor,
        now=now,
    )
    return True


def latest_inspection_failed(session: Session, elevator_id: int) -> Inspection | None:
    """The latest inspection if it failed (so no passing re-inspection came after it)."""
    latest = session.scalar(
        select(Inspection)
        .where(Inspection.elevator_id == elevator_id)
        .order_by(Inspection.performed_on.desc(), Inspection.id.desc())
        .limit(1)
    )
    return latest if latest is not None and latest.result == InspectionResult.FAIL else None


def open_serious_hazard(session: Session, elevator_id: int, on: date) -> HazardReport | None:
    """The oldest serious hazard of the elevator not resolved by the end of local day `on`.

    `resolved_on` is the district's local day the resolution names and `on` the local day the
    elevator would (re)enter use, so two local days are compared: a hazard resolved at 00:30 on
    day D allows use from day D, not a backdated restart on D-1. A hazard with no resolution
    blocks whatever day is asked, even one before it was found: the elevator is unsafe now.
    """
    resolved_by_then = exists(
        select(HazardResolution.id).where(
            HazardResolution.hazard_report_id == HazardReport.id,
            HazardResolution.resolved_on <= on,
        )
    )
    return session.scalar(
        select(HazardReport)
        .where(
            HazardReport.elevator_id == elevator_id,
            HazardReport.severity == HazardSeverity.SERIOUS,
            ~resolved_by_then,
        )
        .order_by(HazardReport.found_at, HazardReport.id)
        .limit(1)
    )


def _serious_hazard_open(hazard: HazardReport, on: date, timezone: str) -> RuleViolation:
    found_on = hazard.found_at.astimezone(ZoneInfo(timezone)).date()
    resolve = f"POST /api/v1/hazard-reports/{hazard.id}/resolve"
    return RuleViolation(
        SERIOUS_HAZARD_OPEN.code,
        f"elevator {hazard.elevator_id} has serious hazard report {hazard.id} found on "
        f"{found_on.isoformat()} ({hazard.description}) not resolved by {on.isoformat()}; "
        "特种设备安全法 第四十二条 forbids its use until the hazard is eliminated: the reporting "
        f"unit or the bureau resolves it first ({resolve}), then resume",
        field="status",
        message_zh=f"该电梯存在未消除的严重隐患（隐患报告第 {hazard.id} 号，"
        f"{found_on:%Y年%m月%d日}发现：{hazard.description}），截至{on:%Y年%m月%d日}尚未消除。"
        "依据《特种设备安全法》第四十二条，隐患消除前不得继续使用；请由报告单位或区市场监管局"
        f"先登记隐患消除（{resolve}），再恢复使用。",
    )


def _ensure_fit_for_use(session: Session, elevator: Elevator, *, on: date, timezone: str) -> None:
    if elevator.user_unit_id is None:
        raise _no_user_unit(elevator.id)
    hazard = open_serious_hazard(session, elevator.id, on)
    if hazard is not None:
        raise _serious_hazard_open(hazard, on, timezone)
    failed = latest_inspection_failed(session, elevator.id)
    if failed is not None:
        raise RuleViolation(
            INSPECTION_FAILED_IN_USE.code,
            f"elevator {elevator.id} failed inspection {failed.report_number} on "
            f"{failed.performed_on.isoformat()} and has no passing re-inspection; "
            "安全法 第四十条 forbids its use",
        )


def _transition(
    session: Session,
    *,
    elevator: Elevator,
    allowed: set[ElevatorStatus],
    to: ElevatorStatus,
    on: date,
    reason: str | None,
    actor: Principal,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> Elevator:
    before = audit.snapshot(elevator)
    from_status = elevator.status
    moved = session.execute(
        update(Elevator)
        .where(Elevator.id == elevator.id, Elevator.status.in_(allowed))
        .values(status=to, status_changed_on=on, updated_at=now, **(extra or {}))
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise Conflict(
            "INVALID_TRANSITION", f"elevator {elevator.id} changed status meanwhile; retry"
        )
    session.refresh(elevator)
    session.add(
        ElevatorStatusChange(
            elevator_id=elevator.id,
            from_status=from_status,
            to_status=to,
            changed_on=on,
            reason=reason,
            actor=actor.label,
            created_at=now,
        )
    )
    audit.record(session, actor=actor, at=now, action=f"status:{to}", row=elevator, before=before)
    return elevator


def _ensure_status(elevator: Elevator, allowed: set[ElevatorStatus], to: ElevatorStatus) -> None:
    _ensure_not_scrapped(elevator)
    if elevator.status not in allowed:
        needed = " or ".join(sorted(allowed))
        raise Conflict(
            "INVALID_TRANSITION",
            f"elevator {elevator.id} is {elevator.status}; {to} needs {needed}",
            field="status",
        )


def _ensure_not_scrapped(elevator: Elevator) -> None:
    if elevator.status == ElevatorStatus.SCRAPPED:
        raise Conflict(
            "ELEVATOR_SCRAPPED",
            f"elevator {elevator.id} was scrapped on {elevator.status_changed_on}; scrapping is final",
        )


def _require_operator_of(actor: Principal, session: Session, elevator_id: int, today: date) -> None:
    """Status changes are the bureau's, or the user unit's for its own elevators."""
    if actor.role in (Role.BUREAU, Role.CLI):
        return
    if actor.role == Role.USER_UNIT:
        get_elevator(session, elevator_id=elevator_id, actor=actor, today=today)
        return
    actor.require(Role.BUREAU, Role.USER_UNIT)


def _no_user_unit(elevator_id: int | None) -> RuleViolation:
    which = f"elevator {elevator_id}" if elevator_id else "an elevator"
    return RuleViolation(
        NO_USER_UNIT.code,
        f"{which} without a user unit cannot be in use (plan §三(六)2: 使用单位不明确的电梯不得投入使用)",
        field="user_unit_id",
    )


def _action_date(
    value: date | None, today: date, *, field: str, not_before: date | None = None
) -> date:
    day = value or today
    if day > today:
        raise InvalidValue("DATE_IN_FUTURE", f"{field} {day} is in the future", field=field)
    if not_before is not None and day < not_before:
        raise InvalidValue(
            "DATE_ORDER_INVALID",
            f"{field} {day} is before the last status change on {not_before}",
            field=field,
        )
    return day


def _street(session: Session, name: str) -> Street:
    street = session.scalar(select(Street).where(Street.name == name))
    if street is None:
        raise InvalidValue("STREET_UNKNOWN", f"no street or town named {name}", field="street")
    return street


def _check_references(session: Session, fields: dict[str, Any]) -> None:
    roles = {
        "user_unit_id": OrganisationRole.USER_UNIT,
        "manufacturer_id": OrganisationRole.MANUFACTURER,
        "installer_id": OrganisationRole.INSTALLER,
    }
    for field, role in roles.items():
        if fields.get(field) is not None:
            organisation_service.require_role(session, fields[field], role, field=field)


def _check_unique(session: Session, fields: dict[str, Any], exclude_id: int | None = None) -> None:
    codes = {
        "equipment_code": ("EQUIPMENT_CODE_TAKEN", Elevator.equipment_code),
        "registration_number": ("REGISTRATION_NUMBER_TAKEN", Elevator.registration_number),
        "rescue_code": ("RESCUE_CODE_TAKEN", Elevator.rescue_code),
    }
    for field, (code, column) in codes.items():
        value = fields.get(field)
        if value is None:
            continue
        statement = select(Elevator.id).where(column == value)
        if exclude_id is not None:
            statement = statement.where(Elevator.id != exclude_id)
        holder = session.scalar(statement)
        if holder is not None:
            raise Conflict(code, f"{field} {value} belongs to elevator {holder}", field=field)


def _check_dates(fields: dict[str, Any], today: date) -> None:
    for field in (
        "manufactured_on",
        "installation_inspected_on",
        "commissioned_on",
        "modernised_on",
        "registered_on",
    ):
        value = fields.get(field)
        if value is not None and value > today:
            raise InvalidValue("DATE_IN_FUTURE", f"{field} {value} is in the future", field=field)
    manufactured, commissioned = fields.get("manufactured_on"), fields.get("commissioned_on")
    if manufactured and commissioned and commissioned < manufactured:
        raise InvalidValue(
            "DATE_ORDER_INVALID",
            "commissioned_on is before manufactured_on",
            field="commissioned_on",
        )
    floors, stops = fields.get("floors"), fields.get("stops")
    if floors is not None and stops is not None and stops > floors:
        raise InvalidValue("STOPS_EXCEED_FLOORS", "stops cannot exceed floors", field="stops")
