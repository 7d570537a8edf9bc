"""Loads the synthetic sample registry into the database, once.

ORM bulk inserts (`session.execute(insert(Model), rows)`) in foreign-key order; the
database assigns every id, and natural keys (credit code, equipment code) returned by the
inserts map the generator's references onto them, so PostgreSQL sequences stay untouched.
The caller owns the transaction: nothing here commits.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime
from itertools import islice
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Insert, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from elevator_registry.config import get_settings
from elevator_registry.db import Base
from elevator_registry.governance.models import BlacklistEntry
from elevator_registry.registry.models import (
    Elevator,
    ElevatorStatusChange,
    Licence,
    MaintenanceContract,
    Organisation,
    OrganisationRoleRow,
    Street,
    Warranty,
)
from elevator_registry.sample.accounts import load_accounts
from elevator_registry.sample.evidence import generate_evidence
from elevator_registry.sample.generator import DEFAULT_ELEVATORS, ElevatorRows, Row, generate
from elevator_registry.sample.governance import load_governance
from elevator_registry.sample.incidents import load_incidents

BATCH_SIZE = 5000
T = TypeVar("T")


@dataclass
class LoadReport:
    """Rows inserted per table; all zero when the sample was already there."""

    already_loaded: bool = False
    streets: int = 0
    organisations: int = 0
    organisation_roles: int = 0
    licences: int = 0
    blacklist_entries: int = 0
    elevators: int = 0
    status_changes: int = 0
    contracts: int = 0
    warranties: int = 0
    veto_events: int = 0
    star_ratings: int = 0
    insurance_policies: int = 0
    cost_disclosures: int = 0
    accounts: int = 0

    def summary(self) -> str:
        """One human line saying what happened."""
        if self.already_loaded:
            return "sample already loaded: nothing to do"
        counts = ", ".join(
            f"{getattr(self, item.name)} {item.name.replace('_', ' ')}"
            for item in fields(self)
            if item.name != "already_loaded"
        )
        return f"sample loaded: {counts}"


def load_sample(
    session: Session,
    *,
    now: datetime,
    elevators: int = DEFAULT_ELEVATORS,
    reference_date: date | None = None,
) -> LoadReport:
    """Inserts the sample unless its first organisation already exists; never commits.

    Its history ends on `reference_date`, by default the local day of `now`: a sample loaded
    today has maintenance done last week and incidents of this morning, whatever the date.
    """
    settings = get_settings()
    if reference_date is None:
        reference_date = now.astimezone(ZoneInfo(settings.timezone)).date()
    data = generate(elevators=elevators, reference_date=reference_date)
    marker = data.organisations[0]["credit_code"]
    if (
        session.scalar(select(Organisation.id).where(Organisation.credit_code == marker))
        is not None
    ):
        return LoadReport(already_loaded=True)

    report = LoadReport()
    # Streets may have been entered by hand before the sample: keep those, add the rest.
    existing = set(session.scalars(select(Street.name)))
    report.streets = _insert(
        session, Street, (row for row in data.streets if row["name"] not in existing)
    )
    organisation_ids = _insert_returning_keys(
        session,
        Organisation,
        Organisation.credit_code,
        [
            {name: value for name, value in row.items() if name != "roles"} | {"created_at": now}
            for row in data.organisations
        ],
    )
    report.organisations = len(organisation_ids)
    report.organisation_roles = _insert(
        session,
        OrganisationRoleRow,
        (
            {"organisation_id": organisation_ids[row["credit_code"]], "role": role}
            for row in data.organisations
            for role in row["roles"]
        ),
    )
    resolve = _Resolver(organisation_ids, now)
    report.licences = _insert(session, Licence, map(resolve, data.licences))
    report.blacklist_entries = _insert(
        session, BlacklistEntry, map(resolve, data.blacklist_entries)
    )
    for chunk in _chunks(data.elevator_rows()):
        _load_elevators(session, chunk, resolve, report)
    load_incidents(session, reference_date=data.reference_date, now=now)
    generate_evidence(
        session,
        now=now,
        reference_date=data.reference_date,
        seed=data.seed,
        timezone=settings.timezone,
    )
    governance = load_governance(
        session,
        reference_date=data.reference_date,
        seed=data.seed,
        now=now,
        settings=settings,
    )
    for item in fields(governance):
        setattr(report, item.name, getattr(governance, item.name))
    report.accounts = load_accounts(session, now=now)
    return report


def _load_elevators(
    session: Session, chunk: list[ElevatorRows], resolve: "_Resolver", report: LoadReport
) -> None:
    """One batch of elevators, then the rows that point at them."""
    elevator_ids = _insert_returning_keys(
        session, Elevator, Elevator.equipment_code, [resolve(rows.elevator) for rows in chunk]
    )
    report.elevators += len(elevator_ids)
    resolve.elevator_ids = elevator_ids
    report.status_changes += _insert(
        session,
        ElevatorStatusChange,
        (resolve(row) for rows in chunk for row in rows.status_changes),
    )
    report.contracts += _insert(
        session, MaintenanceContract, (resolve(row) for rows in chunk for row in rows.contracts)
    )
    report.warranties += _insert(
        session, Warranty, (resolve(row) for rows in chunk for row in rows.warranties)
    )


class _Resolver:
    """Turns a generated row into a table row: natural-key references become ids."""

    def __init__(self, organisation_ids: dict[str, int], now: datetime) -> None:
        self.organisation_ids = organisation_ids
        self.elevator_ids: dict[str, int] = {}
        self.now = now

    def __call__(self, row: Row) -> Row:
        resolved: Row = {"created_at": self.now}
        for key, value in row.items():
            if key.endswith("_credit_code"):
                resolved[key.removesuffix("_credit_code") + "_id"] = (
                    None if value is None else self.organisation_ids[value]
                )
            elif key == "elevator_equipment_code":
                resolved["elevator_id"] = self.elevator_ids[value]
            else:
                resolved[key] = value
        return resolved


def _insert(session: Session, model: type[Base], rows: Iterable[Row]) -> int:
    """Bulk-inserts `rows` in batches; returns how many."""
    count = 0
    for chunk in _chunks(rows):
        session.execute(_bulk_insert(model), chunk)
        count += len(chunk)
    return count


def _insert_returning_keys(
    session: Session, model: type[Base], key: InstrumentedAttribute[str], rows: list[Row]
) -> dict[str, int]:
    """Bulk-inserts `rows` and maps each row's natural `key` to the id the database gave it."""
    ids: dict[str, int] = {}
    for chunk in _chunks(rows):
        result = session.execute(_bulk_insert(model).returning(key, model.id), chunk)  # type: ignore[attr-defined]
        ids.update(result.all())
    return ids


def _bulk_insert(model: type[Base]) -> Insert:
    # The ORM leaves None out of an INSERT by default, which splits a batch into one statement
    # per pattern of NULLs; every row here names every column, so render them.
    return insert(model).execution_options(render_nulls=True)


def _chunks(items: Iterable[T]) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, BATCH_SIZE)):
        yield chunk
