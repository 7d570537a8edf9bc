"""Live pages in Chromium at phone width: a new trapped report shows on the firm's open queue
within 2 s without a reload, with the bell and the "(1)" title badge; with its stream cut, the
page falls back to polling; a seat assigns an unowned rescue on the web and the firm works it."""

import re
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD
from tests.web.conftest import LiveServer, screenshot
from tests.web.test_browser import PHONE, TIMEOUT_MS, submit

pytestmark = pytest.mark.browser

# The bound: the firm learns of a dispatch within 2 s on loopback.
LIVE_WITHIN_MS = 2_000


def phone_login(context: Any, login: str, next_path: str) -> Any:
    """Logs in at phone width and lands on `next_path`."""
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(f"/login?next={next_path}")
    page.get_by_label("登录名").fill(login)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(f"{re.escape(next_path)}$"))
    return page


def public_report(live_server: LiveServer, rescue_code: str) -> dict[str, Any]:
    """A resident's trapped report through the public API (another client than the page)."""
    answer = httpx.post(
        f"{live_server.base_url}/api/v1/incidents",
        json={"rescue_code": rescue_code, "kind": "trapped", "trapped_count": 1},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def wait_until_streaming(page: Any) -> None:
    """The page's EventSource is open (the stream, not the polling fallback, is under test)."""
    page.locator('[data-live-state][data-mode="stream"]').wait_for(timeout=TIMEOUT_MS)


def test_firm_queue_shows_a_new_trapped_report_within_2_s_with_bell_and_badge(
    context: Any, live_server: LiveServer
) -> None:
    page = phone_login(context, live_server.world.firm_login, "/firm")
    wait_until_streaming(page)
    title = page.title()
    assert not title.startswith("(")
    receipt = public_report(live_server, live_server.world.live_codes[0])
    started = time.monotonic()
    page.locator(f'#firm-queue [data-incident="{receipt["number"]}"]').wait_for(
        timeout=LIVE_WITHIN_MS
    )
    elapsed_ms = (time.monotonic() - started) * 1000
    assert elapsed_ms < LIVE_WITHIN_MS
    assert page.title() == f"(1) {title}"
    assert page.locator("body").get_attribute("data-live-beeps") == "1"
    row = page.locator(f'#firm-queue [data-incident="{receipt["number"]}"]')
    assert row.get_by_role("button", name=re.compile("^接单")).is_visible()
    # The page never reloaded: the EventSource is the same and the width still fits a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "20-firm-live-new-job-phone")
    page.locator("h1").click()  # the person looked: the badge goes
    assert page.title() == title


def test_firm_queue_polls_when_its_stream_is_cut(context: Any, live_server: LiveServer) -> None:
    context.route(re.compile(r".*/firm/live$"), lambda route: route.abort())
    page = phone_login(context, live_server.world.firm_login, "/firm")
    page.locator('[data-live-state][data-mode="polling"]').wait_for(timeout=TIMEOUT_MS)
    receipt = public_report(live_server, live_server.world.live_codes[1])
    # The fallback polls every second in the test server (5 s by default).
    page.locator(f'#firm-queue [data-incident="{receipt["number"]}"]').wait_for(timeout=TIMEOUT_MS)
    assert page.locator("body").get_attribute("data-live-beeps") == "1"


def test_seat_assigns_an_unowned_rescue_and_the_firm_then_accepts_it(
    browser: Any, context: Any, live_server: LiveServer
) -> None:
    world = live_server.world
    resident = context.new_page()
    resident.set_viewport_size(PHONE)
    resident.goto(f"/e/{world.unowned_code}/report?kind=trapped")
    resident.get_by_label("被困人数").fill("1")
    resident.get_by_role("button", name="立即报告困人").click()
    resident.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]+\?received=new"))
    assert "正在为您联系救援单位" in resident.locator("main").inner_text()
    assert "救援已派出" not in resident.locator("main").inner_text()
    number = resident.locator("#incident-number").inner_text()
    screenshot(resident, "21-tracking-awaiting-rescuer-phone")

    seat_context = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    firm_context = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    try:
        seat = phone_login(seat_context, world.seat_login, "/seat")
        row = seat.locator(f'#seat-queue tr[data-incident="{number}"]')
        row.get_by_label("救援单位").select_option(label=world.firm_name)
        screenshot(seat, "22-seat-assign-phone")
        row.get_by_role("button", name=re.compile("^指派")).click()
        # The queue answers on the same URL: wait for the row to go, not for the URL.
        expect(seat.locator(f'tr[data-incident="{number}"]')).to_have_count(0, timeout=TIMEOUT_MS)

        # The resident's page moves on by itself, and says who is coming.
        resident.locator('#incident-status[data-status="dispatched"]').wait_for(timeout=TIMEOUT_MS)
        assert world.firm_name in resident.locator("#tracking-live").inner_text()

        firm = phone_login(firm_context, world.firm_login, "/firm")
        firm_row = firm.locator(f'#firm-queue [data-incident="{number}"]')
        submit(firm, firm_row.get_by_role("button", name=re.compile("^接单")), "/firm")
        resident.locator('#incident-status[data-status="accepted"]').wait_for(timeout=TIMEOUT_MS)
        screenshot(resident, "23-tracking-accepted-phone")
    finally:
        seat_context.close()
        firm_context.close()


def test_a_live_update_keeps_the_fault_cause_being_picked(
    context: Any, live_server: LiveServer
) -> None:
    world = live_server.world
    page = phone_login(context, world.firm_login, "/firm")
    number = public_report(live_server, world.live_codes[2])["number"]
    card = page.locator(f'#firm-queue [data-incident="{number}"]')
    card.wait_for(timeout=TIMEOUT_MS)
    for step in ("接单", "已到场", "已解救"):
        submit(page, card.get_by_role("button", name=re.compile(f"^{step}")), "/firm")
    card.get_by_label("故障原因").select_option(label="门系统故障")
    wait_until_streaming(page)
    # Another rescue arrives while the dispatcher is choosing: the queue redraws itself.
    other = public_report(live_server, world.live_codes[3])["number"]
    page.locator(f'#firm-queue [data-incident="{other}"]').wait_for(timeout=TIMEOUT_MS)
    chosen = card.get_by_label("故障原因")
    assert chosen.evaluate("select => select.options[select.selectedIndex].text") == "门系统故障"
    card.get_by_role("button", name=re.compile("^办结")).click()
    expect(card).to_have_count(0, timeout=TIMEOUT_MS)
