"""The public rate limit in a shared store (Redis): two limiters standing for two worker
processes count one client's requests together, and a refusal says when to retry."""

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from elevator_registry.config import Settings
from elevator_registry.incidents.protection import RateLimited, RateLimiter, SharedRateLimiter

REDIS_URL = os.environ.get("ELEVATOR_REGISTRY_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="needs Redis: set ELEVATOR_REGISTRY_TEST_REDIS_URL (.ci/run does)"
)


def test_settings_with_a_storage_url_give_the_shared_limiter() -> None:
    assert REDIS_URL is not None
    limiter = RateLimiter.from_settings(Settings(rate_limit_storage_url=REDIS_URL))
    assert isinstance(limiter, SharedRateLimiter) and limiter.shared
    assert not RateLimiter.from_settings(Settings()).shared


def test_two_processes_share_one_window_per_client() -> None:
    assert REDIS_URL is not None
    prefix = f"er-test-{uuid.uuid4().hex[:8]}"

    async def scenario() -> tuple[list[bool], int]:
        workers = [
            SharedRateLimiter({"public_read": "3/minute"}, storage_url=REDIS_URL, key_prefix=prefix)
            for _ in range(2)
        ]
        outcomes = []
        retry_after = 0
        for hit in range(5):
            try:
                await workers[hit % 2].check_shared("public_read", "203.0.113.9")
                outcomes.append(True)
            except RateLimited as error:
                outcomes.append(False)
                retry_after = error.retry_after
        # Another client still gets through: the limit is per client, not global.
        await workers[0].check_shared("public_read", "203.0.113.10")
        return outcomes, retry_after

    # In a thread of its own: Playwright's sync API (the browser tests) may hold this thread's loop.
    with ThreadPoolExecutor(1) as pool:
        outcomes, retry_after = pool.submit(asyncio.run, scenario()).result()
    assert outcomes == [True, True, True, False, False]
    assert 1 <= retry_after <= 60
