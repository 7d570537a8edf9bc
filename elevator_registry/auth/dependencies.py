"""FastAPI dependencies that turn the Authorization header into a `Principal`."""

from typing import Annotated

from fastapi import Depends, Header, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from elevator_registry.auth import service as auth_service
from elevator_registry.auth.principal import PUBLIC, Principal
from elevator_registry.clock import Clock, get_clock
from elevator_registry.db import get_session
from elevator_registry.errors import AuthenticationRequired

# "function" scope: the transaction commits before the response is sent, so a client never
# sees a success for a write that then fails to commit. Streaming exports use StreamingSessionDep,
# which stays open until the last byte is sent (they only read).
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
StreamingSessionDep = Annotated[Session, Depends(get_session)]
ClockDep = Annotated[Clock, Depends(get_clock)]

# Declares `bearerAuth` in the OpenAPI document, on every route that reads the caller, so
# Swagger UI's Authorize button sends the token. It never refuses (auto_error=False): the
# header itself is parsed below, which keeps TOKEN_INVALID's message and the envelope.
BEARER_SCHEME = "bearerAuth"
bearer_token = HTTPBearer(
    auto_error=False,
    scheme_name=BEARER_SCHEME,
    description="An API token from `elevator-registry tokens create`, sent as "
    "`Authorization: Bearer <token>`.",
)


def get_principal(
    session: SessionDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_token)] = None,
) -> Principal:
    """The caller: public without a header; 401 for a malformed, unknown or revoked token."""
    if authorization is None:
        return PUBLIC
    scheme, _, secret = authorization.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise AuthenticationRequired(
            "TOKEN_INVALID", "Authorization must be 'Bearer <token>'", field="Authorization"
        )
    return auth_service.authenticate(session, secret=secret.strip())


def get_authenticated(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """The caller, who must have presented a token (401 AUTHENTICATION_REQUIRED otherwise)."""
    if principal.is_public:
        raise AuthenticationRequired(
            "AUTHENTICATION_REQUIRED", "this route needs an Authorization: Bearer token"
        )
    return principal


CallerDep = Annotated[Principal, Depends(get_principal)]
AuthenticatedDep = Annotated[Principal, Depends(get_authenticated)]
