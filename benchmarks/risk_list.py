"""The risk list on a generated registry (PostgreSQL): first page, one street, CSV export, refresh.

Generate the data first (it takes long; a dedicated database):

    createdb er_bench_risk
    ELEVATOR_REGISTRY_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/er_bench_risk \\
        python -m elevator_registry db upgrade
    python -m elevator_registry generate --elevators 1000000 --years 2 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/er_bench_risk

then `python benchmarks/risk_list.py [--database er_bench_risk] [--runs 15] [--refresh]`.

Prints, each with the median of `--runs`:
- the whole registry's first page (50 rows) through `rules.service.risk_page` on an open session
  (like the ceiling's open connection), through it with a session of its own per call (pool
  checkout, pre-ping, BEGIN and ROLLBACK included), and through the HTTP route (FastAPI
  TestClient, in process, token check included), against the ceiling: CEILING_SQL below run
  directly through psycopg, fetching the same rows;
- one street's first page, through the service on an open session and its ceiling;
- the full CSV export through the route: time to first byte, rows per second, resident memory
  growth of this (the serving) process, against `COPY (EXPORT_SQL) TO STDOUT` with the export's
  options: EXPORT_SQL is the query the export itself copies, the snapshot's stored texts as the
  last three cells (a snapshot refreshed before migration 0008 has none: the export then renders
  its rows in Python until a whole refresh, `--refresh`, stores them; the data line says which);
- the dashboard's risk summary (per rule and per street) of the whole registry;
- the extra cost per write of keeping the snapshot current: one maintenance record filed and
  flushed, with the snapshot tracking on and off (each in a rolled-back transaction);
- with `--refresh`, the whole-registry `risk refresh` first.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents_common import machine_note, psycopg_url, sqlalchemy_url
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elevator_registry.auth import service as auth_service
from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.config import Settings
from elevator_registry.db import make_engine
from elevator_registry.maintenance.models import MaintenanceRecord
from elevator_registry.registry.models import MaintenanceContract
from elevator_registry.rules import export, snapshot
from elevator_registry.rules import service as rules_service
from elevator_registry.rules.models import ElevatorRisk, RiskSnapshot
from elevator_registry.sample.generator import SAMPLE_REFERENCE_DATE

BUREAU = Principal(Role.BUREAU, "benchmark")
NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)

# The ceiling: the same page straight from the snapshot's index, the elevator columns the API
# returns, no ORM, no Python. 51 rows = a page of 50 plus one to know whether there is more.
COLUMNS = """e.id, e.equipment_code, e.registration_number, e.rescue_code, e.street, e.address,
       e.place_category, e.status, e.commissioned_on, e.user_unit_id, r.score, r.findings"""
CEILING_SQL = f"""
SELECT {COLUMNS}
FROM elevator_risk r JOIN elevator e ON e.id = r.elevator_id
ORDER BY r.score DESC, r.elevator_id
LIMIT 51
"""
STREET_CEILING_SQL = f"""
SELECT {COLUMNS}
FROM elevator_risk r JOIN elevator e ON e.id = r.elevator_id
WHERE r.street = %s
ORDER BY r.score DESC, r.elevator_id
LIMIT 51
"""
# The query the CSV export copies (`export.cells_sql` for the bureau, on the snapshot's day with
# nothing changed after it): its columns are the cells.
EXPORT_SQL = """
SELECT e.id, e.equipment_code, coalesce(e.registration_number, ''), e.rescue_code, e.street,
       e.address, e.place_category, e.status,
       coalesce(to_char(CASE WHEN e.commissioned_on <= s.evaluated_on THEN e.commissioned_on END,
                        'YYYY-MM-DD'), ''),
       coalesce((SELECT o.name FROM organisation o WHERE o.id = e.user_unit_id), ''),
       coalesce((SELECT o.name FROM organisation o
                 JOIN maintenance_contract c ON c.maintenance_unit_id = o.id
                 WHERE c.elevator_id = e.id AND c.start_date <= s.evaluated_on
                   AND coalesce(c.terminated_on, c.end_date) >= s.evaluated_on
                 ORDER BY c.start_date DESC, c.id DESC LIMIT 1), ''),
       r.score, r.rules, r.details_zh, r.details_en
