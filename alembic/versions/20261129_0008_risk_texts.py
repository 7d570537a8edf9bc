"""Risk texts: each snapshot row's findings rendered as the CSV export's last three cells.

- `elevator_risk.rules`, `details_zh`, `details_en`: the rule codes, Chinese and English details
  of the row's findings, in the list's order, so the PostgreSQL export is a `COPY` of one query;
- `risk_snapshot.texts_rendered`: whether every row holds them.

The texts come from the rule catalogue's Python (`Rule.describe`), which a migration must not
import, so the columns are nullable and existing rows keep NULL: the existing snapshot row gets
`texts_rendered` false, and the export renders from the stored findings until the next whole
refresh (`risk refresh`, or the loop `serve` starts) fills every row and sets it. Plain
`add_column` on SQLite too: batch mode would rebuild the tables for nothing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 17:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXTS = ("rules", "details_zh", "details_en")


def upgrade() -> None:
    for name in TEXTS:
        op.add_column("elevator_risk", sa.Column(name, sa.Text(), nullable=True))
    op.add_column(
        "risk_snapshot",
        sa.Column("texts_rendered", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("risk_snapshot", "texts_rendered")
    for name in reversed(TEXTS):
        op.drop_column("elevator_risk", name)
