"""Evidence filed by maintenance and user units: records, confirmations, hazards, checks, drills.

Every table here is append-only: a correction is a new row that points at the one it replaces,
and a follow-up (confirmation, resolution) is its own row.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from elevator_registry.db import Base, CreatedAtMixin, UTCDateTime, enum_check
from elevator_registry.maintenance.enums import HazardSeverity, RecordClass

JsonDocument = JSON().with_variant(JSONB(), "postgresql")


class MaintenanceRecord(CreatedAtMixin, Base):
    """One maintenance visit (TSG T5002 第七条 contents); revisions supersede, never overwrite."""

    __tablename__ = "maintenance_record"
    __table_args__ = (
        enum_check("record_class", RecordClass),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint(
            "(revision = 1) = (supersedes_id IS NULL)", name="revision_chain_consistent"
        ),
        Index("ix_maintenance_record_elevator_performed", "elevator_id", "performed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"))
    contract_id: Mapped[int] = mapped_column(ForeignKey("maintenance_contract.id"), index=True)
    maintenance_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    record_class: Mapped[str] = mapped_column(String(16))
    performed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # [{"name": ..., "certificate_number": ...}]; ≥2 workers, ≥1 certified (checked on write).
    workers: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    items_done: Mapped[list[str]] = mapped_column(JsonDocument)
    findings: Mapped[str | None] = mapped_column(Text)
    parts_replaced: Mapped[list[str]] = mapped_column(JsonDocument)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("maintenance_record.id"), unique=True
    )
    revision_reason: Mapped[str | None] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(120))
    # The person who filed it (null when filed with a machine token, by import or the CLI).
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class MaintenanceConfirmation(CreatedAtMixin, Base):
    """The user unit's safety manager signing a record (TSG T5002 第七条), as its own event."""

    __tablename__ = "maintenance_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("maintenance_record.id"), unique=True)
    safety_manager: Mapped[str] = mapped_column(String(50))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filed_by: Mapped[str] = mapped_column(String(120))
    # The safety manager's own account; never the record's filer (CONFIRMER_IS_FILER).
    confirmed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class HazardReport(CreatedAtMixin, Base):
    """A hazard found on an elevator; a serious one suspends it and notifies the user unit."""

    __tablename__ = "hazard_report"
    __table_args__ = (enum_check("severity", HazardSeverity),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"), index=True)
    reporter_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    severity: Mapped[str] = mapped_column(String(16))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime())
    description: Mapped[str] = mapped_column(Text)
    reported_to_bureau_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filed_by: Mapped[str] = mapped_column(String(120))


class HazardResolution(CreatedAtMixin, Base):
    """The dated event that closes a hazard report."""

    __tablename__ = "hazard_resolution"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_report_id: Mapped[int] = mapped_column(ForeignKey("hazard_report.id"), unique=True)
    resolved_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(120))


class StopUseNotice(CreatedAtMixin, Base):
    """The written stop-use notice (停用通知) to the user unit that a serious hazard produces."""

    __tablename__ = "stop_use_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_number: Mapped[str] = mapped_column(String(40), unique=True)
    hazard_report_id: Mapped[int] = mapped_column(ForeignKey("hazard_report.id"), unique=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"), index=True)
    user_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    body: Mapped[str] = mapped_column(Text)


class UsageCheck(CreatedAtMixin, Base):
    """The user unit's own periodic check (安全监察条例 第二十七条: at least monthly); append-only."""

    __tablename__ = "usage_check"
    __table_args__ = (Index("ix_usage_check_elevator_checked", "elevator_id", "checked_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"))
    user_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    checked_on: Mapped[date] = mapped_column(Date)
    checker_name: Mapped[str] = mapped_column(String(50))
    findings: Mapped[str | None] = mapped_column(Text)


class RescueDrill(CreatedAtMixin, Base):
    """A maintenance unit's rescue drill (TSG T5002: at least every 6 months); append-only."""

    __tablename__ = "rescue_drill"
    __table_args__ = (
        CheckConstraint("participants >= 1", name="participants_positive"),
        Index("ix_rescue_drill_unit_held", "maintenance_unit_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    maintenance_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    elevator_id: Mapped[int | None] = mapped_column(ForeignKey("elevator.id"))
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
