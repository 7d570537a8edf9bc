"""Elevator search at a million elevators (PostgreSQL, pg_trgm GIN index of migration 0013).

    python benchmarks/search.py [--elevators 1000000] [--runs 30] [--keep]

Creates a scratch database (`er_bench_search`, dropped at the end unless `--keep`), migrates it
to 0008 (no search index), fills `elevator` with one INSERT … SELECT over generate_series
(addresses on 60 roads and streets, 3,000 小区 names, 18-character equipment codes, registration numbers
for nine in ten, 7-digit rescue codes), then upgrades to head, so the migration itself builds the
trigram index on the full table, and ANALYZEs. Then it times `registry.search.search_elevators`
(the function behind GET /elevators/search and /bureau/search, bureau scope, limit 20) on an
open session for several kinds of query, and prints p50/p95 in milliseconds of `--runs` calls
each, different values per call where the kind allows it.
"""

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incidents_common import ADMIN_URL, machine_note, sqlalchemy_url
from sqlalchemy import text
from sqlalchemy.orm import Session

from elevator_registry.auth.enums import Role
from elevator_registry.auth.principal import Principal
from elevator_registry.db import make_engine
from elevator_registry.registry import search
from tests.conftest import migrate

DATABASE = "er_bench_search"
BUREAU = Principal(Role.BUREAU, "benchmark")
TODAY = date(2026, 12, 2)
ROAD_NAMES = ("沙溪", "文龙", "古南", "通惠", "中山", "滨江", "九龙", "北渡", "三江", "永新")
ROADS = [
    f"{prefix}{name}{kind}"
    for prefix in ("", "新", "东")
    for name in ROAD_NAMES
    for kind in ("路", "街")
]
COMMUNITY_WORDS = list("锦绣华庭翠苑金桥玫瑰园丽景名城天悦江山御府阳光花园东方明珠")

FILL_SQL = """
INSERT INTO elevator (
    equipment_code, registration_number, registered_on, rescue_code, type_code, district,
    street, community, address, building, unit, place_category, has_property_management,
    has_repair_fund, added_to_old_building, iot_terminal_fitted, emergency_levelling_fitted,
    status, commissioned_on, status_changed_on, created_at
)
SELECT
    '3110500122' || lpad(i::text, 8, '0'),
    CASE WHEN i % 10 <> 0
         THEN '梯11渝A' || lpad((i % 100000)::text, 5, '0') || '(' || lpad((i / 100000)::text, 2, '0') || ')'
    END,
    CASE WHEN i % 10 <> 0 THEN date '2020-01-01' END,
    lpad(i::text, 7, '0'),
    '3110',
    '綦江区',
    'bench street',
    (CAST(:communities AS text[]))[1 + i % 3000],
    '綦江区' || (CAST(:roads AS text[]))[1 + i % 60] || (1 + i % 997) || '号',
    (1 + i % 30) || '栋',
    (1 + i % 4) || '单元',
    'residential', true, true, false, false, false,
    'in_use', date '2015-06-01', date '2015-06-01', now()
FROM generate_series(1, :count) AS i
"""


def communities() -> list[str]:
    """3,000 distinct 小区 names from a seeded shuffle of word pairs."""
    rng = random.Random(2022)
    names: list[str] = []
    while len(names) < 3000:
        name = "".join(rng.sample(COMMUNITY_WORDS, 4)) + rng.choice(("小区", "花园", "苑"))
        if name not in names:
            names.append(name)
    return names


def percentiles(action: Callable[[int], object], runs: int) -> tuple[float, float]:
    """p50 and p95 in ms of `runs` calls (the argument is the call's number)."""
    action(0)  # warm the plan cache and the buffers once
    timings = []
    for run in range(runs):
        started = time.perf_counter()
        action(run)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, round(0.95 * len(timings)) - 1)]


def main() -> None:
    """Builds the scratch database, times the query kinds, drops it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elevators", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    print(machine_note())
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    engine = make_engine(sqlalchemy_url(DATABASE))
    try:
        names = communities()
        started = time.perf_counter()
        with engine.begin() as connection:
            migrate(connection, "0008")
            connection.execute(
                text(
                    "INSERT INTO street (name, district, kind, arrival_deadline_minutes) "
                    "VALUES ('bench street', '綦江区', 'subdistrict', 30)"
                )
            )
            connection.execute(
                text(FILL_SQL), {"communities": names, "roads": ROADS, "count": args.elevators}
            )
        filled = time.perf_counter() - started
        started = time.perf_counter()
        with engine.begin() as connection:
            migrate(connection, "head")
        indexed = time.perf_counter() - started
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE elevator"))
        print(
            f"data: {args.elevators:,} elevators inserted in {filled:.0f} s; "
            f"migration 0013 (trigram index) in {indexed:.0f} s"
        )
        rng = random.Random(7)
        numbers = [rng.randrange(1, args.elevators + 1) for _ in range(args.runs + 1)]
        kinds: dict[str, Callable[[int], str]] = {
            "exact rescue code": lambda run: f"{numbers[run]:07d}",
            "exact equipment code": lambda run: f"3110500122{numbers[run]:08d}",
            "exact registration number (full-width brackets)": lambda run: (
                f"梯11渝A{numbers[run] % 100000:05d}（{numbers[run] // 100000:02d}）"
            ),
            "小区 name (about 330 elevators)": lambda run: names[run % len(names)],
            "part of a 小区 name (2 characters)": lambda run: "".join(
                random.Random(run).sample(COMMUNITY_WORDS, 2)
            ),
            "road and house number (8号 also finds 18号, 128号)": lambda run: (
                f"{ROADS[run % len(ROADS)]}{1 + run * 7 % 997}号"
            ),
            "part of a rescue code (5 digits)": lambda run: f"{numbers[run] % 100000:05d}",
            "end of an equipment code (8 digits)": lambda run: f"{numbers[run]:08d}",
            "registration number without its year": lambda run: f"渝A{numbers[run] % 100000:05d}",
            "nothing matches": lambda run: f"不存在的地址{run}",
        }
        with Session(engine) as session:
            found = {}
            for kind, query in kinds.items():
                hits: list[int] = []

                def call(
                    run: int, query: Callable[[int], str] = query, hits: list[int] = hits
                ) -> None:
                    result = search.search_elevators(
                        session, actor=BUREAU, today=TODAY, text=query(run), limit=20
                    )
                    hits.append(len(result))

                p50, p95 = percentiles(call, args.runs)
                found[kind] = statistics.median(hits)
                print(
                    f"{kind:<50} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   hits (median) {found[kind]:.0f}"
                )
            session.rollback()
    finally:
        engine.dispose()
        if not args.keep:
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            print(f"scratch database {DATABASE} dropped")


if __name__ == "__main__":
    main()
