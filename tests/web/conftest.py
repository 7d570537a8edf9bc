"""Fixtures of the page tests: a TestClient on HTTPS (the session cookie is Secure), a login
helper, and for the browser tests a live server in a subprocess with Debian's Chromium.

The live server gets its own database (a fresh SQLite file, or a fresh PostgreSQL database
next to ELEVATOR_REGISTRY_TEST_DATABASE_URL), filled by `build_web_world` with dates relative
to today, because the server runs on the wall clock.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from elevator_registry.accounts import service as accounts_service
from elevator_registry.app import create_app
from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.clock import Clock, get_clock
from elevator_registry.db import get_session, make_engine
from elevator_registry.maintenance import service as maintenance_service
from elevator_registry.maintenance.schemas import MaintenanceRecordCreate
from elevator_registry.registry.enums import ElevatorStatus, OrganisationRole
from tests import factories
from tests.conftest import database_url, migrate
from tests.evidence_factories import CERTIFIED
from tests.governance import builders as governance

# Debian's Chromium; another path can be given to try a different build (or the skip).
CHROMIUM = Path(os.environ.get("ELEVATOR_REGISTRY_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
REPO_ROOT = Path(__file__).resolve().parents[2]


# TestClient -----------------------------------------------------------------------------------


@pytest.fixture
def pages(session: Session, clock: Clock) -> Iterator[TestClient]:
    """The app over HTTPS (so the Secure cookie is sent back), on the test's session."""
    app = create_app()

    def request_session() -> Iterator[Session]:
        with session.begin_nested():
            yield session

    app.dependency_overrides[get_session] = request_session
    app.dependency_overrides[get_clock] = lambda: clock
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


Login = Callable[..., TestClient]


