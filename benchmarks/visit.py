"""The maintenance visit's figures: time to interactive of the phone form, upload of 8 × 3 MB
photos on loopback, and storage growth per 1,000 visits.

1. **Time to interactive**: uvicorn serves the app on a loopback port (a fresh SQLite database
   unless --url); Debian's Chromium (Playwright) at 390×844 opens `/firm/visit/{code}` as a
   logged-in worker, and the figure is the `visit-interactive` performance mark that
   `static/visit.js` sets once the form is wired (navigation start → the page answers a tap).
   Median of --runs, cold (new browser context: nothing cached) and warm (reload), first
   unthrottled, then with Chrome's CPU throttled 4× and a "fast 3G" network (150 ms latency,
   1.6 Mbit/s down, 750 kbit/s up) as a mid-range phone on a poor signal.
2. **Photo upload**: 8 JPEGs of 3 MB (real JPEG header + EXIF, padded) PUT one after the other
   to `/api/v1/visit-photos/…` of one visit over loopback, as the phone sends them; wall time,
   per photo and MB/s (each photo is hashed, type-checked, EXIF-read and written to the local
   store).
3. **Storage growth**: --visits complete visits (check-in, 8 small distinct photos, check-out,
   submit: visit row, 8 photo rows, the record, audit events) filed through the services in one
   transaction; the database's growth (SQLite: page_count × page_size; PostgreSQL: the sum of
   pg_total_relation_size over all tables) divided per 1,000 visits. Photo bytes are not in the
   database: per 1,000 visits they are 8 × the average photo size × 1,000 (3 MB photos: 24 GB),
   stored once per distinct photo (content-addressed).

    python benchmarks/visit.py                       # SQLite in a temporary folder
    python benchmarks/visit.py --url postgresql+psycopg://postgres@127.0.0.1:5432/er_bench_visit
"""

import argparse
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from elevator_registry.auth import service as auth_service  # noqa: E402
from elevator_registry.auth.enums import Role  # noqa: E402
from elevator_registry.auth.principal import Principal  # noqa: E402
from elevator_registry.config import Settings  # noqa: E402
from elevator_registry.db import make_engine  # noqa: E402
from elevator_registry.visits import checklist  # noqa: E402
from elevator_registry.visits import service as visit_service  # noqa: E402
from elevator_registry.visits.schemas import Position, VisitStart, VisitSubmit  # noqa: E402
from elevator_registry.visits.storage import LocalPhotoStorage  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import migrate  # noqa: E402
from tests.evidence_factories import CERTIFIED  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHECKPOINTS = ("machine_room", "car_top", "pit", "car")
PHASES = ("before", "after")


