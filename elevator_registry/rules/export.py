"""Streaming CSV and XLSX renderings of the risk list.

The CSV of a list the snapshot serves (its day, no rule or severity filter) is, on PostgreSQL,
`COPY (one query whose columns are the cells, `cells_sql`) TO STDOUT`, streamed as PostgreSQL
sends it: the finding texts were rendered by the refresh (`rules.snapshot`) with the code
`_cells` uses, so no row passes through Python here. Other lists, a snapshot refreshed before
its rows held texts, SQLite, and XLSX are rendered row by row from `service.iter_risk_rows`.
Both CSV paths quote every cell and end lines with LF, as COPY does, so they write the same
bytes for the same rows; both write place categories and statuses as their Chinese labels
(`labels.ENUM_LABELS`, a CASE in the COPY's query). The CSV's header keeps each column's key
beside its Chinese name for programs; the XLSX, for people, has Chinese headers only.
"""

import csv
import io
import tempfile
from collections.abc import Generator, Iterable
from typing import Any

import psycopg
from openpyxl import Workbook
from sqlalchemy import Select, case, func
from sqlalchemy.orm import Session

from elevator_registry.labels import ENUM_LABELS
from elevator_registry.registry.enums import ElevatorStatus, PlaceCategory
from elevator_registry.rules import service as rules_service
from elevator_registry.rules.models import ElevatorRisk
from elevator_registry.rules.service import RiskQuery, RiskRow, finding_cells

COLUMNS = (
    ("elevator_id", "电梯ID"),
    ("equipment_code", "设备代码"),
    ("registration_number", "使用登记证编号"),
    ("rescue_code", "96333识别码"),
    ("street", "街镇"),
    ("address", "地址"),
    ("place_category", "场所类别"),
    ("status", "状态"),
    ("commissioned_on", "投用日期"),
    ("user_unit_name", "使用单位"),
    ("maintenance_unit_name", "维保单位"),
    ("score", "风险分"),
    ("rules", "规则"),
    ("details_zh", "问题"),
    ("details_en", "findings"),
)
HEADER = [f"{zh} {en}" for en, zh in COLUMNS]
# The workbook is for people: Chinese headers only (the CSV keeps the keys programs read).
HEADER_ZH = [zh if en != "details_en" else "问题（英文）" for en, zh in COLUMNS]
PLACE_LABELS = ENUM_LABELS[PlaceCategory]
STATUS_LABELS = ENUM_LABELS[ElevatorStatus]
COPY_OPTIONS = "(FORMAT csv, FORCE_QUOTE *, ENCODING 'UTF8')"
COPY_CHUNK_BYTES = 1 << 16
Chunks = Generator[bytes, None, None]


class CopyDialect(csv.excel):
    """What `COPY … (FORMAT csv, FORCE_QUOTE *)` writes: every cell quoted, LF line ends.

    Quoting every cell also quotes a lone carriage return, which Python 3.11 leaves bare when
    the line terminator is LF (an address typed with one would otherwise split its row)."""

    quoting = csv.QUOTE_ALL
    lineterminator = "\n"


def _cells(row: RiskRow) -> list[object]:
    elevator = row.elevator
    return [
        elevator.id,
        elevator.equipment_code,
        elevator.registration_number or "",
        elevator.rescue_code,
        elevator.street,
        elevator.address,
        PLACE_LABELS.get(elevator.place_category, elevator.place_category),
        STATUS_LABELS.get(elevator.status, elevator.status),
        elevator.commissioned_on.isoformat() if elevator.commissioned_on else "",
        elevator.user_unit_name or "",
        elevator.maintenance_unit_name or "",
        row.score,
        *finding_cells(row.findings),
    ]


def cells_sql(query: RiskQuery) -> tuple[Any, ...]:
    """`_cells` as SQL over the snapshot's stored texts and the elevator as it was on the
    list's day (`query` settled by `with_history`; PostgreSQL: `to_char` ignores DateStyle)."""
    listed = {
        column.key: column
        for column in rules_service.listed_columns(query.as_of, bool(query.historical))
    }
    return (
        listed["id"],
        listed["equipment_code"],
        func.coalesce(listed["registration_number"], ""),
        listed["rescue_code"],
        listed["street"],
        listed["address"],
        case(PLACE_LABELS, value=listed["place_category"], else_=listed["place_category"]),
        case(STATUS_LABELS, value=listed["status"], else_=listed["status"]),
        func.coalesce(func.to_char(listed["commissioned_on"], "YYYY-MM-DD"), ""),
        func.coalesce(listed["user_unit_name"], ""),
        func.coalesce(listed["maintenance_unit_name"], ""),
        ElevatorRisk.score,
        ElevatorRisk.rules,
        ElevatorRisk.details_zh,
        ElevatorRisk.details_en,
    )


def _header() -> str:
    """The BOM (so Excel shows the Chinese) and the header line."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, CopyDialect).writerow(HEADER)
    return buffer.getvalue()


def csv_chunks(rows: Iterable[RiskRow], *, rows_per_chunk: int = 500) -> Chunks:
    """UTF-8 CSV with a BOM, rendered row by row and yielded in chunks as rows arrive."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, CopyDialect)
    buffer.write(_header())
    for count, row in enumerate(rows, start=1):
        writer.writerow(_cells(row))
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def risk_list_csv(session: Session, query: RiskQuery) -> Chunks:
    """The whole filtered list as UTF-8 CSV with a BOM, streamed.

    Filters are checked before this returns, so a bad filter is a 422, not an empty download.
    A COPY holds the session's connection until the generator ends or is closed: serve it as a
    `downloads.Download`, which closes it when the client goes away.
    """
    if session.get_bind().dialect.name == "postgresql":
        query = rules_service.with_history(session, query)
        statement = rules_service.snapshot_text_statement(session, query, *cells_sql(query))
        if statement is not None:
            return _copied(session, statement)
    return csv_chunks(rules_service.iter_risk_rows(session, query))


def _copied(session: Session, statement: Select[Any]) -> Chunks:
    """`COPY (statement) TO STDOUT` on the session's own connection, so in its transaction,
    which the caller keeps open until the last byte."""
    connection = session.connection()
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    driver = connection.connection.driver_connection
    # Bound client-side, as psycopg binds COPY's parameters; mogrify also when there are none,
    # since `cursor.copy` then skips the merge and would send SQLAlchemy's escaped `%%` as is.
    with psycopg.ClientCursor(driver) as binder:
        bound = binder.mogrify(compiled.string, compiled.params)
    return _copy_chunks(driver, f"COPY ({bound}) TO STDOUT {COPY_OPTIONS}")


def _copy_chunks(driver: Any, copy_sql: str) -> Chunks:
    """BOM and header at once, then the COPY's rows in chunks of about COPY_CHUNK_BYTES."""
    yield _header().encode()
    buffer = bytearray()
    with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
        # COPY sends a message per row: coalesced, each write to the client carries many.
        for data in copy:
            buffer += data
            if len(buffer) >= COPY_CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
    if buffer:
        yield bytes(buffer)


def xlsx_chunks(rows: Iterable[RiskRow], *, chunk_size: int = 1 << 16) -> Chunks:
    """An XLSX workbook built row by row in write-only mode, spooled to disk, then streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("风险清单")
    sheet.append(HEADER_ZH)
    for row in rows:
        sheet.append(_cells(row))
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(chunk_size):
            yield chunk
