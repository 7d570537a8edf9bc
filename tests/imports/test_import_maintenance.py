"""Importing maintenance records: the API's rules on every row (checked against `file_record`
itself), scoping of a maintenance unit's upload, the natural key, and the batch audit event."""

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import CLI, Principal
from elevator_registry.config import Settings
from elevator_registry.errors import DomainError
from elevator_registry.imports import service as import_service
from elevator_registry.imports.columns import ImportKind
from elevator_registry.maintenance import service as maintenance_service
from elevator_registry.maintenance.models import MaintenanceRecord
from elevator_registry.maintenance.schemas import MaintenanceRecordCreate, MaintenanceRecordRevise
from elevator_registry.registry.enums import ElevatorStatus
from elevator_registry.registry.models import Elevator
from elevator_registry.rules import snapshot
from elevator_registry.rules.models import ElevatorRisk
from tests import factories
from tests.conftest import NOW, TODAY, AuthHeaders
from tests.evidence_factories import BAD_CHECK, CERTIFIED
from tests.imports import files

HEADER = files.RECORD_HEADER


def records_of(session: Session, lift: Elevator) -> int:
    return session.scalar(select(func.count()).where(MaintenanceRecord.elevator_id == lift.id)) or 0


def content(*rows: list[Any]) -> bytes:
    return files.csv_bytes(HEADER, list(rows))


def test_bureau_imports_records_under_the_contract_of_each_day(
    session: Session, world: factories.World
) -> None:
    events = factories.count(session, AuditEvent)
    report = files.run(
        session,
        ImportKind.MAINTENANCE_RECORDS,
        content(
            files.record_row(world.lift_a, 20),
            files.record_row(world.lift_a, 5, record_class="季度"),
            files.record_row(world.lift_b, 3, worker_2_certificate="T3100012345"),
        ),
    )
    assert (report.committed, report.rows_written, report.errors) == (True, 3, [])
    records = session.scalars(select(MaintenanceRecord).order_by(MaintenanceRecord.id)).all()[-3:]
    first = records[0]
    assert (first.elevator_id, first.maintenance_unit_id, first.record_class) == (
        world.lift_a.id,
        world.maintainer_a.id,
        "half_month",
    )
    assert first.performed_at == datetime(2026, 10, 26, 2, 0, tzinfo=UTC)
    assert first.workers == [
        {"name": "张伟", "certificate_number": CERTIFIED},
        {"name": "李强", "certificate_number": None},
    ]
    assert first.items_done == ["机房环境", "手动紧急操作装置", "驱动主机"]
    assert (first.revision, first.supersedes_id, first.filed_by) == (1, None, "cli")
    assert records[1].record_class == "quarter"
    assert records[2].maintenance_unit_id == world.maintainer_b.id
    # One audit event for the whole import, naming the ids it wrote.
    assert factories.count(session, AuditEvent) == events + 1
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert (event.action, event.entity, event.entity_id) == (
        "import",
        "maintenance_record",
        first.id,
    )
    assert event.changes["rows_written"]["after"] == 3
    assert event.changes["last_id"]["after"] == records[2].id


def test_an_import_refreshes_the_risk_snapshot_of_the_elevators_it_wrote(
    session: Session, world: factories.World
) -> None:
    settings = Settings()
    snapshot.refresh_all(session, as_of=TODAY, now=NOW, settings=settings)
    assert "MAINTENANCE_OVERDUE" in snapshot_rules(session, world.lift_a)
    report = files.run(
        session, ImportKind.MAINTENANCE_RECORDS, content(files.record_row(world.lift_a, 2))
    )
    assert report.committed
    assert "MAINTENANCE_OVERDUE" not in snapshot_rules(session, world.lift_a)


def snapshot_rules(session: Session, lift: Elevator) -> set[str]:
    row = session.get(ElevatorRisk, lift.id, populate_existing=True)
    return {rule for rule, _ref, _value in row.findings} if row else set()


