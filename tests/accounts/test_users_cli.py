"""`elevator-registry users create|list|deactivate|reset-password` on a migrated database."""

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from elevator_registry.accounts import service as accounts_service
from elevator_registry.accounts.models import User
from elevator_registry.cli import app
from elevator_registry.clock import Clock
from elevator_registry.config import get_settings
from elevator_registry.db import get_sessionmaker
from elevator_registry.errors import AuthenticationRequired
from elevator_registry.registry.enums import OrganisationRole
from tests import factories

runner = CliRunner()


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def log_in(login: str, password: str) -> User:
    with get_sessionmaker()() as session, session.begin():
        return accounts_service.log_in(
            session,
            login=login,
            password=password,
            address="127.0.0.1",
            now=Clock().now(),
            settings=get_settings(),
        )


@pytest.fixture
def migrated(scratch_database: str) -> str:
    assert invoke("db", "upgrade")[0] == 0
    return scratch_database


def test_the_first_bureau_account_gets_a_printed_password_that_works(migrated: str) -> None:
    code, stdout, stderr = invoke(
        "users", "create", "--login", "wang", "--name", "王科长", "--role", "bureau"
    )
    assert code == 0, stderr
    password = stdout.strip()
    assert len(password) == 12 and "must be changed" in stderr
    user = log_in("wang", password)
    assert user.must_change_password and user.display_name == "王科长"


def test_a_worker_account_with_a_password_from_stdin(migrated: str) -> None:
    with get_sessionmaker()() as session, session.begin():
        firm = factories.organisation(session, "安达电梯", OrganisationRole.MAINTAINER)
        credit_code = firm.credit_code
    code, stdout, stderr = invoke(
        "users",
        "create",
        "--login",
        "zhang.wei",
        "--name",
        "张伟",
        "--role",
        "maintenance_unit",
        "--org",
        credit_code,
        "--certificate",
        "T3100012345",
        "--password-stdin",
        stdin="chosen-by-me-1\n",
    )
    assert code == 0, stderr
    assert stdout == ""
    assert log_in("zhang.wei", "chosen-by-me-1").certificate_number == "T3100012345"
    code, stdout, _ = invoke("users", "list")
    assert code == 0
    assert "zhang.wei\tmaintenance_unit" in stdout and "must-change-password" in stdout


def test_a_unit_account_without_its_organisation_is_refused(migrated: str) -> None:
    code, _, stderr = invoke(
        "users", "create", "--login", "li.na", "--name", "李娜", "--role", "user_unit"
    )
    assert code == 2
    assert "ORGANISATION_REQUIRED" in stderr
    with get_sessionmaker()() as session:
        assert session.scalar(select(User)) is None


def test_reset_password_and_deactivate(migrated: str) -> None:
    _, first, _ = invoke("users", "create", "--login", "liu", "--name", "刘芳", "--role", "bureau")
    code, stdout, _ = invoke("users", "reset-password", "liu")
    assert code == 0
    new = stdout.strip()
    assert new != first.strip()
    assert log_in("liu", new).must_change_password
    assert invoke("users", "deactivate", "liu")[0] == 0
    with pytest.raises(AuthenticationRequired) as refused:
        log_in("liu", new)
    assert refused.value.code == "ACCOUNT_DEACTIVATED"
    assert "deactivated" in invoke("users", "list")[1]
    code, _, stderr = invoke("users", "deactivate", "nobody")
    assert code == 2 and "USER_NOT_FOUND" in stderr
