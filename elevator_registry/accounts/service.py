"""Accounts: create, log in (with throttling), change, reset and deactivate; all writes audited.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106's second recommended
profile); a hash made with older parameters is upgraded at the next successful login. A first
password and a reset one are marked `must_change_password`: the web pages then show nothing but
the change form until the person has chosen their own.

Throttling counts failures per login name and per client address in `login_throttle`. After
`login_max_failures` failures within `login_failure_window_minutes`, that name or address is
locked for `login_lock_minutes`; while locked, no password is even checked, so guessing gains
nothing. The failure is written in the request's transaction, which the login page commits
(it answers the refusal as a page rather than raising).
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from elevator_registry.accounts.models import LoginThrottle, User
from elevator_registry.audit import service as audit
from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.auth.models import ApiToken
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.errors import (
    AuthenticationRequired,
    Conflict,
    InvalidValue,
    NotFound,
    TooManyAttempts,
)
from elevator_registry.maintenance.service import certificate_number_valid
from elevator_registry.registry.models import Organisation

HASHER = PasswordHasher()
# A hash to verify against when the login name is unknown, so that case takes as long as a
# wrong password and does not reveal which names exist.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
# Generated passwords avoid characters that are easily confused when read out (0/O, 1/l/I).
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PERSON_ROLES = tuple(role for role in Role if role not in {Role.CLI, Role.IOT_PLATFORM})


def hash_password(password: str) -> str:
    """The argon2id hash of `password`."""
    return HASHER.hash(password)


def generate_password() -> str:
    """A random 12-character first password (about 69 bits)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))


def principal_of(user: User) -> Principal:
    """The principal a logged-in person acts as: their role, binding and display name."""
    return Principal(
        role=Role(user.role),
        label=user.display_name,
        organisation_id=user.organisation_id,
        street=user.street,
        user_id=user.id,
    )


def _check_password_choice(password: str, *, login: str, settings: Settings) -> None:
    if len(password) < settings.password_min_length:
        raise InvalidValue(
            "PASSWORD_TOO_SHORT",
            f"a password needs at least {settings.password_min_length} characters",
            field="password",
            message_zh=f"密码至少需要 {settings.password_min_length} 个字符",
        )
    if len(password) > 128:
        raise InvalidValue(
            "PASSWORD_TOO_LONG",
            "a password has at most 128 characters",
            field="password",
            message_zh="密码最多 128 个字符",
        )
    if password.casefold() == login.casefold():
        raise InvalidValue(
            "PASSWORD_IS_LOGIN",
            "the password must differ from the login name",
            field="password",
            message_zh="密码不能与登录名相同",
        )


def get_user(session: Session, *, login: str) -> User:
    """The user with this login name (404 USER_NOT_FOUND)."""
    user = session.scalar(select(User).where(User.login == login.strip().lower()))
    if user is None:
        raise NotFound("user", login)
    return user


def list_users(session: Session) -> list[User]:
    """Every account, active ones first, then by role and login name."""
    return list(
        session.scalars(
            select(User).order_by(User.deactivated_at.is_not(None), User.role, User.login)
        )
    )


