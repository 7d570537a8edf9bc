"""API tokens: only a SHA-256 digest is stored, the token itself is shown once."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from elevator_registry.auth.enums import Role
from elevator_registry.db import Base, CreatedAtMixin, UTCDateTime, enum_check


class ApiToken(CreatedAtMixin, Base):
    """A bearer token bound to a role and, for some roles, an organisation or a street."""

    __tablename__ = "api_token"
    __table_args__ = (
        enum_check("role", Role),
        CheckConstraint("role <> 'cli'", name="no_cli_tokens"),
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
    # SHA-256 of a 256-bit random secret: a slow hash adds nothing against a brute force here.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    street: Mapped[str | None] = mapped_column(ForeignKey("street.name"))
    label: Mapped[str] = mapped_column(String(120))
    # The person a token was issued to from the web: it acts as them and dies with their account.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
