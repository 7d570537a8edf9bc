"""Registry tables: streets, organisations and their licences, elevators, contracts, warranties."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from elevator_registry.db import Base, CreatedAtMixin, UTCDateTime, enum_check
from elevator_registry.registry.enums import (
    ContractMode,
    ElevatorStatus,
    ElevatorType,
    LicenceKind,
    LicenceStatus,
    OrganisationRole,
    PlaceCategory,
    StreetKind,
    WarrantyContext,
    WarrantyScope,
)


class Street(Base):
    """A 街道 or 镇 of the district; carries the rescue-arrival deadline that applies there."""

    __tablename__ = "street"
    __table_args__ = (
        enum_check("kind", StreetKind),
        CheckConstraint("arrival_deadline_minutes BETWEEN 5 AND 120", name="arrival_minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    district: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    # TSG T5002 第五条: 30 minutes in urban areas, generally 60 elsewhere.
    arrival_deadline_minutes: Mapped[int] = mapped_column(Integer, default=30)


class Organisation(CreatedAtMixin, Base):
    """A legal entity identified by its 统一社会信用代码; may hold several roles."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    duty_phone: Mapped[str | None] = mapped_column(String(20))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Roles are a value set that is part of every read of an organisation, so they always load.
    role_rows: Mapped[list["OrganisationRoleRow"]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="OrganisationRoleRow.role"
    )

    @property
    def roles(self) -> list[str]:
        """Role names, sorted."""
        return [row.role for row in self.role_rows]


class OrganisationRoleRow(Base):
    """One role held by one organisation."""

    __tablename__ = "organisation_role"
    __table_args__ = (enum_check("role", OrganisationRole),)

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class Licence(CreatedAtMixin, Base):
    """A special-equipment licence; revocation is dated because it starts the 3-year ban."""

    __tablename__ = "licence"
    __table_args__ = (
        enum_check("kind", LicenceKind),
        enum_check("status", LicenceStatus),
        UniqueConstraint("kind", "number"),
        CheckConstraint("valid_until >= valid_from", name="validity_ordered"),
        CheckConstraint(
            "(status = 'revoked') = (revoked_on IS NOT NULL AND revoked_at IS NOT NULL)",
            name="revocation_dated",
        ),
        CheckConstraint(
            "(status = 'suspended') = (suspended_at IS NOT NULL)", name="suspension_dated"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=LicenceStatus.VALID)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)


SEARCH_COLUMNS = ("equipment_code", "registration_number", "rescue_code", "community", "address")


class Elevator(CreatedAtMixin, Base):
    """One elevator, escalator or moving walk, registered per unit (TSG 08-2017 按台)."""

    __tablename__ = "elevator"
    __table_args__ = (
        enum_check("type_code", ElevatorType),
        enum_check("place_category", PlaceCategory),
        enum_check("status", ElevatorStatus),
        CheckConstraint(
            "status NOT IN ('in_use', 'suspended') OR commissioned_on IS NOT NULL",
            name="commissioned_when_used",
        ),
        CheckConstraint(
            "registration_number IS NULL OR registered_on IS NOT NULL", name="registration_dated"
        ),
        CheckConstraint(
            "manufactured_on IS NULL OR commissioned_on IS NULL OR commissioned_on >= manufactured_on",
            name="commissioned_after_manufacture",
        ),
        CheckConstraint(
            "rated_load_kg IS NULL OR rated_load_kg BETWEEN 1 AND 100000", name="rated_load"
        ),
        CheckConstraint(
            "rated_speed_mps IS NULL OR (rated_speed_mps > 0 AND rated_speed_mps <= 20)",
            name="rated_speed",
        ),
        CheckConstraint(
            "floors IS NULL OR stops IS NULL OR (stops >= 1 AND stops <= floors)",
            name="stops_within_floors",
        ),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude"),
        Index("ix_elevator_street_status", "street", "status"),
        # The search's fragment match (registry/search.py): a pg_trgm GIN index on PostgreSQL,
        # where `LIKE '%…%'` on any of these columns uses it (migration 0013 creates it with the
        # opclass of wherever pg_trgm is installed); a plain index on SQLite, which scans.
        Index(
            "ix_elevator_search_trgm",
            *SEARCH_COLUMNS,
            postgresql_using="gin",
            postgresql_ops=dict.fromkeys(SEARCH_COLUMNS, "gin_trgm_ops"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    equipment_code: Mapped[str] = mapped_column(String(20), unique=True)
    registration_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    registered_on: Mapped[date | None] = mapped_column(Date)
    rescue_code: Mapped[str] = mapped_column(String(16), unique=True)
    type_code: Mapped[str] = mapped_column(String(4))
    model: Mapped[str | None] = mapped_column(String(64))
    product_serial: Mapped[str | None] = mapped_column(String(64))
    rated_load_kg: Mapped[int | None] = mapped_column(Integer)
    rated_speed_mps: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    floors: Mapped[int | None] = mapped_column(Integer)
    stops: Mapped[int | None] = mapped_column(Integer)
    doors: Mapped[int | None] = mapped_column(Integer)
    manufacturer_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    installer_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    manufactured_on: Mapped[date | None] = mapped_column(Date)
    # TSG T7001-2023 §4.1 counts the inspection schedule from this month (or modernised_on).
    installation_inspected_on: Mapped[date | None] = mapped_column(Date)
    commissioned_on: Mapped[date | None] = mapped_column(Date, index=True)
    modernised_on: Mapped[date | None] = mapped_column(Date)
    district: Mapped[str] = mapped_column(String(40))
    street: Mapped[str] = mapped_column(ForeignKey("street.name"))
    community: Mapped[str | None] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(200))
    building: Mapped[str | None] = mapped_column(String(40))
    unit: Mapped[str | None] = mapped_column(String(20))
    in_house_number: Mapped[str | None] = mapped_column(String(20))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    place_category: Mapped[str] = mapped_column(String(24))
    # Nullable: legacy 三无 rows exist; NO_USER_UNIT refuses putting such an elevator in use.
    user_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    has_property_management: Mapped[bool] = mapped_column(Boolean, default=True)
    has_repair_fund: Mapped[bool] = mapped_column(Boolean, default=True)
    added_to_old_building: Mapped[bool] = mapped_column(Boolean, default=False)
    iot_terminal_fitted: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency_levelling_fitted: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=ElevatorStatus.REGISTERED)
    status_changed_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ElevatorStatusChange(CreatedAtMixin, Base):
    """One dated status change; the history TSG 08-2017 stop-use and restart rules read."""

    __tablename__ = "elevator_status_change"
    __table_args__ = (
        enum_check("from_status", ElevatorStatus, nullable=True),
        enum_check("to_status", ElevatorStatus),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    # Indexed on its own so "did anything change after day D?" is one index probe (risk list).
    changed_on: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))


