"""Live pages and the seats' queue through the TestClient: the polling twins of the streams are
scoped like their pages, an unowned rescue waits honestly for a seat, a seat assigns it and the
firm then works it as usual. (The streams themselves run in the browser test, test_browser.)"""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.incidents.models import Incident, IncidentEvent
from elevator_registry.incidents.protection import RateLimiter
from elevator_registry.registry.enums import OrganisationRole
from tests import factories
from tests.conftest import NOW
from tests.web.conftest import Login, csrf_of


def public_report(pages: TestClient, lift: Any, kind: str = "trapped") -> dict[str, Any]:
    """A resident's report through the public API; the receipt."""
    answer = pages.post("/api/v1/incidents", json={"rescue_code": lift.rescue_code, "kind": kind})
    assert answer.status_code == 201, answer.text
    return answer.json()


def unowned_lift(session: Session, world: factories.World) -> Any:
    """An elevator in use without any maintenance contract."""
    return factories.elevator(session, street_name="古南街道", user_unit_id=world.user_a.id)


def api_headers(session: Session, role: Role, organisation: Any = None) -> dict[str, str]:
    """Bearer headers of a new token."""
    _, secret = auth_service.create_token(
        session,
        role=role,
        label=f"api {role}",
        now=NOW,
        organisation_credit_code=getattr(organisation, "credit_code", None),
    )
    return {"Authorization": f"Bearer {secret}"}


