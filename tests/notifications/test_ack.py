"""The signed one-tap acknowledge link: accepts exactly once, refuses expired or altered links."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.config import get_settings
from elevator_registry.incidents.models import Incident, IncidentEvent
from elevator_registry.notifications import ack
from tests import factories
from tests.conftest import NOW
from tests.incidents.conftest import Report


def dispatched(session: Session, report: Report, world: factories.World) -> Incident:
    number = report(world.lift_a).json()["number"]
    return session.scalars(select(Incident).where(Incident.number == number)).one()


def token_for(incident: Incident, organisation_id: int | None = None, minutes: int = 0) -> str:
    return ack.make_token(
        incident_id=incident.id,
        organisation_id=organisation_id or incident.maintenance_unit_id or 0,
        now=NOW - timedelta(minutes=minutes),
        settings=get_settings(),
    )


def accept_events(session: Session, incident: Incident) -> int:
    return len(
        session.scalars(
            select(IncidentEvent).where(
                IncidentEvent.incident_id == incident.id, IncidentEvent.kind == "accepted"
            )
        ).all()
    )


def test_the_link_shows_a_button_and_a_get_changes_nothing(
    report: Report, world: factories.World, session: Session, pages: TestClient
) -> None:
    incident = dispatched(session, report, world)
    page = pages.get(f"/ack/{token_for(incident)}")
    assert page.status_code == 200
    assert "确认接单" in page.text and incident.number in page.text
    session.refresh(incident)
    assert incident.status == "dispatched"


def test_the_link_accepts_exactly_once(
    report: Report, world: factories.World, session: Session, pages: TestClient
) -> None:
    incident = dispatched(session, report, world)
    token = token_for(incident)
    first = pages.post(f"/ack/{token}")
    assert first.status_code == 200
    assert "接单成功" in first.text
    session.refresh(incident)
    assert (incident.status, incident.accepted_at) == ("accepted", NOW)
    second = pages.post(f"/ack/{token}")
    assert second.status_code == 200
    assert "已接单" in second.text and "接单成功" not in second.text
    assert accept_events(session, incident) == 1
    again = pages.get(f"/ack/{token}")
    assert "已接单" in again.text and "确认接单" not in again.text


def test_the_api_form_says_whether_this_tap_accepted(
    report: Report, world: factories.World, session: Session, unlimited: TestClient
) -> None:
    incident = dispatched(session, report, world)
    token = token_for(incident)
    first = unlimited.post(f"/api/v1/ack/{token}").json()
    second = unlimited.post(f"/api/v1/ack/{token}").json()
    assert (first["accepted_now"], second["accepted_now"]) == (True, False)
    assert second["status"] == "accepted"


def test_an_expired_link_is_refused_and_changes_nothing(
    report: Report, world: factories.World, session: Session, pages: TestClient
) -> None:
    incident = dispatched(session, report, world)
    minutes = get_settings().ack_link_minutes
    still_valid = token_for(incident, minutes=minutes)  # expires exactly now: still accepted
    assert ack.read_token(still_valid, now=NOW, settings=get_settings()).incident_id == incident.id
    expired = token_for(incident, minutes=minutes + 1)
    answer = pages.post(f"/ack/{expired}")
    assert answer.status_code == 403
    assert "接单链接已过期" in answer.text
    api = pages.post(f"/api/v1/ack/{expired}").json()["error"]
    assert (api["code"], api["message_zh"]) == (
        "ACK_LINK_EXPIRED",
        "接单链接已过期,请在维保单位页面接单或致电 96333。",
    )
    session.refresh(incident)
    assert incident.status == "dispatched"


def test_a_tampered_link_is_refused(
    report: Report, world: factories.World, session: Session, pages: TestClient
) -> None:
    incident = dispatched(session, report, world)
    token = token_for(incident)
    payload, signature = token.rsplit(".", 1)
    altered = f"{payload}.{signature[:-2]}{'AA' if not signature.endswith('AA') else 'BB'}"
    answer = pages.post(f"/ack/{altered}")
    assert answer.status_code == 403
    assert "接单链接无效" in answer.text
    # A genuine link of another firm does not accept an incident that firm does not hold.
    forged = token_for(incident, organisation_id=world.maintainer_b.id)
    refused = pages.post(f"/api/v1/ack/{forged}")
    assert refused.status_code == 404
    session.refresh(incident)
    assert incident.status == "dispatched"