def test_a_maintenance_units_upload_writes_only_its_own_elevators(
    client: TestClient, auth: AuthHeaders, world: factories.World, session: Session
) -> None:
    headers = auth(Role.MAINTENANCE_UNIT, organisation=world.maintainer_a)
    before_b = records_of(session, world.lift_b)
    rows = [files.record_row(world.lift_a, 4), files.record_row(world.lift_b, 4)]
    response = files.upload(client, "maintenance-records", content(*rows), headers, partial=True)
    assert response.status_code == 200
    report = response.json()
    # The answer for an elevator that does not exist: a firm learns of no other firm's lifts.
    assert files.codes(report) == [(3, "equipment_code", "ELEVATOR_NOT_FOUND")]
    assert report["errors"][0]["message"] == (
        f"no elevator with equipment_code {world.lift_b.equipment_code}"
    )
    assert report["rows_written"] == 1
    assert records_of(session, world.lift_b) == before_b
    written = session.scalars(
        select(MaintenanceRecord).order_by(MaintenanceRecord.id.desc())
    ).first()
    assert written is not None and written.filed_by.startswith("maintenance_unit:")


def test_a_unit_cannot_file_in_another_units_name(session: Session, world: factories.World) -> None:
    unit = Principal(
        role=Role.MAINTENANCE_UNIT, label="安达", organisation_id=world.maintainer_a.id
    )
    header = [*HEADER, "maintenance_unit_credit_code"]
    rows = [
        [*files.record_row(world.lift_a, 4), world.maintainer_b.credit_code],
        [*files.record_row(world.lift_a, 6), factories.credit_code()],
        [*files.record_row(world.lift_a, 8), world.maintainer_a.credit_code],
    ]
    report = files.run(
        session,
        ImportKind.MAINTENANCE_RECORDS,
        files.csv_bytes(header, rows),
        actor=unit,
        partial=True,
    )
    assert [code for _, _, code in files.codes(report)] == [
        "OUT_OF_SCOPE",
        "ORGANISATION_NOT_FOUND",
    ]
    assert report.rows_written == 1


def test_the_bureau_may_name_the_unit_which_must_then_hold_the_contract(
    session: Session, world: factories.World
) -> None:
    header = [*HEADER, "维保单位统一社会信用代码"]
    rows = [
        [*files.record_row(world.lift_a, 4), world.maintainer_b.credit_code],
        [*files.record_row(world.lift_a, 6), world.maintainer_a.credit_code],
    ]
    report = files.run(
        session, ImportKind.MAINTENANCE_RECORDS, files.csv_bytes(header, rows), partial=True
    )
    assert files.codes(report) == [(2, "performed_at", "NO_CONTRACT_ON_DATE")]
    assert report.rows_written == 1


# The same refusals as the API ----------------------------------------------------------------


CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    # (expected code, import-row overrides, API-body overrides); times are days before NOW
    (
        "RECORD_DATE_IN_FUTURE",
        {"days_ago": -1},
        {"performed_at": (NOW + timedelta(days=1)).astimezone(files.LOCAL)},
    ),
    (
        "RECORD_BEFORE_COMMISSIONING",
        {"performed_at": "2015-05-31 10:00"},
        {"performed_at": datetime(2015, 5, 31, 2, 0, tzinfo=UTC)},
    ),
    (
        "NO_CONTRACT_ON_DATE",
        {"performed_at": "2025-12-31 10:00"},
        {"performed_at": datetime(2025, 12, 31, 2, 0, tzinfo=UTC)},
    ),
    (
        "CREW_TOO_SMALL",
        {"worker_2_name": ""},
        {"workers": [{"name": "张伟", "certificate_number": CERTIFIED}]},
    ),
    (
        "NO_CERTIFIED_WORKER",
        {"worker_1_certificate": ""},
        {"workers": [{"name": "张伟"}, {"name": "李强"}]},
    ),
    (
        "CERTIFICATE_NUMBER_INVALID",
        {"worker_2_certificate": BAD_CHECK},
        {
            "workers": [
                {"name": "张伟", "certificate_number": CERTIFIED},
                {"name": "李强", "certificate_number": BAD_CHECK},
            ]
        },
    ),
    (
        "WORKER_DUPLICATE",
        {"worker_2_name": "张伟"},
        {"workers": [{"name": "张伟", "certificate_number": CERTIFIED}, {"name": "张伟"}]},
    ),
]


