"""The web pages' session cookie and CSRF tokens.

A login with login name and password (accounts.service.log_in) starts a session: the cookie
holds, signed with `web_session_secret`, a random nonce and the user's id, never a password.
Every request re-reads the user row, so deactivating the account ends its web sessions at once. Visitors without a login get a cookie with a nonce only, which is what their forms'
CSRF tokens are bound to.

CSRF: every POST form carries `csrf_token` = HMAC(secret, nonce); the server recomputes it from
the cookie. A page on another site can neither read the cookie (HttpOnly) nor forge the HMAC,
and SameSite=Lax keeps the cookie off cross-site POSTs in the first place. Logging in issues a
new nonce, so a token planted before login is worthless after it.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from elevator_registry.config import Settings
from elevator_registry.errors import Forbidden

COOKIE_NAME = "er_session"
# An anonymous cookie only guards forms; it may outlive a login by far.
ANONYMOUS_MAX_AGE = 7 * 24 * 3600


@cache
def _process_secret() -> bytes:
    # Without a configured secret the process invents one: sessions then end at restart.
    return secrets.token_bytes(32)


def _secret(settings: Settings) -> bytes:
    if settings.web_session_secret is not None:
        return settings.web_session_secret.get_secret_value().encode()
    return _process_secret()


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(settings), salt="elevator-registry-web-session")


@dataclass
class WebSession:
    """The browser's session: its nonce, the logged-in user (if any), and whether it is new."""

    nonce: str
    user_id: int | None = None
    issued: bool = False
    # When the cookie was signed (a login); a password changed since then ends the session.
    signed_at: datetime | None = None

    @property
    def logged_in(self) -> bool:
        """True once the browser has logged in."""
        return self.user_id is not None


def read_session(request: Request, settings: Settings) -> WebSession:
    """The session the request's cookie carries, or a new anonymous one (set on the response)."""
    raw = request.cookies.get(COOKIE_NAME)
    if raw:
        try:
            data, signed_at = _serializer(settings).loads(
                raw, max_age=ANONYMOUS_MAX_AGE, return_timestamp=True
            )
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("n"), str):
            user_id = data.get("u")
            if user_id is None:
                return WebSession(nonce=data["n"])
            login_age = datetime.now(UTC) - signed_at
            if isinstance(user_id, int) and login_age.total_seconds() < (
                settings.web_session_hours * 3600
            ):
                return WebSession(nonce=data["n"], user_id=user_id, signed_at=signed_at)
    return WebSession(nonce=secrets.token_urlsafe(16), issued=True)


def logged_in_session(user_id: int) -> WebSession:
    """A new session for a login: a fresh nonce, so CSRF tokens from before are void."""
    return WebSession(nonce=secrets.token_urlsafe(16), user_id=user_id, issued=True)


def anonymous_session() -> WebSession:
    """A new session after logout."""
    return WebSession(nonce=secrets.token_urlsafe(16), issued=True)


def store(response: Response, web_session: WebSession, settings: Settings) -> None:
    """Sets the cookie on `response` when the session is new."""
    if not web_session.issued:
        return
    payload: dict[str, object] = {"n": web_session.nonce}
    if web_session.user_id is not None:
        payload["u"] = web_session.user_id
    response.set_cookie(
        COOKIE_NAME,
        _serializer(settings).dumps(payload),
        max_age=settings.web_session_hours * 3600 if web_session.logged_in else ANONYMOUS_MAX_AGE,
        httponly=True,
        secure=settings.web_cookie_secure,
        samesite="lax",
        path="/",
    )


def csrf_token(web_session: WebSession, settings: Settings) -> str:
    """The CSRF token the session's forms carry."""
    return hmac.new(
        _secret(settings), b"csrf:" + web_session.nonce.encode(), hashlib.sha256
    ).hexdigest()


def check_csrf(web_session: WebSession, settings: Settings, submitted: str | None) -> None:
    """Refuses (403 CSRF_TOKEN_INVALID) a form whose token does not match the session's."""
    expected = csrf_token(web_session, settings)
    if web_session.issued or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden(
            "CSRF_TOKEN_INVALID",
            "the form is out of date or did not come from this site; reload the page and retry",
        )
