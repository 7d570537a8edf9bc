"""KPI query for one year over 1,000,000 elevators, their incidents and inspections (PostgreSQL).

Loads a synthetic registry with COPY (the sample generator stops at 500,000 elevators, so the
benchmark has its own bulk loader): 1,000,000 in-use elevators in 21 streets and towns, one
current contract each with one of 200 maintenance units, a year of incidents at 7 trapped and
4 fault reports per 100 elevators, and one periodic inspection or self-test per elevator in the
year (4% fail, 3% pass only after rectification). Then times `kpi.service.compute` — the code
behind GET /kpi — for the year, for each grouping, and prints the plans of its three queries.

    python benchmarks/incidents_kpi.py [--elevators 1000000] [--runs 5] [--keep] [--from-base]

compute() reads the summary tables of migration 0006 (kpi_street_day, kpi_unit_day, kpi_fleet;
filled by the migration, kept by triggers: the COPY load fills them through the triggers) and
the few waiting incidents through ix_incident_waiting. `--from-base` times the recomputation
from the base tables instead (the figures are the same; tests/kpi/test_kpi_summary.py).
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents_common import (
    load_registry,
    machine_note,
    psycopg_url,
    recreate_database,
    sqlalchemy_url,
)
from sqlalchemy.orm import Session

from elevator_registry.auth.principal import CLI
from elevator_registry.config import Settings
from elevator_registry.db import make_engine
from elevator_registry.kpi.service import GroupBy, compute

DATABASE = "er_bench_kpi"
YEAR_START = date(2025, 11, 15)
YEAR_END = date(2026, 11, 14)
NOW = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
UNITS = 200
CAUSES = ["door_system"] * 36 + ["control"] * 14 + ["traction"] * 7 + ["power_cut"] * 11
CAUSES += ["misuse"] * 14 + ["other"] * 18


def load_evidence(url: str, *, elevators: int, seed: int = 7) -> tuple[int, int]:
    """COPYs a year of incidents and inspections; returns their counts."""
    rng = random.Random(seed)
    start = datetime.combine(YEAR_START, datetime.min.time(), UTC) - timedelta(hours=8)
    incidents = inspections = 0
    with psycopg.connect(psycopg_url(url)) as connection, connection.cursor() as cursor:
        agency = UNITS + 2
        cursor.execute(
            "INSERT INTO organisation (id, credit_code, name, created_at) "
            "VALUES (%s, 'BENCHAGENCY0000001', '检验机构', now())",
            (agency,),
        )
        with cursor.copy(
            "COPY incident (number, elevator_id, kind, channel, trapped_count, status, "
            "escalation_level, maintenance_unit_id, no_contract, reported_at, arrival_deadline_at, "
            "dispatched_at, accepted_at, arrived_at, released_at, closed_at, fault_cause_code, "
            "tracking_token_hash, created_at) FROM STDIN"
        ) as copy:
            for kind, rate in (("trapped", 0.07), ("fault", 0.04)):
                for _ in range(int(elevators * rate)):
                    incidents += 1
                    elevator = rng.randrange(elevators)
                    reported = start + timedelta(seconds=rng.randrange(365 * 86400))
                    deadline = reported + timedelta(minutes=30 if elevator % 21 < 5 else 60)
                    accepted = reported + timedelta(
                        minutes=rng.uniform(0.5, 4.5) if rng.random() > 0.03 else 8
                    )
                    arrived = reported + timedelta(
                        minutes=rng.uniform(9, 21) if rng.random() < 0.9 else rng.uniform(21, 45)
                    )
                    released = arrived + timedelta(minutes=5) if kind == "trapped" else None
                    closed = arrived + timedelta(minutes=60)
                    copy.write_row(
                        (
                            f"B{incidents:09d}",
                            elevator + 1,
                            kind,
                            "public",
                            1 if kind == "trapped" else 0,
                            "closed",
                            1,
                            1 + elevator % UNITS,
                            False,
                            reported,
                            deadline,
                            reported,
                            accepted,
                            arrived,
                            released,
                            closed,
                            rng.choice(CAUSES),
                            f"{incidents:064d}",
                            reported,
                        )
                    )
        with cursor.copy(
            "COPY inspection (elevator_id, agency_id, kind, performed_on, result, report_number, "
            "filed_by, created_at) FROM STDIN"
        ) as copy:
            for elevator in range(elevators):
                inspections += 1
                draw = rng.random()
                copy.write_row(
                    (
                        elevator + 1,
                        agency,
                        "periodic" if rng.random() < 0.5 else "self_test",
                        YEAR_START + timedelta(days=rng.randrange(365)),
                        "fail"
                        if draw < 0.04
                        else "pass_after_rectification"
                        if draw < 0.07
                        else "pass",
                        f"R{elevator:08d}",
                        "bench",
                        NOW,
                    )
                )
        connection.commit()
        connection.autocommit = True
        cursor.execute("VACUUM ANALYZE")
    return incidents, inspections


def time_compute(
    url: str, group_by: GroupBy, runs: int, *, from_summary: bool
) -> tuple[float, float, int]:
    """(median ms, best ms, groups) over `runs` calls after one warm-up."""
    engine = make_engine(url)
    settings = Settings(database_url=url)
    timings = []
    groups = 0
    with Session(engine) as session:
        for run in range(runs + 1):
            started = time.perf_counter()
            report = compute(
                session,
                date_from=YEAR_START,
                date_to=YEAR_END,
                group_by=group_by,
                actor=CLI,
                settings=settings,
                now=NOW,
                from_summary=from_summary,
            )
            elapsed = (time.perf_counter() - started) * 1000
            session.rollback()
            if run:
                timings.append(elapsed)
            groups = len(report["groups"])
    engine.dispose()
    return statistics.median(timings), min(timings), groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elevators", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the database of a past run")
    parser.add_argument(
        "--from-base", action="store_true", help="recompute from the base tables, not the summary"
    )
    args = parser.parse_args()
    print(machine_note())
    url = sqlalchemy_url(DATABASE)
    if not args.keep:
        started = time.perf_counter()
        url = recreate_database(DATABASE)
        load_registry(url, elevators=args.elevators, units=UNITS)
        incidents, inspections = load_evidence(url, elevators=args.elevators)
        print(
            f"loaded {args.elevators} elevators, {incidents} incidents, {inspections} "
            f"inspections in {time.perf_counter() - started:.0f} s (COPY)"
        )
    print(f"KPIs for {YEAR_START} .. {YEAR_END} (one year), median of {args.runs} runs:")
    for group_by in GroupBy:
        median, best, groups = time_compute(
            url, group_by, args.runs, from_summary=not args.from_base
        )
        print(
            f"  group_by={group_by.value:<17} {median:>7.0f} ms median, {best:>6.0f} ms best ({groups} groups)"
        )


if __name__ == "__main__":
    main()
