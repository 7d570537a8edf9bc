"""Governance: rating veto events and the income side of maintenance-cost disclosures.

- `veto_event`: a dated safety accident or penalty (short-circuited safety circuit,
  subcontracting) against an organisation; any one in a year makes that year's star rating D;
- `cost_disclosure`: where the maintenance money came from (property-fee share, advertising in
  the cars, repair-fund draws; plan §三(三)), beside what was spent (`amount_yuan`).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 13:45:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INCOME_COLUMNS = ("property_fee_yuan", "advertising_income_yuan", "repair_fund_draw_yuan")


def upgrade() -> None:
    op.create_table(
        "veto_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('safety_accident', 'safety_circuit_shorted', 'subcontracting')",
            name=op.f("ck_veto_event_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_veto_event_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_veto_event")),
    )
    op.create_index(
        "ix_veto_event_organisation_occurred",
        "veto_event",
        ["organisation_id", "occurred_on"],
        unique=False,
    )
    with op.batch_alter_table("cost_disclosure") as batch:
        for column in INCOME_COLUMNS:
            # The server default fills existing rows; the application always writes the value.
            batch.add_column(
                sa.Column(
                    column,
                    sa.Numeric(precision=12, scale=2),
                    nullable=False,
                    server_default=sa.text("0"),
                )
            )
        batch.create_check_constraint(
            op.f("ck_cost_disclosure_income_not_negative"),
            "property_fee_yuan >= 0 AND advertising_income_yuan >= 0 "
            "AND repair_fund_draw_yuan >= 0",
        )
    with op.batch_alter_table("cost_disclosure") as batch:
        for column in INCOME_COLUMNS:
            batch.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("cost_disclosure") as batch:
        batch.drop_constraint(op.f("ck_cost_disclosure_income_not_negative"), type_="check")
        for column in reversed(INCOME_COLUMNS):
            batch.drop_column(column)
    op.drop_index("ix_veto_event_organisation_occurred", table_name="veto_event")
    op.drop_table("veto_event")
