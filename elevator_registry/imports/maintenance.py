"""Importing maintenance records at bulk speed, with the checks `maintenance.service.file_record`
applies to one record.

`file_record` runs five queries, a flush and an audit event per record; at 200,000 rows that is
the whole cost of an import. Here the same rules run in Python against facts loaded once per
batch (elevators by equipment code, their contracts, each maintenance unit's eligibility), and
the valid rows are written per batch (PostgreSQL: COPY, streamed on a helper thread while the
next batch is parsed and validated; SQLite: one executemany):

- the record content is validated by the API's own schema, `MaintenanceRecordCreate`;
- the crew by the API's own `checked_crew` (≥2 distinct workers, ≥1 valid certificate);
- the visit by `check_visit` below, which raises the same codes, fields and messages as
  `maintenance.service._check_visit` (RECORD_DATE_IN_FUTURE, RECORD_BEFORE_COMMISSIONING,
  ELEVATOR_SCRAPPED, NO_CONTRACT_ON_DATE, MAINTAINER_NOT_ELIGIBLE) — kept in step by
  tests/imports/test_import_maintenance.py, which files the same bad records through both;
- eligibility by the registry's own `maintainer_ineligibility`, called once per unit and per
  interval between the dates at which its licences and blacklist listings start or end (its
  answer only changes on those dates), instead of once per row;
- a maintenance unit's upload is scoped as the API scopes it: only elevators it holds the
  contract for on the record's day; any other row is a row error, never a write.

Natural key: (elevator, performed_at, record_class), as the API's RECORD_DUPLICATE check; the
maintenance unit follows from the contract covering that day. A row matching any revision of an
existing record is "already present" and skipped, so a re-import adds nothing even after a
record was corrected by a revision.
"""

import bisect
import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import orjson
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.errors import (
    DomainError,
    Forbidden,
    NotFound,
)
from elevator_registry.governance.models import BlacklistEntry
from elevator_registry.imports import cells
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.schemas import RowError
from elevator_registry.imports.service import ImportContext, RowImporter, SourceRow
from elevator_registry.maintenance import service as maintenance_service
from elevator_registry.maintenance.enums import RecordClass
from elevator_registry.maintenance.models import MaintenanceRecord
from elevator_registry.maintenance.schemas import MaintenanceRecordCreate, Worker
from elevator_registry.registry import identifiers
from elevator_registry.registry import organisations as organisation_service
from elevator_registry.registry.enums import LicenceKind
from elevator_registry.registry.models import Elevator, Licence, MaintenanceContract, Organisation

CLASS_ALIASES: dict[str, str] = {member.value: member.value for member in RecordClass} | {
    "半月": "half_month",
    "半月保": "half_month",
    "半月维保": "half_month",
    "季度": "quarter",
    "季度保": "quarter",
    "季度维保": "quarter",
    "半年": "half_year",
    "半年保": "half_year",
    "半年维保": "half_year",
    "年度": "year",
    "年度保": "year",
    "年度维保": "year",
    "全年": "year",
    "维修": "repair",
    "修理": "repair",
    "按需": "on_demand",
    "按需维保": "on_demand",
}
WORKER_SLOTS = 3
# How each column's cells are read; `performed_at` is read in the district's zone, which each
# import binds (`MaintenanceRecordImporter.parsers`, same order).
PARSERS: dict[str, Any] = {
    "equipment_code": cells.text,
    "record_class": cells.Choice(CLASS_ALIASES),
    "performed_at": cells.moment,
    "maintenance_unit_credit_code": cells.text,
    "items_done": cells.listing,
    "findings": cells.text,
    "parts_replaced": cells.listing,
} | {
    f"worker_{slot}_{part}": cells.text
    for slot in range(1, WORKER_SLOTS + 1)
    for part in ("name", "certificate")
}
CACHE_LIMIT = 20_000  # elevators (with their contracts) kept between batches
COLUMNS = (
    "id",
    "elevator_id",
    "contract_id",
    "maintenance_unit_id",
    "record_class",
    "performed_at",
    "workers",
    "items_done",
    "findings",
    "parts_replaced",
    "revision",
    "supersedes_id",
    "revision_reason",
    "filed_by",
    "created_at",
)


@dataclass(frozen=True, slots=True)
class ElevatorFacts:
    """What the visit checks read about an elevator."""

    id: int
    commissioned_on: date | None
    status: str
    status_changed_on: date | None
    manufacturer_id: int | None


