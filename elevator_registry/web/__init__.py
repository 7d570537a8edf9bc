"""Server-rendered pages: the public elevator card and 96333 report, the public blacklist, star
ratings and cost disclosures, the bureau's pages (accounts included), the maintenance firms'
and the user units' pages (Jinja2 templates and static files shipped inside the package)."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from elevator_registry.web import (
    accounts,
    governance,
    live,
    notifications,
    public,
    staff,
    unit,
    visit,
)
from elevator_registry.web.templating import STATIC_DIR


def install(app: FastAPI) -> None:
    """Mounts the pages and their static files on `app`."""
    app.include_router(public.router)
    app.include_router(governance.router)
    app.include_router(staff.router)
    app.include_router(accounts.router)
    app.include_router(unit.router)
    app.include_router(visit.pages)
    app.include_router(visit.calls)
    app.include_router(live.router)
    app.include_router(notifications.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
