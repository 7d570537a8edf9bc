"""The command line: migrations, tokens, and its refusals."""

import pytest
from sqlalchemy import func, inspect, select
from typer.testing import CliRunner

from elevator_registry.auth import service as auth_service
from elevator_registry.auth.models import ApiToken
from elevator_registry.cli import app
from elevator_registry.db import get_engine, get_sessionmaker
from elevator_registry.registry.enums import OrganisationRole
from tests import factories

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def migrated(scratch_database: str) -> str:
    code, _, _ = invoke("db", "upgrade")
    assert code == 0
    return scratch_database


def test_db_upgrade_and_downgrade_to_base(scratch_database: str) -> None:
    assert invoke("db", "upgrade")[0] == 0
    assert "elevator" in inspect(get_engine()).get_table_names()
    assert invoke("db", "downgrade", "base")[0] == 0
    assert "elevator" not in inspect(get_engine()).get_table_names()


def test_tokens_create_prints_a_working_secret_once(migrated: str) -> None:
    code, stdout, stderr = invoke("tokens", "create", "--role", "bureau", "--label", "王科长")
    assert code == 0
    secret = stdout.strip()
    assert secret.startswith("er_")
    assert "not shown again" in stderr
    with get_sessionmaker()() as session:
        principal = auth_service.authenticate(session, secret=secret)
        assert principal.role == "bureau"
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert secret not in stored


def test_tokens_for_a_unit_are_bound_to_its_organisation(migrated: str) -> None:
    with get_sessionmaker()() as session, session.begin():
        factories.street(session, "古南街道")
        unit = factories.organisation(session, "安达电梯", OrganisationRole.MAINTAINER)
        credit_code = unit.credit_code
        unit_id = unit.id
    code, stdout, _ = invoke("tokens", "create", "--role", "maintenance_unit", "--org", credit_code)
    assert code == 0
    with get_sessionmaker()() as session:
        assert auth_service.authenticate(session, secret=stdout.strip()).organisation_id == unit_id
    code, stdout, _ = invoke("tokens", "create", "--role", "street_office", "--street", "古南街道")
    assert code == 0
    listed = invoke("tokens", "list")[1]
    assert "maintenance_unit" in listed
    assert "古南街道" in listed


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--role", "maintenance_unit"), "ORGANISATION_REQUIRED"),
        (("--role", "bureau", "--org", "91350100M000100Y43"), "ORGANISATION_NOT_ALLOWED"),
        (("--role", "user_unit", "--org", "91350100M000100Y43"), "ORGANISATION_NOT_FOUND"),
        (("--role", "street_office"), "STREET_REQUIRED"),
        (("--role", "street_office", "--street", "火星街道"), "STREET_UNKNOWN"),
        (("--role", "operator", "--street", "古南街道"), "STREET_NOT_ALLOWED"),
        (("--role", "cli"), "ROLE_INVALID"),
    ],
)
def test_token_refusals_write_nothing(migrated: str, args: tuple[str, ...], code: str) -> None:
    exit_code, stdout, stderr = invoke("tokens", "create", *args)
    assert exit_code == 2
    assert stderr.startswith(code)
    assert stdout == ""
    with get_sessionmaker()() as session:
        assert session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoking_a_token_by_id(migrated: str) -> None:
    secret = invoke("tokens", "create", "--role", "operator")[1].strip()
    with get_sessionmaker()() as session:
        token_id = auth_service.authenticate(session, secret=secret).token_id
    assert invoke("tokens", "revoke", str(token_id))[0] == 0
    assert "revoked" in invoke("tokens", "list")[1]
    missing = invoke("tokens", "revoke", "999")
    assert (missing[0], missing[2].split(":")[0]) == (2, "TOKEN_NOT_FOUND")


def test_serve_refuses_an_unmigrated_database(scratch_database: str) -> None:
    code, _, stderr = invoke("serve", "--port", "0")
    assert code == 1
    assert "db upgrade" in stderr


def test_serve_runs_the_app_with_its_jobs_and_warns_about_workers_on_sqlite(
    migrated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: dict[str, object] = {}
    monkeypatch.setattr(
        "elevator_registry.cli.uvicorn.run",
        lambda target, **options: started.update(target=target, **options),
    )
    code, _, stderr = invoke("serve", "--port", "0", "--workers", "2")
    assert code == 0
    assert (started["target"], started["workers"]) == ("elevator_registry.app:create_served_app", 2)
    if migrated.startswith("sqlite"):
        assert "WARNING: --workers 2 on SQLite" in stderr
    assert "without ELEVATOR_REGISTRY_RATE_LIMIT_STORAGE_URL" in stderr
    assert "escalation job: every 30 s" in stderr