def create_user(
    session: Session,
    *,
    login: str,
    display_name: str,
    role: Role,
    actor: Principal,
    now: datetime,
    settings: Settings,
    organisation_credit_code: str | None = None,
    street: str | None = None,
    password: str | None = None,
    certificate_number: str | None = None,
    phone: str | None = None,
) -> tuple[User, str]:
    """Creates an account; returns it and its first password (generated unless given).

    The person must change that password at first login. Refused: LOGIN_INVALID,
    LOGIN_TAKEN, ROLE_INVALID, the binding errors of tokens, CERTIFICATE_NUMBER_INVALID.
    """
    login = login.strip().lower()
    if not (3 <= len(login) <= 40) or not login.replace("_", "").replace(".", "").isalnum():
        raise InvalidValue(
            "LOGIN_INVALID",
            "a login name has 3-40 letters, digits, '.' or '_'",
            field="login",
            message_zh="登录名须为 3–40 位字母、数字、点或下划线",
        )
    if not login.isascii():
        raise InvalidValue(
            "LOGIN_INVALID",
            "a login name is written in Latin letters and digits (e.g. pinyin)",
            field="login",
            message_zh="登录名请用拼音字母和数字",
        )
    display_name = display_name.strip()
    if not 1 <= len(display_name) <= 50:
        raise InvalidValue(
            "DISPLAY_NAME_INVALID",
            "a display name has 1-50 characters",
            field="display_name",
            message_zh="姓名须为 1–50 个字符",
        )
    if role not in PERSON_ROLES:
        raise InvalidValue(
            "ROLE_INVALID",
            f"role {role} is for machines, not people",
            field="role",
            message_zh="该角色只用于系统接口，不能建人员账号",
        )
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise Conflict(
            "LOGIN_TAKEN",
            f"login name {login} is taken",
            field="login",
            message_zh=f"登录名 {login} 已被使用",
        )
    organisation_id, street = auth_service.resolve_binding(
        session, role=role, organisation_credit_code=organisation_credit_code, street=street
    )
    if certificate_number:
        certificate_number = certificate_number.strip().upper()
        if not certificate_number_valid(certificate_number):
            raise InvalidValue(
                "CERTIFICATE_NUMBER_INVALID",
                f"certificate number {certificate_number} is not valid",
                field="certificate_number",
                message_zh="作业人员证编号格式或校验位不正确",
            )
    first_password = password if password is not None else generate_password()
    _check_password_choice(first_password, login=login, settings=settings)
    user = User(
        login=login,
        display_name=display_name,
        role=role,
        organisation_id=organisation_id,
        street=street,
        password_hash=hash_password(first_password),
        must_change_password=True,
        certificate_number=certificate_number or None,
        phone=(phone or "").strip() or None,
        created_at=now,
    )
    session.add(user)
    audit.record(session, actor=actor, at=now, action="create", row=user)
    return user, first_password


