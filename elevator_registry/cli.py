"""The `elevator-registry` command line: serve, migrate, load sample data, accounts, tokens."""

from datetime import date
from typing import Annotated

import typer
import uvicorn
from alembic import command
from alembic.config import Config

from elevator_registry.accounts.cli import users_app
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
from elevator_registry.schema_check import require_schema

app = typer.Typer(
    help="Elevator-safety supervision registry (綦江区 安全乘梯守护行动).", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema migrations (Alembic).", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(rules_cli.risk_app, name="risk")
app.add_typer(tokens_app, name="tokens")
app.add_typer(users_app, name="users")
app.command("import")(import_command)


DatabaseUrl = Annotated[
    str | None, typer.Option(help="Target database (default: the configured one).")
]


def alembic_config(database_url: str | None = None) -> Config:
    """Alembic configuration pointing at this project's migrations and `database_url` (default:
    the configured database)."""
    settings = get_settings()
    config = Config()
    config.set_main_option("script_location", str(settings.alembic_dir))
    url = database_url or settings.database_url
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument()] = "head", database_url: DatabaseUrl = None
) -> None:
    """Migrates the database up to REVISION (default head)."""
    command.upgrade(alembic_config(database_url), revision)


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument()] = "-1", database_url: DatabaseUrl = None
) -> None:
    """Migrates the database down to REVISION (default one step; `base` empties it)."""
    command.downgrade(alembic_config(database_url), revision)


@db_app.command("current")
def db_current(database_url: DatabaseUrl = None) -> None:
    """Prints the database's current revision."""
    command.current(alembic_config(database_url), verbose=False)


@app.command("load-sample")
def load_sample(
    reference_date: Annotated[
        str | None,
        typer.Option(
            help="The sample's 'today' (YYYY-MM-DD): its history ends that day. "
            "Default: today, so the district looks alive whenever it is loaded."
        ),
    ] = None,
) -> None:
    """Loads the synthetic 綦江区 sample registry; running it again changes nothing."""
    from elevator_registry.sample.loader import load_sample as load

    require_schema()
    day = date.fromisoformat(reference_date) if reference_date else None
    with get_sessionmaker()() as session, session.begin():
        report = load(session, now=get_clock().now(), reference_date=day)
    typer.echo(report.summary())
    if not report.already_loaded:
        typer.echo(
            snapshot.refresh_with_engine(get_engine(), settings=get_settings(), as_of=day).summary()
        )
        _print_sample_accounts()


def _print_sample_accounts() -> None:
    """The sample's logins, and their one published password (sample data only)."""
    from elevator_registry.sample.accounts import SAMPLE_PASSWORD, sample_accounts

    with get_sessionmaker()() as session:
        accounts = sample_accounts(session)
    typer.echo(f"sample accounts (password for all: {SAMPLE_PASSWORD}; sample data only):")
    for account in accounts:
        typer.echo(f"  {account.login}\t{account.role.value}\t{account.name}")


@app.command("generate")
def generate(
    elevators: Annotated[int, typer.Option(help="How many elevators.")] = 1000,
    years: Annotated[int, typer.Option(help="Years of evidence up to the reference date.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same rows).")] = 2022,
    database_url: DatabaseUrl = None,
    reference_date: Annotated[
        str, typer.Option(help="The data's 'today' (YYYY-MM-DD); the snapshot is for this day.")
    ] = SAMPLE_REFERENCE_DATE.isoformat(),
) -> None:
    """Writes a synthetic registry of any size into an empty, migrated database (bulk path)."""
    from elevator_registry.db import make_engine
    from elevator_registry.sample.synthetic import generate_registry

    day = date.fromisoformat(reference_date)
    engine = make_engine(database_url) if database_url else get_engine()
    require_schema(engine)
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
        db_upgrade("head", database_url=None)
        load_sample(reference_date=None)
    else:
        require_schema()
    _explain_jobs(workers)
    uvicorn.run(
        "elevator_registry.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def _explain_jobs(workers: int) -> None:
    """Says which background jobs each worker runs, and warns about SQLite with several."""
    settings = get_settings()
    if settings.escalation_loop_enabled:
        typer.echo(f"escalation job: every {settings.escalation_interval_seconds} s", err=True)
    if settings.risk_refresh_loop_enabled:
        typer.echo(f"risk refresh job: every {settings.risk_refresh_interval_seconds} s", err=True)
    if settings.outbox_loop_enabled:
        typer.echo(f"outbox delivery job: every {settings.outbox_interval_seconds} s", err=True)
    if workers > 1 and settings.database_url.startswith("sqlite"):
        typer.echo(
            f"WARNING: --workers {workers} on SQLite: every write of every worker waits for one "
            "database lock, so more workers add no write capacity; run several workers on "
            "PostgreSQL. (Background jobs still run once per tick: they claim a job_lease row.)",
            err=True,
        )
    if workers > 1 and settings.rate_limit_storage_url is None:
        typer.echo(
            f"WARNING: --workers {workers} without ELEVATOR_REGISTRY_RATE_LIMIT_STORAGE_URL: each "
            f"worker counts the public rate limits on its own (up to {workers}x the limit); set "
            "it to redis://… to share them.",
            err=True,
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
    require_schema()
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
    require_schema()
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
    require_schema()
    try:
        with get_sessionmaker()() as session, session.begin():
            auth_service.revoke_token(session, token_id=token_id, now=get_clock().now())
    except DomainError as error:
        typer.echo(f"{error.code}: {error.message}", err=True)
        raise typer.Exit(code=2) from error
    typer.echo(f"token {token_id} revoked")
