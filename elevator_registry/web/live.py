"""Live pages: Server-Sent Events that push new and changed incidents to the firm's queue, the
bureau's board, the seats' queue and the public tracking page, with a JSON fallback to poll.

**The change feed works across processes without a broker.** Every lifecycle step, intake and
escalation appends an `incident_event` row in the transaction that makes the change, so "did
anything change?" is one cheap query on the events' primary key:
`SELECT max(id), count(*) FROM incident_event WHERE id > :floor`. One task per process
(`ChangeFeed`) asks it every `live_poll_seconds` (0.5 s) while at least one page listens, and
wakes that process's streams when the answer differs; it does not matter which worker or
instance wrote the change. The count, not only the maximum, is compared because PostgreSQL
may commit a lower id after a higher one (two intakes committing out of order): the maximum
would not move, the count does. `floor` follows the maximum so the count stays a short index
range. PostgreSQL LISTEN/NOTIFY would save the poll but needs a connection held per process and
a polling path for SQLite anyway; one indexed query per process every half second is cheaper
than either to keep right.

**Each stream re-renders its own page's rows** when woken (and every `RERENDER_SECONDS`, so
the minutes left stay true), through the same scoped services as the page (a firm sees only
its own incidents, the tracking page only its incident, with no personal data), and sends them
only when they changed. A render takes a short session of its own: a stream never holds a
database connection while it waits. A stream ends after `live_stream_max_seconds`; the browser
reconnects (the public tracking stream's connections count against the public-read limit).
When the stream fails, the page polls the `.json` twin of the stream instead (static/app.js).
"""

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sse_starlette.sse import EventSourceResponse

from elevator_registry.config import Settings
from elevator_registry.db import get_engine, get_sessionmaker
from elevator_registry.dependencies import ClockDep, SessionDep, SettingsDep
from elevator_registry.errors import DomainError
from elevator_registry.incidents import public as public_service
from elevator_registry.incidents.enums import FaultCause, IncidentStatus
from elevator_registry.incidents.models import IncidentEvent
from elevator_registry.web import boards
from elevator_registry.web import session as web_session_module
from elevator_registry.web.public import ReadLimit, TrackingToken
from elevator_registry.web.routing import (
    BUREAU_ROLES,
    FIRM_ROLES,
    SEAT_ROLES,
    PageRoute,
    WebSessionDep,
    page_principal,
)
from elevator_registry.web.session import WebSession
from elevator_registry.web.staff import Text
from elevator_registry.web.templating import TEMPLATES

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# A stream re-renders at least this often, so "minutes left" moves without any event.
RERENDER_SECONDS = 30.0
# The count of events above `floor` is kept to a short range of the primary key.
FLOOR_LAG = 1000
# Tells the browser how long to wait before reconnecting a stream that ended.
RETRY_MS = 2000

Payload = dict[str, Any]


class ChangeFeed:
    """One per process: polls the event table's signature while streams listen, wakes them."""

    def __init__(self, poll_seconds: float) -> None:
        self.poll_seconds = poll_seconds
        self.version = 0
        self._changed = asyncio.Event()
        self._listeners = 0
        self._task: asyncio.Task[None] | None = None
        self._floor = 0
        self._signature: tuple[int, int] | None = None

    @contextmanager
    def listening(self) -> Iterator[None]:
        """While inside, the feed polls; the last listener leaving stops it."""
        self._listeners += 1
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._poll())
        try:
            yield
        finally:
            self._listeners -= 1

    async def wait(self, version: int, timeout: float) -> int:
        """Returns once the version differs from `version`, or after `timeout` seconds."""
        if self.version == version:
            changed = self._changed
            with suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout)
        return self.version

    async def _poll(self) -> None:
        while self._listeners > 0:
            try:
                signature = await run_in_threadpool(self._read_signature)
            except Exception:  # a database blip: the streams keep their last rows, retry
                signature = self._signature
            if signature != self._signature:
                first = self._signature is None
                self._signature = signature
                if not first:
                    self._wake()
            await asyncio.sleep(self.poll_seconds)

    def _read_signature(self) -> tuple[int, int]:
        with get_engine().connect() as connection:
            highest, count = connection.execute(
                select(func.max(IncidentEvent.id), func.count()).where(
                    IncidentEvent.id > self._floor
                )
            ).one()
        highest = highest or 0
        if highest - self._floor > 2 * FLOOR_LAG:
            # Moving the floor changes the count once: one spurious wake-up, no missed change.
            self._floor = highest - FLOOR_LAG
        return highest, count

    def _wake(self) -> None:
        self.version += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()


