"""Shared helpers of the incident benchmarks: a scratch PostgreSQL database, a COPY bulk loader
for a synthetic registry, and the app served by uvicorn in a subprocess.

Benchmarks print figures; they assert nothing and install nothing. They need PostgreSQL at
127.0.0.1:5432 (user postgres) and, for the HTTP ones, `wrk` (Debian package `wrk`).
"""

import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
STREETS = [(f"街道{index:02d}", "subdistrict", 30) for index in range(5)] + [
    (f"镇{index:02d}", "town", 60) for index in range(16)
]
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


def sqlalchemy_url(database: str) -> str:
    """The app's URL for `database` on the benchmark server."""
    base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{database}"


def recreate_database(database: str) -> str:
    """Drops and creates `database`, migrates it to head; returns its SQLAlchemy URL."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {database}")
    url = sqlalchemy_url(database)
    env = os.environ | {"ELEVATOR_REGISTRY_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "elevator_registry", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return url


def psycopg_url(url: str) -> str:
    """A SQLAlchemy psycopg URL as a plain libpq URL."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def rescue_code(index: int) -> str:
    """The rescue code of synthetic elevator `index` (6 digits, the default format)."""
    return f"{index:06d}"


def load_registry(url: str, *, elevators: int, units: int = 200, seed: int = 2022) -> None:
    """COPYs streets, units, `elevators` in-use elevators and one current contract each."""
    rng = random.Random(seed)
    with psycopg.connect(psycopg_url(url)) as connection, connection.cursor() as cursor:
        with cursor.copy(
            "COPY street (name, district, kind, arrival_deadline_minutes) FROM STDIN"
        ) as copy:
            for name, kind, minutes in STREETS:
                copy.write_row((name, "綦江区", kind, minutes))
        with cursor.copy(
            "COPY organisation (id, credit_code, name, duty_phone, created_at) FROM STDIN"
        ) as copy:
            for index in range(1, units + 2):
                copy.write_row(
                    (
                        index,
                        f"91500222BENCH{index:05d}",
                        f"维保单位{index:03d}",
                        "023-48660000",
                        CREATED,
                    )
                )
        with cursor.copy("COPY organisation_role (organisation_id, role) FROM STDIN") as copy:
            for index in range(1, units + 1):
                copy.write_row((index, "maintainer"))
            copy.write_row((units + 1, "user_unit"))
        cursor.execute(f"SELECT setval('organisation_id_seq', {units + 1})")
        with cursor.copy(
            "COPY elevator (id, equipment_code, rescue_code, type_code, district, street, address, "
            "place_category, has_property_management, has_repair_fund, added_to_old_building, "
            "iot_terminal_fitted, emergency_levelling_fitted, status, status_changed_on, "
            "commissioned_on, installation_inspected_on, user_unit_id, created_at) FROM STDIN"
        ) as copy:
            for index in range(elevators):
                commissioned = date(
                    2000 + rng.randrange(26), 1 + rng.randrange(12), 1 + rng.randrange(28)
                )
                copy.write_row(
                    (
                        index + 1,
                        f"3110{index:016d}",
                        rescue_code(index),
                        "3110",
                        "綦江区",
                        STREETS[index % len(STREETS)][0],
                        f"綦江区测试路{index}号",
                        "residential",
                        True,
                        True,
                        False,
                        False,
                        False,
                        "in_use",
                        commissioned,
                        commissioned,
                        commissioned,
                        units + 1,
                        CREATED,
                    )
                )
        cursor.execute(f"SELECT setval('elevator_id_seq', {elevators})")
        with cursor.copy(
            "COPY maintenance_contract (elevator_id, maintenance_unit_id, user_unit_id, start_date, "
            "end_date, mode, created_at) FROM STDIN"
        ) as copy:
            for index in range(elevators):
                copy.write_row(
                    (
                        index + 1,
                        1 + index % units,
                        units + 1,
                        date(2025, 1, 1),
                        date(2027, 12, 31),
                        "regular",
                        CREATED,
                    )
                )
        connection.commit()
        cursor.execute("ANALYZE")


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(url: str, *, workers: int = 1, **settings: str) -> Iterator[str]:
    """The app on `url`'s database under uvicorn (proxy headers trusted from loopback)."""
    port = free_port()
    env = os.environ | {
        "ELEVATOR_REGISTRY_DATABASE_URL": url,
        **{f"ELEVATOR_REGISTRY_{key.upper()}": value for key, value in settings.items()},
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "elevator_registry.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--proxy-headers",
            "--forwarded-allow-ips",
            "127.0.0.1",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/health/live", timeout=1)
            break
        except OSError as error:
            if process.poll() is not None or time.monotonic() > deadline:
                detail = process.stderr.read().decode() if process.stderr else "no server"
                raise RuntimeError(detail) from error
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def machine_note() -> str:
    """One line on the machine, to print beside every figure."""
    return (
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start "
        "(other engineers may be running things on it); PostgreSQL at 127.0.0.1, default config"
    )
