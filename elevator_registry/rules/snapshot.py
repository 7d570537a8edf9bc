"""The risk snapshot: refreshed set-wise for the whole registry, and per elevator on every write.

`refresh_all` evaluates every listed rule for every elevator as of one day with the same SQL as
the live list (`service.findings_statement`) and stores the scored result in `elevator_risk`;
`risk refresh` runs it, and so does the daily loop `serve` starts. The list reads the snapshot
when asked for that day, so its first page is an index scan instead of scoring the registry.

Every refresh also stores each row's findings as the CSV export's text cells (`_render_texts`),
so the export is one query: the distinct findings documents of the rows just written are
rendered once each in Python, by the live path's code (`Rule.describe`, in its order), and
joined back in one UPDATE, from a temporary table (COPY on PostgreSQL) for the whole registry,
from array parameters for a write on PostgreSQL. The texts are never written in SQL, so there
is one definition of them.

Writes keep it current in their own transaction: session events note the elevators a flush or
a bulk statement touched (directly by `elevator_id`, or through a record, hazard, incident,
or a maintenance unit's licence, blacklisting and drills for every elevator it maintains) and
re-evaluate just those elevators, as of the snapshot's day. Writes that move no elevator's
evidence cost one primary-key read of `risk_snapshot`.
"""

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

