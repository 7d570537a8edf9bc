"""Fixtures for incident tests: report helpers, and a live server on a scratch database."""

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from elevator_registry.app import create_app
from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.cli import app as cli_app
from elevator_registry.config import get_settings
from elevator_registry.db import get_sessionmaker
from elevator_registry.incidents.protection import RateLimiter
from tests import factories
from tests.conftest import NOW

Report = Callable[..., Any]


@pytest.fixture
def unlimited(client: TestClient) -> TestClient:
    """The test client with the public rate limit off (tests that post many reports)."""
    client.app.state.rate_limiter = RateLimiter({}, enabled=False)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def report(unlimited: TestClient) -> Report:
    """`report(lift, kind=..., headers=..., **fields)` → the response of POST /incidents."""

    def post(
        lift: Any, kind: str = "trapped", headers: dict[str, str] | None = None, **fields: Any
    ):
        body = {"rescue_code": lift.rescue_code, "kind": kind, **fields}
        return unlimited.post("/api/v1/incidents", json=body, headers=headers or {})

    return post


@pytest.fixture
def operator(auth: Callable[..., dict[str, str]]) -> dict[str, str]:
    """Headers of a 96333 operator."""
    return auth(Role.OPERATOR)


@dataclass
class Live:
    """A running server: its base URL and tokens for the roles the tests need."""

    url: str
    operator: str
    lift_rescue_code: str
    lift_id: int
    unit_token: str


@pytest.fixture
def live_server(scratch_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Live]:
    """The real app on a migrated scratch database, served by uvicorn in a thread.

    No rate limit (many requests come from one address), no overrides: real sessions, real
    transactions, the real clock, a thread pool of request workers.
    """
    monkeypatch.setenv("ELEVATOR_REGISTRY_RATE_LIMIT_ENABLED", "false")
    get_settings.cache_clear()
    assert CliRunner().invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    with get_sessionmaker()() as session, session.begin():
        world = factories.build_world(session)
        _, operator = auth_service.create_token(session, role=Role.OPERATOR, label="op", now=NOW)
        _, unit_token = auth_service.create_token(
            session,
            role=Role.MAINTENANCE_UNIT,
            label="unit",
            now=NOW,
            organisation_credit_code=world.maintainer_a.credit_code,
        )
        rescue_code, lift_id = world.lift_a.rescue_code, world.lift_a.id
    app = create_app()
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", workers=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield Live(f"http://127.0.0.1:{port}", operator, rescue_code, lift_id, unit_token)
    server.should_exit = True
    thread.join(timeout=10)
