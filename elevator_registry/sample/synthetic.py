"""A synthetic registry of any size for benchmarks: `elevator-registry generate`.

Unlike the sample (`sample.generator`, a few thousand elevators telling the plan's stories),
this writes a plain registry in realistic proportions, fast enough for a million elevators:

- about 24 maintenance records per elevator per year (half-monthly, every 6th a quarter class,
  every 12th half-year, every 24th year class), ~97% confirmed by the user unit within 3 days;
  about 4% of the elevators stop being maintained 17-45 days before the reference date;
- periodic inspections yearly in the commissioning month, 4% failing (most followed by a
  passing re-inspection a month later); about 2% skip the latest one;
- one maintenance contract per elevator (1% ended a month ago, 3% on demand);
- trapped and fault incidents at about 7 and 3 per 100 elevators per year, skewed so a few
  elevators have three or more; a handful of trapped incidents still waiting for a rescuer;
- safety assessments for half of the aged fleet, a fifth of them grade 3-4; general and
  serious hazards (a tenth of the serious ones still open); usage checks for the last 90 days
  (the check log went digital recently); rescue drills every 5 months per maintenance unit.

Deterministic: one `random.Random(seed, elevator index)` per elevator, ids assigned here, so
the same arguments give the same rows on either database. The database must be migrated and
empty. Rows go through the database's bulk path: PostgreSQL `COPY … FROM STDIN` (psycopg 3
`cursor.copy`) with the big tables' secondary indexes dropped during the load and rebuilt
after, SQLite `executemany` in one transaction per block of elevators.
"""

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text

from elevator_registry.dates import add_years
from elevator_registry.registry.models import Elevator
from elevator_registry.sample.generator import REFERENCE_PATH, SAMPLE_REFERENCE_DATE

BLOCK = 5000
DISTRICT = "綦江区"
FILED_BY = "synthetic"
UTC_OFFSET = timedelta(hours=8)
EMPTY_JSON = "[]"
STEPS = (timedelta(days=13), timedelta(days=14), timedelta(days=15))
# Every 6th visit a quarter class, every 12th half-year, every 24th year (TSG T5002 cycles).
RECORD_CLASSES = tuple(
    "year"
    if n % 24 == 0
    else "half_year"
    if n % 12 == 0
    else "quarter"
    if n % 6 == 0
    else "half_month"
    for n in range(24)
)
PUBLIC_PLACES = ("mall", "hospital", "school", "station", "stadium")
# Tables whose secondary indexes PostgreSQL rebuilds after the load rather than row by row.
BIG_TABLES = ("maintenance_record", "maintenance_confirmation", "inspection", "usage_check")

Row = tuple[Any, ...]


