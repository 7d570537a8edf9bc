"""Usage checks (user units) and rescue drills (maintenance units)."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.maintenance.models import RescueDrill, UsageCheck
from tests import factories
from tests.conftest import AuthHeaders

CHECKS = "/api/v1/usage-checks"
DRILLS = "/api/v1/rescue-drills"


def test_a_user_unit_files_checks_for_its_own_elevators_only(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    user_a = auth(Role.USER_UNIT, organisation=world.user_a)
    mine = client.post(
        CHECKS, json={"elevator_id": world.lift_a.id, "checker_name": "王强"}, headers=user_a
    )
    assert mine.status_code == 201, mine.json()
    assert mine.json()["checked_on"] == "2026-11-15"
    assert mine.json()["user_unit_id"] == world.user_a.id
    theirs = client.post(
        CHECKS, json={"elevator_id": world.lift_b.id, "checker_name": "王强"}, headers=user_a
    )
    assert theirs.status_code == 404
    assert factories.count(session, UsageCheck) == 1
    listed = client.get(CHECKS, headers=auth(Role.USER_UNIT, organisation=world.user_b)).json()
    assert listed["items"] == []


def test_checks_are_not_dated_in_the_future_or_filed_by_maintainers(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    user_a = auth(Role.USER_UNIT, organisation=world.user_a)
    future = client.post(
        CHECKS,
        json={"elevator_id": world.lift_a.id, "checker_name": "王强", "checked_on": "2026-11-16"},
        headers=user_a,
    )
    assert future.status_code == 422
    assert future.json()["error"]["code"] == "DATE_IN_FUTURE"
    maintainer = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    by_maintainer = client.post(
        CHECKS, json={"elevator_id": world.lift_a.id, "checker_name": "王强"}, headers=maintainer
    )
    assert by_maintainer.status_code == 403
    assert factories.count(session, UsageCheck) == 0


def test_an_elevator_without_a_user_unit_has_no_checks(
    client: TestClient, bureau: dict[str, str], world: factories.World
) -> None:
    response = client.post(
        CHECKS, json={"elevator_id": world.orphan.id, "checker_name": "王强"}, headers=bureau
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "NO_USER_UNIT"


def test_a_maintenance_unit_files_drills_naming_only_elevators_it_maintains(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    unit_a = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    plain = client.post(DRILLS, json={"participants": 6, "held_on": "2026-10-01"}, headers=unit_a)
    assert plain.status_code == 201, plain.json()
    assert plain.json()["maintenance_unit_id"] == world.maintainer_a.id
    on_lift = client.post(
        DRILLS, json={"participants": 4, "elevator_id": world.lift_a.id}, headers=unit_a
    )
    assert on_lift.status_code == 201
    refused = client.post(
        DRILLS, json={"participants": 4, "elevator_id": world.lift_b.id}, headers=unit_a
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "NO_CONTRACT_ON_DATE"
    someone_else = client.post(
        DRILLS,
        json={"participants": 4, "maintenance_unit_id": world.maintainer_b.id},
        headers=unit_a,
    )
    assert someone_else.status_code == 422
    assert factories.count(session, RescueDrill) == 2
    unit_b = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_b)
    assert client.get(DRILLS, headers=unit_b).json()["items"] == []


def test_the_bureau_files_a_drill_for_a_named_unit(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    missing = client.post(DRILLS, json={"participants": 3}, headers=bureau)
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "FIELD_REQUIRED"
    not_a_maintainer = client.post(
        DRILLS, json={"participants": 3, "maintenance_unit_id": world.user_a.id}, headers=bureau
    )
    assert not_a_maintainer.json()["error"]["code"] == "ORGANISATION_ROLE_MISSING"
    filed = client.post(
        DRILLS,
        json={"participants": 3, "maintenance_unit_id": world.maintainer_b.id},
        headers=bureau,
    )
    assert filed.status_code == 201
    assert factories.count(session, RescueDrill) == 1
    listed = client.get(f"{DRILLS}?maintenance_unit_id={world.maintainer_b.id}", headers=bureau)
    assert [item["id"] for item in listed.json()["items"]] == [filed.json()["id"]]
