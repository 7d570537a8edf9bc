"""Incident intake: idempotency keys and what the 96333 lifecycle needs.

- `idempotency_key`: the stored answer to a request sent with an Idempotency-Key header;
- `incident_report`: further reports of an incident already open (each caller's phone and
  tracking token);
- a partial unique index allowing at most one active incident per elevator and kind, which is
  what keeps deduplication true under concurrent intake;
- an index on (kind, reported_at) for the KPIs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 10:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE_STATUS_SQL = "status IN ('reported', 'dispatched', 'accepted', 'arrived')"


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_idempotency_key_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint("scope", "key_hash", name=op.f("uq_idempotency_key_scope_key_hash")),
    )
    op.create_table(
        "incident_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("trapped_count", sa.Integer(), nullable=False),
        sa.Column("caller_phone", sa.String(length=20), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tracking_token_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "channel IN ('public', 'operator', 'iot')",
            name=op.f("ck_incident_report_channel_valid"),
        ),
        sa.CheckConstraint(
            "trapped_count BETWEEN 0 AND 60", name=op.f("ck_incident_report_trapped_count_range")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_report_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_report")),
        sa.UniqueConstraint(
            "tracking_token_hash", name=op.f("uq_incident_report_tracking_token_hash")
        ),
    )
    op.create_index(
        op.f("ix_incident_report_incident_id"), "incident_report", ["incident_id"], unique=False
    )
    # Plain CREATE INDEX works on SQLite without a batch table rebuild.
    op.create_index(
        "uq_incident_active_elevator_kind",
        "incident",
        ["elevator_id", "kind"],
        unique=True,
        sqlite_where=sa.text(ACTIVE_STATUS_SQL),
        postgresql_where=sa.text(ACTIVE_STATUS_SQL),
    )
    op.create_index("ix_incident_kind_reported", "incident", ["kind", "reported_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_incident_kind_reported", table_name="incident")
    op.drop_index("uq_incident_active_elevator_kind", table_name="incident")
    op.drop_index(op.f("ix_incident_report_incident_id"), table_name="incident_report")
    op.drop_table("incident_report")
    op.drop_table("idempotency_key")
