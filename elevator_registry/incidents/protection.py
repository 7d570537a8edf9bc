"""Protection of the public routes: per-client rate limits (429) and a request body cap (413).

- **Rate limit**, per client IP, only on the unauthenticated routes: POST /incidents without a
  token, GET /incidents/track/*, GET /public/*. A moving window per client in process memory
  (limits in the `limits` library's notation, e.g. `20/minute`): no global throttle exists,
  so a blackout burst of distinct residents all gets through, while one client hammering the
  intake is stopped. That in-memory window is the embedded default, for one process; with
  several worker processes or instances set `rate_limit_storage_url` (`redis://…`): the same
  moving windows are then counted in Redis (the `limits` library's async Redis storage), so a
  client gets 429 at the same count whichever worker answers. Operators and IoT platforms
  (authenticated) are never limited: a 96333 call centre files many reports from one address.
  Behind a reverse proxy, run `elevator-registry serve --forwarded-allow-ips <proxy>` so the
  client address is the resident's, not the proxy's.
- **Body cap**: every request body above `max_request_body_bytes` (64 KiB) gets 413
  PAYLOAD_TOO_LARGE before the application reads it, except under /api/v1/imports, whose
  uploads are large by nature and capped by the import code itself (`import_max_upload_bytes`).
"""

import json
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from elevator_registry.config import Settings
from elevator_registry.errors import DomainError
from elevator_registry.schemas import ErrorResponse

# Photo uploads are capped by `visit_photo_max_bytes` in their own route instead.
EXEMPT_FROM_BODY_CAP = ("/api/v1/imports", "/api/v1/visit-photos/", "/firm/visit-photos/")

RATE_LIMITED_RESPONSE: dict[int | str, dict[str, Any]] = {
    429: {
        "model": ErrorResponse,
        "description": "Too many requests from this client (RATE_LIMITED); retry after "
        "`Retry-After` seconds",
        "headers": {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        },
    }
}


class RateLimited(DomainError):
    """429 RATE_LIMITED, with the seconds to wait."""

    status_code = 429

    def __init__(self, retry_after: int, limit: str) -> None:
        super().__init__(
            "RATE_LIMITED",
            f"more than {limit} from this client; retry in {retry_after} s (in an emergency "
            "call 96333)",
            message_zh=f"请求过于频繁，请 {retry_after} 秒后再试（紧急情况请直接拨打 96333）",
        )
        self.retry_after = retry_after