@pytest.mark.parametrize(("code", "row", "body"), CASES, ids=[case[0] for case in CASES])
def test_each_refusal_matches_the_apis_own(
    session: Session, world: factories.World, code: str, row: dict[str, Any], body: dict[str, Any]
) -> None:
    days_ago = row.pop("days_ago", 5)
    api = files.api_refusal(session, world.lift_a, **body)
    report = files.run(
        session,
        ImportKind.MAINTENANCE_RECORDS,
        content(files.record_row(world.lift_a, days_ago, **row)),
    )
    assert api.code == code
    assert [error.code for error in report.errors] == [code]
    assert report.errors[0].message == api.message
    assert report.rows_written == 0


def test_a_scrapped_elevator_gets_no_records_after_the_scrapping_day(
    session: Session, world: factories.World
) -> None:
    world.lift_a.status = ElevatorStatus.SCRAPPED
    world.lift_a.status_changed_on = date(2026, 11, 1)
    session.flush()
    with pytest.raises(DomainError) as api:
        maintenance_service.file_record(
            session,
            data=MaintenanceRecordCreate(
                elevator_id=world.lift_a.id,
                record_class="half_month",
                performed_at=NOW - timedelta(days=5),
                workers=[{"name": "张伟", "certificate_number": CERTIFIED}, {"name": "李强"}],
                items_done=["机房环境"],
            ),
            actor=CLI,
            today=TODAY,
            now=NOW,
        )
    report = files.run(
        session,
        ImportKind.MAINTENANCE_RECORDS,
        content(files.record_row(world.lift_a, 5), files.record_row(world.lift_a, 20)),
    )
    assert [(error.row, error.code, error.message) for error in report.errors] == [
        (2, "ELEVATOR_SCRAPPED", api.value.message)
    ]


def test_a_blacklisting_refuses_exactly_the_days_it_covers(
    session: Session, world: factories.World
) -> None:
    entry = factories.blacklist(session, world.maintainer_a, listed_on=date(2026, 10, 1))
    entry.lifted_on = date(2026, 10, 20)
    session.flush()
    rows = [
        files.record_row(world.lift_a, performed_at=f"2026-{day} 10:00")
        for day in ("09-30", "10-01", "10-19", "10-20", "11-10", "10-05")
    ]
    report = files.run(session, ImportKind.MAINTENANCE_RECORDS, content(*rows), partial=True)
    assert [(row, code) for row, _, code in files.codes(report)] == [
        (3, "MAINTAINER_NOT_ELIGIBLE"),
        (4, "MAINTAINER_NOT_ELIGIBLE"),
        (7, "MAINTAINER_NOT_ELIGIBLE"),
    ]
    assert "blacklisted since 2026-10-01" in report.errors[0].message
    assert report.rows_written == 3


def test_an_expired_licence_refuses_the_days_after_it(
    session: Session, world: factories.World
) -> None:
    unit = factories.maintainer(session, "短证维保公司", valid_until=date(2026, 10, 31))
    lift = factories.elevator(session, street_name="古南街道", user_unit_id=world.user_a.id)
    factories.contract(session, lift, unit)
    rows = [files.record_row(lift, performed_at=f"2026-{day} 10:00") for day in ("10-31", "11-01")]
    report = files.run(session, ImportKind.MAINTENANCE_RECORDS, content(*rows), partial=True)
    assert [(error.row, error.code) for error in report.errors] == [(3, "MAINTAINER_NOT_ELIGIBLE")]
    assert "expired on 2026-10-31" in report.errors[0].message


