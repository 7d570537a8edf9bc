"""The maintenance visit through the API: check-in, distance flag, photos, check-out, submit."""

import io
import uuid
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.maintenance.models import MaintenanceRecord
from elevator_registry.visits.models import MaintenanceVisit, VisitPhoto
from tests import factories
from tests.conftest import NOW, AuthHeaders
from tests.evidence_factories import LEGACY_CERTIFIED
from tests.visits.conftest import (
    LIFT_LATITUDE,
    LIFT_LONGITUDE,
    all_photos,
    put_photo,
    ready_visit,
    start,
    submit_body,
)
from tests.visits.photos import jpeg, png


def records_of(session: Session, elevator_id: int) -> int:
    return (
        session.scalar(select(func.count()).where(MaintenanceRecord.elevator_id == elevator_id))
        or 0
    )


def test_check_in_keeps_server_and_device_time_and_the_distance(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    response = start(client, firm_a, located.lift_a.rescue_code)
    assert response.status_code == 201, response.json()
    visit = response.json()
    assert visit["check_in_at"] == "2026-11-15T02:00:00Z"
    assert visit["check_in_device_at"] == "2026-11-15T01:58:00Z"
    # 0.0005° of latitude is 55.6 m.
    assert visit["check_in_distance_m"] == 56
    assert visit["check_in_far"] is False
    assert visit["flags"] == []


def test_a_check_in_beyond_the_radius_is_flagged_not_refused(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    response = start(
        client, firm_a, located.lift_a.rescue_code, latitude=str(LIFT_LATITUDE + Decimal("0.01"))
    )
    assert response.status_code == 201
    assert response.json()["check_in_distance_m"] == 1112
    assert response.json()["flags"] == ["FAR_FROM_ELEVATOR"]


def test_a_check_in_without_location_is_flagged(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    response = start(client, firm_a, located.lift_a.rescue_code, latitude=None, longitude=None)
    assert response.status_code == 201
    assert response.json()["check_in_distance_m"] is None
    assert response.json()["flags"] == ["NO_LOCATION"]


def test_a_retried_check_in_returns_the_visit_it_began(
    client: TestClient, firm_a: dict[str, str], located: factories.World, session: Session
) -> None:
    visit_id = str(uuid.uuid4())
    first = start(client, firm_a, located.lift_a.rescue_code, visit_id=visit_id)
    again = start(client, firm_a, located.lift_a.rescue_code, visit_id=visit_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["check_in_at"] == first.json()["check_in_at"]
    assert session.scalar(select(func.count()).select_from(MaintenanceVisit)) == 1


def test_another_firms_elevator_answers_404(
    client: TestClient, firm_b: dict[str, str], located: factories.World, session: Session
) -> None:
    response = start(client, firm_b, located.lift_a.rescue_code)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ELEVATOR_NOT_FOUND"
    assert "message_zh" in response.json()["error"]
    assert session.scalar(select(func.count()).select_from(MaintenanceVisit)) == 0


def test_a_user_unit_cannot_start_a_visit(
    client: TestClient, auth: AuthHeaders, located: factories.World
) -> None:
    response = start(
        client, auth(Role.USER_UNIT, organisation=located.user_a), located.lift_a.rescue_code
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN_ROLE"


def test_submit_files_one_record_and_a_retry_returns_it(
    client: TestClient, firm_a: dict[str, str], located: factories.World, session: Session
) -> None:
    visit_id = ready_visit(client, firm_a, located.lift_a.rescue_code)
    first = client.post(f"/api/v1/visits/{visit_id}/submission", json=submit_body(), headers=firm_a)
    assert first.status_code == 201, first.json()
    again = client.post(f"/api/v1/visits/{visit_id}/submission", json=submit_body(), headers=firm_a)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert records_of(session, located.lift_a.id) == 1
    record = first.json()
    assert record["performed_at"] == "2026-11-15T02:00:00Z"
    assert [w["name"] for w in record["workers"]] == ["张伟", "李强"]
    assert len(record["items_done"]) == 31 and record["items_done"][0] == "A1-1 机房、滑轮间环境"
    visit = record["visit"]
    assert visit["check_out_at"] == "2026-11-15T02:00:00Z"
    assert len(visit["checklist"]) == 31 and len(visit["photos"]) == 8
    assert visit["second_worker_presence"] == "entered_by_first"
    assert "SECOND_WORKER_ENTERED_BY_FIRST" in visit["flags"]
    read = client.get(f"/api/v1/maintenance-records/{record['id']}", headers=firm_a).json()
    assert {p["sha256"] for p in read["visit"]["photos"]} == {p["sha256"] for p in visit["photos"]}


def test_submit_before_check_out_is_refused(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = start(client, firm_a, located.lift_a.rescue_code).json()["visit_id"]
    all_photos(client, firm_a, visit_id)
    response = client.post(
        f"/api/v1/visits/{visit_id}/submission", json=submit_body(), headers=firm_a
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "VISIT_NOT_CHECKED_OUT"


def test_an_incomplete_checklist_is_refused_naming_the_first_missing_item(
    client: TestClient, firm_a: dict[str, str], located: factories.World, session: Session
) -> None:
    visit_id = ready_visit(client, firm_a, located.lift_a.rescue_code)
    body = submit_body()
    body["checklist"] = body["checklist"][1:]
    response = client.post(f"/api/v1/visits/{visit_id}/submission", json=body, headers=firm_a)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("CHECKLIST_INCOMPLETE", "checklist.A1-1")
    assert records_of(session, located.lift_a.id) == 0


def test_an_item_of_a_higher_class_is_not_part_of_a_half_month_visit(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = ready_visit(client, firm_a, located.lift_a.rescue_code)
    body = submit_body()
    body["checklist"].append({"code": "A2-1", "result": "normal"})
    response = client.post(f"/api/v1/visits/{visit_id}/submission", json=body, headers=firm_a)
    assert response.json()["error"]["code"] == "CHECKLIST_ITEM_UNKNOWN"


def test_an_adjusted_item_needs_a_note(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = ready_visit(client, firm_a, located.lift_a.rescue_code)
    body = submit_body()
    body["checklist"][4] = {"code": "A1-5", "result": "adjusted"}
    response = client.post(f"/api/v1/visits/{visit_id}/submission", json=body, headers=firm_a)
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("CHECKLIST_NOTE_REQUIRED", "checklist.4.note")


def test_a_missing_photo_is_refused_naming_its_slot(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = start(client, firm_a, located.lift_a.rescue_code).json()["visit_id"]
    put_photo(client, firm_a, visit_id, "machine_room", "before", jpeg())
    client.post(f"/api/v1/visits/{visit_id}/check-out", json={}, headers=firm_a)
    response = client.post(
        f"/api/v1/visits/{visit_id}/submission", json=submit_body(), headers=firm_a
    )
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("PHOTO_MISSING", "photos.machine_room.after")
    assert error["message_zh"] == "缺少照片：机房（作业后）"


def test_the_record_services_refusals_reach_the_visit(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = ready_visit(client, firm_a, located.lift_a.rescue_code)
    body = submit_body()
    body["first_worker"] = {"name": "张伟"}
    response = client.post(f"/api/v1/visits/{visit_id}/submission", json=body, headers=firm_a)
    assert response.json()["error"]["code"] == "NO_CERTIFIED_WORKER"


def test_a_second_check_out_keeps_the_first(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = start(client, firm_a, located.lift_a.rescue_code).json()["visit_id"]
    first = client.post(
        f"/api/v1/visits/{visit_id}/check-out",
        json={"device_at": "2026-11-15T09:59:00+08:00"},
        headers=firm_a,
    ).json()
    again = client.post(
        f"/api/v1/visits/{visit_id}/check-out",
        json={"device_at": "2026-11-15T09:59:30+08:00"},
        headers=firm_a,
    ).json()
    assert again["check_out_device_at"] == first["check_out_device_at"] == "2026-11-15T01:59:00Z"


def test_photos_are_content_addressed_and_keep_their_exif_time(
    client: TestClient, firm_a: dict[str, str], located: factories.World, photo_dir
) -> None:
    visit_id = start(client, firm_a, located.lift_a.rescue_code).json()["visit_id"]
    data = jpeg("2026:11:15 09:31:00")
    response = put_photo(client, firm_a, visit_id, "pit", "before", data)
    assert response.status_code == 200, response.json()
    photo = response.json()
    assert photo["taken_at"] == "2026-11-15T01:31:00Z"
    assert photo["content_type"] == "image/jpeg" and photo["reused"] is False
    digest = photo["sha256"]
    assert (photo_dir / digest[:2] / digest[2:4] / digest).read_bytes() == data
    fetched = client.get(f"/api/v1/visit-photos/{digest}", headers=firm_a)
    assert fetched.content == data and fetched.headers["content-type"] == "image/jpeg"


def test_a_png_is_accepted_and_a_pdf_refused(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = start(client, firm_a, located.lift_a.rescue_code).json()["visit_id"]
    assert put_photo(client, firm_a, visit_id, "car", "before", png()).json()["content_type"] == (
        "image/png"
    )
    refused = put_photo(client, firm_a, visit_id, "car", "after", b"%PDF-1.7 not a photo")
    assert refused.status_code == 415
    assert refused.json()["error"]["code"] == "PHOTO_TYPE_NOT_ALLOWED"


def test_a_photo_above_the_limit_is_refused(
    client: TestClient,
    firm_a: dict[str, str],
    located: factories.World,
    monkeypatch,
) -> None:
    from elevator_registry.config import get_settings

    monkeypatch.setenv("ELEVATOR_REGISTRY_VISIT_PHOTO_MAX_BYTES", "4096")
    get_settings.cache_clear()
    visit_id = start(client, firm_a, located.lift_a.rescue_code).json()["visit_id"]
    response = put_photo(client, firm_a, visit_id, "car", "after", jpeg(pad_to=5000))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PHOTO_TOO_LARGE"


def test_an_unknown_checkpoint_is_refused(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = start(client, firm_a, located.lift_a.rescue_code).json()["visit_id"]
    response = put_photo(client, firm_a, visit_id, "roof", "before", jpeg())
    assert response.json()["error"]["code"] == "PHOTO_CHECKPOINT_UNKNOWN"


def test_the_same_photo_on_another_elevator_is_flagged(
    client: TestClient,
    auth: AuthHeaders,
    firm_a: dict[str, str],
    located: factories.World,
    session: Session,
) -> None:
    other = factories.elevator(session, street_name="古南街道", user_unit_id=located.user_a.id)
    factories.contract(session, other, located.maintainer_a)
    data = jpeg()
    first = start(client, firm_a, located.lift_a.rescue_code).json()["visit_id"]
    second = start(client, firm_a, other.rescue_code).json()["visit_id"]
    assert put_photo(client, firm_a, first, "car", "before", data).json()["reused"] is False
    flagged = put_photo(client, firm_a, second, "car", "before", data).json()
    assert flagged["reused"] is True
    visit = client.get(f"/api/v1/visits/{second}", headers=firm_a).json()
    assert "PHOTO_REUSED" in visit["flags"]


def test_the_same_photo_twice_in_one_slot_is_one_photo(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = start(client, firm_a, located.lift_a.rescue_code).json()["visit_id"]
    data = jpeg()
    first = put_photo(client, firm_a, visit_id, "car", "before", data).json()
    again = put_photo(client, firm_a, visit_id, "car", "before", data).json()
    assert again == first
    assert len(client.get(f"/api/v1/visits/{visit_id}", headers=firm_a).json()["photos"]) == 1


def test_a_submitted_visit_takes_no_more_photos(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = ready_visit(client, firm_a, located.lift_a.rescue_code)
    client.post(f"/api/v1/visits/{visit_id}/submission", json=submit_body(), headers=firm_a)
    response = put_photo(client, firm_a, visit_id, "car", "before", jpeg())
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "VISIT_ALREADY_SUBMITTED"


def test_presence_needs_a_personal_account(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = start(client, firm_a, located.lift_a.rescue_code).json()["visit_id"]
    response = client.post(
        f"/api/v1/visits/{visit_id}/presence", json={"name": "李强"}, headers=firm_a
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "PRESENCE_NEEDS_PERSONAL_ACCOUNT"


def test_another_firm_cannot_read_the_visit_or_its_photos(
    client: TestClient, firm_a: dict[str, str], firm_b: dict[str, str], located: factories.World
) -> None:
    visit_id = start(client, firm_a, located.lift_a.rescue_code).json()["visit_id"]
    digest = put_photo(client, firm_a, visit_id, "car", "before", jpeg()).json()["sha256"]
    assert client.get(f"/api/v1/visits/{visit_id}", headers=firm_b).status_code == 404
    assert client.get(f"/api/v1/visit-photos/{digest}", headers=firm_b).status_code == 404


def test_the_dossier_shows_the_visit(
    client: TestClient, firm_a: dict[str, str], bureau: dict[str, str], located: factories.World
) -> None:
    visit_id = ready_visit(client, firm_a, located.lift_a.rescue_code)
    client.post(f"/api/v1/visits/{visit_id}/submission", json=submit_body(), headers=firm_a)
    dossier = client.get(f"/api/v1/elevators/{located.lift_a.id}/dossier", headers=bureau)
    assert dossier.status_code == 200, dossier.json()
    (record,) = dossier.json()["maintenance_records"]
    assert record["visit"]["visit_id"] == visit_id
    assert record["visit"]["check_in_latitude"] is not None
    assert Decimal(record["visit"]["check_in_longitude"]) == LIFT_LONGITUDE


def test_the_dossier_workbook_reads_the_visit_in_chinese(
    client: TestClient, located: factories.World, session: Session, bureau: dict[str, str]
) -> None:
    worker = person_headers(session, located, "张伟")
    visit_id = ready_visit(client, worker, located.lift_a.rescue_code)
    client.post(f"/api/v1/visits/{visit_id}/submission", json=submit_body(), headers=worker)
    response = client.get(
        f"/api/v1/elevators/{located.lift_a.id}/dossier?format=xlsx", headers=bureau
    )
    header, row = list(load_workbook(io.BytesIO(response.content))["维保记录"].values)
    values = dict(zip(header, row, strict=True))
    # The person by name, the checklist and photos as words, the flag explained.
    assert values["填报人账号"] == "张伟"
    assert values["维保作业·维保作业编号"] == visit_id
    assert values["维保作业·维保项目"].startswith("A1-1 正常")
    assert "机房·作业前 " in values["维保作业·照片"]
    assert values["维保作业·提示"] == "第二名作业人员由签到人员录入"
    assert values["维保作业·签到超出范围"] == "否"


def test_the_checklist_route_lists_the_class_items(
    client: TestClient, firm_a: dict[str, str]
) -> None:
    quarter = client.get("/api/v1/visits/checklists/quarter", headers=firm_a).json()
    assert len(quarter) == 44 and quarter[31]["code"] == "A2-1"


def person_headers(session: Session, world: factories.World, name: str) -> dict[str, str]:
    """Headers of a token issued to a worker's own account."""
    account = factories.user(
        session, Role.MAINTENANCE_UNIT, organisation=world.maintainer_a, name=name
    )
    _, secret = auth_service.create_token(
        session,
        role=Role.MAINTENANCE_UNIT,
        label=name,
        now=NOW,
        organisation_credit_code=world.maintainer_a.credit_code,
        user_id=account.id,
    )
    return {"Authorization": f"Bearer {secret}"}


def test_the_second_worker_confirms_presence_from_their_own_account(
    client: TestClient, located: factories.World, session: Session
) -> None:
    first = person_headers(session, located, "张伟")
    second = person_headers(session, located, "李强")
    visit_id = ready_visit(client, first, located.lift_a.rescue_code)
    same = client.post(f"/api/v1/visits/{visit_id}/presence", json={"name": "张伟"}, headers=first)
    assert same.json()["error"]["code"] == "PRESENCE_SAME_PERSON"
    confirmed = client.post(
        f"/api/v1/visits/{visit_id}/presence",
        json={"name": "李强", "certificate_number": LEGACY_CERTIFIED},
        headers=second,
    )
    assert confirmed.status_code == 200, confirmed.json()
    body = submit_body() | {"second_worker": None}
    record = client.post(f"/api/v1/visits/{visit_id}/submission", json=body, headers=first)
    assert record.status_code == 201, record.json()
    assert record.json()["workers"][1] == {
        "name": "李强",
        "certificate_number": LEGACY_CERTIFIED,
    }
    visit = record.json()["visit"]
    assert visit["second_worker_presence"] == "confirmed_by_own_account"
    assert "SECOND_WORKER_ENTERED_BY_FIRST" not in visit["flags"]
    filed = session.get_one(MaintenanceRecord, record.json()["id"])
    assert filed.filed_by_user_id is not None


def test_without_a_second_worker_the_crew_is_too_small(
    client: TestClient, firm_a: dict[str, str], located: factories.World
) -> None:
    visit_id = ready_visit(client, firm_a, located.lift_a.rescue_code)
    body = submit_body() | {"second_worker": None}
    response = client.post(f"/api/v1/visits/{visit_id}/submission", json=body, headers=firm_a)
    assert response.json()["error"]["code"] == "CREW_TOO_SMALL"


def test_the_database_refuses_to_change_a_submitted_visit_or_its_photos(
    client: TestClient, firm_a: dict[str, str], located: factories.World, session: Session
) -> None:
    visit_id = ready_visit(client, firm_a, located.lift_a.rescue_code)
    client.post(f"/api/v1/visits/{visit_id}/submission", json=submit_body(), headers=firm_a)
    visit = session.scalar(select(MaintenanceVisit).where(MaintenanceVisit.visit_key == visit_id))
    assert visit is not None
    for statement in (
        update(MaintenanceVisit).where(MaintenanceVisit.id == visit.id).values(check_in_far=True),
        delete(VisitPhoto).where(VisitPhoto.visit_id == visit.id),
    ):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(statement)
