"""Maintenance visits (电子维保): check-in/out, checklist, photos by SHA-256.

- `maintenance_visit`: one on-site visit, named by the phone's UUID (`visit_key`, unique: the
  idempotency key of every step), with server and device times and the location of check-in and
  check-out, the distance to the elevator and the far flag, the second worker and how their
  presence is known, the checklist as submitted and the record it became;
- `visit_photo`: one photo per (visit, checkpoint, phase), addressed by the SHA-256 of its bytes
  (the bytes live in the photo store, not in the database), with its EXIF time and reuse flag.

Once a visit is submitted it is evidence like its record: triggers refuse UPDATE and DELETE of
a submitted visit and of its photos (on PostgreSQL through the `evidence_append_only()` function
of 0002 and one function here; on SQLite with WHEN clauses).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 16:29:52.950351+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "maintenance_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_key", sa.String(length=36), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("maintenance_unit_id", sa.Integer(), nullable=False),
        sa.Column("record_class", sa.String(length=16), nullable=False),
        sa.Column("started_by", sa.String(length=120), nullable=False),
        sa.Column("started_by_user_id", sa.Integer(), nullable=True),
        sa.Column("check_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("check_in_device_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_in_latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("check_in_longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("check_in_accuracy_m", sa.Float(), nullable=True),
        sa.Column("check_in_distance_m", sa.Integer(), nullable=True),
        sa.Column("check_in_far", sa.Boolean(), nullable=False),
        sa.Column("check_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_out_device_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("check_out_latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("check_out_longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("check_out_accuracy_m", sa.Float(), nullable=True),
        sa.Column("check_out_distance_m", sa.Integer(), nullable=True),
        sa.Column("second_worker_name", sa.String(length=50), nullable=True),
        sa.Column("second_worker_certificate_number", sa.String(length=30), nullable=True),
        sa.Column("second_worker_presence", sa.String(length=30), nullable=True),
        sa.Column("second_worker_user_id", sa.Integer(), nullable=True),
        sa.Column("second_worker_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "checklist",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "record_class IN ('half_month', 'quarter', 'half_year', 'year', 'repair', 'on_demand')",
            name=op.f("ck_maintenance_visit_record_class_valid"),
        ),
        sa.CheckConstraint(
            "second_worker_presence IS NULL OR second_worker_presence IN ('confirmed_by_own_account', 'entered_by_first')",
            name=op.f("ck_maintenance_visit_second_worker_presence_valid"),
        ),
        sa.CheckConstraint(
            "(record_id IS NULL) = (submitted_at IS NULL)",
            name=op.f("ck_maintenance_visit_submitted_iff_record"),
        ),
        sa.CheckConstraint(
            "check_out_at IS NULL OR check_out_at >= check_in_at",
            name=op.f("ck_maintenance_visit_check_out_after_in"),
        ),
        sa.CheckConstraint(
            "record_id IS NULL OR check_out_at IS NOT NULL",
            name=op.f("ck_maintenance_visit_submitted_after_check_out"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["maintenance_contract.id"],
            name=op.f("fk_maintenance_visit_contract_id_maintenance_contract"),
        ),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f("fk_maintenance_visit_elevator_id_elevator")
        ),
        sa.ForeignKeyConstraint(
            ["started_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_maintenance_visit_started_by_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["second_worker_user_id"],
            ["app_user.id"],
            name=op.f("fk_maintenance_visit_second_worker_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["maintenance_unit_id"],
            ["organisation.id"],
            name=op.f("fk_maintenance_visit_maintenance_unit_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["maintenance_record.id"],
            name=op.f("fk_maintenance_visit_record_id_maintenance_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_visit")),
        sa.UniqueConstraint("record_id", name=op.f("uq_maintenance_visit_record_id")),
        sa.UniqueConstraint("visit_key", name=op.f("uq_maintenance_visit_visit_key")),
    )
    with op.batch_alter_table("maintenance_visit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_maintenance_visit_elevator_check_in", ["elevator_id", "check_in_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_maintenance_visit_maintenance_unit_id"),
            ["maintenance_unit_id"],
            unique=False,
        )

    op.create_table(
        "visit_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("checkpoint", sa.String(length=40), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reused", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("phase IN ('before', 'after')", name=op.f("ck_visit_photo_phase_valid")),
        sa.CheckConstraint("byte_size > 0", name=op.f("ck_visit_photo_byte_size_positive")),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["maintenance_visit.id"],
            name=op.f("fk_visit_photo_visit_id_maintenance_visit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_photo")),
        sa.UniqueConstraint("visit_id", "checkpoint", "phase", name="uq_visit_photo_slot"),
    )
    with op.batch_alter_table("visit_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_photo_sha256"), ["sha256"], unique=False)

    _freeze_submitted()


def _freeze_submitted() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER maintenance_visit_frozen BEFORE UPDATE OR DELETE ON maintenance_visit "
            "FOR EACH ROW WHEN (OLD.record_id IS NOT NULL) EXECUTE FUNCTION evidence_append_only()"
        )
        op.execute(
            """CREATE FUNCTION visit_photo_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM maintenance_visit
                         WHERE id = OLD.visit_id AND record_id IS NOT NULL) THEN
                RAISE EXCEPTION 'append-only: % on visit_photo of a submitted visit is refused',
                  TG_OP USING ERRCODE = 'restrict_violation';
              END IF;
              RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
            END $$"""
        )
        op.execute(
            "CREATE TRIGGER visit_photo_frozen BEFORE UPDATE OR DELETE ON visit_photo "
            "FOR EACH ROW EXECUTE FUNCTION visit_photo_frozen()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER maintenance_visit_no_{operation.lower()} BEFORE {operation} ON "
            "maintenance_visit WHEN OLD.record_id IS NOT NULL BEGIN SELECT RAISE(ABORT, "
            f"'append-only: {operation} on a submitted maintenance_visit is refused'); END"
        )
        op.execute(
            f"CREATE TRIGGER visit_photo_no_{operation.lower()} BEFORE {operation} ON visit_photo "
            "WHEN (SELECT record_id FROM maintenance_visit WHERE id = OLD.visit_id) IS NOT NULL "
            f"BEGIN SELECT RAISE(ABORT, 'append-only: {operation} on visit_photo of a submitted "
            "visit is refused'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS visit_photo_frozen ON visit_photo")
        op.execute("DROP FUNCTION IF EXISTS visit_photo_frozen()")
        op.execute("DROP TRIGGER IF EXISTS maintenance_visit_frozen ON maintenance_visit")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS visit_photo_no_{operation}")
            op.execute(f"DROP TRIGGER IF EXISTS maintenance_visit_no_{operation}")
    with op.batch_alter_table("visit_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_photo_sha256"))

    op.drop_table("visit_photo")
    with op.batch_alter_table("maintenance_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maintenance_visit_maintenance_unit_id"))
        batch_op.drop_index("ix_maintenance_visit_elevator_check_in")

    op.drop_table("maintenance_visit")
