"""Governance tables: blacklist, star ratings, insurance policies, maintenance-cost disclosure."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import Mapped, mapped_column

from elevator_registry.db import Base, CreatedAtMixin, UTCDateTime, enum_check
from elevator_registry.governance.enums import InsuranceKind, RatingGrade, VetoKind
from elevator_registry.maintenance.models import JsonDocument


class BlacklistEntry(CreatedAtMixin, Base):
    """A dated, reasoned listing of an organisation (plan §三(十一)); public while current."""

    __tablename__ = "blacklist_entry"
    __table_args__ = (
        CheckConstraint("lifted_on IS NULL OR lifted_on >= listed_on", name="lift_after_listing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(String(200))
    listed_on: Mapped[date] = mapped_column(Date)
    lifted_on: Mapped[date | None] = mapped_column(Date)
    lift_reason: Mapped[str | None] = mapped_column(Text)


class StarRating(Base):
    """A maintenance unit's yearly rating with the indicator values it was computed from."""

    __tablename__ = "star_rating"
    __table_args__ = (
        enum_check("grade", RatingGrade),
        Unique("maintenance_unit_id", "year"),
        CheckConstraint("stars IN (0, 2, 3, 4, 5)", name="stars_valid"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        CheckConstraint("grade <> 'D' OR stars = 0", name="grade_d_no_star"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    maintenance_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    year: Mapped[int] = mapped_column(Integer)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    stars: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(1))
    indicators: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InsurancePolicy(CreatedAtMixin, Base):
    """An insurance policy on one elevator, with the premium factor and what it came from."""

    __tablename__ = "insurance_policy"
    __table_args__ = (
        enum_check("kind", InsuranceKind),
        Unique("insurer_id", "policy_number"),
        CheckConstraint("end_date > start_date", name="period_ordered"),
        CheckConstraint("premium_yuan >= 0", name="premium_not_negative"),
        CheckConstraint("risk_factor IS NULL OR risk_factor > 0", name="risk_factor_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"), index=True)
    insurer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(16))
    policy_number: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    premium_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    risk_factor: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    factors: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)


class CostDisclosure(CreatedAtMixin, Base):
    """A user unit's yearly public account of one elevator's maintenance money (plan §三(三)).

    `amount_yuan` is what was spent on maintenance; the other amounts are where money came from.
    """

    __tablename__ = "cost_disclosure"
    __table_args__ = (
        Unique("elevator_id", "year"),
        CheckConstraint("amount_yuan >= 0", name="amount_not_negative"),
        CheckConstraint(
            "property_fee_yuan >= 0 AND advertising_income_yuan >= 0 "
            "AND repair_fund_draw_yuan >= 0",
            name="income_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"))
    user_unit_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    year: Mapped[int] = mapped_column(Integer)
    amount_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # 物业服务费中列支 / 轿厢广告收益 / 专项维修资金 (plan §三(三)).
    property_fee_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    advertising_income_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    repair_fund_draw_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal(0))
    items: Mapped[str | None] = mapped_column(Text)
    disclosed_on: Mapped[date] = mapped_column(Date)


class VetoEvent(CreatedAtMixin, Base):
    """A dated safety accident or penalty against an organisation; vetoes that year's rating."""

    __tablename__ = "veto_event"
    __table_args__ = (
        enum_check("kind", VetoKind),
        Index("ix_veto_event_organisation_occurred", "organisation_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    # The accident investigation report or penalty decision (行政处罚决定书) number.
    reference: Mapped[str] = mapped_column(String(100))
