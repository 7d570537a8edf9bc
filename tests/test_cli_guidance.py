"""What a newcomer meets on the command line: a hint instead of a traceback on an unmigrated
database, `db --database-url`, `kpi` for the year to date, `risk-list`'s "N of M", and tables
whose columns stay aligned with Chinese text in them."""

from datetime import date

import pytest
from rich.cells import cell_len
from sqlalchemy import inspect
from typer.testing import CliRunner

from elevator_registry.cli import app
from elevator_registry.clock import get_clock
from elevator_registry.db import get_engine, get_sessionmaker, make_engine
from tests import factories
from tests.conftest import new_database

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ("generate", "--elevators", "10"),
        ("load-sample",),
        ("risk-list",),
        ("kpi",),
        ("tokens", "list"),
        ("escalate",),
    ],
)
def test_database_commands_on_an_unmigrated_database_say_to_upgrade_first(
    scratch_database: str, args: tuple[str, ...]
) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert any("请先运行 `elevator-registry db upgrade`" in line for line in lines)
    assert any("run `elevator-registry db upgrade` first" in line for line in lines)
    assert "Traceback" not in result.output


def test_generate_checks_the_database_it_was_given(
    scratch_database: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    other, drop = new_database(tmp_path_factory, "other")
    try:
        result = runner.invoke(app, ["generate", "--elevators", "10", "--database-url", other])
        assert result.exit_code == 1
        assert "db upgrade" in result.stderr
    finally:
        drop()


def test_db_upgrade_takes_a_database_url(
    scratch_database: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    other, drop = new_database(tmp_path_factory, "other")
    engine = make_engine(other)
    try:
        assert runner.invoke(app, ["db", "upgrade", "--database-url", other]).exit_code == 0
        assert "elevator" in inspect(engine).get_table_names()
        # The configured database was left alone.
        assert "elevator" not in inspect(get_engine()).get_table_names()
        down = runner.invoke(app, ["db", "downgrade", "base", "--database-url", other])
        assert down.exit_code == 0
        assert "elevator" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
        drop()


@pytest.fixture
def district(scratch_database: str) -> factories.World:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    with get_sessionmaker()() as session, session.begin():
        return factories.build_world(session)


def test_kpi_without_dates_reports_the_year_to_date(district: factories.World) -> None:
    result = runner.invoke(app, ["kpi"])
    assert result.exit_code == 0, result.output
    today = get_clock().today()
    assert f"KPIs {date(today.year, 1, 1)} .. {today}" in result.stdout


def test_risk_list_says_how_many_of_how_many(district: factories.World) -> None:
    everything = runner.invoke(app, ["risk-list", "--as-of", "2026-11-15", "--format", "csv"])
    total = len(everything.stdout_bytes.decode("utf-8-sig").splitlines()) - 1
    assert total >= 2
    result = runner.invoke(app, ["risk-list", "--as-of", "2026-11-15", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert f"1 of {total} shown" in result.stdout
    assert f"显示 1 台，共 {total} 台有风险" in result.stdout


def _column_edges(line: str) -> list[int]:
    """Display columns (wide characters count two) at which a table line has a border."""
    edges, width = [], 0
    for character in line:
        if character in "│┃┼╇┡┩┏┓┗┛┳┻━─":
            edges.append(width)
        width += cell_len(character)
    return edges


def test_kpi_table_columns_align_with_chinese_group_names(district: factories.World) -> None:
    result = runner.invoke(
        app, ["kpi", "--from", "2026-10-01", "--to", "2026-10-31", "--group-by", "street"]
    )
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert any("古南街道" in row for row in rows) and any("永新镇" in row for row in rows)
    assert len({tuple(_column_edges(row)) for row in rows}) == 1