@dataclass
class GenerateReport:
    """Rows written per table and the time taken."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        """One human line per table plus the overall rate."""
        total = sum(self.rows.values())
        lines = [f"{table}: {count:,}" for table, count in self.rows.items()]
        rate = total / self.seconds if self.seconds else 0.0
        lines.append(f"total {total:,} rows in {self.seconds:,.0f} s ({rate:,.0f} rows/s)")
        return "\n".join(lines)


COLUMNS: dict[str, tuple[str, ...]] = {
    "street": ("id", "name", "district", "kind", "arrival_deadline_minutes"),
    "organisation": ("id", "credit_code", "name", "duty_phone", "created_at"),
    "organisation_role": ("organisation_id", "role"),
    "licence": (
        "id",
        "organisation_id",
        "kind",
        "number",
        "valid_from",
        "valid_until",
        "status",
        "created_at",
    ),
    "blacklist_entry": (
        "id",
        "organisation_id",
        "reason",
        "legal_basis",
        "listed_on",
        "created_at",
    ),
    "rescue_drill": ("id", "maintenance_unit_id", "held_on", "participants", "created_at"),
    "elevator": (
        "id",
        "equipment_code",
        "registration_number",
        "registered_on",
        "rescue_code",
        "type_code",
        "manufacturer_id",
        "installation_inspected_on",
        "commissioned_on",
        "district",
        "street",
        "address",
        "place_category",
        "user_unit_id",
        "has_property_management",
        "has_repair_fund",
        "added_to_old_building",
        "iot_terminal_fitted",
        "emergency_levelling_fitted",
        "status",
        "status_changed_on",
        "created_at",
    ),
    "maintenance_contract": (
        "id",
        "elevator_id",
        "maintenance_unit_id",
        "user_unit_id",
        "start_date",
        "end_date",
        "mode",
        "maintenance_interval_days",
        "created_at",
    ),
    "maintenance_record": (
        "id",
        "elevator_id",
        "contract_id",
        "maintenance_unit_id",
        "record_class",
        "performed_at",
        "workers",
        "items_done",
        "parts_replaced",
        "revision",
        "filed_by",
        "created_at",
    ),
    "maintenance_confirmation": (
        "id",
        "record_id",
        "safety_manager",
        "confirmed_at",
        "filed_by",
        "created_at",
    ),
    "inspection": (
        "id",
        "elevator_id",
        "agency_id",
        "kind",
        "performed_on",
        "result",
        "report_number",
        "follows_id",
        "filed_by",
        "created_at",
    ),
    "safety_assessment": (
        "id",
        "elevator_id",
        "agency_id",
        "assessed_on",
        "score",
        "risk_grade",
        "conclusion",
        "measures",
        "filed_by",
        "created_at",
    ),
    "incident": (
        "id",
        "number",
        "elevator_id",
        "kind",
        "channel",
        "trapped_count",
        "status",
        "escalation_level",
        "maintenance_unit_id",
        "no_contract",
        "reported_at",
        "arrival_deadline_at",
        "dispatched_at",
        "accepted_at",
        "arrived_at",
        "released_at",
        "closed_at",
        "tracking_token_hash",
        "created_at",
    ),
    "hazard_report": (
        "id",
        "elevator_id",
        "severity",
        "found_at",
        "description",
        "filed_by",
        "created_at",
    ),
    "hazard_resolution": (
        "id",
        "hazard_report_id",
        "resolved_on",
        "note",
        "filed_by",
        "created_at",
    ),
    "usage_check": (
        "id",
        "elevator_id",
        "user_unit_id",
        "checked_on",
        "checker_name",
        "created_at",
    ),
}
# Parents before children, so every block satisfies the foreign keys as it is written.
BLOCK_TABLES = (
    "elevator",
    "maintenance_contract",
    "maintenance_record",
    "maintenance_confirmation",
    "inspection",
    "safety_assessment",
    "incident",
    "hazard_report",
    "hazard_resolution",
    "usage_check",
)


@dataclass
class _Ids:
    """Next id per table; the generator assigns every id itself."""

    next: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 1))

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass(frozen=True)
class _World:
    """The organisations every elevator draws from."""

    streets: list[str]
    maintainers: list[int]
    user_units: list[int]
    agencies: list[int]
    manufacturers: list[int]


class _Writer:
    """Appends rows per table and flushes them through the dialect's bulk path."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgresql = connection.dialect.name == "postgresql"
        self.pending: dict[str, list[Row]] = {table: [] for table in COLUMNS}
        self.written: dict[str, int] = dict.fromkeys(COLUMNS, 0)

    def add(self, table: str, row: Row) -> None:
        self.pending[table].append(row)

    def flush(self, tables: Iterable[str]) -> None:
        for table in tables:
            rows = self.pending[table]
            if rows:
                self._write(table, COLUMNS[table], rows)
                self.written[table] += len(rows)
                self.pending[table] = []

    def _write(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if not self.connection.in_transaction():
            self.connection.begin()
        if self.postgresql:
            cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join("?" * len(columns))
        self.connection.exec_driver_sql(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
            [tuple(_sqlite_value(value) for value in row) for row in rows],
        )


def _json(value: Any) -> str:
    """JSON columns are written as text, serialised once rather than per row."""
    return json.dumps(value, ensure_ascii=False)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    """`day` at `hour`:`minute` in the district (UTC+8 all year), as a UTC instant."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - UTC_OFFSET


def _sqlite_value(value: Any) -> Any:
    # The same text SQLAlchemy's SQLite types store, so ORM reads see ordinary rows.
    if isinstance(value, datetime):
        return (
            value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        )
    if isinstance(value, date):
        return value.isoformat()
    return value


def generate_registry(
    engine: Engine,
    *,
    elevators: int,
    years: int,
    seed: int = 2022,
    reference_date: date = SAMPLE_REFERENCE_DATE,
    progress: Callable[[str], None] = lambda _line: None,
) -> GenerateReport:
    """Writes the synthetic registry into the migrated, empty database behind `engine`."""
    started = time.perf_counter()
    with engine.connect() as connection:
        if connection.scalar(select(func.count()).select_from(Elevator)):
            raise ValueError("the database already holds elevators: generate into an empty one")
    ids = _Ids()
    now = _local(reference_date, 10)
    with engine.connect() as connection:
        writer = _Writer(connection)
        dropped = _drop_secondary_indexes(connection) if writer.postgresql else []
        world = _organisations(writer, ids, elevators=elevators, reference_date=reference_date)
        writer.flush(COLUMNS)
        connection.commit()
        for first in range(0, elevators, BLOCK):
            for index in range(first, min(first + BLOCK, elevators)):
                _Elevator(writer, ids, world, index, seed, reference_date, years, now).write()
            writer.flush(BLOCK_TABLES)
            connection.commit()
            done = min(first + BLOCK, elevators)
            rows = sum(writer.written.values())
            elapsed = time.perf_counter() - started
            progress(
                f"{done:,}/{elevators:,} elevators, {rows:,} rows, "
                f"{rows / elapsed:,.0f} rows/s, {elapsed:,.0f} s"
            )
        if writer.postgresql:
            progress(f"rebuilding {len(dropped)} indexes")
            for statement in dropped:
                connection.execute(text(statement))
            for table, next_id in ids.next.items():
                if "id" in COLUMNS[table]:
                    connection.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :value)"),
                        {"value": max(next_id - 1, 1)},
                    )
            connection.commit()
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text("ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
            connection.commit()
    return GenerateReport(rows=dict(writer.written), seconds=time.perf_counter() - started)


def _drop_secondary_indexes(connection: Connection) -> list[str]:
    """Drops the big tables' plain indexes (not keys or constraints); returns their DDL."""
    rows = connection.execute(
        text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(:tables) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)"
        ),
        {"tables": list(BIG_TABLES)},
    ).all()
    for name, _definition in rows:
        connection.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _name, definition in rows]