def test_firm_page_is_live_without_meta_refresh_and_its_feed_holds_only_its_incidents(
    pages: TestClient, login: Login, world: factories.World
) -> None:
    own = public_report(pages, world.lift_a)
    other = public_report(pages, world.lift_b)  # maintained by firm B
    firm = login(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    page = firm.get("/firm")
    assert 'http-equiv="refresh"' not in page.text
    assert 'data-live-stream="/firm/live"' in page.text and "data-live-badge" in page.text
    feed = firm.get("/firm/live.json").json()
    assert feed["ids"] == [own["number"]]
    assert own["number"] in feed["html"] and other["number"] not in feed["html"]
    assert 'name="csrf_token"' in feed["html"]  # its buttons still post


def test_board_feed_follows_the_street_filter(
    pages: TestClient, login: Login, world: factories.World
) -> None:
    in_street = public_report(pages, world.lift_a)  # 古南街道
    in_town = public_report(pages, world.lift_b)  # 永新镇
    bureau = login(Role.BUREAU)
    assert 'data-live-stream="/bureau/incidents/live' in bureau.get("/bureau/incidents").text
    every = bureau.get("/bureau/incidents/live.json").json()["ids"]
    street = bureau.get("/bureau/incidents/live.json", params={"street": "古南街道"}).json()["ids"]
    assert set(every) == {in_street["number"], in_town["number"]}
    assert street == [in_street["number"]]


def test_unowned_rescue_tells_the_resident_a_rescuer_is_being_found_not_sent(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    receipt = public_report(pages, unowned_lift(session, world))
    assert (receipt["status"], receipt["no_contract"]) == ("reported", True)
    page = pages.get(f"/t/{receipt['tracking_token']}?received=new").text
    assert "正在为您联系救援单位" in page
    assert "救援已派出" not in page and "已派单" not in page
    tracked = pages.get(f"/api/v1/incidents/track/{receipt['tracking_token']}").json()
    assert tracked["awaiting_rescuer"] is True and tracked["maintenance_unit"] is None


def test_a_seat_assigns_an_unowned_rescue_and_the_firm_then_works_it(
    pages: TestClient, login: Login, session: Session, world: factories.World
) -> None:
    receipt = public_report(pages, unowned_lift(session, world))
    token = receipt["tracking_token"]
    seat = login(Role.OPERATOR)
    queue = seat.get("/seat")
    assert receipt["number"] in queue.text and world.maintainer_b.name in queue.text
    incident = session.scalars(select(Incident).where(Incident.number == receipt["number"])).one()
    answer = seat.post(
        f"/seat/incidents/{incident.id}/assign",
        data={"maintenance_unit_id": str(world.maintainer_b.id), "csrf_token": csrf_of(queue.text)},
        follow_redirects=False,
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/seat")
    assert receipt["number"] not in seat.get("/seat/live.json").json()["ids"]
    session.refresh(incident)
    assert (incident.status, incident.maintenance_unit_id) == ("dispatched", world.maintainer_b.id)
    assert incident.dispatched_at == NOW
    tracking = pages.get(f"/t/{token}").text
    assert "已派单给救援单位" in tracking and world.maintainer_b.name in tracking

    # The normal flow from here: firm B sees it in its queue and accepts it.
    firm = login(Role.MAINTENANCE_UNIT, organisation=world.maintainer_b)
    firm_page = firm.get("/firm")
    assert receipt["number"] in firm.get("/firm/live.json").json()["ids"]
    accepted = firm.post(
        f"/firm/incidents/{incident.id}/accept",
        data={"csrf_token": csrf_of(firm_page.text)},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    session.refresh(incident)
    assert incident.status == "accepted"
    assert "救援单位已接单" in pages.get(f"/t/{token}/live.json").json()["html"]


def test_assign_api_is_a_compare_and_set_with_its_event_and_audit(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    receipt = public_report(pages, unowned_lift(session, world))
    incident = session.scalars(select(Incident).where(Incident.number == receipt["number"])).one()
    operator = api_headers(session, Role.OPERATOR)
    url = f"/api/v1/incidents/{incident.id}/assign"
    first = pages.post(url, json={"maintenance_unit_id": world.maintainer_a.id}, headers=operator)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "dispatched"
    again = pages.post(url, json={"maintenance_unit_id": world.maintainer_b.id}, headers=operator)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "INCIDENT_ALREADY_ASSIGNED"
    assert again.json()["error"]["message_zh"]
    session.refresh(incident)
    assert incident.maintenance_unit_id == world.maintainer_a.id  # the loser changed nothing
    dispatched = session.scalars(
        select(IncidentEvent.detail).where(
            IncidentEvent.incident_id == incident.id, IncidentEvent.kind == "dispatched"
        )
    ).all()
    assert dispatched == [
        {"level": 2, "maintenance_unit_id": world.maintainer_a.id, "assigned": True}
    ]
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "incident.assign")).one()
    assert audit.entity_id == incident.id
    assert audit.changes["maintenance_unit_id"] == {"before": None, "after": world.maintainer_a.id}


def test_assign_is_refused_to_firms_and_to_organisations_that_do_not_maintain(
    pages: TestClient, session: Session, world: factories.World
) -> None:
    receipt = public_report(pages, unowned_lift(session, world))
    incident = session.scalars(select(Incident).where(Incident.number == receipt["number"])).one()
    url = f"/api/v1/incidents/{incident.id}/assign"
    user_unit = factories.organisation(session, "某物业公司", OrganisationRole.USER_UNIT)
    not_a_firm = pages.post(
        url,
        json={"maintenance_unit_id": user_unit.id},
        headers=api_headers(session, Role.OPERATOR),
    )
    error = not_a_firm.json()["error"]
    assert not_a_firm.status_code == 422
    assert (error["code"], error["field"]) == ("ASSIGNEE_NOT_MAINTAINER", "maintenance_unit_id")
    assert error["message_zh"] == "所选单位不是维保（救援）单位"
    # A maintenance unit cannot read an incident it holds no contract for: 404, nothing leaks.
    by_firm = pages.post(
        url,
        json={"maintenance_unit_id": world.maintainer_a.id},
        headers=api_headers(session, Role.MAINTENANCE_UNIT, world.maintainer_a),
    )
    assert by_firm.status_code == 404
    session.refresh(incident)
    assert (incident.status, incident.maintenance_unit_id) == ("reported", None)


def test_the_tracking_feed_counts_against_the_public_read_limit(
    pages: TestClient, world: factories.World
) -> None:
    receipt = public_report(pages, world.lift_a)
    pages.app.state.rate_limiter = RateLimiter(  # type: ignore[attr-defined]
        {"intake": "5/minute", "public_read": "2/minute"}
    )
    url = f"/t/{receipt['tracking_token']}/live.json"
    answers = [pages.get(url) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[0].json()["status"] == "dispatched"
    assert set(answers[0].json()) == {"html", "status", "final"}  # this incident's card only
