"""CLI commands of the rules domain: `risk-list`, `risk refresh` and `rules-doc`."""

import sys
from contextlib import nullcontext
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from elevator_registry.auth.principal import CLI
from elevator_registry.clock import get_clock
from elevator_registry.config import get_settings
from elevator_registry.db import get_engine, get_sessionmaker
from elevator_registry.errors import DomainError
from elevator_registry.rules import docs, export, snapshot
from elevator_registry.rules import service as rules_service
from elevator_registry.rules.catalogue import Severity
from elevator_registry.schema_check import require_schema

DOCS_PATH = Path("docs") / "RULES.md"
risk_app = typer.Typer(help="The risk snapshot the risk list reads.", no_args_is_help=True)


class OutputFormat(StrEnum):
    """How `risk-list` prints."""

    TABLE = "table"
    CSV = "csv"
    XLSX = "xlsx"


def risk_list(
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today.")] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
    output: Annotated[Path | None, typer.Option(help="File to write (default stdout).")] = None,
    street: Annotated[str | None, typer.Option(help="Street or town.")] = None,
    rule: Annotated[list[str] | None, typer.Option(help="Rule code; repeat for several.")] = None,
    severity: Annotated[list[Severity] | None, typer.Option(help="Severity; repeatable.")] = None,
    maintenance_unit_id: Annotated[int | None, typer.Option()] = None,
    user_unit_id: Annotated[int | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(help="Rows in table format.")] = 50,
) -> None:
    """Prints the risk list (whole registry) as a table, CSV or XLSX."""
    require_schema()
    clock = get_clock()
    try:
        day = date.fromisoformat(as_of) if as_of else clock.today()
    except ValueError as error:
        raise typer.BadParameter("as-of must be YYYY-MM-DD") from error
    filters = rules_service.RiskFilters(
        street=street,
        maintenance_unit_id=maintenance_unit_id,
        user_unit_id=user_unit_id,
        rules=tuple(rule or ()),
        severities=tuple(severity or ()),
    )
    query = rules_service.RiskQuery(
        actor=CLI,
        filters=filters,
        as_of=day,
        today=clock.today(),
        now=clock.now(),
        settings=get_settings(),
    )
    try:
        with get_sessionmaker()() as session:
            if output_format == OutputFormat.TABLE:
                total = rules_service.risk_summary(session, query)["elevators_with_findings"]
                _print_table(rules_service.iter_risk_rows(session, query), day, limit, total)
                return
            chunks = (
                export.risk_list_csv(session, query)
                if output_format == OutputFormat.CSV
                else export.xlsx_chunks(rules_service.iter_risk_rows(session, query))
            )
            with output.open("wb") if output else nullcontext(sys.stdout.buffer) as target:
                for chunk in chunks:
                    target.write(chunk)
    except DomainError as error:
        typer.echo(f"{error.code}: {error.message}", err=True)
        raise typer.Exit(code=2) from error


def _print_table(rows: object, day: date, limit: int, total: int) -> None:
    # rich measures East Asian wide characters, so CJK streets and findings stay in columns.
    table = Table(title=f"风险清单 risk list as of {day}")
    for heading in ("id", "equipment code", "street", "score", "findings"):
        table.add_column(heading)
    shown = 0
    for row in rows:  # type: ignore[attr-defined]
        if shown == limit:
            break
        shown += 1
        table.add_row(
            str(row.elevator.id),
            row.elevator.equipment_code,
            row.elevator.street,
            str(row.score),
            "\n".join(f"{finding.rule}: {finding.detail_zh}" for finding in row.findings),
        )
    table.caption = f"显示 {shown:,} 台，共 {total:,} 台有风险 · {shown:,} of {total:,} shown"
    Console().print(table)


@risk_app.command("refresh")
def risk_refresh(
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today.")] = None,
) -> None:
    """Re-evaluates every rule for every elevator into the risk snapshot (set-wise)."""
    require_schema()
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError as error:
        raise typer.BadParameter("as-of must be YYYY-MM-DD") from error
    report = snapshot.refresh_with_engine(get_engine(), settings=get_settings(), as_of=day)
    typer.echo(report.summary())


def rules_doc(
    check: Annotated[
        bool, typer.Option(help="Fail if the file is stale instead of writing it.")
    ] = False,
) -> None:
    """Writes docs/RULES.md from the rule catalogue."""
    text = docs.render()
    if check:
        if not DOCS_PATH.exists() or DOCS_PATH.read_text(encoding="utf-8") != text:
            typer.echo(f"{DOCS_PATH} is stale: run `elevator-registry rules-doc`", err=True)
            raise typer.Exit(code=1)
        return
    DOCS_PATH.parent.mkdir(exist_ok=True)
    DOCS_PATH.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {DOCS_PATH}")
