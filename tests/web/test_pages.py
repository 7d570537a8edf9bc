"""Page routes through the TestClient: login and sessions, CSRF, scoping, error pages, QR."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.accounts import service as accounts_service
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import CLI
from elevator_registry.incidents.models import Incident
from tests import factories
from tests.conftest import NOW
from tests.web.conftest import Login, csrf_of, log_in_form


def report_form(pages: TestClient, rescue_code: str, kind: str = "trapped") -> dict[str, str]:
    """The hidden fields of a fresh report form."""
    html = pages.get(f"/e/{rescue_code}/report?kind={kind}").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert key
    return {"kind": kind, "idempotency_key": key.group(1), "csrf_token": csrf_of(html)}


def test_card_shows_address_maintainer_and_the_trapped_button(
    pages: TestClient, world: factories.World
) -> None:
    answer = pages.get(f"/e/{world.lift_a.rescue_code}")
    assert answer.status_code == 200
    assert world.lift_a.address in answer.text
    assert world.maintainer_a.name in answer.text
    assert "我被困在电梯里" in answer.text and "报告故障" in answer.text
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie


def test_unknown_rescue_code_is_an_error_page_with_the_api_code(pages: TestClient) -> None:
    answer = pages.get("/e/999999")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "RESCUE_CODE_UNKNOWN" in answer.text and "96333" in answer.text


@pytest.mark.parametrize(
    ("extension", "media_type"), [("svg", "image/svg+xml"), ("png", "image/png")]
)
def test_qr_code_of_an_elevator(
    pages: TestClient, world: factories.World, extension: str, media_type: str
) -> None:
    answer = pages.get(f"/e/{world.lift_a.rescue_code}/qr.{extension}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media_type)
    assert pages.get(f"/e/999999/qr.{extension}").status_code == 404


def test_report_redirects_to_tracking_and_a_resubmit_files_nothing_new(
    pages: TestClient, world: factories.World, session: Session
) -> None:
    fields = report_form(pages, world.lift_a.rescue_code) | {"trapped_count": "2"}
    first = pages.post(f"/e/{world.lift_a.rescue_code}/report", data=fields, follow_redirects=False)
    again = pages.post(f"/e/{world.lift_a.rescue_code}/report", data=fields, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    incidents = session.scalars(select(Incident)).all()
    assert len(incidents) == 1 and incidents[0].trapped_count == 2
    tracking = pages.get(first.headers["location"])
    assert incidents[0].number in tracking.text
    assert 'data-live-stream="/t/' in tracking.text and 'http-equiv="refresh"' not in tracking.text
    assert "救援已派出" in tracking.text  # lift_a has a contract: its firm is on the way


def test_report_errors_are_shown_next_to_the_field(
    pages: TestClient, world: factories.World, session: Session
) -> None:
    fields = report_form(pages, world.lift_a.rescue_code) | {"caller_phone": "12345"}
    answer = pages.post(f"/e/{world.lift_a.rescue_code}/report", data=fields)
    assert answer.status_code == 422
    assert 'id="caller_phone-error"' in answer.text
    assert session.scalars(select(Incident)).all() == []


def test_report_without_csrf_token_is_refused(
    pages: TestClient, world: factories.World, session: Session
) -> None:
    fields = report_form(pages, world.lift_a.rescue_code) | {"csrf_token": "forged"}
    answer = pages.post(f"/e/{world.lift_a.rescue_code}/report", data=fields)
    assert answer.status_code == 403
    assert "CSRF_TOKEN_INVALID" in answer.text
    assert session.scalars(select(Incident)).all() == []


def test_staff_pages_send_a_visitor_to_the_login_form(pages: TestClient) -> None:
    for path in ("/bureau", "/bureau/risk", "/bureau/incidents", "/firm", "/bureau/elevators/1"):
        answer = pages.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/login?next={path}"


def test_wrong_password_shows_the_error_next_to_the_field(
    pages: TestClient, session: Session
) -> None:
    account = factories.user(session, Role.BUREAU)
    answer = log_in_form(pages, account.login, "not-the-password")
    assert answer.status_code == 401
    assert 'id="password-error"' in answer.text and "登录名或密码不正确" in answer.text


def test_login_without_csrf_token_is_refused(pages: TestClient, session: Session) -> None:
    account = factories.user(session, Role.BUREAU)
    answer = pages.post(
        "/login",
        data={"login": account.login, "password": factories.TEST_PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert "CSRF_TOKEN_INVALID" in answer.text


def test_login_issues_a_new_session(pages: TestClient, login: Login) -> None:
    before = pages.get("/login").cookies.get("er_session") or pages.cookies.get("er_session")
    login(Role.BUREAU)
    assert pages.cookies.get("er_session") != before
    assert pages.get("/bureau/incidents").status_code == 200


def test_deactivating_the_account_ends_the_web_session(pages: TestClient, session: Session) -> None:
    account = factories.user(session, Role.BUREAU)
    assert log_in_form(pages, account.login).status_code == 303
    assert pages.get("/bureau/incidents", follow_redirects=False).status_code == 200
    accounts_service.deactivate(session, login=account.login, actor=CLI, now=NOW)
    assert pages.get("/bureau/incidents", follow_redirects=False).status_code == 303


def test_logout_needs_the_csrf_token_and_ends_the_session(pages: TestClient, login: Login) -> None:
    login(Role.BUREAU)
    board = pages.get("/bureau/incidents")
    assert pages.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert pages.get("/bureau/incidents").status_code == 200
    pages.post("/logout", data={"csrf_token": csrf_of(board.text)})
    assert pages.get("/bureau/incidents", follow_redirects=False).status_code == 303


def test_a_firm_may_not_open_bureau_pages(
    pages: TestClient, login: Login, world: factories.World
) -> None:
    login(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    answer = pages.get("/bureau/incidents")
    assert answer.status_code == 403
    assert "FORBIDDEN_ROLE" in answer.text


def test_firm_queue_holds_only_its_own_incidents(
    pages: TestClient, login: Login, world: factories.World, session: Session
) -> None:
    for lift in (world.lift_a, world.lift_b):
        fields = report_form(pages, lift.rescue_code)
        pages.post(f"/e/{lift.rescue_code}/report", data=fields, follow_redirects=False)
    mine, theirs = (
        session.scalar(select(Incident).where(Incident.elevator_id == lift.id))
        for lift in (world.lift_a, world.lift_b)
    )
    login(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    queue = pages.get("/firm").text
    assert mine.number in queue
    assert theirs.number not in queue


def test_firm_buttons_move_the_incident_and_need_csrf(
    pages: TestClient, login: Login, world: factories.World, session: Session
) -> None:
    fields = report_form(pages, world.lift_a.rescue_code)
    pages.post(f"/e/{world.lift_a.rescue_code}/report", data=fields, follow_redirects=False)
    incident = session.scalars(select(Incident)).one()
    login(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    csrf = csrf_of(pages.get("/firm").text)
    refused = pages.post(f"/firm/incidents/{incident.id}/accept", data={"csrf_token": "x"})
    assert refused.status_code == 403
    for action in ("accept", "arrive", "release"):
        answer = pages.post(
            f"/firm/incidents/{incident.id}/{action}",
            data={"csrf_token": csrf},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
    session.refresh(incident)
    assert incident.status == "released"


def test_another_firms_incident_cannot_be_moved(
    pages: TestClient, login: Login, world: factories.World, session: Session
) -> None:
    fields = report_form(pages, world.lift_b.rescue_code)
    pages.post(f"/e/{world.lift_b.rescue_code}/report", data=fields, follow_redirects=False)
    incident = session.scalars(select(Incident)).one()
    login(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    csrf = csrf_of(pages.get("/firm").text)
    answer = pages.post(f"/firm/incidents/{incident.id}/accept", data={"csrf_token": csrf})
    assert answer.status_code == 404
    assert "INCIDENT_NOT_FOUND" in answer.text


def test_street_office_board_shows_its_street_only(
    pages: TestClient, login: Login, world: factories.World, session: Session
) -> None:
    for lift in (world.lift_a, world.lift_b):
        fields = report_form(pages, lift.rescue_code)
        pages.post(f"/e/{lift.rescue_code}/report", data=fields, follow_redirects=False)
    numbers = {
        lift.street: session.scalar(select(Incident.number).where(Incident.elevator_id == lift.id))
        for lift in (world.lift_a, world.lift_b)
    }
    login(Role.STREET_OFFICE, street="古南街道")
    board = pages.get("/bureau/incidents").text
    assert numbers["古南街道"] in board
    assert numbers["永新镇"] not in board


def test_bureau_board_filters_by_street(
    pages: TestClient, login: Login, world: factories.World, session: Session
) -> None:
    for lift in (world.lift_a, world.lift_b):
        fields = report_form(pages, lift.rescue_code)
        pages.post(f"/e/{lift.rescue_code}/report", data=fields, follow_redirects=False)
    login(Role.BUREAU)
    board = pages.get("/bureau/incidents", params={"street": "永新镇"}).text
    assert board.count("data-incident=") == 1


def test_elevator_page_outside_a_firms_scope_is_not_found(
    pages: TestClient, login: Login, world: factories.World
) -> None:
    login(Role.STREET_OFFICE, street="永新镇")
    answer = pages.get(f"/bureau/elevators/{world.lift_a.id}")
    assert answer.status_code == 404
    assert "ELEVATOR_NOT_FOUND" in answer.text


def test_elevator_page_shows_the_dossier_timeline(
    pages: TestClient, login: Login, world: factories.World
) -> None:
    login(Role.BUREAU)
    answer = pages.get(f"/bureau/elevators/{world.lift_a.id}")
    assert answer.status_code == 200
    assert "维保合同" in answer.text and world.lift_a.equipment_code in answer.text


def test_risk_export_matches_the_api_export(
    pages: TestClient, login: Login, world: factories.World, bureau: dict[str, str]
) -> None:
    params = {"street": "古南街道", "rule": "NO_USER_UNIT"}
    api = pages.get("/api/v1/risk-list", params=params | {"format": "csv"}, headers=bureau)
    login(Role.BUREAU)
    page = pages.get("/bureau/risk/export.csv", params=params)
    assert page.status_code == 200
    assert page.content == api.content
    assert page.content.startswith("\ufeff".encode())


def test_risk_list_shows_an_unknown_rule_as_an_error(pages: TestClient, login: Login) -> None:
    login(Role.BUREAU)
    answer = pages.get("/bureau/risk", params={"rule": "NOPE"})
    assert answer.status_code == 422
    assert "RULE_UNKNOWN" in answer.text


def test_static_assets_are_served_from_the_package(pages: TestClient) -> None:
    for name in ("app.css", "app.js"):
        assert pages.get(f"/static/{name}").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example"])
def test_login_never_redirects_off_site(pages: TestClient, session: Session, target: str) -> None:
    account = factories.user(session, Role.BUREAU)
    form = pages.get("/login")
    answer = pages.post(
        "/login",
        data={
            "login": account.login,
            "password": factories.TEST_PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": target,
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/bureau"


def test_risk_filter_form_sends_untouched_fields_empty(pages: TestClient, login: Login) -> None:
    login(Role.BUREAU)
    empty = {"place_category": "", "age_band": "", "maintenance_unit_id": "", "user_unit_id": ""}
    answer = pages.get("/bureau/risk", params={"street": "", "rule": "NO_USER_UNIT"} | empty)
    assert answer.status_code == 200
    bad = pages.get("/bureau/risk", params={"rule": "NO_USER_UNIT", "user_unit_id": "x"})
    assert bad.status_code == 422 and "使用单位须为正整数" in bad.text


def test_dossier_workbook_downloads_with_the_session(
    pages: TestClient, login: Login, world: factories.World
) -> None:
    login(Role.BUREAU)
    answer = pages.get(f"/bureau/elevators/{world.lift_a.id}/dossier.xlsx")
    assert answer.status_code == 200
    assert answer.content.startswith(b"PK")


def test_unknown_tracking_token_is_an_error_page(pages: TestClient) -> None:
    answer = pages.get("/t/abcdefghijkl")
    assert answer.status_code == 404
    assert "TRACKING_TOKEN_UNKNOWN" in answer.text