def log_in_form(pages: TestClient, login: str, password: str = factories.TEST_PASSWORD) -> Any:
    """Posts the login form as `login`; returns the answer (a 303 on success)."""
    form = pages.get("/login")
    return pages.post(
        "/login",
        data={"login": login, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )


@pytest.fixture
def login(pages: TestClient, session: Session) -> Login:
    """`login(Role.X, organisation=org)` logs `pages` in as a new account of that role."""

    def log_in(role: Role, *, organisation: Any = None, street: str | None = None) -> TestClient:
        account = factories.user(session, role, organisation=organisation, street=street)
        answer = log_in_form(pages, account.login)
        assert answer.status_code == 303, answer.text
        return pages

    return log_in


# Live server ----------------------------------------------------------------------------------


@dataclass
class WebWorld:
    """What the browser tests find in the live server's database."""

    rescue_codes: list[str]  # of the firm's elevators in `street`, one per test that reports
    street: str
    bureau_login: str
    firm_login: str
    manager_login: str  # the user unit's safety manager, with one record waiting for them
    waiting_record_address: str
    closing_code: str  # rescue code of an elevator kept for the firm's close-with-cause test
    bureau_token: str  # an API token for checks through the JSON API
    blacklisted: str  # name of an organisation on the public blacklist
    # The maintenance visit (test_visit_browser.py): an elevator with coordinates, the firm's
    # certified worker (and an API token of theirs), and another firm's elevator.
    visit_code: str
    other_firm_code: str
    worker_login: str
    worker_token: str
    # 永新镇's second lift (the other firm's), with building, unit and number: the one test
    # that suspends an elevator uses it, so the other tests' elevators stay in use.
    spare_rescue_code: str
    spare_elevator_id: int
    other_firm: str  # the name of the firm holding 永新镇's contracts
    live_codes: list[str]  # more of the firm's elevators (in the town), for the live-page tests
    unowned_code: str  # an elevator in use without a maintenance contract
    seat_login: str  # a 96333 seat's operator
    firm_name: str


def build_web_world(session: Session, today: date) -> WebWorld:
    """Two streets, two maintenance firms, elevators under contracts that cover today,
    elevators with findings in both streets (never maintained, one without a user unit); for
    the public governance pages last year's ratings, a cost disclosure and a blacklisted firm
    without contracts (so it changes no other page)."""
    factories.street(session, "古南街道")
    factories.street(session, "永新镇", town=True)
    user = factories.organisation(session, "綦江古南物业管理有限公司", OrganisationRole.USER_UNIT)
    firm = factories.maintainer(
        session, "重庆安达电梯工程有限公司", valid_until=today + timedelta(days=900)
    )
    other_firm = factories.maintainer(
        session, "綦江通达电梯维修有限公司", valid_until=today + timedelta(days=900)
    )
    start, end = today - timedelta(days=200), today + timedelta(days=165)
    lifts = [
        factories.elevator(session, street_name=street_name, user_unit_id=user.id)
        for street_name in ("古南街道", "古南街道", "古南街道", "永新镇", "永新镇")
    ]
    for index, lift in enumerate(lifts):
        factories.contract(session, lift, firm if index < 3 else other_firm, start=start, end=end)
    lifts[4].building, lifts[4].unit, lifts[4].in_house_number = "5栋", "1单元", "2号梯"
    factories.elevator(
        session,
        street_name="古南街道",
        status=ElevatorStatus.IN_USE,
        commissioned_on=today - timedelta(days=4000),
    )
    # In the town, so the street's pages and lists the other tests count do not change.
    live_lifts = [
        factories.elevator(session, street_name="永新镇", user_unit_id=user.id) for _ in range(4)
    ]
    for lift in live_lifts:
        factories.contract(session, lift, firm, start=start, end=end)
    unowned = factories.elevator(session, street_name="永新镇", user_unit_id=user.id)
    banned = factories.organisation(session, "綦江速修电梯服务部", OrganisationRole.MAINTAINER)
    factories.blacklist(session, banned, listed_on=today - timedelta(days=30))
    governance.rating(session, firm, year=today.year - 1, grade="A", score="96.50", stars=5)
    governance.rating(session, other_firm, year=today.year - 1, grade="B", score="80.00")
    governance.disclosure(session, lifts[0], year=today.year - 1, amount="9600.00")
    now = datetime.now(UTC)
    _, bureau = auth_service.create_token(
        session, role=Role.BUREAU, label="browser bureau", now=now
    )
    bureau_login = factories.user(session, Role.BUREAU, login="browser.bureau").login
    worker = factories.user(
        session, Role.MAINTENANCE_UNIT, organisation=firm, login="browser.firm", name="张伟"
    )
    visit_lift = factories.elevator(
        session,
        street_name="古南街道",
        user_unit_id=user.id,
        latitude=Decimal("29.028300"),
        longitude=Decimal("106.651400"),
    )
    factories.contract(session, visit_lift, firm, start=start, end=end)
    visit_worker = factories.user(
        session,
        Role.MAINTENANCE_UNIT,
        organisation=firm,
        login="browser.worker",
        name="赵磊",
        certificate_number=CERTIFIED,
    )
    manager = factories.user(
        session, Role.USER_UNIT, organisation=user, login="browser.manager", name="李娜"
    )
    maintenance_service.file_record(
        session,
        data=MaintenanceRecordCreate(
            elevator_id=lifts[0].id,
            record_class="half_month",
            performed_at=now - timedelta(days=1),
            workers=[
                {"name": "张伟", "certificate_number": "T3100012345"},
                {"name": "李强"},
            ],
            items_done=["机房、滑轮间环境", "手动紧急操作装置"],
            findings="正常",
            parts_replaced=[],
        ),
        actor=accounts_service.principal_of(worker),
        today=today,
        now=now,
    )
    closing = factories.elevator(
        session,
        street_name="古南街道",
        user_unit_id=user.id,
        building="7",
        unit="2",
        in_house_number="1",
    )
    factories.contract(session, closing, firm, start=start, end=end)
    _, worker_token = auth_service.create_token(
        session,
        role=Role.MAINTENANCE_UNIT,
        label="browser worker",
        now=now,
        organisation_credit_code=firm.credit_code,
        user_id=visit_worker.id,
    )
    seat_login = factories.user(session, Role.OPERATOR, login="browser.seat", name="王芳").login
    return WebWorld(
        rescue_codes=[lift.rescue_code for lift in lifts[:3]],
        street="古南街道",
        bureau_login=bureau_login,
        firm_login=worker.login,
        manager_login=manager.login,
        waiting_record_address=lifts[0].address,
        closing_code=closing.rescue_code,
        bureau_token=bureau,
        blacklisted=banned.name,
        visit_code=visit_lift.rescue_code,
        other_firm_code=lifts[3].rescue_code,
        worker_login=visit_worker.login,
        worker_token=worker_token,
        spare_rescue_code=lifts[4].rescue_code,
        spare_elevator_id=lifts[4].id,
        other_firm=other_firm.name,
        live_codes=[lift.rescue_code for lift in live_lifts],
        unowned_code=unowned.rescue_code,
        seat_login=seat_login,
        firm_name=firm.name,
    )


@dataclass
class LiveServer:
    """The app served by uvicorn on a loopback port."""

    base_url: str
    world: WebWorld
    database_url: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_database(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Callable[[], None]]:
    base = database_url(tmp_path_factory)
    if base.startswith("sqlite"):
        return f"sqlite:///{tmp_path_factory.mktemp('web') / 'live.sqlite3'}", lambda: None
    name = f"web_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return make_url(base).set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn serving the app in a subprocess, on its own database, on the wall clock."""
    url, drop = _server_database(tmp_path_factory)
    engine = make_engine(url)
    with engine.begin() as connection:
        migrate(connection, "head")
    with Session(engine) as session, session.begin():
        world = build_web_world(session, Clock().today())
    engine.dispose()
    port = _free_port()
    log_path = tmp_path_factory.mktemp("web-log") / "server.log"
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        "ELEVATOR_REGISTRY_DATABASE_URL": url,
        "ELEVATOR_REGISTRY_ESCALATION_LOOP_ENABLED": "false",
        "ELEVATOR_REGISTRY_WEB_TRACKING_REFRESH_SECONDS": "2",
        # A page whose stream is cut polls every second (test_live_browser).
        "ELEVATOR_REGISTRY_LIVE_FALLBACK_POLL_SECONDS": "1",
        "ELEVATOR_REGISTRY_WEB_SESSION_SECRET": uuid.uuid4().hex,
    }
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "elevator_registry", "serve", "--port", str(port)],
            cwd=tmp_path_factory.mktemp("web-cwd"),
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_live(f"{base_url}/health/live", server, log_path)
        yield LiveServer(base_url=base_url, world=world, database_url=url)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        drop()


def _wait_until_live(url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited: {log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"no answer from {url} within 60 s: {log_path.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (skipped when either is missing)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed: `apt-get install -y chromium` (.ci/run does)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed: pip install '.[test]'"
    )
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser profile that records every request it makes (for the loopback check)."""
    context = browser.new_context(
        base_url=live_server.base_url, locale="zh-CN", accept_downloads=True
    )
    # The dashboard's risk summary runs every rule of the catalogue; on a busy machine that
    # takes far longer than Playwright's 30 s default.
    context.set_default_timeout(240_000)
    requested: list[str] = []

    def only_loopback(route: Any) -> None:
        # Every request passes here; anything not addressed to the live server is refused,
        # and recorded, so a test can prove the pages need nothing from outside.
        requested.append(route.request.url)
        if route.request.url.startswith(f"{live_server.base_url}/"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_loopback)
    context.requested_urls = requested
    yield context
    context.close()


def screenshot(page: Any, name: str) -> None:
    """Saves a full-page screenshot under test-artifacts/web/ for a reviewer."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
