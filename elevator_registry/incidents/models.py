"""Incidents, their append-only timeline, extra reports of the same incident, idempotency keys."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from elevator_registry.db import Base, CreatedAtMixin, UTCDateTime, enum_check
from elevator_registry.incidents.enums import (
    ACTIVE_STATUS_SQL,
    WAITING_SQL,
    IncidentChannel,
    IncidentKind,
    IncidentStatus,
)
from elevator_registry.maintenance.models import JsonDocument


class Incident(CreatedAtMixin, Base):
    """One 96333 report and the rescue it started; each time is stamped exactly once."""

    __tablename__ = "incident"
    __table_args__ = (
        enum_check("kind", IncidentKind),
        enum_check("channel", IncidentChannel),
        enum_check("status", IncidentStatus),
        CheckConstraint("escalation_level BETWEEN 1 AND 3", name="escalation_level_range"),
        CheckConstraint("trapped_count BETWEEN 0 AND 60", name="trapped_count_range"),
        CheckConstraint(
            "dispatched_at IS NULL OR dispatched_at >= reported_at", name="dispatch_after_report"
        ),
        CheckConstraint(
            "accepted_at IS NULL OR (dispatched_at IS NOT NULL AND accepted_at >= dispatched_at)",
            name="accept_after_dispatch",
        ),
        CheckConstraint(
            "arrived_at IS NULL OR arrived_at >= reported_at", name="arrive_after_report"
        ),
        CheckConstraint(
            "released_at IS NULL OR released_at >= reported_at", name="release_after_report"
        ),
        CheckConstraint("closed_at IS NULL OR closed_at >= reported_at", name="close_after_report"),
        CheckConstraint("arrival_deadline_at >= reported_at", name="deadline_after_report"),
        Index("ix_incident_elevator_reported", "elevator_id", "reported_at"),
        Index("ix_incident_status_deadline", "status", "arrival_deadline_at"),
        # Dedup that holds under concurrency: the database refuses a second incident of the same
        # kind for a car while one is still active, whatever races the application loses.
        Index(
            "uq_incident_active_elevator_kind",
            "elevator_id",
            "kind",
            unique=True,
            sqlite_where=text(ACTIVE_STATUS_SQL),
            postgresql_where=text(ACTIVE_STATUS_SQL),
        ),
        # KPIs select one kind over a period of report times.
        Index("ix_incident_kind_reported", "kind", "reported_at"),
        # The few incidents still waiting for someone (kpi.models): compute() reads them here.
        Index(
            "ix_incident_waiting",
            "kind",
            "reported_at",
            sqlite_where=text(WAITING_SQL),
            postgresql_where=text(WAITING_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"))
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    trapped_count: Mapped[int] = mapped_column(Integer, default=0)
    caller_phone: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=IncidentStatus.REPORTED)
    escalation_level: Mapped[int] = mapped_column(Integer, default=1)
    maintenance_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id"), index=True
    )
    no_contract: Mapped[bool] = mapped_column(Boolean, default=False)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    arrival_deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fault_cause_code: Mapped[str | None] = mapped_column(String(16))
    tracking_token_hash: Mapped[str] = mapped_column(String(64), unique=True)


class IncidentEvent(Base):
    """One step of an incident's timeline; never updated or deleted."""

    __tablename__ = "incident_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    backfilled: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)


class IncidentReport(Base):
    """A further report of an incident already open (another resident, a retry without a key).

    Kept apart from the incident so the dispatcher can call each caller back, and so each caller
    gets a tracking token of their own; only the token's SHA-256 is stored.
    """

    __tablename__ = "incident_report"
    __table_args__ = (
        enum_check("channel", IncidentChannel),
        CheckConstraint("trapped_count BETWEEN 0 AND 60", name="trapped_count_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    trapped_count: Mapped[int] = mapped_column(Integer, default=0)
    caller_phone: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    tracking_token_hash: Mapped[str] = mapped_column(String(64), unique=True)


class IdempotencyKey(CreatedAtMixin, Base):
    """The stored answer to a request sent with an `Idempotency-Key` header.

    The key itself is not stored, only its SHA-256, so a database reader cannot replay it. The
    response body is stored byte for byte except for the tracking token, which is derived from
    the key and `salt` on every answer (see incidents.intake) and so is never stored either.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("scope", "key_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "public", or "token:<id>" for an authenticated caller: keys of different callers never meet.
    scope: Mapped[str] = mapped_column(String(40))
    key_hash: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    salt: Mapped[str] = mapped_column(String(32))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
