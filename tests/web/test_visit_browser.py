"""Done-when of the maintenance visit (issue 12), in Chromium at 390×844: a worker logs in,
scans the card, checks in, ticks the half-month checklist, attaches 8 photos, checks out and
submits; the user unit's safety manager confirms; the dossier and the API show the record with
both times, location, checklist, photo hashes and the confirmer; a retry makes no second
record; the worker cannot confirm; another firm's elevator answers 404."""

import re
from typing import Any

import httpx
import pytest

from tests.factories import TEST_PASSWORD
from tests.visits.photos import jpeg
from tests.web.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# 30 m north of the test elevator (29.028300, 106.651400).
ON_SITE = {"latitude": 29.02857, "longitude": 106.6514, "accuracy": 15}
CHECKPOINTS = ("machine_room", "car_top", "pit", "car")


def api(live_server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{live_server.base_url}/api/v1",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


@pytest.fixture
def phone(browser: Any, live_server: LiveServer) -> Any:
    """A phone: 390×844, Chinese, location granted and on site, only loopback reachable."""
    context = browser.new_context(
        base_url=live_server.base_url,
        locale="zh-CN",
        viewport=PHONE,
        geolocation=ON_SITE,
        permissions=["geolocation"],
    )
    context.set_default_timeout(120_000)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(f"{live_server.base_url}/")
            else route.abort()
        ),
    )
    yield context
    context.close()


def log_in(context: Any, login: str) -> Any:
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("登录名").fill(login)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    return page


def test_a_worker_files_a_visit_from_the_phone_and_the_safety_manager_confirms_it(
    phone: Any, live_server: LiveServer
) -> None:
    world = live_server.world
    page = log_in(phone, world.worker_login)
    page.goto(f"/e/{world.visit_code}")
    page.get_by_role("link", name=re.compile("开始维保")).click()
    page.wait_for_url(re.compile(rf"/firm/visit/{world.visit_code}$"))
    page.wait_for_selector("body[data-ready='1']")
    screenshot(page, "visit-01-form-phone")

    page.get_by_role("button", name=re.compile("签到")).click()
    page.wait_for_function(
        "document.getElementById('check-in-result').textContent.includes('距电梯')"
    )
    assert "距电梯 30 米" in page.locator("#check-in-result").inner_text()

    page.get_by_label("第二名作业人员姓名").fill("李强")
    page.locator("#all-normal").click()
    assert page.locator("#checklist-progress").inner_text() == "已填 31 / 31"
    # One item adjusted, with the note the standard's record needs.
    page.locator("#item-A1-5 label.result", has_text="调整").click()
    page.locator("#item-A1-5 input.note").fill("制动器间隙调整至0.7mm")

    for checkpoint in CHECKPOINTS:
        for phase in ("before", "after"):
            page.locator(f"#slot-{checkpoint}-{phase} input[type=file]").set_input_files(
                {"name": f"{checkpoint}-{phase}.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
            )
            page.wait_for_selector(f"#slot-{checkpoint}-{phase}.done")
    screenshot(page, "visit-02-filled-phone")

    page.get_by_role("button", name="离场签退").click()
    page.wait_for_function(
        "document.getElementById('check-out-result').textContent.includes('签退')"
    )
    page.get_by_role("button", name="提交维保记录").click()
    page.wait_for_url(re.compile(r"/firm/visits/[0-9a-f-]{36}/done$"))
    visit_id = page.url.split("/")[-2]
    summary = page.locator(f"#visit-summary-{visit_id}").inner_text()
    assert "半月维保" in summary and "30 米" in summary and "调整 1" in summary
    assert page.locator(f"#visit-summary-{visit_id} figure.thumb").count() == 8
    screenshot(page, "visit-03-done-phone")
    # The phone's copy is gone once the server has filed the record.
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('visit:'))") == []

    with api(live_server, world.worker_token) as worker_api:
        visit = worker_api.get(f"/visits/{visit_id}").json()
        record_id = visit["record_id"]
        # A retry of the same submit (a bad signal) answers with the same record.
        retry = worker_api.post(
            f"/visits/{visit_id}/submission",
            json={
                "first_worker": {"name": "张伟"},
                "second_worker": {"name": "李强"},
                "checklist": [{"code": "A1-1", "result": "normal"}],
            },
        )
        assert (retry.status_code, retry.json()["id"]) == (200, record_id)
        records = worker_api.get(
            "/maintenance-records", params={"elevator_id": visit["elevator_id"]}
        ).json()["items"]
        assert [r["id"] for r in records] == [record_id]
        # The worker's own account cannot sign for the user unit: the record knows its filer.
        refused = worker_api.post(
            f"/maintenance-records/{record_id}/confirmation", json={"safety_manager": "张伟"}
        )
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "CONFIRMER_IS_FILER"

    # The safety manager signs on the user unit's page, from their own account, after seeing
    # the visit: times, distance, checklist, the 8 photos.
    manager = log_in(phone, world.manager_login)
    manager.goto("/unit/records")
    waiting = manager.locator("li.card", has=manager.locator(f"#visit-summary-{visit_id}"))
    assert waiting.locator("figure.thumb").count() == 8
    assert "30 米" in waiting.inner_text() and "签退" in waiting.inner_text()
    screenshot(manager, "visit-04-confirm-phone")
    waiting.get_by_role("button", name=re.compile("确认签字")).click()
    manager.wait_for_url(re.compile(r"/unit/records\?confirmed=1$"))

    with api(live_server, world.bureau_token) as bureau_api:
        record = bureau_api.get(f"/maintenance-records/{record_id}").json()
        dossier = bureau_api.get(f"/elevators/{visit['elevator_id']}/dossier").json()
    assert record["confirmation"]["safety_manager"] == "李娜"
    assert record["confirmation"]["confirmed_by_user_id"] is not None
    shown = record["visit"]
    assert shown["check_in_at"] and shown["check_out_at"]
    assert shown["check_in_distance_m"] == 30 and shown["check_in_far"] is False
    assert len(shown["checklist"]) == 31
    assert {e["result"] for e in shown["checklist"]} == {"normal", "adjusted"}
    assert len({p["sha256"] for p in shown["photos"]}) == 8
    (in_dossier,) = dossier["maintenance_records"]
    assert in_dossier["visit"]["photos"] == shown["photos"]

    officer = log_in(phone, world.bureau_login)
    officer.goto(f"/bureau/elevators/{visit['elevator_id']}")
    card = officer.locator(f'article.visit-record[data-record="{record_id}"]')
    assert card.locator(".confirmer").inner_text() == "李娜"
    assert card.locator("figure.thumb").count() == 8
    assert shown["photos"][0]["sha256"][:16] in card.inner_text()


def test_a_worker_cannot_open_another_firms_elevator(phone: Any, live_server: LiveServer) -> None:
    page = log_in(phone, live_server.world.worker_login)
    answer = page.goto(f"/firm/visit/{live_server.world.other_firm_code}")
    assert answer is not None and answer.status == 404
    assert "未找到该电梯" in page.locator("main").inner_text()
    card = page.goto(f"/e/{live_server.world.other_firm_code}")
    assert card is not None and card.status == 200
    assert page.get_by_role("link", name=re.compile("开始维保")).count() == 0