@dataclass(frozen=True, slots=True)
class ContractFacts:
    """What the visit checks read about a contract."""

    id: int
    maintenance_unit_id: int
    start_date: date
    effective_end: date


class Eligibility:
    """`maintainer_ineligibility`, asked once per unit and per interval in which it cannot change.

    The answer for a day depends only on which of the unit's blacklist listings and licences
    cover that day (listed_on ≤ day < lifted_on; valid_from ≤ day ≤ valid_until, before the
    revocation day and the local day of a suspension) and on their statuses, so it is constant
    between consecutive such boundary dates.
    """

    def __init__(self, session: Session, *, timezone: str) -> None:
        self.session = session
        self.zone = ZoneInfo(timezone)
        self._boundaries: dict[int, list[date]] = {}
        self._answers: dict[tuple[int, bool, int], list[str]] = {}

    def reasons(self, unit_id: int, day: date, *, manufactured_by_it: bool) -> list[str]:
        """Why the unit may not maintain on `day`; empty when it may."""
        boundaries = self._boundaries.get(unit_id)
        if boundaries is None:
            boundaries = self._boundaries[unit_id] = self._load(unit_id)
        key = (unit_id, manufactured_by_it, bisect.bisect_right(boundaries, day))
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = organisation_service.maintainer_ineligibility(
                self.session,
                organisation_id=unit_id,
                on=day,
                manufactured_by_it=manufactured_by_it,
            )
        return answer

    def _load(self, unit_id: int) -> list[date]:
        days: set[date] = set()
        for listed_on, lifted_on in self.session.execute(
            select(BlacklistEntry.listed_on, BlacklistEntry.lifted_on).where(
                BlacklistEntry.organisation_id == unit_id
            )
        ):
            days.add(listed_on)
            if lifted_on is not None:
                days.add(lifted_on)
        for valid_from, valid_until, revoked_on, suspended_at in self.session.execute(
            select(
                Licence.valid_from, Licence.valid_until, Licence.revoked_on, Licence.suspended_at
            ).where(
                Licence.organisation_id == unit_id,
                Licence.kind.in_([LicenceKind.INSTALLATION_MAINTENANCE, LicenceKind.MANUFACTURE]),
            )
        ):
            days.add(valid_from)
            days.add(valid_until + timedelta(days=1))
            if revoked_on is not None:
                days.add(revoked_on)
            if suspended_at is not None:
                days.add(suspended_at.astimezone(self.zone).date())
        return sorted(days)


def check_visit(
    *,
    elevator: ElevatorFacts,
    performed_at: datetime,
    maintenance_unit_id: int | None,
    contracts: list[ContractFacts],
    eligibility: Eligibility,
    now: datetime,
    timezone: str,
) -> ContractFacts:
    """The checks of `maintenance.service._check_visit` on preloaded facts, with its refusals."""
    day = maintenance_service.check_visit_day(
        elevator, performed_at=performed_at, now=now, timezone=timezone
    )
    contract = next(
        (
            candidate
            for candidate in contracts
            if candidate.start_date <= day <= candidate.effective_end
            and (
                maintenance_unit_id is None or candidate.maintenance_unit_id == maintenance_unit_id
            )
        ),
        None,
    )
    if contract is None:
        raise maintenance_service.no_contract_on(
            day, elevator_id=elevator.id, maintenance_unit_id=maintenance_unit_id
        )
    reasons = eligibility.reasons(
        contract.maintenance_unit_id,
        day,
        manufactured_by_it=elevator.manufacturer_id == contract.maintenance_unit_id,
    )
    if reasons:
        raise maintenance_service.maintainer_not_eligible_on(
            day, unit_id=contract.maintenance_unit_id, reasons=reasons
        )
    return contract


@dataclass(slots=True)
class Pending:
    """A row whose cells parsed, on its way to the schema."""

    row: SourceRow
    code: str
    unit_code: str | None
    slots: list[int]
    body: dict[str, Any]


@dataclass(slots=True)
class Candidate:
    """A row that passed the schema, waiting for the visit checks and the duplicate check."""

    row: SourceRow
    elevator: ElevatorFacts
    data: MaintenanceRecordCreate
    unit_id: int | None
    slots: list[int]
    key: tuple[int, Any, str]


