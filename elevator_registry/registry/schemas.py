"""Request and response shapes of the registry API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from elevator_registry.registry.enums import (
    ContractMode,
    ElevatorStatus,
    ElevatorType,
    LicenceKind,
    OrganisationRole,
    PlaceCategory,
    WarrantyContext,
    WarrantyScope,
)
from elevator_registry.schemas import (
    Code,
    DbId,
    InputModel,
    LongText,
    Name,
    PlausibleDate,
    ReadModel,
    ShortText,
)

Phone = Annotated[str, Field(min_length=5, max_length=20, pattern=r"^[^\x00]*$")]


# Organisations and licences -------------------------------------------------------------


class OrganisationCreate(InputModel):
    """A new organisation; `credit_code` is checked against GB 32100-2015."""

    credit_code: Annotated[str, Field(min_length=1, max_length=30, examples=["91500222MA5U4LXB1K"])]
    name: ShortText = Field(examples=["重庆綦江安达电梯工程有限公司"])
    roles: Annotated[list[OrganisationRole], Field(min_length=1, max_length=6)]
    duty_phone: Phone | None = Field(default=None, examples=["023-48661234"])
    contact_name: Name | None = None
    address: ShortText | None = None


class OrganisationUpdate(InputModel):
    """Fields an organisation may change; absent fields stay as they are."""

    name: ShortText | None = None
    roles: Annotated[list[OrganisationRole], Field(min_length=1, max_length=6)] | None = None
    duty_phone: Phone | None = None
    contact_name: Name | None = None
    address: ShortText | None = None


class OrganisationRead(ReadModel):
    """An organisation as the API shows it."""

    id: int
    credit_code: str
    name: str
    roles: list[OrganisationRole]
    duty_phone: str | None
    contact_name: str | None
    address: str | None
    created_at: datetime


class LicenceCreate(InputModel):
    """A licence granted to the organisation."""

    kind: LicenceKind
    number: Code = Field(examples=["TS3350001-2027"])
    valid_from: PlausibleDate
    valid_until: PlausibleDate


class LicenceAction(InputModel):
    """Suspension or revocation: the decision date (default today) and the reason."""

    on: PlausibleDate | None = Field(default=None, description="Decision date; default today.")
    reason: LongText


class LicenceRead(ReadModel):
    """A licence; a `valid` one past `valid_until` has expired."""

    id: int
    organisation_id: int
    kind: LicenceKind
    number: str
    valid_from: date
    valid_until: date
    status: str
    suspended_at: datetime | None
    revoked_on: date | None
    revoked_at: datetime | None
    reason: str | None


# Elevators ---------------------------------------------------------------------------------


class _ElevatorFields(InputModel):
    """Descriptive fields shared by create and update."""

    model: Code | None = None
    product_serial: Code | None = None
    rated_load_kg: Annotated[int, Field(ge=1, le=100000)] | None = Field(
        default=None, examples=[1000]
    )
    rated_speed_mps: Annotated[Decimal, Field(gt=0, le=20, decimal_places=2)] | None = Field(
        default=None, examples=["1.75"]
    )
    floors: Annotated[int, Field(ge=1, le=300)] | None = None
    stops: Annotated[int, Field(ge=1, le=300)] | None = None
    doors: Annotated[int, Field(ge=1, le=600)] | None = None
    manufacturer_id: DbId | None = None
    installer_id: DbId | None = None
    manufactured_on: PlausibleDate | None = None
    installation_inspected_on: PlausibleDate | None = None
    modernised_on: PlausibleDate | None = None
    community: Name | None = None
    building: Code | None = None
    unit: Code | None = None
    in_house_number: Code | None = None
    latitude: Annotated[Decimal, Field(ge=-90, le=90, decimal_places=6)] | None = None
    longitude: Annotated[Decimal, Field(ge=-180, le=180, decimal_places=6)] | None = None
    user_unit_id: DbId | None = None
    has_property_management: bool | None = None
    has_repair_fund: bool | None = None
    added_to_old_building: bool | None = None
    iot_terminal_fitted: bool | None = None
    emergency_levelling_fitted: bool | None = None


class ElevatorCreate(_ElevatorFields):
    """A new elevator entered in the registry, either just registered or already in use."""

    equipment_code: Annotated[str, Field(min_length=1, max_length=30)] = Field(
        examples=["311050012201800001"]
    )
    rescue_code: Annotated[str, Field(min_length=1, max_length=16)] = Field(examples=["100001"])
    type_code: ElevatorType
    registration_number: Annotated[str, Field(min_length=1, max_length=32)] | None = Field(
        default=None, examples=["梯11渝A00001(18)"]
    )
    registered_on: PlausibleDate | None = None
    street: Name = Field(examples=["古南街道"])
    address: ShortText = Field(examples=["綦江区古南街道沙溪路12号"])
    place_category: PlaceCategory
    commissioned_on: PlausibleDate | None = None
    status: ElevatorStatus = Field(
        default=ElevatorStatus.REGISTERED,
        description="`registered` or, for a ledger entry already in service, `in_use`.",
    )


class ElevatorUpdate(_ElevatorFields):
    """Mutable fields; which of them a caller may set depends on its role."""

    rescue_code: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    street: Name | None = None
    address: ShortText | None = None
    place_category: PlaceCategory | None = None
    commissioned_on: PlausibleDate | None = None


class ElevatorRead(ReadModel):
    """An elevator as the API shows it."""

    id: int
    equipment_code: str
    registration_number: str | None
    registered_on: date | None
    rescue_code: str
    type_code: ElevatorType
    model: str | None
    product_serial: str | None
    rated_load_kg: int | None
    rated_speed_mps: Decimal | None
    floors: int | None
    stops: int | None
    doors: int | None
    manufacturer_id: int | None
    installer_id: int | None
    manufactured_on: date | None
    installation_inspected_on: date | None
    commissioned_on: date | None
    modernised_on: date | None
    district: str
    street: str
    community: str | None
    address: str
    building: str | None
    unit: str | None
    in_house_number: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    place_category: PlaceCategory
    user_unit_id: int | None
    has_property_management: bool
    has_repair_fund: bool
    added_to_old_building: bool
    iot_terminal_fitted: bool
    emergency_levelling_fitted: bool
    status: ElevatorStatus
    status_changed_on: date | None
    created_at: datetime
    # Computed from the TSG T7001-2023 schedule (elevator_registry.inspection.schedule); filled
    # by GET /elevators and GET /elevators/{id}, null where no schedule applies.
    inspection_valid_until: date | None = Field(
        default=None, description="Earlier next due date; null if the latest inspection failed."
    )
    next_inspection_due_on: date | None = Field(
        default=None, description="Periodic inspection due by (end of the anniversary month)."
    )
    next_self_test_due_on: date | None = Field(
        default=None, description="Self-test (TSG T7008) due by; null when none remains."
    )
    # From the risk snapshot (or evaluated live for this elevator); filled by the GET routes.
    findings_count: int | None = Field(
        default=None, description="Rules on the risk list the elevator breaks today."
    )
    risk_score: int | None = Field(
        default=None, description="Sum of those findings' severity weights (risk-list order)."
    )


class RegisterAction(InputModel):
    """Use registration (使用登记, TSG 08-2017): the certificate number and its date."""

    registration_number: Annotated[str, Field(min_length=1, max_length=32)] = Field(
        examples=["梯11渝A00001(18)"]
    )
    registered_on: PlausibleDate | None = Field(default=None, description="Default today.")


class PutInUseAction(InputModel):
    """Putting a registered elevator into service."""

    commissioned_on: PlausibleDate | None = Field(
        default=None, description="投用 date; default today (or the date already recorded)."
    )


class StatusAction(InputModel):
    """Suspend, resume or scrap: the date (default today) and the reason."""

    on: PlausibleDate | None = Field(default=None, description="Default today.")
    reason: LongText | None = None


# Contracts and warranties -----------------------------------------------------------------


class ContractCreate(InputModel):
    """A maintenance contract between the elevator's user unit and a maintenance unit."""

    elevator_id: DbId
    maintenance_unit_id: DbId
    user_unit_id: DbId | None = Field(default=None, description="Default: the elevator's.")
    start_date: PlausibleDate
    end_date: PlausibleDate
    mode: ContractMode = ContractMode.REGULAR
    maintenance_interval_days: Annotated[int, Field(ge=1, le=366)] | None = Field(
        default=None, description="On-demand contracts only: the agreed interval."
    )
    fee_yuan: Annotated[Decimal, Field(ge=0, le=10_000_000, decimal_places=2)] | None = None


