"""KPI definitions on hand-built data with known answers; empty periods; figures add up."""

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from elevator_registry.auth.enums import Role
from elevator_registry.incidents.models import Incident
from tests import factories
from tests.evidence_factories import inspection

_serial = itertools.count(1)
MINUTE = timedelta(minutes=1)


def incident(
    session: Session,
    lift: Any,
    unit: Any,
    reported_at: datetime,
    *,
    kind: str = "trapped",
    status: str = "closed",
    deadline_minutes: int = 30,
    accepted: int | None = None,
    arrived: int | None = None,
    released: int | None = None,
    cause: str | None = None,
) -> Incident:
    """A dispatched incident with its times given in minutes after the report."""
    serial = next(_serial)

    def after(minutes: int | None) -> datetime | None:
        return None if minutes is None else reported_at + minutes * MINUTE

    row = Incident(
        number=f"T{serial:08d}",
        elevator_id=lift.id,
        kind=kind,
        channel="public",
        trapped_count=1 if kind == "trapped" else 0,
        status=status,
        escalation_level=1,
        maintenance_unit_id=unit.id,
        no_contract=False,
        reported_at=reported_at,
        arrival_deadline_at=reported_at + deadline_minutes * MINUTE,
        dispatched_at=reported_at,
        accepted_at=after(accepted),
        arrived_at=after(arrived),
        released_at=after(released),
        closed_at=after(60) if status in ("closed", "false_alarm") else None,
        fault_cause_code=cause,
        tracking_token_hash=f"{serial:064d}",
        created_at=reported_at,
    )
    session.add(row)
    session.flush()
    return row


