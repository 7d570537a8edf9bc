"""`elevator-registry users …`: the first bureau account, and account care from a shell."""

import sys
from typing import Annotated

import typer

from elevator_registry.accounts import service as accounts_service
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import CLI
from elevator_registry.clock import get_clock
from elevator_registry.config import get_settings
from elevator_registry.db import get_sessionmaker
from elevator_registry.errors import DomainError

users_app = typer.Typer(help="People's accounts (web login).", no_args_is_help=True)


def _fail(error: DomainError) -> typer.Exit:
    typer.echo(f"{error.code}: {error.message}", err=True)
    return typer.Exit(code=2)


@users_app.command("create")
def users_create(
    login: Annotated[str, typer.Option(help="Login name (letters, digits, '.', '_').")],
    name: Annotated[str, typer.Option(help="Display name, shown in the audit trail.")],
    role: Annotated[Role, typer.Option(help="Role the person acts in.")],
    org: Annotated[
        str | None, typer.Option(help="Credit code of the organisation (unit and agency roles).")
    ] = None,
    street: Annotated[str | None, typer.Option(help="Street or town (street_office).")] = None,
    certificate: Annotated[
        str | None, typer.Option(help="特种设备作业人员证 number (maintenance workers).")
    ] = None,
    phone: Annotated[str | None, typer.Option(help="Phone number.")] = None,
    password_stdin: Annotated[
        bool, typer.Option(help="Read the first password from standard input instead.")
    ] = False,
) -> None:
    """Creates an account and prints its first password once (to be changed at first login)."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    clock = get_clock()
    try:
        with get_sessionmaker()() as session, session.begin():
            user, first_password = accounts_service.create_user(
                session,
                login=login,
                display_name=name,
                role=role,
                actor=CLI,
                now=clock.now(),
                settings=get_settings(),
                organisation_credit_code=org.upper() if org else None,
                street=street,
                password=password,
                certificate_number=certificate,
                phone=phone,
            )
            created = user.login
    except DomainError as error:
        raise _fail(error) from error
    if not password_stdin:
        typer.echo(first_password)
    typer.echo(
        f"account {created} ({role.value}) created; the first password must be changed at "
        "the first login",
        err=True,
    )


@users_app.command("list")
def users_list() -> None:
    """Lists accounts: login, role, binding, name, state."""
    with get_sessionmaker()() as session:
        for user in accounts_service.list_users(session):
            binding = user.street or (
                f"org {user.organisation_id}" if user.organisation_id else "-"
            )
            if not user.active:
                state = "deactivated"
            elif user.must_change_password:
                state = "must-change-password"
            else:
                state = "active"
            typer.echo(f"{user.login}\t{user.role}\t{binding}\t{user.display_name}\t{state}")


@users_app.command("deactivate")
def users_deactivate(login: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Deactivates an account; its sessions and tokens stop working at once."""
    try:
        with get_sessionmaker()() as session, session.begin():
            accounts_service.deactivate(session, login=login, actor=CLI, now=get_clock().now())
    except DomainError as error:
        raise _fail(error) from error
    typer.echo(f"account {login} deactivated")


@users_app.command("reset-password")
def users_reset_password(login: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Gives the account a new generated password (printed once; changed at next login)."""
    try:
        with get_sessionmaker()() as session, session.begin():
            _, password = accounts_service.reset_password(
                session, login=login, actor=CLI, now=get_clock().now()
            )
    except DomainError as error:
        raise _fail(error) from error
    typer.echo(password)
    typer.echo(f"password of {login} reset; it must be changed at the next login", err=True)