class ContractEnd(InputModel):
    """Ending a contract early."""

    terminated_on: PlausibleDate | None = Field(default=None, description="Default today.")
    reason: LongText


class ContractRead(ReadModel):
    """A maintenance contract."""

    id: int
    elevator_id: int
    maintenance_unit_id: int
    user_unit_id: int
    start_date: date
    end_date: date
    mode: ContractMode
    maintenance_interval_days: int | None
    fee_yuan: Decimal | None
    terminated_on: date | None
    termination_reason: str | None
    created_at: datetime


class WarrantyCreate(InputModel):
    """A warranty on the whole unit or one of the five major parts."""

    elevator_id: DbId
    scope: WarrantyScope
    issuer_id: DbId
    start_date: PlausibleDate
    end_date: PlausibleDate
    context: WarrantyContext


class WarrantyRead(ReadModel):
    """A warranty."""

    id: int
    elevator_id: int
    scope: WarrantyScope
    issuer_id: int
    start_date: date
    end_date: date
    context: WarrantyContext
    created_at: datetime


class ElevatorSearchHit(ReadModel):
    """An elevator found by the search: what identifies it and where it stands."""

    id: int
    equipment_code: str
    registration_number: str | None
    rescue_code: str
    type_code: ElevatorType
    street: str
    community: str | None
    address: str
    building: str | None
    unit: str | None
    status: ElevatorStatus
    exact: bool = Field(
        default=False, description="An identifier equals the query (listed before fragments)"
    )


class ElevatorSearchResult(ReadModel):
    """`GET /elevators/search`: at most `limit` hits, exact identifier matches first."""

    items: list[ElevatorSearchHit]
