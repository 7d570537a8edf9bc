"""Periodic jobs: a tick is claimed once across processes (jobs.claim), the loop survives errors."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from typer.testing import CliRunner

from elevator_registry import jobs
from elevator_registry.app import create_served_app
from elevator_registry.cli import app as cli_app
from elevator_registry.config import get_settings
from elevator_registry.db import get_engine

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_a_tick_is_claimed_once_then_again_after_the_interval(scratch_database: str) -> None:
    assert CliRunner().invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    engine = get_engine()
    first = jobs.claim(engine, name="demo", interval_seconds=60, now=T0)
    again = jobs.claim(engine, name="demo", interval_seconds=60, now=T0 + timedelta(seconds=59))
    later = jobs.claim(engine, name="demo", interval_seconds=60, now=T0 + timedelta(seconds=60))
    assert (first, again, later) == (True, False, True)
    lease = jobs.lease_of(engine, "demo")
    assert lease is not None
    assert (lease["runs"], lease["holder"]) == (2, jobs.holder_name())
    assert lease["due_at"] == T0 + timedelta(seconds=120)


def test_two_loops_on_one_database_run_each_tick_once(scratch_database: str) -> None:
    assert CliRunner().invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    # Two engines stand for two processes: neither shares a connection with the other.
    engines = [create_engine(scratch_database), create_engine(scratch_database)]
    passes: list[str] = []
    lock = threading.Lock()

    def one_pass(who: str) -> None:
        with lock:
            passes.append(who)

    loops = [
        jobs.run_periodic("shared", 1, lambda who=who: one_pass(who), engine=engine)
        for who, engine in zip(("a", "b"), engines, strict=True)
    ]
    time.sleep(3.5)
    for loop in loops:
        loop.stop()
    lease = jobs.lease_of(engines[0], "shared")
    for engine in engines:
        engine.dispose()
    assert lease is not None
    # Ticks of 1 s over 3.5 s: 4 at most; unclaimed, two loops would have run 7 or 8 passes.
    assert 3 <= len(passes) <= 4
    assert lease["runs"] == len(passes)


def test_the_loop_survives_a_failing_pass(scratch_database: str) -> None:
    assert CliRunner().invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    calls: list[int] = []

    def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database down")

    loop = jobs.run_periodic("flaky", 1, flaky, engine=get_engine())
    time.sleep(2.5)
    loop.stop()
    assert len(calls) >= 2


def test_the_served_app_runs_its_jobs_while_it_lives(
    scratch_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CliRunner().invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    monkeypatch.setenv("ELEVATOR_REGISTRY_RISK_REFRESH_LOOP_ENABLED", "false")
    get_settings.cache_clear()
    with TestClient(create_served_app()):
        lease = None
        for _ in range(50):  # the first tick is due at once; up to 10 s on a busy machine
            lease = jobs.lease_of(get_engine(), "escalation")
            if lease is not None:
                break
            time.sleep(0.2)
        running = [thread.name for thread in threading.enumerate()]
    assert lease is not None and lease["runs"] == 1
    assert "job-escalation" in running and "job-risk_refresh" not in running
    time.sleep(0.5)
    assert "job-escalation" not in [thread.name for thread in threading.enumerate()]


def test_a_pass_that_left_a_backlog_is_followed_at_once(scratch_database: str) -> None:
    assert CliRunner().invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    # Each pass lasts a whole interval on the job's clock (a burst): the next tick is due when it
    # ends. The loop's poll is 5 s of real time, so three passes within 4 s mean no poll between.
    now = [T0]
    calls: list[datetime] = []
    done = threading.Event()

    def long_pass() -> int:
        calls.append(now[0])
        now[0] += timedelta(seconds=60)
        if len(calls) == 3:
            done.set()
        return len(calls)

    loop = jobs.run_periodic(
        "burst",
        60,
        long_pass,
        engine=get_engine(),
        clock=lambda: now[0],
        backlog=lambda passes: passes < 3,
    )
    caught_up = done.wait(4)
    time.sleep(0.5)
    loop.stop()
    assert caught_up
    # Once the backlog is gone the loop polls again: no fourth pass within the half second.
    assert calls == [T0, T0 + timedelta(seconds=60), T0 + timedelta(seconds=120)]
