"""HTTP routes of the rule catalogue and the risk list."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query

from elevator_registry.config import Settings
from elevator_registry.dependencies import (
    AuthenticatedDep,
    ClockDep,
    SessionDep,
    SettingsDep,
    StreamingSessionDep,
)
from elevator_registry.downloads import Download
from elevator_registry.registry import elevators as elevator_service
from elevator_registry.registry.enums import PlaceCategory
from elevator_registry.rules import export
from elevator_registry.rules import service as rules_service
from elevator_registry.rules.catalogue import CATALOGUE, Severity
from elevator_registry.rules.schemas import (
    ElevatorFindings,
    FindingRead,
    RiskElevator,
    RiskPage,
    RiskRowRead,
    RiskSummary,
    RuleRead,
)
from elevator_registry.schemas import ERROR_RESPONSES, Limit, PathId

router = APIRouter(responses=ERROR_RESPONSES, tags=["rules"])

AsOf = Annotated[
    date | None,
    Query(
        ge=date(2000, 1, 1),
        le=date(2100, 12, 31),
        description="Evaluate as of this day; default today.",
    ),
]
Text = Annotated[str | None, Query(min_length=1, max_length=60, pattern=r"^[^\x00]*$")]
OptionalId = Annotated[int | None, Query(ge=1, le=2_147_483_647)]


class ExportFormat(StrEnum):
    """How the risk list is returned."""

    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


def rule_read(rule: object, settings: Settings) -> RuleRead:
    """A catalogue entry with its parameters' current values."""
    return RuleRead(
        code=rule.code,  # type: ignore[attr-defined]
        severity=rule.severity,  # type: ignore[attr-defined]
        title_zh=rule.title_zh,  # type: ignore[attr-defined]
        title_en=rule.title_en,  # type: ignore[attr-defined]
        source=rule.source,  # type: ignore[attr-defined]
        enforcement=sorted(rule.enforcement),  # type: ignore[attr-defined]
        params={name: getattr(settings, name, None) for name in rule.params},  # type: ignore[attr-defined]
        listed=rule.query is not None,  # type: ignore[attr-defined]
    )


@router.get("/rules", response_model=list[RuleRead])
def list_rules(settings: SettingsDep) -> list[RuleRead]:
    """The rule catalogue (public): code, severity, titles, legal source, parameters."""
    return [rule_read(rule, settings) for rule in CATALOGUE]


def _filters(
    street: Text = None,
    maintenance_unit_id: OptionalId = None,
    user_unit_id: OptionalId = None,
    rule: Annotated[
        list[str] | None, Query(max_length=30, description="Rule codes (repeat)")
    ] = None,
    severity: Annotated[list[Severity] | None, Query(max_length=4)] = None,
    place_category: PlaceCategory | None = None,
    age_band: Annotated[
        str | None, Query(max_length=8, description="0-5, 5-10, 10-15, 15-20 or 20+ years in use")
    ] = None,
) -> rules_service.RiskFilters:
    return rules_service.RiskFilters(
        street=street,
        maintenance_unit_id=maintenance_unit_id,
        user_unit_id=user_unit_id,
        rules=tuple(rule or ()),
        severities=tuple(severity or ()),
        place_category=place_category,
        age_band=age_band,
    )


def _row(row: rules_service.RiskRow) -> RiskRowRead:
    return RiskRowRead(
        elevator=RiskElevator.model_validate(row.elevator, from_attributes=True),
        score=row.score,
        findings=[FindingRead.model_validate(finding.__dict__) for finding in row.findings],
    )


@router.get(
    "/risk-list",
    response_model=RiskPage,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
            "description": "JSON page, or with format=csv|xlsx the whole list as a download.",
        }
    },
)
def risk_list(
    session: StreamingSessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
    as_of: AsOf = None,
    street: Text = None,
    maintenance_unit_id: OptionalId = None,
    user_unit_id: OptionalId = None,
    rule: Annotated[
        list[str] | None, Query(max_length=30, description="Rule codes (repeat)")
    ] = None,
    severity: Annotated[list[Severity] | None, Query(max_length=4)] = None,
    place_category: PlaceCategory | None = None,
    age_band: Annotated[
        str | None, Query(max_length=8, description="0-5, 5-10, 10-15, 15-20 or 20+ years in use")
    ] = None,
    limit: Annotated[Limit, Query()] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    format: ExportFormat = ExportFormat.JSON,
) -> object:
    """Elevators that break rules, highest score first, as of a day; scoped to the caller.

    The score is the sum of the severity weights of the elevator's findings (settings).
    `format=csv` (UTF-8 with BOM) or `format=xlsx` streams the whole filtered list.
    """
    filters = _filters(
        street, maintenance_unit_id, user_unit_id, rule, severity, place_category, age_band
    )
    day = as_of or clock.today()
    query = rules_service.RiskQuery(
        actor=actor,
        filters=filters,
        as_of=day,
        today=clock.today(),
        now=clock.now(),
        settings=settings,
    )
    if format == ExportFormat.CSV:
        return Download(
            export.risk_list_csv(session, query),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="risk-list-{day}.csv"'},
        )
    if format == ExportFormat.XLSX:
        return Download(
            export.xlsx_chunks(rules_service.iter_risk_rows(session, query)),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="risk-list-{day}.xlsx"'},
        )
    rows_page, next_cursor = rules_service.risk_page(session, query, limit=limit, cursor=cursor)
    return RiskPage(as_of=day, items=[_row(row) for row in rows_page], next_cursor=next_cursor)


@router.get("/risk-summary", response_model=RiskSummary)
def risk_summary(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
    as_of: AsOf = None,
    street: Text = None,
    maintenance_unit_id: OptionalId = None,
    user_unit_id: OptionalId = None,
    place_category: PlaceCategory | None = None,
) -> object:
    """Elevators with findings per rule and per street/town (scoped to the caller)."""
    filters = _filters(street, maintenance_unit_id, user_unit_id, None, None, place_category, None)
    return rules_service.risk_summary(
        session,
        rules_service.RiskQuery(
            actor=actor,
            filters=filters,
            as_of=as_of or clock.today(),
            today=clock.today(),
            now=clock.now(),
            settings=settings,
        ),
    )


@router.get("/elevators/{elevator_id}/findings", response_model=ElevatorFindings)
def elevator_findings(
    elevator_id: PathId,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
    as_of: AsOf = None,
) -> ElevatorFindings:
    """One elevator's findings as of a day (the same SQL as the risk list)."""
    elevator_service.get_elevator(
        session, elevator_id=elevator_id, actor=actor, today=clock.today()
    )
    day = as_of or clock.today()
    findings = rules_service.elevator_findings(
        session, elevator_id=elevator_id, as_of=day, now=clock.now(), settings=settings
    )
    weights = settings.severity_weights
    return ElevatorFindings(
        elevator_id=elevator_id,
        as_of=day,
        score=sum(weights.get(finding.severity, 0) for finding in findings),
        findings=[FindingRead.model_validate(finding.__dict__) for finding in findings],
    )
