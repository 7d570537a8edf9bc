"""KPI summary tables, filled from the existing rows and kept exact by triggers.

See `elevator_registry/kpi/models.py` for what the three tables hold. Triggers on incident,
inspection, elevator and maintenance_contract add each change to them in the same transaction,
so every code path (API, imports, CLI, hand-written SQL) keeps them current. Each trigger sees
the rows its statement changed with a sign (+1 new, -1 old) and adds the signed facts:

- incident insert/update/delete: the old row's contribution out, the new row's in;
- inspection insert (the table is append-only, migration 0002);
- elevator insert/update/delete: its fleet rows; after a move, its facts in the new street;
- contract insert/update/delete: its fleet rows, and the elevator's inspections in its period
  moved between the contract's unit and "no contract" (contracts of one elevator never overlap;
  registry.contracts refuses that).

The trigger SQL is generated once below for both databases: plpgsql functions on PostgreSQL,
trigger bodies on SQLite. It bakes in the district's zone (Asia/Shanghai, no DST: +08:00 on
SQLite) and the 5-minute response window; kpi.models names both.

Caution for later migrations, as for 0002: SQLite batch mode rebuilds a table and drops its
triggers. A later migration that batch-alters incident, inspection, elevator or
maintenance_contract on SQLite must create this migration's triggers again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 14:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ZONE = "Asia/Shanghai"
RESPONSE_SECONDS = 5 * 60
WAITING_SQL = "arrived_at IS NULL AND released_at IS NULL"
INCIDENT_MEASURES = (
    "incidents",
    "dispatched",
    "responded",
    "fault_trapped",
    "arrived",
    "arrival_seconds",
    "on_time",
    "late_without_arrival",
)
MEASURES = (*INCIDENT_MEASURES, "inspections", "first_passes")


class Sql:
    """The dialect's spelling of what the trigger statements need."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres

    def local_day(self, instant: str) -> str:
        if self.postgres:
            return f"CAST(({instant} AT TIME ZONE '{ZONE}') AS DATE)"
        return f"date({instant}, '+480 minutes')"

    def seconds(self, earlier: str, later: str) -> str:
        if self.postgres:
            return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
        return f"round((julianday({later}) - julianday({earlier})) * 86400)"

    def day_after(self, day: str) -> str:
        return f"({day} + 1)" if self.postgres else f"date({day}, '+1 day')"

    def date(self, text: str) -> str:
        return f"DATE '{text}'" if self.postgres else f"'{text}'"


def incident_facts(sql: Sql, row: str) -> tuple[list[str], str]:
    """([day, *MEASURES] expressions, condition) of a settled trapped incident `row`."""
    arrived = f"{row}.arrived_at IS NOT NULL"
    conditions = {
        "dispatched": f"{row}.dispatched_at IS NOT NULL",
        "responded": f"{row}.dispatched_at IS NOT NULL AND {row}.accepted_at IS NOT NULL AND "
        f"{sql.seconds(f'{row}.dispatched_at', f'{row}.accepted_at')} <= {RESPONSE_SECONDS}",
        "fault_trapped": f"{row}.fault_cause_code IS NULL OR "
        f"{row}.fault_cause_code NOT IN ('misuse', 'power_cut')",
        "arrived": arrived,
        "on_time": f"{arrived} AND {row}.arrived_at <= {row}.arrival_deadline_at",
        "late_without_arrival": f"{row}.arrived_at IS NULL AND "
        f"{row}.arrival_deadline_at < {row}.released_at",
    }
    arrival_seconds = sql.seconds(f"{row}.reported_at", f"{row}.arrived_at")
    measures = ["1"]  # incidents
    measures += [
        f"CASE WHEN {arrived} THEN {arrival_seconds} ELSE 0 END"
        if name == "arrival_seconds"
        else f"CASE WHEN {conditions[name]} THEN 1 ELSE 0 END"
        for name in INCIDENT_MEASURES[1:]
    ]
    condition = (
        f"{row}.kind = 'trapped' AND {row}.status NOT IN ('false_alarm', 'cancelled') "
        f"AND ({row}.arrived_at IS NOT NULL OR {row}.released_at IS NOT NULL)"
    )
    return [sql.local_day(f"{row}.reported_at"), *measures, "0", "0"], condition


def inspection_facts(row: str) -> tuple[list[str], str]:
    """([day, *MEASURES] expressions, condition) of a first-time inspection `row`."""
    zeros = ["0"] * len(INCIDENT_MEASURES)
    passed = f"CASE WHEN {row}.result = 'pass' THEN 1 ELSE 0 END"
    return [f"{row}.performed_on", *zeros, "1", passed], f"{row}.kind IN ('periodic', 'self_test')"


