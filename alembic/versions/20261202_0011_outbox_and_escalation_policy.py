"""Outbox and escalation policy: messages that reach people, and escalation as data.

- `notification_subscription`: an organisation's webhook URL (with its HMAC secret) or duty
  phone for SMS; in-app notifications need none.
- `outbox_message`: one message per recipient, written in the transaction of the event it
  announces (dispatch, escalation, acknowledgement timeout, stop-use notice, record awaiting
  confirmation); unique on (event_key, recipient) so an event is announced once.
- `delivery_attempt`: each try (latency, status, error); append-only evidence, with the
  triggers of 0002/0007 (on PostgreSQL they call its `evidence_append_only()`).
- `notification`: the in-app channel's rows the firm's pages read (unread badge).
- `escalation_policy_step` (per street/town, NULL = district default) and
  `incident_escalation_step` (primary key incident + step: each step fires once).

The district default is seeded from the settings in force when the migration runs (defaults:
re-notify the firm 5 minutes after an unaccepted dispatch, level 2 at the arrival deadline,
level 3 15 minutes later), so behaviour does not change on upgrade.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 16:26:36+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from elevator_registry.config import get_settings

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("delivery_attempt",)


def upgrade() -> None:
    op.create_table(
        "escalation_policy_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street", sa.String(length=40), nullable=True),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=24), nullable=False),
        sa.Column("delay_minutes", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=24), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("raise_to_level", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('all', 'webhook', 'sms', 'in_app')",
            name=op.f("ck_escalation_policy_step_channel_valid"),
        ),
        sa.CheckConstraint(
            "target_kind IN ('maintenance_unit', 'rescue_unit', 'fire_service')",
            name=op.f("ck_escalation_policy_step_target_kind_valid"),
        ),
        sa.CheckConstraint(
            "trigger IN ('ack_timeout', 'arrival_deadline')",
            name=op.f("ck_escalation_policy_step_trigger_valid"),
        ),
        sa.CheckConstraint(
            "delay_minutes BETWEEN 0 AND 1440", name=op.f("ck_escalation_policy_step_delay_range")
        ),
        sa.CheckConstraint(
            "raise_to_level IS NULL OR raise_to_level IN (2, 3)",
            name=op.f("ck_escalation_policy_step_level_range"),
        ),
        sa.ForeignKeyConstraint(
            ["street"], ["street.name"], name=op.f("fk_escalation_policy_step_street_street")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_policy_step")),
        sa.UniqueConstraint("street", "step", name=op.f("uq_escalation_policy_step_street_step")),
    )
    op.create_table(
        "notification_subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel <> 'webhook' OR secret IS NOT NULL",
            name=op.f("ck_notification_subscription_webhook_has_secret"),
        ),
        sa.CheckConstraint(
            "channel IN ('webhook', 'sms')", name=op.f("ck_notification_subscription_channel_valid")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_notification_subscription_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_subscription")),
        sa.UniqueConstraint(
            "organisation_id",
            "channel",
            "target",
            name=op.f("uq_notification_subscription_organisation_id_channel_target"),
        ),
    )
    with op.batch_alter_table("notification_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_subscription_organisation_id"),
            ["organisation_id"],
            unique=False,
        )

    op.create_table(
        "incident_escalation_step",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("policy_step_id", sa.Integer(), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_escalation_step_incident_id_incident"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_step_id"],
            ["escalation_policy_step.id"],
            name=op.f("fk_incident_escalation_step_policy_step_id_escalation_policy_step"),
        ),
        sa.PrimaryKeyConstraint(
            "incident_id", "policy_step_id", name=op.f("pk_incident_escalation_step")
        ),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_key", sa.String(length=120), nullable=False),
        sa.Column("recipient", sa.String(length=40), nullable=False),
        sa.Column("topic", sa.String(length=48), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("subscription_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('webhook', 'sms', 'in_app')", name=op.f("ck_outbox_message_channel_valid")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'dead')",
            name=op.f("ck_outbox_message_status_valid"),
        ),
        sa.CheckConstraint(
            "topic IN ('incident.dispatched', 'incident.escalated', 'incident.ack_timeout', 'hazard.stop_use_notice', 'maintenance_record.awaiting_confirmation')",
            name=op.f("ck_outbox_message_topic_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_outbox_message_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_outbox_message_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["notification_subscription.id"],
            name=op.f("fk_outbox_message_subscription_id_notification_subscription"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint(
            "event_key", "recipient", name=op.f("uq_outbox_message_event_key_recipient")
        ),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_message_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_outbox_message_status_next_attempt_at", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "delivery_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("attempt_number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('delivered', 'failed')", name=op.f("ck_delivery_attempt_outcome_valid")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_message.id"],
            name=op.f("fk_delivery_attempt_message_id_outbox_message"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempt")),
    )
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delivery_attempt_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=48), nullable=False),
        sa.Column("title_zh", sa.String(length=200), nullable=False),
        sa.Column("body_zh", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_notification_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_message.id"],
            name=op.f("fk_notification_message_id_outbox_message"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_notification_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("message_id", name=op.f("uq_notification_message_id")),
    )
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notification_organisation_id_read_at", ["organisation_id", "read_at"], unique=False
        )
    _seed_default_policy()
    _append_only_triggers()


def _seed_default_policy() -> None:
    settings = get_settings()
    step = sa.table(
        "escalation_policy_step",
        sa.column("street", sa.String),
        sa.column("step", sa.Integer),
        sa.column("trigger", sa.String),
        sa.column("delay_minutes", sa.Integer),
        sa.column("target_kind", sa.String),
        sa.column("channel", sa.String),
        sa.column("raise_to_level", sa.Integer),
    )
    op.bulk_insert(
        step,
        [
            {
                "street": None,
                "step": 1,
                "trigger": "ack_timeout",
                "delay_minutes": settings.kpi_response_minutes,
                "target_kind": "maintenance_unit",
                "channel": "all",
                "raise_to_level": None,
            },
            {
                "street": None,
                "step": 2,
                "trigger": "arrival_deadline",
                "delay_minutes": 0,
                "target_kind": "rescue_unit",
                "channel": "all",
                "raise_to_level": 2,
            },
            {
                "street": None,
                "step": 3,
                "trigger": "arrival_deadline",
                "delay_minutes": settings.escalation_level3_after_minutes,
                "target_kind": "fire_service",
                "channel": "all",
                "raise_to_level": 3,
            },
        ],
    )


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION evidence_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION evidence_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'append-only: {operation} on {table} is refused; "
                "evidence is corrected by a new row'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        return
    for table in APPEND_ONLY:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_organisation_id_read_at")

    op.drop_table("notification")
    with op.batch_alter_table("delivery_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_attempt_message_id"))

    op.drop_table("delivery_attempt")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_outbox_message_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_incident_id"))

    op.drop_table("outbox_message")
    op.drop_table("incident_escalation_step")
    with op.batch_alter_table("notification_subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_subscription_organisation_id"))

    op.drop_table("notification_subscription")
    op.drop_table("escalation_policy_step")
