"""Offline API documentation: Swagger UI at /docs and ReDoc at /redoc, with their JavaScript and
CSS served by this app from the `fastapi-offline` package (no CDN). The bearer scheme that
makes Swagger UI's Authorize button work is declared in `auth.dependencies`.

FastAPI's own /docs and /redoc load their assets from jsDelivr and fonts from Google: on a
machine without internet both pages stay blank. `fastapi-offline` is used only for the files it
ships (Swagger UI bundle and CSS, ReDoc standalone); the pages are FastAPI's own HTML helpers.
"""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/docs-assets"
# A favicon that needs no request at all (the helpers' default is FastAPI's site).
NO_FAVICON = "data:,"


def install(app: FastAPI) -> None:
    """Serves /docs, /redoc and their assets from the package.

    The app must have been built with `docs_url=None, redoc_url=None`.
    """
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=NO_FAVICON,
            oauth2_redirect_url=redirect_url,
            # Keep the token across reloads of the page, as a person trying routes expects.
            swagger_ui_parameters={"persistAuthorization": True},
        )

    @app.get(redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} — ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=NO_FAVICON,
            with_google_fonts=False,
        )
        # ReDoc's sidebar shows a "powered by" logo from its vendor's CDN; offline it would
        # only fail, so keep images to this site and let the browser not even ask.
        page.headers["Content-Security-Policy"] = "img-src 'self' data:"
        return page