class RateLimiter:
    """Per-client moving-window limits for named buckets, in process memory.

    Each client's hits in the window are a deque of times, pruned when the client comes back;
    clients quiet for a whole window are forgotten in one sweep per window. (The `limits`
    library's memory storage, used before, rescanned every client from a new thread every
    10 ms: with the thousands of distinct residents of a blackout burst that scan took the
    interpreter lock from the requests.) Called on the event loop only, so no lock is needed.
    """

    shared = False

    def __init__(self, limits_by_bucket: dict[str, str], *, enabled: bool = True) -> None:
        self.enabled = enabled
        items = {bucket: parse(text) for bucket, text in limits_by_bucket.items()}
        self._windows = {bucket: (item.amount, item.get_expiry()) for bucket, item in items.items()}
        self._texts = limits_by_bucket
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._longest = max((window for _amount, window in self._windows.values()), default=0)
        self._next_sweep = time.monotonic() + self._longest

    @classmethod
    def from_settings(cls, settings: Settings) -> "RateLimiter | SharedRateLimiter":
        """The limiter the settings describe: shared when a storage URL is set."""
        limits_by_bucket = _limits_of(settings)
        if settings.rate_limit_storage_url:
            return SharedRateLimiter(
                limits_by_bucket,
                storage_url=settings.rate_limit_storage_url,
                key_prefix=settings.rate_limit_key_prefix,
                enabled=settings.rate_limit_enabled,
            )
        return cls(limits_by_bucket, enabled=settings.rate_limit_enabled)

    def check(self, bucket: str, client: str) -> None:
        """Counts one request of `client` in `bucket`; 429 RATE_LIMITED when over the limit."""
        if not self.enabled:
            return
        amount, window = self._windows[bucket]
        now = time.monotonic()
        if now >= self._next_sweep:
            self._sweep(now)
        hits = self._hits.setdefault((bucket, client), deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= amount:
            raise RateLimited(max(1, math.ceil(hits[0] + window - now)), self._texts[bucket])
        hits.append(now)

    def _sweep(self, now: float) -> None:
        """Forgets the clients whose last hit left the window."""
        self._hits = {
            key: hits
            for key, hits in self._hits.items()
            if hits and hits[-1] > now - self._windows[key[0]][1]
        }
        self._next_sweep = now + self._longest


class SharedRateLimiter:
    """The same per-client moving windows, counted in a store every process shares (Redis).

    `limits`' async Redis storage keeps each window as a sorted list in Redis and checks and
    adds a hit in one Lua script, so concurrent workers cannot both take the last slot. Awaited
    on the event loop: a Redis round trip never blocks the other requests of the worker.
    """

    shared = True

    def __init__(
        self,
        limits_by_bucket: dict[str, str],
        *,
        storage_url: str,
        key_prefix: str,
        enabled: bool = True,
    ) -> None:
        self.enabled = enabled
        # `async+redis://` selects the asyncio storage; redis-py is the client it uses.
        url = storage_url if storage_url.startswith("async+") else f"async+{storage_url}"
        self.storage = storage_from_string(url, implementation="redispy", key_prefix=key_prefix)
        self._strategy = MovingWindowRateLimiter(self.storage)  # type: ignore[arg-type]
        self._items: dict[str, RateLimitItem] = {
            bucket: parse(text) for bucket, text in limits_by_bucket.items()
        }
        self._texts = limits_by_bucket

    async def check_shared(self, bucket: str, client: str) -> None:
        """Counts one request of `client` in `bucket`; 429 RATE_LIMITED when over the limit."""
        if not self.enabled:
            return
        item = self._items[bucket]
        if await self._strategy.hit(item, bucket, client):
            return
        stats = await self._strategy.get_window_stats(item, bucket, client)
        raise RateLimited(max(1, math.ceil(stats.reset_time - time.time())), self._texts[bucket])


def _limits_of(settings: Settings) -> dict[str, str]:
    return {
        "intake": settings.rate_limit_public_intake,
        "public_read": settings.rate_limit_public_read,
    }


async def count_request(request: Request, bucket: str) -> None:
    """Counts one request of the client in `bucket` in the app's limiter (429 when over)."""
    limiter = request.app.state.rate_limiter
    if limiter.shared:
        await limiter.check_shared(bucket, client_address(request))
    else:
        limiter.check(bucket, client_address(request))


def client_address(request: Request) -> str:
    """The client IP as the server sees it (after uvicorn's proxy-header handling)."""
    return request.client.host if request.client else "unknown"


async def limit_public_intake(request: Request) -> None:
    """Dependency: rate-limits POST /incidents from callers without a token.

    Async on purpose: the check is in memory (or an awaited Redis call), so it runs on the event
    loop without taking a worker thread."""
    if "authorization" in request.headers:
        return  # operators and IoT platforms: authenticated, never throttled
    await count_request(request, "intake")


async def limit_public_read(request: Request) -> None:
    """Dependency: rate-limits the public read routes (and each opening of a live stream)."""
    await count_request(request, "public_read")


async def _rate_limited(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RateLimited)
    return JSONResponse(
        status_code=429,
        content={"error": error.as_dict()},
        headers={"Retry-After": str(error.retry_after)},
    )


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodySizeLimit:
    """ASGI middleware: 413 PAYLOAD_TOO_LARGE for bodies over `max_bytes` (never read past it)."""

    def __init__(self, app: ASGIApp, max_bytes: int, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        # Chunked or undeclared bodies: buffer up to the cap (64 KiB), then replay to the app.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away while sending its body
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        await self.app(scope, _replay(chunks, receive), send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "error": {
                    "code": "PAYLOAD_TOO_LARGE",
                    "message": f"request body larger than {self.max_bytes} bytes",
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _replay(chunks: list[bytes], receive: Receive) -> Receive:
    """A `receive` that hands the buffered body over in one message, then defers to the real one."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        return await receive()

    return replay


def install(app: FastAPI, settings: Settings) -> None:
    """Adds the body cap and the rate limiter to `app`."""
    app.state.rate_limiter = RateLimiter.from_settings(settings)
    app.add_exception_handler(RateLimited, _rate_limited)
    app.add_middleware(
        BodySizeLimit,  # type: ignore[arg-type]
        max_bytes=settings.max_request_body_bytes,
        exempt=EXEMPT_FROM_BODY_CAP,
    )
