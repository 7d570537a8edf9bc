"""The pages in a real browser: Debian's headless Chromium through Playwright, against the app
served by uvicorn on a loopback port (see conftest.live_server)."""

import csv
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from tests.factories import TEST_PASSWORD
from tests.web.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
TIMEOUT_MS = 20_000
# The rule the risk-list tests filter by: the test elevators were never maintained.
RULE = "MAINTENANCE_OVERDUE"


def log_in(context: Any, login: str, next_path: str = "", *, viewport: Any = DESKTOP) -> Any:
    """Logs the context in through the login form; returns the page it landed on."""
    page = context.new_page()
    page.set_viewport_size(viewport)
    page.goto(f"/login?next={next_path}" if next_path else "/login")
    page.get_by_label("登录名").fill(login)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def api(live_server: LiveServer, token: str) -> httpx.Client:
    """The JSON API as the same user."""
    return httpx.Client(
        base_url=f"{live_server.base_url}/api/v1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def report_trapped(context: Any, rescue_code: str) -> Any:
    """A resident opens the card, presses the big button and sends the form."""
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"/e/{rescue_code}")
    screenshot(page, "01-card-phone")
    page.get_by_role("link", name=re.compile("我被困在电梯里")).click()
    page.get_by_label("被困人数").fill("2")
    page.get_by_label(re.compile("联系电话")).fill("13812345678")
    screenshot(page, "02-report-form-phone")
    page.get_by_role("button", name="立即报告困人").click()
    page.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]+\?received=new"))
    return page


def submit(page: Any, button: Any, landing: str) -> None:
    """Presses a form's button and waits until the page it lands on (path `landing`) has loaded.

    The firm's and the seat's forms answer on the URL they were sent from, so `wait_for_url`
    would return before the POST was even answered."""
    with page.expect_response(
        lambda response: (
            response.request.is_navigation_request()
            and response.request.method == "GET"
            and urlsplit(response.url).path == landing
        )
    ):
        button.click()
    page.wait_for_load_state()


def firm_step(context: Any, number: str, action: str) -> None:
    """The firm presses one button of the incident's row in its queue."""
    firm = context.pages[-1]
    firm.goto("/firm")
    row = firm.locator(f'[data-incident="{number}"]')
    submit(firm, row.get_by_role("button", name=re.compile(f"^{action}")), "/firm")


def test_resident_reports_trapped_and_sees_arrival(
    browser: Any, context: Any, live_server: LiveServer
) -> None:
    page = report_trapped(context, live_server.world.rescue_codes[0])
    number = page.locator("#incident-number").inner_text()
    assert re.fullmatch(r"[A-Z]+\d{8}-\d+", number)
    assert page.locator("#incident-status").get_attribute("data-status") == "dispatched"
    assert "剩余" in page.locator(".countdown-box").inner_text()
    screenshot(page, "03-tracking-dispatched-phone")

    # Reloading, or sending the same form again (browser back + resubmit), never files twice.
    page.reload()
    assert page.locator("#incident-number").inner_text() == number

    firm_context = browser.new_context(base_url=live_server.base_url)
    try:
        log_in(firm_context, live_server.world.firm_login)
        firm_step(firm_context, number, "接单")
        firm_step(firm_context, number, "已到场")
        screenshot(firm_context.pages[-1], "04-firm-queue")
    finally:
        firm_context.close()

    # The tracking page refreshes itself and shows the arrival without the resident doing a thing.
    page.locator('#incident-status[data-status="arrived"]').wait_for(timeout=TIMEOUT_MS)
    assert "救援人员到场" in page.locator("#timeline").inner_text()
    screenshot(page, "05-tracking-arrived-phone")


def test_double_submit_gives_one_incident(context: Any, live_server: LiveServer) -> None:
    rescue_code = live_server.world.rescue_codes[2]
    page = context.new_page()
    page.goto(f"/e/{rescue_code}/report?kind=fault")
    form_html = page.content()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form_html).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form_html).group(1)
    # Two posts of the very same form (a double tap that outran the disabled button).
    answers = [
        page.request.post(
            f"/e/{rescue_code}/report",
            form={"kind": "fault", "idempotency_key": key, "csrf_token": csrf},
            max_redirects=0,
        )
        for _ in range(2)
    ]
    locations = [answer.headers["location"] for answer in answers]
    assert [answer.status for answer in answers] == [303, 303]
    assert locations[0] == locations[1]