def named(expressions: list[str]) -> str:
    """A select list of day and measures, each under its column name."""
    return ", ".join(
        f"{expression} AS {name}"
        for expression, name in zip(expressions, ("day", *MEASURES), strict=True)
    )


def signed(expressions: list[str], sign: str) -> list[str]:
    """Day and measures, the measures times `sign`."""
    day, *measures = expressions
    return [day, *(f"{sign} * ({measure})" for measure in measures)]


def upsert(table: str, keys: tuple[str, ...], facts: str) -> str:
    """Adds the measures of the `facts` subquery (columns: keys, measures), summed per key.

    Keys whose sums are all zero (an update that changed nothing counted) write nothing."""
    measures = ("elevators",) if table == "kpi_fleet" else MEASURES
    positions = ", ".join(str(index) for index in range(1, len(keys) + 1))
    changed = " OR ".join(f"sum(facts.{name}) <> 0" for name in measures)
    add = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in measures)
    return (
        f"INSERT INTO {table} ({', '.join(keys + measures)}) "
        f"SELECT {', '.join(f'facts.{key}' for key in keys)}, "
        f"{', '.join(f'sum(facts.{name})' for name in measures)} FROM ({facts}) AS facts "
        f"WHERE true GROUP BY {positions} HAVING {changed} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {add}"
    )


SIDES = {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}
"""The row images each event has."""


class Trigger:
    """One trigger: the rows its statement changed, as `r` with `r.sign` (+1 new, -1 old).

    PostgreSQL triggers are statement-level with transition tables where bulk loads happen
    (COPY of a million elevators: one aggregated upsert instead of a million updates of the same
    few summary rows, each walking the versions the transaction left behind). Incident triggers
    are row-level with a WHEN clause, so intake (a waiting incident) does not run them at all.
    SQLite triggers are row-level: SQLite updates rows in place.
    """

    def __init__(self, sql: Sql, table: str, event: str, columns: tuple[str, ...]) -> None:
        self.table = table
        self.event = event
        self.columns = columns
        self.postgres = sql.postgres
        self.statement_level = sql.postgres and table != "incident"
        self.name = f"kpi_{table}_{event.lower()}"

    def rows(self, alias: str = "r") -> str:
        """The changed rows as a subquery named `alias`."""
        parts = []
        for side in SIDES[self.event]:
            sign = "1" if side == "NEW" else "-1"
            if self.statement_level:
                parts.append(
                    f"SELECT {sign} AS sign, {', '.join(self.columns)} FROM {side.lower()}_rows"
                )
            else:
                values = ", ".join(f"{side}.{name} AS {name}" for name in self.columns)
                parts.append(f"SELECT {sign} AS sign, {values}")
        return f"({' UNION ALL '.join(parts)}) AS {alias}"

    def create(self, statements: list[str], when: str | None = None) -> None:
        """Creates the trigger (and on PostgreSQL its function) running `statements`."""
        body = "; ".join(statements)
        header = f"CREATE TRIGGER {self.name} AFTER {self.event} ON {self.table}"
        if self.statement_level:
            header += " REFERENCING " + " ".join(
                f"{side} TABLE AS {side.lower()}_rows" for side in SIDES[self.event]
            )
            header += " FOR EACH STATEMENT"
        else:
            header += " FOR EACH ROW"
        if when:
            header += f" WHEN ({when})"
        if self.postgres:
            op.execute(
                f"CREATE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END; $$"
            )
            op.execute(f"{header} EXECUTE FUNCTION {self.name}()")
        else:
            op.execute(f"{header} BEGIN {body}; END")

    def drop(self) -> None:
        """Drops the trigger (and its function)."""
        if self.postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}")
            op.execute(f"DROP FUNCTION IF EXISTS {self.name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {self.name}")


def incident_statements(sql: Sql, rows: str) -> list[str]:
    """The changed incidents `rows` into both day tables."""
    expressions, condition = incident_facts(sql, "r")
    facts = named(signed(expressions, "r.sign"))
    return [
        upsert(
            "kpi_street_day",
            ("day", "street"),
            f"SELECT e.street AS street, {facts} FROM {rows} "
            f"JOIN elevator e ON e.id = r.elevator_id WHERE {condition}",
        ),
        upsert(
            "kpi_unit_day",
            ("day", "maintenance_unit_id"),
            f"SELECT coalesce(r.maintenance_unit_id, 0) AS maintenance_unit_id, {facts} "
            f"FROM {rows} WHERE {condition}",
        ),
    ]


