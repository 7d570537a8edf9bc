"""Reading the audit trail (bureau only)."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import Field

from elevator_registry.audit import service as audit_service
from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.dependencies import AuthenticatedDep, SessionDep, SettingsDep
from elevator_registry.errors import InvalidValue
from elevator_registry.pagination import fetch_page
from elevator_registry.schemas import ERROR_RESPONSES, Limit, Page, ReadModel

router = APIRouter(responses=ERROR_RESPONSES, tags=["audit"])


class AuditEventRead(ReadModel):
    """One audit event."""

    id: int
    at: datetime
    actor: str
    actor_role: str
    actor_user_id: int | None = Field(
        default=None, description="The person who acted; null for machine tokens and the CLI."
    )
    action: str
    entity: str
    entity_id: int
    changes: dict[str, object]


@router.get("/audit-events", response_model=Page[AuditEventRead])
def list_audit_events(
    session: SessionDep,
    actor: AuthenticatedDep,
    settings: SettingsDep,
    entity: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    by: Annotated[
        str | None,
        Query(min_length=1, max_length=120, pattern=r"^[^\x00]*$", description="Actor label."),
    ] = None,
    actor_role: Annotated[str | None, Query(max_length=20, pattern=r"^[a-z_]+$")] = None,
    date_from: Annotated[
        date | None,
        Query(alias="from", ge=date(1950, 1, 1), le=date(2100, 12, 31), description="Local date."),
    ] = None,
    date_to: Annotated[
        date | None,
        Query(alias="to", ge=date(1950, 1, 1), le=date(2100, 12, 31), description="Inclusive."),
    ] = None,
    limit: Annotated[Limit, Query()] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, object]:
    """Who changed what, oldest first (bureau); filter by entity (table name) and id, by actor
    label or role, and by the local dates of the change."""
    actor.require(Role.BUREAU)
    if date_from is not None and date_to is not None and date_to < date_from:
        raise InvalidValue("DATE_RANGE_INVALID", "to is before from", field="to")
    zone = ZoneInfo(settings.timezone)

    def start_of(day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, time(), zone).astimezone(UTC)

    statement = audit_service.events_statement(
        entity=entity,
        entity_id=entity_id,
        actor=by,
        actor_role=actor_role,
        since=start_of(date_from),
        before=start_of(date_to + timedelta(days=1) if date_to else None),
    )
    return fetch_page(session, statement, AuditEvent.id, limit=limit, cursor=cursor)
