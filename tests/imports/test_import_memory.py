"""A 200,000-row maintenance ledger imports with memory that does not grow with the file.

The peak memory while importing 200,000 rows must stay within a fixed margin of the peak for
20,000 rows: memory that grew with the rows (a list of every row, every key, every ORM object)
would add tens of megabytes between the two.

Measured as the process's peak resident set (VmHWM, reset through /proc/self/clear_refs before
each import), which counts everything, the C side of SQLite and psycopg included, and costs
nothing while it runs. Where /proc does not offer that (not Linux), tracemalloc's peak of
Python allocations is used instead; it is exact but makes the import several times slower.
"""

import csv
import gc
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from elevator_registry.auth.principal import CLI
from elevator_registry.config import get_settings
from elevator_registry.imports import service as import_service
from elevator_registry.imports.columns import ImportKind
from tests import factories
from tests.conftest import NOW, TODAY
from tests.imports import files

# Peaks must not differ by more than this; 180,000 more rows held at even 100 bytes each
# would add 18 MB.
MARGIN_BYTES = 10 * 1024 * 1024


def write_ledger(path: Path, lifts: list[str], rows: int) -> None:
    """`rows` valid half-monthly records spread over `lifts`, one minute apart, from 2026-01-02."""
    start = datetime(2026, 1, 2, 0, 0, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(files.RECORD_HEADER)
        for index in range(rows):
            local = (start + timedelta(minutes=index // len(lifts))).astimezone(files.LOCAL)
            writer.writerow(
                [
                    lifts[index % len(lifts)],
                    "half_month",
                    local.strftime("%Y-%m-%d %H:%M"),
                    "张伟",
                    files.CERTIFIED,
                    "李强",
                    "",
                    "机房环境;手动紧急操作装置;驱动主机;制动器",
                    "正常",
                ]
            )


CLEAR_REFS = Path("/proc/self/clear_refs")
STATUS = Path("/proc/self/status")


def _status_kib(field: str) -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _rss_meter() -> Callable[[], int] | None:
    """Starts measuring peak RSS growth; returns the reader, or None where unsupported."""
    try:
        CLEAR_REFS.write_text("5")  # resets VmHWM to the current RSS (Linux ≥ 4.0)
        baseline = _status_kib("VmRSS")
    except (OSError, LookupError):
        return None
    return lambda: (_status_kib("VmHWM") - baseline) * 1024


def peak_while_importing(session: Session, path: Path) -> tuple[int, int]:
    """(rows written, peak memory growth in bytes) for importing `path`, rolled back after."""
    savepoint = session.begin_nested()
    gc.collect()
    meter = _rss_meter()
    if meter is None:
        tracemalloc.start()
        meter = lambda: tracemalloc.get_traced_memory()[1]  # noqa: E731
    try:
        with path.open("rb") as stream:
            report = import_service.import_file(
                session,
                kind=ImportKind.MAINTENANCE_RECORDS,
                stream=stream,
                filename=path.name,
                actor=CLI,
                settings=get_settings(),
                now=NOW,
                today=TODAY,
            )
        peak = meter()
    finally:
        tracemalloc.stop()
        savepoint.rollback()
    assert report.errors == []
    return report.rows_written, peak


def test_a_200000_row_file_imports_in_the_memory_of_a_20000_row_file(
    session: Session, world: factories.World, tmp_path: Path
) -> None:
    lifts = [world.lift_a.equipment_code, world.lift_b.equipment_code]
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    write_ledger(small, lifts, 20_000)
    write_ledger(large, lifts, 200_000)
    assert large.stat().st_size > 9 * small.stat().st_size

    peak_while_importing(session, small)  # warm-up: first-use imports and caches
    small_rows, small_peak = peak_while_importing(session, small)
    large_rows, large_peak = peak_while_importing(session, large)

    assert (small_rows, large_rows) == (20_000, 200_000)
    assert large_peak < small_peak + MARGIN_BYTES, (small_peak, large_peak)
    # and the whole import stays small in absolute terms (a few batches of rows)
    assert large_peak < 64 * 1024 * 1024, large_peak
