"""Test fixtures: one Alembic-built database per run, one rolled-back transaction per test.

The suite runs on SQLite by default; set ELEVATOR_REGISTRY_TEST_DATABASE_URL to a PostgreSQL
URL (a fresh database) to run the same tests there (`.ci/run` does both).
"""

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.orm import Session

from elevator_registry.app import create_app
from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.clock import Clock, FixedClock, get_clock
from elevator_registry.config import get_settings
from elevator_registry.db import get_engine, get_session, get_sessionmaker, make_engine
from tests import factories

# Speed belongs in benchmarks, not in tests: examples are not timed (on a loaded machine the
# default 200 ms deadline failed property tests at random).
hypothesis_settings.register_profile("registry", deadline=None)
hypothesis_settings.load_profile("registry")

# 10:00 in 綦江 on the sample's reference day; every test sees this as "now".
NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
TODAY = NOW.date()


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database: the environment's PostgreSQL URL, or a fresh SQLite file."""
    url = os.environ.get("ELEVATOR_REGISTRY_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def alembic_config_for(connection: Connection) -> Config:
    """Alembic config that migrates through `connection`."""
    config = Config()
    config.set_main_option("script_location", str(get_settings().alembic_dir))
    config.attributes["connection"] = connection
    return config


def migrate(connection: Connection, revision: str, *, down: bool = False) -> None:
    """Runs Alembic up (or down) to `revision` on `connection`."""
    config = alembic_config_for(connection)
    if down:
        command.downgrade(config, revision)
    else:
        command.upgrade(config, revision)


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The test database, migrated to head once for the whole run."""
    engine = make_engine(database_url(tmp_path_factory))
    with engine.begin() as connection:
        migrate(connection, "head")
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """ORM session joined to the test's transaction; its commits become savepoints."""
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as session:
        yield session


@pytest.fixture
def clock() -> Clock:
    """The fixed clock every request sees."""
    return FixedClock(at=NOW)


@pytest.fixture
def client(session: Session, clock: Clock) -> Iterator[TestClient]:
    """The API, using the test's session; each request runs in a savepoint that rolls back on
    error, as the real request transaction does, so 'nothing was written' can be asserted."""
    app = create_app()

    def request_session() -> Iterator[Session]:
        with session.begin_nested():
            yield session

    app.dependency_overrides[get_session] = request_session
    app.dependency_overrides[get_clock] = lambda: clock
    with TestClient(app) as test_client:
        yield test_client


AuthHeaders = Callable[..., dict[str, str]]


@pytest.fixture
def auth(session: Session) -> AuthHeaders:
    """`auth(Role.X, organisation=org | street=name)` → Authorization headers for a new token."""

    def headers(
        role: Role, *, organisation: object = None, street: str | None = None
    ) -> dict[str, str]:
        _, secret = auth_service.create_token(
            session,
            role=role,
            label=f"test {role}",
            now=NOW,
            organisation_credit_code=getattr(organisation, "credit_code", None),
            street=street,
        )
        return {"Authorization": f"Bearer {secret}"}

    return headers


@pytest.fixture
def bureau(auth: AuthHeaders) -> dict[str, str]:
    """Headers of a bureau officer."""
    return auth(Role.BUREAU)


@pytest.fixture
def world(session: Session) -> factories.World:
    """A small registry: streets, units with licences, and a few elevators under contract."""
    return factories.build_world(session)


@pytest.fixture
def scratch_database(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A new, empty database that the app's own settings point at (for CLI tests that commit)."""
    url, drop = new_database(tmp_path_factory, "scratch")
    monkeypatch.setenv("ELEVATOR_REGISTRY_DATABASE_URL", url)
    _clear_caches()
    yield url
    get_engine().dispose()
    _clear_caches()
    drop()


def new_database(
    tmp_path_factory: pytest.TempPathFactory, prefix: str
) -> tuple[str, Callable[[], None]]:
    """A new, empty database beside the test database: its URL and what drops it."""
    base = database_url(tmp_path_factory)
    if base.startswith("sqlite"):
        return f"sqlite:///{tmp_path_factory.mktemp(prefix) / f'{prefix}.sqlite3'}", lambda: None
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()

    return make_url(base).set(database=name).render_as_string(hide_password=False), drop


def _clear_caches() -> None:
    get_settings.cache_clear()
    get_engine.cache_clear()
    get_sessionmaker.cache_clear()
