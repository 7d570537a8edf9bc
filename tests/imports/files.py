"""Import files for the tests: CSV in a chosen encoding, XLSX, and the calls that import them."""

import csv
import io
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy.orm import Session

from elevator_registry.auth.principal import CLI, Principal
from elevator_registry.config import Settings, get_settings
from elevator_registry.errors import DomainError
from elevator_registry.imports import service as import_service
from elevator_registry.imports.columns import ImportKind
from elevator_registry.imports.schemas import ImportReport
from elevator_registry.maintenance import service as maintenance_service
from elevator_registry.maintenance.schemas import MaintenanceRecordCreate
from elevator_registry.registry.models import Elevator
from tests.conftest import NOW, TODAY
from tests.evidence_factories import CERTIFIED

LOCAL = ZoneInfo("Asia/Shanghai")
RECORD_HEADER = [
    "equipment_code",
    "record_class",
    "performed_at",
    "worker_1_name",
    "worker_1_certificate",
    "worker_2_name",
    "worker_2_certificate",
    "items_done",
    "findings",
]


def csv_bytes(
    header: Sequence[str], rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8"
) -> bytes:
    """A CSV file as Excel writes it (CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """A one-sheet workbook."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def record_row(lift: Elevator, days_ago: int = 5, **overrides: Any) -> list[Any]:
    """A valid maintenance-record row for `lift` (RECORD_HEADER order)."""
    values = {
        "equipment_code": lift.equipment_code,
        "record_class": "half_month",
        # Local time, as a ledger writes it: NOW is 10:00 in 綦江.
        "performed_at": (NOW - timedelta(days=days_ago))
        .astimezone(LOCAL)
        .strftime("%Y-%m-%d %H:%M"),
        "worker_1_name": "张伟",
        "worker_1_certificate": CERTIFIED,
        "worker_2_name": "李强",
        "worker_2_certificate": "",
        "items_done": "机房环境;手动紧急操作装置;驱动主机",
        "findings": "正常",
    } | overrides
    return [values[column] for column in RECORD_HEADER]


def run(
    session: Session,
    kind: ImportKind,
    content: bytes,
    *,
    filename: str = "ledger.csv",
    actor: Principal = CLI,
    partial: bool = False,
    settings: Settings | None = None,
) -> ImportReport:
    """Imports `content` through the service, in the test's transaction."""
    return import_service.import_file(
        session,
        kind=kind,
        stream=io.BytesIO(content),
        filename=filename,
        actor=actor,
        settings=settings or get_settings(),
        now=NOW,
        today=TODAY,
        partial=partial,
    )


def upload(
    client: TestClient,
    kind: str,
    content: bytes,
    headers: dict[str, str],
    *,
    filename: str = "ledger.csv",
    partial: bool | None = None,
) -> httpx.Response:
    """POST /imports/{kind} with the file as a multipart upload."""
    params = {} if partial is None else {"partial": str(partial).lower()}
    return client.post(
        f"/api/v1/imports/{kind}",
        files={"file": (filename, content, "application/octet-stream")},
        params=params,
        headers=headers,
    )


def codes(report: ImportReport | dict[str, Any]) -> list[tuple[int, str | None, str]]:
    """(row, field, code) of every error of a report (model or JSON)."""
    errors = report.errors if isinstance(report, ImportReport) else report["errors"]
    return [
        (error.row, error.field, error.code)
        if not isinstance(error, dict)
        else (error["row"], error["field"], error["code"])
        for error in errors
    ]


def api_refusal(session: Session, lift: Elevator, **body: Any) -> DomainError:
    """What `POST /maintenance-records` answers for a half-month record of `lift` five days ago
    by a certified and an uncertified worker, changed by `body`: the refusal an import must
    give for the same row."""
    data = {
        "elevator_id": lift.id,
        "record_class": "half_month",
        "performed_at": NOW - timedelta(days=5),
        "workers": [{"name": "张伟", "certificate_number": CERTIFIED}, {"name": "李强"}],
        "items_done": ["机房环境"],
    } | body
    with pytest.raises(DomainError) as refused:
        maintenance_service.file_record(
            session, data=MaintenanceRecordCreate(**data), actor=CLI, today=TODAY, now=NOW
        )
    return refused.value
