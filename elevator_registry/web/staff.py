"""Pages behind a login: the bureau's dashboard, risk list, elevator file and incident board,
and a maintenance firm's incident queue; plus the login and logout forms.

Every page resolves the caller from the session cookie and hands it to the same service
functions the API calls, so a street office sees its street and a firm its own elevators here
exactly as through the API.
"""

import re
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from elevator_registry.accounts import service as accounts_service
from elevator_registry.clock import Clock
from elevator_registry.config import Settings
from elevator_registry.dependencies import (
    ClockDep,
    SessionDep,
    SettingsDep,
    StreamingSessionDep,
)
from elevator_registry.dossier import service as dossier_service
from elevator_registry.dossier.routes import workbook_download
from elevator_registry.dossier.schemas import Dossier
from elevator_registry.downloads import Download
from elevator_registry.errors import AuthenticationRequired, DomainError, InvalidValue
from elevator_registry.incidents import intake, protection
from elevator_registry.incidents import lifecycle as lifecycle_service
from elevator_registry.incidents.enums import FaultCause
from elevator_registry.incidents.schemas import AssignAction, CloseAction, TransitionAction
from elevator_registry.labels import label
from elevator_registry.maintenance import hazards as hazard_service
from elevator_registry.messages_zh import field_label
from elevator_registry.notifications import service as notification_service
from elevator_registry.registry import search
from elevator_registry.registry.enums import OrganisationRole, PlaceCategory
from elevator_registry.rules import export
from elevator_registry.rules import service as rules_service
from elevator_registry.rules.catalogue import Severity, listed_rules
from elevator_registry.rules.service import AGE_BANDS
from elevator_registry.schemas import PathId
from elevator_registry.web import boards, charts, timeline
from elevator_registry.web import session as web_session_module
from elevator_registry.web.routing import (
    BUREAU_ROLES,
    FIRM_ROLES,
    PASSWORD_PAGE,
    SEAT_ROLES,
    UNIT_ROLES,
    PageRoute,
    WebSessionDep,
    home_of,
    page_principal,
    page_user,
)
from elevator_registry.web.session import WebSession
from elevator_registry.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Text = Annotated[str | None, Query(max_length=60, pattern=r"^[^\x00]*$")]
DateParam = Annotated[date | None, Query(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
# Only paths on this site are followed after login: no open redirect via "//host" or backslashes.
NEXT_PATTERN = r"^(/[A-Za-z0-9_.-]+)+/?$|^/$"


# Login --------------------------------------------------------------------------------------


@router.get("/login")
def login_form(
    request: Request,
    settings: SettingsDep,
    web_session: WebSessionDep,
    next: Annotated[str, Query(max_length=200, pattern=NEXT_PATTERN)] = "",
) -> Response:
    """The login form: login name and password."""
    return render(
        request,
        "login.html",
        {"next": next, "errors": {}, "login": ""},
        web_session=web_session,
        settings=settings,
    )


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    login: Annotated[str, Form(max_length=60)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Checks login name and password and starts a session; shows a refusal on the form.

    The refusal is rendered, not raised, so the request's transaction commits the failure
    count that throttling needs.
    """
    web_session_module.check_csrf(web_session, settings, csrf_token)
    # A login reads the account, then writes its throttle counts: on SQLite it must hold the
    # write lock from the start (see intake.take_write_lock).
    intake.take_write_lock(session)
    try:
        user = accounts_service.log_in(
            session,
            login=login,
            password=password,
            address=protection.client_address(request),
            now=clock.now(),
            settings=settings,
        )
        if user.role not in (*BUREAU_ROLES, *FIRM_ROLES, *UNIT_ROLES):
            raise AuthenticationRequired(
                "ROLE_HAS_NO_PAGES",
                f"no pages for role {user.role}",
                message_zh=f"{label(user.role)}角色没有可用的网页",
            )
    except DomainError as error:
        return render(
            request,
            "login.html",
            {
                "next": next,
                "login": login,
                "errors": {"password": error.message_zh or error.message},
            },
            web_session=web_session,
            settings=settings,
            status_code=error.status_code,
        )
    if user.must_change_password:
        target = PASSWORD_PAGE
    else:
        target = next if re.fullmatch(NEXT_PATTERN, next) else home_of(user.role)
    response = RedirectResponse(target, status_code=303)
    web_session_module.store(response, web_session_module.logged_in_session(user.id), settings)
    return response


@router.get(PASSWORD_PAGE)
def password_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The password change form (the only page open until a first password is replaced)."""
    user = page_user(session, web_session)
    return render(
        request,
        "password.html",
        {"user": user, "errors": {}, "min_length": settings.password_min_length},
        web_session=web_session,
        settings=settings,
    )


@router.post(PASSWORD_PAGE)
def password_change(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    current_password: Annotated[str, Form(max_length=200)] = "",
    new_password: Annotated[str, Form(max_length=200)] = "",
    repeat_password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Replaces the password, then goes to the person's home page."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    user = page_user(session, web_session)
    errors: dict[str, str] = {}
    if new_password != repeat_password:
        errors["repeat_password"] = "两次输入的新密码不一致"
    else:
        try:
            with session.begin_nested():
                accounts_service.change_password(
                    session,
                    user=user,
                    current_password=current_password,
                    new_password=new_password,
                    now=clock.now(),
                    settings=settings,
                )
        except DomainError as error:
            field = "current_password" if error.field == "current_password" else "new_password"
            errors[field] = error.message_zh or error.message
    if errors:
        return render(
            request,
            "password.html",
            {"user": user, "errors": errors, "min_length": settings.password_min_length},
            web_session=web_session,
            settings=settings,
            status_code=422,
        )
    response = RedirectResponse(home_of(user.role), status_code=303)
    # A new cookie: sessions signed before the change (this one too) end with it.
    web_session_module.store(response, web_session_module.logged_in_session(user.id), settings)
    return response


@router.post("/logout")
def logout(
    settings: SettingsDep,
    web_session: WebSessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Ends the session."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    response = RedirectResponse("/login", status_code=303)
    web_session_module.store(response, web_session_module.anonymous_session(), settings)
    return response


# Bureau -------------------------------------------------------------------------------------


@router.get("/bureau")
def dashboard(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    date_from: Annotated[DateParam, Query(alias="from")] = None,
    date_to: Annotated[DateParam, Query(alias="to")] = None,
) -> Response:
    """KPI tiles against the plan's targets, monthly trends, risk per street, open incidents."""
    actor = page_principal(session, web_session, *BUREAU_ROLES)
    default_from, default_to = boards.kpi_period(clock.today())
    period = (date_from or default_from, date_to or default_to)
    figures = boards.dashboard(
        session,
        actor=actor,
        settings=settings,
        now=clock.now(),
        today=clock.today(),
        date_from=period[0],
        date_to=period[1],
    )
    charts_svg = [
        charts.trend_svg(
            item["points"],
            target=item["figure"]["target"],
            title=item["figure"]["title_zh"],
            percent=item["figure"]["unit"] != "minutes",
        )
        for item in figures["series"]
    ]
    return render(
        request,
        "dashboard.html",
        {"actor": actor, "period": period, "charts": charts_svg, **figures},
        web_session=web_session,
        settings=settings,
    )


def _optional_id(value: str | None, field: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 2_147_483_647:
        raise InvalidValue(
            "VALIDATION_ERROR",
            f"{field}: a positive integer",
            field=field,
            message_zh=f"{field_label(field)}须为正整数",
        )
    return int(value)


def risk_filters(
    street: Text = None,
    rule: Annotated[list[str] | None, Query(max_length=30)] = None,
    severity: Annotated[list[Severity] | None, Query(max_length=4)] = None,
    place_category: Text = None,
    age_band: Annotated[str | None, Query(max_length=8)] = None,
    maintenance_unit_id: Text = None,
    user_unit_id: Text = None,
) -> rules_service.RiskFilters:
    """The risk list's filters from the filter form, where an untouched field is sent empty."""
    if place_category and place_category not in set(PlaceCategory):
        raise InvalidValue(
            "VALIDATION_ERROR",
            f"place_category: unknown place category {place_category}",
            field="place_category",
            message_zh=f"未知场所类别“{place_category}”",
        )
    return rules_service.RiskFilters(
        street=street or None,
        maintenance_unit_id=_optional_id(maintenance_unit_id, "maintenance_unit_id"),
        user_unit_id=_optional_id(user_unit_id, "user_unit_id"),
        rules=tuple(code for code in rule or () if code),
        severities=tuple(severity or ()),
        place_category=place_category or None,
        age_band=age_band or None,
    )


RiskFiltersDep = Annotated[rules_service.RiskFilters, Depends(risk_filters)]


@router.get("/bureau/risk")
def risk_list(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    filters: RiskFiltersDep,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    """The risk list with the API's filters, a page at a time, and download links."""
    actor = page_principal(session, web_session, *BUREAU_ROLES)
    risk_query = rules_service.RiskQuery(
        actor=actor,
        filters=filters,
        as_of=clock.today(),
        today=clock.today(),
        now=clock.now(),
        settings=settings,
    )
    rows, next_cursor = rules_service.risk_page(session, risk_query, limit=limit, cursor=cursor)
    query = [
        (key, value)
        for key, value in request.query_params.multi_items()
        if key not in {"cursor"} and value
    ]
    total = rules_service.risk_summary(session, risk_query)["elevators_with_findings"]
    return render(
        request,
        "risk.html",
        {
            "rows": rows,
            "total": total,
            "maintainers": boards.maintainer_names(
                session, [row.elevator.id for row in rows], clock.today()
            ),
            "maintenance_units": boards.organisation_choices(session, OrganisationRole.MAINTAINER),
            "user_units": boards.organisation_choices(session, OrganisationRole.USER_UNIT),
            "filters": filters,
            "streets": boards.street_names(session),
            "rules": listed_rules(),
            "severities": list(Severity),
            "place_categories": list(PlaceCategory),
            "age_bands": list(AGE_BANDS),
            "query": urlencode(query),
            "next_cursor": next_cursor,
            "paged": cursor is not None,
            "limit": limit,
        },
        web_session=web_session,
        settings=settings,
    )


@router.get("/bureau/risk/export.{file_format}")
def risk_export(
    session: StreamingSessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    file_format: Annotated[str, Path(pattern=r"^(csv|xlsx)$")],
    filters: RiskFiltersDep,
) -> Response:
    """The filtered risk list as CSV (UTF-8 with BOM) or XLSX: the API export's renderers."""
    actor = page_principal(session, web_session, *BUREAU_ROLES)
    day = clock.today()
    query = rules_service.RiskQuery(
        actor=actor, filters=filters, as_of=day, today=day, now=clock.now(), settings=settings
    )
    if file_format == "csv":
        chunks = export.risk_list_csv(session, query)
        media_type = "text/csv; charset=utf-8"
    else:
        chunks = export.xlsx_chunks(rules_service.iter_risk_rows(session, query))
        media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Download(
        chunks,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="risk-list-{day}.{file_format}"'},
    )


def _dossier(
    session: Session,
    web_session: WebSession,
    elevator_id: int,
    *,
    clock: Clock,
    settings: Settings,
) -> Dossier:
    """The elevator's dossier, as the logged-in officer's token may read it."""
    actor = page_principal(session, web_session, *BUREAU_ROLES)
    return dossier_service.build_dossier(
        session,
        elevator_id=elevator_id,
        actor=actor,
        settings=settings,
        today=clock.today(),
        now=clock.now(),
    )


@router.get("/bureau/elevators/{elevator_id}")
def elevator_page(
    request: Request,
    elevator_id: PathId,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The elevator's file (the dossier) on one timeline, with its current findings."""
    dossier = _dossier(session, web_session, elevator_id, clock=clock, settings=settings)
    findings = rules_service.elevator_findings(
        session, elevator_id=elevator_id, as_of=clock.today(), now=clock.now(), settings=settings
    )
    names = dossier_service.organisation_names(session, dossier)
    return render(
        request,
        "elevator.html",
        {
            "dossier": dossier,
            "elevator": dossier.elevator,
            "findings": findings,
            "entries": timeline.dossier_timeline(dossier, timezone=settings.timezone, names=names),
            "names": names,
        },
        web_session=web_session,
        settings=settings,
    )


@router.get("/bureau/hazard-reports/{hazard_id}/notice")
def stop_use_notice(
    hazard_id: PathId,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The printable stop-use notice of a serious hazard (the page the API renders with
    `format=html`), for the logged-in officer: the browser sends no bearer token."""
    actor = page_principal(session, web_session, *BUREAU_ROLES)
    notice = hazard_service.get_notice(
        session, hazard_id=hazard_id, actor=actor, today=clock.today(), settings=settings
    )
    return HTMLResponse(hazard_service.render_notice_html(notice))


@router.get("/bureau/elevators/{elevator_id}/dossier.xlsx")
def elevator_dossier_workbook(
    elevator_id: PathId,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The dossier as the API's XLSX workbook (a sheet per section), for the logged-in officer."""
    dossier = _dossier(session, web_session, elevator_id, clock=clock, settings=settings)
    return workbook_download(session, dossier, settings)


@router.get("/bureau/incidents")
def incident_board(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    street: Text = None,
) -> Response:
    """Open incidents, nearest arrival deadline first, with their escalation level."""
    actor = page_principal(session, web_session, *BUREAU_ROLES)
    return render(
        request,
        "incidents.html",
        {
            "rows": boards.open_incidents(
                session, actor=actor, now=clock.now(), street=street or None, limit=500
            ),
            "streets": boards.street_names(session),
            "street": street or "",
            "live_stream": "/bureau/incidents/live"
            + (f"?{urlencode({'street': street})}" if street else ""),
            "live_poll": "/bureau/incidents/live.json"
            + (f"?{urlencode({'street': street})}" if street else ""),
            "live_poll_seconds": settings.live_fallback_poll_seconds,
        },
        web_session=web_session,
        settings=settings,
    )


@router.get("/bureau/search")
def search_page(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    q: Annotated[
        str | None, Query(max_length=search.MAX_QUERY_LENGTH, pattern=r"^[^\x00]*$")
    ] = None,
) -> Response:
    """The header's search box: elevators by identifier, address or 小区, exact matches first,
    scoped as the API scopes the officer's token."""
    actor = page_principal(session, web_session, *BUREAU_ROLES)
    text = (q or "").strip()
    hits = (
        search.search_elevators(
            session, actor=actor, today=clock.today(), text=text, limit=search.MAX_HITS
        )
        if text
        else []
    )
    return render(
        request,
        "search.html",
        {"q": text, "hits": hits, "limit": search.MAX_HITS},
        web_session=web_session,
        settings=settings,
    )


# 96333 seat ---------------------------------------------------------------------------------


@router.get("/seat")
def seat_queue(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The seats' queue: rescues with no contracted unit, each with a firm to send."""
    actor = page_principal(session, web_session, *SEAT_ROLES)
    return render(
        request,
        "seat.html",
        {
            "rows": boards.open_incidents(
                session, actor=actor, now=clock.now(), limit=200, unassigned_only=True
            ),
            "units": boards.rescue_units(session),
            "live_stream": "/seat/live",
            "live_poll": "/seat/live.json",
            "live_poll_seconds": settings.live_fallback_poll_seconds,
        },
        web_session=web_session,
        settings=settings,
    )


@router.post("/seat/incidents/{incident_id}/assign")
def seat_assign(
    incident_id: PathId,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    maintenance_unit_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Sends the chosen firm (lifecycle.assign, as the API); back to the queue."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    intake.take_write_lock(session)
    actor = page_principal(session, web_session, *SEAT_ROLES)
    lifecycle_service.assign(
        session,
        incident_id=incident_id,
        data=AssignAction(maintenance_unit_id=maintenance_unit_id),
        actor=actor,
        now=clock.now(),
    )
    return RedirectResponse("/seat", status_code=303)


# Maintenance firm ---------------------------------------------------------------------------


# Overdue elevators per page of the firm's list.
OVERDUE_PAGE_SIZE = 20


@router.get("/firm")
def firm_queue(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """The firm's open incidents with their next step, and its maintenance falling due.

    The overdue list is paged (`page`, OVERDUE_PAGE_SIZE per page, a link to the next one).
    """
    actor = page_principal(session, web_session, *FIRM_ROLES)
    due = boards.maintenance_due(
        session, actor=actor, settings=settings, now=clock.now(), today=clock.today()
    )
    start = (page - 1) * OVERDUE_PAGE_SIZE
    return render(
        request,
        "firm.html",
        {
            "rows": boards.open_incidents(session, actor=actor, now=clock.now(), limit=200),
            "due": due,
            "overdue_page": due["overdue"][start : start + OVERDUE_PAGE_SIZE],
            "page": page,
            "has_next": len(due["overdue"]) > start + OVERDUE_PAGE_SIZE,
            "action_zh": boards.ACTION_ZH,
            "due_soon_days": boards.DUE_SOON_DAYS,
            "fault_causes": list(FaultCause),
            "live_poll_seconds": settings.live_fallback_poll_seconds,
            "unread": notification_service.unread_count(session, actor=actor),
        },
        web_session=web_session,
        settings=settings,
    )


@router.post("/firm/incidents/{incident_id}/{action}")
def firm_transition(
    incident_id: PathId,
    action: Annotated[
        str, Path(pattern=r"^(accept|arrive|release|close|self_released|false_alarm)$")
    ],
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    fault_cause_code: Annotated[str, Form(max_length=30)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """A rescue step through the lifecycle service (closing takes the fault cause picked)."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    # As in the API: the write lock before the first read (see incidents.routes).
    intake.take_write_lock(session)
    actor = page_principal(session, web_session, *FIRM_ROLES)
    data: TransitionAction = TransitionAction()
    if action == "close":
        if fault_cause_code and fault_cause_code not in set(FaultCause):
            raise InvalidValue(
                "VALIDATION_ERROR",
                f"unknown fault cause {fault_cause_code}",
                field="fault_cause_code",
                message_zh="请从列表中选择故障原因",
            )
        data = CloseAction(
            fault_cause_code=FaultCause(fault_cause_code) if fault_cause_code else None
        )
    lifecycle_service.transition(
        session,
        incident_id=incident_id,
        action=action,
        data=data,
        actor=actor,
        now=clock.now(),
    )
    return RedirectResponse("/firm", status_code=303)
