"""Token issue, lookup and revocation."""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.models import ApiToken
from elevator_registry.auth.principal import Principal
from elevator_registry.errors import AuthenticationRequired, InvalidValue, NotFound
from elevator_registry.registry.models import Organisation, Street

TOKEN_PREFIX = "er_"


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session,
    *,
    role: Role,
    label: str,
    now: datetime,
    organisation_credit_code: str | None = None,
    street: str | None = None,
) -> tuple[ApiToken, str]:
    """Issues a token; returns the row and the secret, which is never stored or shown again."""
    if role not in Role.token_roles():
        raise InvalidValue("ROLE_INVALID", f"no tokens for role {role}", field="role")
    organisation_id = None
    if role in Role.organisation_bound():
        if organisation_credit_code is None:
            raise InvalidValue("ORGANISATION_REQUIRED", f"role {role} needs --org", field="org")
        organisation_id = session.scalar(
            select(Organisation.id).where(Organisation.credit_code == organisation_credit_code)
        )
        if organisation_id is None:
            raise NotFound("organisation", organisation_credit_code)
    elif organisation_credit_code is not None:
        raise InvalidValue("ORGANISATION_NOT_ALLOWED", f"role {role} takes no --org", field="org")
    if role == Role.STREET_OFFICE:
        if street is None:
            raise InvalidValue(
                "STREET_REQUIRED", "role street_office needs --street", field="street"
            )
        if session.scalar(select(Street.id).where(Street.name == street)) is None:
            raise InvalidValue(
                "STREET_UNKNOWN", f"no street or town named {street}", field="street"
            )
    elif street is not None:
        raise InvalidValue("STREET_NOT_ALLOWED", f"role {role} takes no --street", field="street")

    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        token_hash=hash_token(secret),
        prefix=secret[:10],
        role=role,
        organisation_id=organisation_id,
        street=street,
        label=label,
        created_at=now,
    )
    session.add(token)
    session.flush()
    return token, secret


def authenticate(session: Session, *, secret: str) -> Principal:
    """The principal a bearer token stands for; 401 TOKEN_INVALID if unknown or revoked."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        raise AuthenticationRequired("TOKEN_INVALID", "the bearer token is unknown or revoked")
    return _principal(token)


def authenticate_token_id(session: Session, *, token_id: int) -> Principal:
    """The principal of token `token_id` (a web session); 401 TOKEN_INVALID once revoked."""
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        raise AuthenticationRequired("TOKEN_INVALID", "the token is unknown or revoked")
    return _principal(token)


def _principal(token: ApiToken) -> Principal:
    return Principal(
        role=Role(token.role),
        label=f"{token.role}:{token.label}#{token.id}",
        organisation_id=token.organisation_id,
        street=token.street,
        token_id=token.id,
    )


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, newest first (secrets are not stored, only their prefixes)."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


def revoke_token(session: Session, *, token_id: int, now: datetime) -> ApiToken:
    """Marks a token revoked; it stops working at once."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("token", token_id)
    if token.revoked_at is None:
        token.revoked_at = now
    return token
