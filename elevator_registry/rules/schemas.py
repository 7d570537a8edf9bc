"""Response shapes of the rules and risk-list API."""

from datetime import date

from pydantic import BaseModel

from elevator_registry.registry.enums import ElevatorStatus, PlaceCategory
from elevator_registry.rules.catalogue import Enforcement, Severity


class RuleRead(BaseModel):
    """One rule of the catalogue, with the current values of its parameters."""

    code: str
    severity: Severity
    title_zh: str
    title_en: str
    source: str
    enforcement: list[Enforcement]
    params: dict[str, object]
    listed: bool


class FindingRead(BaseModel):
    """One rule an elevator breaks."""

    rule: str
    severity: Severity
    ref_date: date | None
    value: int | None
    detail_zh: str
    detail_en: str


class RiskElevator(BaseModel):
    """The elevator fields a risk-list row shows, as they were on the list's `as_of` day."""

    id: int
    equipment_code: str
    registration_number: str | None
    rescue_code: str
    street: str
    address: str
    place_category: PlaceCategory
    status: ElevatorStatus
    commissioned_on: date | None
    user_unit_id: int | None
    user_unit_name: str | None = None
    maintenance_unit_id: int | None = None
    maintenance_unit_name: str | None = None


class RiskRowRead(BaseModel):
    """One elevator on the risk list with its score and findings."""

    elevator: RiskElevator
    score: int
    findings: list[FindingRead]


class RiskPage(BaseModel):
    """A page of the risk list."""

    as_of: date
    items: list[RiskRowRead]
    next_cursor: str | None


class RuleCount(BaseModel):
    """Elevators breaking one rule."""

    rule: str
    severity: Severity
    title_zh: str
    title_en: str
    elevators: int


class StreetCount(BaseModel):
    """Elevators with findings in one street or town, and their summed score."""

    street: str
    elevators: int
    score: int


class RiskSummary(BaseModel):
    """Counts per rule and per street/town."""

    as_of: date
    elevators_with_findings: int
    by_rule: list[RuleCount]
    by_street: list[StreetCount]


class ElevatorFindings(BaseModel):
    """One elevator's findings as of a day."""

    elevator_id: int
    as_of: date
    score: int
    findings: list[FindingRead]