def test_unknown_equipment_codes_and_bad_cells_name_their_column(
    session: Session, world: factories.World
) -> None:
    rows = [
        files.record_row(world.lift_a, equipment_code="311050012201899999"),
        files.record_row(world.lift_a, record_class="每日"),
        files.record_row(world.lift_a, performed_at="上周三"),
        files.record_row(world.lift_a, items_done=""),
        files.record_row(world.lift_a, worker_2_name="", worker_2_certificate=CERTIFIED),
        files.record_row(world.lift_a, worker_1_name="张" * 60),
        files.record_row(world.lift_a, equipment_code=""),
    ]
    report = files.run(session, ImportKind.MAINTENANCE_RECORDS, content(*rows))
    assert files.codes(report) == [
        (2, "equipment_code", "ELEVATOR_NOT_FOUND"),
        (3, "record_class", "VALIDATION_ERROR"),
        (4, "performed_at", "VALIDATION_ERROR"),
        (5, "items_done", "VALIDATION_ERROR"),
        (6, "worker_2_name", "VALIDATION_ERROR"),
        (7, "worker_1_name", "VALIDATION_ERROR"),
        (8, "equipment_code", "VALIDATION_ERROR"),
    ]
    assert not report.committed


def test_worker_errors_point_at_the_workers_own_columns(
    session: Session, world: factories.World
) -> None:
    row = files.record_row(
        world.lift_a, worker_1_name="", worker_1_certificate="", worker_2_certificate=BAD_CHECK
    )
    header = [*HEADER, "worker_3_name", "worker_3_certificate"]
    report = files.run(
        session,
        ImportKind.MAINTENANCE_RECORDS,
        files.csv_bytes(header, [[*row, "王磊", CERTIFIED]]),
    )
    assert files.codes(report) == [(2, "worker_2_certificate", "CERTIFICATE_NUMBER_INVALID")]


# Natural key, re-import, all-or-nothing ------------------------------------------------------


def test_re_importing_the_same_file_adds_nothing_even_after_a_revision(
    session: Session, world: factories.World
) -> None:
    file = content(files.record_row(world.lift_a, 10), files.record_row(world.lift_b, 10))
    first = files.run(session, ImportKind.MAINTENANCE_RECORDS, file)
    assert first.rows_written == 2
    record = session.scalars(
        select(MaintenanceRecord).where(MaintenanceRecord.elevator_id == world.lift_a.id)
    ).one()
    maintenance_service.revise_record(
        session,
        record_id=record.id,
        data=MaintenanceRecordRevise(
            record_class="half_month",
            performed_at=NOW - timedelta(days=9),
            workers=[{"name": "张伟", "certificate_number": CERTIFIED}, {"name": "李强"}],
            items_done=["机房环境"],
            reason="日期录错",
        ),
        actor=CLI,
        today=TODAY,
        now=NOW,
    )
    count = factories.count(session, MaintenanceRecord)
    events = factories.count(session, AuditEvent)
    again = files.run(session, ImportKind.MAINTENANCE_RECORDS, file)
    assert (again.rows_written, again.rows_skipped, again.committed) == (0, 2, True)
    assert factories.count(session, MaintenanceRecord) == count
    assert factories.count(session, AuditEvent) == events


def test_the_same_visit_twice_in_a_file_is_written_once_even_across_batches(
    session: Session, world: factories.World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_service, "BATCH_ROWS", 2)
    row = files.record_row(world.lift_a, 7)
    rows = [row, files.record_row(world.lift_a, 8), files.record_row(world.lift_a, 9), row, row]
    report = files.run(session, ImportKind.MAINTENANCE_RECORDS, content(*rows))
    assert (report.rows_written, report.rows_skipped) == (3, 2)
    assert records_of(session, world.lift_a) == 3