class ElevatorAssignmentChange(CreatedAtMixin, Base):
    """One dated change of an elevator's street or user unit, with the values before and after.

    Append-only, like the status history: the risk list as of a past day shows the street and
    user unit of that day from it (the `from_` values of the first change after the day). The
    new values hold from `changed_on`, the district's local day of the change, inclusive.
    """

    __tablename__ = "elevator_assignment_change"
    __table_args__ = (
        Index("ix_elevator_assignment_change_elevator_changed", "elevator_id", "changed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"))
    changed_on: Mapped[date] = mapped_column(Date, index=True)
    from_street: Mapped[str] = mapped_column(ForeignKey("street.name"))
    to_street: Mapped[str] = mapped_column(ForeignKey("street.name"))
    from_user_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    to_user_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    actor: Mapped[str] = mapped_column(String(120))


class MaintenanceContract(CreatedAtMixin, Base):
    """A maintenance contract; it covers the days from start_date to its effective end."""

    __tablename__ = "maintenance_contract"
    __table_args__ = (
        enum_check("mode", ContractMode),
        CheckConstraint("end_date >= start_date", name="period_ordered"),
        CheckConstraint(
            "terminated_on IS NULL OR (terminated_on >= start_date AND terminated_on <= end_date)",
            name="termination_within_period",
        ),
        CheckConstraint(
            "(mode = 'on_demand') = (maintenance_interval_days IS NOT NULL)",
            name="interval_only_on_demand",
        ),
        CheckConstraint(
            "maintenance_interval_days IS NULL OR maintenance_interval_days BETWEEN 1 AND 366",
            name="interval_range",
        ),
        CheckConstraint("fee_yuan IS NULL OR fee_yuan >= 0", name="fee_not_negative"),
        Index("ix_maintenance_contract_elevator_period", "elevator_id", "start_date", "end_date"),
        Index("ix_maintenance_contract_unit_period", "maintenance_unit_id", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"))
    maintenance_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    user_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(16), default=ContractMode.REGULAR)
    maintenance_interval_days: Mapped[int | None] = mapped_column(Integer)
    fee_yuan: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    terminated_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[str | None] = mapped_column(Text)

    @hybrid_property
    def effective_end(self) -> date:
        """Last day covered: the termination date if ended early, otherwise the agreed end."""
        return self.terminated_on or self.end_date

    @effective_end.inplace.expression
    @classmethod
    def _effective_end_expression(cls) -> ColumnElement[date]:
        return func.coalesce(cls.terminated_on, cls.end_date)


class Warranty(CreatedAtMixin, Base):
    """A warranty on the whole unit or one major part; the plan sets minimum lengths."""

    __tablename__ = "warranty"
    __table_args__ = (
        enum_check("scope", WarrantyScope),
        enum_check("context", WarrantyContext),
        CheckConstraint("end_date > start_date", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"), index=True)
    scope: Mapped[str] = mapped_column(String(24))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    context: Mapped[str] = mapped_column(String(24))
