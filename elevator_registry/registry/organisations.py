"""Organisations, their licences, and who may maintain elevators on a given day."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, func, literal, select
from sqlalchemy.orm import Session

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings, get_settings
from elevator_registry.dates import add_years
from elevator_registry.errors import Conflict, Forbidden, NotFound, RuleViolation, refuse_clearing
from elevator_registry.governance.models import BlacklistEntry
from elevator_registry.registry import identifiers
from elevator_registry.registry.enums import LicenceKind, LicenceStatus, OrganisationRole
from elevator_registry.registry.models import Licence, Organisation, OrganisationRoleRow
from elevator_registry.registry.schemas import (
    LicenceAction,
    LicenceCreate,
    OrganisationCreate,
    OrganisationUpdate,
)
from elevator_registry.rules.catalogue import LICENCE_BAN
from elevator_registry.rules.context import (
    blacklisted_on,
    licensed_to_maintain_on,
    start_of_local_day,
)

# What an organisation may change about itself; everything else is the bureau's.
SELF_SERVICE_FIELDS = frozenset({"duty_phone", "contact_name", "address"})


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    """The organisation or 404 ORGANISATION_NOT_FOUND."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("organisation", organisation_id)
    return organisation


def require_role(
    session: Session, organisation_id: int, role: OrganisationRole, *, field: str
) -> Organisation:
    """The organisation, which must exist and hold `role` (409 ORGANISATION_ROLE_MISSING)."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("organisation", organisation_id)
    if role not in organisation.roles:
        raise Conflict(
            "ORGANISATION_ROLE_MISSING",
            f"{field}: organisation {organisation_id} ({organisation.name}) is not a {role}",
            field=field,
        )
    return organisation


def create_organisation(
    session: Session, *, data: OrganisationCreate, actor: Principal, now: datetime
) -> Organisation:
    """Registers an organisation; the credit code must be valid and new."""
    actor.require(Role.BUREAU, Role.CLI)
    credit_code = identifiers.validate_credit_code(data.credit_code)
    if session.scalar(select(Organisation.id).where(Organisation.credit_code == credit_code)):
        raise Conflict(
            "CREDIT_CODE_TAKEN",
            f"an organisation with credit code {credit_code} exists",
            field="credit_code",
        )
    organisation = Organisation(
        credit_code=credit_code,
        name=data.name,
        duty_phone=_phone(data.duty_phone),
        contact_name=data.contact_name,
        address=data.address,
        role_rows=[OrganisationRoleRow(role=role) for role in sorted(set(data.roles))],
        created_at=now,
    )
    session.add(organisation)
    audit.record(session, actor=actor, at=now, action="create", row=organisation)
    return organisation


def update_organisation(
    session: Session,
    *,
    organisation_id: int,
    data: OrganisationUpdate,
    actor: Principal,
    now: datetime,
) -> Organisation:
    """Changes the given fields; an organisation's own token may change its contact details."""
    organisation = get_organisation(session, organisation_id)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if actor.role not in (Role.BUREAU, Role.CLI):
        if actor.organisation_id != organisation_id:
            raise Forbidden("OUT_OF_SCOPE", "only the bureau may change another organisation")
        for field in changes:
            if field not in SELF_SERVICE_FIELDS:
                raise Forbidden(
                    "FIELD_NOT_WRITABLE", f"role {actor.role} may not change {field}", field=field
                )
    refuse_clearing(changes, ("name", "roles"))
    before = audit.snapshot(organisation)
    before["roles"] = organisation.roles
    if "duty_phone" in changes:
        changes["duty_phone"] = _phone(changes["duty_phone"])
    roles = changes.pop("roles", None)
    if roles is not None:
        organisation.role_rows = [OrganisationRoleRow(role=role) for role in sorted(set(roles))]
    for field, value in changes.items():
        setattr(organisation, field, value)
    organisation.updated_at = now
    audit.record(session, actor=actor, at=now, action="update", row=organisation, before=before)
    return organisation


