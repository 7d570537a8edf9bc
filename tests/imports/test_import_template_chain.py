"""The four templates imported in the README's order make one consistent ledger.

organisations (with the maintainer's licence) → elevators (adding the district street, filing
the contract) → maintenance records → inspections, on an empty migrated database and on the
sample, through the service, the API and the command line.
"""

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry.audit.models import AuditEvent
from elevator_registry.cli import app
from elevator_registry.clock import FixedClock
from elevator_registry.db import get_sessionmaker
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.schemas import ImportReport
from elevator_registry.inspection.models import Inspection
from elevator_registry.maintenance.models import MaintenanceRecord
from elevator_registry.registry.enums import LicenceKind, LicenceStatus
from elevator_registry.registry.models import (
    Elevator,
    Licence,
    MaintenanceContract,
    Organisation,
    Street,
)
from elevator_registry.sample.loader import load_sample
from tests.conftest import NOW
from tests.imports import files

TEMPLATES = Path(__file__).resolve().parents[2] / "sample_data" / "templates"
ORDER = (
    ImportKind.ORGANISATIONS,
    ImportKind.ELEVATORS,
    ImportKind.MAINTENANCE_RECORDS,
    ImportKind.INSPECTIONS,
)
# Rows each template writes: 3 organisations, 1 elevator, 1 record, 1 inspection.
WRITTEN = {
    ImportKind.ORGANISATIONS: 3,
    ImportKind.ELEVATORS: 1,
    ImportKind.MAINTENANCE_RECORDS: 1,
    ImportKind.INSPECTIONS: 1,
}
MAINTAINER = "91500222MA5U4LXB1M"
USER_UNIT = "91500222MA60Q8W31C"
AGENCY = "12500000450400157W"
LIFT = "311050012201800001"


def import_templates(session: Session, extension: str) -> dict[ImportKind, ImportReport]:
    """Imports the committed template files in order; returns each report."""
    reports = {}
    for kind in ORDER:
        name = f"{kind.value}.{extension}"
        reports[kind] = files.run(session, kind, (TEMPLATES / name).read_bytes(), filename=name)
    return reports


def organisation_id(session: Session, credit_code: str) -> int:
    return session.scalars(
        select(Organisation.id).where(Organisation.credit_code == credit_code)
    ).one()


def assert_ledger(session: Session) -> None:
    """The rows the templates describe, referring to each other."""
    lift = session.scalars(select(Elevator).where(Elevator.equipment_code == LIFT)).one()
    maintainer = organisation_id(session, MAINTAINER)
    assert lift.user_unit_id == organisation_id(session, USER_UNIT)
    assert lift.street == "古南街道"
    licence = session.scalars(select(Licence).where(Licence.organisation_id == maintainer)).one()
    assert (licence.kind, licence.number, licence.valid_until, licence.status) == (
        LicenceKind.INSTALLATION_MAINTENANCE,
        "TS3350988-2029",
        date(2029, 12, 31),
        LicenceStatus.VALID,
    )
    contract = session.scalars(
        select(MaintenanceContract).where(MaintenanceContract.elevator_id == lift.id)
    ).one()
    assert (contract.maintenance_unit_id, contract.start_date, contract.end_date) == (
        maintainer,
        date(2026, 1, 1),
        date(2028, 12, 31),
    )
    record = session.scalars(
        select(MaintenanceRecord).where(MaintenanceRecord.elevator_id == lift.id)
    ).one()
    assert (record.contract_id, record.maintenance_unit_id) == (contract.id, maintainer)
    inspection = session.scalars(select(Inspection).where(Inspection.elevator_id == lift.id)).one()
    assert inspection.agency_id == organisation_id(session, AGENCY)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_templates_chain_on_an_empty_database(session: Session, extension: str) -> None:
    assert session.scalar(select(func.count()).select_from(Street)) == 0
    reports = import_templates(session, extension)
    for kind, report in reports.items():
        assert (report.committed, report.rows_written, report.errors) == (
            True,
            WRITTEN[kind],
            [],
        ), kind
    assert_ledger(session)
    # The street came from the district's list, with its deadline, and was audited.
    street = session.scalars(select(Street)).one()
    assert (street.name, street.kind, street.arrival_deadline_minutes) == (
        "古南街道",
        "subdistrict",
        30,
    )
    assert (
        session.scalar(
            select(func.count()).where(AuditEvent.entity == "street", AuditEvent.action == "create")
        )
        == 1
    )


