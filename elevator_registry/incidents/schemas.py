"""Request and response shapes of the 96333 incident API."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field

from elevator_registry.incidents.enums import (
    FaultCause,
    IncidentChannel,
    IncidentEventKind,
    IncidentKind,
    IncidentStatus,
)
from elevator_registry.schemas import InputModel, ReadModel

_NO_NUL = r"^[^\x00]*$"
RescueCode = Annotated[
    str, Field(min_length=1, max_length=16, pattern=_NO_NUL, examples=["100001"])
]
CallerPhone = Annotated[
    str, Field(min_length=5, max_length=20, pattern=_NO_NUL, examples=["13812345678"])
]
Description = Annotated[str, Field(min_length=1, max_length=1000, pattern=_NO_NUL)]
Reason = Annotated[str, Field(min_length=1, max_length=1000, pattern=_NO_NUL)]
TrappedCount = Annotated[int, Field(ge=0, le=60)]
# Backfilled times are bounded so that date arithmetic can never overflow.
BackfillTime = Annotated[
    AwareDatetime,
    Field(
        ge=datetime.fromisoformat("2000-01-01T00:00:00+00:00"),
        le=datetime.fromisoformat("2100-01-01T00:00:00+00:00"),
    ),
]


# Intake --------------------------------------------------------------------------------------


class IncidentCreate(InputModel):
    """A report: by a resident (no token), a 96333 operator, or an IoT platform."""

    rescue_code: RescueCode = Field(description="The 96333 识别码 printed in the car.")
    kind: IncidentKind
    trapped_count: TrappedCount | None = Field(
        default=None,
        description="People trapped: 1-60 for `trapped` (default 1), 0 for the other kinds.",
    )
    caller_phone: CallerPhone | None = Field(
        default=None, description="Mobile or landline; shown only to the dispatcher and rescuer."
    )
    description: Description | None = None
    channel: IncidentChannel | None = Field(
        default=None,
        description="Optional; must match the caller (no token: public, operator token: "
        "operator, IoT platform token: iot).",
    )


class IotAlarm(InputModel):
    """An alarm from an IoT terminal, posted by its platform; repeats collapse like reports."""

    rescue_code: RescueCode
    alarm: Literal["trapped", "fault"] = Field(description="困人 or 故障 alarm.")
    trapped_count: TrappedCount | None = Field(
        default=None, description="When the terminal counts people (default 1 for trapped)."
    )
    description: Description | None = Field(default=None, description="The terminal's fault code.")


class UnitContact(ReadModel):
    """The responsible maintenance unit and its 24-hour duty phone."""

    name: str
    duty_phone: str | None


class IncidentReceipt(ReadModel):
    """What the reporter gets back: 201 for a new incident, 200 (`duplicate`) for a known one."""

    number: str = Field(examples=["QJ20261115-000123"])
    kind: IncidentKind
    status: IncidentStatus
    duplicate: bool = Field(description="True when the report joined an incident already open.")
    escalation_level: int = Field(ge=1, le=3)
    no_contract: bool = Field(description="No current maintenance contract: sent to level 2.")
    reported_at: datetime
    arrival_deadline_at: datetime
    maintenance_unit: UnitContact | None
    tracking_token: str = Field(
        description="Secret for GET /incidents/track/{token}; shown once, only its hash is kept."
    )
    hotline: str = Field(examples=["96333"])


# Lifecycle -----------------------------------------------------------------------------------


class TransitionAction(InputModel):
    """A lifecycle step. The time is the server's; an operator or the bureau may backfill it."""

    at: BackfillTime | None = Field(
        default=None,
        description="Backfilled time (operator, bureau only; needs `reason`). Default: now.",
    )
    reason: Reason | None = Field(
        default=None, description="Why the time is backfilled, or a note."
    )


class CloseAction(TransitionAction):
    """Closing: trapped and fault incidents need a fault-cause code."""

    fault_cause_code: FaultCause | None = Field(
        default=None, description="Required for trapped and fault incidents."
    )


class EscalateAction(InputModel):
    """Manual escalation by the platform: level 2 (another rescue unit) or 3 (fire service 119)."""

    level: Annotated[int, Field(ge=2, le=3)] | None = Field(
        default=None, description="Default: one level up."
    )
    reason: Reason


class AssignAction(InputModel):
    """A 96333 seat sends a rescuer to an incident nobody holds a contract for."""

    maintenance_unit_id: Annotated[int, Field(ge=1, le=2**31 - 1)] = Field(
        description="The maintenance firm, or the level-2 rescue unit, sent to the car."
    )
    reason: Reason | None = Field(default=None, description="A note for the timeline.")


class IncidentEventRead(ReadModel):
    """One line of the timeline."""

    id: int
    kind: IncidentEventKind
    at: datetime
    recorded_at: datetime
    actor: str
    backfilled: bool
    reason: str | None
    detail: dict[str, object] | None


class IncidentRead(ReadModel):
    """An incident as staff see it; `caller_phone` is masked for roles that do not call back."""

    id: int
    number: str
    elevator_id: int
    kind: IncidentKind
    channel: IncidentChannel
    trapped_count: int
    caller_phone: str | None
    description: str | None
    status: IncidentStatus
    escalation_level: int
    maintenance_unit_id: int | None
    no_contract: bool
    reported_at: datetime
    arrival_deadline_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    arrived_at: datetime | None
    released_at: datetime | None
    closed_at: datetime | None
    fault_cause_code: FaultCause | None
    reports: int = Field(description="Reports received for this incident, the first included.")


class IncidentDetail(IncidentRead):
    """An incident with its timeline."""

    events: list[IncidentEventRead]


# Public --------------------------------------------------------------------------------------


class TrackingEvent(ReadModel):
    """A timeline step as the public sees it: what and when, never who."""

    kind: IncidentEventKind
    at: datetime
    escalation_level: int | None = None


class TrackedElevator(ReadModel):
    """Where the reported elevator is: what its public card shows."""

    rescue_code: str
    street: str
    address: str
    building: str | None
    unit: str | None
    in_house_number: str | None = Field(description="The lift's number in its building.")


class IncidentTracking(ReadModel):
    """GET /incidents/track/{token}: no phone numbers, no names of people."""

    number: str
    elevator: TrackedElevator
    kind: IncidentKind
    status: IncidentStatus
    escalation_level: int
    reported_at: datetime
    arrival_deadline_at: datetime
    arrived_at: datetime | None
    released_at: datetime | None
    closed_at: datetime | None
    maintenance_unit: UnitContact | None
    awaiting_rescuer: bool = Field(
        description="No rescuer sent yet: the elevator has no contracted unit and a 96333 seat "
        "is assigning one."
    )
    timeline: list[TrackingEvent]
    hotline: str


class PublicElevatorCard(ReadModel):
    """What the QR code in the car shows."""

    rescue_code: str
    address: str
    building: str | None = None
    unit: str | None = None
    in_house_number: str | None = None
    street: str
    status: str
    place_category: str
    maintenance_unit: UnitContact | None
    last_maintenance_on: date | None = Field(
        description="Local date of the latest maintenance visit on record."
    )
    inspection_valid_until: date | None = Field(
        description="Date until which the inspection holds (TSG T7001-2023 schedule); null "
        "when never inspected or the latest inspection failed."
    )
    hotline: str