def organisations_statement(
    *, role: OrganisationRole | None, name: str | None, credit_code: str | None
) -> Select[Any]:
    """Organisations filtered by role, a name fragment, or credit code."""
    statement = select(Organisation)
    if role is not None:
        statement = statement.where(
            Organisation.id.in_(
                select(OrganisationRoleRow.organisation_id).where(OrganisationRoleRow.role == role)
            )
        )
    if name is not None:
        statement = statement.where(Organisation.name.contains(name, autoescape=True))
    if credit_code is not None:
        statement = statement.where(Organisation.credit_code == credit_code.upper())
    return statement


def _phone(value: str | None) -> str | None:
    return None if value is None else identifiers.validate_phone(value, field="duty_phone")


# Licences ----------------------------------------------------------------------------------


def get_licence(session: Session, licence_id: int) -> Licence:
    """The licence or 404 LICENCE_NOT_FOUND."""
    licence = session.get(Licence, licence_id)
    if licence is None:
        raise NotFound("licence", licence_id)
    return licence


def licence_ban_ends_on(
    session: Session, *, organisation_id: int, kind: LicenceKind, settings: Settings
) -> date | None:
    """The day a ban from the organisation's latest revocation of `kind` ends, if any."""
    last_revoked = session.scalar(
        select(Licence.revoked_on)
        .where(
            Licence.organisation_id == organisation_id,
            Licence.kind == kind,
            Licence.status == LicenceStatus.REVOKED,
        )
        .order_by(Licence.revoked_on.desc())
        .limit(1)
    )
    if last_revoked is None:
        return None
    return add_years(last_revoked, settings.licence_ban_years)


def add_licence(
    session: Session,
    *,
    organisation_id: int,
    data: LicenceCreate,
    actor: Principal,
    settings: Settings,
    today: date,
    now: datetime,
) -> Licence:
    """Grants a licence, unless a revocation of the same kind is under 3 years old (LICENCE_BAN)."""
    actor.require(Role.BUREAU, Role.CLI)
    get_organisation(session, organisation_id)
    if data.valid_until < data.valid_from:
        raise Conflict(
            "DATE_RANGE_INVALID", "valid_until is before valid_from", field="valid_until"
        )
    ban_ends_on = licence_ban_ends_on(
        session, organisation_id=organisation_id, kind=data.kind, settings=settings
    )
    if ban_ends_on is not None and today < ban_ends_on:
        raise RuleViolation(
            LICENCE_BAN.code,
            f"organisation {organisation_id} had a {data.kind} licence revoked; plan §三(十一) "
            f"bars a new one for {settings.licence_ban_years} years, until {ban_ends_on.isoformat()}",
            field="kind",
        )
    if session.scalar(
        select(Licence.id).where(Licence.kind == data.kind, Licence.number == data.number)
    ):
        raise Conflict(
            "LICENCE_NUMBER_TAKEN",
            f"{data.kind} licence {data.number} already exists",
            field="number",
        )
    licence = Licence(
        organisation_id=organisation_id,
        kind=data.kind,
        number=data.number,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        status=LicenceStatus.VALID,
        created_at=now,
    )
    session.add(licence)
    audit.record(session, actor=actor, at=now, action="create", row=licence)
    return licence


def suspend_licence(
    session: Session, *, licence_id: int, data: LicenceAction, actor: Principal, now: datetime
) -> Licence:
    """Suspends a valid licence."""
    actor.require(Role.BUREAU, Role.CLI)
    licence = get_licence(session, licence_id)
    if licence.status != LicenceStatus.VALID:
        raise Conflict(
            "INVALID_TRANSITION",
            f"licence {licence_id} is {licence.status}; only a valid one can be suspended",
        )
    before = audit.snapshot(licence)
    licence.status = LicenceStatus.SUSPENDED
    licence.suspended_at = now
    licence.reason = data.reason
    audit.record(session, actor=actor, at=now, action="suspend", row=licence, before=before)
    return licence


