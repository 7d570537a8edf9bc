"""Streaming CSV and XLSX renderings of the risk list.

The CSV quotes every cell and ends lines with LF, as PostgreSQL's `COPY … (FORMAT csv,
FORCE_QUOTE *)` writes them.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator

from openpyxl import Workbook

from elevator_registry.rules.service import RiskRow, finding_cells

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
    ("score", "风险分"),
    ("rules", "规则"),
    ("details_zh", "问题"),
    ("details_en", "findings"),
)
HEADER = [f"{zh} {en}" for en, zh in COLUMNS]


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
        elevator.place_category,
        elevator.status,
        elevator.commissioned_on.isoformat() if elevator.commissioned_on else "",
        row.score,
        *finding_cells(row.findings),
    ]


def _header() -> str:
    """The BOM (so Excel shows the Chinese) and the header line."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, CopyDialect).writerow(HEADER)
    return buffer.getvalue()


def csv_chunks(rows: Iterable[RiskRow], *, rows_per_chunk: int = 500) -> Iterator[bytes]:
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


def xlsx_chunks(rows: Iterable[RiskRow], *, chunk_size: int = 1 << 16) -> Iterator[bytes]:
    """An XLSX workbook built row by row in write-only mode, spooled to disk, then streamed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("风险清单 risk list")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(_cells(row))
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(chunk_size):
            yield chunk