import structlog
from sqlalchemy import (
    Column,
    ColumnElement,
    CursorResult,
    Engine,
    Insert,
    MetaData,
    Table,
    Text,
    Update,
    bindparam,
    cast,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from elevator_registry.clock import Clock
from elevator_registry.config import Settings, get_settings
from elevator_registry.db import get_engine
from elevator_registry.incidents.models import Incident
from elevator_registry.jobs import PeriodicJob, run_periodic
from elevator_registry.maintenance.models import HazardReport, MaintenanceRecord
from elevator_registry.registry.models import Elevator, MaintenanceContract
from elevator_registry.rules.catalogue import listed_rules
from elevator_registry.rules.context import RuleContext
from elevator_registry.rules.models import ElevatorRisk, RiskSnapshot
from elevator_registry.rules.service import (
    finding_cells,
    findings_statement,
    snapshot_day,
    stored_findings,
)

log = structlog.get_logger("elevator_registry.risk")
CHUNK = 1000
PENDING = "risk_pending_elevators"


@dataclass(frozen=True)
class RefreshReport:
    """What one whole-registry refresh did."""

    evaluated_on: date
    elevators: int
    seconds: float

    def summary(self) -> str:
        """One line for the CLI and the log."""
        return (
            f"risk snapshot for {self.evaluated_on}: {self.elevators:,} elevators with findings "
            f"({self.seconds:.1f} s)"
        )


class findings_json(FunctionElement[Any]):  # noqa: N801 - reads as a SQL function
    """Aggregate: a JSON array of [rule, ref_date, value] triples."""

    inherit_cache = True
    name = "findings_json"


@compiles(findings_json, "postgresql")
def _findings_json_postgresql(element: findings_json, compiler: SQLCompiler, **kw: Any) -> str:
    return f"jsonb_agg(jsonb_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(findings_json, "sqlite")
def _findings_json_sqlite(element: findings_json, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


def _scored_insert(ctx: RuleContext) -> Insert:
    """INSERT into `elevator_risk` of the scored findings of the elevators `ctx` selects."""
    findings = findings_statement(ctx, listed_rules()).subquery("findings")
    scored = (
        select(
            findings.c.elevator_id,
            Elevator.street,
            func.sum(findings.c.weight),
            func.count(),
            findings_json(findings.c.rule, findings.c.ref_date, findings.c.value),
        )
        .join(Elevator, Elevator.id == findings.c.elevator_id)
        .group_by(findings.c.elevator_id, Elevator.street)
    )
    return insert(ElevatorRisk.__table__).from_select(
        ["elevator_id", "street", "score", "findings_count", "findings"], scored
    )


# Building the nineteen rule queries costs more Python than the database spends evaluating
# them for one elevator, so the per-write statement is built once per day and settings object
# with the elevator ids and the moment as parameters.
_PER_WRITE: dict[tuple[date, int], Insert] = {}


def _per_write_insert(day: date, settings: Settings) -> Insert:
    key = (day, id(settings))
    if key not in _PER_WRITE:
        _PER_WRITE.clear()
        _PER_WRITE[key] = _scored_insert(
            RuleContext(
                as_of=day,
                settings=settings,
                now=datetime.now(UTC),
                elevator_filter=Elevator.id.in_(bindparam("elevator_ids", expanding=True)),
            )
        )
    return _PER_WRITE[key]


# Per distinct findings document, its rendered cells: a whole refresh's are COPYed into this
# table, dropped after each use, so a transaction that refreshes several times creates it anew.
# Text, compared with the stored JSON cast to text: on PostgreSQL that joins faster than jsonb.
_RENDERED = Table(
    "risk_rendered_findings",
    MetaData(),
    *(Column(name, Text) for name in ("findings", "rules", "details_zh", "details_en")),
    prefixes=["TEMPORARY"],
)


def _render_texts(
    session: Session, scope: ColumnElement[bool], *, day: date, settings: Settings, bulk: bool
) -> None:
    """Fills the texts of the `elevator_risk` rows `scope` selects, rendering each distinct
    findings document once in Python (`Rule.describe`, the live path's text and order).

    `bulk` (the whole registry) loads them into a temporary table; a write's few documents go
    as four array parameters on PostgreSQL instead, sparing every write two DDL statements.
    """
    documents = session.scalars(
        select(cast(ElevatorRisk.findings, Text)).where(scope).distinct()
    ).all()
    if not documents:
        return
    rendered = [
        (document, *finding_cells(stored_findings(document, day, settings)))
        for document in documents
    ]
    connection = session.connection()
    if not bulk and connection.dialect.name == "postgresql":
        arrays = (
            bindparam(None, list(cells), type_=ARRAY(Text)) for cells in zip(*rendered, strict=True)
        )
        inline = func.unnest(*arrays).table_valued(*_RENDERED.c.keys()).render_derived()
        connection.execute(_texts_update(scope, inline))
        return
    _RENDERED.create(connection)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {_RENDERED.name} FROM STDIN") as copy,
        ):
            for row in rendered:
                copy.write_row(row)
    else:
        connection.execute(
            insert(_RENDERED), [dict(zip(_RENDERED.c.keys(), row, strict=True)) for row in rendered]
        )
    connection.execute(_texts_update(scope, _RENDERED))
    _RENDERED.drop(connection)


def _texts_update(scope: ColumnElement[bool], rendered: Any) -> Update:
    """UPDATE of the rows `scope` selects with the texts `rendered` holds for their findings."""
    return (
        update(ElevatorRisk.__table__)
        .where(scope, cast(ElevatorRisk.findings, Text) == rendered.c.findings)
        .values(
            rules=rendered.c.rules,
            details_zh=rendered.c.details_zh,
            details_en=rendered.c.details_en,
        )
    )


def refresh_all(
    session: Session, *, as_of: date, now: datetime, settings: Settings
) -> RefreshReport:
    """Re-evaluates the whole registry as of `as_of` into the snapshot; the caller commits."""
    started = time.perf_counter()
    with _quiet(session):
        session.execute(delete(ElevatorRisk))
        session.execute(_scored_insert(RuleContext(as_of=as_of, settings=settings, now=now)))
        _render_texts(session, true(), day=as_of, settings=settings, bulk=True)
        session.execute(delete(RiskSnapshot))
        session.execute(
            insert(RiskSnapshot).values(
                id=1, evaluated_on=as_of, refreshed_at=now, texts_rendered=True
            )
        )
        count = session.scalar(select(func.count()).select_from(ElevatorRisk)) or 0
        # Fresh statistics, so the planner picks the rank indexes for the list's first pages.
        session.execute(text("ANALYZE elevator_risk"))
    return RefreshReport(as_of, count, time.perf_counter() - started)


def refresh_with_engine(
    engine: Engine, *, settings: Settings, as_of: date | None = None
) -> RefreshReport:
    """`refresh_all` in its own transaction on `engine`, as of `as_of` or the district's today."""
    clock = Clock(timezone=settings.timezone)
    with Session(engine) as session, session.begin():
        return refresh_all(
            session, as_of=as_of or clock.today(), now=clock.now(), settings=settings
        )


def refresh_elevators(
    session: Session,
    elevator_ids: Iterable[int],
    *,
    settings: Settings,
    now: datetime | None = None,
) -> None:
    """Re-evaluates these elevators as of the snapshot's day (nothing before the first refresh)."""
    with _quiet(session):
        day = snapshot_day(session)
        if day is None:
            return
        instant = RuleContext(as_of=day, settings=settings, now=now or datetime.now(UTC)).instant
        statement = _per_write_insert(day, settings)
        for chunk in _chunks(sorted(set(elevator_ids))):
            session.execute(delete(ElevatorRisk).where(ElevatorRisk.elevator_id.in_(chunk)))
            session.execute(statement, {"elevator_ids": chunk, "instant": instant})
            _render_texts(
                session, ElevatorRisk.elevator_id.in_(chunk), day=day, settings=settings, bulk=False
            )


@contextmanager
def _quiet(session: Session) -> Iterator[None]:
    """Marks the session while the snapshot writes, so its own statements are not tracked."""
    session.info["risk_refreshing"] = True
    try:
        with session.no_autoflush:
            yield
    finally:
        session.info.pop("risk_refreshing", None)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    iterator = iter(ids)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


# Which column of which table leads to the elevators a write affects ------------------------

_BY_ELEVATOR = "elevator_id"
_LINKS: dict[str, tuple[str, Any]] = {
    "maintenance_confirmation": ("record_id", MaintenanceRecord),
    "hazard_resolution": ("hazard_report_id", HazardReport),
    "incident_event": ("incident_id", Incident),
    "incident_report": ("incident_id", Incident),
}
_UNIT_COLUMNS = {"licence": "organisation_id", "blacklist_entry": "organisation_id"}
_IGNORED = {"elevator_risk", "risk_snapshot", "audit_event", "idempotency_key"}


@dataclass
class _Touched:
    """Keys noted during a transaction, resolved to elevator ids when refreshing."""

    elevators: set[int]
    links: dict[str, set[int]]
    units: set[int]

    @classmethod
    def of(cls, session: Session) -> "_Touched":
        return session.info.setdefault(PENDING, cls(set(), {}, set()))

    def note(self, table: str, values: Mapping[str, Any]) -> None:
        if table in _IGNORED:
            return
        if table == "elevator" and values.get("id") is not None:
            self.elevators.add(values["id"])
        if table == "rescue_drill" and values.get("maintenance_unit_id") is not None:
            self.units.add(values["maintenance_unit_id"])
        if values.get(_BY_ELEVATOR) is not None:
            self.elevators.add(values[_BY_ELEVATOR])
        if table in _LINKS and values.get(_LINKS[table][0]) is not None:
            self.links.setdefault(table, set()).add(values[_LINKS[table][0]])
        if table in _UNIT_COLUMNS and values.get(_UNIT_COLUMNS[table]) is not None:
            self.units.add(values[_UNIT_COLUMNS[table]])

    def resolve(self, session: Session, day: date) -> set[int]:
        found = set(self.elevators)
        for table, keys in self.links.items():
            _column, model = _LINKS[table]
            found.update(session.scalars(select(model.elevator_id).where(model.id.in_(keys))))
        if self.units:
            maintained: ColumnElement[bool] = or_(
                MaintenanceContract.maintenance_unit_id.in_(self.units),
                MaintenanceContract.elevator_id.in_(
                    select(Elevator.id).where(Elevator.manufacturer_id.in_(self.units))
                ),
            )
            found.update(
                session.scalars(
                    select(MaintenanceContract.elevator_id).where(
                        maintained,
                        MaintenanceContract.start_date <= day,
                        MaintenanceContract.effective_end >= day,
                    )
                )
            )
        return found


def _row_values(instance: Any) -> dict[str, Any]:
    table = getattr(instance, "__table__", None)
    if table is None:
        return {}
    return {column.key: getattr(instance, column.key, None) for column in table.columns}


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    """Notes what the flush wrote (the new, changed and deleted objects are still listed)."""
    if session.info.get("risk_refreshing"):
        return
    touched = _Touched.of(session)
    for instance in (*session.new, *session.dirty, *session.deleted):
        table = getattr(instance, "__tablename__", None)
        if table is not None:
            touched.note(table, _row_values(instance))


@event.listens_for(Session, "after_flush_postexec")
def _after_flush_postexec(session: Session, _flush: UOWTransaction) -> None:
    """Refreshes the elevators the flush touched, in the flush's transaction."""
    if not session.info.get("risk_refreshing"):
        _refresh_touched(session)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState) -> Any:
    """Bulk INSERT/UPDATE statements (imports, intake, escalation) bypass the flush: note them."""
    session = state.session
    if session.info.get("risk_refreshing") or not (state.is_insert or state.is_update):
        return None
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name is None or name in _IGNORED:
        return None
    result = state.invoke_statement()
    touched = _Touched.of(session)
    parameters = state.parameters
    for row in parameters if isinstance(parameters, list) else [parameters or {}]:
        touched.note(name, row)
    # A plain UPDATE (no RETURNING) has no rows to replay and callers read its rowcount; the
    # elevator status transitions among them also add a status-change row, which the flush notes.
    returns_rows = not isinstance(result, CursorResult) or result.returns_rows
    if state.is_update and name in ("elevator", "incident") and returns_rows:
        # Lifecycle and escalation updates return the ids of the incidents they moved.
        frozen = result.freeze()
        moved = {row[0] for row in frozen.data if row and isinstance(row[0], int)}
        if name == "elevator":
            touched.elevators |= moved
        else:
            touched.links.setdefault("incident_event", set()).update(moved)
        _refresh_touched(session)
        return frozen()
    _refresh_touched(session)
    return result


def _refresh_touched(session: Session) -> None:
    touched = session.info.pop(PENDING, None)
    if touched is None or not (touched.elevators or touched.links or touched.units):
        return
    with _quiet(session):
        day = snapshot_day(session)
        ids = touched.resolve(session, day) if day is not None else set()
    if ids:
        refresh_elevators(session, ids, settings=get_settings())


# The daily refresh in `serve` ----------------------------------------------------------------


def start_background(settings: Settings) -> PeriodicJob | None:
    """Starts the snapshot refresh job, once per tick across processes (None when disabled)."""
    if not settings.risk_refresh_loop_enabled:
        return None
    return run_periodic(
        "risk_refresh",
        settings.risk_refresh_interval_seconds,
        lambda: refresh_with_engine(get_engine(), settings=settings).summary(),
        engine=get_engine(),
    )