def revoke_licence(
    session: Session,
    *,
    licence_id: int,
    data: LicenceAction,
    actor: Principal,
    today: date,
    now: datetime,
) -> Licence:
    """Revokes a licence, recording the decision date that starts the 3-year ban."""
    actor.require(Role.BUREAU, Role.CLI)
    licence = get_licence(session, licence_id)
    if licence.status == LicenceStatus.REVOKED:
        raise Conflict("INVALID_TRANSITION", f"licence {licence_id} is already revoked")
    revoked_on = data.on or today
    if revoked_on > today:
        raise Conflict("DATE_IN_FUTURE", "a revocation cannot be dated in the future", field="on")
    before = audit.snapshot(licence)
    licence.status = LicenceStatus.REVOKED
    licence.suspended_at = None
    licence.revoked_on = revoked_on
    licence.revoked_at = now
    licence.reason = data.reason
    audit.record(session, actor=actor, at=now, action="revoke", row=licence, before=before)
    return licence


def licences_of(session: Session, organisation_id: int) -> list[Licence]:
    """An organisation's licences, oldest first."""
    get_organisation(session, organisation_id)
    return list(
        session.scalars(
            select(Licence).where(Licence.organisation_id == organisation_id).order_by(Licence.id)
        )
    )


# Eligibility to maintain --------------------------------------------------------------------


def maintainer_ineligibility(
    session: Session, *, organisation_id: int, on: date, manufactured_by_it: bool = False
) -> list[str]:
    """Why `organisation_id` may not maintain elevators on `on` (empty when it may).

    安全法 第四十五条: the maintainer holds a licence in force on that day (installation/repair/
    maintenance, or the manufacture licence for its own make); plan §三(八),(十一): not
    blacklisted. The verdict is MAINTAINER_NOT_ELIGIBLE's own SQL (`rules.context`), so a
    refusal here and the risk list cannot disagree; the reasons only explain it.
    """
    end_of_day = start_of_local_day(on + timedelta(days=1), get_settings().timezone)
    unit = literal(organisation_id)
    maker = literal(organisation_id if manufactured_by_it else None, Integer)
    blacklisted, licensed = session.execute(
        select(blacklisted_on(unit, on), licensed_to_maintain_on(unit, maker, on, end_of_day))
    ).one()
    reasons = []
    if blacklisted:
        listed_on = session.scalar(
            select(func.max(BlacklistEntry.listed_on)).where(
                BlacklistEntry.organisation_id == organisation_id, BlacklistEntry.listed_on <= on
            )
        )
        reasons.append(f"blacklisted since {listed_on}")
    if not licensed:
        kinds = [LicenceKind.INSTALLATION_MAINTENANCE]
        if manufactured_by_it:
            kinds.append(LicenceKind.MANUFACTURE)
        licences = session.scalars(
            select(Licence)
            .where(Licence.organisation_id == organisation_id, Licence.kind.in_(kinds))
            .order_by(Licence.id)
        ).all()
        if not licences:
            reasons.append("holds no installation/repair/maintenance licence")
        reasons.extend(
            f"licence {licence.number} {_licence_state_on(licence, on, end_of_day)}"
            for licence in licences
        )
    return reasons


def _licence_state_on(licence: Licence, on: date, end_of_day: datetime) -> str:
    """Why a licence was not in force on `on`, in the terms of `rules.context.licence_valid_on`."""
    if licence.revoked_on is not None and licence.revoked_on <= on:
        return f"revoked on {licence.revoked_on.isoformat()}"
    if licence.suspended_at is not None and licence.suspended_at < end_of_day:
        return "suspended"
    if on < licence.valid_from:
        return f"not valid until {licence.valid_from.isoformat()}"
    return f"expired on {licence.valid_until.isoformat()}"
