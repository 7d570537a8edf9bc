"""Two years of synthetic evidence for the sample registry: records, inspections, hazards, checks.

`generate_evidence` reads the sample's elevators, contracts and organisations from the database
(after `sample.loader` inserted them) and bulk-inserts, up to the sample's reference date:

- maintenance records every 13-15 days (on-demand contracts: their interval) by the unit holding
  the contract that day, while it is eligible; quarter / half-year / year classes at 92 / 183 /
  366-day cadence; 2-3 workers with one certified; a few revisions. Most are confirmed by the
  user unit within three days; about 15% of the user units are sloppy (a quarter of their records
  unsigned, a fifth signed late). About 5% of the elevators stop being
  maintained 17-45 days before the reference date (MAINTENANCE_OVERDUE), about 2% miss their
  higher classes (MAINTENANCE_CLASS_OVERDUE);
- inspections and self-tests on the TSG T7001-2023 schedule (`inspection.schedule`) over the
  last four years: about 4% fail, most followed by a passing re-inspection, a few not; about 2%
  of the elevators skip their latest obligation (INSPECTION_OVERDUE);
- safety assessments for 60% of the aged fleet (residential ≥15 years, public places ≥10),
  a third of them grade 3 or 4;
- a few serious hazards: some open (elevator suspended, stop-use notice), some resolved and the
  elevator resumed; general hazards, mostly resolved;
- a year of usage checks (weekly in public places, monthly elsewhere, with gaps) and rescue
  drills every 5-6 months per maintenance unit, one unit without a drill in 6 months.

Deterministic: every draw comes from a `random.Random` seeded with the seed and a natural key
(equipment code, credit code), so the same sample gives the same evidence on any database.
Core bulk inserts in batches. The caller owns the transaction and the idempotency guard (the
sample loader calls this once, right after the base sample).
"""

import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Insert, func, insert, select, update
from sqlalchemy.orm import Session

from elevator_registry.dates import add_years
from elevator_registry.imports.maintenance import Eligibility
from elevator_registry.inspection import schedule
from elevator_registry.inspection.models import Inspection, SafetyAssessment
from elevator_registry.maintenance.hazards import notice_body
from elevator_registry.maintenance.models import (
    HazardReport,
    HazardResolution,
    MaintenanceConfirmation,
    MaintenanceRecord,
    RescueDrill,
    StopUseNotice,
    UsageCheck,
)
from elevator_registry.maintenance.service import id_number_check_character
from elevator_registry.registry.enums import ElevatorStatus, PlaceCategory
from elevator_registry.registry.models import (
    Elevator,
    ElevatorStatusChange,
    MaintenanceContract,
    Organisation,
    OrganisationRoleRow,
)

BATCH_SIZE = 5000
RECORD_YEARS = 2
INSPECTION_LOOKBACK_YEARS = 4
CHECK_DAYS = 365
ACTOR = "sample-data"
T = TypeVar("T")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = ("伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "斌", "波", "辉", "刚", "平", "鹏",
         "敏", "静", "丽", "娟", "霞", "红", "燕", "建国", "志强", "海涛", "小龙", "国庆", "文军")  # fmt: skip
