"""The blacklist (plan §三(八),(十一)) and the veto events that sink a unit's yearly rating.

Listing and lifting are dated, reasoned and audited. A listing's effects live where they
apply: `registry.organisations.maintainer_ineligibility` refuses new contracts and records
(MAINTAINER_NOT_ELIGIBLE), the rule of the same name lists the unit's elevators, and the
rating of every year the listing touches is D.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from elevator_registry.audit import service as audit
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.errors import Conflict, InvalidValue, NotFound
from elevator_registry.governance.models import BlacklistEntry, VetoEvent
from elevator_registry.governance.schemas import BlacklistCreate, BlacklistLift, VetoEventCreate
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.models import Organisation


def current_on(day: date) -> Any:
    """WHERE clause: the entry is in force on `day` (listed, not yet lifted)."""
    return (BlacklistEntry.listed_on <= day) & or_(
        BlacklistEntry.lifted_on.is_(None), BlacklistEntry.lifted_on > day
    )


def list_organisation(
    session: Session, *, data: BlacklistCreate, actor: Principal, today: date, now: datetime
) -> BlacklistEntry:
    """Puts an organisation on the blacklist (bureau); one open listing per organisation."""
    actor.require(Role.BUREAU, Role.CLI)
    organisation_service.get_organisation(session, data.organisation_id)
    listed_on = data.listed_on or today
    if listed_on > today:
        raise InvalidValue(
            "DATE_IN_FUTURE", "a listing cannot be dated in the future", field="listed_on"
        )
    open_entry = session.scalar(
        select(BlacklistEntry).where(
            BlacklistEntry.organisation_id == data.organisation_id,
            or_(BlacklistEntry.lifted_on.is_(None), BlacklistEntry.lifted_on > listed_on),
        )
    )
    if open_entry is not None:
        raise Conflict(
            "ALREADY_BLACKLISTED",
            f"organisation {data.organisation_id} is listed by entry {open_entry.id} since "
            f"{open_entry.listed_on.isoformat()}",
            field="organisation_id",
        )
    entry = BlacklistEntry(
        organisation_id=data.organisation_id,
        reason=data.reason,
        legal_basis=data.legal_basis,
        listed_on=listed_on,
        created_at=now,
    )
    session.add(entry)
    audit.record(session, actor=actor, at=now, action="create", row=entry)
    return entry


def lift(
    session: Session,
    *,
    entry_id: int,
    data: BlacklistLift,
    actor: Principal,
    today: date,
    now: datetime,
) -> BlacklistEntry:
    """Lifts a listing from a day on or after it began (bureau); lifting twice is refused."""
    actor.require(Role.BUREAU, Role.CLI)
    entry = session.scalar(
        select(BlacklistEntry).where(BlacklistEntry.id == entry_id).with_for_update()
    )
    if entry is None:
        raise NotFound("blacklist_entry", entry_id)
    if entry.lifted_on is not None:
        raise Conflict(
            "ALREADY_LIFTED", f"entry {entry_id} was lifted on {entry.lifted_on.isoformat()}"
        )
    lifted_on = data.lifted_on or today
    if lifted_on > today:
        raise InvalidValue(
            "DATE_IN_FUTURE", "a lifting cannot be dated in the future", field="lifted_on"
        )
    if lifted_on < entry.listed_on:
        raise InvalidValue(
            "DATE_RANGE_INVALID",
            f"lifted_on is before the listing began ({entry.listed_on.isoformat()})",
            field="lifted_on",
        )
    before = audit.snapshot(entry)
    entry.lifted_on = lifted_on
    entry.lift_reason = data.reason
    audit.record(session, actor=actor, at=now, action="lift", row=entry, before=before)
    return entry


def entries_statement(
    *, organisation_id: int | None = None, current: bool | None = None, today: date
) -> Select[Any]:
    """Blacklist entries, optionally of one organisation, current or past ones only."""
    statement = select(BlacklistEntry)
    if organisation_id is not None:
        statement = statement.where(BlacklistEntry.organisation_id == organisation_id)
    if current is True:
        statement = statement.where(current_on(today))
    elif current is False:
        statement = statement.where(~current_on(today))
    return statement


def public_statement(today: date) -> Select[Any]:
    """The listings in force today, with the public identity of the listed legal entity only."""
    return (
        select(
            BlacklistEntry.id,
            Organisation.name.label("organisation_name"),
            Organisation.credit_code,
            BlacklistEntry.reason,
            BlacklistEntry.legal_basis,
            BlacklistEntry.listed_on,
        )
        .join(Organisation, Organisation.id == BlacklistEntry.organisation_id)
        .where(current_on(today))
    )


# Veto events ---------------------------------------------------------------------------------


def record_veto_event(
    session: Session, *, data: VetoEventCreate, actor: Principal, today: date, now: datetime
) -> VetoEvent:
    """Records a safety accident or penalty against an organisation (bureau)."""
    actor.require(Role.BUREAU, Role.CLI)
    organisation_service.get_organisation(session, data.organisation_id)
    if data.occurred_on > today:
        raise InvalidValue("DATE_IN_FUTURE", "occurred_on is in the future", field="occurred_on")
    event = VetoEvent(**data.model_dump(), created_at=now)
    session.add(event)
    audit.record(session, actor=actor, at=now, action="create", row=event)
    return event


def veto_events_statement(
    *, organisation_id: int | None = None, year: int | None = None
) -> Select[Any]:
    """Veto events, optionally of one organisation or one calendar year."""
    statement = select(VetoEvent)
    if organisation_id is not None:
        statement = statement.where(VetoEvent.organisation_id == organisation_id)
    if year is not None:
        statement = statement.where(
            VetoEvent.occurred_on >= date(year, 1, 1), VetoEvent.occurred_on <= date(year, 12, 31)
        )
    return statement
