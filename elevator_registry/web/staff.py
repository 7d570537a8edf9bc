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
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from elevator_registry.auth import service as auth_service
from elevator_registry.clock import Clock
from elevator_registry.config import Settings
from elevator_registry.dependencies import (
    ClockDep,
    SessionDep,
    SettingsDep,
    StreamingSessionDep,
)
from elevator_registry.dossier import service as dossier_service
from elevator_registry.dossier.schemas import Dossier
from elevator_registry.downloads import Download
from elevator_registry.errors import AuthenticationRequired, InvalidValue
from elevator_registry.incidents import intake
from elevator_registry.incidents import lifecycle as lifecycle_service
from elevator_registry.incidents.schemas import TransitionAction
from elevator_registry.notifications import service as notification_service
from elevator_registry.registry.enums import PlaceCategory
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
    PageRoute,
    WebSessionDep,
    home_of,
    page_principal,
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
    """The login form: paste the token `elevator-registry tokens create` issued."""
    return render(
        request,
        "login.html",
        {"next": next, "errors": {}},
        web_session=web_session,
        settings=settings,
    )


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Exchanges a valid token for a session cookie; shows the refusal next to the field."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    try:
        principal = auth_service.authenticate(session, secret=token.strip())
        if principal.role not in (*BUREAU_ROLES, *FIRM_ROLES):
            raise AuthenticationRequired(
                "ROLE_HAS_NO_PAGES", f"角色 {principal.role} 没有网页 / no pages for this role"
            )
    except AuthenticationRequired as error:
        return render(
            request,
            "login.html",
            {"next": next, "errors": {"token": f"{error.message} ({error.code})"}},
            web_session=web_session,
            settings=settings,
            status_code=401,
        )
    assert principal.token_id is not None
    target = next if re.fullmatch(NEXT_PATTERN, next) else home_of(principal)
    response = RedirectResponse(target, status_code=303)
    web_session_module.store(
        response, web_session_module.logged_in_session(principal.token_id), settings
    )
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
            "VALIDATION_ERROR", f"{field}: 请输入正整数 / a positive integer", field=field
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
            f"place_category: 未知场所类别 {place_category}",
            field="place_category",
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
    rows, next_cursor = rules_service.risk_page(
        session,
        rules_service.RiskQuery(
            actor=actor,
            filters=filters,
            as_of=clock.today(),
            today=clock.today(),
            now=clock.now(),
            settings=settings,
        ),
        limit=limit,
        cursor=cursor,
    )
    query = [
        (key, value)
        for key, value in request.query_params.multi_items()
        if key not in {"cursor"} and value
    ]
    return render(
        request,
        "risk.html",
        {
            "rows": rows,
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
    return render(
        request,
        "elevator.html",
        {
            "dossier": dossier,
            "elevator": dossier.elevator,
            "findings": findings,
            "entries": timeline.dossier_timeline(dossier, timezone=settings.timezone),
        },
        web_session=web_session,
        settings=settings,
    )


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
    return Response(
        dossier_service.dossier_workbook(dossier, timezone=settings.timezone),
        media_type=dossier_service.XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": (
                f'attachment; filename="dossier-{dossier.elevator.equipment_code}.xlsx"'
            )
        },
    )


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
        },
        web_session=web_session,
        settings=settings,
    )


# Maintenance firm ---------------------------------------------------------------------------


@router.get("/firm")
def firm_queue(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The firm's open incidents with their next step, and its maintenance falling due."""
    actor = page_principal(session, web_session, *FIRM_ROLES)
    return render(
        request,
        "firm.html",
        {
            "rows": boards.open_incidents(session, actor=actor, now=clock.now(), limit=200),
            "due": boards.maintenance_due(
                session, actor=actor, settings=settings, now=clock.now(), today=clock.today()
            ),
            "action_zh": boards.ACTION_ZH,
            "due_soon_days": boards.DUE_SOON_DAYS,
            "unread": notification_service.unread_count(session, actor=actor),
        },
        web_session=web_session,
        settings=settings,
    )


@router.post("/firm/incidents/{incident_id}/{action}")
def firm_transition(
    incident_id: PathId,
    action: Annotated[str, Path(pattern=r"^(accept|arrive|release)$")],
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Accept / arrived / released, through the lifecycle service; back to the queue."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    # As in the API: the write lock before the first read (see incidents.routes).
    intake.take_write_lock(session)
    actor = page_principal(session, web_session, *FIRM_ROLES)
    lifecycle_service.transition(
        session,
        incident_id=incident_id,
        action=action,
        data=TransitionAction(),
        actor=actor,
        now=clock.now(),
    )
    return RedirectResponse("/firm", status_code=303)
