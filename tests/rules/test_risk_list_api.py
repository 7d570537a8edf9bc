"""The risk list, summary, findings and rules routes; exports; the generated rules page."""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.config import Settings
from elevator_registry.registry import contracts as contract_service
from elevator_registry.registry.models import MaintenanceContract, Warranty
from elevator_registry.rules import docs, export
from elevator_registry.rules import service as rules_service
from elevator_registry.rules.catalogue import CATALOGUE
from tests import factories
from tests.conftest import NOW, AuthHeaders
from tests.rules import builders

DAY = date(2026, 11, 15)


def test_the_list_is_sorted_by_score_and_pages_by_keyset(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    world.lift_a.user_unit_id = None  # NO_USER_UNIT (critical) puts lift A on top
    session.flush()
    first = client.get("/api/v1/risk-list?limit=1", headers=bureau).json()
    assert first["as_of"] == "2026-11-15"
    assert [row["elevator"]["id"] for row in first["items"]] == [world.lift_a.id]
    top = first["items"][0]
    assert top["score"] == sum(
        Settings().severity_weights[finding["severity"]] for finding in top["findings"]
    )
    assert "NO_USER_UNIT" in {finding["rule"] for finding in top["findings"]}
    second = client.get(
        f"/api/v1/risk-list?limit=1&cursor={first['next_cursor']}", headers=bureau
    ).json()
    assert [row["elevator"]["id"] for row in second["items"]] == [world.lift_b.id]
    assert second["items"][0]["score"] <= top["score"]
    assert second["next_cursor"] is None


def test_filters_by_street_rule_severity_and_age_band(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/risk-list?{query}", headers=bureau)
        assert response.status_code == 200, response.json()
        return [row["elevator"]["id"] for row in response.json()["items"]]

    assert ids("street=永新镇") == [world.lift_b.id]
    assert ids("rule=AGING_ASSESSMENT_MISSING") == [world.lift_b.id]
    only_aging = client.get(
        "/api/v1/risk-list?rule=AGING_ASSESSMENT_MISSING", headers=bureau
    ).json()
    assert {f["rule"] for f in only_aging["items"][0]["findings"]} == {"AGING_ASSESSMENT_MISSING"}
    critical = client.get("/api/v1/risk-list?severity=critical", headers=bureau).json()["items"]
    assert {f["severity"] for row in critical for f in row["findings"]} <= {"critical"}
    assert sorted(ids("age_band=10-15")) == [world.lift_a.id, world.lift_b.id]
    assert ids("age_band=0-5") == []
    assert ids(f"maintenance_unit_id={world.maintainer_b.id}") == [world.lift_b.id]


def test_unknown_rule_or_age_band_is_refused(client: TestClient, bureau: dict[str, str]) -> None:
    unknown = client.get("/api/v1/risk-list?rule=NOT_A_RULE", headers=bureau)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "RULE_UNKNOWN")
    write_only = client.get("/api/v1/risk-list?rule=LICENCE_BAN", headers=bureau)
    assert write_only.json()["error"]["code"] == "RULE_UNKNOWN"
    band = client.get("/api/v1/risk-list?age_band=old", headers=bureau)
    assert band.json()["error"]["code"] == "AGE_BAND_UNKNOWN"


def test_as_of_reproduces_an_earlier_list(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    contract = session.query(MaintenanceContract).filter_by(elevator_id=world.lift_a.id).one()
    builders.record(session, world.lift_a, contract, builders.local(DAY - timedelta(days=20)))
    today = client.get("/api/v1/risk-list?rule=MAINTENANCE_OVERDUE", headers=bureau).json()
    earlier = client.get(
        "/api/v1/risk-list?rule=MAINTENANCE_OVERDUE&as_of=2026-10-30", headers=bureau
    ).json()
    assert world.lift_a.id in [row["elevator"]["id"] for row in today["items"]]
    assert world.lift_a.id not in [row["elevator"]["id"] for row in earlier["items"]]


def test_each_role_sees_only_its_elevators(
    client: TestClient, auth: AuthHeaders, world: factories.World
) -> None:
    def ids(headers: dict[str, str]) -> set[int]:
        return {
            row["elevator"]["id"]
            for row in client.get("/api/v1/risk-list", headers=headers).json()["items"]
        }

    assert ids(auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)) == {world.lift_a.id}
    assert ids(auth(Role.USER_UNIT, organisation=world.user_b)) == {world.lift_b.id}
    assert ids(auth(Role.STREET_OFFICE, street="永新镇")) == {world.lift_b.id}
    assert ids(auth(Role.IOT_PLATFORM)) == set()
    assert client.get("/api/v1/risk-list").status_code == 401


def test_summary_adds_up_to_the_list(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    summary = client.get("/api/v1/risk-summary", headers=bureau).json()
    rows = client.get("/api/v1/risk-list", headers=bureau).json()["items"]
    assert summary["elevators_with_findings"] == len(rows)
    assert sum(street["score"] for street in summary["by_street"]) == sum(
        row["score"] for row in rows
    )
    per_rule = {entry["rule"]: entry["elevators"] for entry in summary["by_rule"]}
    for rule in per_rule:
        assert per_rule[rule] == sum(rule in {f["rule"] for f in row["findings"]} for row in rows)


def test_csv_export_has_a_bom_and_the_same_rows(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.get("/api/v1/risk-list?format=csv", headers=bureau)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    # Every cell quoted, LF line ends: what PostgreSQL's COPY writes, on both databases.
    header = ",".join(f'"{cell}"' for cell in export.HEADER)
    assert response.content.startswith(f"\ufeff{header}\n".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    listed = client.get("/api/v1/risk-list", headers=bureau).json()["items"]
    assert [int(row[0]) for row in rows[1:]] == [row["elevator"]["id"] for row in listed]
    assert [int(row[11]) for row in rows[1:]] == [row["score"] for row in listed]
    assert rows[0][1] == "设备代码 equipment_code"
    assert {row[6] for row in rows[1:]} <= set(export.PLACE_LABELS.values())
    assert {row[7] for row in rows[1:]} <= set(export.STATUS_LABELS.values())


def test_xlsx_export_opens_with_one_row_per_elevator(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.get("/api/v1/risk-list?format=xlsx&street=古南街道", headers=bureau)
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in values[1:]] == [world.lift_a.id]
    assert list(values[0]) == export.HEADER_ZH
    header = dict(zip(values[0], values[1], strict=True))
    assert (header["场所类别"], header["状态"]) == ("住宅", "在用")


def test_findings_of_one_elevator_match_its_list_row(
    client: TestClient, bureau: dict[str, str], auth: AuthHeaders, world: factories.World
) -> None:
    one = client.get(f"/api/v1/elevators/{world.lift_a.id}/findings", headers=bureau).json()
    listed = client.get("/api/v1/risk-list?street=古南街道", headers=bureau).json()["items"][0]
    assert one["score"] == listed["score"]
    assert [f["rule"] for f in one["findings"]] == [f["rule"] for f in listed["findings"]]
    foreign = client.get(
        f"/api/v1/elevators/{world.lift_a.id}/findings",
        headers=auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_b),
    )
    assert foreign.status_code == 404


def test_rules_route_lists_the_catalogue_publicly(client: TestClient) -> None:
    rules = client.get("/api/v1/rules").json()
    assert [rule["code"] for rule in rules] == [rule.code for rule in CATALOGUE]
    overdue = next(rule for rule in rules if rule["code"] == "MAINTENANCE_OVERDUE")
    assert overdue["params"] == {"maintenance_interval_days": 15}
    assert overdue["listed"] is True
    assert next(rule for rule in rules if rule["code"] == "LICENCE_BAN")["enforcement"] == ["W"]


def test_committed_rules_page_is_up_to_date() -> None:
    committed = (Path(__file__).resolve().parents[2] / "docs" / "RULES.md").read_text(
        encoding="utf-8"
    )
    assert committed == docs.render(), "docs/RULES.md is stale: run `elevator-registry rules-doc`"


# Property tests on the date boundaries ------------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(days_ago=st.integers(min_value=0, max_value=40), hour=st.integers(min_value=0, max_value=23))
def test_maintenance_overdue_exactly_when_more_than_fifteen_local_days(
    session: Session, world: factories.World, days_ago: int, hour: int
) -> None:
    contract = session.query(MaintenanceContract).filter_by(elevator_id=world.lift_a.id).one()
    with session.begin_nested() as savepoint:
        builders.record(
            session, world.lift_a, contract, builders.local(DAY - timedelta(days=days_ago), hour)
        )
        findings = rules_service.elevator_findings(
            session, elevator_id=world.lift_a.id, as_of=DAY, now=NOW, settings=Settings()
        )
        savepoint.rollback()
    assert ("MAINTENANCE_OVERDUE" in {f.rule for f in findings}) is (days_ago > 15)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.dates(min_value=date(2016, 1, 1), max_value=date(2026, 11, 1)),
    length_days=st.integers(min_value=1, max_value=4000),
    scope=st.sampled_from(["whole_unit", "traction_machine", "door_operator"]),
    context=st.sampled_from(["subsidised_renovation", "new_installation", "other"]),
    maker_maintains=st.booleans(),
)
def test_the_write_check_and_the_list_agree_on_warranty_minimums(
    session: Session,
    world: factories.World,
    start: date,
    length_days: int,
    scope: str,
    context: str,
    maker_maintains: bool,
) -> None:
    settings_ = Settings()
    with session.begin_nested() as savepoint:
        world.lift_a.manufacturer_id = world.manufacturer.id
        contract = session.query(MaintenanceContract).filter_by(elevator_id=world.lift_a.id).one()
        contract.start_date = date(2015, 1, 1)
        contract.maintenance_unit_id = (
            world.manufacturer.id if maker_maintains else world.maintainer_a.id
        )
        end = start + timedelta(days=length_days)
        session.add(
            Warranty(
                elevator_id=world.lift_a.id,
                scope=scope,
                issuer_id=world.manufacturer.id,
                start_date=start,
                end_date=end,
                context=context,
                created_at=factories.CREATED,
            )
        )
        session.flush()
        minimum = contract_service.warranty_minimum(
            session,
            elevator=world.lift_a,
            scope=scope,
            context=context,
            start=start,
            settings=settings_,
        )
        from elevator_registry.dates import last_day_of_years

        refused_on_write = minimum is not None and end < last_day_of_years(start, minimum[0])
        listed = "WARRANTY_BELOW_MINIMUM" in {
            f.rule
            for f in rules_service.elevator_findings(
                session, elevator_id=world.lift_a.id, as_of=DAY, now=NOW, settings=settings_
            )
        }
        savepoint.rollback()
    assert listed is refused_on_write
