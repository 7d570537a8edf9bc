"""Token issue, lookup and revocation."""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.accounts.models import User
from elevator_registry.auth.enums import Role
from elevator_registry.auth.models import ApiToken
from elevator_registry.auth.principal import Principal
from elevator_registry.errors import AuthenticationRequired, InvalidValue, NotFound
from elevator_registry.registry.models import Organisation, Street

TOKEN_PREFIX = "er_"


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def resolve_binding(
    session: Session,
    *,
    role: Role,
    organisation_credit_code: str | None = None,
    street: str | None = None,
) -> tuple[int | None, str | None]:
    """The organisation id and street a token or user of `role` is bound to, checked.

    Unit and agency roles need an organisation, a street office its street, the rest neither.
    """
    organisation_id = None
    if role in Role.organisation_bound():
        if organisation_credit_code is None:
            raise InvalidValue(
                "ORGANISATION_REQUIRED",
                f"role {role} needs --org",
                field="org",
                message_zh="该角色须选择所属单位",
            )
        organisation_id = session.scalar(
            select(Organisation.id).where(Organisation.credit_code == organisation_credit_code)
        )
        if organisation_id is None:
            raise NotFound("organisation", organisation_credit_code)
    elif organisation_credit_code is not None:
        raise InvalidValue(
            "ORGANISATION_NOT_ALLOWED",
            f"role {role} takes no --org",
            field="org",
            message_zh="该角色不属于任何单位，不能选择单位",
        )
    if role == Role.STREET_OFFICE:
        if street is None:
            raise InvalidValue(
                "STREET_REQUIRED",
                "role street_office needs --street",
                field="street",
                message_zh="街镇账号须选择街镇",
            )
        if session.scalar(select(Street.id).where(Street.name == street)) is None:
            raise InvalidValue(
                "STREET_UNKNOWN",
                f"no street or town named {street}",
                field="street",
                message_zh=f"没有名为{street}的街镇",
            )
    elif street is not None:
        raise InvalidValue(
            "STREET_NOT_ALLOWED",
            f"role {role} takes no --street",
            field="street",
            message_zh="该角色不能选择街镇",
        )
    return organisation_id, street


def create_token(
    session: Session,
    *,
    role: Role,
    label: str,
    now: datetime,
    organisation_credit_code: str | None = None,
    street: str | None = None,
    user_id: int | None = None,
) -> tuple[ApiToken, str]:
    """Issues a token; returns the row and the secret, which is never stored or shown again.

    With `user_id` the token acts as that person (their name in the audit trail) and stops
    working when their account is deactivated; its role and binding must be theirs.
    """
    if role not in Role.token_roles():
        raise InvalidValue(
            "ROLE_INVALID",
            f"no tokens for role {role}",
            field="role",
            message_zh="该角色不能签发令牌",
        )
    organisation_id, street = resolve_binding(
        session, role=role, organisation_credit_code=organisation_credit_code, street=street
    )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        token_hash=hash_token(secret),
        prefix=secret[:10],
        role=role,
        organisation_id=organisation_id,
        street=street,
        label=label,
        user_id=user_id,
        created_at=now,
    )
    session.add(token)
    session.flush()
    return token, secret


def authenticate(session: Session, *, secret: str) -> Principal:
    """The principal a bearer token stands for; 401 TOKEN_INVALID if unknown or revoked."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        raise AuthenticationRequired(
            "TOKEN_INVALID",
            "the bearer token is unknown or revoked",
            message_zh="令牌无效或已被吊销",
        )
    return _principal(session, token)


def _principal(session: Session, token: ApiToken) -> Principal:
    if token.user_id is None:
        return Principal(
            role=Role(token.role),
            label=f"{token.role}:{token.label}#{token.id}",
            organisation_id=token.organisation_id,
            street=token.street,
            token_id=token.id,
        )
    user = session.get_one(User, token.user_id)
    if not user.active:
        raise AuthenticationRequired(
            "TOKEN_INVALID",
            "the token's holder was deactivated",
            message_zh="令牌持有人的账号已停用",
        )
    return Principal(
        role=Role(user.role),
        label=user.display_name,
        organisation_id=user.organisation_id,
        street=user.street,
        token_id=token.id,
        user_id=user.id,
    )


def list_tokens(session: Session, *, user_id: int | None = None) -> list[ApiToken]:
    """Every token (or those issued to `user_id`), newest first; only prefixes, no secrets."""
    statement = select(ApiToken).order_by(ApiToken.id.desc())
    if user_id is not None:
        statement = statement.where(ApiToken.user_id == user_id)
    return list(session.scalars(statement))


def revoke_token(session: Session, *, token_id: int, now: datetime) -> ApiToken:
    """Marks a token revoked; it stops working at once."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("token", token_id)
    if token.revoked_at is None:
        token.revoked_at = now
    return token
