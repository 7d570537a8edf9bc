"""The template files: generated from the column definitions, and importable in order."""

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from elevator_registry.imports.columns import COLUMNS, ImportKind
from elevator_registry.imports.templates import csv_template
from elevator_registry.inspection.models import Inspection
from elevator_registry.maintenance.models import MaintenanceRecord
from elevator_registry.registry.enums import OrganisationRole
from elevator_registry.registry.models import Elevator, Organisation
from tests import factories
from tests.imports import files

TEMPLATES = Path(__file__).resolve().parents[2] / "sample_data" / "templates"
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("kind", list(ImportKind))
def test_the_committed_templates_are_the_generated_ones(kind: ImportKind) -> None:
    assert (TEMPLATES / f"{kind.value}.csv").read_bytes() == csv_template(kind)
    workbook = load_workbook(TEMPLATES / f"{kind.value}.xlsx", read_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    columns = COLUMNS[kind]
    assert rows[0] == [column.name for column in columns]
    assert rows[1] == [column.example or None for column in columns]


def test_the_readme_documents_every_column() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Bulk import") :]
    for kind, columns in COLUMNS.items():
        assert f"**{kind.value}**" in section
        for column in columns:
            assert f"`{column.name}`" in section, column.name


def test_the_example_rows_import_one_after_the_other(session: Session) -> None:
    """organisations → elevators → (a contract) → maintenance records → inspections."""
    factories.street(session, "古南街道")
    user_unit = factories.organisation(session, "沙溪小区业委会", OrganisationRole.USER_UNIT)
    user_unit.credit_code = "91500222MA60Q8W31C"
    agency = factories.organisation(session, "检验院", OrganisationRole.INSPECTION_AGENCY)
    agency.credit_code = "12500000450400157W"
    session.flush()

    def run(kind: ImportKind) -> None:
        report = files.run(session, kind, csv_template(kind), filename=f"{kind.value}.csv")
        assert (report.rows_written, report.errors) == (1, []), report.errors

    run(ImportKind.ORGANISATIONS)
    maintainer = session.scalars(
        select(Organisation).where(Organisation.credit_code == "91500222MA5U4LXB1M")
    ).one()
    factories.licence(session, maintainer)
    run(ImportKind.ELEVATORS)
    lift = session.scalars(
        select(Elevator).where(Elevator.equipment_code == "311050012201800001")
    ).one()
    assert lift.user_unit_id == user_unit.id
    factories.contract(session, lift, maintainer, start=date(2026, 1, 1))
    run(ImportKind.MAINTENANCE_RECORDS)
    run(ImportKind.INSPECTIONS)
    assert session.scalars(select(MaintenanceRecord.elevator_id)).all()[-1] == lift.id
    assert session.scalars(select(Inspection.agency_id)).all()[-1] == agency.id


@pytest.mark.parametrize("kind", list(ImportKind))
def test_xlsx_templates_read_like_the_csv_ones(kind: ImportKind) -> None:
    from elevator_registry.imports.readers import open_table

    csv_rows = [
        row
        for _, row in open_table(
            io.BytesIO(csv_template(kind)), filename="t.csv", max_unpacked_bytes=1
        ).rows
    ]
    content = (TEMPLATES / f"{kind.value}.xlsx").read_bytes()
    xlsx_rows = [
        ["" if cell is None else cell for cell in row]
        for _, row in open_table(
            io.BytesIO(content), filename="t.xlsx", max_unpacked_bytes=10**8
        ).rows
    ]
    assert xlsx_rows == csv_rows
