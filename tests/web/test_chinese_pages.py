"""Issue 14's page points through TestClient: the risk list's total, firm column and pickers,
the dashboard's order and KPI tiles, the dossier's stop-use notice, the card's stop-use banner
and the tracking page's place and dated timeline."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from tests import factories
from tests.conftest import NOW
from tests.web.conftest import Login


@pytest.fixture
def bureau_api(session: Session) -> dict[str, str]:
    """API headers of a bureau officer (a token with a Chinese label, as people name them)."""
    _, secret = auth_service.create_token(session, role=Role.BUREAU, label="区局值班员", now=NOW)
    return {"Authorization": f"Bearer {secret}"}


def _serious_hazard(pages: TestClient, headers: dict[str, str], elevator_id: int) -> int:
    body = {"elevator_id": elevator_id, "severity": "serious", "description": "制动器失效"}
    answer = pages.post("/api/v1/hazard-reports", json=body, headers=headers)
    assert answer.status_code == 201, answer.json()
    return int(answer.json()["id"])


def test_the_risk_list_counts_names_the_firm_and_picks_units_by_name(
    pages: TestClient, login: Login, world: factories.World
) -> None:
    login(Role.BUREAU)
    page = pages.get("/bureau/risk").text
    rows = re.findall(r'<tr data-elevator="(\d+)">', page)
    total = re.search(r"共 ([\d,]+) 台电梯有风险问题", page)
    assert total and int(total.group(1).replace(",", "")) == len(rows) > 0
    row = page[page.index(f'<tr data-elevator="{world.lift_a.id}">') :]
    assert f'<td class="firm">{world.maintainer_a.name}</td>' in row[: row.index("</tr>")]
    other = page[page.index(f'<tr data-elevator="{world.lift_b.id}">') :]
    assert f'<td class="firm">{world.maintainer_b.name}</td>' in other[: other.index("</tr>")]
    # Pickers, not numeric id inputs; Chinese option labels.
    assert 'type="number"' not in page
    assert f'<option value="{world.maintainer_a.id}" >{world.maintainer_a.name}</option>' in page
    assert f'<option value="{world.user_b.id}" >{world.user_b.name}</option>' in page
    assert '<option value="residential" >住宅</option>' in page
    picked = pages.get(f"/bureau/risk?maintenance_unit_id={world.maintainer_a.id}").text
    assert re.findall(r'<tr data-elevator="(\d+)">', picked) == [str(world.lift_a.id)]
    assert f'<option value="{world.maintainer_a.id}" selected>' in picked
    assert "共 1 台电梯有风险问题" in picked


def test_the_dashboard_sorts_streets_by_risk_and_shows_targets_with_signs(
    pages: TestClient, login: Login, world: factories.World
) -> None:
    login(Role.BUREAU)
    page = pages.get("/bureau").text
    table = page[page.index('id="risk-by-street"') :]
    table = table[: table.index("</table>")]
    scores = [
        int(score)
        for score in re.findall(r'<td class="num">\d+</td><td class="num">(\d+)</td>', table)
    ]
    assert len(scores) >= 2 and scores == sorted(scores, reverse=True)
    targets = re.findall(r'<span class="tile-target">目标 (\S+) ([^<·]+)', page)
    signs = dict(re.findall(r'data-kpi="(\w+)">.*?目标 (\S+) ', page, re.S))
    assert targets and signs["emergency_response_rate"] == "≥"
    assert signs["average_arrival_minutes"] == "≤"
    assert "每台·月" in page
    # The test clock's day is mid-month: its month is marked partial.
    assert f"{NOW:%Y-%m} 未满月" in page


def test_the_dossier_links_to_the_printable_notice_for_the_logged_in_officer(
    pages: TestClient, login: Login, world: factories.World, bureau_api: dict[str, str]
) -> None:
    hazard_id = _serious_hazard(pages, bureau_api, world.lift_a.id)
    login(Role.BUREAU)
    dossier = pages.get(f"/bureau/elevators/{world.lift_a.id}").text
    link = f"/bureau/hazard-reports/{hazard_id}/notice"
    assert f'href="{link}"' in dossier
    notice = pages.get(link)
    api = pages.get(f"/api/v1/hazard-reports/{hazard_id}/notice?format=html", headers=bureau_api)
    assert notice.status_code == 200 and notice.headers["content-type"].startswith("text/html")
    assert notice.text == api.text  # the same notice the API renders
    assert "停止使用" in notice.text
    pages.cookies.clear()
    anonymous = pages.get(link, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_a_suspended_elevator_card_says_stop_and_an_in_use_one_does_not(
    pages: TestClient, world: factories.World, bureau_api: dict[str, str]
) -> None:
    assert "停止使用，请勿乘坐" not in pages.get(f"/e/{world.lift_a.rescue_code}").text
    _serious_hazard(pages, bureau_api, world.lift_a.id)
    card = pages.get(f"/e/{world.lift_a.rescue_code}").text
    assert '<p class="banner stop" role="alert" id="stop-use">停止使用，请勿乘坐</p>' in card
    assert "停用" in card


def test_the_tracking_page_names_the_lift_and_dates_its_timeline(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    world.lift_a.building, world.lift_a.unit, world.lift_a.in_house_number = "3栋", "2单元", "1号梯"
    session.flush()
    report = {"rescue_code": world.lift_a.rescue_code, "kind": "trapped", "trapped_count": 1}
    token = pages.post("/api/v1/incidents", json=report).json()["tracking_token"]
    page = pages.get(f"/t/{token}").text
    place = page[page.index('id="incident-place"') :]
    assert "3栋 2单元 1号梯" in place[: place.index("</p>")]
    assert world.lift_a.address in place[: place.index("</p>")]
    times = re.findall(r'<time datetime="[^"]+">([^<]+)</time>', page)
    assert times and all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", t) for t in times)
    api = pages.get(f"/api/v1/incidents/track/{token}")
    assert api.json()["elevator"]["in_house_number"] == "1号梯"  # the API names the lift too


def test_an_error_page_shows_the_chinese_message(pages: TestClient) -> None:
    page = pages.get("/e/999999")
    assert page.status_code == 404
    assert "没有电梯使用 96333 识别码“999999”" in page.text
    assert "no elevator has rescue code" not in page.text
