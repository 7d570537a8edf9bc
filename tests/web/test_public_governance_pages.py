"""The public governance pages through the TestClient: blacklist, star ratings, cost disclosures.

Each page must show what its public API route gives anyone, and nothing more.
"""

import html
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.incidents.protection import RateLimiter
from tests import factories
from tests.governance import builders
from tests.web.conftest import Login


def test_blacklist_shows_current_listings_and_nothing_private(
    pages: TestClient, world: factories.World, session: Session
) -> None:
    listed = world.maintainer_b
    listed.contact_name = "张维保"
    listed.address = "綦江区文龙街道九龙大道88号"
    factories.blacklist(session, listed, listed_on=date(2026, 3, 2))
    lifted = factories.blacklist(session, world.manufacturer, listed_on=date(2025, 1, 6))
    lifted.lifted_on, lifted.lift_reason = date(2026, 1, 6), "整改完成"
    session.flush()

    answer = pages.get("/public/blacklist")
    assert answer.status_code == 200
    for shown in (listed.name, listed.credit_code, "伪造维保记录", "三(十一)", "2026-03-02"):
        assert html.escape(shown) in answer.text, shown
    for hidden in (listed.duty_phone, "张维保", "九龙大道", world.manufacturer.name, "整改完成"):
        assert hidden not in answer.text, hidden


def test_star_ratings_default_to_the_latest_year_and_draw_the_stars(
    pages: TestClient, world: factories.World, session: Session
) -> None:
    builders.rating(session, world.maintainer_a, year=2024, grade="C", score="61.00")
    builders.rating(session, world.maintainer_a, year=2025, grade="A", score="96.50", stars=5)
    builders.rating(session, world.maintainer_b, year=2025, grade="D", score="0.00")

    latest = pages.get("/public/star-ratings")
    assert latest.status_code == 200
    assert '<option value="2025" selected>' in latest.text
    assert '<option value="2024">' in latest.text
    assert world.maintainer_a.credit_code in latest.text and "96.50" in latest.text
    assert 'aria-label="5 星">★★★★★<' in latest.text
    assert 'aria-label="0 星"><span class="unlit">☆☆☆☆☆<' in latest.text
    assert "D 级" in latest.text and "61.00" not in latest.text

    earlier = pages.get("/public/star-ratings?year=2024")
    assert 'aria-label="2 星">★★<span class="unlit">☆☆☆<' in earlier.text
    assert "61.00" in earlier.text and world.maintainer_b.name not in earlier.text


def test_a_bad_year_is_a_422_page_with_the_api_message(pages: TestClient) -> None:
    for year in ("1800", "last"):
        api = pages.get(f"/api/v1/public/star-ratings?year={year}")
        page = pages.get(f"/public/star-ratings?year={year}")
        assert api.status_code == page.status_code == 422
        assert page.headers["content-type"].startswith("text/html")
        assert html.escape(api.json()["error"]["message_zh"]) in page.text


def test_cost_disclosures_of_a_user_unit_and_the_form_to_pick_one(
    pages: TestClient, world: factories.World, session: Session
) -> None:
    builders.disclosure(session, world.lift_a, year=2024, amount="8800.00")
    builders.disclosure(session, world.lift_a, year=2025, amount="9600.00")

    form = pages.get("/public/cost-disclosures")
    assert form.status_code == 200
    assert f'<option value="{world.user_a.id}">{world.user_a.name}</option>' in form.text
    # Only units that disclosed are offered.
    assert world.user_b.name not in form.text

    answer = pages.get(f"/public/cost-disclosures?user_unit_id={world.user_a.id}")
    assert answer.status_code == 200
    for shown in (world.lift_a.address, world.lift_a.rescue_code, "9,600.00 元", "8,800.00 元"):
        assert shown in answer.text, shown
    assert world.user_a.duty_phone not in answer.text

    nothing = pages.get(f"/public/cost-disclosures?user_unit_id={world.user_b.id}")
    assert "该单位暂无维保费用公示" in nothing.text
    assert pages.get("/public/cost-disclosures?user_unit_id=0").status_code == 422


def test_pages_page_like_the_api(
    pages: TestClient, world: factories.World, session: Session
) -> None:
    builders.disclosure(session, world.lift_a, year=2024, amount="8800.00")
    builders.disclosure(session, world.lift_a, year=2025, amount="9600.00")
    query = f"user_unit_id={world.user_a.id}&limit=1"
    first = pages.get(f"/public/cost-disclosures?{query}")
    cursor = pages.get(f"/api/v1/public/cost-disclosures?{query}").json()["next_cursor"]
    assert f"cursor={cursor}" in first.text and "8,800.00 元" in first.text
    second = pages.get(f"/public/cost-disclosures?{query}&cursor={cursor}")
    assert "9,600.00 元" in second.text and "8,800.00 元" not in second.text
    assert pages.get("/public/blacklist?cursor=nonsense").status_code == 422


def test_pages_share_the_public_read_limit_with_the_api(pages: TestClient) -> None:
    pages.app.state.rate_limiter = RateLimiter(  # type: ignore[attr-defined]
        {"intake": "3/minute", "public_read": "2/minute"}
    )
    assert pages.get("/api/v1/public/blacklist").status_code == 200
    assert pages.get("/public/star-ratings").status_code == 200
    refused = pages.get("/public/blacklist")
    assert refused.status_code == 429 and "RATE_LIMITED" in refused.text


def test_card_and_staff_pages_link_to_the_public_pages(
    pages: TestClient, world: factories.World, login: Login
) -> None:
    card = pages.get(f"/e/{world.lift_a.rescue_code}").text
    for path in ("/public/blacklist", "/public/star-ratings", "/public/cost-disclosures"):
        assert f'href="{path}"' in card
    board = login(Role.BUREAU).get("/bureau/incidents").text
    assert 'href="/public/blacklist"' in board and 'href="/public/star-ratings"' in board