FROM elevator_risk r JOIN elevator e ON e.id = r.elevator_id CROSS JOIN risk_snapshot s
ORDER BY r.score DESC, r.elevator_id
"""


def rss_mb() -> float:
    """Resident memory of this process (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def median_ms(action: Callable[[], object], runs: int) -> float:
    """Median wall time of `action` over `runs`, after one warm-up, in milliseconds."""
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def interleaved_medians(actions: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median ms of each action, run in turn within each round so that a load change on the
    machine hits all of them alike (their ratios are what the targets are about)."""
    for action in actions.values():
        action()
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="er_bench_risk")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--refresh", action="store_true", help="time a whole refresh first")
    parser.add_argument("--as-of", default=SAMPLE_REFERENCE_DATE.isoformat())
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    url = sqlalchemy_url(args.database)
    os.environ["ELEVATOR_REGISTRY_DATABASE_URL"] = url
    settings = Settings()
    engine = make_engine(url)
    print(machine_note())

    if args.refresh:
        report = snapshot.refresh_with_engine(engine, settings=settings, as_of=as_of)
        print(f"risk refresh (whole registry): {report.seconds:.1f} s — {report.summary()}")
    with Session(engine) as session:
        elevators = session.scalar(select(func.count()).select_from(MaintenanceContract))
        records = session.scalar(select(func.count()).select_from(MaintenanceRecord))
        listed = session.scalar(select(func.count()).select_from(ElevatorRisk))
        day = rules_service.snapshot_day(session)
        texts = session.scalar(select(RiskSnapshot.texts_rendered))
        busiest = session.execute(
            select(ElevatorRisk.street, func.count())
            .group_by(ElevatorRisk.street)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    print(
        f"data: {elevators:,} elevators, {records:,} maintenance records, {listed:,} on the "
        f"risk list; snapshot for {day}; as_of {as_of}; "
        + ("stored texts: the export is a COPY" if texts else "no stored texts: rows rendered")
    )

    def page(session: Session, street: str | None = None) -> int:
        rows, _ = rules_service.risk_page(
            session,
            rules_service.RiskQuery(
                actor=BUREAU,
                filters=rules_service.RiskFilters(street=street),
                as_of=as_of,
                today=as_of,
                now=NOW,
                settings=settings,
            ),
            limit=50,
            cursor=None,
        )
        return len(rows)

    def page_own_session() -> int:
        with Session(engine) as session:
            return page(session)

    with (
        psycopg.connect(psycopg_url(url), options="-c jit=off") as raw,
        Session(engine) as held,
    ):

        def ceiling(sql: str, *params: str) -> int:
            return len(raw.execute(sql, params).fetchall())

        street = busiest[0]
        medians = interleaved_medians(
            {
                "service": lambda: page(held),
                "own session": page_own_session,
                "ceiling": lambda: ceiling(CEILING_SQL),
                "street": lambda: page(held, street),
                "street ceiling": lambda: ceiling(STREET_CEILING_SQL, street),
            },
            args.runs,
        )
        service_ms, own_session_ms, ceiling_ms = (
            medians["service"],
            medians["own session"],
            medians["ceiling"],
        )
        street_ms, street_ceiling_ms = medians["street"], medians["street ceiling"]

        from fastapi.testclient import TestClient

        from elevator_registry.app import create_app

        with Session(engine) as session, session.begin():
            _, secret = auth_service.create_token(
                session, role=Role.BUREAU, label="risk benchmark", now=datetime.now(UTC)
            )
        headers = {"Authorization": f"Bearer {secret}"}
        with TestClient(create_app()) as client:
            http_ms = median_ms(
                lambda: client.get(f"/api/v1/risk-list?as_of={as_of}&limit=50", headers=headers),
                args.runs,
            )
            before = peak = rss_mb()
            started = time.perf_counter()
            first_byte = None
            size = lines = 0
            with client.stream(
                "GET", f"/api/v1/risk-list?as_of={as_of}&format=csv", headers=headers
            ) as response:
                for chunk in response.iter_bytes():
                    if first_byte is None:
                        first_byte = time.perf_counter() - started
                    size += len(chunk)
                    lines += chunk.count(b"\n")
                    if lines % 20000 < chunk.count(b"\n") + 1:
                        peak = max(peak, rss_mb())
            export_seconds = time.perf_counter() - started
            peak = max(peak, rss_mb())

        started = time.perf_counter()
        copied = 0
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY ({EXPORT_SQL}) TO STDOUT {export.COPY_OPTIONS}") as copy,
        ):
            for data in copy:
                copied += bytes(data).count(b"\n")
        copy_seconds = time.perf_counter() - started

    def summary() -> int:
        with Session(engine) as session:
            counts = rules_service.risk_summary(
                session,
                rules_service.RiskQuery(
                    actor=BUREAU,
                    filters=rules_service.RiskFilters(),
                    as_of=as_of,
                    today=as_of,
                    now=NOW,
                    settings=settings,
                ),
            )
            return int(counts["elevators_with_findings"])

    summary_ms = median_ms(summary, max(3, args.runs // 5))
    overhead = write_overhead(engine, settings, args.runs)

    rows = lines - 1
    print(f"first page, whole registry, service:      {service_ms:8.2f} ms (median of {args.runs})")
    print(f"  with a session of its own per call:     {own_session_ms:8.2f} ms")
    print(f"  through the HTTP route:                 {http_ms:8.2f} ms")
    print(f"first page, ceiling SQL through psycopg:  {ceiling_ms:8.2f} ms")
    print(
        f"  service / ceiling = {service_ms / ceiling_ms:.2f}x "
        f"({own_session_ms / ceiling_ms:.2f}x with its own session)"
    )
    print(f"one street ({street}, busiest), service: {street_ms:8.2f} ms")
    print(f"one street, ceiling SQL:                  {street_ceiling_ms:8.2f} ms")
    print(
        f"CSV export: {rows:,} rows, {size / 1e6:.1f} MB in {export_seconds:.1f} s "
        f"({rows / export_seconds:,.0f} rows/s); first byte {first_byte or 0:.3f} s; "
        f"RSS {before:.0f} -> peak {peak:.0f} MB (+{peak - before:.0f} MB)"
    )
    print(
        f"COPY (same query) TO STDOUT: {copied:,} rows in {copy_seconds:.1f} s "
        f"({copied / copy_seconds:,.0f} rows/s); export reaches "
        f"{(rows / export_seconds) / (copied / copy_seconds):.0%} of COPY's rate"
    )
    print(f"risk summary (per rule and street, whole registry): {summary_ms:8.1f} ms")
    print(
        f"one maintenance record filed and flushed: {overhead[0]:.1f} ms with the snapshot kept "
        f"current, {overhead[1]:.1f} ms without (+{overhead[0] - overhead[1]:.1f} ms per write)"
    )
    print(machine_note())


def write_overhead(engine: object, settings: Settings, runs: int) -> tuple[float, float]:
    """Median ms to file one record with and without refreshing its elevator's snapshot row."""
    rng = random.Random(5)
    with Session(engine) as session:  # type: ignore[arg-type]
        contracts = session.execute(
            select(
                MaintenanceContract.id,
                MaintenanceContract.elevator_id,
                MaintenanceContract.maintenance_unit_id,
            ).limit(5000)
        ).all()

    def file_one(tracked: bool) -> None:
        contract_id, elevator_id, unit_id = rng.choice(contracts)
        with Session(engine) as session:  # type: ignore[arg-type]
            session.begin()
            if not tracked:
                session.info["risk_refreshing"] = True
            session.add(
                MaintenanceRecord(
                    elevator_id=elevator_id,
                    contract_id=contract_id,
                    maintenance_unit_id=unit_id,
                    record_class="half_month",
                    performed_at=NOW,
                    workers=[{"name": "测试", "certificate_number": "T1"}],
                    items_done=[],
                    parts_replaced=[],
                    revision=1,
                    filed_by="benchmark",
                    created_at=NOW,
                )
            )
            session.flush()
            session.rollback()

    return median_ms(lambda: file_one(True), runs), median_ms(lambda: file_one(False), runs)


if __name__ == "__main__":
    main()
