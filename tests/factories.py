"""Factories: valid rows built straight through the ORM, for the arrange step of tests."""

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry.governance.models import BlacklistEntry
from elevator_registry.registry.enums import (
    ElevatorStatus,
    LicenceKind,
    LicenceStatus,
    OrganisationRole,
    StreetKind,
)
from elevator_registry.registry.identifiers import credit_code_check_character
from elevator_registry.registry.models import (
    Elevator,
    Licence,
    MaintenanceContract,
    Organisation,
    OrganisationRoleRow,
    Street,
)

CREATED = datetime(2026, 1, 1, tzinfo=UTC)
REFERENCE_DAY = date(2026, 11, 15)
_serial = itertools.count(1)


def credit_code(serial: int | None = None) -> str:
    """A valid 统一社会信用代码, unique per call."""
    body = f"91500222MA{(serial or next(_serial)):07d}"
    return body + credit_code_check_character(body)


def street(session: Session, name: str, *, town: bool = False) -> Street:
    """A street (30-minute deadline) or town (60)."""
    row = Street(
        name=name,
        district="綦江区",
        kind=StreetKind.TOWN if town else StreetKind.SUBDISTRICT,
        arrival_deadline_minutes=60 if town else 30,
    )
    session.add(row)
    session.flush()
    return row


def organisation(session: Session, name: str, *roles: OrganisationRole) -> Organisation:
    """An organisation holding `roles`."""
    row = Organisation(
        credit_code=credit_code(),
        name=name,
        duty_phone="023-48661234",
        role_rows=[OrganisationRoleRow(role=role) for role in roles],
        created_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row


def licence(
    session: Session,
    holder: Organisation,
    *,
    kind: LicenceKind = LicenceKind.INSTALLATION_MAINTENANCE,
    valid_from: date = date(2024, 1, 1),
    valid_until: date = date(2028, 12, 31),
    **fields: Any,
) -> Licence:
    """A licence, valid over the test's reference day unless told otherwise."""
    row = Licence(
        organisation_id=holder.id,
        kind=kind,
        number=f"TS{next(_serial):07d}",
        valid_from=valid_from,
        valid_until=valid_until,
        status=fields.pop("status", LicenceStatus.VALID),
        created_at=CREATED,
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def maintainer(session: Session, name: str, **licence_fields: Any) -> Organisation:
    """A maintenance unit with a valid installation/repair/maintenance licence."""
    row = organisation(session, name, OrganisationRole.MAINTAINER)
    licence(session, row, **licence_fields)
    return row


def elevator(session: Session, *, street_name: str, **fields: Any) -> Elevator:
    """An in-use traction passenger elevator with valid, unique codes."""
    serial = next(_serial)
    values: dict[str, Any] = {
        "equipment_code": f"31105001220180{serial:04d}",
        "rescue_code": f"{serial:06d}",
        "type_code": "3110",
        "district": "綦江区",
        "street": street_name,
        "address": f"綦江区沙溪路{serial}号",
        "place_category": "residential",
        "commissioned_on": date(2015, 6, 1),
        "status": ElevatorStatus.IN_USE,
        "status_changed_on": date(2015, 6, 1),
        "created_at": CREATED,
    }
    values.update(fields)
    row = Elevator(**values)
    session.add(row)
    session.flush()
    return row


def contract(
    session: Session,
    lift: Elevator,
    unit: Organisation,
    *,
    start: date = date(2026, 1, 1),
    end: date = date(2026, 12, 31),
    **fields: Any,
) -> MaintenanceContract:
    """A regular contract for `lift` with `unit`, covering the reference day by default."""
    row = MaintenanceContract(
        elevator_id=lift.id,
        maintenance_unit_id=unit.id,
        user_unit_id=lift.user_unit_id,
        start_date=start,
        end_date=end,
        mode=fields.pop("mode", "regular"),
        created_at=CREATED,
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def blacklist(session: Session, unit: Organisation, *, listed_on: date) -> BlacklistEntry:
    """A current blacklist entry."""
    row = BlacklistEntry(
        organisation_id=unit.id,
        reason="伪造维保记录",
        legal_basis="綦江区安全乘梯守护行动实施方案 三(十一)",
        listed_on=listed_on,
        created_at=CREATED,
    )
    session.add(row)
    session.flush()
    return row


@dataclass
class World:
    """A small district: two user units, two maintainers, elevators in a street and a town."""

    user_a: Organisation
    user_b: Organisation
    maintainer_a: Organisation
    maintainer_b: Organisation
    manufacturer: Organisation
    agency: Organisation
    lift_a: Elevator  # user A, maintained by A, 古南街道
    lift_b: Elevator  # user B, maintained by B, 永新镇
    orphan: Elevator  # registered, no user unit, 古南街道


def build_world(session: Session) -> World:
    """Builds the `World` every API test starts from."""
    street(session, "古南街道")
    street(session, "永新镇", town=True)
    user_a = organisation(session, "綦江古南物业管理有限公司", OrganisationRole.USER_UNIT)
    user_b = organisation(session, "永新镇中心小学", OrganisationRole.USER_UNIT)
    maintainer_a = maintainer(session, "重庆安达电梯工程有限公司")
    maintainer_b = maintainer(session, "綦江通达电梯维修有限公司")
    manufacturer = organisation(
        session,
        "重庆渝梯制造有限公司",
        OrganisationRole.MANUFACTURER,
        OrganisationRole.INSTALLER,
        OrganisationRole.MAINTAINER,
    )
    licence(session, manufacturer, kind=LicenceKind.MANUFACTURE)
    agency = organisation(session, "重庆市特种设备检测研究院", OrganisationRole.INSPECTION_AGENCY)
    lift_a = elevator(session, street_name="古南街道", user_unit_id=user_a.id)
    lift_b = elevator(
        session, street_name="永新镇", user_unit_id=user_b.id, place_category="school"
    )
    orphan = elevator(
        session,
        street_name="古南街道",
        status=ElevatorStatus.REGISTERED,
        commissioned_on=None,
        status_changed_on=REFERENCE_DAY - timedelta(days=10),
    )
    contract(session, lift_a, maintainer_a)
    contract(session, lift_b, maintainer_b)
    return World(
        user_a, user_b, maintainer_a, maintainer_b, manufacturer, agency, lift_a, lift_b, orphan
    )


def count(session: Session, model: type[Any]) -> int:
    """Rows of `model` visible in the test's transaction."""
    return session.scalar(select(func.count()).select_from(model)) or 0


# Accounts -------------------------------------------------------------------------------------

TEST_PASSWORD = "correct-horse-42"
_user_numbers = itertools.count(1)
# Cheap argon2 parameters for the arrange step only (the hash records its parameters, so login
# verifies it as any other; the service upgrades it to the real ones at the first login).
_FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def user(
    session: Session,
    role: Any,
    *,
    organisation: Organisation | None = None,
    street: str | None = None,
    login: str | None = None,
    name: str | None = None,
    certificate_number: str | None = None,
    must_change_password: bool = False,
    password: str = TEST_PASSWORD,
) -> Any:
    """An active account of `role` (bound to `organisation` or `street`) with `password`."""
    from elevator_registry.accounts.models import User

    number = next(_user_numbers)
    account = User(
        login=login or f"user{number}",
        display_name=name or f"测试人员{number}",
        role=role,
        organisation_id=organisation.id if organisation is not None else None,
        street=street,
        password_hash=_FAST_HASHER.hash(password),
        must_change_password=must_change_password,
        certificate_number=certificate_number,
        created_at=CREATED,
    )
    session.add(account)
    session.flush()
    return account
