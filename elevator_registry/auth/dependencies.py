"""FastAPI dependencies that turn the Authorization header into a `Principal`."""

from typing import Annotated

from fastapi import Depends, Header
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


def get_principal(
    session: SessionDep,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
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
