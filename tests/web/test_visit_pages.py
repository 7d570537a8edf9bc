"""The visit's pages and their JSON calls, without a browser: who is offered what, CSRF, the
drill and hazard forms (the full phone journey runs in Chromium, test_visit_browser.py)."""

import re
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.config import get_settings
from elevator_registry.maintenance.models import HazardReport, RescueDrill
from elevator_registry.registry.models import Elevator
from elevator_registry.visits import storage
from tests import factories
from tests.evidence_factories import CERTIFIED
from tests.web.conftest import csrf_of, log_in_form


@pytest.fixture(autouse=True)
def photo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ELEVATOR_REGISTRY_PHOTO_STORAGE_DIR", str(tmp_path / "photos"))
    get_settings.cache_clear()
    storage._storages.clear()
    return tmp_path / "photos"


@pytest.fixture
def worker(pages: TestClient, session: Session, world: factories.World) -> TestClient:
    account = factories.user(
        session,
        Role.MAINTENANCE_UNIT,
        organisation=world.maintainer_a,
        name="张伟",
        certificate_number=CERTIFIED,
    )
    assert log_in_form(pages, account.login).status_code == 303
    return pages


def test_the_card_offers_a_visit_to_a_worker_of_the_contracted_firm(
    worker: TestClient, world: factories.World
) -> None:
    own = worker.get(f"/e/{world.lift_a.rescue_code}")
    assert "开始维保" in own.text and f'href="/firm/visit/{world.lift_a.rescue_code}"' in own.text
    other = worker.get(f"/e/{world.lift_b.rescue_code}")
    assert other.status_code == 200 and "开始维保" not in other.text


def test_the_public_card_offers_no_visit(pages: TestClient, world: factories.World) -> None:
    assert "开始维保" not in pages.get(f"/e/{world.lift_a.rescue_code}").text


def test_the_visit_form_lists_the_classes_checklist_and_photo_slots(
    worker: TestClient, world: factories.World
) -> None:
    page = worker.get(f"/firm/visit/{world.lift_a.rescue_code}")
    assert page.status_code == 200
    assert page.text.count('class="check-item"') == 31
    assert page.text.count('class="photo-slot"') == 8
    assert "张伟" in page.text and CERTIFIED in page.text
    quarter = worker.get(f"/firm/visit/{world.lift_a.rescue_code}?class=quarter")
    assert quarter.text.count('class="check-item"') == 44
    # No internal values on the page: results and classes are shown in Chinese.
    assert not re.search(r">\s*(half_month|normal|adjusted|machine_room)\s*<", page.text)


def test_another_firms_elevator_answers_404(worker: TestClient, world: factories.World) -> None:
    page = worker.get(f"/firm/visit/{world.lift_b.rescue_code}")
    assert page.status_code == 404
    assert "未找到该电梯，或贵单位当天没有它的维保合同" in page.text


def test_a_call_without_the_csrf_header_is_refused(
    worker: TestClient, world: factories.World
) -> None:
    body = {
        "visit_id": str(uuid.uuid4()),
        "rescue_code": world.lift_a.rescue_code,
        "record_class": "half_month",
    }
    refused = worker.post("/firm/visits", json=body)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "CSRF_TOKEN_INVALID"
    csrf = csrf_of(worker.get(f"/firm/visit/{world.lift_a.rescue_code}").text)
    started = worker.post("/firm/visits", json=body, headers={"X-CSRF-Token": csrf})
    assert started.status_code == 201, started.json()
    assert started.json()["started_by"] == "张伟"


def test_a_drill_is_filed_from_the_phone(
    worker: TestClient, world: factories.World, session: Session
) -> None:
    form = worker.get("/firm/drill")
    answer = worker.post(
        "/firm/drill",
        data={
            "held_on": "2026-11-10",
            "participants": "6",
            "description": "困人救援演练",
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    drill = session.scalar(select(RescueDrill).order_by(RescueDrill.id.desc()))
    assert drill is not None and drill.maintenance_unit_id == world.maintainer_a.id
    assert drill.participants == 6


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"participants": "六"}, "participants", "参加人员须为整数"),
        ({"participants": "0"}, "participants", "参加人员须不小于 1"),
        ({"held_on": "2099-01-01"}, "held_on", "不能晚于今天"),
    ],
)
def test_a_refused_drill_says_why_next_to_its_field_and_files_nothing(
    worker: TestClient, session: Session, change: dict[str, str], field: str, message: str
) -> None:
    form = worker.get("/firm/drill")
    data = {"held_on": "2026-11-10", "participants": "6", "csrf_token": csrf_of(form.text)}
    answer = worker.post("/firm/drill", data=data | change)
    assert answer.status_code == 422
    assert message in answer.text
    # The message stands under the field, not at the top of the form.
    assert re.search(rf'name="{field}".*?field-error">[^<]*{message}', answer.text, re.S)
    assert session.scalar(select(RescueDrill.id)) is None


def test_a_refused_hazard_leaves_the_elevator_as_it_was(
    worker: TestClient, world: factories.World, session: Session
) -> None:
    path = f"/firm/hazard/{world.lift_a.rescue_code}"
    csrf = csrf_of(worker.get(path).text)
    data = {"severity": "serious", "description": "", "csrf_token": csrf, "confirmed": "yes"}
    answer = worker.post(path, data=data)
    assert answer.status_code == 422
    assert re.search(r'name="description".*?field-error">描述为必填项', answer.text, re.S)
    session.expire_all()
    assert session.scalar(select(HazardReport.id)) is None
    assert session.get_one(Elevator, world.lift_a.id).status == "in_use"


def test_a_serious_hazard_asks_to_confirm_before_suspending(
    worker: TestClient, world: factories.World, session: Session
) -> None:
    path = f"/firm/hazard/{world.lift_a.rescue_code}"
    csrf = csrf_of(worker.get(path).text)
    data = {"severity": "serious", "description": "曳引钢丝绳断丝超标", "csrf_token": csrf}
    asked = worker.post(path, data=data)
    assert asked.status_code == 200 and "停用通知书" in asked.text and "确认" in asked.text
    assert session.scalar(select(HazardReport.id)) is None
    confirmed = worker.post(path, data=data | {"confirmed": "yes"}, follow_redirects=False)
    assert confirmed.status_code == 303
    session.expire_all()
    assert session.get_one(Elevator, world.lift_a.id).status == "suspended"
