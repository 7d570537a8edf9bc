"""The CSV export: on PostgreSQL a COPY of the snapshot's stored texts, writing the very bytes
the rows rendered one by one in Python write; elsewhere those rendered rows."""

import csv
import io
import threading
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import CLI
from elevator_registry.config import Settings
from elevator_registry.errors import InvalidValue
from elevator_registry.rules import export, snapshot
from elevator_registry.rules import service as rules_service
from elevator_registry.rules.models import ElevatorRisk, RiskSnapshot
from tests import factories
from tests.conftest import NOW, TODAY, AuthHeaders

BOM = "\ufeff".encode()
HEADER_LINE = ",".join(f'"{cell}"' for cell in export.HEADER).encode() + b"\n"
# Cells CSV must quote, and text in both scripts: a comma, a double quote, a line break.
AWKWARD_ADDRESS = '綦江区古南街道"沙溪路",12号\r\n2单元'


@pytest.fixture
def listed(session: Session, world: factories.World) -> factories.World:
    """The world with awkward cells, its snapshot refreshed: lift A has a registration number
    and an address to quote, lift B none and an address with a lone carriage return."""
    world.lift_a.address = AWKWARD_ADDRESS
    world.lift_a.registration_number = "梯11渝BS00000001"
    world.lift_a.registered_on = world.lift_a.commissioned_on
    world.lift_b.address = "永新镇\r中心小学"
    session.flush()
    snapshot.refresh_all(session, as_of=TODAY, now=NOW, settings=Settings())
    return world


