"""Initial schema: the whole domain model of DESIGN §2.

Revision ID: 0001
Revises:
Create Date: 2026-11-29 10:16:58.868107+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("duty_phone", sa.String(length=20), nullable=True),
        sa.Column("contact_name", sa.String(length=50), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_organisation_credit_code")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_name"), ["name"], unique=False)

    op.create_table(
        "street",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("arrival_deadline_minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('subdistrict', 'town')", name=op.f("ck_street_kind_valid")),
        sa.CheckConstraint(
            "arrival_deadline_minutes BETWEEN 5 AND 120", name=op.f("ck_street_arrival_minutes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street")),
        sa.UniqueConstraint("name", name=op.f("uq_street_name")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("street", sa.String(length=40), nullable=True),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'street_office') = (street IS NOT NULL)",
            name=op.f("ck_api_token_street_iff_street_office"),
        ),
        sa.CheckConstraint(
            "(role IN ('maintenance_unit', 'user_unit', 'inspection_agency')) = (organisation_id IS NOT NULL)",
            name=op.f("ck_api_token_organisation_iff_bound_role"),
        ),
        sa.CheckConstraint("role <> 'cli'", name=op.f("ck_api_token_no_cli_tokens")),
        sa.CheckConstraint(
            "role IN ('bureau', 'street_office', 'maintenance_unit', 'user_unit', 'inspection_agency', 'operator', 'iot_platform', 'cli')",
            name=op.f("ck_api_token_role_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_api_token_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["street"], ["street.name"], name=op.f("fk_api_token_street_street")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_table(
        "blacklist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.String(length=200), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "lifted_on IS NULL OR lifted_on >= listed_on",
            name=op.f("ck_blacklist_entry_lift_after_listing"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_blacklist_entry_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blacklist_entry")),
    )
    with op.batch_alter_table("blacklist_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blacklist_entry_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "elevator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("equipment_code", sa.String(length=20), nullable=False),
        sa.Column("registration_number", sa.String(length=32), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("rescue_code", sa.String(length=16), nullable=False),
        sa.Column("type_code", sa.String(length=4), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("product_serial", sa.String(length=64), nullable=True),
        sa.Column("rated_load_kg", sa.Integer(), nullable=True),
        sa.Column("rated_speed_mps", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("floors", sa.Integer(), nullable=True),
        sa.Column("stops", sa.Integer(), nullable=True),
        sa.Column("doors", sa.Integer(), nullable=True),
        sa.Column("manufacturer_id", sa.Integer(), nullable=True),
        sa.Column("installer_id", sa.Integer(), nullable=True),
        sa.Column("manufactured_on", sa.Date(), nullable=True),
        sa.Column("installation_inspected_on", sa.Date(), nullable=True),
        sa.Column("commissioned_on", sa.Date(), nullable=True),
        sa.Column("modernised_on", sa.Date(), nullable=True),
        sa.Column("district", sa.String(length=40), nullable=False),
        sa.Column("street", sa.String(length=40), nullable=False),
        sa.Column("community", sa.String(length=60), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("building", sa.String(length=40), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("in_house_number", sa.String(length=20), nullable=True),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("place_category", sa.String(length=24), nullable=False),
        sa.Column("user_unit_id", sa.Integer(), nullable=True),
        sa.Column("has_property_management", sa.Boolean(), nullable=False),
        sa.Column("has_repair_fund", sa.Boolean(), nullable=False),
        sa.Column("added_to_old_building", sa.Boolean(), nullable=False),
        sa.Column("iot_terminal_fitted", sa.Boolean(), nullable=False),
        sa.Column("emergency_levelling_fitted", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_changed_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "place_category IN ('residential', 'school', 'kindergarten', 'hospital', 'station', 'passenger_terminal', 'mall', 'stadium', 'exhibition_hall', 'park', 'scenic_spot', 'office', 'factory', 'other')",
            name=op.f("ck_elevator_place_category_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('registered', 'in_use', 'suspended', 'scrapped')",
            name=op.f("ck_elevator_status_valid"),
        ),
        sa.CheckConstraint(
            "status NOT IN ('in_use', 'suspended') OR commissioned_on IS NOT NULL",
            name=op.f("ck_elevator_commissioned_when_used"),
        ),
        sa.CheckConstraint(
            "type_code IN ('3110', '3120', '3130', '3210', '3220', '3310', '3320', '3410', '3420', '3430')",
            name=op.f("ck_elevator_type_code_valid"),
        ),
        sa.CheckConstraint(
            "floors IS NULL OR stops IS NULL OR (stops >= 1 AND stops <= floors)",
            name=op.f("ck_elevator_stops_within_floors"),
        ),
        sa.CheckConstraint(
            "latitude IS NULL OR latitude BETWEEN -90 AND 90", name=op.f("ck_elevator_latitude")
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180",
            name=op.f("ck_elevator_longitude"),
        ),
        sa.CheckConstraint(
            "manufactured_on IS NULL OR commissioned_on IS NULL OR commissioned_on >= manufactured_on",
            name=op.f("ck_elevator_commissioned_after_manufacture"),
        ),
        sa.CheckConstraint(
            "rated_load_kg IS NULL OR rated_load_kg BETWEEN 1 AND 100000",
            name=op.f("ck_elevator_rated_load"),
        ),
        sa.CheckConstraint(
            "rated_speed_mps IS NULL OR (rated_speed_mps > 0 AND rated_speed_mps <= 20)",
            name=op.f("ck_elevator_rated_speed"),
        ),
        sa.CheckConstraint(
            "registration_number IS NULL OR registered_on IS NOT NULL",
            name=op.f("ck_elevator_registration_dated"),
        ),
        sa.ForeignKeyConstraint(
            ["installer_id"],
            ["organisation.id"],
            name=op.f("fk_elevator_installer_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["manufacturer_id"],
            ["organisation.id"],
            name=op.f("fk_elevator_manufacturer_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["street"], ["street.name"], name=op.f("fk_elevator_street_street")
        ),
        sa.ForeignKeyConstraint(
            ["user_unit_id"],
            ["organisation.id"],
            name=op.f("fk_elevator_user_unit_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elevator")),
        sa.UniqueConstraint("equipment_code", name=op.f("uq_elevator_equipment_code")),
        sa.UniqueConstraint("registration_number", name=op.f("uq_elevator_registration_number")),
        sa.UniqueConstraint("rescue_code", name=op.f("uq_elevator_rescue_code")),
    )
    with op.batch_alter_table("elevator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_elevator_commissioned_on"), ["commissioned_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_elevator_manufacturer_id"), ["manufacturer_id"], unique=False
        )
        batch_op.create_index("ix_elevator_street_status", ["street", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_elevator_user_unit_id"), ["user_unit_id"], unique=False
        )

    op.create_table(
        "licence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'revoked') = (revoked_on IS NOT NULL AND revoked_at IS NOT NULL)",
            name=op.f("ck_licence_revocation_dated"),
        ),
        sa.CheckConstraint(
            "(status = 'suspended') = (suspended_at IS NOT NULL)",
            name=op.f("ck_licence_suspension_dated"),
        ),
        sa.CheckConstraint(
            "kind IN ('manufacture', 'installation_maintenance', 'inspection')",
            name=op.f("ck_licence_kind_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('valid', 'suspended', 'revoked', 'expired')",
            name=op.f("ck_licence_status_valid"),
        ),
        sa.CheckConstraint("valid_until >= valid_from", name=op.f("ck_licence_validity_ordered")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_licence_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence")),
        sa.UniqueConstraint("kind", "number", name=op.f("uq_licence_kind_number")),
    )
    with op.batch_alter_table("licence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_licence_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "organisation_role",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "role IN ('manufacturer', 'installer', 'maintainer', 'inspection_agency', 'user_unit', 'insurer')",
            name=op.f("ck_organisation_role_role_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_role_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", "role", name=op.f("pk_organisation_role")),
    )
    op.create_table(
        "star_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("maintenance_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column(
            "indicators",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "grade <> 'D' OR stars = 0", name=op.f("ck_star_rating_grade_d_no_star")
        ),
        sa.CheckConstraint(
            "grade IN ('A', 'B', 'C', 'D')", name=op.f("ck_star_rating_grade_valid")
        ),
        sa.CheckConstraint("score >= 0 AND score <= 100", name=op.f("ck_star_rating_score_range")),
        sa.CheckConstraint("stars IN (0, 2, 3, 4, 5)", name=op.f("ck_star_rating_stars_valid")),
        sa.ForeignKeyConstraint(
            ["maintenance_unit_id"],
            ["organisation.id"],
            name=op.f("fk_star_rating_maintenance_unit_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_star_rating")),
        sa.UniqueConstraint(
            "maintenance_unit_id", "year", name=op.f("uq_star_rating_maintenance_unit_id_year")
        ),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column(
            "changes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_token.id"], name=op.f("fk_audit_event_token_id_api_token")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_event_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "cost_disclosure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("user_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_yuan", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("items", sa.Text(), nullable=True),
        sa.Column("disclosed_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_yuan >= 0", name=op.f("ck_cost_disclosure_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f("fk_cost_disclosure_elevator_id_elevator")
        ),
        sa.ForeignKeyConstraint(
            ["user_unit_id"],
            ["organisation.id"],
            name=op.f("fk_cost_disclosure_user_unit_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_disclosure")),
        sa.UniqueConstraint(
            "elevator_id", "year", name=op.f("uq_cost_disclosure_elevator_id_year")
        ),
    )
    op.create_table(
        "elevator_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "from_status IS NULL OR from_status IN ('registered', 'in_use', 'suspended', 'scrapped')",
            name=op.f("ck_elevator_status_change_from_status_valid"),
        ),
        sa.CheckConstraint(
            "to_status IN ('registered', 'in_use', 'suspended', 'scrapped')",
            name=op.f("ck_elevator_status_change_to_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["elevator_id"],
            ["elevator.id"],
            name=op.f("fk_elevator_status_change_elevator_id_elevator"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elevator_status_change")),
    )
    with op.batch_alter_table("elevator_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_elevator_status_change_elevator_id"), ["elevator_id"], unique=False
        )

    op.create_table(
        "hazard_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("reporter_organisation_id", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reported_to_bureau_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filed_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "severity IN ('general', 'serious')", name=op.f("ck_hazard_report_severity_valid")
        ),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f("fk_hazard_report_elevator_id_elevator")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_hazard_report_reporter_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_report")),
    )
    with op.batch_alter_table("hazard_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hazard_report_elevator_id"), ["elevator_id"], unique=False
        )

    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("trapped_count", sa.Integer(), nullable=False),
        sa.Column("caller_phone", sa.String(length=20), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("maintenance_unit_id", sa.Integer(), nullable=True),
        sa.Column("no_contract", sa.Boolean(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("arrival_deadline_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fault_cause_code", sa.String(length=16), nullable=True),
        sa.Column("tracking_token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "channel IN ('public', 'operator', 'iot')", name=op.f("ck_incident_channel_valid")
        ),
        sa.CheckConstraint(
            "kind IN ('trapped', 'fault', 'complaint', 'consultation')",
            name=op.f("ck_incident_kind_valid"),
        ),
        sa.CheckConstraint(
            "status IN ('reported', 'dispatched', 'accepted', 'arrived', 'released', 'closed', 'self_released', 'false_alarm', 'cancelled')",
            name=op.f("ck_incident_status_valid"),
        ),
        sa.CheckConstraint(
            "accepted_at IS NULL OR (dispatched_at IS NOT NULL AND accepted_at >= dispatched_at)",
            name=op.f("ck_incident_accept_after_dispatch"),
        ),
        sa.CheckConstraint(
            "arrival_deadline_at >= reported_at", name=op.f("ck_incident_deadline_after_report")
        ),
        sa.CheckConstraint(
            "arrived_at IS NULL OR arrived_at >= reported_at",
            name=op.f("ck_incident_arrive_after_report"),
        ),
        sa.CheckConstraint(
            "closed_at IS NULL OR closed_at >= reported_at",
            name=op.f("ck_incident_close_after_report"),
        ),
        sa.CheckConstraint(
            "dispatched_at IS NULL OR dispatched_at >= reported_at",
            name=op.f("ck_incident_dispatch_after_report"),
        ),
        sa.CheckConstraint(
            "escalation_level BETWEEN 1 AND 3", name=op.f("ck_incident_escalation_level_range")
        ),
        sa.CheckConstraint(
            "released_at IS NULL OR released_at >= reported_at",
            name=op.f("ck_incident_release_after_report"),
        ),
        sa.CheckConstraint(
            "trapped_count BETWEEN 0 AND 60", name=op.f("ck_incident_trapped_count_range")
        ),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f("fk_incident_elevator_id_elevator")
        ),
        sa.ForeignKeyConstraint(
            ["maintenance_unit_id"],
            ["organisation.id"],
            name=op.f("fk_incident_maintenance_unit_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("number", name=op.f("uq_incident_number")),
        sa.UniqueConstraint("tracking_token_hash", name=op.f("uq_incident_tracking_token_hash")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incident_elevator_reported", ["elevator_id", "reported_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incident_maintenance_unit_id"), ["maintenance_unit_id"], unique=False
        )
        batch_op.create_index(
            "ix_incident_status_deadline", ["status", "arrival_deadline_at"], unique=False
        )

    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("self_tester_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.Column("report_number", sa.String(length=64), nullable=False),
        sa.Column("follows_id", sa.Integer(), nullable=True),
        sa.Column("filed_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 're_inspection') = (follows_id IS NOT NULL)",
            name=op.f("ck_inspection_reinspection_follows"),
        ),
        sa.CheckConstraint(
            "kind IN ('installation_supervision', 'periodic', 'self_test', 're_inspection')",
            name=op.f("ck_inspection_kind_valid"),
        ),
        sa.CheckConstraint(
            "result IN ('pass', 'fail', 'pass_after_rectification')",
            name=op.f("ck_inspection_result_valid"),
        ),
        sa.CheckConstraint(
            "self_tester_id IS NULL OR kind = 'self_test'",
            name=op.f("ck_inspection_self_tester_only_self_test"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["organisation.id"], name=op.f("fk_inspection_agency_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f("fk_inspection_elevator_id_elevator")
        ),
        sa.ForeignKeyConstraint(
            ["follows_id"], ["inspection.id"], name=op.f("fk_inspection_follows_id_inspection")
        ),
        sa.ForeignKeyConstraint(
            ["self_tester_id"],
            ["organisation.id"],
            name=op.f("fk_inspection_self_tester_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
        sa.UniqueConstraint(
            "agency_id", "report_number", name=op.f("uq_inspection_agency_id_report_number")
        ),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspection_elevator_performed", ["elevator_id", "performed_on"], unique=False
        )

    op.create_table(
        "insurance_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("insurer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("policy_number", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("premium_yuan", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("risk_factor", sa.Numeric(precision=6, scale=3), nullable=True),
        sa.Column(
            "factors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('liability', 'comprehensive')", name=op.f("ck_insurance_policy_kind_valid")
        ),
        sa.CheckConstraint(
            "end_date > start_date", name=op.f("ck_insurance_policy_period_ordered")
        ),
        sa.CheckConstraint(
            "premium_yuan >= 0", name=op.f("ck_insurance_policy_premium_not_negative")
        ),
        sa.CheckConstraint(
            "risk_factor IS NULL OR risk_factor > 0",
            name=op.f("ck_insurance_policy_risk_factor_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f("fk_insurance_policy_elevator_id_elevator")
        ),
        sa.ForeignKeyConstraint(
            ["insurer_id"],
            ["organisation.id"],
            name=op.f("fk_insurance_policy_insurer_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurance_policy")),
        sa.UniqueConstraint(
            "insurer_id", "policy_number", name=op.f("uq_insurance_policy_insurer_id_policy_number")
        ),
    )
    with op.batch_alter_table("insurance_policy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_insurance_policy_elevator_id"), ["elevator_id"], unique=False
        )

    op.create_table(
        "maintenance_contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("maintenance_unit_id", sa.Integer(), nullable=False),
        sa.Column("user_unit_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("maintenance_interval_days", sa.Integer(), nullable=True),
        sa.Column("fee_yuan", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("termination_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(mode = 'on_demand') = (maintenance_interval_days IS NOT NULL)",
            name=op.f("ck_maintenance_contract_interval_only_on_demand"),
        ),
        sa.CheckConstraint(
            "mode IN ('regular', 'on_demand', 'full_package', 'major_package')",
            name=op.f("ck_maintenance_contract_mode_valid"),
        ),
        sa.CheckConstraint(
            "end_date >= start_date", name=op.f("ck_maintenance_contract_period_ordered")
        ),
        sa.CheckConstraint(
            "fee_yuan IS NULL OR fee_yuan >= 0",
            name=op.f("ck_maintenance_contract_fee_not_negative"),
        ),
        sa.CheckConstraint(
            "maintenance_interval_days IS NULL OR maintenance_interval_days BETWEEN 1 AND 366",
            name=op.f("ck_maintenance_contract_interval_range"),
        ),
        sa.CheckConstraint(
            "terminated_on IS NULL OR (terminated_on >= start_date AND terminated_on <= end_date)",
            name=op.f("ck_maintenance_contract_termination_within_period"),
        ),
        sa.ForeignKeyConstraint(
            ["elevator_id"],
            ["elevator.id"],
            name=op.f("fk_maintenance_contract_elevator_id_elevator"),
        ),
        sa.ForeignKeyConstraint(
            ["maintenance_unit_id"],
            ["organisation.id"],
            name=op.f("fk_maintenance_contract_maintenance_unit_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["user_unit_id"],
            ["organisation.id"],
            name=op.f("fk_maintenance_contract_user_unit_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_contract")),
    )
    with op.batch_alter_table("maintenance_contract", schema=None) as batch_op:
        batch_op.create_index(
            "ix_maintenance_contract_elevator_period",
            ["elevator_id", "start_date", "end_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_maintenance_contract_unit_period", ["maintenance_unit_id", "end_date"], unique=False
        )

    op.create_table(
        "rescue_drill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("maintenance_unit_id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("participants >= 1", name=op.f("ck_rescue_drill_participants_positive")),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f("fk_rescue_drill_elevator_id_elevator")
        ),
        sa.ForeignKeyConstraint(
            ["maintenance_unit_id"],
            ["organisation.id"],
            name=op.f("fk_rescue_drill_maintenance_unit_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rescue_drill")),
    )
    with op.batch_alter_table("rescue_drill", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rescue_drill_unit_held", ["maintenance_unit_id", "held_on"], unique=False
        )

    op.create_table(
        "safety_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("risk_grade", sa.Integer(), nullable=False),
        sa.Column("conclusion", sa.String(length=16), nullable=False),
        sa.Column(
            "measures",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("report_number", sa.String(length=64), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("filed_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "conclusion IN ('continue_use', 'repair', 'modernise', 'replace')",
            name=op.f("ck_safety_assessment_conclusion_valid"),
        ),
        sa.CheckConstraint(
            "risk_grade BETWEEN 1 AND 4", name=op.f("ck_safety_assessment_risk_grade_range")
        ),
        sa.CheckConstraint(
            "score >= 0 AND score <= 100", name=op.f("ck_safety_assessment_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["organisation.id"],
            name=op.f("fk_safety_assessment_agency_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f("fk_safety_assessment_elevator_id_elevator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_assessment")),
    )
    with op.batch_alter_table("safety_assessment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_safety_assessment_elevator_assessed", ["elevator_id", "assessed_on"], unique=False
        )

    op.create_table(
        "usage_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("user_unit_id", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("checker_name", sa.String(length=50), nullable=False),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f("fk_usage_check_elevator_id_elevator")
        ),
        sa.ForeignKeyConstraint(
            ["user_unit_id"],
            ["organisation.id"],
            name=op.f("fk_usage_check_user_unit_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage_check")),
    )
    with op.batch_alter_table("usage_check", schema=None) as batch_op:
        batch_op.create_index(
            "ix_usage_check_elevator_checked", ["elevator_id", "checked_on"], unique=False
        )

    op.create_table(
        "warranty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=24), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("context", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "context IN ('subsidised_renovation', 'new_installation', 'other')",
            name=op.f("ck_warranty_context_valid"),
        ),
        sa.CheckConstraint(
            "scope IN ('whole_unit', 'traction_machine', 'door_operator', 'safety_gear', 'overspeed_governor', 'control_cabinet')",
            name=op.f("ck_warranty_scope_valid"),
        ),
        sa.CheckConstraint("end_date > start_date", name=op.f("ck_warranty_period_ordered")),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f("fk_warranty_elevator_id_elevator")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["organisation.id"], name=op.f("fk_warranty_issuer_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty")),
    )
    with op.batch_alter_table("warranty", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_warranty_elevator_id"), ["elevator_id"], unique=False)

    op.create_table(
        "hazard_resolution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hazard_report_id", sa.Integer(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("filed_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_report_id"],
            ["hazard_report.id"],
            name=op.f("fk_hazard_resolution_hazard_report_id_hazard_report"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_resolution")),
        sa.UniqueConstraint("hazard_report_id", name=op.f("uq_hazard_resolution_hazard_report_id")),
    )
    op.create_table(
        "incident_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("backfilled", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_event_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_event")),
    )
    with op.batch_alter_table("incident_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_event_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "maintenance_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("maintenance_unit_id", sa.Integer(), nullable=False),
        sa.Column("record_class", sa.String(length=16), nullable=False),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "workers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "items_done",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column(
            "parts_replaced",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("revision_reason", sa.Text(), nullable=True),
        sa.Column("filed_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "record_class IN ('half_month', 'quarter', 'half_year', 'year', 'repair', 'on_demand')",
            name=op.f("ck_maintenance_record_record_class_valid"),
        ),
        sa.CheckConstraint(
            "(revision = 1) = (supersedes_id IS NULL)",
            name=op.f("ck_maintenance_record_revision_chain_consistent"),
        ),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_maintenance_record_revision_positive")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["maintenance_contract.id"],
            name=op.f("fk_maintenance_record_contract_id_maintenance_contract"),
        ),
        sa.ForeignKeyConstraint(
            ["elevator_id"],
            ["elevator.id"],
            name=op.f("fk_maintenance_record_elevator_id_elevator"),
        ),
        sa.ForeignKeyConstraint(
            ["maintenance_unit_id"],
            ["organisation.id"],
            name=op.f("fk_maintenance_record_maintenance_unit_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["maintenance_record.id"],
            name=op.f("fk_maintenance_record_supersedes_id_maintenance_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_record")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_maintenance_record_supersedes_id")),
    )
    with op.batch_alter_table("maintenance_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_maintenance_record_contract_id"), ["contract_id"], unique=False
        )
        batch_op.create_index(
            "ix_maintenance_record_elevator_performed",
            ["elevator_id", "performed_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_maintenance_record_maintenance_unit_id"),
            ["maintenance_unit_id"],
            unique=False,
        )

    op.create_table(
        "stop_use_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_number", sa.String(length=40), nullable=False),
        sa.Column("hazard_report_id", sa.Integer(), nullable=False),
        sa.Column("elevator_id", sa.Integer(), nullable=False),
        sa.Column("user_unit_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["elevator_id"], ["elevator.id"], name=op.f("fk_stop_use_notice_elevator_id_elevator")
        ),
        sa.ForeignKeyConstraint(
            ["hazard_report_id"],
            ["hazard_report.id"],
            name=op.f("fk_stop_use_notice_hazard_report_id_hazard_report"),
        ),
        sa.ForeignKeyConstraint(
            ["user_unit_id"],
            ["organisation.id"],
            name=op.f("fk_stop_use_notice_user_unit_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stop_use_notice")),
        sa.UniqueConstraint("hazard_report_id", name=op.f("uq_stop_use_notice_hazard_report_id")),
        sa.UniqueConstraint("notice_number", name=op.f("uq_stop_use_notice_notice_number")),
    )
    with op.batch_alter_table("stop_use_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stop_use_notice_elevator_id"), ["elevator_id"], unique=False
        )

    op.create_table(
        "maintenance_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("safety_manager", sa.String(length=50), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["maintenance_record.id"],
            name=op.f("fk_maintenance_confirmation_record_id_maintenance_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_confirmation")),
        sa.UniqueConstraint("record_id", name=op.f("uq_maintenance_confirmation_record_id")),
    )


def downgrade() -> None:
    op.drop_table("maintenance_confirmation")
    with op.batch_alter_table("stop_use_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stop_use_notice_elevator_id"))

    op.drop_table("stop_use_notice")
    with op.batch_alter_table("maintenance_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_maintenance_record_maintenance_unit_id"))
        batch_op.drop_index("ix_maintenance_record_elevator_performed")
        batch_op.drop_index(batch_op.f("ix_maintenance_record_contract_id"))

    op.drop_table("maintenance_record")
    with op.batch_alter_table("incident_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_event_incident_id"))

    op.drop_table("incident_event")
    op.drop_table("hazard_resolution")
    with op.batch_alter_table("warranty", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_warranty_elevator_id"))

    op.drop_table("warranty")
    with op.batch_alter_table("usage_check", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_check_elevator_checked")

    op.drop_table("usage_check")
    with op.batch_alter_table("safety_assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_safety_assessment_elevator_assessed")

    op.drop_table("safety_assessment")
    with op.batch_alter_table("rescue_drill", schema=None) as batch_op:
        batch_op.drop_index("ix_rescue_drill_unit_held")

    op.drop_table("rescue_drill")
    with op.batch_alter_table("maintenance_contract", schema=None) as batch_op:
        batch_op.drop_index("ix_maintenance_contract_unit_period")
        batch_op.drop_index("ix_maintenance_contract_elevator_period")

    op.drop_table("maintenance_contract")
    with op.batch_alter_table("insurance_policy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_insurance_policy_elevator_id"))

    op.drop_table("insurance_policy")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_elevator_performed")

    op.drop_table("inspection")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_status_deadline")
        batch_op.drop_index(batch_op.f("ix_incident_maintenance_unit_id"))
        batch_op.drop_index("ix_incident_elevator_reported")

    op.drop_table("incident")
    with op.batch_alter_table("hazard_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazard_report_elevator_id"))

    op.drop_table("hazard_report")
    with op.batch_alter_table("elevator_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_elevator_status_change_elevator_id"))

    op.drop_table("elevator_status_change")
    op.drop_table("cost_disclosure")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    op.drop_table("star_rating")
    op.drop_table("organisation_role")
    with op.batch_alter_table("licence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_licence_organisation_id"))

    op.drop_table("licence")
    with op.batch_alter_table("elevator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_elevator_user_unit_id"))
        batch_op.drop_index("ix_elevator_street_status")
        batch_op.drop_index(batch_op.f("ix_elevator_manufacturer_id"))
        batch_op.drop_index(batch_op.f("ix_elevator_commissioned_on"))

    op.drop_table("elevator")
    with op.batch_alter_table("blacklist_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blacklist_entry_organisation_id"))

    op.drop_table("blacklist_entry")
    op.drop_table("api_token")
    op.drop_table("street")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_name"))

    op.drop_table("organisation")