def photo(serial: int, size: int) -> bytes:
    """A JPEG with EXIF, padded after its end marker to `size` bytes (as a 3 MB phone photo)."""
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[270] = f"bench {serial}"
    exif.get_ifd(0x8769)[36867] = "2026:12:02 09:30:00"
    Image.new("RGB", (64, 48), (serial % 256, 80, 120)).save(buffer, "JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    return data + b"\0" * max(0, size - len(data))


def build_fixture(url: str) -> dict[str, str]:
    """Migrates the empty database and adds a firm, its worker, an elevator under contract."""
    engine = make_engine(url)
    with engine.begin() as connection:
        migrate(connection, "head")
    today = datetime.now(UTC).date()
    with Session(engine) as session, session.begin():
        factories.street(session, "古南街道")
        user = factories.organisation(session, "綦江古南物业管理有限公司", "user_unit")
        firm = factories.maintainer(
            session, "重庆安达电梯工程有限公司", valid_until=today + timedelta(days=900)
        )
        lift = factories.elevator(
            session,
            street_name="古南街道",
            user_unit_id=user.id,
            latitude=Decimal("29.028300"),
            longitude=Decimal("106.651400"),
        )
        factories.contract(
            session, lift, firm, start=today - timedelta(days=30), end=today + timedelta(days=300)
        )
        worker = factories.user(
            session,
            Role.MAINTENANCE_UNIT,
            organisation=firm,
            login="bench.worker",
            name="张伟",
            certificate_number=CERTIFIED,
        )
        _, token = auth_service.create_token(
            session,
            role=Role.MAINTENANCE_UNIT,
            label="bench",
            now=datetime.now(UTC),
            organisation_credit_code=firm.credit_code,
            user_id=worker.id,
        )
        fixture = {
            "code": lift.rescue_code,
            "token": token,
            "firm_id": str(firm.id),
            "worker_id": str(worker.id),
            "lift_id": str(lift.id),
        }
    engine.dispose()
    return fixture


def serve(url: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ELEVATOR_REGISTRY_DATABASE_URL": url,
        "ELEVATOR_REGISTRY_ESCALATION_LOOP_ENABLED": "false",
        "ELEVATOR_REGISTRY_RISK_REFRESH_LOOP_ENABLED": "false",
        "ELEVATOR_REGISTRY_WEB_SESSION_SECRET": uuid.uuid4().hex,
        "ELEVATOR_REGISTRY_PHOTO_STORAGE_DIR": str(workdir / "photos"),
        "ELEVATOR_REGISTRY_LOG_JSON": "true",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "elevator_registry", "serve", "--port", str(port)],
        cwd=workdir,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{base}/health/live", timeout=2):
                return server, base
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start")


def time_to_interactive(base: str, code: str, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        for throttled in (False, True):
            cold, warm = [], []
            for _ in range(runs):
                context = browser.new_context(
                    base_url=base, viewport={"width": 390, "height": 844}, locale="zh-CN"
                )
                page = context.new_page()
                page.goto("/login")
                page.get_by_label("登录名").fill("bench.worker")
                page.get_by_label("密码").fill(factories.TEST_PASSWORD)
                page.get_by_role("button", name="登录", exact=True).click()
                page.wait_for_load_state()
                if throttled:
                    cdp = context.new_cdp_session(page)
                    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                    cdp.send("Network.enable")
                    cdp.send(
                        "Network.emulateNetworkConditions",
                        {
                            "offline": False,
                            "latency": 150,
                            "downloadThroughput": 1_600_000 / 8,
                            "uploadThroughput": 750_000 / 8,
                        },
                    )
                for sample in (cold, warm):
                    page.goto(f"/firm/visit/{code}")
                    page.wait_for_selector("body[data-ready='1']")
                    sample.append(
                        page.evaluate(
                            "performance.getEntriesByName('visit-interactive')[0].startTime"
                        )
                    )
                context.close()
            label = "4× CPU, fast 3G" if throttled else "unthrottled   "
            print(
                f"  TTI {label}: cold median {statistics.median(cold):7.1f} ms "
                f"(min {min(cold):.1f}, max {max(cold):.1f}); warm median {statistics.median(warm):7.1f} ms"
            )
        browser.close()


def upload(base: str, fixture: dict[str, str], photo_bytes: int) -> None:
    photos = [photo(serial, photo_bytes) for serial in range(8)]
    with httpx.Client(
        base_url=f"{base}/api/v1",
        headers={"Authorization": f"Bearer {fixture['token']}"},
        timeout=120,
    ) as api:
        visit_id = str(uuid.uuid4())
        started = api.post(
            "/visits",
            json={
                "visit_id": visit_id,
                "rescue_code": fixture["code"],
                "record_class": "half_month",
            },
        )
        started.raise_for_status()
        each = []
        begin = time.perf_counter()
        for index, data in enumerate(photos):
            checkpoint, phase = CHECKPOINTS[index // 2], PHASES[index % 2]
            one = time.perf_counter()
            answer = api.put(
                f"/visit-photos/{visit_id}/{checkpoint}/{phase}",
                content=data,
                headers={"Content-Type": "image/jpeg"},
            )
            answer.raise_for_status()
            each.append(time.perf_counter() - one)
        total = time.perf_counter() - begin
    megabytes = 8 * photo_bytes / 1e6
    print(
        f"  upload 8 × {photo_bytes / 1e6:.1f} MB: {total * 1000:.0f} ms total, "
        f"{statistics.median(each) * 1000:.0f} ms median per photo, {megabytes / total:.0f} MB/s"
    )


def database_bytes(session: Session) -> int:
    if session.bind.dialect.name == "sqlite":  # type: ignore[union-attr]
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
        size = session.execute(text("PRAGMA page_size")).scalar_one()
        return int(pages) * int(size)
    return int(
        session.execute(
            text(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
            )
        ).scalar_one()
    )


def storage_growth(
    url: str, fixture: dict[str, str], visits: int, photo_bytes: int, workdir: Path
) -> None:
    engine = make_engine(url)
    settings = Settings(database_url=url)
    store = LocalPhotoStorage(workdir / "growth-photos")
    actor = Principal(
        role=Role.MAINTENANCE_UNIT,
        label="张伟",
        organisation_id=int(fixture["firm_id"]),
        user_id=int(fixture["worker_id"]),
    )
    items = [
        {"code": item.code, "result": "normal"} for item in checklist.checklist_of("half_month")
    ]
    with Session(engine) as session:
        before = database_bytes(session)
    start = datetime.now(UTC) - timedelta(days=20)
    with Session(engine) as session, session.begin():
        for number in range(visits):
            now = start + timedelta(minutes=3 * number)
            visit, _ = visit_service.start_visit(
                session,
                data=VisitStart(
                    visit_id=uuid.uuid4(),
                    rescue_code=fixture["code"],
                    record_class="half_month",
                    device_at=now,
                    latitude=Decimal("29.028500"),
                    longitude=Decimal("106.651400"),
                    accuracy_m=12.0,
                ),
                actor=actor,
                now=now,
                settings=settings,
            )
            for index in range(8):
                visit_service.attach_photo(
                    session,
                    visit_key=visit.visit_key,
                    checkpoint=CHECKPOINTS[index // 2],
                    phase=PHASES[index % 2],
                    data=photo(number * 8 + index, 0),
                    actor=actor,
                    now=now,
                    settings=settings,
                    storage=store,
                )
            visit_service.check_out(
                session,
                visit_key=visit.visit_key,
                data=Position(device_at=now),
                actor=actor,
                now=now,
            )
            visit_service.submit_visit(
                session,
                visit_key=visit.visit_key,
                data=VisitSubmit(
                    first_worker={"name": "张伟", "certificate_number": CERTIFIED},
                    second_worker={"name": "李强"},
                    checklist=items,
                    findings="运行正常",
                ),
                actor=actor,
                today=now.date(),
                now=now,
                settings=settings,
            )
    with Session(engine) as session:
        if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
            session.execute(text("ANALYZE"))
        after = database_bytes(session)
    engine.dispose()
    per_thousand = (after - before) / visits * 1000
    photos_per_thousand = 8 * photo_bytes * 1000
    print(
        f"  storage: {visits} visits grew the database by {(after - before) / 1e6:.2f} MB → "
        f"{per_thousand / 1e6:.1f} MB of rows per 1,000 visits; photos "
        f"8 × {photo_bytes / 1e6:.1f} MB × 1,000 = {photos_per_thousand / 1e9:.1f} GB per 1,000 visits"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="an EMPTY database (default: a new SQLite file)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--visits", type=int, default=300)
    parser.add_argument("--photo-mb", type=float, default=3.0)
    arguments = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="er-visit-bench-"))
    url = arguments.url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    photo_bytes = int(arguments.photo_mb * 1_000_000)
    print(
        f"visit benchmark on {url.split(':')[0]}, load average {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs, {date.today()}"
    )
    fixture = build_fixture(url)
    server, base = serve(url, workdir)
    try:
        time_to_interactive(base, fixture["code"], arguments.runs)
        upload(base, fixture, photo_bytes)
    finally:
        server.terminate()
        server.wait(timeout=15)
    storage_growth(url, fixture, arguments.visits, photo_bytes, workdir)
    print(f"  load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
