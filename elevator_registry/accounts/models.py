"""The `app_user` table (a person who logs in) and the `login_throttle` counters.

`user` is a reserved word in PostgreSQL, hence `app_user`. A user is bound exactly as an API
token is (same CHECK rules): unit and agency roles name an organisation, a street office names
its street, the others neither.
"""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from elevator_registry.auth.enums import Role
from elevator_registry.db import Base, CreatedAtMixin, UTCDateTime, enum_check


class User(CreatedAtMixin, Base):
    """A person: login name, display name, role and binding, argon2 password hash."""

    __tablename__ = "app_user"
    __table_args__ = (
        enum_check("role", Role),
        # Machines (IoT platforms) and the local CLI are not people: they keep tokens.
        CheckConstraint("role NOT IN ('cli', 'iot_platform')", name="person_role"),
        CheckConstraint(
            "(role IN ('maintenance_unit', 'user_unit', 'inspection_agency'))"
            " = (organisation_id IS NOT NULL)",
            name="organisation_iff_bound_role",
        ),
        CheckConstraint(
            "(role = 'street_office') = (street IS NOT NULL)", name="street_iff_street_office"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    street: Mapped[str | None] = mapped_column(ForeignKey("street.name"))
    password_hash: Mapped[str] = mapped_column(String(200))
    # Set for a first password and after a reset: the next login must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean)
    # 特种设备作业人员证 number of a maintenance worker (checked like a record's workers).
    certificate_number: Mapped[str | None] = mapped_column(String(30))
    phone: Mapped[str | None] = mapped_column(String(20))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def active(self) -> bool:
        """False once deactivated: every session and token of the user stops working."""
        return self.deactivated_at is None


class LoginThrottle(Base):
    """Failed logins of one login name or one client address, and the lock they earned.

    Kept in the database, not in process memory, so the count holds across workers and
    restarts; a row exists only after a failure and is cleared by a successful login.
    """

    __tablename__ = "login_throttle"
    __table_args__ = (
        CheckConstraint("scope IN ('login', 'address')", name="scope_valid"),
        CheckConstraint("failures >= 0", name="failures_not_negative"),
        UniqueConstraint("scope", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(120))
    failures: Mapped[int] = mapped_column(Integer)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
