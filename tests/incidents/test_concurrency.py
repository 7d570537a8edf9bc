"""Dedup and compare-and-set under real concurrency: threads against a live server and database.

No mocks: uvicorn serves the real app on a migrated scratch database (SQLite file or a fresh
PostgreSQL database), and the requests are released together by a barrier.
"""

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select

from elevator_registry.db import get_sessionmaker
from elevator_registry.incidents.models import (
    IdempotencyKey,
    Incident,
    IncidentEvent,
    IncidentReport,
)
from tests.incidents.conftest import Live


def together(count: int, request: Callable[[httpx.Client], httpx.Response]) -> list[httpx.Response]:
    """Runs `request` in `count` threads released at the same instant."""
    barrier = threading.Barrier(count)
    responses: list[Any] = [None] * count

    def run(index: int) -> None:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            try:
                responses[index] = request(client)
            except Exception as error:  # recorded, then asserted on below
                responses[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def counts() -> dict[str, int]:
    with get_sessionmaker()() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Incident, IncidentReport, IdempotencyKey)
        } | {
            "dispatched_events": session.scalar(
                select(func.count()).where(IncidentEvent.kind == "dispatched")
            )
            or 0
        }


def test_fifty_simultaneous_requests_with_one_key_make_one_incident(live_server: Live) -> None:
    key = str(uuid.uuid4())
    body = {"rescue_code": live_server.lift_rescue_code, "kind": "trapped", "trapped_count": 2}
    responses = together(
        50,
        lambda client: client.post(
            f"{live_server.url}/api/v1/incidents", json=body, headers={"Idempotency-Key": key}
        ),
    )
    assert all(isinstance(response, httpx.Response) for response in responses), responses
    assert Counter(response.status_code for response in responses) == {201: 50}
    assert len({response.content for response in responses}) == 1  # byte for byte
    assert counts() == {
        "incident": 1,
        "incident_report": 0,
        "idempotency_key": 1,
        "dispatched_events": 1,
    }


def test_twenty_simultaneous_reports_for_one_elevator_make_one_rescue(live_server: Live) -> None:
    body = {"rescue_code": live_server.lift_rescue_code, "kind": "trapped"}
    responses = together(
        20,
        lambda client: client.post(
            f"{live_server.url}/api/v1/incidents",
            json=body,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        ),
    )
    assert all(isinstance(response, httpx.Response) for response in responses), responses
    assert Counter(response.status_code for response in responses) == {201: 1, 200: 19}
    assert len({response.json()["number"] for response in responses}) == 1
    assert sum(response.json()["duplicate"] for response in responses) == 19
    assert len({response.json()["tracking_token"] for response in responses}) == 20
    assert counts() == {
        "incident": 1,
        "incident_report": 19,
        "idempotency_key": 20,
        "dispatched_events": 1,
    }


def test_two_simultaneous_arrivals_one_wins_one_gets_409(live_server: Live) -> None:
    created = httpx.post(
        f"{live_server.url}/api/v1/incidents",
        json={"rescue_code": live_server.lift_rescue_code, "kind": "trapped"},
    )
    incident_id = int(created.json()["number"].split("-")[1])
    tokens = [live_server.operator, live_server.unit_token]
    responses = together(
        2,
        lambda client: client.post(
            f"{live_server.url}/api/v1/incidents/{incident_id}/arrive",
            headers={"Authorization": f"Bearer {tokens.pop()}"},
        ),
    )
    assert sorted(response.status_code for response in responses) == [200, 409]
    loser = next(response for response in responses if response.status_code == 409)
    assert loser.json()["error"]["code"] == "INVALID_TRANSITION"
    with get_sessionmaker()() as session:
        arrivals = session.scalar(
            select(func.count()).where(
                IncidentEvent.incident_id == incident_id, IncidentEvent.kind == "arrived"
            )
        )
    assert arrivals == 1
