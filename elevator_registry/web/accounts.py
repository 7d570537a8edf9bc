"""The bureau's account pages: list and create accounts, reset a password, deactivate, and
issue (shown once) or revoke a person's API token. Bureau officers only; every write goes
through accounts.service, which audits it.

A generated password or token secret is shown on the page that answers the POST, never stored
in a cookie or a URL, so it is seen once, by the officer who asked for it.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.accounts import service as accounts_service
from elevator_registry.accounts.models import User
from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.dependencies import ClockDep, SessionDep, SettingsDep
from elevator_registry.errors import DomainError
from elevator_registry.registry.enums import OrganisationRole
from elevator_registry.registry.models import Organisation, OrganisationRoleRow
from elevator_registry.schemas import PathId
from elevator_registry.web import boards
from elevator_registry.web import session as web_session_module
from elevator_registry.web.routing import PageRoute, WebSessionDep, page_principal
from elevator_registry.web.session import WebSession
from elevator_registry.web.templating import message_zh, render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LoginPath = Annotated[str, Path(max_length=40, pattern=r"^[a-z0-9._]+$")]
# Which organisations each bound role may be attached to (the picker offers only those).
ORGANISATION_ROLE_OF = {
    Role.MAINTENANCE_UNIT: OrganisationRole.MAINTAINER,
    Role.USER_UNIT: OrganisationRole.USER_UNIT,
    Role.INSPECTION_AGENCY: OrganisationRole.INSPECTION_AGENCY,
}
Field = Annotated[str, Form(max_length=60)]


def _officer(session: Session, web_session: WebSession) -> Principal:
    return page_principal(session, web_session, Role.BUREAU)


def _organisations(session: Session) -> dict[str, list[tuple[str, str]]]:
    """(credit code, name) per bound role, for the binding pickers."""
    pickers: dict[str, list[tuple[str, str]]] = {}
    for role, organisation_role in ORGANISATION_ROLE_OF.items():
        pickers[role] = [
            (code, name)
            for code, name in session.execute(
                select(Organisation.credit_code, Organisation.name)
                .join(OrganisationRoleRow, OrganisationRoleRow.organisation_id == Organisation.id)
                .where(OrganisationRoleRow.role == organisation_role)
                .order_by(Organisation.name)
            )
        ]
    return pickers


def _binding_names(session: Session, users: list[User]) -> dict[int, str]:
    ids = {user.organisation_id for user in users if user.organisation_id is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    )
    return {row.id: row.name for row in rows}


def _list_page(
    request: Request,
    session: Session,
    web_session: WebSession,
    settings: Settings,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    created: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    users = accounts_service.list_users(session)
    return render(
        request,
        "users.html",
        {
            "users": users,
            "organisation_names": _binding_names(session, users),
            "roles": accounts_service.PERSON_ROLES,
            "organisations": _organisations(session),
            "streets": boards.street_names(session),
            "form": form or {},
            "errors": errors or {},
            "created": created,
        },
        web_session=web_session,
        settings=settings,
        status_code=status_code,
    )


@router.get("/bureau/users")
def users_page(
    request: Request, session: SessionDep, settings: SettingsDep, web_session: WebSessionDep
) -> Response:
    """Every account, and the form that creates one."""
    _officer(session, web_session)
    return _list_page(request, session, web_session, settings)


@router.post("/bureau/users")
def create_user(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    login: Field = "",
    display_name: Field = "",
    role: Annotated[str, Form(max_length=20)] = "",
    organisation: Annotated[str, Form(max_length=18)] = "",
    street: Field = "",
    certificate_number: Annotated[str, Form(max_length=30)] = "",
    phone: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Creates the account and shows its first password once; refusals next to their field."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    officer = _officer(session, web_session)
    form = {
        "login": login,
        "display_name": display_name,
        "role": role,
        "organisation": organisation,
        "street": street,
        "certificate_number": certificate_number,
        "phone": phone,
    }
    try:
        if role not in set(Role):
            raise DomainError(
                "ROLE_INVALID", "pick a role", field="role", message_zh="请选择账号角色"
            )
        bound = Role(role)
        with session.begin_nested():
            user, password = accounts_service.create_user(
                session,
                login=login,
                display_name=display_name,
                role=bound,
                actor=officer,
                now=clock.now(),
                settings=settings,
                # Only the picker of the chosen role counts; the others may hold stale choices.
                organisation_credit_code=(organisation or None)
                if bound in Role.organisation_bound()
                else None,
                street=(street or None) if bound == Role.STREET_OFFICE else None,
                certificate_number=certificate_number or None,
                phone=phone or None,
            )
    except DomainError as error:
        field = {"org": "organisation"}.get(error.field or "", error.field or "login")
        return _list_page(
            request,
            session,
            web_session,
            settings,
            form=form,
            errors={field: message_zh(error)},
            status_code=error.status_code,
        )
    return _list_page(
        request,
        session,
        web_session,
        settings,
        created={"login": user.login, "name": user.display_name, "password": password},
    )


def _user_page(
    request: Request,
    session: Session,
    web_session: WebSession,
    settings: Settings,
    login: str,
    *,
    shown_once: dict[str, Any] | None = None,
) -> Response:
    user = accounts_service.get_user(session, login=login)
    return render(
        request,
        "user.html",
        {
            "user": user,
            "organisation_name": _binding_names(session, [user]).get(user.organisation_id or 0),
            "tokens": auth_service.list_tokens(session, user_id=user.id),
            "shown_once": shown_once,
        },
        web_session=web_session,
        settings=settings,
    )


@router.get("/bureau/users/{login}")
def user_page(
    request: Request,
    login: LoginPath,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """One account: its state, its tokens, and the reset, deactivate and token forms."""
    _officer(session, web_session)
    return _user_page(request, session, web_session, settings, login)


@router.post("/bureau/users/{login}/{action}")
def user_action(
    request: Request,
    login: LoginPath,
    action: Annotated[str, Path(pattern=r"^(reset-password|deactivate|tokens)$")],
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    label: Annotated[str, Form(max_length=60)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Resets the password or issues a token (both shown once), or deactivates the account."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    officer = _officer(session, web_session)
    now = clock.now()
    if action == "deactivate":
        accounts_service.deactivate(session, login=login, actor=officer, now=now)
        return RedirectResponse(f"/bureau/users/{login}", status_code=303)
    if action == "reset-password":
        _, password = accounts_service.reset_password(session, login=login, actor=officer, now=now)
        shown = {"kind": "password", "secret": password}
    else:
        _, secret = accounts_service.issue_token(
            session, login=login, label=label, actor=officer, now=now
        )
        shown = {"kind": "token", "secret": secret}
    return _user_page(request, session, web_session, settings, login, shown_once=shown)


@router.post("/bureau/users/{login}/tokens/{token_id}/revoke")
def revoke_token(
    login: LoginPath,
    token_id: PathId,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Revokes one of the person's tokens; it stops working at once."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    officer = _officer(session, web_session)
    accounts_service.revoke_token(session, token_id=token_id, actor=officer, now=clock.now())
    return RedirectResponse(f"/bureau/users/{login}", status_code=303)
