"""`elevator-registry deliver-outbox`: one delivery pass, and the background loop `serve` starts."""

import typer

from elevator_registry.clock import get_clock
from elevator_registry.config import get_settings
from elevator_registry.db import get_engine
from elevator_registry.notifications import delivery


def deliver_outbox() -> None:
    """Sends the outbox messages that are due (webhooks, SMS, in-app) and records each attempt."""
    result = delivery.deliver_due(get_engine(), now=get_clock().now(), settings=get_settings())
    typer.echo(result.summary())


def start_delivery_loop() -> None:
    """Starts the background outbox delivery thread for `serve` (unless disabled in settings)."""
    started = delivery.start_background(get_settings())
    if started is not None:
        typer.echo(f"outbox delivery: every {get_settings().outbox_interval_seconds} s", err=True)
