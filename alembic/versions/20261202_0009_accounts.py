"""People's accounts: `app_user`, `login_throttle`, and who (which person) did what.

- `app_user`: login name, display name, role and binding (the CHECK rules of `api_token`),
  argon2 password hash, forced change, certificate number and phone of a worker, deactivation;
- `login_throttle`: failed logins per login name and per client address, with the lock;
- nullable user columns on `api_token` (a token issued to a person), `audit_event` (the
  person who acted), `maintenance_record` (filer) and `maintenance_confirmation` (confirmer).

The last two tables are append-only evidence with triggers (0002). A SQLite batch rebuild
would drop those triggers, and with foreign keys on it cannot drop a table that other rows
reference, so on SQLite the columns are added with a plain ALTER TABLE ADD COLUMN carrying its
REFERENCES clause (allowed for a nullable column) and dropped with ALTER TABLE DROP COLUMN
(SQLite 3.35+): no table is rebuilt, the triggers stay.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

USER_COLUMNS = (
    ("api_token", "user_id"),
    ("audit_event", "actor_user_id"),
    ("maintenance_record", "filed_by_user_id"),
    ("maintenance_confirmation", "confirmed_by_user_id"),
)


def _foreign_key_name(table: str, column: str) -> str:
    return f"fk_{table}_{column}_app_user"


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("street", sa.String(length=40), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("certificate_number", sa.String(length=30), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('bureau', 'street_office', 'maintenance_unit', 'user_unit', "
            "'inspection_agency', 'operator', 'iot_platform', 'cli')",
            name=op.f("ck_app_user_role_valid"),
        ),
        sa.CheckConstraint(
            "role NOT IN ('cli', 'iot_platform')", name=op.f("ck_app_user_person_role")
        ),
        sa.CheckConstraint(
            "(role IN ('maintenance_unit', 'user_unit', 'inspection_agency'))"
            " = (organisation_id IS NOT NULL)",
            name=op.f("ck_app_user_organisation_iff_bound_role"),
        ),
        sa.CheckConstraint(
            "(role = 'street_office') = (street IS NOT NULL)",
            name=op.f("ck_app_user_street_iff_street_office"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_app_user_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["street"], ["street.name"], name=op.f("fk_app_user_street_street")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("login", name=op.f("uq_app_user_login")),
    )
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "scope IN ('login', 'address')", name=op.f("ck_login_throttle_scope_valid")
        ),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_login_throttle_failures_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttle")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_login_throttle_scope_key")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in USER_COLUMNS:
        name = _foreign_key_name(table, column)
        if sqlite:
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
                f"CONSTRAINT {name} REFERENCES app_user (id)"
            )
            continue
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, "app_user", [column], ["id"])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in reversed(USER_COLUMNS):
        if sqlite:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
            continue
        op.drop_constraint(_foreign_key_name(table, column), table, type_="foreignkey")
        op.drop_column(table, column)
    op.drop_table("login_throttle")
    op.drop_table("app_user")