def test_officer_filters_risk_list_and_downloads_matching_csv(
    context: Any, live_server: LiveServer
) -> None:
    world = live_server.world
    rule = RULE
    page = log_in(context, world.bureau_login, "/bureau/risk")
    page.get_by_label("街镇").select_option(world.street)
    page.get_by_label("规则").select_option(rule)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"/bureau/risk\?"))
    screenshot(page, "06-risk-list-desktop")
    shown = page.locator("#risk-table tbody tr[data-elevator]").evaluate_all(
        "rows => rows.map(row => Number(row.dataset.elevator))"
    )
    with page.expect_download() as download_info:
        page.locator("#download-csv").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))

    with api(live_server, world.bureau_token) as client:
        expected = client.get("/risk-list", params={"street": world.street, "rule": rule}).json()
    expected_ids = [item["elevator"]["id"] for item in expected["items"]]
    assert expected_ids, "the filter should keep at least one elevator"
    assert shown == expected_ids
    assert [int(row[0]) for row in rows[1:]] == expected_ids
    assert {row[4] for row in rows[1:]} == {world.street}
    assert all(rule in row[12] for row in rows[1:])


def tile_basis(page: Any, code: str) -> str:
    """The numerator / denominator line of a KPI tile."""
    return page.locator(f'[data-kpi="{code}"] .tile-basis').inner_text()


def test_firm_rescue_moves_the_dashboard(
    browser: Any, context: Any, live_server: LiveServer
) -> None:
    world = live_server.world
    officer = log_in(context, world.bureau_login)
    assert officer.url.endswith("/bureau")
    before = {code: tile_basis(officer, code) for code in ("emergency_response_rate",)}
    board = context.new_page()
    board.goto(f"/bureau/incidents?street={world.street}")
    open_before = board.locator("#open-incidents tr[data-incident]").count()

    resident = context.browser.new_context(base_url=live_server.base_url)
    firm_context = browser.new_context(base_url=live_server.base_url)
    try:
        tracking = resident.new_page()
        tracking.goto(f"/e/{world.rescue_codes[1]}/report?kind=trapped")
        tracking.get_by_role("button", name="立即报告困人").click()
        tracking.wait_for_url(re.compile(r"/t/"))
        number = tracking.locator("#incident-number").inner_text()

        board = context.new_page()
        board.goto(f"/bureau/incidents?street={world.street}")
        assert board.locator(f'#open-incidents tr[data-incident="{number}"]').count() == 1
        assert board.locator("#open-incidents tr[data-incident]").count() == open_before + 1
        screenshot(board, "07-incident-board-desktop")

        log_in(firm_context, world.firm_login)
        for step in ("接单", "已到场", "已解救"):
            firm_step(firm_context, number, step)
        firm_page = firm_context.pages[-1]
        assert firm_page.locator(f'[data-incident="{number}"] .status-cell').inner_text() == (
            "被困人员已解救"
        )
    finally:
        firm_context.close()
        resident.close()

    officer.reload()
    screenshot(officer, "08-dashboard-desktop")
    after = tile_basis(officer, "emergency_response_rate")
    assert after != before["emergency_response_rate"]
    numerator, denominator = (float(part) for part in after.split("/"))
    old_numerator, old_denominator = (
        float(part) for part in before["emergency_response_rate"].split("/")
    )
    assert (numerator, denominator) == (old_numerator + 1, old_denominator + 1)
    avg = tile_basis(officer, "average_arrival_minutes")
    assert float(avg.split("/")[1]) >= 1  # at least this arrival is counted
    # Released is still open until closed: the row stays, with its new status.
    row = officer.locator(f'#open-incidents tr[data-incident="{number}"] .status-cell')
    assert row.inner_text() == "被困人员已解救"


