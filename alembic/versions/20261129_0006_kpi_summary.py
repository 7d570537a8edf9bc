"""KPI summary tables, filled from the existing rows and kept exact by triggers.

See `elevator_registry/kpi/models.py` for what the three tables hold. Row triggers on incident,
inspection, elevator and maintenance_contract add each change to them in the same transaction,
so every code path (API, imports, CLI, hand-written SQL) keeps them current:

- incident insert/update/delete: the old row's contribution out, the new row's in;
- inspection insert (the table is append-only, migration 0002);
- elevator status or street change: its fleet rows, and its facts moved to the new street;
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
Revises: 0003
Create Date: 2026-11-29 14:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0003"
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
CONTRACT_COLUMNS = ("elevator_id", "maintenance_unit_id", "start_date", "end_date", "terminated_on")


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


def summed(key: str, sign: int) -> str:
    """SELECT list of a grouped fact subquery: day, `key`, each measure summed times `sign`."""
    return ", ".join(["facts.day", key, *(f"{sign} * sum(facts.{name})" for name in MEASURES)])


def upsert(table: str, keys: tuple[str, ...], query: str) -> str:
    """INSERT … SELECT that adds the selected measures to the rows already there."""
    measures = ("elevators",) if table == "kpi_fleet" else MEASURES
    add = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in measures)
    return (
        f"INSERT INTO {table} ({', '.join(keys + measures)}) {query} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {add}"
    )


def street_row(key: str, expressions: list[str], sign: int) -> str:
    """SELECT list of one fact: day, `key`, measures times `sign`."""
    day, *measures = expressions
    return ", ".join([day, key, *(f"{sign} * ({measure})" for measure in measures)])


def facts_of_incident(sql: Sql, row: str, sign: int) -> list[str]:
    """Adds (sign 1) or removes (-1) the incident `row` (NEW/OLD) to both day tables."""
    expressions, condition = incident_facts(sql, row)
    return [
        upsert(
            "kpi_street_day",
            ("day", "street"),
            f"SELECT {street_row('e.street', expressions, sign)} FROM elevator e "
            f"WHERE e.id = {row}.elevator_id AND {condition}",
        ),
        upsert(
            "kpi_unit_day",
            ("day", "maintenance_unit_id"),
            f"SELECT {street_row(f'coalesce({row}.maintenance_unit_id, 0)', expressions, sign)} "
            f"WHERE {condition}",
        ),
    ]


def covering_unit(elevator: str, day: str) -> str:
    """The unit whose contract covers `day` for `elevator`, 0 without one."""
    return (
        "coalesce((SELECT c.maintenance_unit_id FROM maintenance_contract c "
        f"WHERE c.elevator_id = {elevator} AND c.start_date <= {day} "
        f"AND coalesce(c.terminated_on, c.end_date) >= {day} LIMIT 1), 0)"
    )


def facts_of_new_inspection() -> list[str]:
    """Adds the inserted inspection to both day tables."""
    expressions, condition = inspection_facts("NEW")
    unit = covering_unit("NEW.elevator_id", "NEW.performed_on")
    return [
        upsert(
            "kpi_street_day",
            ("day", "street"),
            f"SELECT {street_row('e.street', expressions, 1)} FROM elevator e "
            f"WHERE e.id = NEW.elevator_id AND {condition}",
        ),
        upsert(
            "kpi_unit_day",
            ("day", "maintenance_unit_id"),
            f"SELECT {street_row(unit, expressions, 1)} WHERE {condition}",
        ),
    ]


def facts_of_elevator(sql: Sql, street: str, sign: int) -> str:
    """Adds (1) or removes (-1) every fact of the updated elevator to `street`, if it moved."""
    incident, incident_condition = incident_facts(sql, "i")
    inspection, inspection_condition = inspection_facts("s")
    return upsert(
        "kpi_street_day",
        ("day", "street"),
        f"SELECT {summed(street, sign)} FROM ("
        f"SELECT {named(incident)} FROM incident i "
        f"WHERE i.elevator_id = NEW.id AND {incident_condition} "
        f"UNION ALL SELECT {named(inspection)} FROM inspection s "
        f"WHERE s.elevator_id = NEW.id AND {inspection_condition}) AS facts "
        "WHERE OLD.street <> NEW.street GROUP BY facts.day",
    )


def fleet_of_elevator(sql: Sql, row: str, sign: int) -> str:
    """Adds (or removes) the in-use elevator `row` and its contracts to the fleet rows."""
    end = sql.day_after("coalesce(c.terminated_on, c.end_date)")
    contracts = f"FROM maintenance_contract c WHERE c.elevator_id = {row}.id"
    return upsert(
        "kpi_fleet",
        ("street", "maintenance_unit_id", "day"),
        f"SELECT {row}.street, unit, day, {sign} * sum(n) FROM ("
        f"SELECT 0 AS unit, {sql.date('0001-01-01')} AS day, 1 AS n "
        f"UNION ALL SELECT c.maintenance_unit_id, c.start_date, 1 {contracts} "
        f"UNION ALL SELECT c.maintenance_unit_id, {end}, -1 {contracts} "
        f"UNION ALL SELECT 0, c.start_date, -1 {contracts} "
        f"UNION ALL SELECT 0, {end}, 1 {contracts}) AS parts "
        f"WHERE {row}.status = 'in_use' GROUP BY unit, day",
    )


def fleet_of_contract(sql: Sql, row: str, sign: int) -> str:
    """Adds (or removes) contract `row`'s period to the fleet rows of its in-use elevator."""
    end = sql.day_after(f"coalesce({row}.terminated_on, {row}.end_date)")
    return upsert(
        "kpi_fleet",
        ("street", "maintenance_unit_id", "day"),
        f"SELECT e.street, parts.unit, parts.day, {sign} * sum(parts.n) FROM elevator e, ("
        f"SELECT {row}.maintenance_unit_id AS unit, {row}.start_date AS day, 1 AS n "
        f"UNION ALL SELECT {row}.maintenance_unit_id, {end}, -1 "
        f"UNION ALL SELECT 0, {row}.start_date, -1 "
        f"UNION ALL SELECT 0, {end}, 1) AS parts "
        f"WHERE e.id = {row}.elevator_id AND e.status = 'in_use' "
        "GROUP BY e.street, parts.unit, parts.day",
    )


