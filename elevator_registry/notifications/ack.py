"""The signed one-tap acknowledge link: `/ack/<token>` accepts the incident for the firm.

The token is the incident and organisation ids and an expiry instant, signed with
itsdangerous (HMAC-SHA256, key `ack_link_secret`, falling back to the web session key). The
expiry is inside the signed data, so the check uses the injected clock and tests are exact.
Accepting goes through the lifecycle's compare-and-set: a second tap finds the incident
accepted already and changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.errors import DomainError, Forbidden, NotFound
from elevator_registry.incidents import lifecycle
from elevator_registry.incidents.enums import IncidentStatus
from elevator_registry.incidents.models import Incident
from elevator_registry.incidents.schemas import TransitionAction
from elevator_registry.web import session as web_session

SALT = "elevator-registry-incident-ack"


class AckLinkInvalid(Forbidden):
    """403 ACK_LINK_INVALID or ACK_LINK_EXPIRED: the link was altered, or is too old."""


@dataclass(frozen=True)
class AckClaim:
    """What a valid link says: this firm may accept this incident."""

    incident_id: int
    organisation_id: int


@dataclass(frozen=True)
class AckOutcome:
    """The result of a tap: the incident, and whether this tap accepted it."""

    incident: Incident
    accepted_now: bool


def _serializer(settings: Settings) -> URLSafeSerializer:
    if settings.ack_link_secret is not None:
        key = settings.ack_link_secret.get_secret_value().encode()
    else:
        key = web_session._secret(settings)
    return URLSafeSerializer(key, salt=SALT)


def make_token(*, incident_id: int, organisation_id: int, now: datetime, settings: Settings) -> str:
    """A token valid for `ack_link_minutes` from `now`."""
    expires = int((now + timedelta(minutes=settings.ack_link_minutes)).timestamp())
    return str(_serializer(settings).dumps([incident_id, organisation_id, expires]))


def link(*, incident_id: int, organisation_id: int, now: datetime, settings: Settings) -> str:
    """The full acknowledge URL a message carries."""
    token = make_token(
        incident_id=incident_id, organisation_id=organisation_id, now=now, settings=settings
    )
    return f"{settings.public_base_url.rstrip('/')}/ack/{token}"


def read_token(token: str, *, now: datetime, settings: Settings) -> AckClaim:
    """The claim of a valid token; 403 ACK_LINK_INVALID (tampered) or ACK_LINK_EXPIRED."""
    try:
        incident_id, organisation_id, expires = _serializer(settings).loads(token)
    except (BadSignature, ValueError, TypeError) as error:
        raise AckLinkInvalid(
            "ACK_LINK_INVALID",
            "this acknowledge link is not valid (altered or incomplete); accept on the firm page",
            message_zh="接单链接无效(已被改动或不完整),请在维保单位页面接单。",
        ) from error
    if now.timestamp() > expires:
        raise AckLinkInvalid(
            "ACK_LINK_EXPIRED",
            "this acknowledge link has expired; accept on the firm page or call 96333",
            message_zh="接单链接已过期,请在维保单位页面接单或致电 96333。",
        )
    return AckClaim(int(incident_id), int(organisation_id))


def acknowledge(session: Session, *, token: str, now: datetime, settings: Settings) -> AckOutcome:
    """Accepts the incident the link names for its firm, exactly once."""
    claim = read_token(token, now=now, settings=settings)
    actor = Principal(
        role=Role.MAINTENANCE_UNIT,
        label=f"ack-link:{claim.organisation_id}",
        organisation_id=claim.organisation_id,
    )
    try:
        incident = lifecycle.transition(
            session,
            incident_id=claim.incident_id,
            action="accept",
            data=TransitionAction(),
            actor=actor,
            now=now,
        )
    except NotFound:
        raise
    except DomainError:
        incident = session.get(Incident, claim.incident_id)
        if incident is None:
            raise
        if incident.maintenance_unit_id != claim.organisation_id:
            raise
        return AckOutcome(incident, accepted_now=False)
    return AckOutcome(incident, accepted_now=True)


def already_accepted(incident: Incident) -> bool:
    """True when someone accepted (or is already past accepting) this incident."""
    return incident.accepted_at is not None or incident.status in {
        IncidentStatus.ARRIVED,
        IncidentStatus.RELEASED,
        IncidentStatus.CLOSED,
    }
