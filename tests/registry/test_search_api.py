"""Finding elevators: `GET /elevators/search` (exact identifiers first) and the `q` and
`address` filters of `GET /elevators`, scoped like the rest of the API."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.registry.models import Elevator
from tests import factories
from tests.conftest import AuthHeaders


def _lift(session: Session, **fields: object) -> Elevator:
    return factories.elevator(session, street_name="古南街道", **fields)


def _ids(response: object) -> list[int]:
    return [item["id"] for item in response.json()["items"]]  # type: ignore[attr-defined]


def test_an_exact_rescue_code_comes_before_fragments_that_contain_it(
    client: TestClient, bureau: dict[str, str], session: Session, world: factories.World
) -> None:
    # The fragment lift has the lower id, so only the ranking puts the exact one first.
    fragment = _lift(session, address="綦江区文龙街道 门牌 907331 号")
    exact = _lift(session, rescue_code="907331")
    answer = client.get("/api/v1/elevators/search", params={"q": "907331"}, headers=bureau)
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [(item["id"], item["exact"]) for item in items] == [
        (exact.id, True),
        (fragment.id, False),
    ]


def test_search_finds_by_equipment_code_in_lower_case_and_by_registration_number(
    client: TestClient, bureau: dict[str, str], session: Session, world: factories.World
) -> None:
    lift = _lift(session, equipment_code="3110500122018X9988", registration_number=None)
    registered = _lift(
        session, registration_number="梯11渝A07788(19)", registered_on=lift.commissioned_on
    )
    by_code = client.get(
        "/api/v1/elevators/search", params={"q": "3110500122018x9988"}, headers=bureau
    )
    assert [(item["id"], item["exact"]) for item in by_code.json()["items"]] == [(lift.id, True)]
    # Full-width brackets, as a Chinese keyboard types them, still match exactly.
    by_number = client.get(
        "/api/v1/elevators/search", params={"q": "梯11渝A07788（19）"}, headers=bureau
    )
    assert [(item["id"], item["exact"]) for item in by_number.json()["items"]] == [
        (registered.id, True)
    ]


def test_search_finds_by_part_of_the_address_or_the_community(
    client: TestClient, bureau: dict[str, str], session: Session, world: factories.World
) -> None:
    in_community = _lift(session, community="滨江花园小区")
    on_road = _lift(session, address="綦江区古南街道滨江路12号")
    _lift(session, address="綦江区古南街道沙溪路1号")
    answer = client.get("/api/v1/elevators/search", params={"q": "滨江"}, headers=bureau)
    assert _ids(answer) == [in_community.id, on_road.id]
    assert all(item["exact"] is False for item in answer.json()["items"])


def test_search_sees_only_what_the_caller_may_read(
    client: TestClient, auth: AuthHeaders, session: Session, world: factories.World
) -> None:
    firm = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    answer = client.get(
        "/api/v1/elevators/search", params={"q": world.lift_b.rescue_code}, headers=firm
    )
    assert answer.json()["items"] == []
    own = client.get(
        "/api/v1/elevators/search", params={"q": world.lift_a.rescue_code}, headers=firm
    )
    assert _ids(own) == [world.lift_a.id]


def test_blank_search_is_refused_with_a_chinese_message(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    answer = client.get("/api/v1/elevators/search", params={"q": "   "}, headers=bureau)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "SEARCH_QUERY_INVALID"
    assert error["field"] == "q"
    assert "搜索内容" in error["message_zh"]


def test_search_needs_a_token(client: TestClient, world: factories.World) -> None:
    answer = client.get("/api/v1/elevators/search", params={"q": "古南"})
    assert answer.status_code == 401


def test_list_filters_by_address_and_by_q(
    client: TestClient, bureau: dict[str, str], session: Session, world: factories.World
) -> None:
    on_road = _lift(session, address="綦江区古南街道滨江路12号")
    in_community = _lift(session, community="滨江花园小区")
    by_address = client.get("/api/v1/elevators", params={"address": "滨江路"}, headers=bureau)
    assert _ids(by_address) == [on_road.id]
    by_q = client.get("/api/v1/elevators", params={"q": "滨江"}, headers=bureau)
    assert _ids(by_q) == [on_road.id, in_community.id]


def test_percent_in_the_query_is_a_literal_not_a_wildcard(
    client: TestClient, bureau: dict[str, str], session: Session, world: factories.World
) -> None:
    _lift(session, address="綦江区古南街道沙溪路5号")
    answer = client.get("/api/v1/elevators/search", params={"q": "%"}, headers=bureau)
    assert answer.json()["items"] == []
