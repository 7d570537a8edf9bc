"""Sample accounts: a few people of each role, bound to the sample's busiest units.

For trying the pages only: every sample account has the same published password
(SAMPLE_PASSWORD, also in the README) and is not asked to change it. Never load the sample into
a registry that real people use.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry.accounts.models import User
from elevator_registry.accounts.service import hash_password
from elevator_registry.auth.enums import Role
from elevator_registry.maintenance.service import id_number_check_character
from elevator_registry.registry.models import Elevator, MaintenanceContract, Organisation, Street

SAMPLE_PASSWORD = "sample-2026"
FIRMS = 2
WORKERS_PER_FIRM = 3
USER_UNITS = 2
WORKER_NAMES = ("张伟", "李强", "王磊", "赵敏", "刘洋", "陈杰")
MANAGER_NAMES = ("李娜", "周婷")


@dataclass(frozen=True)
class SampleAccount:
    """One account to create: login, name, role and binding."""

    login: str
    name: str
    role: Role
    organisation_id: int | None = None
    street: str | None = None
    certificate_number: str | None = None
    phone: str | None = None


def certificate_number(serial: int) -> str:
    """A well-formed 特种设备作业人员证 number (ID-number style, valid check character)."""
    first17 = f"50022219880101{serial:03d}"
    return first17 + id_number_check_character(first17)


def sample_accounts(session: Session) -> list[SampleAccount]:
    """The accounts for the loaded sample: bureau, operator, a street office, the two firms
    holding most contracts (a dispatcher and certified workers each) and the two user units
    with most elevators (a safety manager each)."""
    street = session.scalar(select(Street.name).order_by(Street.name))
    firms = session.scalars(
        select(Organisation.id)
        .join(MaintenanceContract, MaintenanceContract.maintenance_unit_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(func.count().desc(), Organisation.id)
        .limit(FIRMS)
    ).all()
    units = session.scalars(
        select(Organisation.id)
        .join(Elevator, Elevator.user_unit_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(func.count().desc(), Organisation.id)
        .limit(USER_UNITS)
    ).all()
    accounts = [
        SampleAccount("bureau.admin", "王建国", Role.BUREAU),
        SampleAccount("bureau.officer", "刘芳", Role.BUREAU),
        SampleAccount("operator", "陈静", Role.OPERATOR),
    ]
    if street is not None:
        accounts.append(SampleAccount("street.office", "黄丽", Role.STREET_OFFICE, street=street))
    serial = 0
    for number, firm_id in enumerate(firms, start=1):
        accounts.append(
            SampleAccount(
                f"firm{number}.dispatch", f"调度员{number}", Role.MAINTENANCE_UNIT, firm_id
            )
        )
        for worker in range(1, WORKERS_PER_FIRM + 1):
            serial += 1
            accounts.append(
                SampleAccount(
                    f"firm{number}.worker{worker}",
                    WORKER_NAMES[(serial - 1) % len(WORKER_NAMES)],
                    Role.MAINTENANCE_UNIT,
                    firm_id,
                    certificate_number=certificate_number(serial),
                    phone=f"1390000{serial:04d}",
                )
            )
    for number, unit_id in enumerate(units, start=1):
        accounts.append(
            SampleAccount(
                f"unit{number}.safety",
                MANAGER_NAMES[(number - 1) % len(MANAGER_NAMES)],
                Role.USER_UNIT,
                unit_id,
            )
        )
    return accounts


def load_accounts(session: Session, *, now: datetime) -> int:
    """Creates the sample accounts whose login names are free; returns how many."""
    taken = set(session.scalars(select(User.login)))
    password_hash = hash_password(SAMPLE_PASSWORD)
    created = 0
    for account in sample_accounts(session):
        if account.login in taken:
            continue
        session.add(
            User(
                login=account.login,
                display_name=account.name,
                role=account.role,
                organisation_id=account.organisation_id,
                street=account.street,
                # One hash for all: the same published password, salted once, is no secret anyway.
                password_hash=password_hash,
                must_change_password=False,
                certificate_number=account.certificate_number,
                phone=account.phone,
                created_at=now,
            )
        )
        created += 1
    session.flush()
    return created