def test_importing_the_templates_again_adds_nothing(session: Session) -> None:
    import_templates(session, "csv")
    again = import_templates(session, "csv")
    assert {kind: (r.rows_written, r.rows_skipped) for kind, r in again.items()} == {
        kind: (0, count) for kind, count in WRITTEN.items()
    }
    assert session.scalar(select(func.count()).select_from(Licence)) == 1
    assert session.scalar(select(func.count()).select_from(MaintenanceContract)) == 1


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_templates_chain_on_the_sample(session: Session, extension: str) -> None:
    load_sample(session, now=NOW, elevators=300)
    streets = session.scalar(select(func.count()).select_from(Street))
    reports = import_templates(session, extension)
    assert {kind: (r.rows_written, r.errors) for kind, r in reports.items()} == {
        kind: (count, []) for kind, count in WRITTEN.items()
    }
    assert session.scalar(select(func.count()).select_from(Street)) == streets
    assert_ledger(session)


def test_the_templates_chain_through_the_api(
    client: TestClient, session: Session, bureau: dict[str, str]
) -> None:
    for kind in ORDER:
        name = f"{kind.value}.xlsx"
        response = files.upload(
            client, kind.value, (TEMPLATES / name).read_bytes(), bureau, filename=name
        )
        body = response.json()
        assert (response.status_code, body["rows_written"], body["errors"]) == (
            200,
            WRITTEN[kind],
            [],
        ), kind
    assert_ledger(session)


def test_the_templates_chain_through_the_cli(
    scratch_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    monkeypatch.setattr("elevator_registry.clock.get_clock", lambda: FixedClock(at=NOW))
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    for kind in ORDER:
        result = runner.invoke(app, ["import", kind.value, str(TEMPLATES / f"{kind.value}.csv")])
        assert result.exit_code == 0, (kind, result.stdout, result.stderr)
    with get_sessionmaker()() as session:
        assert_ledger(session)


def test_a_second_row_of_an_organisation_adds_its_licence(session: Session) -> None:
    import_templates(session, "csv")
    content = files.csv_bytes(
        [
            "credit_code",
            "name",
            "roles",
            "licence_kind",
            "licence_number",
            "licence_valid_from",
            "licence_valid_until",
        ],
        [[MAINTAINER, "安达", "maintainer", "制造", "TS2150988-2029", "2025-01-01", "2029-12-31"]],
    )
    report = files.run(session, ImportKind.ORGANISATIONS, content)
    assert (report.rows_written, report.rows_skipped, report.errors) == (1, 0, [])
    kinds = session.scalars(
        select(Licence.kind).where(Licence.organisation_id == organisation_id(session, MAINTAINER))
    ).all()
    assert sorted(kinds) == ["installation_maintenance", "manufacture"]


def elevator_rows(**changes: str) -> bytes:
    """The elevators template with cells of its example row changed."""
    from elevator_registry.imports.columns import COLUMNS
    from elevator_registry.imports.templates import example_rows

    names = [column.name for column in COLUMNS[ImportKind.ELEVATORS]]
    row = dict(zip(names, example_rows(ImportKind.ELEVATORS)[0], strict=True)) | changes
    return files.csv_bytes(names, [[row[name] for name in names]])


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Not a street of the district: nothing is added, the service refuses it.
        ({"street": "解放碑街道"}, ("street", "STREET_UNKNOWN")),
        (
            {"maintenance_unit_credit_code": ""},
            ("maintenance_unit_credit_code", "VALIDATION_ERROR"),
        ),
        ({"contract_end_date": ""}, ("contract_end_date", "VALIDATION_ERROR")),
        # The user unit holds no maintainer role.
        (
            {"maintenance_unit_credit_code": USER_UNIT},
            ("maintenance_unit_credit_code", "ORGANISATION_ROLE_MISSING"),
        ),
        (
            {"contract_mode": "on_demand"},
            ("contract_interval_days", "MAINTENANCE_INTERVAL_INVALID"),
        ),
    ],
)
def test_a_refused_street_or_contract_refuses_the_row(
    session: Session, changes: dict[str, str], expected: tuple[str, str]
) -> None:
    name = "organisations.csv"
    files.run(session, ImportKind.ORGANISATIONS, (TEMPLATES / name).read_bytes(), filename=name)
    report = files.run(session, ImportKind.ELEVATORS, elevator_rows(**changes))
    assert [(error.field, error.code) for error in report.errors] == [expected]
    assert report.rows_written == 0
    assert session.scalar(select(func.count()).select_from(Elevator)) == 0
    assert session.scalar(select(func.count()).select_from(MaintenanceContract)) == 0
    # The street a refused row added is undone with it.
    assert session.scalar(select(func.count()).select_from(Street)) == 0
