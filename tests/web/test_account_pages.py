"""Pages of issue 12 (accounts part) through the TestClient: password login, the forced first
change, throttling, the bureau's account pages, the user unit's pages and the firm's queue."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.accounts import service as accounts_service
from elevator_registry.accounts.models import User
from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import CLI
from elevator_registry.config import get_settings
from elevator_registry.governance.models import CostDisclosure
from elevator_registry.incidents.models import Incident
from elevator_registry.maintenance.models import MaintenanceConfirmation, UsageCheck
from tests import factories
from tests.conftest import NOW, TODAY
from tests.evidence_factories import record_body
from tests.web.conftest import csrf_of, log_in_form
from tests.web.test_pages import report_form

# Raw codes a person must never read: enum values (snake_case) and error codes (UPPER_CASE).
RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[A-Z]{2,}_[A-Z_]+\b")


def visible_text(html: str) -> str:
    """The page's text as a person reads it: no tags, scripts, styles or attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<title>.*?</title>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def assert_no_raw_codes(html: str) -> None:
    """Fails when the page shows an English code or enum value."""
    found = RAW_CODE.findall(visible_text(html))
    assert found == [], found


def logged_in(pages: TestClient, account: User) -> TestClient:
    assert log_in_form(pages, account.login).status_code == 303
    return pages


# Login, forced change, throttling -------------------------------------------------------------


