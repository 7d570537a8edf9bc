"""`serve --workers 3` on PostgreSQL: the escalation job runs once per tick across the workers
(exactly one escalation event per level and due incident), a live page hears of a change made
through another worker within 2 s, and with the Redis store the public rate limit answers 429
at the same count as one worker would.

The issue asks for "no duplicates over 5 minutes of ticks"; here the tick is 1 s and the run
about 12 s, i.e. a dozen ticks of each of the 3 workers, which is where duplicates would show.
PostgreSQL only: several workers on SQLite share one write lock and are not a supported setup.
"""

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry import jobs
from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.db import make_engine
from elevator_registry.incidents.models import Incident, IncidentEvent
from tests import factories
from tests.conftest import database_url, migrate, new_database
from tests.web.conftest import _free_port as free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
WORKERS = 3
RUN_SECONDS = 12
READ_LIMIT = 10


@dataclass
class Served:
    """The server's address, database and what the test put in it."""

    base_url: str
    database_url: str
    old_overdue: list[int]  # past their deadline and the level-3 window at start
    falling_due: list[int]  # deadline a few seconds after start
    rescue_code: str
    contracted_code: str  # of an elevator with a contract and no incident yet
    unit_token: str  # its maintenance unit's
    redis: bool
    spawned: float  # when the server process was started
    started: float  # when it first answered


