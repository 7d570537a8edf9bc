"""The Alembic history builds the whole schema, tears it down, and matches the models."""

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, select, text
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.config import get_settings
from elevator_registry.db import make_engine
from elevator_registry.models import Base
from elevator_registry.registry.models import ElevatorAssignmentChange
from tests import factories
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


def test_0014_backfills_street_and_user_unit_history_from_the_audit_trail(
    blank: Connection,
) -> None:
    # The schema just before 0014, whatever the chain puts there.
    before = ScriptDirectory(str(get_settings().alembic_dir)).get_revision("0014").down_revision
    migrate(blank, str(before))
    with Session(bind=blank, join_transaction_mode="create_savepoint") as session:
        world = factories.build_world(session)
        lift = world.lift_b
        # Two past PATCHes, as the audit trail recorded them; the elevator holds their result.
        for at, changes in (
            (
                datetime(2026, 11, 9, 17, 0, tzinfo=UTC),  # 01:00 on 10 November in 綦江
                {"street": {"before": "永新镇", "after": "古南街道"}},
            ),
            (
                datetime(2026, 11, 12, 2, 0, tzinfo=UTC),
                {"user_unit_id": {"before": world.user_b.id, "after": world.user_a.id}},
            ),
        ):
            session.add(
                AuditEvent(
                    at=at,
                    actor="bureau",
                    actor_role="bureau",
                    action="update",
                    entity="elevator",
                    entity_id=lift.id,
                    changes=changes,
                )
            )
        lift.street, lift.user_unit_id = "古南街道", world.user_a.id
        session.flush()
        migrate(blank, "head")
        history = ElevatorAssignmentChange
        rows = blank.execute(
            select(
                history.changed_on,
                history.from_street,
                history.to_street,
                history.from_user_unit_id,
                history.to_user_unit_id,
            )
            .where(history.elevator_id == lift.id)
            .order_by(history.changed_on)
        ).all()
    assert [tuple(row) for row in rows] == [
        (date(2026, 11, 10), "永新镇", "古南街道", world.user_b.id, world.user_b.id),
        (date(2026, 11, 12), "古南街道", "古南街道", world.user_b.id, world.user_a.id),
    ]
