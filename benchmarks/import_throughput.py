"""Maintenance-record import throughput against the same database's raw bulk-insert ceiling.

Builds its own fixture in a FRESH database given by URL (maintenance units with licences, a user
unit, elevators in use with a contract each), writes N maintenance-record rows (default 200,000:
about two years of half-monthly visits) to a CSV file, then measures on that database:

1. the import: `imports.service.import_file` on the CSV file, i.e. reading and decoding the
   file, checking every row with the API's rules, and writing in batches (PostgreSQL: COPY;
   SQLite: executemany) — in a transaction that is rolled back, best of --trials;
2. the ceiling: the same rows, already prepared as tuples in memory, written by the driver
   alone in one transaction (PostgreSQL: psycopg COPY ... FROM STDIN; SQLite: sqlite3
   executemany), rolled back too, best of --trials;
3. the import once more, committed, and then a re-import of the same file (every row already
   present, so nothing is written).

Both 1 and 2 are timed up to their last write, without the commit, so the ratio compares like
with like; the committed run shows what the commit adds. Rows/s and the ratio are printed.

    python benchmarks/import_throughput.py --url sqlite:////tmp/er_bench.sqlite3
    psql -h 127.0.0.1 -U postgres -d test -c 'drop database if exists er_bench' \
         -c 'create database er_bench'
    python benchmarks/import_throughput.py \
        --url postgresql+psycopg://postgres@127.0.0.1:5432/er_bench

The database must be empty (a new SQLite file, or a newly created PostgreSQL database).
"""

import argparse
import csv
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, insert, inspect, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy.orm import Session  # noqa: E402

from elevator_registry.auth.principal import CLI  # noqa: E402
from elevator_registry.config import get_settings  # noqa: E402
from elevator_registry.db import make_engine  # noqa: E402
from elevator_registry.imports import service as import_service  # noqa: E402
from elevator_registry.imports.columns import ImportKind  # noqa: E402
from elevator_registry.maintenance.service import id_number_check_character  # noqa: E402
from elevator_registry.registry.identifiers import credit_code_check_character  # noqa: E402
from elevator_registry.registry.models import (  # noqa: E402
    Elevator,
    Licence,
    MaintenanceContract,
    Organisation,
    OrganisationRoleRow,
    Street,
)

NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
LOCAL = ZoneInfo("Asia/Shanghai")
FIRST_VISIT = date(2024, 11, 20)
VISITS_PER_ELEVATOR = 48  # two years of half-monthly visits
UNITS = 20
ITEMS = "机房、滑轮间环境;手动紧急操作装置;驱动主机运行;制动器各销轴部位;编码器"
CERTIFIED = "50022219900101123" + id_number_check_character("50022219900101123")
COLUMNS = (
    "elevator_id",
    "contract_id",
    "maintenance_unit_id",
    "record_class",
    "performed_at",
    "workers",
    "items_done",
    "findings",
    "parts_replaced",
    "revision",
    "supersedes_id",
    "revision_reason",
    "filed_by",
    "created_at",
)


def credit_code(serial: int) -> str:
    body = f"91500222MB{serial:07d}"
    return body + credit_code_check_character(body)


