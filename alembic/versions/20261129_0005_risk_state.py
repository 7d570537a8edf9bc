"""Risk state: the per-elevator risk snapshot the risk list reads.

- `risk_snapshot`: the single row naming the day the snapshot was evaluated for;
- `elevator_risk`: per elevator with findings that day, its street, score, findings count and
  findings (rule, ref_date, value), indexed in the list's order (score descending, id) for the
  whole registry and per street.

No backfill here: the snapshot is filled by `elevator-registry risk refresh` (and daily by the
loop `serve` runs). Until then there is no `risk_snapshot` row and the list evaluates live.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 14:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_risk_snapshot_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_snapshot")),
    )
    op.create_table(
        "elevator_risk",
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("street", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("findings_count", sa.Integer(), nullable=False),
        sa.Column(
            "findings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["elevator_id"],
            ["elevator.id"],
            name=op.f("fk_elevator_risk_elevator_id_elevator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("elevator_id", name=op.f("pk_elevator_risk")),
    )
    with op.batch_alter_table("elevator_risk") as batch:
        batch.create_index("ix_elevator_risk_rank", [sa.text("score DESC"), "elevator_id"])
        batch.create_index(
            "ix_elevator_risk_street_rank", ["street", sa.text("score DESC"), "elevator_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("elevator_risk") as batch:
        batch.drop_index("ix_elevator_risk_street_rank")
        batch.drop_index("ix_elevator_risk_rank")
    op.drop_table("elevator_risk")
    op.drop_table("risk_snapshot")