def inspections_of_contract(row: str, sign: int) -> list[str]:
    """Moves the inspections in contract `row`'s period from "no contract" to its unit (sign 1)
    or back (-1)."""
    expressions, condition = inspection_facts("s")
    return [
        upsert(
            "kpi_unit_day",
            ("day", "maintenance_unit_id"),
            f"SELECT {summed(unit, unit_sign)} FROM (SELECT {named(expressions)} "
            f"FROM inspection s WHERE s.elevator_id = {row}.elevator_id AND {condition} "
            f"AND s.performed_on >= {row}.start_date "
            f"AND s.performed_on <= coalesce({row}.terminated_on, {row}.end_date)) AS facts "
            "WHERE true GROUP BY facts.day",
        )
        for unit, unit_sign in ((f"{row}.maintenance_unit_id", sign), ("0", -sign))
    ]


def triggers(sql: Sql) -> dict[tuple[str, str, str], list[str]]:
    """{(name, event, table): statements} of every trigger."""
    return {
        ("kpi_incident_insert", "INSERT", "incident"): facts_of_incident(sql, "NEW", 1),
        (
            "kpi_incident_update",
            f"UPDATE OF {', '.join(INCIDENT_COLUMNS)}",
            "incident",
        ): facts_of_incident(sql, "OLD", -1) + facts_of_incident(sql, "NEW", 1),
        ("kpi_incident_delete", "DELETE", "incident"): facts_of_incident(sql, "OLD", -1),
        ("kpi_inspection_insert", "INSERT", "inspection"): facts_of_new_inspection(),
        ("kpi_elevator_insert", "INSERT", "elevator"): [fleet_of_elevator(sql, "NEW", 1)],
        ("kpi_elevator_update", "UPDATE OF status, street", "elevator"): [
            fleet_of_elevator(sql, "OLD", -1),
            fleet_of_elevator(sql, "NEW", 1),
            facts_of_elevator(sql, "OLD.street", -1),
            facts_of_elevator(sql, "NEW.street", 1),
        ],
        ("kpi_elevator_delete", "DELETE", "elevator"): [fleet_of_elevator(sql, "OLD", -1)],
        ("kpi_contract_insert", "INSERT", "maintenance_contract"): [
            fleet_of_contract(sql, "NEW", 1),
            *inspections_of_contract("NEW", 1),
        ],
        (
            "kpi_contract_update",
            f"UPDATE OF {', '.join(CONTRACT_COLUMNS)}",
            "maintenance_contract",
        ): [
            fleet_of_contract(sql, "OLD", -1),
            *inspections_of_contract("OLD", -1),
            fleet_of_contract(sql, "NEW", 1),
            *inspections_of_contract("NEW", 1),
        ],
        ("kpi_contract_delete", "DELETE", "maintenance_contract"): [
            fleet_of_contract(sql, "OLD", -1),
            *inspections_of_contract("OLD", -1),
        ],
    }


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
    postgres = op.get_bind().dialect.name == "postgresql"
    sql = Sql(postgres)
    _fill(sql)
    for (name, event, table), statements in triggers(sql).items():
        body = "; ".join(statements)
        if postgres:
            op.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END; $$"
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
        else:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END")


