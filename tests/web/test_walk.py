"""The walk: every page of every role, and every export, shows people Chinese, not codes.

Routes are discovered from the web routers, so a page added later is walked too; a path
parameter the walk has no value for fails the test until one is given in `PATH_VALUES`. A page
fails on any raw enum value (an ASCII word that is a value of an enum in `labels.ENUM_LABELS`,
e.g. "residential", "half_month", "pass", "in_use") or an internal `#<id>` in its visible text.
"""

import csv
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.labels import raw_values
from elevator_registry.web import governance, public, staff
from elevator_registry.web.routing import BUREAU_ROLES, FIRM_ROLES
from tests import factories
from tests.conftest import NOW
from tests.evidence_factories import inspection, record_body
from tests.web.conftest import Login

RAW = raw_values()
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
INTERNAL_ID = re.compile(r"#\d+")
# Attributes a person reads (or hears, through a screen reader).
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
INVISIBLE_TAGS = {"script", "style", "head"}
# The English findings column of the exports is English prose for programs and English readers.
ENGLISH_COLUMNS = {"findings", "问题（英文）"}


class _VisibleText(HTMLParser):
    """The text of a page a person sees: data outside script/style/head, and visible attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in INVISIBLE_TAGS:
            self._hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.parts.append(value)
            if tag == "input" and name == "value" and value and ("type", "submit") in attrs:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in INVISIBLE_TAGS:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """What a person reads on the page (the title in <head> included)."""
    parser = _VisibleText()
    parser.feed(html)
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    return " ".join([title.group(1) if title else "", *parser.parts])


def leaks(text: str) -> list[str]:
    """Raw enum values and `#<id>`s in `text`."""
    found = [word for word in WORD.findall(text) if word in RAW]
    return found + INTERNAL_ID.findall(text)


def page_routes() -> list[APIRoute]:
    """Every GET route of the web routers (new routers: add them to the tuple)."""
    return [
        route
        for module in (public, governance, staff)
        for route in module.router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods
    ]


@pytest.fixture
def walked_world(pages: TestClient, session: Session, world: factories.World) -> dict[str, Any]:
    """`world` with evidence in every section: records, an inspection, an assessment, a serious
    hazard (a suspended elevator, a stop-use notice), a usage check and a trapped incident."""
    # Token labels are names people give; a Chinese one, as a real officer's would be.
    _, secret = auth_service.create_token(session, role=Role.BUREAU, label="区局值班员", now=NOW)
    bureau = {"Authorization": f"Bearer {secret}"}
    for lift in (world.lift_a, world.lift_b):
        answer = pages.post("/api/v1/maintenance-records", json=record_body(lift), headers=bureau)
        assert answer.status_code == 201, answer.json()
    inspection(
        session, world.lift_a, world.agency, performed_on=factories.REFERENCE_DAY, number="JY-0001"
    )
    assessment = {
        "elevator_id": world.lift_a.id,
        "assessed_on": factories.REFERENCE_DAY.isoformat(),
        "score": "58",
        "risk_grade": 3,
        "conclusion": "modernise",
        "measures": ["更换控制柜"],
        "agency_id": world.agency.id,
    }
    assert pages.post("/api/v1/safety-assessments", json=assessment, headers=bureau).is_success
    hazard = {"elevator_id": world.lift_b.id, "severity": "serious", "description": "制动器失效"}
    filed = pages.post("/api/v1/hazard-reports", json=hazard, headers=bureau)
    assert filed.status_code == 201, filed.json()
    check = {"elevator_id": world.lift_a.id, "checker_name": "王强"}
    assert pages.post("/api/v1/usage-checks", json=check, headers=bureau).is_success
    report = {"rescue_code": world.lift_a.rescue_code, "kind": "trapped", "trapped_count": 2}
    receipt = pages.post("/api/v1/incidents", json=report)
    assert receipt.status_code == 201, receipt.json()
    return {
        "rescue_code": [world.lift_a.rescue_code, world.lift_b.rescue_code],
        "elevator_id": [str(world.lift_a.id), str(world.lift_b.id)],
        "token": [receipt.json()["tracking_token"]],
        "hazard_id": [str(filed.json()["id"])],
        "file_format": ["csv", "xlsx"],
        "image_format": ["svg"],
    }


def _logins(world: factories.World) -> list[tuple[str, dict[str, Any]]]:
    """The visitors: the public, and every role that has pages (others cannot log in)."""
    needs: dict[Role, dict[str, Any]] = {
        Role.STREET_OFFICE: {"street": "古南街道"},
        Role.MAINTENANCE_UNIT: {"organisation": world.maintainer_a},
    }
    visitors: list[tuple[str, dict[str, Any]]] = [("public", {})]
    for role in (*BUREAU_ROLES, *FIRM_ROLES):
        visitors.append((str(role), {"role": role, **needs.get(role, {})}))
    visitors.append(
        ("maintenance_unit_b", {"role": Role.MAINTENANCE_UNIT, "organisation": world.maintainer_b})
    )
    return visitors


def _urls(route: APIRoute, values: dict[str, list[str]]) -> Iterator[str]:
    names = re.findall(r"{([a-z_]+)}", route.path)
    missing = [name for name in names if name not in values]
    assert not missing, f"{route.path}: give the walk values for {missing}"
    combos: list[dict[str, str]] = [{}]
    for name in names:
        combos = [combo | {name: value} for combo in combos for value in values[name]]
    for combo in combos:
        yield route.path.format(**combo)


def _export_cells(content: bytes, content_type: str) -> list[tuple[str, str]]:
    """(column header, cell) of every cell of a CSV or XLSX download, headers included."""
    if "csv" in content_type:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        book = load_workbook(io.BytesIO(content), read_only=True)
        rows = [
            ["" if cell is None else str(cell) for cell in row]
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
    cells: list[tuple[str, str]] = []
    header: list[str] = []
    for row in rows:
        if not header or not any(row):
            header = list(row)
        cells.extend(
            (header[index] if index < len(header) else "", cell) for index, cell in enumerate(row)
        )
    return cells


def test_every_page_and_export_speaks_chinese(
    pages: TestClient, login: Login, world: factories.World, walked_world: dict[str, Any]
) -> None:
    seen: dict[str, list[str]] = {}
    failures: list[str] = []
    for route in page_routes():
        if route.path == "/login":
            continue  # walked by every login below
        for url in _urls(route, walked_world):
            for visitor, credentials in _logins(world):
                pages.cookies.clear()
                if credentials:
                    login(**credentials)
                answer = pages.get(url, follow_redirects=False)
                if answer.status_code != 200:
                    continue
                seen.setdefault(route.path, []).append(visitor)
                kind = answer.headers["content-type"]
                if kind.startswith("text/html"):
                    found = leaks(visible_text(answer.text))
                elif "csv" in kind or "spreadsheet" in kind:
                    found = [
                        leak
                        for column, cell in _export_cells(answer.content, kind)
                        if not any(english in column for english in ENGLISH_COLUMNS)
                        for leak in leaks(cell)
                    ]
                else:
                    continue  # an image
                if found:
                    failures.append(f"{visitor} {url}: {sorted(set(found))}")
                    if kind.startswith("text/html"):
                        text = visible_text(answer.text)
                        for leak in set(found):
                            at = text.find(leak)
                            failures.append(
                                "   …" + text[max(0, at - 60) : at + 30].replace("\n", " ")
                            )
    never = [route.path for route in page_routes() if route.path not in seen]
    assert never == ["/login"], "routes no visitor could open: give the walk what they need"
    assert failures == [], "\n".join(failures)


def test_the_walk_catches_a_raw_value_and_an_internal_id() -> None:
    html = '<html><head><title>场所 residential</title></head><body><p title="in_use">维保单位 #5'
    html += "</p><script>var periodic = 1</script></body></html>"
    assert sorted(leaks(visible_text(html))) == ["#5", "in_use", "residential"]