class CrewChecks:
    """`maintenance.service.checked_crew`, remembered per crew (it depends on nothing else).

    A unit's ledger repeats the same few crews on thousands of rows.
    """

    def __init__(self, serialise: Any, limit: int = 10_000) -> None:
        self.serialise = serialise
        self.limit = limit
        self._answers: dict[tuple[tuple[str, str | None], ...], Any] = {}

    def check(self, workers: list[Worker]) -> Any:
        """The crew as the driver stores it (serialised), or the service's refusal."""
        key = tuple((worker.name, worker.certificate_number) for worker in workers)
        answer = self._answers.get(key)
        if answer is None:
            try:
                answer = self.serialise(maintenance_service.checked_crew(workers))
            except DomainError as error:
                answer = error
            if len(self._answers) >= self.limit:
                self._answers.clear()
            self._answers[key] = answer
        if isinstance(answer, DomainError):
            raise answer
        return answer


class Serialised:
    """A JSON column's stored form, remembered per value (ledgers repeat the same item lists)."""

    def __init__(self, serialise: Any, limit: int = 10_000) -> None:
        self.serialise = serialise
        self.limit = limit
        self._known: dict[tuple[str, ...], Any] = {}

    def __call__(self, items: list[str]) -> Any:
        key = tuple(items)
        stored = self._known.get(key)
        if stored is None:
            if len(self._known) >= self.limit:
                self._known.clear()
            stored = self._known[key] = self.serialise(list(items))
        return stored


