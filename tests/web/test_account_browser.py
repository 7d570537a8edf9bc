"""Phone journeys of issue 12 (accounts part) in Chromium at 390×844: the user unit's safety
manager logs in and confirms a waiting record; the firm closes a rescue with a fault cause."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import LiveServer, screenshot
from tests.web.test_browser import PHONE, TIMEOUT_MS, log_in, submit

pytestmark = pytest.mark.browser


def test_the_safety_manager_confirms_a_record_on_the_phone(
    context: Any, live_server: LiveServer
) -> None:
    world = live_server.world
    page = log_in(context, world.manager_login, viewport=PHONE)
    assert page.url.endswith("/unit")
    assert "等待您确认" in page.locator("#waiting-summary").inner_text()
    screenshot(page, "30-unit-home-phone")
    page.get_by_role("link", name="去确认").click()
    card = page.locator("#waiting-records li[data-record]").filter(
        has_text=world.waiting_record_address
    )
    assert "半月维保" in card.inner_text() and "张伟" in card.inner_text()
    # Nothing on the page is wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "31-unit-records-phone")
    card.get_by_role("button", name=re.compile("^确认签字")).click()
    page.wait_for_url(re.compile(r"/unit/records\?confirmed=1$"))
    assert "签字人：李娜" in page.locator(".notice").inner_text()
    assert (
        page.locator("#waiting-records li[data-record]")
        .filter(has_text=world.waiting_record_address)
        .count()
        == 0
    )
    screenshot(page, "32-unit-confirmed-phone")


def test_the_firm_closes_a_rescue_with_a_fault_cause_on_the_phone(
    browser: Any, context: Any, live_server: LiveServer
) -> None:
    world = live_server.world
    resident = context.new_page()
    resident.set_viewport_size(PHONE)
    resident.goto(f"/e/{world.closing_code}/report?kind=trapped")
    resident.get_by_label(re.compile("联系电话")).fill("13812345678")
    resident.get_by_role("button", name="立即报告困人").click()
    resident.wait_for_url(re.compile(r"/t/"))
    number = resident.locator("#incident-number").inner_text()

    firm_context = browser.new_context(base_url=live_server.base_url)
    try:
        firm = log_in(firm_context, world.firm_login, viewport=PHONE)
        card = firm.locator(f'[data-incident="{number}"]')
        assert "13812345678" in card.inner_text()
        assert "7栋 2单元 1号梯" in card.inner_text()
        for step in ("接单", "已到场", "已解救"):
            button = firm.locator(f'[data-incident="{number}"]').get_by_role(
                "button", name=re.compile(f"^{step}")
            )
            submit(firm, button, "/firm")
        card = firm.locator(f'[data-incident="{number}"]')
        card.get_by_label("故障原因").select_option(label="门系统故障")
        assert firm.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(firm, "33-firm-close-phone")
        card.get_by_role("button", name=re.compile("^办结")).click()
        # The queue answers on the same URL: wait for the card to go, not for the URL.
        expect(firm.locator(f'[data-incident="{number}"]')).to_have_count(0, timeout=TIMEOUT_MS)
    finally:
        firm_context.close()
    resident.reload()
    assert resident.locator("#incident-status").get_attribute("data-status") == "closed"