def on_postgresql(session: Session) -> None:
    """Skips the test on SQLite, where every export is rendered in Python."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the COPY export exists on PostgreSQL only; SQLite renders every row")


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[export.Chunks]:
    """The COPY streams exports start during the test."""
    started: list[export.Chunks] = []
    original = export._copy_chunks

    def spy(driver: Any, copy_sql: str) -> export.Chunks:
        started.append(original(driver, copy_sql))
        return started[-1]

    monkeypatch.setattr(export, "_copy_chunks", spy)
    return started


def parsed(content: bytes) -> list[list[str]]:
    """The rows of a CSV download, header first."""
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def forget_texts(session: Session) -> None:
    """The snapshot as migration 0008 leaves one refreshed before it: rows without texts."""
    session.execute(update(RiskSnapshot).values(texts_rendered=False))
    session.execute(update(ElevatorRisk).values(rules=None, details_zh=None, details_en=None))


Case = Callable[[factories.World, AuthHeaders], tuple[dict[str, str], str]]
CASES: dict[str, Case] = {
    "bureau": lambda world, auth: (auth(Role.BUREAU), ""),
    "street": lambda world, auth: (auth(Role.BUREAU), "&street=古南街道"),
    "maintenance unit filter": lambda world, auth: (
        auth(Role.BUREAU),
        f"&maintenance_unit_id={world.maintainer_b.id}",
    ),
    "user unit filter": lambda world, auth: (auth(Role.BUREAU), f"&user_unit_id={world.user_a.id}"),
    "place and age": lambda world, auth: (
        auth(Role.BUREAU),
        "&place_category=school&age_band=10-15",
    ),
    "maintenance unit's own": lambda world, auth: (
        auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a),
        "",
    ),
    "user unit's own": lambda world, auth: (auth(Role.USER_UNIT, organisation=world.user_b), ""),
    "street office's own": lambda world, auth: (auth(Role.STREET_OFFICE, street="永新镇"), ""),
}


@pytest.mark.parametrize("case", CASES)
def test_the_copy_export_writes_the_bytes_of_the_rendered_rows(
    client: TestClient,
    auth: AuthHeaders,
    listed: factories.World,
    session: Session,
    copies: list[export.Chunks],
    case: str,
) -> None:
    on_postgresql(session)
    headers, query = CASES[case](listed, auth)
    url = f"/api/v1/risk-list?format=csv{query}"
    copied = client.get(url, headers=headers)
    assert copied.status_code == 200
    assert len(copies) == 1, "the snapshot holds every row's texts: the export is a COPY"
    forget_texts(session)
    rendered = client.get(url, headers=headers)
    assert len(copies) == 1, "without texts the rows are rendered in Python"
    assert copied.content == rendered.content
    assert parsed(copied.content) == parsed(rendered.content)
    page = client.get(f"/api/v1/risk-list?limit=500{query}", headers=headers).json()
    assert [int(row[0]) for row in parsed(copied.content)[1:]] == [
        row["elevator"]["id"] for row in page["items"]
    ]


def test_a_maintenance_unit_exports_only_the_elevators_it_maintains(
    client: TestClient, auth: AuthHeaders, listed: factories.World
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=listed.maintainer_a)
    content = client.get("/api/v1/risk-list?format=csv", headers=headers).content
    assert [int(row[0]) for row in parsed(content)[1:]] == [listed.lift_a.id]


def test_the_download_has_one_bom_one_header_and_every_cell_intact(
    client: TestClient, bureau: dict[str, str], listed: factories.World
) -> None:
    content = client.get("/api/v1/risk-list?format=csv", headers=bureau).content
    assert content.startswith(BOM + HEADER_LINE)
    assert content.count(BOM) == 1 and content.count(HEADER_LINE) == 1
    rows = {int(row[0]): row for row in parsed(content)[1:]}
    lift_a, lift_b = rows[listed.lift_a.id], rows[listed.lift_b.id]
    assert lift_a[2:6] == [
        "梯11渝BS00000001",
        listed.lift_a.rescue_code,
        "古南街道",
        AWKWARD_ADDRESS,
    ]
    assert lift_a[8] == listed.lift_a.commissioned_on.isoformat()
    assert (lift_b[2], lift_b[5]) == ("", "永新镇\r中心小学")


def test_a_bad_filter_is_refused_before_the_first_byte(
    client: TestClient, bureau: dict[str, str], listed: factories.World, session: Session
) -> None:
    band = client.get("/api/v1/risk-list?format=csv&age_band=old", headers=bureau)
    assert (band.status_code, band.json()["error"]["code"]) == (422, "AGE_BAND_UNKNOWN")
    rule = client.get("/api/v1/risk-list?format=csv&rule=NOPE", headers=bureau)
    assert (rule.status_code, rule.json()["error"]["code"]) == (422, "RULE_UNKNOWN")
    with pytest.raises(InvalidValue):
        export.risk_list_csv(  # raises on the call, before any chunk is asked for
            session,
            rules_service.RiskQuery(
                actor=CLI,
                filters=rules_service.RiskFilters(age_band="old"),
                as_of=TODAY,
                today=TODAY,
                now=NOW,
                settings=Settings(),
            ),
        )


def test_a_client_gone_mid_copy_leaves_the_connection_usable(
    client: TestClient,
    bureau: dict[str, str],
    listed: factories.World,
    session: Session,
    copies: list[export.Chunks],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_postgresql(session)
    monkeypatch.setattr(export, "COPY_CHUNK_BYTES", 1)  # a chunk per row: the COPY is mid-way
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and len(sent) == 2:
            raise OSError("client went away")  # ASGI 2.4: a send to a closed connection fails
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/risk-list",
        "raw_path": b"/api/v1/risk-list",
        "root_path": "",
        "query_string": b"format=csv",
        "headers": [(b"host", b"testserver")]
        + [(name.lower().encode(), value.encode()) for name, value in bureau.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    outcome: list[BaseException] = []

    def request() -> None:
        try:
            anyio.run(client.app, scope, receive, send)
        except BaseException as error:  # checked by the test: raised here it would be lost
            outcome.append(error)

    serving = threading.Thread(target=request)
    serving.start()
    serving.join(timeout=30)
    if serving.is_alive():
        copies[0].close()  # what `Download` should have done; frees the stuck request
        serving.join()
        pytest.fail("the request's session waited on the abandoned COPY")
    assert len(outcome) == 1 and isinstance(outcome[0], OSError)
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    assert sent[1]["body"] == BOM + HEADER_LINE
    assert session.scalar(select(func.count()).select_from(ElevatorRisk)) == 2
