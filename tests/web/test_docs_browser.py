"""The API documentation pages in Chromium with every non-loopback request refused: they must
work on a machine without internet (assets from the fastapi-offline package, not a CDN)."""

import re
from typing import Any

import httpx
import pytest

from tests.web.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser


def _outside(context: Any, live_server: LiveServer) -> list[str]:
    return [url for url in context.requested_urls if not url.startswith(live_server.base_url)]


def test_swagger_ui_renders_operations_and_authorizes_with_a_token(
    context: Any, live_server: LiveServer
) -> None:
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 50
    assert page.get_by_text("/api/v1/elevators/{elevator_id}/dossier").count() == 1
    page.get_by_role("button", name=re.compile("Authorize")).first.click()
    dialog = page.locator(".modal-ux")
    dialog.get_by_text("bearerAuth").first.wait_for()
    dialog.locator("input").first.fill(live_server.world.bureau_token)
    dialog.locator("button.modal-btn.authorize").click()
    # Swagger UI offers to log out once it holds the token.
    dialog.get_by_text("Logout", exact=True).wait_for()
    screenshot(page, "40-docs-swagger-authorized")
    assert _outside(context, live_server) == []
    assert any(url.endswith("/docs-assets/swagger-ui-bundle.js") for url in context.requested_urls)


def test_redoc_renders_offline(context: Any, live_server: LiveServer) -> None:
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto("/redoc")
    page.get_by_text("bearerAuth").first.wait_for()
    assert page.locator("[data-section-id^='operation/']").count() > 50
    assert _outside(context, live_server) == []
    assert any(url.endswith("/docs-assets/redoc.standalone.js") for url in context.requested_urls)


def test_openapi_marks_protected_routes_with_the_bearer_scheme(live_server: LiveServer) -> None:
    document = httpx.get(f"{live_server.base_url}/openapi.json", timeout=30).json()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    paths = document["paths"]
    assert paths["/api/v1/elevators"]["get"]["security"] == [{"bearerAuth": []}]
    assert paths["/api/v1/incidents/{incident_id}/accept"]["post"]["security"] == [
        {"bearerAuth": []}
    ]
    # Residents report without a token; operators and IoT platforms send theirs.
    assert paths["/api/v1/incidents"]["post"]["security"] == [{"bearerAuth": []}, {}]
    assert "security" not in paths["/api/v1/public/elevators/{rescue_code}"]["get"]
