"""Outbox topics, channels, message statuses and escalation-policy vocabularies, with Chinese labels."""

from enum import StrEnum


class Channel(StrEnum):
    """How a message reaches its recipient."""

    WEBHOOK = "webhook"
    SMS = "sms"
    IN_APP = "in_app"

    @property
    def title_zh(self) -> str:
        """Chinese label."""
        return {"webhook": "Webhook 推送", "sms": "短信", "in_app": "站内通知"}[self.value]


class MessageStatus(StrEnum):
    """pending (waiting for its next attempt) → delivered, or dead after the last attempt."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"

    @property
    def title_zh(self) -> str:
        """Chinese label."""
        return {"pending": "待发送", "delivered": "已送达", "dead": "发送失败(已放弃)"}[self.value]


class AttemptOutcome(StrEnum):
    """The result of one delivery attempt."""

    DELIVERED = "delivered"
    FAILED = "failed"

    @property
    def title_zh(self) -> str:
        """Chinese label."""
        return {"delivered": "已送达", "failed": "失败"}[self.value]


class Topic(StrEnum):
    """What happened: the events that must reach a person."""

    INCIDENT_DISPATCHED = "incident.dispatched"
    INCIDENT_ESCALATED = "incident.escalated"
    ACK_TIMEOUT = "incident.ack_timeout"
    HAZARD_STOP_USE = "hazard.stop_use_notice"
    RECORD_AWAITING_CONFIRMATION = "maintenance_record.awaiting_confirmation"

    @property
    def title_zh(self) -> str:
        """Chinese label."""
        return {
            "incident.dispatched": "困人救援派单",
            "incident.escalated": "救援升级",
            "incident.ack_timeout": "派单超时未接单",
            "hazard.stop_use_notice": "重大隐患停用通知",
            "maintenance_record.awaiting_confirmation": "维保记录待确认",
        }[self.value]


class PolicyTrigger(StrEnum):
    """When an escalation-policy step fires, counted from which instant."""

    # Dispatched but not accepted `delay_minutes` after dispatch.
    ACK_TIMEOUT = "ack_timeout"
    # Nobody on site (dispatched or accepted) `delay_minutes` after the arrival deadline.
    ARRIVAL_DEADLINE = "arrival_deadline"

    @property
    def title_zh(self) -> str:
        """Chinese label."""
        return {"ack_timeout": "派单后未接单", "arrival_deadline": "到场时限后仍未到场"}[self.value]


class TargetKind(StrEnum):
    """Who a policy step calls on."""

    MAINTENANCE_UNIT = "maintenance_unit"
    RESCUE_UNIT = "rescue_unit"
    FIRE_SERVICE = "fire_service"

    @property
    def title_zh(self) -> str:
        """Chinese label."""
        return {
            "maintenance_unit": "维保单位",
            "rescue_unit": "其他救援单位(二级)",
            "fire_service": "消防救援 119(三级)",
        }[self.value]


PAGE_LABELS: dict[str, str] = {
    **{member.value: member.title_zh for member in Channel},
    **{member.value: member.title_zh for member in MessageStatus},
    **{member.value: member.title_zh for member in AttemptOutcome},
    **{member.value: member.title_zh for member in Topic},
    **{member.value: member.title_zh for member in PolicyTrigger},
    **{member.value: member.title_zh for member in TargetKind},
}
