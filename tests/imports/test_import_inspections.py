"""Importing inspections: `file_inspection`'s rules per row, re-inspections by report number,
agencies under their own name, maintenance units' self-tests only, natural key per agency."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.imports.columns import ImportKind
from elevator_registry.inspection.models import Inspection
from tests import factories
from tests.imports import files

HEADER = [
    "设备代码",
    "检验类别",
    "检验日期",
    "检验结论",
    "报告编号",
    "检验机构统一社会信用代码",
    "原检验报告编号",
    "自检单位统一社会信用代码",
]


def row(world: factories.World, **overrides: Any) -> list[Any]:
    values = {
        "设备代码": world.lift_a.equipment_code,
        "检验类别": "定期检验",
        "检验日期": "2026-06-01",
        "检验结论": "合格",
        "报告编号": "DT2026-0001",
        "检验机构统一社会信用代码": world.agency.credit_code,
        "原检验报告编号": "",
        "自检单位统一社会信用代码": "",
    } | overrides
    return [values[column] for column in HEADER]


def agency_of(world: factories.World) -> Principal:
    return Principal(role=Role.INSPECTION_AGENCY, label="检验院", organisation_id=world.agency.id)


def test_an_agency_imports_a_failure_and_its_re_inspection_from_one_file(
    session: Session, world: factories.World
) -> None:
    rows = [
        row(world, 检验结论="不合格", 报告编号="DT2026-0002", 检验机构统一社会信用代码=""),
        row(
            world,
            检验类别="复检",
            检验日期="2026-06-20",
            报告编号="DT2026-0003",
            原检验报告编号="DT2026-0002",
            检验机构统一社会信用代码="",
        ),
    ]
    report = files.run(
        session, ImportKind.INSPECTIONS, files.csv_bytes(HEADER, rows), actor=agency_of(world)
    )
    assert (report.rows_written, report.errors) == (2, [])
    failed, follow_up = session.scalars(
        select(Inspection).where(Inspection.elevator_id == world.lift_a.id).order_by(Inspection.id)
    ).all()[-2:]
    assert (failed.result, follow_up.kind, follow_up.follows_id) == (
        "fail",
        "re_inspection",
        failed.id,
    )
    assert follow_up.agency_id == world.agency.id


def test_inspection_rows_meet_the_services_rules(session: Session, world: factories.World) -> None:
    other_agency = factories.organisation(
        session, "外省检验所", factories.OrganisationRole.INSPECTION_AGENCY
    )
    rows = [
        row(world, 报告编号="A1", 检验日期="2026-12-01"),
        row(world, 报告编号="A2", 检验类别="复检", 原检验报告编号=""),
        row(world, 报告编号="A3", 检验类别="复检", 原检验报告编号="NOPE"),
        row(world, 报告编号="A4", 检验机构统一社会信用代码=world.maintainer_a.credit_code),
        row(world, 报告编号="A5", 检验结论="马马虎虎"),
        row(world, 报告编号="A6", 设备代码="311050012201899999"),
        row(world, 报告编号="A7", 检验机构统一社会信用代码=other_agency.credit_code),
    ]
    report = files.run(
        session,
        ImportKind.INSPECTIONS,
        files.csv_bytes(HEADER, rows),
        actor=agency_of(world),
        partial=True,
    )
    assert files.codes(report) == [
        (2, "performed_on", "DATE_IN_FUTURE"),
        (3, "follows_report_number", "FOLLOWS_REQUIRED"),
        (4, "follows_report_number", "REINSPECTION_TARGET_INVALID"),
        (5, None, "OUT_OF_SCOPE"),
        (6, "result", "VALIDATION_ERROR"),
        (7, "equipment_code", "ELEVATOR_NOT_FOUND"),
        (8, None, "OUT_OF_SCOPE"),
    ]
    assert report.rows_written == 0


def test_the_bureau_names_the_agency_which_must_be_one(
    session: Session, world: factories.World
) -> None:
    rows = [
        row(world, 报告编号="B1"),
        row(world, 报告编号="B2", 检验机构统一社会信用代码=world.maintainer_a.credit_code),
        row(world, 报告编号="B3", 检验机构统一社会信用代码=""),
    ]
    report = files.run(session, ImportKind.INSPECTIONS, files.csv_bytes(HEADER, rows), partial=True)
    assert files.codes(report) == [
        (3, "agency_credit_code", "ORGANISATION_ROLE_MISSING"),
        (4, "agency_credit_code", "AGENCY_REQUIRED"),
    ]
    assert report.rows_written == 1


def test_a_report_number_already_filed_by_the_agency_is_skipped(
    session: Session, world: factories.World
) -> None:
    content = files.csv_bytes(
        HEADER, [row(world, 报告编号="C1"), row(world, 报告编号="C1", 检验日期="2026-07-01")]
    )
    first = files.run(session, ImportKind.INSPECTIONS, content)
    assert (first.rows_written, first.rows_skipped) == (1, 1)
    again = files.run(session, ImportKind.INSPECTIONS, content)
    assert (again.rows_written, again.rows_skipped) == (0, 2)


def test_a_maintenance_unit_imports_self_tests_for_its_own_elevators_only(
    session: Session, world: factories.World
) -> None:
    unit = Principal(
        role=Role.MAINTENANCE_UNIT, label="安达", organisation_id=world.maintainer_a.id
    )
    rows = [
        row(world, 检验类别="自检", 报告编号="S1"),
        row(world, 检验类别="自检", 报告编号="S2", 设备代码=world.lift_b.equipment_code),
        row(world, 检验类别="定期检验", 报告编号="S3"),
    ]
    report = files.run(
        session, ImportKind.INSPECTIONS, files.csv_bytes(HEADER, rows), actor=unit, partial=True
    )
    assert [(error.row, error.code) for error in report.errors] == [
        (3, "NO_CONTRACT_ON_DATE"),
        (4, "INSPECTION_KIND_NOT_ALLOWED"),
    ]
    written = session.scalars(select(Inspection).where(Inspection.report_number == "S1")).one()
    assert (written.self_tester_id, written.performed_on) == (
        world.maintainer_a.id,
        date(2026, 6, 1),
    )