def feed_of(request: Request, settings: Settings) -> ChangeFeed:
    """The process's change feed (created with the first stream)."""
    feed = getattr(request.app.state, "live_feed", None)
    if feed is None:
        feed = request.app.state.live_feed = ChangeFeed(settings.live_poll_seconds)
    return feed


# What each page shows ------------------------------------------------------------------------


def _render(name: str, **context: Any) -> str:
    return TEMPLATES.env.get_template(name).render(**context)


def firm_payload(
    session: Session, *, web_session: WebSession, settings: Settings, now: datetime
) -> Payload:
    """The firm's queue rows (its own incidents only), with their numbers for the new-job bell."""
    actor = page_principal(session, web_session, *FIRM_ROLES)
    rows = boards.open_incidents(session, actor=actor, now=now, limit=200)
    html = _render(
        "_firm_rows.html",
        rows=rows,
        action_zh=boards.ACTION_ZH,
        fault_causes=list(FaultCause),
        csrf_token=web_session_module.csrf_token(web_session, settings),
    )
    return {"html": html, "ids": [row.incident.number for row in rows]}


def board_payload(
    session: Session, *, web_session: WebSession, now: datetime, street: str | None
) -> Payload:
    """The bureau's open-incident board rows, in the caller's scope (a street office: its own)."""
    actor = page_principal(session, web_session, *BUREAU_ROLES)
    rows = boards.open_incidents(session, actor=actor, now=now, street=street, limit=500)
    return {
        "html": _render("_incident_rows.html", rows=rows),
        "ids": [row.incident.number for row in rows],
    }


def seat_payload(
    session: Session, *, web_session: WebSession, settings: Settings, now: datetime
) -> Payload:
    """The seats' queue rows: rescues nobody holds a contract for."""
    actor = page_principal(session, web_session, *SEAT_ROLES)
    rows = boards.open_incidents(session, actor=actor, now=now, limit=200, unassigned_only=True)
    html = _render(
        "_seat_rows.html",
        rows=rows,
        units=boards.rescue_units(session),
        csrf_token=web_session_module.csrf_token(web_session, settings),
    )
    return {"html": html, "ids": [row.incident.number for row in rows]}


def tracking_payload(session: Session, *, token: str, settings: Settings, now: datetime) -> Payload:
    """The tracking page's live part: this one incident, no personal data (incidents.public)."""
    tracked = public_service.track(session, token=token, settings=settings)
    final = tracked["status"] not in IncidentStatus.open()
    return {
        "html": _render("_tracking_live.html", tracked=tracked, now=now, final=final),
        "status": tracked["status"],
        "final": final,
    }


# Streams and their polling twins -------------------------------------------------------------


def _with_session(build: Callable[[Session], Payload]) -> Callable[[], Payload]:
    """`build` on a short session of its own (a stream holds no connection while it waits)."""

    def run() -> Payload:
        with get_sessionmaker()() as session:
            return build(session)

    return run


