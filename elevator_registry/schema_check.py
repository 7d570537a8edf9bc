"""The CLI's guard against a database that has not been migrated (or not to this code's head).

Without it, `generate`, `load-sample`, `risk-list` … on a fresh database end in a SQLAlchemy
traceback ("no such table: organisation"); with it they print one line in Chinese and one in
English saying what to run, and exit with status 1.
"""

import typer
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from elevator_registry.config import get_settings
from elevator_registry.db import get_engine

MIGRATE_FIRST_ZH = "数据库尚未建表或版本过旧：请先运行 `elevator-registry db upgrade`"
MIGRATE_FIRST_EN = (
    "the database schema is missing or out of date: run `elevator-registry db upgrade` first"
)


def schema_revisions(engine: Engine) -> tuple[str | None, str | None]:
    """(the database's revision, or None when it has none; the code's head revision)."""
    script = ScriptDirectory(str(get_settings().alembic_dir))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, script.get_current_head()


def require_schema(engine: Engine | None = None) -> None:
    """Exits with status 1 and the two-language hint unless the database is at head."""
    current, head = schema_revisions(engine or get_engine())
    if current != head:
        detail = f"(database at {current or 'no revision'}, code at {head})"
        typer.echo(MIGRATE_FIRST_ZH, err=True)
        typer.echo(f"{MIGRATE_FIRST_EN} {detail}", err=True)
        raise typer.Exit(code=1)