ITEMS_HALF_MONTH = (
    "机房、滑轮间环境",
    "手动紧急操作装置",
    "驱动主机运行",
    "制动器各销轴部位",
    "制动器间隙",
    "编码器清洁",
    "限速器各销轴部位",
    "层门和轿门旁路装置",
    "轿顶检修开关、停止装置",
    "导靴上油杯",
    "对重/平衡重块及其压板",
    "井道照明",
    "轿厢照明、风扇、应急照明",
    "轿厢检修开关、停止装置",
    "轿内报警装置、对讲系统",
    "轿门防撞击保护装置",
    "层站召唤、层楼显示",
    "层门地坎清洁",
    "层门自动关门装置",
    "层门门锁自动复位",
    "层门门锁电气触点",
    "底坑环境",
    "底坑停止装置",
)
ITEMS_QUARTER = (
    "减速机润滑油",
    "制动衬清洁",
    "曳引轮槽、悬挂装置",
    "限速器轮槽",
    "验证轿门关闭的电气安全装置",
)
ITEMS_HALF_YEAR = (
    "电动机与减速机联轴器",
    "驱动轮、导向轮轴承部",
    "曳引钢丝绳磨损",
    "补偿链与轿厢、对重接合处",
)
ITEMS_YEAR = (
    "控制柜接触器、继电器触点",
    "制动器铁芯(柱塞)",
    "上行超速保护装置动作试验",
    "轿厢称重装置",
    "对重缓冲器",
)
FINDINGS = (
    "层门门锁触点氧化，已清洁",
    "制动器间隙偏大，已调整",
    "轿厢照明一灯管损坏，已更换",
    "底坑有积水，已告知使用单位清理",
    "导靴磨损，下次维保时更换",
    "层门地坎卡有异物，已清理",
)
PARTS = ("门锁触点", "轿厢照明灯管", "导靴靴衬", "按钮", "门机皮带", "光幕")
HAZARDS_SERIOUS = (
    "曳引钢丝绳断丝超标，制动器制动力不足，存在溜车风险",
    "层门门锁电气安全回路被短接，开门可运行",
    "限速器-安全钳联动试验不动作",
    "轿厢意外移动保护装置失效",
)
HAZARDS_GENERAL = (
    "机房温度过高，通风不良",
    "底坑渗水",
    "轿厢内安全提示标识缺失",
    "应急照明电池容量不足",
    "层门地坎护脚板变形",
    "五方对讲系统机房端无应答",
)
EXTRA_ITEMS = {
    "quarter": ITEMS_QUARTER,
    "half_year": ITEMS_QUARTER + ITEMS_HALF_YEAR,
    "year": ITEMS_QUARTER + ITEMS_HALF_YEAR + ITEMS_YEAR,
}
MEASURES = {
    "continue_use": ("加强日常维护保养",),
    "repair": ("更换曳引钢丝绳", "更换层门门锁", "修理制动器"),
    "modernise": ("更换控制柜", "加装轿厢意外移动保护装置", "更换门机系统"),
    "replace": ("整梯更新",),
}


@dataclass
class EvidenceReport:
    """Rows inserted per table."""

    maintenance_records: int = 0
    confirmations: int = 0
    inspections: int = 0
    safety_assessments: int = 0
    hazard_reports: int = 0
    stop_use_notices: int = 0
    hazard_resolutions: int = 0
    status_changes: int = 0
    usage_checks: int = 0
    rescue_drills: int = 0

    def summary(self) -> str:
        """One human line."""
        return "evidence loaded: " + ", ".join(
            f"{getattr(self, item.name)} {item.name.replace('_', ' ')}" for item in fields(self)
        )


@dataclass
class _Contract:
    id: int
    unit_id: int
    user_unit_id: int
    start: date
    end: date
    interval: int | None


@dataclass
class _Lift:
    id: int
    code: str
    row: Any
    contracts: list[_Contract]
    active_until: date | None  # last day in use, None: never in use
    pauses: list[tuple[date, date]]  # [from, to) out of service for a hazard

    def contract_on(self, day: date) -> _Contract | None:
        for contract in self.contracts:
            if contract.start <= day <= contract.end:
                return contract
        return None

    def in_service(self, day: date) -> bool:
        if self.active_until is None or self.row.commissioned_on is None:
            return False
        if not self.row.commissioned_on <= day <= self.active_until:
            return False
        return not any(start <= day < end for start, end in self.pauses)


def generate_evidence(
    session: Session,
    *,
    now: datetime,
    reference_date: date,
    seed: int = 2022,
    timezone: str = "Asia/Shanghai",
    regime: str = schedule.InspectionRegime.T7001_2023,
) -> EvidenceReport:
    """Inserts the sample's evidence up to `reference_date`; never commits."""
    world = _EvidenceWorld(session, now=now, today=reference_date, seed=seed, timezone=timezone)
    report = EvidenceReport()
    world.hazards(report)  # first: suspensions shape the records and inspections
    world.records(report)
    world.inspections(report, regime)
    world.assessments(report)
    world.usage_checks(report)
    world.drills(report)
    return report


