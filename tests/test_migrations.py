"""The Alembic history builds the whole schema, tears it down, and matches the models."""

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text

from elevator_registry.db import make_engine
from elevator_registry.models import Base
from tests.conftest import database_url, migrate


@pytest.fixture
def blank(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Connection]:
    """An empty database: a new SQLite file, or a new schema on the PostgreSQL test database."""
    url = database_url(tmp_path_factory)
    if url.startswith("sqlite"):
        engine: Engine = make_engine(
            f"sqlite:///{tmp_path_factory.mktemp('mig') / 'blank.sqlite3'}"
        )
        with engine.connect() as connection:
            yield connection
        engine.dispose()
        return
    schema = f"migration_{uuid.uuid4().hex[:8]}"
    engine = make_engine(url)
    with engine.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
        connection.execute(text(f"SET search_path TO {schema}"))
        connection.commit()
        yield connection
        connection.rollback()
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        connection.commit()
    engine.dispose()


def user_tables(connection: Connection) -> set[str]:
    """Tables in the connection's schema, without Alembic's bookkeeping."""
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip(blank: Connection) -> None:
    migrate(blank, "head")
    assert user_tables(blank) == set(Base.metadata.tables)
    migrate(blank, "base", down=True)
    assert user_tables(blank) == set()
    migrate(blank, "head")
    assert user_tables(blank) == set(Base.metadata.tables)


def test_models_and_migrations_do_not_drift(blank: Connection) -> None:
    migrate(blank, "head")
    differences = compare_metadata(MigrationContext.configure(blank), Base.metadata)
    assert differences == []
