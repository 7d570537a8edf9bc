"""`elevator-registry kpi`: the plan's five KPIs and insurance coverage as a table (GET /kpi)."""

from datetime import datetime
from typing import Annotated, Any

import typer

from elevator_registry.auth.principal import CLI
from elevator_registry.clock import get_clock
from elevator_registry.config import get_settings
from elevator_registry.db import get_sessionmaker
from elevator_registry.errors import DomainError
from elevator_registry.kpi.service import GroupBy, compute


def _format(figure: dict[str, Any]) -> str:
    value = figure["value"]
    if value is None:
        return "no data"
    if figure["code"] == "average_arrival_minutes":
        return f"{value:.1f} min"
    if figure["code"] == "trapped_fault_rate":
        return f"{value:.3%}/月"
    return f"{value:.2%}"


def kpi(
    date_from: Annotated[
        datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (local).")
    ],
    date_to: Annotated[
        datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (local).")
    ],
    group_by: Annotated[GroupBy, typer.Option(help="Breakdown.")] = GroupBy.DISTRICT,
) -> None:
    """Prints the five plan KPIs and insurance coverage: value, numerator/denominator, target."""
    try:
        with get_sessionmaker()() as session:
            report = compute(
                session,
                date_from=date_from.date(),
                date_to=date_to.date(),
                group_by=group_by,
                actor=CLI,
                settings=get_settings(),
                now=get_clock().now(),
            )
    except DomainError as error:
        typer.echo(f"{error.code}: {error.message}", err=True)
        raise typer.Exit(code=2) from error
    typer.echo(f"KPIs {report['date_from']} .. {report['date_to']} by {group_by.value}")
    header = f"{'group':<24} {'KPI':<26} {'value':>12} {'numerator':>12} {'denominator':>12}  target  met"
    typer.echo(header)
    typer.echo("-" * len(header))
    for group in report["groups"]:
        for figure in group["kpis"]:
            met = {True: "yes", False: "NO", None: "-"}[figure["met"]]
            typer.echo(
                f"{group['label'][:24]:<24} {figure['code']:<26} {_format(figure):>12} "
                f"{figure['numerator']:>12.2f} {figure['denominator']:>12.2f}  "
                f"{figure['comparison']}{figure['target']:g}  {met}"
            )