class _EvidenceWorld:
    """The sample as read from the database, and the passes that add evidence to it."""

    def __init__(
        self, session: Session, *, now: datetime, today: date, seed: int, timezone: str
    ) -> None:
        self.session = session
        self.now = now
        self.today = today
        self.seed = seed
        self.zone = ZoneInfo(timezone)
        # The sample's "now": 10:00 on the reference day, never after the load's own clock.
        self.cutoff = min(now, datetime.combine(today, time(10, 0), tzinfo=self.zone))
        organisations = list(session.scalars(select(Organisation)))
        self.organisation_names = {row.id: row.name for row in organisations}
        self.credit_codes = {row.id: row.credit_code for row in organisations}
        roles: dict[str, list[int]] = defaultdict(list)
        for organisation_id, role in session.execute(
            select(OrganisationRoleRow.organisation_id, OrganisationRoleRow.role)
        ):
            roles[role].append(organisation_id)
        self.agencies = sorted(roles["inspection_agency"], key=lambda key: self.credit_codes[key])
        self.maintainers = sorted(roles["maintainer"], key=lambda key: self.credit_codes[key])
        # The API's own eligibility verdict, so every sample record is one the API would accept.
        self.eligibility = Eligibility(session, timezone=timezone)
        contracts: dict[int, list[_Contract]] = defaultdict(list)
        for contract in session.scalars(
            select(MaintenanceContract).order_by(MaintenanceContract.start_date)
        ):
            contracts[contract.elevator_id].append(
                _Contract(
                    contract.id,
                    contract.maintenance_unit_id,
                    contract.user_unit_id,
                    contract.start_date,
                    contract.effective_end,
                    contract.maintenance_interval_days,
                )
            )
        self.lifts: list[_Lift] = []
        for row in session.execute(
            select(
                Elevator.id,
                Elevator.equipment_code,
                Elevator.registration_number,
                Elevator.rescue_code,
                Elevator.district,
                Elevator.address,
                Elevator.building,
                Elevator.status,
                Elevator.status_changed_on,
                Elevator.commissioned_on,
                Elevator.installation_inspected_on,
                Elevator.modernised_on,
                Elevator.place_category,
                Elevator.user_unit_id,
                Elevator.manufacturer_id,
            ).order_by(Elevator.equipment_code)
        ):
            if row.status == ElevatorStatus.IN_USE:
                active_until: date | None = today - timedelta(days=1)
            elif row.status in (ElevatorStatus.SUSPENDED, ElevatorStatus.SCRAPPED):
                active_until = (row.status_changed_on or today) - timedelta(days=1)
            else:
                active_until = None
            self.lifts.append(
                _Lift(row.id, row.equipment_code, row, contracts[row.id], active_until, [])
            )
        self.record_start = today - timedelta(days=365 * RECORD_YEARS)
        self.rosters: dict[int, list[tuple[str, str | None]]] = {}
        self.people: dict[tuple[object, ...], str] = {}
        self.revision_rng = self.rng("revisions")

    # Helpers ------------------------------------------------------------------------------

    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(str(part) for part in (self.seed, *key)))

    def at(
        self, day: date, rng: random.Random, start_hour: int = 8, end_hour: int = 17
    ) -> datetime:
        """A local working-hours instant on `day`, as UTC."""
        minutes = _between(rng, start_hour * 60, end_hour * 60 - 1)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.zone)
        return local.astimezone(UTC)

    def eligible(self, unit_id: int, day: date, *, maker: bool) -> bool:
        """Historic eligibility: not blacklisted that day, a licence in force that day."""
        return not self.eligibility.reasons(unit_id, day, manufactured_by_it=maker)

    def roster(self, unit_id: int) -> list[tuple[str, str | None]]:
        """A maintenance unit's workers: name and certificate number (None for helpers)."""
        if unit_id not in self.rosters:
            rng = self.rng("roster", self.credit_codes[unit_id])
            workers = []
            names: set[str] = set()
            while len(workers) < 10:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                if name in names:
                    continue
                names.add(name)
                born = date(1965, 1, 1) + timedelta(days=rng.randint(0, 365 * 35))
                body = f"500222{born:%Y%m%d}{rng.randint(0, 999):03d}"
                certified = len(workers) < 7
                workers.append(
                    (name, body + id_number_check_character(body) if certified else None)
                )
            self.rosters[unit_id] = workers
        return self.rosters[unit_id]

    def person(self, role: str, organisation_id: int) -> str:
        """The one person of `organisation_id` who does `role` (safety manager, checker)."""
        key = (role, organisation_id)
        if key not in self.people:
            rng = self.rng("person", role, self.credit_codes[organisation_id])
            self.people[key] = rng.choice(SURNAMES) + rng.choice(GIVEN)
        return self.people[key]

    def agency_of(self, lift: _Lift) -> int:
        digest = hashlib.sha256(f"{self.seed}:{lift.code}".encode()).digest()
        return self.agencies[digest[0] % len(self.agencies)]

    # Hazards ------------------------------------------------------------------------------

    def hazards(self, report: EvidenceReport) -> None:
        """Serious hazards (open: suspended; resolved: resumed) and general ones."""
        candidates = []
        for lift in self.lifts:
            contract = lift.contract_on(self.today)
            if (
                lift.row.status == ElevatorStatus.IN_USE
                and lift.row.user_unit_id is not None
                and lift.row.registration_number is not None
                and contract is not None
                and contract.interval is None
                and contract.end > self.today
                and self.eligible(
                    contract.unit_id,
                    self.today,
                    maker=lift.row.manufacturer_id == contract.unit_id,
                )
                and lift.row.commissioned_on < self.today - timedelta(days=400)
            ):
                candidates.append(lift)
        candidates.sort(
            key=lambda lift: hashlib.sha256(f"{self.seed}:hz:{lift.code}".encode()).digest()
        )
        count = len(self.lifts)
        open_serious = candidates[: max(2, count // 550)]
        resolved_serious = candidates[len(open_serious) : len(open_serious) + max(1, count // 1100)]
        general = candidates[
            len(open_serious) + len(resolved_serious) : len(open_serious)
            + len(resolved_serious)
            + max(5, count // 100)
        ]
        hazards: list[dict[str, Any]] = []
        plans: list[tuple[_Lift, str, date, date | None]] = []  # lift, kind, found, resolved
        for lift in open_serious:
            rng = self.rng("hazard", lift.code)
            found = self.today - timedelta(days=rng.randint(3, 40))
            plans.append((lift, "serious", found, None))
        for lift in resolved_serious:
            rng = self.rng("hazard", lift.code)
            found = self.today - timedelta(days=rng.randint(120, 300))
            plans.append((lift, "serious", found, found + timedelta(days=rng.randint(10, 30))))
        for lift in general:
            rng = self.rng("hazard", lift.code)
            found = self.today - timedelta(days=rng.randint(2, 300))
            resolved = found + timedelta(days=rng.randint(3, 45))
            plans.append((lift, "general", found, resolved if resolved < self.today else None))
        for lift, severity, found, _ in plans:
            rng = self.rng("hazard-text", lift.code)
            contract = lift.contract_on(found)
            found_at = self.at(found, rng)
            hazards.append(
                {
                    "elevator_id": lift.id,
                    "reporter_organisation_id": contract.unit_id if contract else None,
                    "severity": severity,
                    "found_at": found_at,
                    "description": rng.choice(
                        HAZARDS_SERIOUS if severity == "serious" else HAZARDS_GENERAL
                    ),
                    "reported_to_bureau_at": found_at + timedelta(minutes=rng.randint(20, 90))
                    if severity == "serious"
                    else None,
                    "filed_by": ACTOR,
                    "created_at": self.now,
                }
            )
        ids = _insert_returning_ids(
            self.session, HazardReport, hazards, ("elevator_id", "found_at")
        )
        report.hazard_reports += len(ids)
        notices, resolutions, changes = [], [], []
        for hazard_id, hazard, (lift, severity, found, resolved) in zip(
            ids, hazards, plans, strict=True
        ):
            if resolved is not None:
                resolutions.append(
                    {
                        "hazard_report_id": hazard_id,
                        "resolved_on": resolved,
                        "note": "隐患已消除，经维保单位确认",
                        "filed_by": ACTOR,
                        "created_at": self.now,
                    }
                )
            if severity != "serious":
                continue
            number = f"TYTZ-{found.year}-{hazard_id:06d}"
            reporter = hazard["reporter_organisation_id"]
            notices.append(
                {
                    "notice_number": number,
                    "hazard_report_id": hazard_id,
                    "elevator_id": lift.id,
                    "user_unit_id": lift.row.user_unit_id,
                    "issued_at": hazard["reported_to_bureau_at"],
                    "body": notice_body(
                        number=number,
                        user_unit_name=self.organisation_names.get(lift.row.user_unit_id),
                        reporting_unit=self.organisation_names[reporter]
                        if reporter
                        else f"{lift.row.district}市场监督管理局",
                        elevator=lift.row,
                        found_on=found,
                        description=hazard["description"],
                        issued_on=found,
                    ),
                    "created_at": self.now,
                }
            )
            reason = f"serious hazard report {hazard_id}: stop-use notice (plan §三(七)4)"
            changes.append(self._change(lift.id, "in_use", "suspended", found, reason))
            if resolved is None:
                self.session.execute(
                    update(Elevator)
                    .where(Elevator.id == lift.id)
                    .values(status=ElevatorStatus.SUSPENDED, status_changed_on=found)
                )
                lift.active_until = found - timedelta(days=1)
            else:
                resumed = resolved + timedelta(days=1)
                changes.append(
                    self._change(lift.id, "suspended", "in_use", resumed, "隐患消除，恢复使用")
                )
                self.session.execute(
                    update(Elevator).where(Elevator.id == lift.id).values(status_changed_on=resumed)
                )
                lift.pauses.append((found, resumed))
        report.stop_use_notices += _insert(self.session, StopUseNotice, notices)
        report.hazard_resolutions += _insert(self.session, HazardResolution, resolutions)
        report.status_changes += _insert(self.session, ElevatorStatusChange, changes)

    def _change(
        self, elevator_id: int, before: str, after: str, on: date, reason: str
    ) -> dict[str, Any]:
        return {
            "elevator_id": elevator_id,
            "from_status": before,
            "to_status": after,
            "changed_on": on,
            "reason": reason,
            "actor": ACTOR,
            "created_at": self.now,
        }

    # Maintenance records --------------------------------------------------------------------

    def records(self, report: EvidenceReport) -> None:
        """Two years of visits, their confirmations, and a few revisions."""
        batch: list[tuple[dict[str, Any], datetime | None, str | None]] = []
        for lift in self.lifts:
            for item in self._visits(lift):
                batch.append(item)
                if len(batch) >= BATCH_SIZE:
                    self._flush_records(batch, report)
                    batch = []
        self._flush_records(batch, report)

    def _visits(self, lift: _Lift) -> Iterator[tuple[dict[str, Any], datetime | None, str | None]]:
        if lift.active_until is None or lift.row.commissioned_on is None:
            return
        rng = self.rng("records", lift.code)
        end = lift.active_until
        if rng.random() < 0.05:  # the unit stopped coming: overdue at the reference date
            end = min(end, self.today - timedelta(days=rng.randint(17, 45)))
        skip_classes = rng.random() < 0.02
        day = max(self.record_start, lift.row.commissioned_on) + timedelta(days=rng.randint(0, 14))
        last = {
            "quarter": day - timedelta(days=rng.randint(0, 85)),
            "half_year": day - timedelta(days=rng.randint(0, 175)),
            "year": day - timedelta(days=rng.randint(0, 360)),
        }
        user_unit = lift.row.user_unit_id
        sloppy = (
            user_unit is not None
            and self.rng("user-unit", self.credit_codes[user_unit]).random() < 0.15
        )
        while day <= end:
            contract = lift.contract_on(day)
            interval = (13, 14, 14, 15, 15, 15)[_between(rng, 0, 5)]
            if contract is not None and contract.interval is not None:
                interval = contract.interval - _between(rng, 0, 4)
            elif rng.random() < 0.02:
                interval = _between(rng, 16, 21)  # a late visit now and then
            if (
                contract is not None
                and lift.in_service(day)
                and self.eligible(
                    contract.unit_id, day, maker=lift.row.manufacturer_id == contract.unit_id
                )
            ):
                record_class = self._class_for(day, last, rng, skip_classes)
                if contract.interval is not None and record_class == "half_month":
                    record_class = "on_demand"
                performed_at = self.at(day, rng)
                yield (
                    self._record_row(lift, contract, record_class, performed_at, rng),
                    self._confirmation_time(performed_at, rng, sloppy),
                    self.person("safety-manager", contract.user_unit_id),
                )
            day += timedelta(days=interval)

    def _class_for(
        self, day: date, last: dict[str, date], rng: random.Random, skip_classes: bool
    ) -> str:
        if rng.random() < 0.015:
            return "repair"
        if skip_classes and day > self.today - timedelta(days=200):
            return "half_month"
        for record_class, due_days in (("year", 350), ("half_year", 170), ("quarter", 80)):
            if (day - last[record_class]).days >= due_days:
                for covered in ("quarter", "half_year", "year"):
                    last[covered] = day
                    if covered == record_class:
                        break
                return record_class
        return "half_month"

    def _record_row(
        self,
        lift: _Lift,
        contract: _Contract,
        record_class: str,
        performed_at: datetime,
        rng: random.Random,
    ) -> dict[str, Any]:
        roster = self.roster(contract.unit_id)
        certified = _between(rng, 0, 6)  # the first 7 of a roster hold a certificate
        helper = (certified + 1 + _between(rng, 0, len(roster) - 2)) % len(roster)
        crew = [roster[certified], roster[helper]]
        first = _between(rng, 0, len(ITEMS_HALF_MONTH) - 1)
        items = [ITEMS_HALF_MONTH[(first + step) % len(ITEMS_HALF_MONTH)] for step in range(8)]
        items.extend(EXTRA_ITEMS.get(record_class, ()))
        finding = FINDINGS[_between(rng, 0, len(FINDINGS) - 1)] if rng.random() < 0.12 else None
        return {
            "elevator_id": lift.id,
            "contract_id": contract.id,
            "maintenance_unit_id": contract.unit_id,
            "record_class": record_class,
            "performed_at": performed_at,
            "workers": [{"name": name, "certificate_number": number} for name, number in crew],
            "items_done": items if record_class != "repair" else ["故障检修"],
            "findings": finding or ("正常" if record_class != "repair" else "更换损坏部件"),
            "parts_replaced": [rng.choice(PARTS)]
            if record_class == "repair" or (finding and rng.random() < 0.4)
            else [],
            "revision": 1,
            "supersedes_id": None,
            "revision_reason": None,
            "filed_by": ACTOR,
            "created_at": self.now,
        }

    def _confirmation_time(
        self, performed_at: datetime, rng: random.Random, sloppy: bool
    ) -> datetime | None:
        # Most user units sign within three days; a sloppy one leaves a quarter unsigned and
        # signs a fifth late (RECORD_UNCONFIRMED).
        if sloppy and rng.random() < 0.25:
            return None
        delay = (
            timedelta(days=_between(rng, 8, 20))
            if sloppy and rng.random() < 0.2
            else timedelta(hours=_between(rng, 1, 72))
        )
        confirmed_at = performed_at + delay
        return confirmed_at if confirmed_at <= self.cutoff else None

    def _flush_records(
        self,
        batch: list[tuple[dict[str, Any], datetime | None, str | None]],
        report: EvidenceReport,
    ) -> None:
        if not batch:
            return
        ids = _insert_returning_ids(
            self.session,
            MaintenanceRecord,
            [row for row, _, _ in batch],
            ("elevator_id", "performed_at"),
        )
        report.maintenance_records += len(ids)
        confirmations = [
            {
                "record_id": record_id,
                "safety_manager": manager,
                "confirmed_at": confirmed_at,
                "filed_by": ACTOR,
                "created_at": self.now,
            }
            for record_id, (_, confirmed_at, manager) in zip(ids, batch, strict=True)
            if confirmed_at is not None
        ]
        # About one record in 400 gets a corrected revision (filed the day after the visit).
        revisions = []
        for record_id, (row, _, _) in zip(ids, batch, strict=True):
            if (
                self.revision_rng.random() < 0.0025
                and row["performed_at"] + timedelta(days=1) < self.cutoff
            ):
                revisions.append(
                    row
                    | {
                        "items_done": [*row["items_done"], "层门门锁电气触点"],
                        "findings": "补录：层门门锁触点已清洁",
                        "revision": 2,
                        "supersedes_id": record_id,
                        "revision_reason": "漏记一项维保内容，补录",
                    }
                )
        report.confirmations += _insert(self.session, MaintenanceConfirmation, confirmations)
        report.maintenance_records += _insert(self.session, MaintenanceRecord, revisions)

    # Inspections ----------------------------------------------------------------------------

    def inspections(self, report: EvidenceReport, regime: str) -> None:
        """Installation, periodic, self-test and re-inspection rows on the schedule."""
        counters: dict[int, int] = defaultdict(int)
        rows: list[dict[str, Any]] = []
        failures: list[tuple[int, _Lift, dict[str, Any], random.Random]] = []
        horizon = self.today - timedelta(days=365 * INSPECTION_LOOKBACK_YEARS)

        def number(agency_id: int, day: date) -> str:
            counters[agency_id] += 1
            prefix = f"JY{self.agencies.index(agency_id) + 1}"
            return f"{prefix}-{day.year}-{counters[agency_id]:06d}"

        for lift in self.lifts:
            rng = self.rng("inspections", lift.code)
            agency = self.agency_of(lift)
            installed = lift.row.installation_inspected_on
            if installed is not None and installed >= horizon and installed <= self.today:
                rows.append(
                    self._inspection(
                        lift,
                        agency,
                        None,
                        "installation_supervision",
                        installed,
                        "pass",
                        number(agency, installed),
                    )
                )
            base = schedule.schedule_base(
                installation_inspected_on=installed,
                modernised_on=lift.row.modernised_on,
                commissioned_on=lift.row.commissioned_on,
            )
            if base is None or lift.active_until is None:
                continue
            skip_latest = rng.random() < 0.02
            year = 1
            planned: list[tuple[int, str, date]] = []
            while True:
                obligation = schedule.obligation_for_year(year, regime)
                due = schedule.due_on(base, year)
                opens = schedule.window_opens_on(base, year, obligation)
                if opens > lift.active_until:
                    break
                if due >= horizon:
                    earliest = max(opens, due - timedelta(days=55))
                    latest = min(due, lift.active_until)
                    if earliest <= latest and (due <= self.today or rng.random() < 0.5):
                        performed = earliest + timedelta(
                            days=rng.randint(0, (latest - earliest).days)
                        )
                        if lift.in_service(performed):
                            planned.append((year, obligation, performed))
                year += 1
            if skip_latest:
                overdue = [item for item in planned if schedule.due_on(base, item[0]) < self.today]
                if overdue:
                    planned.remove(overdue[-1])
            for _, obligation, performed in planned:
                contract = lift.contract_on(performed)
                tester = contract.unit_id if obligation == "self_test" and contract else None
                draw = rng.random()
                result = (
                    "fail" if draw < 0.04 else "pass_after_rectification" if draw < 0.1 else "pass"
                )
                row = self._inspection(
                    lift, agency, tester, obligation, performed, result, number(agency, performed)
                )
                rows.append(row)
                if result == "fail":
                    failures.append((len(rows) - 1, lift, row, rng))
        ids = _insert_returning_ids(self.session, Inspection, rows, ("agency_id", "report_number"))
        report.inspections += len(ids)
        follow_ups = []
        for index, lift, row, rng in failures:
            if rng.random() >= 0.85:
                continue  # never re-inspected
            performed = row["performed_on"] + timedelta(days=rng.randint(10, 40))
            if lift.active_until is None or not lift.in_service(performed):
                continue
            agency = row["agency_id"]
            follow_ups.append(
                self._inspection(
                    lift,
                    agency,
                    None,
                    "re_inspection",
                    performed,
                    rng.choice(("pass", "pass_after_rectification")),
                    number(agency, performed),
                )
                | {"follows_id": ids[index]}
            )
        report.inspections += _insert(self.session, Inspection, follow_ups)

    def _inspection(
        self,
        lift: _Lift,
        agency: int,
        tester: int | None,
        kind: str,
        performed: date,
        result: str,
        report_number: str,
    ) -> dict[str, Any]:
        return {
            "elevator_id": lift.id,
            "agency_id": agency,
            "self_tester_id": tester,
            "kind": kind,
            "performed_on": performed,
            "result": result,
            "report_number": report_number,
            "follows_id": None,
            "filed_by": ACTOR,
            "created_at": self.now,
        }

    # Assessments ----------------------------------------------------------------------------

    def assessments(self, report: EvidenceReport) -> None:
        """GB/T 42615 assessments for 60% of the aged fleet, a third of them grade 3-4."""
        public = {category.value for category in PlaceCategory.public_gathering()}
        rows = []
        for lift in self.lifts:
            row = lift.row
            if row.status != ElevatorStatus.IN_USE or row.commissioned_on is None:
                continue
            years = 10 if row.place_category in public else 15
            if row.place_category not in public and row.place_category != "residential":
                continue
            aged_on = add_years(row.commissioned_on, years)
            if aged_on > self.today:
                continue
            rng = self.rng("assessment", lift.code)
            if rng.random() >= 0.6:
                continue
            start = max(aged_on, self.today - timedelta(days=730))
            assessed = start + timedelta(days=rng.randint(0, max(0, (self.today - start).days - 1)))
            grade = rng.choices((1, 2, 3, 4), weights=(15, 50, 27, 8))[0]
            conclusion = {
                1: "continue_use",
                2: rng.choice(("continue_use", "repair")),
                3: rng.choice(("repair", "modernise")),
                4: rng.choice(("modernise", "replace")),
            }[grade]
            low, high = {1: (85, 96), 2: (70, 85), 3: (55, 70), 4: (35, 55)}[grade]
            agency = self.agency_of(lift)
            rows.append(
                {
                    "elevator_id": lift.id,
                    "agency_id": agency,
                    "assessed_on": assessed,
                    "score": Decimal(rng.randint(low * 10, high * 10 - 1)) / 10,
                    "risk_grade": grade,
                    "conclusion": conclusion,
                    "measures": list(MEASURES[conclusion]),
                    "report_number": f"PG{self.agencies.index(agency) + 1}-{assessed.year}-"
                    f"{len(rows) + 1:05d}",
                    "notes": None,
                    "filed_by": ACTOR,
                    "created_at": self.now,
                }
            )
        report.safety_assessments += _insert(self.session, SafetyAssessment, rows)

    # Usage checks and drills ----------------------------------------------------------------

    def usage_checks(self, report: EvidenceReport) -> None:
        """A year of checks: weekly in public gathering places, monthly elsewhere, some gaps."""
        public = {category.value for category in PlaceCategory.public_gathering()}

        def rows() -> Iterator[dict[str, Any]]:
            for lift in self.lifts:
                user_unit = lift.row.user_unit_id
                if user_unit is None or lift.active_until is None:
                    continue
                rng = self.rng("checks", lift.code)
                weekly = lift.row.place_category in public
                end = lift.active_until
                if rng.random() < (0.10 if weekly else 0.05):
                    end = min(
                        end,
                        self.today
                        - timedelta(days=rng.randint(9, 20) if weekly else rng.randint(35, 60)),
                    )
                day = max(self.today - timedelta(days=CHECK_DAYS), lift.row.commissioned_on)
                day += timedelta(days=rng.randint(0, 6))
                checker = self.person("checker", user_unit)
                while day <= end:
                    if lift.in_service(day):
                        yield {
                            "elevator_id": lift.id,
                            "user_unit_id": user_unit,
                            "checked_on": day,
                            "checker_name": checker,
                            "findings": None
                            if rng.random() > 0.05
                            else "轿厢按钮失灵，已报维保单位",
                            "created_at": self.now,
                        }
                    day += timedelta(days=rng.randint(6, 7) if weekly else rng.randint(24, 30))

        report.usage_checks += _insert(self.session, UsageCheck, rows())

    def drills(self, report: EvidenceReport) -> None:
        """Drills every 150-175 days per maintenance unit; the last unit skips the recent one."""
        by_unit: dict[int, list[_Lift]] = defaultdict(list)
        for lift in self.lifts:
            contract = lift.contract_on(self.today)
            if contract is not None:
                by_unit[contract.unit_id].append(lift)
        rows = []
        laggard = self.maintainers[-1] if self.maintainers else None
        for unit in self.maintainers:
            rng = self.rng("drills", self.credit_codes[unit])
            day = self.record_start + timedelta(days=rng.randint(0, 60))
            end = self.today - timedelta(days=200) if unit == laggard else self.today
            while day <= end:
                lifts = [lift for lift in by_unit[unit] if lift.contract_on(day)]
                rows.append(
                    {
                        "maintenance_unit_id": unit,
                        "elevator_id": rng.choice(lifts).id if lifts else None,
                        "held_on": day,
                        "participants": rng.randint(4, 12),
                        "description": "困人救援演练：盘车放人、五方对讲、应急照明",
                        "created_at": self.now,
                    }
                )
                day += timedelta(days=rng.randint(150, 175))
        report.rescue_drills += _insert(self.session, RescueDrill, rows)


def _between(rng: random.Random, low: int, high: int) -> int:
    """A uniform integer in [low, high]; cheaper than `randint` in the hot loops."""
    return low + int(rng.random() * (high - low + 1))


def _chunks(items: Iterable[T]) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, BATCH_SIZE)):
        yield chunk


def _bulk_insert(model: type[Any]) -> Insert:
    # Core, not ORM, bulk insert: every row names every column, and the ORM's per-row
    # bookkeeping would cost more than the database does.
    return insert(model.__table__)


def _insert(session: Session, model: type[Any], rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for chunk in _chunks(rows):
        session.execute(_bulk_insert(model), chunk)
        count += len(chunk)
    return count


def _insert_returning_ids(
    session: Session, model: type[Any], rows: Sequence[dict[str, Any]], key: Sequence[str]
) -> list[int]:
    """Inserts `rows` and returns their new ids in the same order.

    RETURNING with a guaranteed row order costs one statement per row on SQLite, so the rows go
    in as one executemany and their ids are read back by the natural `key` (unique among the
    rows; the load is the only writer inside its transaction).
    """
    if not rows:
        return []
    table = model.__table__
    before = session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    _insert(session, model, rows)
    columns = [table.c[name] for name in key]
    found = {
        tuple(found_row[1:]): found_row[0]
        for found_row in session.execute(select(table.c.id, *columns).where(table.c.id > before))
    }
    return [found[tuple(row[name] for name in key)] for row in rows]
