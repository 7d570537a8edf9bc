"""The FastAPI application: routers, the one error envelope, health checks, request logging."""

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from elevator_registry import docs, web
from elevator_registry.audit.routes import router as audit_router
from elevator_registry.config import get_settings
from elevator_registry.db import get_engine
from elevator_registry.dossier.routes import router as dossier_router
from elevator_registry.errors import DomainError
from elevator_registry.governance import routes as governance_routes
from elevator_registry.imports.routes import router as import_router
from elevator_registry.incidents import escalation
from elevator_registry.incidents import routes as incident_routes
from elevator_registry.inspection.routes import router as inspection_router
from elevator_registry.jobs import PeriodicJob
from elevator_registry.kpi.routes import router as kpi_router
from elevator_registry.maintenance.routes import router as maintenance_router
from elevator_registry.messages_zh import chinese_message, validation_message_zh
from elevator_registry.notifications import delivery
from elevator_registry.notifications.routes import router as notifications_router
from elevator_registry.registry.routes import router as registry_router
from elevator_registry.rules import snapshot
from elevator_registry.rules.routes import router as rules_router
from elevator_registry.schemas import ErrorResponse
from elevator_registry.visits.routes import router as visit_router

log = structlog.get_logger("elevator_registry.http")

DESCRIPTION = """
Registry for the 綦江区 "安全乘梯守护行动" (2022): every elevator, its user unit, maintenance
unit, inspections and incidents, with the plan's rules enforced on write.

Authenticate with `Authorization: Bearer <token>` (`elevator-registry tokens create`). Every
refusal has the shape `{"error": {"code", "message", "message_zh", "field"?, "rule"?}}`: `code`
is stable, `message` English, `message_zh` the Chinese sentence to show a person.
Lists are keyset-paginated: pass `next_cursor` back as `cursor`.
"""


def _envelope(
    status_code: int,
    code: str,
    message: str,
    field: str | None = None,
    *,
    message_zh: str | None = None,
) -> JSONResponse:
    body: dict[str, str] = {
        "code": code,
        "message": message,
        "message_zh": message_zh or chinese_message(code, field) or "请求未能完成",
    }
    if field is not None:
        body["field"] = field
    return JSONResponse(status_code=status_code, content={"error": body})


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    return JSONResponse(status_code=error.status_code, content={"error": error.as_dict()})


async def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0]
    location = [str(part) for part in first["loc"] if part not in ("body", "query", "path")]
    field = ".".join(location) or None
    message_zh = validation_message_zh(first, field)
    if first["type"] == "extra_forbidden":
        return _envelope(
            422,
            "UNKNOWN_FIELD",
            f"{field} is not a field of this request",
            field,
            message_zh=message_zh,
        )
    message = f"{field}: {first['msg']}" if field else str(first["msg"])
    return _envelope(422, "VALIDATION_ERROR", message, field, message_zh=message_zh)


async def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    codes = {404: "ROUTE_NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
    response = _envelope(
        error.status_code, codes.get(error.status_code, "HTTP_ERROR"), str(error.detail)
    )
    if error.headers:
        response.headers.update(error.headers)
    return response


async def _integrity_error(_request: Request, error: Exception) -> JSONResponse:
    # The services check constraints first; this catches the race where two requests pass the
    # check together and the database's unique or check constraint stops the second.
    log.warning("integrity_error", error=str(error).splitlines()[0])
    return _envelope(
        409, "CONSTRAINT_VIOLATION", "the change conflicts with data written meanwhile"
    )


async def _database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    log.error("database_unavailable", error=str(error).splitlines()[0])
    return _envelope(503, "DATABASE_UNAVAILABLE", "the database is not reachable; retry shortly")


def start_jobs() -> list[PeriodicJob]:
    """Starts every periodic job the settings enable; each runs once per tick across processes."""
    settings = get_settings()
    started = (
        escalation.start_background(settings),
        snapshot.start_background(settings),
        delivery.start_background(settings),
    )
    return [job for job in started if job is not None]


@asynccontextmanager
async def _with_jobs(_app: FastAPI) -> AsyncIterator[None]:
    jobs = start_jobs()
    try:
        yield
    finally:
        for job in jobs:
            job.stop()


def create_served_app() -> FastAPI:
    """The application `serve` runs: with the background jobs, in every worker process."""
    return create_app(background_jobs=True)


def create_app(*, background_jobs: bool = False) -> FastAPI:
    """Builds the application; `background_jobs` starts the periodic jobs with it (`serve`)."""
    app = FastAPI(
        lifespan=_with_jobs if background_jobs else None,
        title="elevator_registry",
        version="0.1.0",
        description=DESCRIPTION,
        # docs.install serves both pages from packaged assets instead of a CDN.
        docs_url=None,
        redoc_url=None,
        responses={
            413: {"model": ErrorResponse, "description": "Request body too large"},
            422: {"model": ErrorResponse, "description": "Payload or parameter not valid"},
        },
    )
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.include_router(registry_router, prefix="/api/v1")
    app.include_router(audit_router, prefix="/api/v1")
    app.include_router(rules_router, prefix="/api/v1")
    app.include_router(maintenance_router, prefix="/api/v1")
    app.include_router(inspection_router, prefix="/api/v1")
    app.include_router(dossier_router, prefix="/api/v1")
    app.include_router(visit_router, prefix="/api/v1")
    incident_routes.install(app)
    app.include_router(kpi_router, prefix="/api/v1")
    app.include_router(import_router, prefix="/api/v1")
    app.include_router(governance_routes.router, prefix="/api/v1")
    app.include_router(governance_routes.public_router, prefix="/api/v1")
    app.include_router(notifications_router, prefix="/api/v1")
    web.install(app)
    docs.install(app)

    @app.middleware("http")
    async def log_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["x-request-id"] = request_id
        log.info(
            "request",
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            ms=round((time.perf_counter() - started) * 1000, 1),
            request_id=request_id,
        )
        return response

    @app.get("/health/live", tags=["health"])
    def live() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get(
        "/health/ready",
        tags=["health"],
        responses={503: {"model": ErrorResponse, "description": "Database not reachable"}},
    )
    def ready() -> dict[str, str]:
        """The database answers."""
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "database": get_engine().dialect.name}

    return app
