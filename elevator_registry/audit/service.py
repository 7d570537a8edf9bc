"""Writing and reading the audit trail."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.principal import Principal
from elevator_registry.db import Base


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a column value."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# Hashes of secrets never enter the trail; the action ("reset_password"...) says what happened.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash"})


def snapshot(row: Base) -> dict[str, Any]:
    """Every column of `row` but secrets' hashes, as JSON-safe values."""
    return {
        column.key: _plain(getattr(row, column.key))
        for column in row.__mapper__.column_attrs
        if column.key not in SECRET_COLUMNS
    }


def record(
    session: Session,
    *,
    actor: Principal,
    at: datetime,
    action: str,
    row: Base,
    before: dict[str, Any] | None = None,
) -> AuditEvent:
    """Appends one audit event for `row`; `before` is its snapshot prior to the change.

    Only fields that changed are kept, as {"field": {"before": ..., "after": ...}}.
    """
    session.flush()
    after = snapshot(row)
    before = before or {}
    changes = {
        key: {"before": before.get(key), "after": value}
        for key, value in after.items()
        if before.get(key) != value and key not in {"created_at", "updated_at"}
    }
    event = AuditEvent(
        at=at,
        actor=actor.label,
        actor_role=actor.role or "public",
        token_id=actor.token_id,
        actor_user_id=actor.user_id,
        action=action,
        entity=row.__tablename__,
        entity_id=row.id,  # type: ignore[attr-defined]
        changes=changes,
    )
    session.add(event)
    return event


def events_statement(
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    actor: str | None = None,
    actor_role: str | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
) -> Select[Any]:
    """Audit events, filtered by entity kind or record, actor label or role, and time range."""
    statement = select(AuditEvent)
    if entity is not None:
        statement = statement.where(AuditEvent.entity == entity)
    if entity_id is not None:
        statement = statement.where(AuditEvent.entity_id == entity_id)
    if actor is not None:
        statement = statement.where(AuditEvent.actor == actor)
    if actor_role is not None:
        statement = statement.where(AuditEvent.actor_role == actor_role)
    if since is not None:
        statement = statement.where(AuditEvent.at >= since)
    if before is not None:
        statement = statement.where(AuditEvent.at < before)
    return statement
