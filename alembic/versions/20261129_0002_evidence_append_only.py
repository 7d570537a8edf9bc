"""Evidence records: append-only triggers on the evidence tables (no column changes needed).

The tables below hold evidence the law treats as such (TSG T5002 第十条: stored records "must
not be altered in any way"): rows are inserted, never updated or deleted. A correction is a new
row that points at the one it supersedes; a follow-up (confirmation, resolution) is its own row.

Triggers enforce this in the database, so even a bug or a hand-written SQL statement cannot
rewrite history:
- PostgreSQL: one plpgsql function raising SQLSTATE 23001 (restrict_violation, an integrity
  error to drivers), called by a BEFORE UPDATE OR DELETE row trigger and a BEFORE TRUNCATE
  statement trigger on each table;
- SQLite: BEFORE UPDATE and BEFORE DELETE triggers that RAISE(ABORT, ...) (SQLITE_CONSTRAINT).

Caution for later migrations: SQLite batch mode rebuilds a table (copy, drop, rename) and the
rebuild drops its triggers. A later migration that batch-alters one of these tables on SQLite
must drop the two triggers first and create them again afterwards (same SQL as below).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = (
    "maintenance_record",
    "maintenance_confirmation",
    "inspection",
    "safety_assessment",
    "hazard_report",
    "hazard_resolution",
    "stop_use_notice",
    "incident_event",
)

PG_FUNCTION = """
CREATE FUNCTION evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append-only: % on % is refused; evidence is corrected by a new row',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION evidence_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only()"
            )
        return
    for table in APPEND_ONLY_TABLES:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {operation} on {table} is refused; "
                "evidence is corrected by a new row'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS evidence_append_only()")
        return
    for table in APPEND_ONLY_TABLES:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")