async def _events(
    feed: ChangeFeed, build: Callable[[], Payload], max_seconds: float
) -> AsyncIterator[dict[str, Any]]:
    ends = time.monotonic() + max_seconds
    sent: str | None = None
    with feed.listening():
        version = feed.version
        while True:
            try:
                payload = await run_in_threadpool(build)
            except DomainError as error:  # logged out, token revoked: the page reloads
                yield {"event": "ended", "data": orjson.dumps(error.as_dict()).decode()}
                return
            data = orjson.dumps(payload).decode()
            if data != sent:
                yield {"event": "incidents", "data": data, "retry": RETRY_MS}
                sent = data
            if payload.get("final"):
                yield {"event": "ended", "data": "{}"}
                return
            remaining = ends - time.monotonic()
            if remaining <= 0:
                return  # the browser reconnects after RETRY_MS
            version = await feed.wait(version, min(RERENDER_SECONDS, remaining))


def _stream(
    request: Request, settings: Settings, build: Callable[[Session], Payload]
) -> EventSourceResponse:
    # Called from async endpoints: the feed is created on the event loop, never by two threads.
    return EventSourceResponse(
        _events(feed_of(request, settings), _with_session(build), settings.live_stream_max_seconds),
        ping=15,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _json(payload: Payload) -> Response:
    return JSONResponse(payload, headers={"Cache-Control": "no-store"})


@router.get("/firm/live")
async def firm_stream(
    request: Request, settings: SettingsDep, clock: ClockDep, web_session: WebSessionDep
) -> Response:
    """Event stream of the firm's queue."""
    return _stream(
        request,
        settings,
        lambda session: firm_payload(
            session, web_session=web_session, settings=settings, now=clock.now()
        ),
    )


@router.get("/firm/live.json")
def firm_poll(
    session: SessionDep, settings: SettingsDep, clock: ClockDep, web_session: WebSessionDep
) -> Response:
    """The firm's queue rows, for a page whose stream dropped."""
    return _json(firm_payload(session, web_session=web_session, settings=settings, now=clock.now()))


@router.get("/bureau/incidents/live")
async def board_stream(
    request: Request,
    settings: SettingsDep,
    clock: ClockDep,
    web_session: WebSessionDep,
    street: Text = None,
) -> Response:
    """Event stream of the incident board."""
    return _stream(
        request,
        settings,
        lambda session: board_payload(
            session, web_session=web_session, now=clock.now(), street=street or None
        ),
    )


@router.get("/bureau/incidents/live.json")
def board_poll(
    session: SessionDep, clock: ClockDep, web_session: WebSessionDep, street: Text = None
) -> Response:
    """The incident board's rows, for a page whose stream dropped."""
    return _json(
        board_payload(session, web_session=web_session, now=clock.now(), street=street or None)
    )


@router.get("/seat/live")
async def seat_stream(
    request: Request, settings: SettingsDep, clock: ClockDep, web_session: WebSessionDep
) -> Response:
    """Event stream of the seats' queue."""
    return _stream(
        request,
        settings,
        lambda session: seat_payload(
            session, web_session=web_session, settings=settings, now=clock.now()
        ),
    )


@router.get("/seat/live.json")
def seat_poll(
    session: SessionDep, settings: SettingsDep, clock: ClockDep, web_session: WebSessionDep
) -> Response:
    """The seats' queue rows, for a page whose stream dropped."""
    return _json(seat_payload(session, web_session=web_session, settings=settings, now=clock.now()))


@router.get("/t/{token}/live")
async def tracking_stream(
    _limit: ReadLimit,
    request: Request,
    token: TrackingToken,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    """Event stream of one incident's tracking card; opening it counts as a public read."""
    # An unknown token is refused now (404), not after the stream has started; on a session
    # of its own, as a request-scoped one would stay open for the life of the stream.
    await run_in_threadpool(
        _with_session(lambda session: public_service.track(session, token=token, settings=settings))
    )
    return _stream(
        request,
        settings,
        lambda own: tracking_payload(own, token=token, settings=settings, now=clock.now()),
    )


@router.get("/t/{token}/live.json")
def tracking_poll(
    _limit: ReadLimit,
    token: TrackingToken,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> Response:
    """The tracking card's live part, for a page whose stream dropped (a public read)."""
    return _json(tracking_payload(session, token=token, settings=settings, now=clock.now()))
