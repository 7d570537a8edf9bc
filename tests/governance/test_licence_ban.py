"""Licence revocation starts a 3-year ban on new licences of the same kind (plan §三(十一))."""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from elevator_registry.auth.principal import CLI
from elevator_registry.config import Settings
from elevator_registry.dates import add_years
from elevator_registry.errors import RuleViolation
from elevator_registry.registry import organisations
from elevator_registry.registry.enums import LicenceKind
from elevator_registry.registry.schemas import LicenceCreate
from tests import factories
from tests.conftest import NOW


def application(
    number: str, kind: LicenceKind = LicenceKind.INSTALLATION_MAINTENANCE
) -> LicenceCreate:
    return LicenceCreate(
        kind=kind, number=number, valid_from=date(2030, 1, 1), valid_until=date(2033, 12, 31)
    )


def revoked(session: Session, unit: object, on: date) -> None:
    factories.licence(session, unit, status="revoked", revoked_on=on, revoked_at=factories.CREATED)


def apply(session: Session, unit_id: int, today: date, data: LicenceCreate) -> None:
    with session.begin_nested():
        organisations.add_licence(
            session,
            organisation_id=unit_id,
            data=data,
            actor=CLI,
            settings=Settings(),
            today=today,
            now=NOW,
        )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(revoked_on=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_refused_the_day_before_the_third_anniversary_allowed_on_it(
    session: Session, revoked_on: date
) -> None:
    unit = factories.maintainer(session, "被吊销公司")
    revoked(session, unit, revoked_on)
    ends = add_years(revoked_on, 3)
    with pytest.raises(RuleViolation) as refusal:
        apply(session, unit.id, ends - timedelta(days=1), application(f"A-{unit.id}"))
    assert refusal.value.code == "LICENCE_BAN"
    assert f"until {ends.isoformat()}" in refusal.value.message
    apply(session, unit.id, ends, application(f"B-{unit.id}"))


def test_a_29_february_revocation_ends_on_1_march(session: Session, world: factories.World) -> None:
    revoked(session, world.maintainer_a, date(2024, 2, 29))
    with pytest.raises(RuleViolation) as refusal:
        apply(session, world.maintainer_a.id, date(2027, 2, 28), application("TS-0229"))
    assert "until 2027-03-01" in refusal.value.message
    apply(session, world.maintainer_a.id, date(2027, 3, 1), application("TS-0301"))


def test_the_ban_covers_only_the_revoked_kind(session: Session, world: factories.World) -> None:
    revoked(session, world.maintainer_a, date(2026, 1, 1))
    apply(
        session,
        world.maintainer_a.id,
        date(2026, 11, 15),
        application("M-1", LicenceKind.MANUFACTURE),
    )


def test_the_api_names_the_day_the_ban_ends(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    revoked(session, world.maintainer_a, date(2024, 6, 30))
    before = factories.count(session, factories.Licence)
    response = client.post(
        f"/api/v1/organisations/{world.maintainer_a.id}/licences",
        json={
            "kind": "installation_maintenance",
            "number": "TS3350999-2031",
            "valid_from": "2026-12-01",
            "valid_until": "2030-11-30",
        },
        headers=bureau,
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["rule"], error["field"]) == ("LICENCE_BAN", "LICENCE_BAN", "kind")
    assert "2027-06-30" in error["message"]
    assert factories.count(session, factories.Licence) == before
