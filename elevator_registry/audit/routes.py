"""Reading the audit trail (bureau only)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from elevator_registry.audit import service as audit_service
from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.dependencies import AuthenticatedDep, SessionDep
from elevator_registry.pagination import fetch_page
from elevator_registry.schemas import ERROR_RESPONSES, Limit, Page, ReadModel

router = APIRouter(responses=ERROR_RESPONSES, tags=["audit"])


class AuditEventRead(ReadModel):
    """One audit event."""

    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    entity: str
    entity_id: int
    changes: dict[str, object]


@router.get("/audit-events", response_model=Page[AuditEventRead])
def list_audit_events(
    session: SessionDep,
    actor: AuthenticatedDep,
    entity: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    limit: Annotated[Limit, Query()] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, object]:
    """Who changed what, oldest first; filter by entity (table name) and id."""
    actor.require(Role.BUREAU)
    statement = audit_service.events_statement(entity=entity, entity_id=entity_id)
    items, next_cursor = fetch_page(session, statement, AuditEvent.id, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}