def test_same_time_different_class_is_a_different_record(
    session: Session, world: factories.World
) -> None:
    rows = [
        files.record_row(world.lift_a, 7),
        files.record_row(world.lift_a, 7, record_class="quarter"),
    ]
    assert files.run(session, ImportKind.MAINTENANCE_RECORDS, content(*rows)).rows_written == 2


def test_one_bad_row_writes_nothing_and_no_audit_event(
    client: TestClient, bureau: dict[str, str], world: factories.World, session: Session
) -> None:
    before = factories.count(session, MaintenanceRecord)
    events = factories.count(session, AuditEvent)
    rows = [files.record_row(world.lift_a, day) for day in range(3, 40, 3)]
    rows.append(files.record_row(world.lift_b, -2))
    response = files.upload(client, "maintenance-records", content(*rows), bureau)
    assert response.status_code == 422
    report = response.json()["report"]
    assert (report["rows_read"], report["rows_valid"], report["rows_written"]) == (14, 13, 0)
    assert files.codes(report) == [(15, "performed_at", "RECORD_DATE_IN_FUTURE")]
    assert factories.count(session, MaintenanceRecord) == before
    assert factories.count(session, AuditEvent) == events


def test_the_report_lists_a_bounded_number_of_errors(
    session: Session, world: factories.World
) -> None:
    settings = files.get_settings().model_copy(update={"import_max_reported_errors": 2})
    rows = [files.record_row(world.lift_a, -day) for day in range(1, 6)]
    report = files.run(session, ImportKind.MAINTENANCE_RECORDS, content(*rows), settings=settings)
    assert (report.rows_failed, len(report.errors), report.errors_truncated) == (5, 2, True)


def test_chinese_headers_and_an_xlsx_with_real_date_cells(
    session: Session, world: factories.World
) -> None:
    header = [
        "设备代码",
        "维保类别",
        "维保时间",
        "维保人员1",
        "维保人员1证书编号",
        "维保人员2",
        "维保项目",
    ]
    row = [
        world.lift_a.equipment_code,
        "半年",
        datetime(2026, 11, 1, 9, 30),
        "张伟",
        CERTIFIED,
        "李强",
        "曳引机;机房、滑轮间环境",
    ]
    report = files.run(
        session,
        ImportKind.MAINTENANCE_RECORDS,
        files.xlsx_bytes(header, [row]),
        filename="维保.xlsx",
    )
    assert report.rows_written == 1, report.errors
    record = session.scalars(
        select(MaintenanceRecord).order_by(MaintenanceRecord.id.desc())
    ).first()
    assert record is not None
    assert (record.record_class, record.items_done) == ("half_year", ["曳引机", "机房、滑轮间环境"])
    assert record.performed_at == datetime(2026, 11, 1, 1, 30, tzinfo=UTC)


def test_a_file_refused_midway_writes_nothing_even_in_partial_mode(
    session: Session, world: factories.World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_service, "BATCH_ROWS", 2)
    before = factories.count(session, MaintenanceRecord)
    good = content(*[files.record_row(world.lift_a, day) for day in range(3, 12)])
    broken = good + b'"unterminated' + b"x" * 200_000
    with pytest.raises(DomainError) as caught:
        files.run(session, ImportKind.MAINTENANCE_RECORDS, broken, partial=True)
    assert caught.value.code == "IMPORT_FILE_INVALID"
    assert factories.count(session, MaintenanceRecord) == before


def test_an_empty_batch_stream_is_still_an_empty_file(session: Session) -> None:
    with pytest.raises(DomainError) as caught:
        import_service.import_file(
            session,
            kind=ImportKind.MAINTENANCE_RECORDS,
            stream=io.BytesIO(",".join(HEADER).encode()),
            filename="a.csv",
            actor=CLI,
            settings=files.get_settings(),
            now=NOW,
            today=TODAY,
        )
    assert caught.value.code == "IMPORT_EMPTY"
