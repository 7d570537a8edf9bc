"""96333 incident kinds, channels, statuses, timeline events and fault causes (DB32/T 4130-2021)."""

from enum import StrEnum


class IncidentKind(StrEnum):
    """困人 / 故障 / 投诉 / 咨询."""

    TRAPPED = "trapped"
    FAULT = "fault"
    COMPLAINT = "complaint"
    CONSULTATION = "consultation"

    @classmethod
    def dispatched_at_intake(cls) -> frozenset["IncidentKind"]:
        """Kinds that send a rescuer or a repairer to the car as soon as they are reported."""
        return frozenset({cls.TRAPPED, cls.FAULT})


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

    @classmethod
    def active(cls) -> frozenset["IncidentStatus"]:
        """The car still has its problem: at most one such incident per elevator and kind."""
        return frozenset({cls.REPORTED, cls.DISPATCHED, cls.ACCEPTED, cls.ARRIVED})

    @classmethod
    def awaiting_arrival(cls) -> frozenset["IncidentStatus"]:
        """Nobody is on site yet: the arrival deadline and escalation apply."""
        return frozenset({cls.REPORTED, cls.DISPATCHED, cls.ACCEPTED})

    @classmethod
    def not_genuine(cls) -> frozenset["IncidentStatus"]:
        """Reports that turned out not to be an incident; the KPIs leave them out."""
        return frozenset({cls.FALSE_ALARM, cls.CANCELLED})


# The SQL predicate of the partial unique index; the migration and the model share this text.
ACTIVE_STATUS_SQL = "status IN ('reported', 'dispatched', 'accepted', 'arrived')"
OPEN_STATUS_SQL = "status IN ('reported', 'dispatched', 'accepted', 'arrived', 'released')"
# Nobody arrived and nobody got out (yet): the KPI summary leaves these to compute() (kpi.models).
WAITING_SQL = "arrived_at IS NULL AND released_at IS NULL"


class IncidentEventKind(StrEnum):
    """One line of an incident's timeline."""

    REPORTED = "reported"
    DISPATCHED = "dispatched"
    ESCALATED = "escalated"
    # Dispatched but not accepted within the policy's timeout: the firm is told again.
    ACK_TIMEOUT = "ack_timeout"
    DUPLICATE_REPORT = "duplicate_report"
    ACCEPTED = "accepted"
    ARRIVED = "arrived"
    RELEASED = "released"
    CLOSED = "closed"
    SELF_RELEASED = "self_released"
    FALSE_ALARM = "false_alarm"
    CANCELLED = "cancelled"


class FaultCause(StrEnum):
    """Fault-cause codes a maintenance unit reports when closing (CPASE M 001-2015 附录D style).

    The standard's annex was not retrieved (domain-rules E8, status I), so this list follows its
    structure: the elevator's own subsystems, then causes outside the elevator; an entrapment with
    one of `not_elevator_faults()` does not count towards the 故障困人率 KPI.
    """

    DOOR_SYSTEM = "door_system"  # 门系统 (landing/car door, door operator, interlock)
    TRACTION = "traction"  # 曳引系统 (machine, brake, ropes, sheave)
    GUIDANCE = "guidance"  # 导向系统 (guide rails, shoes)
    CAR_AND_COUNTERWEIGHT = "car_counterweight"  # 轿厢/对重
    CONTROL = "control"  # 电气控制系统 (controller, inverter, wiring)
    SAFETY_DEVICES = "safety_devices"  # 安全保护装置 (governor, safety gear, buffers, UCMP)
    ELEVATOR_POWER = "elevator_power"  # 电梯自身电源/主开关 failure
    POWER_CUT = "power_cut"  # 外部停电 (outside the elevator)
    MISUSE = "misuse"  # 人为因素 (forcing doors, jumping, overloading, vandalism)
    ENVIRONMENT = "environment"  # 环境因素 (water in the pit, heat): a maintenance matter, counted
    OTHER = "other"  # 其他
    UNKNOWN = "unknown"  # 原因不明 (counted: the elevator is presumed at fault)

    @classmethod
    def not_elevator_faults(cls) -> frozenset["FaultCause"]:
        """Causes outside the elevator: they do not count towards the trapped-passenger rate."""
        return frozenset({cls.POWER_CUT, cls.MISUSE})

    @property
    def title_zh(self) -> str:
        """Chinese label."""
        return {
            "door_system": "门系统故障",
            "traction": "曳引系统故障",
            "guidance": "导向系统故障",
            "car_counterweight": "轿厢或对重故障",
            "control": "电气控制系统故障",
            "safety_devices": "安全保护装置动作或故障",
            "elevator_power": "电梯自身供电故障",
            "power_cut": "外部停电",
            "misuse": "人为因素",
            "environment": "环境因素",
            "other": "其他",
            "unknown": "原因不明",
        }[self.value]
