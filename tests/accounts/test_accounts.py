"""Accounts: creation and binding, password login, throttling, deactivation, the person in the
audit trail, tokens issued to a person, and the filer-is-not-confirmer rule."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.accounts import service as accounts_service
from elevator_registry.accounts.models import User
from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import CLI
from elevator_registry.config import get_settings
from elevator_registry.errors import AuthenticationRequired, DomainError, TooManyAttempts
from elevator_registry.maintenance.models import MaintenanceConfirmation, MaintenanceRecord
from tests import factories
from tests.conftest import NOW
from tests.evidence_factories import record_body

SETTINGS = get_settings()


def log_in(session: Session, login: str, password: str, *, address: str = "10.0.0.1") -> User:
    return accounts_service.log_in(
        session, login=login, password=password, address=address, now=NOW, settings=SETTINGS
    )


def test_a_new_account_gets_a_generated_first_password_it_must_change(
    session: Session, world: factories.World
) -> None:
    user, password = accounts_service.create_user(
        session,
        login="Zhang.Wei",
        display_name="张伟",
        role=Role.MAINTENANCE_UNIT,
        actor=CLI,
        now=NOW,
        settings=SETTINGS,
        organisation_credit_code=world.maintainer_a.credit_code,
    )
    assert user.login == "zhang.wei"
    assert user.must_change_password
    assert len(password) == 12 and password not in user.password_hash
    assert user.password_hash.startswith("$argon2id$")
    assert log_in(session, "zhang.wei", password).id == user.id


def test_the_audit_trail_records_the_creation_without_the_password_hash(
    session: Session,
) -> None:
    user, _ = accounts_service.create_user(
        session,
        login="wangke",
        display_name="王科长",
        role=Role.BUREAU,
        actor=CLI,
        now=NOW,
        settings=SETTINGS,
    )
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "app_user", AuditEvent.entity_id == user.id)
    ).one()
    assert event.action == "create"
    assert event.changes["login"]["after"] == "wangke"
    assert "password_hash" not in event.changes


@pytest.mark.parametrize(
    ("role", "binding", "code"),
    [
        (Role.USER_UNIT, {}, "ORGANISATION_REQUIRED"),
        (Role.STREET_OFFICE, {}, "STREET_REQUIRED"),
        (Role.BUREAU, {"street": "古南街道"}, "STREET_NOT_ALLOWED"),
        (Role.IOT_PLATFORM, {}, "ROLE_INVALID"),
    ],
)
def test_an_account_is_bound_as_a_token_is(
    session: Session, world: factories.World, role: Role, binding: dict[str, str], code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        accounts_service.create_user(
            session,
            login="someone",
            display_name="某人",
            role=role,
            actor=CLI,
            now=NOW,
            settings=SETTINGS,
            **binding,
        )
    assert refused.value.code == code
    assert refused.value.message_zh
    assert session.scalar(select(User).where(User.login == "someone")) is None


def test_a_taken_login_name_and_a_short_password_are_refused(session: Session) -> None:
    factories.user(session, Role.BUREAU, login="taken")
    for login, password, code in [
        ("taken", None, "LOGIN_TAKEN"),
        ("fresh", "short", "PASSWORD_TOO_SHORT"),
    ]:
        with pytest.raises(DomainError) as refused:
            accounts_service.create_user(
                session,
                login=login,
                display_name="某人",
                role=Role.BUREAU,
                actor=CLI,
                now=NOW,
                settings=SETTINGS,
                password=password,
            )
        assert refused.value.code == code


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(session: Session) -> None:
    factories.user(session, Role.BUREAU, login="known")
    answers = []
    for login in ("known", "unknown"):
        with pytest.raises(AuthenticationRequired) as refused:
            log_in(session, login, "wrong-password-1")
        answers.append((refused.value.code, refused.value.message_zh))
    assert answers[0] == answers[1] == ("LOGIN_FAILED", "登录名或密码不正确")


def test_five_failures_lock_the_login_name_even_for_the_right_password(
    session: Session,
) -> None:
    factories.user(session, Role.BUREAU, login="target")
    for attempt in range(SETTINGS.login_max_failures):
        with pytest.raises(AuthenticationRequired):
            log_in(session, "target", f"guess-{attempt}", address=f"10.0.1.{attempt}")
    with pytest.raises(TooManyAttempts) as locked:
        log_in(session, "target", factories.TEST_PASSWORD, address="10.0.2.1")
    assert locked.value.code == "LOGIN_LOCKED"
    assert locked.value.status_code == 429
    assert "分钟后再试" in (locked.value.message_zh or "")
    later = NOW + timedelta(minutes=SETTINGS.login_lock_minutes, seconds=1)
    user = accounts_service.log_in(
        session,
        login="target",
        password=factories.TEST_PASSWORD,
        address="10.0.2.1",
        now=later,
        settings=SETTINGS,
    )
    assert user.last_login_at == later


def test_five_failures_from_one_address_lock_it_for_every_name(session: Session) -> None:
    factories.user(session, Role.BUREAU, login="victim")
    for attempt in range(SETTINGS.login_max_failures):
        with pytest.raises(AuthenticationRequired):
            log_in(session, f"name{attempt}", "guess-guess", address="10.9.9.9")
    with pytest.raises(TooManyAttempts):
        log_in(session, "victim", factories.TEST_PASSWORD, address="10.9.9.9")
    assert log_in(session, "victim", factories.TEST_PASSWORD, address="10.9.9.8").login == "victim"


def test_failures_older_than_the_window_are_forgotten(session: Session) -> None:
    factories.user(session, Role.BUREAU, login="slow")
    window = timedelta(minutes=SETTINGS.login_failure_window_minutes)
    for attempt in range(SETTINGS.login_max_failures - 1):
        with pytest.raises(AuthenticationRequired):
            log_in(session, "slow", f"guess-{attempt}")
    with pytest.raises(AuthenticationRequired) as refused:
        accounts_service.log_in(
            session,
            login="slow",
            password="guess-late",
            address="10.0.0.1",
            now=NOW + window,
            settings=SETTINGS,
        )
    assert refused.value.code == "LOGIN_FAILED"


def test_a_deactivated_account_cannot_log_in_and_its_tokens_stop(session: Session) -> None:
    user = factories.user(session, Role.BUREAU, login="leaver")
    _, secret = accounts_service.issue_token(
        session, login="leaver", label="报表脚本", actor=CLI, now=NOW
    )
    assert auth_service.authenticate(session, secret=secret).user_id == user.id
    accounts_service.deactivate(session, login="leaver", actor=CLI, now=NOW)
    with pytest.raises(AuthenticationRequired) as refused:
        log_in(session, "leaver", factories.TEST_PASSWORD)
    assert refused.value.code == "ACCOUNT_DEACTIVATED"
    with pytest.raises(AuthenticationRequired):
        auth_service.authenticate(session, secret=secret)


def test_a_reset_password_works_once_and_must_be_changed(session: Session) -> None:
    user = factories.user(session, Role.BUREAU, login="forgetful")
    _, password = accounts_service.reset_password(session, login="forgetful", actor=CLI, now=NOW)
    assert user.must_change_password
    with pytest.raises(AuthenticationRequired):
        log_in(session, "forgetful", factories.TEST_PASSWORD)
    log_in(session, "forgetful", password)
    accounts_service.change_password(
        session,
        user=user,
        current_password=password,
        new_password="my-own-secret-7",
        now=NOW,
        settings=SETTINGS,
    )
    assert not user.must_change_password
    assert log_in(session, "forgetful", "my-own-secret-7").id == user.id


def test_a_token_issued_to_a_person_writes_their_name_in_the_audit_trail(
    client: TestClient, session: Session, world: factories.World
) -> None:
    worker = factories.user(
        session, Role.MAINTENANCE_UNIT, organisation=world.maintainer_a, name="张伟", login="zw"
    )
    _, secret = accounts_service.issue_token(session, login="zw", label="平板", actor=CLI, now=NOW)
    answer = client.post(
        "/api/v1/maintenance-records",
        json=record_body(world.lift_a),
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["filed_by"] == "张伟"
    assert answer.json()["filed_by_user_id"] == worker.id
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity == "maintenance_record", AuditEvent.entity_id == answer.json()["id"]
        )
    ).one()
    assert (event.actor, event.actor_user_id) == ("张伟", worker.id)


def test_the_filer_cannot_confirm_their_own_record(
    client: TestClient, session: Session, world: factories.World
) -> None:
    factories.user(session, Role.MAINTENANCE_UNIT, organisation=world.maintainer_a, login="zw")
    _, secret = accounts_service.issue_token(session, login="zw", label="手机", actor=CLI, now=NOW)
    headers = {"Authorization": f"Bearer {secret}"}
    record = client.post(
        "/api/v1/maintenance-records", json=record_body(world.lift_a), headers=headers
    ).json()
    refused = client.post(
        f"/api/v1/maintenance-records/{record['id']}/confirmation",
        json={"safety_manager": "张伟"},
        headers=headers,
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "CONFIRMER_IS_FILER"
    assert refused.json()["error"]["message_zh"]
    assert factories.count(session, MaintenanceConfirmation) == 0


def test_the_safety_managers_own_account_confirms_and_is_recorded(
    client: TestClient, session: Session, world: factories.World
) -> None:
    factories.user(session, Role.MAINTENANCE_UNIT, organisation=world.maintainer_a, login="zw")
    manager = factories.user(session, Role.USER_UNIT, organisation=world.user_a, login="lina")
    _, worker_secret = accounts_service.issue_token(
        session, login="zw", label="手机", actor=CLI, now=NOW
    )
    _, manager_secret = accounts_service.issue_token(
        session, login="lina", label="手机", actor=CLI, now=NOW
    )
    record = client.post(
        "/api/v1/maintenance-records",
        json=record_body(world.lift_a),
        headers={"Authorization": f"Bearer {worker_secret}"},
    ).json()
    answer = client.post(
        f"/api/v1/maintenance-records/{record['id']}/confirmation",
        json={"safety_manager": "李娜"},
        headers={"Authorization": f"Bearer {manager_secret}"},
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["confirmation"]["confirmed_by_user_id"] == manager.id
    stored = session.get_one(MaintenanceRecord, record["id"])
    assert stored.filed_by_user_id != manager.id
