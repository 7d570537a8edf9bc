"""GET /elevators/{id}/dossier: the elevator's file (一梯一档) as JSON or an XLSX workbook."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from elevator_registry.config import Settings
from elevator_registry.dependencies import AuthenticatedDep, ClockDep, SessionDep, SettingsDep
from elevator_registry.dossier import service as dossier_service
from elevator_registry.dossier.schemas import Dossier
from elevator_registry.schemas import ERROR_RESPONSES, PathId

router = APIRouter(responses=ERROR_RESPONSES, tags=["elevators"])


@router.get(
    "/elevators/{elevator_id}/dossier",
    response_model=Dossier,
    responses={
        200: {
            "description": "The dossier as JSON, or with `format=xlsx` a workbook (attachment) "
            "with a sheet per section",
            "content": {
                dossier_service.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
def read_dossier(
    elevator_id: PathId,
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
    format: Annotated[Literal["json", "xlsx"], Query(description="json or xlsx")] = "json",
) -> object:
    """一梯一档: the elevator with its contracts, warranties, maintenance records (latest
    revisions, with confirmations), inspections, assessments, hazards (with resolution and
    notice), usage checks, drills and incidents; scoped like the elevator itself."""
    dossier = dossier_service.build_dossier(
        session,
        elevator_id=elevator_id,
        actor=actor,
        settings=settings,
        today=clock.today(),
        now=clock.now(),
    )
    if format == "xlsx":
        return workbook_download(session, dossier, settings)
    return dossier


def workbook_download(session: Session, dossier: Dossier, settings: Settings) -> Response:
    """The dossier's workbook as an attachment named after the equipment code (the API's and
    the officer's page's download alike)."""
    return Response(
        content=dossier_service.dossier_workbook(
            dossier,
            settings=settings,
            names=dossier_service.organisation_names(session, dossier),
            people=dossier_service.person_names(session, dossier),
        ),
        media_type=dossier_service.XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": (
                f'attachment; filename="dossier-{dossier.elevator.equipment_code}.xlsx"'
            )
        },
    )