def test_pages_request_nothing_beyond_loopback(context: Any, live_server: LiveServer) -> None:
    world = live_server.world
    page = context.new_page()
    code = world.rescue_codes[0]
    for path in (f"/e/{code}", f"/e/{code}/report", f"/e/{code}/qr.svg"):
        page.goto(path)
    page = log_in(context, world.bureau_login, "/bureau/incidents")
    for name, path in (
        ("10-dashboard-desktop", "/bureau"),
        ("11-risk-desktop", f"/bureau/risk?rule={RULE}"),
        ("12-elevator-desktop", "/bureau/elevators/1"),
        ("13-refused-desktop", "/firm"),
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        screenshot(page, name)
    assert context.requested_urls, "the route handler saw no requests"
    outside = [url for url in context.requested_urls if not url.startswith(live_server.base_url)]
    assert outside == []
    assert any(url.endswith("/static/app.css") for url in context.requested_urls)


def test_resident_opens_the_public_lists_from_the_card(
    context: Any, live_server: LiveServer
) -> None:
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"/e/{live_server.world.rescue_codes[0]}")
    page.get_by_role("navigation", name="公示信息").get_by_role("link", name="黑名单").click()
    page.wait_for_url(re.compile(r"/public/blacklist$"))
    assert live_server.world.blacklisted in page.locator("#blacklist").inner_text()
    screenshot(page, "20-blacklist-phone")
    page.get_by_role("link", name="维保单位星级评定").click()
    assert "★★★★★" in page.locator("#star-ratings").inner_text()
    screenshot(page, "21-star-ratings-phone")
    page.get_by_role("link", name="维保费用公示").click()
    page.get_by_label("使用单位").select_option(index=1)  # the one unit that disclosed
    page.get_by_role("button", name="查看").click()
    assert "9,600.00 元" in page.locator("#disclosures").inner_text()
    screenshot(page, "22-cost-disclosures-phone")
    outside = [url for url in context.requested_urls if not url.startswith(live_server.base_url)]
    assert outside == []


def test_risk_list_sorts_the_page_by_a_column(context: Any, live_server: LiveServer) -> None:
    page = log_in(context, live_server.world.bureau_login, "/bureau/incidents")
    page.goto("/bureau/risk?" + urlencode({"street": live_server.world.street, "rule": RULE}))
    page.get_by_role("button", name="设备代码").click()
    codes = page.locator("#risk-table tbody tr td:nth-child(2)").all_inner_texts()
    assert codes == sorted(codes)


def test_officer_and_resident_read_chinese_on_a_phone(
    browser: Any, context: Any, live_server: LiveServer
) -> None:
    """Issue 14 in the browser at 390 px: the risk list's picker, total and firm column; the
    dossier's printable stop-use notice; the suspended card's banner; the dated tracking page."""
    world = live_server.world
    with api(live_server, world.bureau_token) as client:
        filed = client.post(
            "/hazard-reports",
            json={
                "elevator_id": world.spare_elevator_id,
                "severity": "serious",
                "description": "曳引钢丝绳断丝超标",
            },
        )
        assert filed.status_code == 201, filed.text
    page = log_in(context, world.bureau_login, "/bureau/risk")
    page.set_viewport_size(PHONE)
    page.get_by_label("维保单位").select_option(label=world.other_firm)
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"maintenance_unit_id=\d+"))
    firms = page.locator("#risk-table tbody td.firm").all_inner_texts()
    assert firms and set(firms) == {world.other_firm}
    assert page.locator("#risk-total").inner_text() == f"共 {len(firms)} 台电梯有风险问题"
    screenshot(page, "30-risk-picker-phone")

    page.goto(f"/bureau/elevators/{world.spare_elevator_id}")
    with page.expect_popup() as popup:
        page.locator("#stop-use-notices a").first.click()
    notice = popup.value
    notice.wait_for_load_state()
    assert "停止使用" in notice.locator("body").inner_text()
    assert "401" not in notice.title()
    screenshot(notice, "31-stop-use-notice")

    resident = browser.new_context(base_url=live_server.base_url)
    try:
        card = resident.new_page()
        card.set_viewport_size(PHONE)
        card.goto(f"/e/{world.spare_rescue_code}")
        banner = card.locator("#stop-use")
        assert banner.inner_text() == "停止使用，请勿乘坐"
        box = banner.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        screenshot(card, "32-suspended-card-phone")
        card.get_by_role("link", name=re.compile("我被困在电梯里")).click()
        card.get_by_label("被困人数").fill("1")
        card.get_by_role("button", name="立即报告困人").click()
        card.wait_for_url(re.compile(r"/t/"))
        assert "5栋 1单元 2号梯" in card.locator("#incident-place").inner_text()
        times = card.locator("#timeline time").all_inner_texts()
        assert times and all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", t) for t in times)
        screenshot(card, "33-tracking-place-phone")
    finally:
        resident.close()