def utc(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def october(session: Session, world: factories.World) -> factories.World:
    """October 2026 in the small world (lift_a in 古南街道 by unit A, lift_b in 永新镇 by unit B)."""
    a, b = world.maintainer_a, world.maintainer_b
    incident(
        session,
        world.lift_a,
        a,
        utc(5, 2),
        accepted=3,
        arrived=20,
        released=25,
        cause="door_system",
    )
    incident(
        session, world.lift_a, a, utc(10, 2), accepted=6, arrived=35, released=40, cause="power_cut"
    )
    incident(
        session,
        world.lift_b,
        b,
        utc(20, 2),
        deadline_minutes=60,
        accepted=5,
        arrived=45,
        released=50,
        cause="misuse",
    )
    incident(
        session, world.lift_a, a, utc(25, 2), status="dispatched"
    )  # deadline passed, nobody came
    incident(session, world.lift_b, b, utc(26, 2), status="false_alarm", accepted=1)  # left out
    incident(
        session,
        world.lift_a,
        a,
        utc(30, 15, 50, month=9),
        accepted=2,
        arrived=10,
        released=12,
        cause="control",
    )  # 23:50 local on 30 Sep
    incident(
        session, world.lift_a, a, utc(31, 15, 30), status="self_released", accepted=2, released=10
    )  # 23:30 local on 31 Oct
    incident(
        session, world.lift_b, b, utc(3, 2), kind="fault", status="arrived", arrived=50
    )  # not trapped
    inspection(session, world.lift_a, world.agency, performed_on=date(2026, 10, 3))
    inspection(
        session,
        world.lift_b,
        world.agency,
        kind="self_test",
        performed_on=date(2026, 10, 12),
        result="pass_after_rectification",
    )
    failed = inspection(
        session, world.lift_b, world.agency, performed_on=date(2026, 10, 15), result="fail"
    )
    inspection(
        session,
        world.lift_b,
        world.agency,
        kind="re_inspection",
        performed_on=date(2026, 10, 20),
        follows=failed,
    )
    inspection(session, world.lift_a, world.agency, performed_on=date(2026, 9, 30))
    return world


def kpis(client: TestClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = client.get("/api/v1/kpi", params=params, headers=headers)
    assert response.status_code == 200, response.json()
    return response.json()


def figures(group: dict[str, Any]) -> dict[str, tuple[Any, float, float, Any]]:
    return {
        kpi["code"]: (
            None if kpi["value"] is None else round(kpi["value"], 6),
            kpi["numerator"],
            kpi["denominator"],
            kpi["met"],
        )
        for kpi in group["kpis"]
    }


def test_district_figures_for_october(
    client: TestClient, bureau: dict[str, str], october: factories.World
) -> None:
    report = kpis(client, bureau, **{"from": "2026-10-01", "to": "2026-10-31"})
    assert [group["key"] for group in report["groups"]] == ["district"]
    assert report["groups"][0]["label"] == "綦江区"
    assert figures(report["groups"][0]) == {
        # accepted within 5 min of dispatch: 3 (at 3 min, exactly 5 min, 2 min) of 5 dispatched
        "emergency_response_rate": (0.6, 3.0, 5.0, False),
        # door_system, no cause yet, self-released without cause; not power cut, not misuse;
        # 2 elevators in use × 1 month
        "trapped_fault_rate": (1.5, 3.0, 2.0, False),
        # 1 first-time pass of 3 periodic/self-test (rectified pass and fail do not count)
        "inspection_pass_rate": (round(1 / 3, 6), 1.0, 3.0, False),
        # (20 + 35 + 45) / 3
        "average_arrival_minutes": (round(100 / 3, 6), 100.0, 3.0, False),
        # on time: 20 ≤ 30 and 45 ≤ 60 (town); late: 35 > 30, and one never reached
        "on_time_arrival_rate": (0.5, 2.0, 4.0, False),
        # no policies: 0 of the 2 elevators in use are insured
        "insurance_coverage": (0.0, 0.0, 2.0, False),
    }


def test_figures_by_street_add_up_to_the_district(
    client: TestClient, bureau: dict[str, str], october: factories.World
) -> None:
    period = {"from": "2026-10-01", "to": "2026-10-31"}
    district = figures(kpis(client, bureau, **period)["groups"][0])
    streets = {
        group["key"]: figures(group)
        for group in kpis(client, bureau, **period, group_by="street")["groups"]
    }
    assert set(streets) == {"古南街道", "永新镇"}
    assert streets["永新镇"]["on_time_arrival_rate"] == (1.0, 1.0, 1.0, True)
    assert streets["古南街道"]["emergency_response_rate"] == (0.5, 2.0, 4.0, False)
    for code, (_, numerator, denominator, _) in district.items():
        assert sum(street[code][1] for street in streets.values()) == pytest.approx(numerator)
        assert sum(street[code][2] for street in streets.values()) == pytest.approx(denominator)


def test_figures_by_maintenance_unit_add_up(
    client: TestClient, bureau: dict[str, str], october: factories.World
) -> None:
    period = {"from": "2026-10-01", "to": "2026-10-31"}
    district = figures(kpis(client, bureau, **period)["groups"][0])
    groups = kpis(client, bureau, **period, group_by="maintenance_unit")["groups"]
    labels = {group["label"] for group in groups}
    assert {"重庆安达电梯工程有限公司", "綦江通达电梯维修有限公司"} <= labels
    units = [figures(group) for group in groups]
    for code, (_, numerator, denominator, _) in district.items():
        assert sum(unit[code][1] for unit in units) == pytest.approx(numerator)
        assert sum(unit[code][2] for unit in units) == pytest.approx(denominator)


def test_months_split_at_local_midnight_and_share_the_elevator_months(
    client: TestClient, bureau: dict[str, str], october: factories.World
) -> None:
    report = kpis(client, bureau, **{"from": "2026-09-16", "to": "2026-10-31"}, group_by="month")
    months = {group["key"]: figures(group) for group in report["groups"]}
    assert list(months) == ["2026-09", "2026-10"]
    # 23:50 local on 30 September is September, though it is 15:50 UTC the same day
    assert months["2026-09"]["average_arrival_minutes"] == (10.0, 10.0, 1.0, True)
    # 15 of September's 30 days are in the period: 2 elevators × 0.5 month
    assert months["2026-09"]["trapped_fault_rate"][2] == 1.0
    assert months["2026-10"]["trapped_fault_rate"][2] == 2.0
    assert months["2026-09"]["inspection_pass_rate"] == (1.0, 1.0, 1.0, True)


def test_an_empty_period_reports_no_data_instead_of_dividing_by_zero(
    client: TestClient, auth: Any, session: Session, world: factories.World
) -> None:
    factories.street(session, "横山镇", town=True)
    headers = auth(Role.STREET_OFFICE, street="横山镇")
    report = kpis(client, headers, **{"from": "2025-01-01", "to": "2025-12-31"})
    kpi_list = report["groups"][0]["kpis"]
    assert {kpi["status"] for kpi in kpi_list} == {"no_data"}
    assert all(kpi["value"] is None and kpi["met"] is None for kpi in kpi_list)


def test_a_maintenance_unit_sees_only_its_own_figures(
    client: TestClient, auth: Any, october: factories.World
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=october.maintainer_b)
    report = kpis(client, headers, **{"from": "2026-10-01", "to": "2026-10-31"})
    assert figures(report["groups"][0])["emergency_response_rate"] == (1.0, 1.0, 1.0, True)
    assert figures(report["groups"][0])["inspection_pass_rate"][2] == 2.0


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"from": "2026-10-31", "to": "2026-10-01"}, 422, "DATE_RANGE_INVALID"),
        ({"from": "2020-01-01", "to": "2026-10-01"}, 422, "PERIOD_TOO_LONG"),
        ({"from": "2026-10-01", "to": "2026-10-31", "group_by": "planet"}, 422, "VALIDATION_ERROR"),
        ({"to": "2026-10-31"}, 422, "VALIDATION_ERROR"),
    ],
)
def test_kpi_refusals(
    client: TestClient, bureau: dict[str, str], params: dict[str, str], status: int, code: str
) -> None:
    response = client.get("/api/v1/kpi", params=params, headers=bureau)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


def test_kpis_need_a_staff_role(client: TestClient, auth: Any, world: factories.World) -> None:
    params = {"from": "2026-10-01", "to": "2026-10-31"}
    assert client.get("/api/v1/kpi", params=params).status_code == 401
    user_unit = auth(Role.USER_UNIT, organisation=world.user_a)
    assert client.get("/api/v1/kpi", params=params, headers=user_unit).status_code == 403


def test_kpi_command_prints_the_same_figures(scratch_database: str) -> None:
    from elevator_registry.cli import app as cli_app
    from elevator_registry.db import get_sessionmaker

    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    with get_sessionmaker()() as session, session.begin():
        world = factories.build_world(session)
        incident(
            session,
            world.lift_a,
            world.maintainer_a,
            utc(5, 2),
            accepted=3,
            arrived=20,
            released=25,
            cause="traction",
        )
    result = runner.invoke(
        cli_app, ["kpi", "--from", "2026-10-01", "--to", "2026-10-31", "--group-by", "street"]
    )
    assert result.exit_code == 0, result.output
    rows = [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in result.stdout.splitlines()
        if "average_arrival_minutes" in line
    ]
    assert any(row[0] == "古南街道" and row[2] == "20.0 min" and row[-1] == "yes" for row in rows)
    assert any(row[0] == "永新镇" and row[2] == "no data" for row in rows)
