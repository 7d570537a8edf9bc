"""96333 incident kinds, channels and statuses (DB32/T 4130-2021 flow)."""

from enum import StrEnum


class IncidentKind(StrEnum):
    """困人 / 故障 / 投诉 / 咨询."""

    TRAPPED = "trapped"
    FAULT = "fault"
    COMPLAINT = "complaint"
    CONSULTATION = "consultation"


class IncidentChannel(StrEnum):
    """How the report reached the platform."""

    PUBLIC = "public"
    OPERATOR = "operator"
    IOT = "iot"


class IncidentStatus(StrEnum):
    """reported → dispatched → accepted → arrived → released → closed, with side exits."""

    REPORTED = "reported"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    ARRIVED = "arrived"
    RELEASED = "released"
    CLOSED = "closed"
    SELF_RELEASED = "self_released"
    FALSE_ALARM = "false_alarm"
    CANCELLED = "cancelled"

    @classmethod
    def open(cls) -> frozenset["IncidentStatus"]:
        """Statuses in which the rescue is still under way."""
        return frozenset({cls.REPORTED, cls.DISPATCHED, cls.ACCEPTED, cls.ARRIVED, cls.RELEASED})