def test_a_first_password_must_be_changed_before_any_page(
    pages: TestClient, session: Session
) -> None:
    account = factories.user(session, Role.BUREAU, must_change_password=True)
    answer = log_in_form(pages, account.login)
    assert answer.headers["location"] == "/account/password"
    skipped = pages.get("/bureau/incidents", follow_redirects=False)
    assert skipped.status_code == 303 and skipped.headers["location"] == "/account/password"
    form = pages.get("/account/password")
    assert "初始密码" in form.text
    mismatch = pages.post(
        "/account/password",
        data={
            "current_password": factories.TEST_PASSWORD,
            "new_password": "brand-new-pass-1",
            "repeat_password": "brand-new-pass-2",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.text
    changed = pages.post(
        "/account/password",
        data={
            "current_password": factories.TEST_PASSWORD,
            "new_password": "brand-new-pass-1",
            "repeat_password": "brand-new-pass-1",
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert changed.headers["location"] == "/bureau"
    assert pages.get("/bureau/incidents", follow_redirects=False).status_code == 200
    assert not account.must_change_password


def test_too_many_failures_lock_the_login_with_a_chinese_message(
    pages: TestClient, session: Session
) -> None:
    account = factories.user(session, Role.BUREAU)
    for _ in range(get_settings().login_max_failures):
        assert log_in_form(pages, account.login, "wrong-wrong-wrong").status_code == 401
    locked = log_in_form(pages, account.login)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.text
    assert pages.get("/bureau/incidents", follow_redirects=False).status_code == 303


def test_a_role_without_pages_is_told_so_in_chinese(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    account = factories.user(session, Role.INSPECTION_AGENCY, organisation=world.agency)
    answer = log_in_form(pages, account.login)
    assert answer.status_code == 401
    assert "检验机构角色没有可用的网页" in answer.text


# Bureau account pages -------------------------------------------------------------------------


def test_the_bureau_creates_a_safety_manager_account_shown_once(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    officer = factories.user(session, Role.BUREAU, name="王科长")
    logged_in(pages, officer)
    form = pages.get("/bureau/users")
    assert world.user_a.name in form.text
    created = pages.post(
        "/bureau/users",
        data={
            "display_name": "李娜",
            "login": "li.na",
            "role": "user_unit",
            "organisation": world.user_a.credit_code,
            "csrf_token": csrf_of(form.text),
        },
    )
    assert created.status_code == 200
    password = re.search(r'class="secret">([^<]+)<', created.text).group(1)
    assert_no_raw_codes(created.text)
    account = session.scalars(select(User).where(User.login == "li.na")).one()
    assert (account.organisation_id, account.must_change_password) == (world.user_a.id, True)
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity == "app_user", AuditEvent.entity_id == account.id
        )
    ).one()
    assert (event.actor, event.actor_user_id) == ("王科长", officer.id)
    assert password not in pages.get("/bureau/users").text
    assert (
        accounts_service.log_in(
            session, login="li.na", password=password, address="x", now=NOW, settings=get_settings()
        ).id
        == account.id
    )


def test_a_unit_account_without_its_unit_is_refused_next_to_the_field(
    pages: TestClient, session: Session
) -> None:
    logged_in(pages, factories.user(session, Role.BUREAU))
    form = pages.get("/bureau/users")
    refused = pages.post(
        "/bureau/users",
        data={
            "display_name": "李娜",
            "login": "li.na",
            "role": "user_unit",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert refused.status_code == 422
    assert 'id="organisation-error"' in refused.text and "须选择所属单位" in refused.text
    assert session.scalar(select(User).where(User.login == "li.na")) is None


def test_only_the_bureau_manages_accounts(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    logged_in(pages, factories.user(session, Role.STREET_OFFICE, street="古南街道"))
    assert pages.get("/bureau/users").status_code == 403


def test_reset_deactivate_and_tokens_from_the_account_page(
    pages: TestClient, client: TestClient, session: Session, world: factories.World
) -> None:
    logged_in(pages, factories.user(session, Role.BUREAU))
    worker = factories.user(
        session, Role.MAINTENANCE_UNIT, organisation=world.maintainer_a, login="zhang.wei"
    )
    page = pages.get("/bureau/users/zhang.wei")
    assert world.maintainer_a.name in page.text
    csrf = csrf_of(page.text)
    reset = pages.post("/bureau/users/zhang.wei/reset-password", data={"csrf_token": csrf})
    assert "新的临时密码" in reset.text and worker.must_change_password
    issued = pages.post(
        "/bureau/users/zhang.wei/tokens", data={"label": "平板", "csrf_token": csrf}
    )
    secret = re.search(r'class="secret">([^<]+)<', issued.text).group(1)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/maintenance-records", headers=headers).status_code == 200
    pages.post("/bureau/users/zhang.wei/deactivate", data={"csrf_token": csrf})
    assert worker.deactivated_at is not None
    assert client.get("/api/v1/maintenance-records", headers=headers).status_code == 401
    assert "已停用" in pages.get("/bureau/users/zhang.wei").text


# User unit pages ------------------------------------------------------------------------------


@pytest.fixture
def filed_record(client: TestClient, session: Session, world: factories.World) -> dict[str, Any]:
    """A record of lift A filed through the API by a worker of maintainer A, as that worker."""
    factories.user(session, Role.MAINTENANCE_UNIT, organisation=world.maintainer_a, login="zw")
    _, secret = accounts_service.issue_token(session, login="zw", label="手机", actor=CLI, now=NOW)
    answer = client.post(
        "/api/v1/maintenance-records",
        json=record_body(world.lift_a),
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()


def test_the_safety_manager_confirms_a_waiting_record_with_their_own_account(
    pages: TestClient, session: Session, world: factories.World, filed_record: dict[str, Any]
) -> None:
    manager = factories.user(
        session, Role.USER_UNIT, organisation=world.user_a, name="李娜", login="lina"
    )
    logged_in(pages, manager)
    home = pages.get("/unit")
    assert "1</strong> 条维保记录等待您确认" in home.text
    assert world.lift_a.address in home.text
    assert_no_raw_codes(home.text)
    waiting = pages.get("/unit/records")
    assert "半月维保" in waiting.text and "张伟" in waiting.text
    assert_no_raw_codes(waiting.text)
    answer = pages.post(
        f"/unit/records/{filed_record['id']}/confirm",
        data={"csrf_token": csrf_of(waiting.text)},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/unit/records?confirmed=1"
    confirmation = session.scalars(select(MaintenanceConfirmation)).one()
    assert (confirmation.safety_manager, confirmation.confirmed_by_user_id) == ("李娜", manager.id)
    assert "没有等待确认的维保记录" in pages.get("/unit/records").text


def test_another_units_manager_cannot_confirm(
    pages: TestClient, session: Session, world: factories.World, filed_record: dict[str, Any]
) -> None:
    logged_in(pages, factories.user(session, Role.USER_UNIT, organisation=world.user_b))
    waiting = pages.get("/unit/records")
    answer = pages.post(
        f"/unit/records/{filed_record['id']}/confirm", data={"csrf_token": csrf_of(waiting.text)}
    )
    assert answer.status_code == 404
    assert "维保记录“" in answer.text
    assert factories.count(session, MaintenanceConfirmation) == 0


def test_the_workers_session_cannot_open_the_confirmation(
    pages: TestClient, session: Session, filed_record: dict[str, Any]
) -> None:
    worker = session.scalars(select(User).where(User.login == "zw")).one()
    logged_in(pages, worker)
    firm = pages.get("/firm")
    answer = pages.post(
        f"/unit/records/{filed_record['id']}/confirm", data={"csrf_token": csrf_of(firm.text)}
    )
    assert answer.status_code == 403
    assert factories.count(session, MaintenanceConfirmation) == 0


def test_a_usage_check_is_filed_from_the_form(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    logged_in(
        pages, factories.user(session, Role.USER_UNIT, organisation=world.user_a, name="王强")
    )
    form = pages.get("/unit/checks")
    assert 'value="王强"' in form.text
    assert_no_raw_codes(form.text)
    fields = {
        "elevator_id": str(world.lift_a.id),
        "checked_on": TODAY.isoformat(),
        "checker_name": "王强",
        "findings": "",
        "csrf_token": csrf_of(form.text),
    }
    answer = pages.post("/unit/checks", data=fields, follow_redirects=False)
    assert answer.headers["location"] == "/unit/checks?saved=1"
    check = session.scalars(select(UsageCheck)).one()
    assert (check.elevator_id, check.checker_name) == (world.lift_a.id, "王强")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"checked_on": (TODAY + timedelta(days=1)).isoformat()}, "checked_on", "日期不能晚于今天"),
        ({"checker_name": ""}, "checker_name", "检查人为必填项"),
    ],
)
def test_a_bad_usage_check_is_refused_next_to_its_field(
    pages: TestClient,
    session: Session,
    world: factories.World,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    logged_in(pages, factories.user(session, Role.USER_UNIT, organisation=world.user_a))
    form = pages.get("/unit/checks")
    fields = {
        "elevator_id": str(world.lift_a.id),
        "checked_on": TODAY.isoformat(),
        "checker_name": "王强",
        "csrf_token": csrf_of(form.text),
    } | change
    answer = pages.post("/unit/checks", data=fields)
    assert answer.status_code == 422
    assert f'id="{field}-error"' in answer.text and message in answer.text
    assert factories.count(session, UsageCheck) == 0


def test_another_units_elevator_is_not_offered_nor_accepted(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    logged_in(pages, factories.user(session, Role.USER_UNIT, organisation=world.user_a))
    form = pages.get("/unit/checks")
    assert world.lift_b.address not in form.text
    answer = pages.post(
        "/unit/checks",
        data={
            "elevator_id": str(world.lift_b.id),
            "checker_name": "王强",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert answer.status_code == 404 and "不存在或您无权查看" in answer.text
    assert factories.count(session, UsageCheck) == 0


def test_a_cost_disclosure_is_filed_once_per_year(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    logged_in(pages, factories.user(session, Role.USER_UNIT, organisation=world.user_a))
    form = pages.get("/unit/disclosures")
    assert_no_raw_codes(form.text)
    fields = {
        "elevator_id": str(world.lift_a.id),
        "year": str(TODAY.year - 1),
        "amount_yuan": "9600",
        "advertising_income_yuan": "1200.50",
        "items": "半月维保 24 次",
        "csrf_token": csrf_of(form.text),
    }
    saved = pages.post("/unit/disclosures", data=fields, follow_redirects=False)
    assert saved.headers["location"] == "/unit/disclosures?saved=1"
    disclosure = session.scalars(select(CostDisclosure)).one()
    assert str(disclosure.advertising_income_yuan) == "1200.50"
    again = pages.post("/unit/disclosures", data=fields)
    assert again.status_code == 409 and "费用已公示" in again.text
    assert factories.count(session, CostDisclosure) == 1


# Firm pages -----------------------------------------------------------------------------------


def report(pages: TestClient, rescue_code: str, kind: str = "trapped") -> None:
    fields = report_form(pages, rescue_code, kind) | {
        "trapped_count": "1" if kind == "trapped" else "",
        "caller_phone": "13812345678",
        "description": "3楼卡住，灯亮着",
    }
    pages.post(f"/e/{rescue_code}/report", data=fields, follow_redirects=False)


def test_the_firm_queue_shows_phone_description_and_building(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    world.lift_a.building, world.lift_a.unit, world.lift_a.in_house_number = "7", "2", "1"
    report(pages, world.lift_a.rescue_code)
    logged_in(
        pages, factories.user(session, Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    )
    queue = pages.get("/firm").text
    assert "13812345678" in queue
    assert "3楼卡住，灯亮着" in queue
    assert "7栋 2单元 1号梯" in queue
    assert_no_raw_codes(queue)


def test_the_firm_closes_a_trapped_incident_with_a_fault_cause(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    report(pages, world.lift_a.rescue_code)
    incident = session.scalars(select(Incident)).one()
    logged_in(
        pages, factories.user(session, Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    )
    csrf = csrf_of(pages.get("/firm").text)
    for action in ("accept", "arrive", "release"):
        pages.post(f"/firm/incidents/{incident.id}/{action}", data={"csrf_token": csrf})
    queue = pages.get("/firm").text
    assert "故障原因" in queue and "门系统故障" in queue
    refused = pages.post(f"/firm/incidents/{incident.id}/close", data={"csrf_token": csrf})
    assert refused.status_code == 422 and "须填写故障原因" in refused.text
    closed = pages.post(
        f"/firm/incidents/{incident.id}/close",
        data={"csrf_token": csrf, "fault_cause_code": "door_system"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    session.refresh(incident)
    assert (incident.status, incident.fault_cause_code) == ("closed", "door_system")


def test_the_firm_marks_a_false_alarm(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    report(pages, world.lift_a.rescue_code)
    incident = session.scalars(select(Incident)).one()
    logged_in(
        pages, factories.user(session, Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    )
    queue = pages.get("/firm").text
    assert "误报" in queue and "自行脱困" in queue
    pages.post(f"/firm/incidents/{incident.id}/false_alarm", data={"csrf_token": csrf_of(queue)})
    session.refresh(incident)
    assert incident.status == "false_alarm"


def overdue_cards(html: str) -> int:
    """How many elevators the overdue section of the firm page lists."""
    section = html.split('id="overdue"')[1].split("<h2>")[0]
    return section.count('<li class="card">')


def test_the_overdue_list_pages(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    for _ in range(21):
        lift = factories.elevator(session, street_name="古南街道", user_unit_id=world.user_a.id)
        factories.contract(session, lift, world.maintainer_a)
    logged_in(
        pages, factories.user(session, Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    )
    first = pages.get("/firm").text
    overdue = int(re.search(r"维保超期（(\d+) 台）", first).group(1))
    assert overdue >= 21
    assert overdue_cards(first) == 20 and 'id="overdue-next"' in first
    second = pages.get("/firm?page=2").text
    assert overdue_cards(second) == overdue - 20
    assert "上一页" in second and 'id="overdue-next"' not in second


@pytest.mark.parametrize(
    "path", ["/unit/checks", "/unit/disclosures", "/bureau/users", "/account/password"]
)
def test_the_new_forms_need_the_csrf_token(
    pages: TestClient, session: Session, world: factories.World, path: str
) -> None:
    role = Role.BUREAU if path.startswith("/bureau") else Role.USER_UNIT
    account = factories.user(
        session, role, organisation=world.user_a if role == Role.USER_UNIT else None
    )
    logged_in(pages, account)
    answer = pages.post(path, data={"csrf_token": "forged", "elevator_id": str(world.lift_a.id)})
    assert answer.status_code == 403
    assert "表单已过期" in answer.text
    assert factories.count(session, UsageCheck) == 0
    assert factories.count(session, CostDisclosure) == 0


def test_a_password_reset_ends_the_persons_open_sessions(
    pages: TestClient, session: Session
) -> None:
    account = factories.user(session, Role.BUREAU)
    logged_in(pages, account)
    assert pages.get("/bureau/incidents", follow_redirects=False).status_code == 200
    # The cookie is signed on the wall clock; the reset happens after it.
    later = datetime.now(UTC) + timedelta(seconds=2)
    accounts_service.reset_password(session, login=account.login, actor=CLI, now=later)
    answer = pages.get("/bureau/incidents", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
