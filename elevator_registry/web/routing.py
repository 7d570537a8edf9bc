"""What every page route shares: the session dependency, the logged-in caller, HTML errors.

Page routes raise the same DomainErrors as the API; `PageRoute` renders them as a page (the
message and code the API would give) instead of the JSON envelope, and sends a visitor who is
not logged in to the login form.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings, get_settings
from elevator_registry.errors import AuthenticationRequired, DomainError
from elevator_registry.web import session as web_session_module
from elevator_registry.web.session import WebSession
from elevator_registry.web.templating import render

# Who may open which part of the site (the services then scope what each one sees).
BUREAU_ROLES = (Role.BUREAU, Role.STREET_OFFICE, Role.OPERATOR)
FIRM_ROLES = (Role.MAINTENANCE_UNIT,)
# Who works the 96333 seats' queue: assigning a rescuer is the platform's, never a street's.
SEAT_ROLES = (Role.OPERATOR, Role.BUREAU)


def get_web_session(request: Request) -> WebSession:
    """Dependency: the browser's session (a new anonymous one without a valid cookie)."""
    return web_session_module.read_session(request, get_settings())


WebSessionDep = Annotated[WebSession, Depends(get_web_session)]


def page_principal(session: Session, web_session: WebSession, *roles: Role) -> Principal:
    """The logged-in caller, who must hold one of `roles` (401 → login form, 403 otherwise)."""
    if web_session.token_id is None:
        raise AuthenticationRequired("AUTHENTICATION_REQUIRED", "请先登录 / please log in")
    principal = auth_service.authenticate_token_id(session, token_id=web_session.token_id)
    principal.require(*roles)
    return principal


def home_of(principal: Principal) -> str:
    """Where a login lands."""
    if principal.role in FIRM_ROLES:
        return "/firm"
    return "/seat" if principal.role == Role.OPERATOR else "/bureau"


def error_page(
    request: Request, error: DomainError, settings: Settings, status_code: int
) -> Response:
    """The page shown for a refusal: the API's code and message."""
    return render(
        request,
        "error.html",
        {"error": error},
        web_session=get_web_session(request),
        settings=settings,
        status_code=status_code,
    )


class PageRoute(APIRoute):
    """An APIRoute whose refusals are pages, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        """Wraps the handler: DomainError → error page, 401 on a GET → login form."""
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            settings = get_settings()
            try:
                return await handler(request)
            except AuthenticationRequired as error:
                if request.method == "GET":
                    target = quote(request.url.path, safe="/")
                    return RedirectResponse(f"/login?next={target}", status_code=303)
                return error_page(request, error, settings, error.status_code)
            except DomainError as error:
                return error_page(request, error, settings, error.status_code)
            except RequestValidationError as error:
                first = error.errors()[0]
                field = ".".join(str(part) for part in first["loc"][1:]) or None
                refusal = DomainError(
                    "VALIDATION_ERROR", f"{field}: {first['msg']}" if field else first["msg"]
                )
                return error_page(request, refusal, settings, 422)

        return page_handler
