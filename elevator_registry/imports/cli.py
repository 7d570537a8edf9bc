"""`elevator-registry import KIND FILE`: the bulk import on the command line, with a progress bar.

Exit status: 0 the import was written with no failed rows; 1 some rows failed (all-or-nothing:
nothing written; `--partial`: the valid rows were written); 2 the file or the options were
refused and nothing was read.
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import CLI, Principal
from elevator_registry.errors import Conflict, DomainError, InvalidValue, NotFound
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.schemas import ImportReport
from elevator_registry.labels import label
from elevator_registry.registry import identifiers
from elevator_registry.registry.enums import OrganisationRole
from elevator_registry.registry.models import Organisation

# Which token role `--as` takes for each kind, by the organisation's roles, first match wins.
ACTING_ROLES: dict[ImportKind, tuple[tuple[OrganisationRole, Role], ...]] = {
    ImportKind.MAINTENANCE_RECORDS: ((OrganisationRole.MAINTAINER, Role.MAINTENANCE_UNIT),),
    ImportKind.INSPECTIONS: (
        (OrganisationRole.INSPECTION_AGENCY, Role.INSPECTION_AGENCY),
        (OrganisationRole.MAINTAINER, Role.MAINTENANCE_UNIT),  # its self-tests
    ),
}


def acting_principal(session: Session, kind: ImportKind, credit_code: str | None) -> Principal:
    """The CLI itself (bureau rights), or the organisation named by `--as`, scoped like its token."""
    if credit_code is None:
        return CLI
    if kind not in ACTING_ROLES:
        raise InvalidValue(
            "OPTION_INVALID",
            "--as applies to maintenance-records and inspections; the bureau imports "
            f"{kind} itself",
            field="as",
            message_zh="--as 只适用于 maintenance-records（维保记录）和 inspections（检验）；"
            f"{kind} 由监管局自己导入，不加 --as",
        )
    code = identifiers.validate_credit_code(credit_code, field="as")
    organisation = session.scalar(select(Organisation).where(Organisation.credit_code == code))
    if organisation is None:
        raise NotFound("organisation", code)
    for organisation_role, role in ACTING_ROLES[kind]:
        if organisation_role in organisation.roles:
            return Principal(role=role, label=f"cli as {code}", organisation_id=organisation.id)
    needed = " or ".join(organisation_role for organisation_role, _ in ACTING_ROLES[kind])
    needed_zh = "或".join(label(organisation_role) for organisation_role, _ in ACTING_ROLES[kind])
    raise Conflict(
        "ORGANISATION_ROLE_MISSING",
        f"--as {code} ({organisation.name}) is not a {needed}",
        field="as",
        message_zh=f"--as {code}（{organisation.name}）不是{needed_zh}",
    )


def import_command(
    kind: Annotated[ImportKind, typer.Argument(help="What the file holds.")],
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="A .csv or .xlsx file."),
    ],
    partial: Annotated[
        bool,
        typer.Option("--partial", help="Write the valid rows even if others fail."),
    ] = False,
    acting_as: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="Act as this organisation (credit code): a maintenance unit for "
            "maintenance-records, an agency for inspections; scoped like its API token.",
        ),
    ] = None,
) -> None:
    """Imports a CSV or XLSX ledger; every row is checked with the API's rules.

    Exit 0: written, no row failed. 1: rows failed (listed; nothing written unless --partial).
    2: the file or an option was refused, nothing read.
    """
    from elevator_registry.clock import get_clock
    from elevator_registry.config import get_settings
    from elevator_registry.db import get_sessionmaker
    from elevator_registry.imports import service as import_service
    from elevator_registry.schema_check import require_schema

    require_schema()
    settings = get_settings()
    clock = get_clock()
    console = Console(stderr=True)
    progress = Progress(
        TextColumn(f"importing {file.name}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = progress.add_task("import", total=1.0, rows=0)

    def advance(rows: int, fraction: float | None) -> None:
        progress.update(task, completed=fraction if fraction is not None else 0.0, rows=rows)

    try:
        with file.open("rb") as stream, get_sessionmaker()() as session, session.begin():
            actor = acting_principal(session, kind, acting_as)
            with progress:
                report = import_service.import_file(
                    session,
                    kind=kind,
                    stream=stream,
                    filename=file.name,
                    actor=actor,
                    settings=settings,
                    now=clock.now(),
                    today=clock.today(),
                    partial=partial,
                    progress=advance,
                )
    except DomainError as error:
        typer.echo(f"{error.code}: {error.message_zh}", err=True)
        raise typer.Exit(code=2) from error
    _print(report)
    if report.rows_failed:
        raise typer.Exit(code=1)


def _print(report: ImportReport) -> None:
    for error in report.errors:
        where = error.column or error.field or "-"
        typer.echo(f"row {error.row}\t{where}\t{error.code}\t{error.message_zh}")
    if report.errors_truncated:
        typer.echo(f"… {report.rows_failed - len(report.errors)} more failed rows not listed")
    outcome = (
        "written"
        if report.committed
        else "NOTHING WRITTEN (all-or-nothing; fix the rows or use --partial)"
    )
    encoding = f", {report.encoding}" if report.encoding else ""
    typer.echo(
        f"{report.kind}: {report.rows_read} rows read ({report.file_format}{encoding}), "
        f"{report.rows_written} written, {report.rows_skipped} already present, "
        f"{report.rows_failed} failed; {outcome}"
    )