def covering_contract(elevator: str, day: str) -> str:
    """LEFT JOIN of the contract covering `day` for `elevator` (`c`)."""
    return (
        f"LEFT JOIN maintenance_contract c ON c.elevator_id = {elevator} "
        f"AND c.start_date <= {day} AND coalesce(c.terminated_on, c.end_date) >= {day}"
    )


def inspection_statements(rows: str) -> list[str]:
    """The inserted inspections `rows` into both day tables."""
    expressions, condition = inspection_facts("r")
    facts = named(expressions)
    return [
        upsert(
            "kpi_street_day",
            ("day", "street"),
            f"SELECT e.street AS street, {facts} FROM {rows} "
            f"JOIN elevator e ON e.id = r.elevator_id WHERE {condition}",
        ),
        upsert(
            "kpi_unit_day",
            ("day", "maintenance_unit_id"),
            f"SELECT coalesce(c.maintenance_unit_id, 0) AS maintenance_unit_id, {facts} "
            f"FROM {rows} {covering_contract('r.elevator_id', 'r.performed_on')} "
            f"WHERE {condition}",
        ),
    ]


def fleet_parts(sql: Sql, contracts: str, sign: str, *, elevators: str | None = None) -> str:
    """Fleet rows (street, maintenance_unit_id, day, elevators) of in-use elevators `e`: each
    +1 at (street, no unit) from the beginning of time (only given `elevators`), moved to a
    contract's unit (`c`, from `contracts`) for the contract's period; times `sign`."""
    end = sql.day_after("coalesce(c.terminated_on, c.end_date)")
    key = "e.street AS street, {unit} AS maintenance_unit_id, {day} AS day, {sign} AS elevators"
    moves = (
        ("c.maintenance_unit_id", "c.start_date", sign),
        ("c.maintenance_unit_id", end, f"-{sign}"),
        ("0", "c.start_date", f"-{sign}"),
        ("0", end, sign),
    )
    parts = [
        f"SELECT {key.format(unit=unit, day=day, sign=moved)} FROM {contracts} "
        "WHERE e.status = 'in_use'"
        for unit, day, moved in moves
    ]
    if elevators is not None:
        beginning = key.format(unit=0, day=sql.date("0001-01-01"), sign=sign)
        parts.insert(0, f"SELECT {beginning} FROM {elevators} WHERE e.status = 'in_use'")
    return " UNION ALL ".join(parts)


def elevator_statements(sql: Sql, trigger: Trigger) -> list[str]:
    """The changed elevators: their fleet rows, and when one moved, its facts' street."""
    elevators = trigger.rows("e")
    statements = [
        upsert(
            "kpi_fleet",
            ("street", "maintenance_unit_id", "day"),
            fleet_parts(
                sql,
                f"{elevators} JOIN maintenance_contract c ON c.elevator_id = e.id",
                "e.sign",
                elevators=elevators,
            ),
        )
    ]
    if trigger.event == "UPDATE":  # a new elevator has no facts yet; a deleted one had none
        rows = trigger.rows()
        incident, incident_condition = incident_facts(sql, "i")
        inspection, inspection_condition = inspection_facts("s")
        statements.append(
            upsert(
                "kpi_street_day",
                ("day", "street"),
                f"SELECT r.street AS street, {named(signed(incident, 'r.sign'))} FROM {rows} "
                f"JOIN incident i ON i.elevator_id = r.id WHERE {incident_condition} "
                f"UNION ALL SELECT r.street, {named(signed(inspection, 'r.sign'))} FROM {rows} "
                f"JOIN inspection s ON s.elevator_id = r.id WHERE {inspection_condition}",
            )
        )
    return statements


def contract_statements(sql: Sql, trigger: Trigger) -> list[str]:
    """The changed contracts: fleet rows, and the unit of the inspections in their periods."""
    fleet = fleet_parts(
        sql, f"{trigger.rows('c')} JOIN elevator e ON e.id = c.elevator_id", "c.sign"
    )
    rows = trigger.rows()
    expressions, condition = inspection_facts("s")
    moved = [
        f"SELECT {unit} AS maintenance_unit_id, {named(signed(expressions, sign))} "
        f"FROM {rows} JOIN inspection s ON s.elevator_id = r.elevator_id "
        f"AND s.performed_on >= r.start_date "
        f"AND s.performed_on <= coalesce(r.terminated_on, r.end_date) WHERE {condition}"
        for unit, sign in (("r.maintenance_unit_id", "r.sign"), ("0", "-r.sign"))
    ]
    return [
        upsert("kpi_fleet", ("street", "maintenance_unit_id", "day"), fleet),
        upsert("kpi_unit_day", ("day", "maintenance_unit_id"), " UNION ALL ".join(moved)),
    ]


