"""`elevator-registry risk-list` and `rules-doc` on a real (scratch) database."""

import csv
import io

from typer.testing import CliRunner

from elevator_registry.cli import app
from elevator_registry.db import get_sessionmaker
from tests import factories

runner = CliRunner()


def test_risk_list_csv_from_the_cli(scratch_database: str) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    with get_sessionmaker()() as session, session.begin():
        world = factories.build_world(session)
        lift_ids = {world.lift_a.id, world.lift_b.id}
    result = runner.invoke(app, ["risk-list", "--as-of", "2026-11-15", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert {int(row[0]) for row in rows[1:]} == lift_ids
    table = runner.invoke(app, ["risk-list", "--as-of", "2026-11-15", "--street", "永新镇"])
    assert table.exit_code == 0
    assert "MAINTENANCE_OVERDUE" in table.stdout
    refused = runner.invoke(app, ["risk-list", "--rule", "NOPE"])
    assert refused.exit_code == 2
    assert "RULE_UNKNOWN" in refused.stderr


def test_rules_doc_check_passes_on_the_committed_file() -> None:
    result = runner.invoke(app, ["rules-doc", "--check"])
    assert result.exit_code == 0, result.output
