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

from elevator_registry.accounts import service as accounts_service
from elevator_registry.accounts.models import User
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings, get_settings
from elevator_registry.errors import AuthenticationRequired, DomainError
from elevator_registry.messages_zh import validation_message_zh
from elevator_registry.web import session as web_session_module
from elevator_registry.web.session import WebSession
from elevator_registry.web.templating import render

# Who may open which part of the site (the services then scope what each one sees).
BUREAU_ROLES = (Role.BUREAU, Role.STREET_OFFICE, Role.OPERATOR)
FIRM_ROLES = (Role.MAINTENANCE_UNIT,)
UNIT_ROLES = (Role.USER_UNIT,)
PASSWORD_PAGE = "/account/password"


class PasswordChangeRequired(DomainError):
    """The person logged in with a first or reset password and must choose their own first."""

    status_code = 403


# Who works the 96333 seats' queue: assigning a rescuer is the platform's, never a street's.
SEAT_ROLES = (Role.OPERATOR, Role.BUREAU)


def get_web_session(request: Request) -> WebSession:
    """Dependency: the browser's session (a new anonymous one without a valid cookie)."""
    return web_session_module.read_session(request, get_settings())


WebSessionDep = Annotated[WebSession, Depends(get_web_session)]


def page_user(session: Session, web_session: WebSession) -> User:
    """The logged-in person, re-read on every request (401 → login form once deactivated, or
    once their password was changed or reset after this session began)."""
    if web_session.user_id is None:
        raise AuthenticationRequired(
            "AUTHENTICATION_REQUIRED", "please log in", message_zh="请先登录"
        )
    user = accounts_service.get_active_user(session, user_id=web_session.user_id)
    changed = user.password_changed_at
    # The cookie's signing time has whole seconds only.
    if (
        changed is not None
        and web_session.signed_at is not None
        and web_session.signed_at < changed.replace(microsecond=0)
    ):
        raise AuthenticationRequired(
            "SESSION_ENDED",
            "the password was changed; log in again",
            message_zh="密码已更改，请重新登录",
        )
    return user


def page_principal(session: Session, web_session: WebSession, *roles: Role) -> Principal:
    """The logged-in caller, who must hold one of `roles` (401 → login form, 403 otherwise).

    Until a first or reset password is replaced, every page but the change form sends the
    person there: the change cannot be skipped.
    """
    user = page_user(session, web_session)
    if user.must_change_password:
        raise PasswordChangeRequired(
            "PASSWORD_CHANGE_REQUIRED",
            "choose your own password first",
            message_zh="请先修改初始密码",
        )
    principal = accounts_service.principal_of(user)
    principal.require(*roles)
    return principal


def home_of(role: Role | str) -> str:
    """Where a login of `role` lands (an operator at the seats' queue)."""
    if role in FIRM_ROLES:
        return "/firm"
    if role in UNIT_ROLES:
        return "/unit"
    return "/seat" if role == Role.OPERATOR else "/bureau"


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
            except PasswordChangeRequired:
                return RedirectResponse(PASSWORD_PAGE, status_code=303)
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
                    "VALIDATION_ERROR",
                    f"{field}: {first['msg']}" if field else first["msg"],
                    field=field,
                    message_zh=validation_message_zh(first, field),
                )
                return error_page(request, refusal, settings, 422)

        return page_handler