def migrate(engine: Engine) -> None:
    if inspect(engine).get_table_names():
        sys.exit("the database is not empty; give the URL of a new, empty database")
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(get_settings().alembic_dir))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def build_fixture(engine: Engine, elevators: int) -> list[tuple[int, int, int, str]]:
    """Units, a user unit, elevators and contracts; returns (elevator, contract, unit, code)."""
    created = datetime(2024, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(Street),
            [
                {
                    "name": "古南街道",
                    "district": "綦江区",
                    "kind": "subdistrict",
                    "arrival_deadline_minutes": 30,
                }
            ],
        )
        organisations = [
            {
                "id": serial,
                "credit_code": credit_code(serial),
                "name": f"维保公司{serial}",
                "created_at": created,
            }
            for serial in range(1, UNITS + 1)
        ]
        organisations.append(
            {
                "id": UNITS + 1,
                "credit_code": credit_code(UNITS + 1),
                "name": "綦江物业",
                "created_at": created,
            }
        )
        connection.execute(insert(Organisation), organisations)
        connection.execute(
            insert(OrganisationRoleRow),
            [{"organisation_id": serial, "role": "maintainer"} for serial in range(1, UNITS + 1)]
            + [{"organisation_id": UNITS + 1, "role": "user_unit"}],
        )
        connection.execute(
            insert(Licence),
            [
                {
                    "organisation_id": serial,
                    "kind": "installation_maintenance",
                    "number": f"TS33500{serial:02d}-2028",
                    "valid_from": date(2020, 1, 1),
                    "valid_until": date(2030, 12, 31),
                    "status": "valid",
                    "created_at": created,
                }
                for serial in range(1, UNITS + 1)
            ],
        )
        lifts = [
            {
                "id": serial,
                "equipment_code": f"311050012201{serial:06d}",
                "rescue_code": f"{serial:06d}",
                "type_code": "3110",
                "district": "綦江区",
                "street": "古南街道",
                "address": f"綦江区古南街道沙溪路{serial}号",
                "place_category": "residential",
                "user_unit_id": UNITS + 1,
                "commissioned_on": date(2015, 6, 1),
                "status": "in_use",
                "status_changed_on": date(2015, 6, 1),
                "has_property_management": True,
                "has_repair_fund": True,
                "added_to_old_building": False,
                "iot_terminal_fitted": False,
                "emergency_levelling_fitted": False,
                "created_at": created,
            }
            for serial in range(1, elevators + 1)
        ]
        connection.execute(insert(Elevator), lifts)
        connection.execute(
            insert(MaintenanceContract),
            [
                {
                    "id": serial,
                    "elevator_id": serial,
                    "maintenance_unit_id": serial % UNITS + 1,
                    "user_unit_id": UNITS + 1,
                    "start_date": date(2024, 1, 1),
                    "end_date": date(2026, 12, 31),
                    "mode": "regular",
                    "created_at": created,
                }
                for serial in range(1, elevators + 1)
            ],
        )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    return [
        (lift["id"], lift["id"], lift["id"] % UNITS + 1, lift["equipment_code"]) for lift in lifts
    ]


def visits(lifts: list[tuple[int, int, int, str]], rows: int) -> Iterator[tuple[Any, ...]]:
    """(elevator, contract, unit, code, class, performed_at, worker) per visit, date by date."""
    produced = 0
    for visit in range(VISITS_PER_ELEVATOR):
        day = FIRST_VISIT + timedelta(days=15 * visit)
        record_class = "quarter" if visit % 6 == 5 else "half_month"
        for elevator_id, contract_id, unit_id, code in lifts:
            minute = (elevator_id * 7) % 480
            local = datetime(day.year, day.month, day.day, 8, 0, tzinfo=LOCAL) + timedelta(
                minutes=minute
            )
            yield (
                elevator_id,
                contract_id,
                unit_id,
                code,
                record_class,
                local,
                f"工人{elevator_id % 97}",
            )
            produced += 1
            if produced == rows:
                return


def write_csv(path: Path, lifts: list[tuple[int, int, int, str]], rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "equipment_code",
                "record_class",
                "performed_at",
                "worker_1_name",
                "worker_1_certificate",
                "worker_2_name",
                "items_done",
                "findings",
            ]
        )
        for _, _, _, code, record_class, local, worker in visits(lifts, rows):
            writer.writerow(
                [
                    code,
                    record_class,
                    local.strftime("%Y-%m-%d %H:%M"),
                    worker,
                    CERTIFIED,
                    "李强",
                    ITEMS,
                    "正常",
                ]
            )


def ceiling_rows(
    lifts: list[tuple[int, int, int, str]], rows: int, *, sqlite: bool
) -> list[tuple[Any, ...]]:
    """The same records as DB-ready tuples (what the import ends up writing)."""
    items = orjson.dumps(ITEMS.split(";")).decode()
    parts = "[]"
    prepared = []
    for elevator_id, contract_id, unit_id, _, record_class, local, worker in visits(lifts, rows):
        workers = orjson.dumps(
            [
                {"name": worker, "certificate_number": CERTIFIED},
                {"name": "李强", "certificate_number": None},
            ]
        ).decode()
        performed_at: Any = local.astimezone(UTC)
        created_at: Any = NOW
        if sqlite:  # the text form SQLAlchemy stores on SQLite
            performed_at = performed_at.strftime("%Y-%m-%d %H:%M:%S.%f")
            created_at = created_at.strftime("%Y-%m-%d %H:%M:%S.%f")
        prepared.append(
            (
                elevator_id,
                contract_id,
                unit_id,
                record_class,
                performed_at,
                workers,
                items,
                "正常",
                parts,
                1,
                None,
                None,
                "cli",
                created_at,
            )
        )
    return prepared