def _organisations(writer: _Writer, ids: _Ids, *, elevators: int, reference_date: date) -> _World:
    """Streets, maintenance units (one per ~1,000 elevators), user units, agencies, makers."""
    created = datetime.combine(reference_date, clock_time(), UTC) - timedelta(days=3 * 366)
    reference = json.loads(REFERENCE_PATH.read_text(encoding="utf-8"))
    streets = []
    for street in reference["streets"]:
        writer.add(
            "street",
            (
                ids.take("street"),
                street["name"],
                DISTRICT,
                street["kind"],
                street["arrival_deadline_minutes"],
            ),
        )
        streets.append(street["name"])

    def organisations(count: int, role: str, name: str) -> list[int]:
        made = []
        for number in range(count):
            organisation_id = ids.take("organisation")
            code = f"91500222S{organisation_id:08d}X"
            writer.add(
                "organisation",
                (organisation_id, code, f"{name}{number + 1:05d}", "023-48660000", created),
            )
            writer.add("organisation_role", (organisation_id, role))
            made.append(organisation_id)
        return made

    maintainers = organisations(max(3, elevators // 1000), "maintainer", "合成维保单位")
    user_units = organisations(max(2, elevators // 30), "user_unit", "合成使用单位")
    agencies = organisations(2, "inspection_agency", "合成检验机构")
    manufacturers = organisations(5, "manufacturer", "合成制造单位")
    licensed_from = reference_date - timedelta(days=4 * 365)
    for position, unit in enumerate(maintainers):
        # The second maintenance unit's licence lapsed: its elevators are MAINTAINER_NOT_ELIGIBLE.
        lapsed = position == 1
        writer.add(
            "licence",
            (
                ids.take("licence"),
                unit,
                "installation_maintenance",
                f"TS3450SYN{unit:07d}",
                licensed_from,
                reference_date - timedelta(days=40) if lapsed else reference_date + timedelta(900),
                "expired" if lapsed else "valid",
                created,
            ),
        )
        # Drills every 5 months; the third unit held none in the last 6 months (NO_RESCUE_DRILL).
        last_drill = reference_date - timedelta(days=220 if position == 2 else 20 + position % 120)
        for back in range(5):
            writer.add(
                "rescue_drill",
                (
                    ids.take("rescue_drill"),
                    unit,
                    last_drill - timedelta(days=150 * back),
                    6,
                    created,
                ),
            )
    if len(maintainers) > 20:
        writer.add(
            "blacklist_entry",
            (
                ids.take("blacklist_entry"),
                maintainers[3],
                "伪造维保记录",
                "特种设备安全法 第八十八条",
                reference_date - timedelta(days=60),
                created,
            ),
        )
    return _World(streets, maintainers, user_units, agencies, manufacturers)


class _Elevator:
    """One elevator and every row that hangs off it, drawn from its own random stream."""

    def __init__(
        self,
        writer: _Writer,
        ids: _Ids,
        world: _World,
        index: int,
        seed: int,
        reference_date: date,
        years: int,
        now: datetime,
    ) -> None:
        self.writer, self.ids, self.world = writer, ids, world
        self.rng = random.Random(f"{seed}:{index}")
        self.index = index
        self.today = reference_date
        self.history_start = add_years(reference_date, -years)
        self.now = now
        self.id = ids.take("elevator")

    def write(self) -> None:
        rng = self.rng
        world = self.world
        self.commissioned = self.today - timedelta(days=60 + int(rng.random() ** 1.3 * 30 * 365))
        public = rng.random() < 0.12
        place = rng.choice(PUBLIC_PLACES) if public else "residential"
        draw = rng.random()
        status = (
            "in_use"
            if draw < 0.97
            else "suspended"
            if draw < 0.985
            else "scrapped"
            if draw < 0.995
            else "registered"
        )
        registered = rng.random() > 0.003
        self.user_unit = None if rng.random() < 0.002 else rng.choice(world.user_units)
        self.maintainer = world.maintainers[self.index * 7 % len(world.maintainers)]
        self.writer.add(
            "elevator",
            (
                self.id,
                f"3110500222{self.id:010d}",
                f"梯11渝BS{self.id:08d}" if registered else None,
                self.commissioned if registered else None,
                f"S{self.id:09d}",
                "3110",
                rng.choice(world.manufacturers),
                self.commissioned,
                self.commissioned,
                DISTRICT,
                world.streets[self.index % len(world.streets)],
                f"{DISTRICT}合成路{self.id}号",
                place,
                self.user_unit,
                rng.random() > 0.05,
                rng.random() > 0.08,
                False,
                rng.random() < 0.3,
                rng.random() < 0.2,
                status,
                self.commissioned,
                self.now,
            ),
        )
        self._contract()
        self._records()
        self._inspections()
        self._assessment()
        self._incidents()
        self._hazards()
        self._usage_checks(public)

    def _contract(self) -> None:
        rng = self.rng
        ended = rng.random() < 0.01
        on_demand = not ended and rng.random() < 0.03
        self.contract_start = max(self.commissioned, self.history_start - timedelta(days=30))
        self.contract_end = (
            self.today - timedelta(days=30) if ended else self.today + timedelta(days=365)
        )
        self.contract_id = self.ids.take("maintenance_contract")
        self.writer.add(
            "maintenance_contract",
            (
                self.contract_id,
                self.id,
                self.maintainer,
                self.user_unit or self.world.user_units[0],
                self.contract_start,
                max(self.contract_end, self.contract_start),
                "on_demand" if on_demand else "regular",
                30 if on_demand else None,
                self.now,
            ),
        )

    def _records(self) -> None:
        rng = self.rng
        day = max(self.contract_start, self.history_start) + timedelta(days=rng.randrange(15))
        last = min(self.contract_end, self.today)
        if rng.random() < 0.04:
            last = self.today - timedelta(days=rng.randint(17, 45))
        sloppy = rng.random() < 0.1
        workers = _json(
            [{"name": "合成维保工", "certificate_number": f"T{self.maintainer:06d}{self.id % 97}"}]
        )
        # The hot loop of the generator (~24 records a year per elevator): locals, no randint.
        add, take, draw = self.writer.add, self.ids.take, rng.random
        # A random phase in the 24-visit cycle: the history window starts mid-cycle.
        count = rng.randrange(24)
        while day <= last:
            count += 1
            performed = _local(day, 9 + int(draw() * 8))
            record_id = take("maintenance_record")
            add(
                "maintenance_record",
                (
                    record_id,
                    self.id,
                    self.contract_id,
                    self.maintainer,
                    RECORD_CLASSES[count % 24],
                    performed,
                    workers,
                    EMPTY_JSON,
                    EMPTY_JSON,
                    1,
                    FILED_BY,
                    performed,
                ),
            )
            confirmed = performed + timedelta(hours=1 + int(draw() * 71))
            if confirmed < self.now and not (sloppy and draw() < 0.3):
                add(
                    "maintenance_confirmation",
                    (
                        take("maintenance_confirmation"),
                        record_id,
                        "合成安全管理员",
                        confirmed,
                        FILED_BY,
                        confirmed,
                    ),
                )
            day += STEPS[int(draw() * 3)]

    def _inspections(self) -> None:
        rng = self.rng
        agency = self.world.agencies[self.index % len(self.world.agencies)]
        skip_latest = rng.random() < 0.02
        year = self.history_start.year
        dates = []
        while True:
            try:
                due = self.commissioned.replace(year=year)
            except ValueError:  # 29 February
                due = date(year, 3, 1)
            if due > self.today:
                break
            if due > self.commissioned and due >= self.history_start:
                dates.append(due - timedelta(days=rng.randrange(20)))
            year += 1
        if skip_latest and dates:
            dates.pop()
        for performed in dates:
            failed = rng.random() < 0.04
            inspection_id = self.ids.take("inspection")
            self._inspection(inspection_id, agency, "periodic", performed, failed, None)
            retest = performed + timedelta(days=30)
            if failed and retest <= self.today and rng.random() < 0.8:
                self._inspection(
                    self.ids.take("inspection"),
                    agency,
                    "re_inspection",
                    retest,
                    False,
                    inspection_id,
                )

    def _inspection(
        self,
        inspection_id: int,
        agency: int,
        kind: str,
        performed: date,
        failed: bool,
        follows: int | None,
    ) -> None:
        self.writer.add(
            "inspection",
            (
                inspection_id,
                self.id,
                agency,
                kind,
                performed,
                "fail" if failed else "pass",
                f"SYN-{inspection_id:010d}",
                follows,
                FILED_BY,
                self.now,
            ),
        )

    def _assessment(self) -> None:
        rng = self.rng
        if self.commissioned > add_years(self.today, -15) or rng.random() < 0.5:
            return
        grade = rng.choices((1, 2, 3, 4), (45, 35, 15, 5))[0]
        self.writer.add(
            "safety_assessment",
            (
                self.ids.take("safety_assessment"),
                self.id,
                self.world.agencies[0],
                self.today - timedelta(days=rng.randrange(20, 700)),
                round(95 - grade * 12 + rng.random() * 8, 2),
                grade,
                "modernise" if grade == 4 else "repair" if grade == 3 else "continue_use",
                _json(["加强日常维护保养"]),
                FILED_BY,
                self.now,
            ),
        )

    def _incidents(self) -> None:
        rng = self.rng
        # Skewed rates: most elevators rarely trap anyone, a few old ones often.
        proneness = rng.expovariate(1.0)
        span_days = (self.today - self.history_start).days
        years = span_days / 365
        for kind, rate in (("trapped", 0.07), ("fault", 0.03)):
            expected = rate * years * proneness
            count = int(expected) + (rng.random() < expected - int(expected))
            for _ in range(count):
                at = _local(
                    self.today - timedelta(days=1 + rng.randrange(span_days)),
                    rng.randrange(24),
                    rng.randrange(60),
                )
                self._incident(kind, at, waiting=False)
        # About 1 in 100,000 elevators has a trapped call still waiting for its rescuer.
        if rng.random() < 0.00001 or self.index == 0:
            self._incident("trapped", self.now - timedelta(minutes=50), waiting=True)

    def _incident(self, kind: str, at: datetime, *, waiting: bool) -> None:
        rng = self.rng
        incident_id = self.ids.take("incident")
        deadline = at + timedelta(minutes=30)
        arrived = None if waiting else at + timedelta(minutes=rng.randint(8, 28))
        done = None if waiting else arrived + timedelta(minutes=rng.randint(3, 20))  # type: ignore[operator]
        self.writer.add(
            "incident",
            (
                incident_id,
                f"SYN{incident_id:012d}",
                self.id,
                kind,
                rng.choice(("public", "operator", "iot")),
                rng.randint(1, 3) if kind == "trapped" else 0,
                "dispatched" if waiting else "closed",
                1,
                self.maintainer,
                False,
                at,
                deadline,
                at + timedelta(minutes=1),
                None if waiting else at + timedelta(minutes=2),
                arrived,
                done if kind == "trapped" else None,
                done,
                hashlib.sha256(f"synthetic-incident-{incident_id}".encode()).hexdigest(),
                at,
            ),
        )

    def _hazards(self) -> None:
        rng = self.rng
        draw = rng.random()
        if draw >= 0.006:
            return
        serious = draw < 0.001
        found = _local(self.today - timedelta(days=rng.randrange(5, 300)), 10)
        hazard_id = self.ids.take("hazard_report")
        self.writer.add(
            "hazard_report",
            (
                hazard_id,
                self.id,
                "serious" if serious else "general",
                found,
                "合成隐患：曳引钢丝绳磨损超标" if serious else "合成隐患：照明不良",
                FILED_BY,
                found,
            ),
        )
        if not serious or rng.random() < 0.9:
            resolved = min((found + UTC_OFFSET).date() + timedelta(days=3), self.today)
            self.writer.add(
                "hazard_resolution",
                (
                    self.ids.take("hazard_resolution"),
                    hazard_id,
                    resolved,
                    "已整改",
                    FILED_BY,
                    self.now,
                ),
            )

    def _usage_checks(self, public: bool) -> None:
        if self.user_unit is None:
            return
        rng = self.rng
        every = 7 if public else 30
        day = self.today - timedelta(days=rng.randrange(every))
        # About 3% let their checks lapse for a while (PUBLIC_PLACE_CHECKS).
        if rng.random() < 0.03:
            day -= timedelta(days=every * 2)
        while day >= self.today - timedelta(days=90):
            self.writer.add(
                "usage_check",
                (
                    self.ids.take("usage_check"),
                    self.id,
                    self.user_unit,
                    day,
                    "合成安全管理员",
                    self.now,
                ),
            )
            day -= timedelta(days=every)
