"""The user unit's pages (使用单位): its elevators and incidents, the maintenance records waiting
for its safety manager's confirmation, its monthly usage checks and its cost disclosures.

Every write goes through the service the API uses (maintenance.service.confirm_record,
maintenance.checks.file_usage_check, governance.disclosures.file_disclosure), as the logged-in
person: a confirmation is signed with the safety manager's own account and name, and the
service refuses it when that account filed the record (CONFIRMER_IS_FILER).
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.dependencies import ClockDep, SessionDep, SettingsDep
from elevator_registry.governance import disclosures as disclosure_service
from elevator_registry.governance.models import CostDisclosure
from elevator_registry.governance.schemas import CostDisclosureCreate
from elevator_registry.incidents import lifecycle as lifecycle_service
from elevator_registry.incidents.models import Incident
from elevator_registry.maintenance import checks as checks_service
from elevator_registry.maintenance import service as maintenance_service
from elevator_registry.maintenance.models import MaintenanceRecord, UsageCheck
from elevator_registry.maintenance.schemas import ConfirmationCreate, UsageCheckCreate
from elevator_registry.registry.models import Elevator, Organisation
from elevator_registry.registry.scoping import readable_elevators
from elevator_registry.schemas import PathId
from elevator_registry.visits import reads as visit_reads
from elevator_registry.web import session as web_session_module
from elevator_registry.web.forms import file_form
from elevator_registry.web.routing import UNIT_ROLES, PageRoute, WebSessionDep, page_principal
from elevator_registry.web.session import WebSession
from elevator_registry.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FormText = Annotated[str, Form(max_length=2000)]
CsrfField = Annotated[str, Form(max_length=128)]


def _unit(session: Session, web_session: WebSession) -> Principal:
    return page_principal(session, web_session, *UNIT_ROLES)


def _elevators(session: Session, actor: Principal, today: date) -> list[Elevator]:
    return list(
        session.scalars(
            select(Elevator)
            .where(readable_elevators(actor, today))
            .order_by(Elevator.street, Elevator.address, Elevator.building, Elevator.unit)
        )
    )


@router.get("/unit")
def unit_home(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
) -> Response:
    """The unit's elevators, how many records wait for it, and its recent incidents."""
    actor = _unit(session, web_session)
    today = clock.today()
    waiting = session.scalars(
        maintenance_service.records_statement(actor=actor, today=today, confirmed=False)
    ).all()
    incidents = session.execute(
        lifecycle_service.incidents_statement(actor=actor)
        .join(Elevator, Elevator.id == Incident.elevator_id)
        .add_columns(Elevator)
        .order_by(Incident.reported_at.desc(), Incident.id.desc())
        .limit(20)
    ).all()
    return render(
        request,
        "unit.html",
        {
            "actor": actor,
            "organisation": session.get(Organisation, actor.organisation_id),
            "elevators": _elevators(session, actor, today),
            "waiting": len(waiting),
            "incidents": incidents,
        },
        web_session=web_session,
        settings=settings,
    )