def get_active_user(session: Session, *, user_id: int) -> User:
    """The account behind a web session; 401 once it is deactivated or gone."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise AuthenticationRequired(
            "ACCOUNT_DEACTIVATED",
            "this account was deactivated; ask the bureau",
            message_zh="账号已停用，请联系区市场监管局",
        )
    return user


@dataclass(frozen=True)
class LoginPolicy:
    """The throttling numbers of `Settings`, as one value."""

    max_failures: int
    lock: timedelta
    window: timedelta

    @classmethod
    def of(cls, settings: Settings) -> "LoginPolicy":
        """The policy the settings configure."""
        return cls(
            max_failures=settings.login_max_failures,
            lock=timedelta(minutes=settings.login_lock_minutes),
            window=timedelta(minutes=settings.login_failure_window_minutes),
        )


def _throttle_rows(
    session: Session, *, login: str, address: str
) -> list[tuple[str, str, LoginThrottle | None]]:
    keys = [("login", login), ("address", address)]
    return [
        (
            scope,
            key,
            session.scalar(
                select(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.key == key)
            ),
        )
        for scope, key in keys
    ]


def _refuse_if_locked(rows: list[tuple[str, str, LoginThrottle | None]], now: datetime) -> None:
    for scope, _key, row in rows:
        if row is not None and row.locked_until is not None and row.locked_until > now:
            minutes = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
            who = "login name" if scope == "login" else "address"
            who_zh = "该账号" if scope == "login" else "本机网络地址"
            raise TooManyAttempts(
                "LOGIN_LOCKED",
                f"too many failed logins for this {who}; try again in {minutes} minutes",
                message_zh=f"{who_zh}登录失败次数过多，已锁定，请 {minutes} 分钟后再试",
            )


def _count_failure(
    session: Session,
    rows: list[tuple[str, str, LoginThrottle | None]],
    *,
    now: datetime,
    policy: LoginPolicy,
) -> None:
    for scope, key, row in rows:
        if row is None:
            row = LoginThrottle(scope=scope, key=key, failures=0, window_started_at=now)
            session.add(row)
        elif row.window_started_at + policy.window <= now:
            row.failures = 0
            row.window_started_at = now
        row.failures += 1
        if row.failures >= policy.max_failures:
            row.locked_until = now + policy.lock
            row.failures = 0
            row.window_started_at = now
    session.flush()


def log_in(
    session: Session,
    *,
    login: str,
    password: str,
    address: str,
    now: datetime,
    settings: Settings,
) -> User:
    """The user whose login name and password these are; counts a failure otherwise.

    Refused: 429 LOGIN_LOCKED (name or address locked), 401 LOGIN_FAILED (unknown name or wrong
    password, the same answer for both), 401 ACCOUNT_DEACTIVATED (right password, closed
    account). The caller must commit even when this raises LOGIN_FAILED, so the count holds.
    """
    login = login.strip().lower()[:40]
    rows = _throttle_rows(session, login=login, address=address[:120])
    _refuse_if_locked(rows, now)
    user = session.scalar(select(User).where(User.login == login))
    try:
        HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
        verified = user is not None
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified:
        _count_failure(session, rows, now=now, policy=LoginPolicy.of(settings))
        raise AuthenticationRequired(
            "LOGIN_FAILED",
            "login name or password is wrong",
            field="password",
            message_zh="登录名或密码不正确",
        )
    assert user is not None
    if not user.active:
        raise AuthenticationRequired(
            "ACCOUNT_DEACTIVATED",
            "this account was deactivated; ask the bureau",
            message_zh="账号已停用，请联系区市场监管局",
        )
    session.execute(
        delete(LoginThrottle).where(LoginThrottle.scope == "login", LoginThrottle.key == login)
    )
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user


def change_password(
    session: Session,
    *,
    user: User,
    current_password: str,
    new_password: str,
    now: datetime,
    settings: Settings,
) -> User:
    """The person replaces their password (the forced first change, or any time)."""
    try:
        HASHER.verify(user.password_hash, current_password)
    except (VerificationError, InvalidHashError):
        raise AuthenticationRequired(
            "PASSWORD_WRONG",
            "the current password is wrong",
            field="current_password",
            message_zh="当前密码不正确",
        ) from None
    _check_password_choice(new_password, login=user.login, settings=settings)
    if new_password == current_password:
        raise InvalidValue(
            "PASSWORD_UNCHANGED",
            "the new password must differ from the current one",
            field="password",
            message_zh="新密码不能与当前密码相同",
        )
    before = audit.snapshot(user)
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.password_changed_at = now
    audit.record(
        session,
        actor=principal_of(user),
        at=now,
        action="change_password",
        row=user,
        before=before,
    )
    return user


def reset_password(
    session: Session, *, login: str, actor: Principal, now: datetime
) -> tuple[User, str]:
    """Gives the account a new generated password, to be changed at the next login."""
    user = get_user(session, login=login)
    before = audit.snapshot(user)
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.password_changed_at = now
    session.execute(
        delete(LoginThrottle).where(LoginThrottle.scope == "login", LoginThrottle.key == user.login)
    )
    audit.record(session, actor=actor, at=now, action="reset_password", row=user, before=before)
    return user, password


def deactivate(session: Session, *, login: str, actor: Principal, now: datetime) -> User:
    """Closes the account: its sessions and tokens stop working at the next request."""
    user = get_user(session, login=login)
    if actor.user_id == user.id:
        raise Conflict(
            "CANNOT_DEACTIVATE_SELF",
            "an officer cannot deactivate their own account",
            message_zh="不能停用自己的账号",
        )
    if not user.active:
        return user
    before = audit.snapshot(user)
    user.deactivated_at = now
    for token in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    audit.record(session, actor=actor, at=now, action="deactivate", row=user, before=before)
    return user


def issue_token(
    session: Session, *, login: str, label: str, actor: Principal, now: datetime
) -> tuple[ApiToken, str]:
    """A token for an integration run by this person: it acts as them; shown once."""
    user = get_user(session, login=login)
    if not user.active:
        raise Conflict(
            "ACCOUNT_DEACTIVATED",
            "a deactivated account gets no tokens",
            message_zh="账号已停用，不能签发令牌",
        )
    credit_code = None
    if user.organisation_id is not None:
        credit_code = session.get_one(Organisation, user.organisation_id).credit_code
    token, secret = auth_service.create_token(
        session,
        role=Role(user.role),
        label=label.strip()[:120] or user.display_name,
        now=now,
        organisation_credit_code=credit_code,
        street=user.street,
        user_id=user.id,
    )
    audit.record(session, actor=actor, at=now, action="issue_token", row=token)
    return token, secret


def revoke_token(session: Session, *, token_id: int, actor: Principal, now: datetime) -> ApiToken:
    """Revokes a token issued to a person; it stops working at once."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id is None:
        raise NotFound("token", token_id)
    before = audit.snapshot(token)
    auth_service.revoke_token(session, token_id=token_id, now=now)
    audit.record(session, actor=actor, at=now, action="revoke_token", row=token, before=before)
    return token
