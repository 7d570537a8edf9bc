"""Assignment history: the dated changes of an elevator's street and user unit.

- `elevator_assignment_change`: one append-only row per change of `street` or `user_unit_id`
  (values before and after, the local day from which the new ones hold), so the risk list as of
  a past day shows the elevator's street and user unit of that day, as `elevator_status_change`
  already gives its status. Append-only by the triggers of 0002 (its `evidence_append_only()`
  function on PostgreSQL).
- an index on `elevator_status_change.changed_on`, so the list can ask in one probe whether
  any status changed after the day it shows.

Backfilled from what is known: the audit trail's elevator updates that changed `street` or
`user_unit_id` (their before/after), replayed backwards from each elevator's current values so
every row carries both fields. Elevators never changed need no row: their current values are
those of every day.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 16:40:00+00:00
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from elevator_registry.config import get_settings

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "elevator_assignment_change"
FIELDS = ("street", "user_unit_id")


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("from_street", sa.String(length=40), nullable=False),
        sa.Column("to_street", sa.String(length=40), nullable=False),
        sa.Column("from_user_unit_id", sa.Integer(), nullable=True),
        sa.Column("to_user_unit_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f(f"fk_{TABLE}_elevator_id_elevator")
        ),
        sa.ForeignKeyConstraint(
            ["from_street"], ["street.name"], name=op.f(f"fk_{TABLE}_from_street_street")
        ),
        sa.ForeignKeyConstraint(
            ["to_street"], ["street.name"], name=op.f(f"fk_{TABLE}_to_street_street")
        ),
        sa.ForeignKeyConstraint(
            ["from_user_unit_id"],
            ["organisation.id"],
            name=op.f(f"fk_{TABLE}_from_user_unit_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["to_user_unit_id"],
            ["organisation.id"],
            name=op.f(f"fk_{TABLE}_to_user_unit_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(f"ix_{TABLE}_elevator_changed", ["elevator_id", "changed_on"])
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_changed_on"), ["changed_on"])
    with op.batch_alter_table("elevator_status_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_elevator_status_change_changed_on"), ["changed_on"])
    _backfill()
    _append_only()


def _backfill() -> None:
    """Rows from the audit trail's elevator updates that changed the street or user unit."""
    bind = op.get_bind()
    zone = ZoneInfo(get_settings().timezone)
    audit = sa.table(
        "audit_event",
        sa.column("id", sa.Integer()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("entity", sa.String()),
        sa.column("entity_id", sa.Integer()),
        sa.column("changes", sa.JSON().with_variant(JSONB(), "postgresql")),
    )
    elevator = sa.table(
        "elevator",
        sa.column("id", sa.Integer()),
        sa.column("street", sa.String()),
        sa.column("user_unit_id", sa.Integer()),
    )
    events: dict[int, list[Any]] = defaultdict(list)
    for event in bind.execute(
        sa.select(audit)
        .where(audit.c.entity == "elevator", audit.c.action == "update")
        .order_by(audit.c.at, audit.c.id)
    ):
        if any(field in (event.changes or {}) for field in FIELDS):
            events[event.entity_id].append(event)
    if not events:
        return
    current = {
        row.id: {"street": row.street, "user_unit_id": row.user_unit_id}
        for row in bind.execute(sa.select(elevator).where(elevator.c.id.in_(list(events))))
    }
    rows = []
    for elevator_id, changes in events.items():
        state = dict(current[elevator_id])
        # Walk back from today's values: each update's `before` gives the values it replaced.
        for event in reversed(changes):
            before = state | {
                field: event.changes[field]["before"] for field in FIELDS if field in event.changes
            }
            at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
            rows.append(
                {
                    "elevator_id": elevator_id,
                    "changed_on": at.astimezone(zone).date(),
                    "from_street": before["street"],
                    "to_street": state["street"],
                    "from_user_unit_id": before["user_unit_id"],
                    "to_user_unit_id": state["user_unit_id"],
                    "actor": event.actor,
                    "created_at": datetime.now(UTC),
                }
            )
            state = before
    rows.sort(key=lambda row: (row["elevator_id"], row["changed_on"]))
    history = sa.table(TABLE, *(sa.column(name) for name in rows[0]))
    op.bulk_insert(history, rows)


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION evidence_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{operation.lower()} BEFORE {operation} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'append-only: {operation} on {TABLE} is refused; "
            "history is corrected by a new row'); END"
        )


def downgrade() -> None:
    with op.batch_alter_table("elevator_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_elevator_status_change_changed_on"))
    # Dropping the table drops its triggers on both databases.
    op.drop_table(TABLE)