def time_import(engine: Engine, path: Path, *, commit: bool) -> tuple[float, Any]:
    settings = get_settings()
    with Session(engine) as session:
        transaction = session.begin()
        started = time.perf_counter()
        with path.open("rb") as stream:
            report = import_service.import_file(
                session,
                kind=ImportKind.MAINTENANCE_RECORDS,
                stream=stream,
                filename=path.name,
                actor=CLI,
                settings=settings,
                now=NOW,
                today=NOW.astimezone(LOCAL).date(),
            )
        if commit:
            transaction.commit()
        elapsed = time.perf_counter() - started
        if not commit:
            transaction.rollback()
    return elapsed, report


def time_ceiling(engine: Engine, prepared: list[tuple[Any, ...]]) -> float:
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        if engine.dialect.name == "postgresql":
            started = time.perf_counter()
            with (
                driver.cursor() as cursor,
                cursor.copy(f"COPY maintenance_record ({', '.join(COLUMNS)}) FROM STDIN") as copy,
            ):
                for row in prepared:
                    copy.write_row(row)
            elapsed = time.perf_counter() - started
            driver.rollback()
        else:
            assert isinstance(driver, sqlite3.Connection)
            cursor = driver.cursor()
            started = time.perf_counter()
            cursor.execute("BEGIN")
            cursor.executemany(
                f"INSERT INTO maintenance_record ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in COLUMNS)})",
                prepared,
            )
            elapsed = time.perf_counter() - started
            cursor.execute("ROLLBACK")
        return elapsed
    finally:
        raw.close()


def vacuum(engine: Engine) -> None:
    """PostgreSQL: clears the dead rows a rolled-back run leaves, so every run starts alike."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM maintenance_record"))


def count_records(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM maintenance_record")) or 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of a new, empty database")
    parser.add_argument("--rows", type=int, default=200_000, help="maintenance records to import")
    parser.add_argument(
        "--trials", type=int, default=2, help="timed runs of each method; best kept"
    )
    args = parser.parse_args()

    engine = make_engine(args.url)
    dialect = engine.dialect.name
    elevators = -(-args.rows // VISITS_PER_ELEVATOR)
    print(f"database: {dialect} ({engine.url.render_as_string(hide_password=True)})")
    migrate(engine)
    lifts = build_fixture(engine, elevators)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "maintenance_records.csv"
        write_csv(path, lifts, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(
            f"fixture: {elevators:,} elevators in use under contract with {UNITS} units; "
            f"file: {args.rows:,} rows, {size_mb:.1f} MB CSV"
        )
        prepared = ceiling_rows(lifts, args.rows, sqlite=dialect == "sqlite")

        ceilings, imports = [], []
        for _ in range(args.trials):  # alternated, so load on the machine hits both alike
            ceilings.append(time_ceiling(engine, prepared))
            vacuum(engine)
            elapsed, report = time_import(engine, path, commit=False)
            assert report.rows_written == args.rows and not report.errors, report.errors[:3]
            imports.append(elapsed)
            vacuum(engine)
        ceiling, best = min(ceilings), min(imports)
        committed, report = time_import(engine, path, commit=True)
        assert count_records(engine) == args.rows == report.rows_written
        again, repeat = time_import(engine, path, commit=True)
        assert repeat.rows_skipped == args.rows and repeat.rows_written == 0
        assert count_records(engine) == args.rows

    method = (
        "COPY FROM STDIN (psycopg)"
        if dialect == "postgresql"
        else "executemany, one transaction (sqlite3)"
    )
    writer = "COPY" if dialect == "postgresql" else "executemany"
    print(f"ceiling  {method:<44} {ceiling:7.2f} s  {args.rows / ceiling:>10,.0f} rows/s")
    print(
        f"import   {'read + validate every row + ' + writer:<44} {best:7.2f} s  {args.rows / best:>10,.0f} rows/s"
    )
    print(f"ratio    import / ceiling                             {ceiling / best:7.1%}")
    print(
        f"import, committed (incl. commit)                      {committed:7.2f} s  {args.rows / committed:>10,.0f} rows/s"
    )
    print(
        f"re-import, every row already present (0 written)     {again:7.2f} s  {args.rows / again:>10,.0f} rows/s"
    )
    print(
        f"(best of {args.trials} runs for ceiling and import; both timed to their last write, rolled back)"
    )


if __name__ == "__main__":
    main()
