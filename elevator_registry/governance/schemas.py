"""Request and response shapes of the governance routes; the public ones carry no private data."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from elevator_registry.governance.enums import InsuranceKind, RatingGrade, VetoKind
from elevator_registry.schemas import (
    DbId,
    InputModel,
    LongText,
    PlausibleDate,
    ReadModel,
    ShortText,
)

Yuan = Annotated[Decimal, Field(ge=0, le=100_000_000, decimal_places=2)]
Year = Annotated[int, Field(ge=1990, le=2100)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]
PolicyNumber = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00]*$")]

# Blacklist -----------------------------------------------------------------------------------


class BlacklistCreate(InputModel):
    """Lists an organisation: why, under which provision, from which day (today by default)."""

    organisation_id: DbId
    reason: LongText
    legal_basis: ShortText = Field(examples=["綦江府办发〔2022〕18号 三(十一)"])
    listed_on: PlausibleDate | None = Field(default=None, description="Default: today.")


class BlacklistLift(InputModel):
    """Lifts a listing: why, and from which day (today by default)."""

    reason: LongText
    lifted_on: PlausibleDate | None = Field(default=None, description="Default: today.")


class BlacklistRead(ReadModel):
    """A blacklist entry as the authorities see it."""

    id: int
    organisation_id: int
    reason: str
    legal_basis: str
    listed_on: date
    lifted_on: date | None
    lift_reason: str | None
    created_at: datetime


class PublicBlacklistEntry(ReadModel):
    """A current listing as the public sees it: the legal entity, why, since when."""

    organisation_name: str
    credit_code: str
    reason: str
    legal_basis: str
    listed_on: date


# Veto events ---------------------------------------------------------------------------------


class VetoEventCreate(InputModel):
    """A safety accident or penalty against a maintenance unit (vetoes that year's rating)."""

    organisation_id: DbId
    kind: VetoKind
    occurred_on: PlausibleDate
    description: LongText
    reference: Reference = Field(description="Accident report or penalty decision number.")


class VetoEventRead(ReadModel):
    """A recorded veto event."""

    id: int
    organisation_id: int
    kind: VetoKind
    occurred_on: date
    description: str
    reference: str
    created_at: datetime


# Star ratings --------------------------------------------------------------------------------


class StarRatingRead(ReadModel):
    """A unit's rating for a year with the indicator values, weights and vetoes behind it."""

    id: int
    maintenance_unit_id: int
    year: int
    score: Decimal
    stars: int
    grade: RatingGrade
    indicators: dict[str, Any]
    computed_at: datetime


class RatingComputation(ReadModel):
    """What one run of the yearly computation did."""

    year: int
    created: int = Field(description="Units rated for the first time this year.")
    updated: int = Field(description="Ratings whose indicators changed and were rewritten.")
    unchanged: int = Field(description="Ratings recomputed to the same indicators: untouched.")


class PublicStarRating(ReadModel):
    """A published rating: the unit, the year, its score, stars and grade."""

    maintenance_unit_name: str
    credit_code: str
    year: int
    score: Decimal
    stars: int
    grade: RatingGrade


# Insurance -----------------------------------------------------------------------------------


class InsurancePolicyCreate(InputModel):
    """A policy on one elevator; the premium factor is computed and stored on filing."""

    elevator_id: DbId
    insurer_id: DbId
    kind: InsuranceKind
    policy_number: PolicyNumber
    start_date: PlausibleDate
    end_date: PlausibleDate
    premium_yuan: Yuan


class InsurancePolicyRead(ReadModel):
    """A policy, with the premium factor and the inputs it came from."""

    id: int
    elevator_id: int
    insurer_id: int
    kind: InsuranceKind
    policy_number: str
    start_date: date
    end_date: date
    premium_yuan: Decimal
    risk_factor: Decimal | None
    factors: dict[str, Any] | None
    created_at: datetime


class PremiumFactorRead(ReadModel):
    """An elevator's premium factor on a day: the product of the multipliers in `factors`."""

    elevator_id: int
    as_of: date
    factor: Decimal
    factors: dict[str, Any] = Field(
        description="Per input: the value found and the multiplier it earned."
    )


# Cost disclosure -----------------------------------------------------------------------------


class CostDisclosureCreate(InputModel):
    """A user unit's yearly account of one elevator's maintenance money (plan §三(三))."""

    elevator_id: DbId
    year: Year
    amount_yuan: Yuan = Field(description="Spent on maintenance and repair in the year.")
    property_fee_yuan: Yuan = Field(default=Decimal(0), description="物业服务费中列支.")
    advertising_income_yuan: Yuan = Field(default=Decimal(0), description="轿厢广告收益.")
    repair_fund_draw_yuan: Yuan = Field(default=Decimal(0), description="专项维修资金提取.")
    items: LongText | None = Field(default=None, description="Breakdown, free text.")


class CostDisclosureRead(ReadModel):
    """A filed disclosure."""

    id: int
    elevator_id: int
    user_unit_id: int
    year: int
    amount_yuan: Decimal
    property_fee_yuan: Decimal
    advertising_income_yuan: Decimal
    repair_fund_draw_yuan: Decimal
    items: str | None
    disclosed_on: date
    created_at: datetime


class PublicCostDisclosure(ReadModel):
    """A disclosure as residents see it: the elevator by its rescue code and address."""

    user_unit_name: str
    rescue_code: str
    address: str
    year: int
    amount_yuan: Decimal
    property_fee_yuan: Decimal
    advertising_income_yuan: Decimal
    repair_fund_draw_yuan: Decimal
    items: str | None
    disclosed_on: date
