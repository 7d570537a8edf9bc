"""Elevator search: one trigram index over the columns a person searches by.

`ix_elevator_search_trgm` covers equipment code, registration number, rescue code, community
(小区) and address. On PostgreSQL it is a GIN index with pg_trgm's `gin_trgm_ops`, which serves
`LIKE '%fragment%'` on any of those columns (a multicolumn GIN index answers conditions on any
subset of its columns); the extension is created if missing and its opclass named with the
schema it lives in, so the index builds whatever the search_path. On SQLite, which has no
trigram index, it is a plain index and the search scans (see registry/search.py).

Downgrade drops the index but leaves the extension: other schemas of the database may use it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 17:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_elevator_search_trgm"
COLUMNS = ("equipment_code", "registration_number", "rescue_code", "community", "address")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        op.create_index(INDEX, "elevator", list(COLUMNS))
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema = bind.scalar(
        sa.text(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
        )
    )
    columns = ", ".join(f"{column} {schema}.gin_trgm_ops" for column in COLUMNS)
    op.execute(f"CREATE INDEX {INDEX} ON elevator USING gin ({columns})")


def downgrade() -> None:
    op.drop_index(INDEX, table_name="elevator")
