"""The staff header's search box and its results page (/bureau/search), through the test client
and, on a phone, in Chromium."""

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from tests import factories
from tests.web.conftest import LiveServer, Login, screenshot
from tests.web.test_browser import PHONE, log_in


def test_the_staff_header_search_lists_hits_in_chinese(
    login: Login, session: Session, world: factories.World
) -> None:
    lift = factories.elevator(
        session, street_name="古南街道", community="滨江花园小区", rescue_code="907332"
    )
    pages = login(Role.BUREAU)
    dashboard = pages.get("/bureau/incidents")
    assert 'action="/bureau/search"' in dashboard.text
    page = pages.get("/bureau/search", params={"q": "907332"})
    assert page.status_code == 200
    assert f'href="/bureau/elevators/{lift.id}"' in page.text
    assert "编号完全一致" in page.text
    assert "滨江花园小区" in page.text
    assert "在用" in page.text and "in_use" not in page.text
    empty = pages.get("/bureau/search", params={"q": "不存在的小区"})
    assert "没有找到符合的电梯" in empty.text


@pytest.mark.browser
def test_an_officer_on_a_phone_finds_an_elevator_from_the_header(
    context: Any, live_server: LiveServer
) -> None:
    code = live_server.world.rescue_codes[0]
    page = log_in(context, live_server.world.bureau_login, "/bureau/incidents", viewport=PHONE)
    box = page.get_by_role("searchbox", name="搜索电梯")
    box.fill(code)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/bureau/search\?q="))
    hits = page.locator("#search-hits li")
    assert hits.first.locator(".badge").inner_text() == "编号完全一致"
    assert code in hits.first.inner_text()
    # Nothing wider than the phone: the page scrolls down, never sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "41-search-phone")
    hits.first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/bureau/elevators/\d+$"))