INCIDENT_COLUMNS = (
    "elevator_id",
    "kind",
    "status",
    "maintenance_unit_id",
    "reported_at",
    "arrival_deadline_at",
    "dispatched_at",
    "accepted_at",
    "arrived_at",
    "released_at",
    "fault_cause_code",
)
INSPECTION_COLUMNS = ("elevator_id", "kind", "performed_on", "result")
ELEVATOR_COLUMNS = ("id", "street", "status")
CONTRACT_COLUMNS = ("elevator_id", "maintenance_unit_id", "start_date", "end_date", "terminated_on")
EVENTS = ("INSERT", "UPDATE", "DELETE")


def triggers(sql: Sql) -> list[tuple[Trigger, list[str], str | None]]:
    """Every trigger with its statements and WHEN clause."""
    made: list[tuple[Trigger, list[str], str | None]] = []
    counted = {side: incident_facts(sql, side)[1] for side in ("OLD", "NEW")}
    when = {
        "INSERT": counted["NEW"],
        "UPDATE": f"({counted['OLD']}) OR ({counted['NEW']})",
        "DELETE": counted["OLD"],
    }
    for event in EVENTS:
        trigger = Trigger(sql, "incident", event, INCIDENT_COLUMNS)
        made.append((trigger, incident_statements(sql, trigger.rows()), when[event]))
    trigger = Trigger(sql, "inspection", "INSERT", INSPECTION_COLUMNS)  # append-only (0002)
    made.append((trigger, inspection_statements(trigger.rows()), None))
    for event in EVENTS:
        trigger = Trigger(sql, "elevator", event, ELEVATOR_COLUMNS)
        made.append((trigger, elevator_statements(sql, trigger), None))
        trigger = Trigger(sql, "maintenance_contract", event, CONTRACT_COLUMNS)
        made.append((trigger, contract_statements(sql, trigger), None))
    return made


def _day_table(name: str, key: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column("day", sa.Date(), nullable=False),
        key,
        *(
            sa.Column(
                measure,
                sa.Float() if measure == "arrival_seconds" else sa.Integer(),
                nullable=False,
            )
            for measure in MEASURES
        ),
        sa.PrimaryKeyConstraint("day", key.name, name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    _day_table("kpi_street_day", sa.Column("street", sa.String(length=40), nullable=False))
    _day_table("kpi_unit_day", sa.Column("maintenance_unit_id", sa.Integer(), nullable=False))
    op.create_table(
        "kpi_fleet",
        sa.Column("street", sa.String(length=40), nullable=False),
        sa.Column("maintenance_unit_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("elevators", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("street", "maintenance_unit_id", "day", name=op.f("pk_kpi_fleet")),
    )
    with op.batch_alter_table("incident") as batch:
        batch.create_index(
            "ix_incident_waiting",
            ["kind", "reported_at"],
            sqlite_where=sa.text(WAITING_SQL),
            postgresql_where=sa.text(WAITING_SQL),
        )
    sql = Sql(op.get_bind().dialect.name == "postgresql")
    _fill(sql)
    for trigger, statements, when in triggers(sql):
        trigger.create(statements, when)


def _fill(sql: Sql) -> None:
    """Sums the rows already there into the new tables (the triggers' statements, applied to
    every row as if just inserted)."""
    incidents = "(SELECT 1 AS sign, i.* FROM incident i) AS r"
    inspections = "(SELECT s.* FROM inspection s) AS r"
    for statement in incident_statements(sql, incidents) + inspection_statements(inspections):
        op.execute(statement)
    op.execute(
        upsert(
            "kpi_fleet",
            ("street", "maintenance_unit_id", "day"),
            fleet_parts(
                sql,
                "elevator e JOIN maintenance_contract c ON c.elevator_id = e.id",
                "1",
                elevators="elevator e",
            ),
        )
    )


def downgrade() -> None:
    for trigger, _statements, _when in triggers(Sql(op.get_bind().dialect.name == "postgresql")):
        trigger.drop()
    with op.batch_alter_table("incident") as batch:
        batch.drop_index("ix_incident_waiting")
    op.drop_table("kpi_fleet")
    op.drop_table("kpi_unit_day")
    op.drop_table("kpi_street_day")