@router.get("/unit/records")
def waiting_records(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    confirmed: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """Records of its elevators that its safety manager has not confirmed yet, oldest first."""
    actor = _unit(session, web_session)
    rows = session.execute(
        maintenance_service.records_statement(actor=actor, today=clock.today(), confirmed=False)
        .join(Elevator, Elevator.id == MaintenanceRecord.elevator_id)
        .join(
            Organisation,
            Organisation.id == MaintenanceRecord.maintenance_unit_id,
        )
        .add_columns(Elevator, Organisation.name)
        .order_by(MaintenanceRecord.performed_at)
        .limit(200)
    ).all()
    # The visit behind each record (times, checklist, photos, flags) for _visit_summary.html.
    visits = visit_reads.visits_of_records(session, [record.id for record, _, _ in rows])
    return render(
        request,
        "unit_records.html",
        {"actor": actor, "rows": rows, "visits": visits, "just_confirmed": bool(confirmed)},
        web_session=web_session,
        settings=settings,
    )


@router.post("/unit/records/{record_id}/confirm")
def confirm_record(
    record_id: PathId,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    csrf_token: CsrfField = "",
) -> Response:
    """The logged-in safety manager signs the record with their own account and name."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    actor = _unit(session, web_session)
    maintenance_service.confirm_record(
        session,
        record_id=record_id,
        data=ConfirmationCreate(safety_manager=actor.label),
        actor=actor,
        today=clock.today(),
        now=clock.now(),
    )
    return RedirectResponse("/unit/records?confirmed=1", status_code=303)


def _checks_page(
    request: Request,
    session: Session,
    web_session: WebSession,
    settings: Settings,
    actor: Principal,
    today: date,
    *,
    form: dict[str, Any],
    errors: dict[str, str],
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    elevators = _elevators(session, actor, today)
    names = {elevator.id: elevator for elevator in elevators}
    recent = session.scalars(
        checks_service.usage_checks_statement(actor=actor, today=today)
        .order_by(UsageCheck.checked_on.desc(), UsageCheck.id.desc())
        .limit(30)
    ).all()
    return render(
        request,
        "unit_checks.html",
        {
            "actor": actor,
            "elevators": elevators,
            "elevator_of": names,
            "recent": recent,
            "form": form,
            "errors": errors,
            "saved": saved,
            "today": today,
        },
        web_session=web_session,
        settings=settings,
        status_code=status_code,
    )


@router.get("/unit/checks")
def checks_form(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    saved: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The monthly usage check form and the unit's recent checks."""
    actor = _unit(session, web_session)
    return _checks_page(
        request,
        session,
        web_session,
        settings,
        actor,
        clock.today(),
        form={"checker_name": actor.label},
        errors={},
        saved=bool(saved),
    )


@router.post("/unit/checks")
def file_check(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    elevator_id: Annotated[str, Form(max_length=12)] = "",
    checked_on: Annotated[str, Form(max_length=10)] = "",
    checker_name: Annotated[str, Form(max_length=50)] = "",
    findings: FormText = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Files a usage check through the API's service; refusals are shown next to the field."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    actor = _unit(session, web_session)
    today = clock.today()
    form = {
        "elevator_id": elevator_id,
        "checked_on": checked_on,
        "checker_name": checker_name,
        "findings": findings,
    }
    refused = file_form(
        session,
        UsageCheckCreate,
        form,
        lambda data: checks_service.file_usage_check(
            session, data=data, actor=actor, today=today, now=clock.now()
        ),
        fallback_field="elevator_id",
    )
    if refused is None:
        return RedirectResponse("/unit/checks?saved=1", status_code=303)
    errors, status_code = refused
    return _checks_page(
        request,
        session,
        web_session,
        settings,
        actor,
        today,
        form=form,
        errors=errors,
        status_code=status_code,
    )


def _disclosures_page(
    request: Request,
    session: Session,
    web_session: WebSession,
    settings: Settings,
    actor: Principal,
    today: date,
    *,
    form: dict[str, Any],
    errors: dict[str, str],
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    elevators = _elevators(session, actor, today)
    recent = session.scalars(
        disclosure_service.disclosures_statement(actor=actor, today=today)
        .order_by(CostDisclosure.year.desc(), CostDisclosure.id.desc())
        .limit(30)
    ).all()
    return render(
        request,
        "unit_disclosures.html",
        {
            "actor": actor,
            "elevators": elevators,
            "elevator_of": {elevator.id: elevator for elevator in elevators},
            "recent": recent,
            "form": form,
            "errors": errors,
            "saved": saved,
        },
        web_session=web_session,
        settings=settings,
        status_code=status_code,
    )


@router.get("/unit/disclosures")
def disclosures_form(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    saved: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The yearly maintenance-cost disclosure form and the unit's disclosures."""
    actor = _unit(session, web_session)
    today = clock.today()
    return _disclosures_page(
        request,
        session,
        web_session,
        settings,
        actor,
        today,
        form={"year": str(today.year - 1)},
        errors={},
        saved=bool(saved),
    )


@router.post("/unit/disclosures")
def file_disclosure(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    web_session: WebSessionDep,
    elevator_id: Annotated[str, Form(max_length=12)] = "",
    year: Annotated[str, Form(max_length=4)] = "",
    amount_yuan: Annotated[str, Form(max_length=16)] = "",
    property_fee_yuan: Annotated[str, Form(max_length=16)] = "",
    advertising_income_yuan: Annotated[str, Form(max_length=16)] = "",
    repair_fund_draw_yuan: Annotated[str, Form(max_length=16)] = "",
    items: FormText = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Files a cost disclosure through the API's service; refusals next to the field."""
    web_session_module.check_csrf(web_session, settings, csrf_token)
    actor = _unit(session, web_session)
    today = clock.today()
    form = {
        "elevator_id": elevator_id,
        "year": year,
        "amount_yuan": amount_yuan,
        "property_fee_yuan": property_fee_yuan,
        "advertising_income_yuan": advertising_income_yuan,
        "repair_fund_draw_yuan": repair_fund_draw_yuan,
        "items": items,
    }
    refused = file_form(
        session,
        CostDisclosureCreate,
        form,
        lambda data: disclosure_service.file_disclosure(
            session, data=data, actor=actor, today=today, now=clock.now()
        ),
        fallback_field="elevator_id",
    )
    if refused is None:
        return RedirectResponse("/unit/disclosures?saved=1", status_code=303)
    errors, status_code = refused
    return _disclosures_page(
        request,
        session,
        web_session,
        settings,
        actor,
        today,
        form=form,
        errors=errors,
        status_code=status_code,
    )