def _fill(sql: Sql) -> None:
    """Sums the rows already there into the new tables."""
    incident, incident_condition = incident_facts(sql, "i")
    inspection, inspection_condition = inspection_facts("s")
    facts = (
        f"SELECT i.elevator_id, coalesce(i.maintenance_unit_id, 0) AS unit, {named(incident)} "
        f"FROM incident i WHERE {incident_condition} "
        f"UNION ALL SELECT s.elevator_id, {covering_unit('s.elevator_id', 's.performed_on')}, "
        f"{named(inspection)} FROM inspection s WHERE {inspection_condition}"
    )
    op.execute(
        upsert(
            "kpi_street_day",
            ("day", "street"),
            f"SELECT {summed('e.street', 1)} FROM ({facts}) AS facts "
            "JOIN elevator e ON e.id = facts.elevator_id WHERE true GROUP BY facts.day, e.street",
        )
    )
    op.execute(
        upsert(
            "kpi_unit_day",
            ("day", "maintenance_unit_id"),
            f"SELECT {summed('facts.unit', 1)} FROM ({facts}) AS facts "
            "WHERE true GROUP BY facts.day, facts.unit",
        )
    )
    in_use = "FROM elevator e WHERE e.status = 'in_use'"
    contracts = (
        "FROM maintenance_contract c JOIN elevator e ON e.id = c.elevator_id "
        "WHERE e.status = 'in_use'"
    )
    end = sql.day_after("coalesce(c.terminated_on, c.end_date)")
    op.execute(
        upsert(
            "kpi_fleet",
            ("street", "maintenance_unit_id", "day"),
            "SELECT street, unit, day, sum(n) FROM ("
            f"SELECT e.street, 0 AS unit, {sql.date('0001-01-01')} AS day, 1 AS n {in_use} "
            f"UNION ALL SELECT e.street, c.maintenance_unit_id, c.start_date, 1 {contracts} "
            f"UNION ALL SELECT e.street, c.maintenance_unit_id, {end}, -1 {contracts} "
            f"UNION ALL SELECT e.street, 0, c.start_date, -1 {contracts} "
            f"UNION ALL SELECT e.street, 0, {end}, 1 {contracts}"
            ") AS parts WHERE true GROUP BY street, unit, day",
        )
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, _event, table in triggers(Sql(postgres)):
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("incident") as batch:
        batch.drop_index("ix_incident_waiting")
    op.drop_table("kpi_fleet")
    op.drop_table("kpi_unit_day")
    op.drop_table("kpi_street_day")
