"""`elevator-registry deliver-outbox`: one delivery pass (`serve` runs it as a periodic job)."""

import typer

from elevator_registry.clock import get_clock
from elevator_registry.config import get_settings
from elevator_registry.db import get_engine
from elevator_registry.notifications import delivery


def deliver_outbox() -> None:
    """Sends the outbox messages that are due (webhooks, SMS, in-app) and records each attempt."""
    result = delivery.deliver_due(get_engine(), now=get_clock().now(), settings=get_settings())
    typer.echo(result.summary())
