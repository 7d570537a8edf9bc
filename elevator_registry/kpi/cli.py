"""`elevator-registry kpi`: the plan's five KPIs and insurance coverage as a table (GET /kpi)."""

from datetime import date, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from elevator_registry.auth.principal import CLI
from elevator_registry.clock import get_clock
from elevator_registry.config import get_settings
from elevator_registry.db import get_sessionmaker
from elevator_registry.errors import DomainError
from elevator_registry.kpi.service import GroupBy, compute
from elevator_registry.schema_check import require_schema


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
        datetime | None,
        typer.Option(
            "--from", formats=["%Y-%m-%d"], help="First day (local); default 1 January this year."
        ),
    ] = None,
    date_to: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (local); default today."),
    ] = None,
    group_by: Annotated[GroupBy, typer.Option(help="Breakdown.")] = GroupBy.DISTRICT,
) -> None:
    """Prints the five plan KPIs and insurance coverage: value, numerator/denominator, target.

    Without --from/--to: the year to date, as the plan's yearly targets are read.
    """
    require_schema()
    clock = get_clock()
    today = clock.today()
    first = date_from.date() if date_from else date(today.year, 1, 1)
    last = date_to.date() if date_to else today
    try:
        with get_sessionmaker()() as session:
            report = compute(
                session,
                date_from=first,
                date_to=last,
                group_by=group_by,
                actor=CLI,
                settings=get_settings(),
                now=clock.now(),
            )
    except DomainError as error:
        typer.echo(f"{error.code}: {error.message}", err=True)
        raise typer.Exit(code=2) from error
    # A rich table: it measures CJK characters as two columns, so street names stay aligned.
    table = Table(title=f"KPIs {report['date_from']} .. {report['date_to']} by {group_by.value}")
    table.add_column("group")
    table.add_column("KPI")
    for heading in ("value", "numerator", "denominator", "target"):
        table.add_column(heading, justify="right")
    table.add_column("met")
    for group in report["groups"]:
        for figure in group["kpis"]:
            table.add_row(
                group["label"],
                figure["code"],
                _format(figure),
                f"{figure['numerator']:.2f}",
                f"{figure['denominator']:.2f}",
                f"{figure['comparison']}{figure['target']:g}",
                {True: "yes", False: "NO", None: "-"}[figure["met"]],
            )
    Console(width=max(120, Console().width)).print(table)