def _incident(lift_id: int, unit_id: int, serial: int, reported: datetime, deadline: datetime):
    return Incident(
        number=f"QJW-{serial:06d}",
        elevator_id=lift_id,
        kind="trapped",
        channel="public",
        trapped_count=1,
        status="dispatched",
        escalation_level=1,
        maintenance_unit_id=unit_id,
        no_contract=False,
        reported_at=reported,
        arrival_deadline_at=deadline,
        dispatched_at=reported,
        tracking_token_hash=f"{serial:064d}",
        created_at=reported,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app under `serve --workers 3`, escalation ticking every second."""
    if not database_url(tmp_path_factory).startswith("postgresql"):
        pytest.skip("several workers need PostgreSQL (set ELEVATOR_REGISTRY_TEST_DATABASE_URL)")
    url, drop = new_database(tmp_path_factory, "workers")
    engine = make_engine(url)
    with engine.begin() as connection:
        migrate(connection, "head")
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        world = factories.build_world(session)
        lifts = [
            factories.elevator(session, street_name="古南街道", user_unit_id=world.user_a.id)
            for _ in range(6)
        ]
        rows = [
            _incident(lift.id, world.maintainer_a.id, index, *times)
            for index, (lift, times) in enumerate(
                zip(
                    lifts,
                    [(now - timedelta(hours=2), now - timedelta(hours=1, minutes=30))] * 3
                    + [(now - timedelta(minutes=29, seconds=56), now + timedelta(seconds=4))] * 3,
                    strict=True,
                )
            )
        ]
        session.add_all(rows)
        session.flush()
        ids = [row.id for row in rows]
        rescue_code = world.lift_b.rescue_code
        contracted_code = world.lift_a.rescue_code
        _, unit_token = auth_service.create_token(
            session,
            role=Role.MAINTENANCE_UNIT,
            label="workers test unit",
            now=now,
            organisation_credit_code=world.maintainer_a.credit_code,
        )
    engine.dispose()
    redis_url = os.environ.get("ELEVATOR_REGISTRY_TEST_REDIS_URL")
    port = free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        "ELEVATOR_REGISTRY_DATABASE_URL": url,
        "ELEVATOR_REGISTRY_ESCALATION_INTERVAL_SECONDS": "1",
        "ELEVATOR_REGISTRY_RISK_REFRESH_LOOP_ENABLED": "false",
        "ELEVATOR_REGISTRY_RATE_LIMIT_PUBLIC_READ": f"{READ_LIMIT}/minute",
        "ELEVATOR_REGISTRY_RATE_LIMIT_KEY_PREFIX": f"er-test-{uuid.uuid4().hex[:8]}",
    }
    if redis_url:
        environment["ELEVATOR_REGISTRY_RATE_LIMIT_STORAGE_URL"] = redis_url
    log_path = tmp_path_factory.mktemp("workers-log") / "server.log"
    spawned = time.monotonic()
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "elevator_registry", "serve"),
                *("--port", str(port), "--workers", str(WORKERS)),
            ],
            cwd=tmp_path_factory.mktemp("workers-cwd"),
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_live(f"{base_url}/health/live", server, log_path)
        yield Served(
            base_url,
            url,
            ids[:3],
            ids[3:],
            rescue_code,
            contracted_code,
            unit_token,
            bool(redis_url),
            spawned,
            time.monotonic(),
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        drop()


def _wait_until_live(url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited: {log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"no answer from {url} within 90 s: {log_path.read_text()[-3000:]}")


def test_three_workers_escalate_each_due_incident_once_per_level(served: Served) -> None:
    time.sleep(max(0.0, RUN_SECONDS - (time.monotonic() - served.started)))
    engine = make_engine(served.database_url)
    with Session(engine) as session:
        events = dict(
            session.execute(
                select(IncidentEvent.incident_id, func.count())
                .where(IncidentEvent.kind == "escalated")
                .group_by(IncidentEvent.incident_id)
            ).all()
        )
        levels = dict(session.execute(select(Incident.id, Incident.escalation_level)).all())
    lease = jobs.lease_of(engine, "escalation")
    engine.dispose()
    # Level 2 and level 3 for the old ones, level 2 for those that fell due during the run.
    assert {i: events.get(i) for i in served.old_overdue} == dict.fromkeys(served.old_overdue, 2)
    assert {i: events.get(i) for i in served.falling_due} == dict.fromkeys(served.falling_due, 1)
    assert [levels[i] for i in served.old_overdue + served.falling_due] == [3, 3, 3, 2, 2, 2]
    # One run per 1 s tick across the 3 workers, not one per worker and tick (which would be
    # about 3 x RUN_SECONDS): at most one per second since the first worker could have started.
    assert lease is not None
    assert RUN_SECONDS - 2 <= lease["runs"] <= time.monotonic() - served.spawned + 2


def test_three_workers_answer_429_at_the_single_worker_count(served: Served) -> None:
    if not served.redis:
        pytest.skip("needs Redis: set ELEVATOR_REGISTRY_TEST_REDIS_URL (.ci/run does)")
    url = f"{served.base_url}/api/v1/public/elevators/{served.rescue_code}"
    statuses = []
    for _ in range(READ_LIMIT + 3):
        # A new connection each time, so the kernel spreads the requests over the workers.
        with httpx.Client(timeout=30) as client:
            statuses.append(client.get(url).status_code)
    assert statuses == [200] * READ_LIMIT + [429] * 3


def _next_update(lines: Iterator[str]) -> dict[str, Any]:
    """The payload of the next `incidents` event of a Server-Sent Events stream."""
    event = None
    for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "incidents":
            return orjson.loads(line.split(":", 1)[1])
    raise AssertionError("the stream ended")


def test_a_live_page_hears_of_a_change_made_through_another_worker(served: Served) -> None:
    api = f"{served.base_url}/api/v1"
    receipt = httpx.post(
        f"{api}/incidents", json={"rescue_code": served.contracted_code, "kind": "trapped"}
    ).json()
    engine = make_engine(served.database_url)
    with Session(engine) as session:
        incident_id = session.scalars(
            select(Incident.id).where(Incident.number == receipt["number"])
        ).one()
    engine.dispose()
    # Another client address than the rate-limit test's (serve trusts loopback's header).
    resident = {"X-Forwarded-For": "198.51.100.7"}
    url = f"{served.base_url}/t/{receipt['tracking_token']}/live"
    with httpx.stream("GET", url, headers=resident, timeout=10) as stream:
        lines = stream.iter_lines()
        assert _next_update(lines)["status"] == "dispatched"
        # A new connection: with three workers it is served by any of them.
        accepted = httpx.post(
            f"{api}/incidents/{incident_id}/accept",
            headers={"Authorization": f"Bearer {served.unit_token}"},
        )
        assert accepted.status_code == 200, accepted.text
        started = time.monotonic()
        update = _next_update(lines)
        elapsed = time.monotonic() - started
    assert update["status"] == "accepted"
    assert elapsed < 2
