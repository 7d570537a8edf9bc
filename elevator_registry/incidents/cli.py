"""`elevator-registry escalate`: one escalation pass (`serve` runs it as a periodic job)."""

import typer

from elevator_registry.clock import get_clock
from elevator_registry.config import get_settings
from elevator_registry.db import get_sessionmaker
from elevator_registry.incidents import escalation
from elevator_registry.schema_check import require_schema


def escalate() -> None:
    """Escalates trapped incidents with nobody on site past their deadline (idempotent)."""
    require_schema()
    settings = get_settings()
    with get_sessionmaker()() as session, session.begin():
        result = escalation.escalate_overdue(session, now=get_clock().now(), settings=settings)
    typer.echo(result.summary())