class MaintenanceRecordImporter(RowImporter):
    """Maintenance records, natural key (elevator, performed_at, record_class)."""

    kind = ImportKind.MAINTENANCE_RECORDS
    entity = "maintenance_record"
    field_columns: ClassVar[dict[str, str]] = {
        "elevator_id": "equipment_code",
        "contract_id": "equipment_code",
        "workers": "worker_1_name",
    }

    def __init__(self, context: ImportContext) -> None:
        super().__init__(context)
        self.parsers = PARSERS | {"performed_at": partial(cells.moment, zone=context.zone)}
        dialect = self.session.get_bind().dialect
        self.postgres = dialect.name == "postgresql"
        # SQLAlchemy's own conversions of these columns, so rows written here are stored
        # exactly as the ORM stores them (SQLite keeps timestamps and JSON as text).
        table = MaintenanceRecord.__table__
        self.store = {
            name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) or _same
            for name in ("performed_at", "workers", "items_done", "parts_replaced", "created_at")
        }
        if self.postgres:
            # COPY takes the JSON text; jsonb stores the same value whatever the spacing.
            for name in ("workers", "items_done", "parts_replaced"):
                self.store[name] = _json_text
        self.items = Serialised(self.store["items_done"])
        self.parts = Serialised(self.store["parts_replaced"])
        self.eligibility = Eligibility(self.session, timezone=self.context.settings.timezone)
        self.crews = CrewChecks(self.store["workers"])
        self.elevators: dict[str, ElevatorFacts | None] = {}
        self.contracts: dict[int, list[ContractFacts]] = {}
        self.units: dict[str, int | None] = {}
        self.own_unit = (
            context.actor.organisation_id if context.actor.role == Role.MAINTENANCE_UNIT else None
        )
        self.filed_by = context.actor.label[: MaintenanceRecord.__table__.c.filed_by.type.length]
        self.created_at = self.store["created_at"](context.now)
        self._next_id: int | None = None
        self._sequence: str | None = None
        self._copier = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-copy")
            if self.postgres
            else None
        )
        self._copying: Future[None] | None = None

    # The batch ---------------------------------------------------------------------------

    def process(self, rows: list[SourceRow]) -> None:
        # Python only, while the previous batch may still be streaming into PostgreSQL.
        pending = []
        for row in rows:
            values = self.parse(row, self.parsers)
            if values is not None and (item := self._pending(row, values)) is not None:
                pending.append(item)
        validated = self._validated(pending)
        # The database again: the previous COPY must be complete (and its rows visible).
        self._wait_for_copy()
        self._load_elevators({item.code for item, _ in validated})
        candidates = self._resolved(validated)
        present = self._present_keys(candidates)
        written: set[tuple[int, Any, str]] = set()
        batch: list[tuple[Any, ...]] = []
        for candidate in candidates:
            key = candidate.key
            if key in present or key in written:
                self.tally.skip()
                continue
            try:
                crew, contract = self._check(candidate)
            except DomainError as error:
                self.tally.fail([self._error(candidate, error)])
                continue
            written.add(key)
            self.elevators_written.add(candidate.elevator.id)
            batch.append(self._values(candidate, crew, contract))
        if batch:
            self._insert(batch)

    def finish(self) -> None:
        self._wait_for_copy()
        if self._copier is not None:
            self._copier.shutdown()

    def abort(self) -> None:
        with contextlib.suppress(Exception):  # the import is failing already; that error wins
            self._wait_for_copy()
        if self._copier is not None:
            self._copier.shutdown()

    def _pending(self, row: SourceRow, values: dict[str, Any]) -> Pending | None:
        """The row as a body for the API schema; its elevator and unit are looked up later."""
        code = values.pop("equipment_code", None)
        errors = []
        if code is None:
            errors.append(
                self.context.row_error(
                    row.number,
                    "equipment_code",
                    "VALIDATION_ERROR",
                    "equipment_code is required",
                    f"{self.context.column_name('equipment_code')}为必填项",
                )
            )
        workers, slots = [], []
        for slot in range(1, WORKER_SLOTS + 1):
            name = values.pop(f"worker_{slot}_name", None)
            certificate = values.pop(f"worker_{slot}_certificate", None)
            if name is None and certificate is None:
                continue
            if name is None:
                name_column = self.context.column_name(f"worker_{slot}_name")
                certificate_column = self.context.column_name(f"worker_{slot}_certificate")
                errors.append(
                    self.context.row_error(
                        row.number,
                        f"worker_{slot}_name",
                        "VALIDATION_ERROR",
                        f"worker_{slot}_certificate is given but worker_{slot}_name is blank",
                        f"填写了{certificate_column}，{name_column}却为空",
                    )
                )
                continue
            workers.append({"name": name, "certificate_number": certificate})
            slots.append(slot)
        if errors or code is None:
            self.tally.fail(errors)
            return None
        unit_code = values.pop("maintenance_unit_credit_code", None)
        values["workers"] = workers
        # Any valid id passes the schema; the row's elevator is found by its code afterwards
        # (the API, too, validates the body before it looks the elevator up).
        values["elevator_id"] = 1
        return Pending(row, code.upper(), unit_code, slots, values)

    def _validated(self, pending: list[Pending]) -> list[tuple[Pending, MaintenanceRecordCreate]]:
        """The API's schema on every body: one call for the batch, row by row if any fails."""
        try:
            models = RECORDS.validate_python([item.body for item in pending])
        except ValidationError:
            models = []
            for item in pending:
                try:
                    models.append(MaintenanceRecordCreate.model_validate(item.body))
                except ValidationError as error:
                    self.tally.fail(self._validation_errors(item, error))
                    models.append(None)
        return [
            (item, data) for item, data in zip(pending, models, strict=True) if data is not None
        ]

    def _resolved(
        self, validated: list[tuple[Pending, MaintenanceRecordCreate]]
    ) -> list[Candidate]:
        """Valid rows with their elevator and unit found; the others fail."""
        instant = self.store["performed_at"]
        candidates = []
        for item, data in validated:
            elevator = self.elevators.get(item.code)
            errors = []
            if elevator is None or not self._known_to_uploader(elevator):
                errors.append(self.elevator_not_found(item.row.number, item.code))
            unit_id = self.own_unit
            if item.unit_code is not None:
                try:
                    unit_id = self._unit(item.unit_code)
                except DomainError as error:
                    errors.append(self.domain_error(item.row, error))
            if errors or elevator is None:
                self.tally.fail(errors)
                continue
            key = (elevator.id, instant(data.performed_at), data.record_class.value)
            candidates.append(Candidate(item.row, elevator, data, unit_id, item.slots, key))
        return candidates

    def _known_to_uploader(self, elevator: ElevatorFacts) -> bool:
        """A maintenance firm learns of no elevator it has never held a contract for."""
        return self.own_unit is None or any(
            contract.maintenance_unit_id == self.own_unit
            for contract in self.contracts[elevator.id]
        )

    def _check(self, candidate: Candidate) -> tuple[Any, ContractFacts]:
        """The API's checks of one record: crew, then the visit (date, contract, eligibility)."""
        crew = self.crews.check(candidate.data.workers)
        return crew, check_visit(
            elevator=candidate.elevator,
            performed_at=candidate.data.performed_at,
            maintenance_unit_id=candidate.unit_id,
            contracts=self.contracts.get(candidate.elevator.id, []),
            eligibility=self.eligibility,
            now=self.context.now,
            timezone=self.context.settings.timezone,
        )

    def _values(self, candidate: Candidate, crew: Any, contract: ContractFacts) -> tuple[Any, ...]:
        """The row as the driver receives it (without its id, allocated at insert)."""
        data = candidate.data
        return (
            candidate.elevator.id,
            contract.id,
            contract.maintenance_unit_id,
            candidate.key[2],
            candidate.key[1],
            crew,
            self.items(data.items_done),
            data.findings,
            self.parts(data.parts_replaced),
            1,
            None,
            None,
            self.filed_by,
            self.created_at,
        )

    # Errors ------------------------------------------------------------------------------

    def _error(self, candidate: Candidate, error: DomainError) -> RowError:
        field = error.field
        column = None
        if field and field.startswith("workers."):
            index = int(field.split(".")[1])
            part = "certificate" if field.endswith("certificate_number") else "name"
            column = f"worker_{candidate.slots[index]}_{part}"
        return self.domain_error(candidate.row, error, column)

    def _validation_errors(self, item: Pending, error: ValidationError) -> list[RowError]:
        entries = self.validation_errors(item.row, error)
        # pydantic locates worker problems as workers.<index>.<field>; name the file's column.
        for entry, problem in zip(entries, error.errors(), strict=True):
            location = problem["loc"]
            if location and location[0] == "workers" and len(location) >= 3:
                slot = item.slots[int(location[1])]
                part = "certificate" if location[2] == "certificate_number" else "name"
                entry.field = f"worker_{slot}_{part}"
                entry.column = self.context.header.headers.get(entry.field)
                entry.message_zh = self.problem_zh(problem, entry.field, [])
        return entries

    # Lookups -----------------------------------------------------------------------------

    def _load_elevators(self, codes: set[str]) -> None:
        missing = [code for code in codes if code not in self.elevators]
        if not missing:
            return
        if len(self.elevators) + len(missing) > CACHE_LIMIT:
            self.elevators.clear()
            self.contracts.clear()
        found: dict[str, ElevatorFacts] = {}
        for chunk in _chunks(missing, 1000):
            for row in self.session.execute(
                select(
                    Elevator.equipment_code,
                    Elevator.id,
                    Elevator.commissioned_on,
                    Elevator.status,
                    Elevator.status_changed_on,
                    Elevator.manufacturer_id,
                ).where(Elevator.equipment_code.in_(chunk))
            ):
                found[row.equipment_code] = ElevatorFacts(*row[1:])
        for code in missing:
            self.elevators[code] = found.get(code)
        ids = [facts.id for facts in found.values()]
        for elevator_id in ids:
            self.contracts[elevator_id] = []
        for chunk in _chunks(ids, 1000):
            for row in self.session.execute(
                select(
                    MaintenanceContract.elevator_id,
                    MaintenanceContract.id,
                    MaintenanceContract.maintenance_unit_id,
                    MaintenanceContract.start_date,
                    func.coalesce(MaintenanceContract.terminated_on, MaintenanceContract.end_date),
                )
                .where(MaintenanceContract.elevator_id.in_(chunk))
                .order_by(MaintenanceContract.id)
            ):
                self.contracts[row[0]].append(ContractFacts(*row[1:]))

    def _unit(self, credit_code: str) -> int:
        code = identifiers.validate_credit_code(credit_code, field="maintenance_unit_credit_code")
        if code not in self.units:
            self.units[code] = self.session.scalar(
                select(Organisation.id).where(Organisation.credit_code == code)
            )
        unit_id = self.units[code]
        if unit_id is None:
            raise NotFound("organisation", code)
        if self.own_unit is not None and unit_id != self.own_unit:
            raise Forbidden(
                "OUT_OF_SCOPE",
                f"maintenance_unit_credit_code {code} is another unit; a maintenance unit "
                "imports only its own records",
                message_zh=f"维保单位统一社会信用代码 {code} 是另一家单位的；"
                "维保单位只能导入本单位的维保记录",
            )
        return unit_id

    def _present_keys(self, candidates: list[Candidate]) -> set[tuple[int, Any, str]]:
        """Keys of the batch already recorded (any revision) — in the database or this import.

        Exact matches on (elevator_id, performed_at), which the index on those two columns
        serves; keys are compared in the form the database stores.
        """
        pairs = list({candidate.key[:2] for candidate in candidates})
        found: set[tuple[int, Any, str]] = set()
        connection = self.session.connection()
        for chunk in _chunks(pairs, 2000):
            if self.postgres:
                # One index probe per key: the OFFSET 0 fence keeps the planner from turning
                # this into a sort-merge over the whole table, which stale statistics in the
                # middle of a bulk load make it prefer.
                rows = connection.exec_driver_sql(
                    "SELECT k.elevator_id, k.performed_at, r.record_class FROM unnest("
                    "%(elevators)s::integer[], %(instants)s::timestamptz[]"
                    ") AS k(elevator_id, performed_at) CROSS JOIN LATERAL ("
                    "SELECT m.record_class FROM maintenance_record AS m "
                    "WHERE m.elevator_id = k.elevator_id AND m.performed_at = k.performed_at "
                    "OFFSET 0) AS r",
                    {
                        "elevators": [pair[0] for pair in chunk],
                        "instants": [pair[1] for pair in chunk],
                    },
                )
            else:
                # A join, not `(a, b) IN (VALUES …)`: SQLite scans the table for the latter.
                values = ", ".join("(?, ?)" for _ in chunk)
                rows = connection.exec_driver_sql(
                    "SELECT r.elevator_id, r.performed_at, r.record_class "
                    f"FROM (VALUES {values}) AS k CROSS JOIN maintenance_record AS r "
                    "ON r.elevator_id = k.column1 AND r.performed_at = k.column2",
                    tuple(value for pair in chunk for value in pair),
                )
            found.update((row[0], row[1], row[2]) for row in rows)
        return found

    # Writing -----------------------------------------------------------------------------

    def _allocate(self, count: int) -> list[int]:
        """Ids for `count` new records (so the audit event can name the range written)."""
        if self.postgres:
            if self._sequence is None:
                self._sequence = self.session.scalar(
                    text("SELECT pg_get_serial_sequence('maintenance_record', 'id')")
                )
            return list(
                self.session.scalars(
                    text("SELECT nextval(CAST(:sequence AS regclass)) FROM generate_series(1, :n)"),
                    {"sequence": self._sequence, "n": count},
                )
            )
        # SQLite has one writer at a time, and a transaction that read before another one
        # committed cannot write afterwards (SQLITE_BUSY_SNAPSHOT): the ids after the max(id)
        # read here stay ours until this transaction ends.
        if self._next_id is None:
            self._next_id = (
                self.session.scalar(select(func.coalesce(func.max(MaintenanceRecord.id), 0))) or 0
            ) + 1
        first = self._next_id
        self._next_id += count
        return list(range(first, first + count))

    def _insert(self, batch: list[tuple[Any, ...]]) -> None:
        ids = self._allocate(len(batch))
        connection = self.session.connection()
        if self.postgres:
            # COPY runs on a helper thread while the next batch is parsed and validated; no one
            # touches the connection until `_wait_for_copy` (before the next lookups, or at the
            # end), which also re-raises anything the COPY ran into.
            assert self._copier is not None
            self._copying = self._copier.submit(
                _copy, connection.connection.driver_connection, ids, batch
            )
        else:
            connection.exec_driver_sql(
                f"INSERT INTO maintenance_record ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in COLUMNS)})",
                [(record_id, *values) for record_id, values in zip(ids, batch, strict=True)],
            )
        self.tally.wrote(ids[0], ids[-1], len(batch))

    def _wait_for_copy(self) -> None:
        if self._copying is not None:
            copying, self._copying = self._copying, None
            copying.result()


def _copy(driver: Any, ids: list[int], batch: list[tuple[Any, ...]]) -> None:
    """Writes one batch with COPY FROM STDIN (PostgreSQL)."""
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY maintenance_record ({', '.join(COLUMNS)}) FROM STDIN") as copy,
    ):
        for record_id, values in zip(ids, batch, strict=True):
            copy.write_row((record_id, *values))


RECORDS = TypeAdapter(list[MaintenanceRecordCreate])


def _same(value: Any) -> Any:
    return value


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
