"""The `elevator-registry` command line: serve, migrate, load sample data, manage tokens."""

from datetime import date
from typing import Annotated

import typer
import uvicorn
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.clock import get_clock
from elevator_registry.config import get_settings
from elevator_registry.db import get_engine, get_sessionmaker
from elevator_registry.errors import DomainError
from elevator_registry.governance import cli as governance_cli
from elevator_registry.imports.cli import import_command
from elevator_registry.incidents import cli as incident_cli
from elevator_registry.kpi import cli as kpi_cli
from elevator_registry.notifications import cli as notification_cli
from elevator_registry.rules import cli as rules_cli
from elevator_registry.rules import snapshot
from elevator_registry.sample.generator import SAMPLE_REFERENCE_DATE

app = typer.Typer(
    help="Elevator-safety supervision registry (綦江区 安全乘梯守护行动).", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema migrations (Alembic).", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(rules_cli.risk_app, name="risk")
app.add_typer(tokens_app, name="tokens")
app.command("import")(import_command)


def alembic_config() -> Config:
    """Alembic configuration pointing at this project's migrations and configured database."""
    settings = get_settings()
    config = Config()
    config.set_main_option("script_location", str(settings.alembic_dir))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrates the database up to REVISION (default head)."""
    command.upgrade(alembic_config(), revision)


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()] = "-1") -> None:
    """Migrates the database down to REVISION (default one step; `base` empties it)."""
    command.downgrade(alembic_config(), revision)


@db_app.command("current")
def db_current() -> None:
    """Prints the database's current revision."""
    command.current(alembic_config(), verbose=False)


@app.command("load-sample")
def load_sample() -> None:
    """Loads the synthetic 綦江区 sample registry; running it again changes nothing."""
    from elevator_registry.sample.loader import load_sample as load

    with get_sessionmaker()() as session, session.begin():
        report = load(session, now=get_clock().now())
    typer.echo(report.summary())
    if not report.already_loaded:
        typer.echo(snapshot.refresh_with_engine(get_engine(), settings=get_settings()).summary())


@app.command("generate")
def generate(
    elevators: Annotated[int, typer.Option(help="How many elevators.")] = 1000,
    years: Annotated[int, typer.Option(help="Years of evidence up to the reference date.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same rows).")] = 2022,
    database_url: Annotated[
        str | None, typer.Option(help="Target database (default: the configured one).")
    ] = None,
    reference_date: Annotated[
        str, typer.Option(help="The data's 'today' (YYYY-MM-DD); the snapshot is for this day.")
    ] = SAMPLE_REFERENCE_DATE.isoformat(),
) -> None:
    """Writes a synthetic registry of any size into an empty, migrated database (bulk path)."""
    from elevator_registry.db import make_engine
    from elevator_registry.sample.synthetic import generate_registry

    day = date.fromisoformat(reference_date)
    engine = make_engine(database_url) if database_url else get_engine()
    report = generate_registry(
        engine,
        elevators=elevators,
        years=years,
        seed=seed,
        reference_date=day,
        progress=typer.echo,
    )
    typer.echo(report.summary())
    typer.echo(snapshot.refresh_with_engine(engine, settings=get_settings(), as_of=day).summary())


app.command("risk-list")(rules_cli.risk_list)
app.command("rules-doc")(rules_cli.rules_doc)
app.command("escalate")(incident_cli.escalate)
app.command("deliver-outbox")(notification_cli.deliver_outbox)
app.command("kpi")(kpi_cli.kpi)
app.command("star-ratings")(governance_cli.star_ratings)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    with_sample_data: Annotated[
        bool, typer.Option(help="Migrate, then load the sample data into an empty database first.")
    ] = False,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            help="Proxies trusted to give the client address in X-Forwarded-For "
            "(comma-separated; the rate limits count per client address)."
        ),
    ] = "127.0.0.1",
) -> None:
    """Runs the HTTP API (docs at /docs)."""
    if with_sample_data:
        db_upgrade("head")
        load_sample()
    elif "elevator" not in inspect(get_engine()).get_table_names():
        typer.echo("database has no schema yet: run `elevator-registry db upgrade` first", err=True)
        raise typer.Exit(code=1)
    incident_cli.start_escalation_loop()
    notification_cli.start_delivery_loop()
    rules_cli.start_refresh_loop()
    uvicorn.run(
        "elevator_registry.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )


@tokens_app.command("create")
def tokens_create(
    role: Annotated[Role, typer.Option(help="Role the token acts in.")],
    org: Annotated[
        str | None, typer.Option(help="Credit code of the organisation (unit and agency roles).")
    ] = None,
    street: Annotated[str | None, typer.Option(help="Street or town (street_office).")] = None,
    label: Annotated[str | None, typer.Option(help="Who holds it, for the audit trail.")] = None,
) -> None:
    """Issues a token and prints it once; only its hash is stored."""
    clock = get_clock()
    try:
        with get_sessionmaker()() as session, session.begin():
            token, secret = auth_service.create_token(
                session,
                role=role,
                label=label or role.value,
                now=clock.now(),
                organisation_credit_code=org.upper() if org else None,
                street=street,
            )
            token_id = token.id
    except DomainError as error:
        typer.echo(f"{error.code}: {error.message}", err=True)
        raise typer.Exit(code=2) from error
    typer.echo(secret)
    typer.echo(
        f"token {token_id} for role {role.value}; store it now, it is not shown again", err=True
    )


@tokens_app.command("list")
def tokens_list() -> None:
    """Lists tokens (id, prefix, role, binding, label, state); never the secrets."""
    with get_sessionmaker()() as session:
        for token in auth_service.list_tokens(session):
            binding = token.street or (
                f"org {token.organisation_id}" if token.organisation_id else "-"
            )
            state = "revoked" if token.revoked_at else "active"
            typer.echo(
                f"{token.id}\t{token.prefix}…\t{token.role}\t{binding}\t{token.label}\t{state}"
            )


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="Token id from `tokens list`.")],
) -> None:
    """Revokes a token; it stops working at once."""
    try:
        with get_sessionmaker()() as session, session.begin():
            auth_service.revoke_token(session, token_id=token_id, now=get_clock().now())
    except DomainError as error:
        typer.echo(f"{error.code}: {error.message}", err=True)
        raise typer.Exit(code=2) from error
    typer.echo(f"token {token_id} revoked")
