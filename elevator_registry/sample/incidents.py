"""A year of synthetic 96333 incidents for the sample elevators, with their timelines.

Deterministic (seeded) and read from the database after the base sample is loaded: the in-use
elevators, their street's arrival deadline and their contracts. Rates and times follow
reference/scale-and-performance.md §1.2 and the press figures of domain-rules E6:

- about 7 trapped incidents per 100 elevators per year, 74.5% of them between 06-12 h and
  18-22 h; about 4 fault reports, 1 complaint and 1 consultation per 100;
- 1% of the lifts are fault-prone: 3-5 of those incidents fall on each of them within 12
  months (HIGH_FAULT_FREQUENCY);
- the responder accepts within 1-4 minutes, 3% later; arrival mostly 10-20 minutes with a tail
  past the 30-minute deadline (level-2 escalations, a few to 119); 4% self-released before
  anyone arrived, 3% false alarms; causes per CPASE 附录D style codes, about a quarter misuse
  or outside power cuts;
- lifts without a current contract go to level 2 at once, as intake does;
- on the reference day, two trapped incidents are still open past their deadline
  (INCIDENT_LATE) and one fresh one is within its deadline.

So the sample's KPIs meet some targets (average arrival, 故障困人率) and miss others
(emergency response ≥99%, on-time arrival ≥98%). Numbers read `QJ<local date>-S<serial>`: the
`S` keeps them apart from the numbers intake gives real reports.
"""

import bisect
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from elevator_registry.incidents.enums import FaultCause, IncidentEventKind
from elevator_registry.incidents.models import Incident, IncidentEvent
from elevator_registry.registry.models import Elevator, MaintenanceContract, Street

TRAPPED_PER_ELEVATOR_YEAR = 0.07
FAULTS_PER_ELEVATOR_YEAR = 0.04
COMPLAINTS_PER_ELEVATOR_YEAR = 0.01
CONSULTATIONS_PER_ELEVATOR_YEAR = 0.01
FAULT_PRONE_SHARE = 0.01
ACTOR = "sample-data"
TIMEZONE = ZoneInfo("Asia/Shanghai")
BATCH = 2000

CAUSES: list[tuple[FaultCause, int]] = [
    (FaultCause.DOOR_SYSTEM, 36),
    (FaultCause.CONTROL, 14),
    (FaultCause.TRACTION, 7),
    (FaultCause.SAFETY_DEVICES, 6),
    (FaultCause.GUIDANCE, 3),
    (FaultCause.ELEVATOR_POWER, 3),
    (FaultCause.POWER_CUT, 11),
    (FaultCause.MISUSE, 14),
    (FaultCause.ENVIRONMENT, 2),
    (FaultCause.OTHER, 4),
]
# Weight per local hour: 74.5% of events in 06-12 h and 18-22 h (Qingdao 2018).
HOUR_WEIGHTS = [0.4] * 6 + [2.3] * 6 + [1.0] * 6 + [2.6] * 4 + [0.6] * 2


@dataclass(frozen=True)
class SampleLift:
    """An in-use sample elevator: its street's deadline and its contracts."""

    id: int
    deadline_minutes: int
    contracts: list[tuple[date, date, int]]  # (start, effective end, unit), sorted

    def unit_on(self, day: date) -> int | None:
        starts = [contract[0] for contract in self.contracts]
        index = bisect.bisect_right(starts, day) - 1
        if index >= 0 and self.contracts[index][1] >= day:
            return self.contracts[index][2]
        return None


def load_incidents(
    session: Session, *, reference_date: date, seed: int = 2022, now: datetime | None = None
) -> int:
    """Inserts a year of incidents up to `reference_date`; returns how many.

    The year ends at `now` when that falls on the reference day (a load for today: the open
    incidents are then minutes old, as a dispatcher would find them), otherwise at 10:00 local.
    Does nothing (returns 0) when sample incidents are already there. Never commits.
    """
    if session.scalar(select(Incident.id).where(Incident.number.like("QJ%-S%")).limit(1)):
        return 0
    rows, timelines = generate_incidents(
        read_lifts(session, reference_date), reference_date=reference_date, seed=seed, now=now
    )
    for begin in range(0, len(rows), BATCH):
        chunk = rows[begin : begin + BATCH]
        ids = session.scalars(
            insert(Incident).returning(Incident.id, sort_by_parameter_order=True), chunk
        ).all()
        events = [
            event | {"incident_id": incident_id}
            for incident_id, timeline in zip(ids, timelines[begin : begin + BATCH], strict=True)
            for event in timeline
        ]
        session.execute(insert(IncidentEvent), events)
    return len(rows)


def generate_incidents(
    lifts: list["SampleLift"],
    *,
    reference_date: date,
    seed: int = 2022,
    now: datetime | None = None,
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """Incident rows and their timelines (without incident ids): the same for the same input."""
    if not lifts:
        return [], []
    rng = random.Random(seed)
    reference = reference_moment(reference_date, now)
    start = reference - timedelta(days=365)
    plans: list[dict[str, Any]] = []
    for kind, rate in (
        ("trapped", TRAPPED_PER_ELEVATOR_YEAR),
        ("fault", FAULTS_PER_ELEVATOR_YEAR),
        ("complaint", COMPLAINTS_PER_ELEVATOR_YEAR),
        ("consultation", CONSULTATIONS_PER_ELEVATOR_YEAR),
    ):
        for _ in range(round(rate * len(lifts))):
            plans.append({"kind": kind, "lift": rng.choice(lifts), "at": _moment(rng, start)})
    # Fault-prone lifts take over some of those incidents, so the totals keep their rates.
    rescues = [plan for plan in plans if plan["kind"] in ("trapped", "fault")]
    rng.shuffle(rescues)
    prone = rng.sample(lifts, max(1, round(FAULT_PRONE_SHARE * len(lifts))))
    for lift in prone:
        for _ in range(rng.randint(3, 5)):
            if rescues:
                rescues.pop()["lift"] = lift
    plans.sort(key=lambda plan: plan["at"])
    # Never two incidents of one kind on one lift within a day: keeps timelines apart.
    seen: dict[tuple[int, str], datetime] = {}
    kept = []
    for plan in plans:
        key = (plan["lift"].id, plan["kind"])
        if key in seen and plan["at"] - seen[key] < timedelta(days=1):
            continue
        seen[key] = plan["at"]
        kept.append(plan)
    rows, timelines = [], []
    for serial, plan in enumerate(kept, start=1):
        row, events = _history(rng, serial, plan, reference)
        rows.append(row)
        timelines.append(events)
    # Still open on the reference day: two late (INCIDENT_LATE), one within its deadline.
    for offset, lift in zip((75, 50, 10), rng.sample(lifts, 3), strict=True):
        serial = len(rows) + 1
        plan = {"kind": "trapped", "lift": lift, "at": reference - timedelta(minutes=offset)}
        row, events = _history(rng, serial, plan, reference, still_open=True)
        rows.append(row)
        timelines.append(events)
    return rows, timelines


def reference_moment(reference_date: date, now: datetime | None) -> datetime:
    """The instant the sample's year of incidents ends (UTC): `now` on the reference day,
    else 10:00 local on it (a fixed day in the past or future reads the same every time)."""
    if now is not None and now.astimezone(TIMEZONE).date() == reference_date:
        return now.astimezone(UTC).replace(microsecond=0)
    return datetime.combine(reference_date, time(10), TIMEZONE).astimezone(UTC)


def read_lifts(session: Session, reference_date: date) -> list["SampleLift"]:
    """The in-use elevators the incidents happen to."""
    contracts: dict[int, list[tuple[date, date, int]]] = defaultdict(list)
    for elevator_id, start, end, unit in session.execute(
        select(
            MaintenanceContract.elevator_id,
            MaintenanceContract.start_date,
            MaintenanceContract.effective_end,
            MaintenanceContract.maintenance_unit_id,
        ).order_by(MaintenanceContract.elevator_id, MaintenanceContract.start_date)
    ):
        contracts[elevator_id].append((start, end, unit))
    rows = session.execute(
        select(Elevator.id, Street.arrival_deadline_minutes)
        .join(Street, Street.name == Elevator.street)
        .where(Elevator.status == "in_use", Elevator.commissioned_on <= reference_date)
        .order_by(Elevator.id)
    ).all()
    return [SampleLift(row.id, row.arrival_deadline_minutes, contracts[row.id]) for row in rows]


def _moment(rng: random.Random, start: datetime) -> datetime:
    day = start + timedelta(days=rng.randrange(364))
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    local = day.astimezone(TIMEZONE).replace(
        hour=hour, minute=rng.randrange(60), second=rng.randrange(60)
    )
    return local.astimezone(UTC).replace(microsecond=0)


def _history(
    rng: random.Random,
    serial: int,
    plan: dict[str, Any],
    reference: datetime,
    *,
    still_open: bool = False,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One incident row and its timeline, played out from the report to its end."""
    lift: SampleLift = plan["lift"]
    kind: str = plan["kind"]
    reported: datetime = plan["at"]
    local_day = reported.astimezone(TIMEZONE).date()
    unit = lift.unit_on(local_day)
    deadline = reported + timedelta(minutes=lift.deadline_minutes)
    rescue = kind in ("trapped", "fault")
    no_contract = rescue and unit is None
    level = 2 if (no_contract and kind == "trapped") else 1
    dispatched = reported if (unit is not None and rescue) or level == 2 else None
    events = [_event(IncidentEventKind.REPORTED, reported, {"channel": "public"})]
    if level == 2:
        events.append(
            _event(IncidentEventKind.ESCALATED, reported, {"level": 2, "no_contract": True})
        )
    if dispatched:
        events.append(_event(IncidentEventKind.DISPATCHED, dispatched, {"level": level}))
    row: dict[str, Any] = {
        "number": f"QJ{local_day:%Y%m%d}-S{serial:05d}",
        "elevator_id": lift.id,
        "kind": kind,
        "channel": rng.choices(["public", "operator", "iot"], weights=[55, 35, 10])[0],
        "trapped_count": rng.choices([1, 2, 3, 4], weights=[55, 28, 12, 5])[0]
        if kind == "trapped"
        else 0,
        "caller_phone": f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
        "description": None,
        "status": "reported",
        "escalation_level": level,
        "maintenance_unit_id": unit if rescue else None,
        "no_contract": no_contract,
        "reported_at": reported,
        "arrival_deadline_at": deadline,
        "dispatched_at": dispatched,
        "accepted_at": None,
        "arrived_at": None,
        "released_at": None,
        "closed_at": None,
        "fault_cause_code": None,
        "tracking_token_hash": hashlib.sha256(f"sample-incident-{serial}".encode()).hexdigest(),
        "created_at": reported,
    }
    if not rescue:
        row["status"], row["closed_at"] = "closed", reported + timedelta(minutes=rng.randint(5, 90))
        events.append(_event(IncidentEventKind.CLOSED, row["closed_at"]))
        return row, events
    if dispatched is None:  # a fault report without a contract: the operator finds a repairer
        dispatched = row["dispatched_at"] = reported + timedelta(minutes=rng.randint(10, 40))
        events.append(_event(IncidentEventKind.DISPATCHED, dispatched, {"level": 1}))
    row["status"] = "dispatched"
    # About one rescue in twelve is accepted late, so some firms reach MAINTAINER_NON_RESPONSE.
    accept_minutes = rng.uniform(0.5, 4.5) if rng.random() > 0.08 else rng.uniform(6, 15)
    accepted = dispatched + timedelta(minutes=accept_minutes)
    if still_open:
        if accepted <= reference:
            row["status"], row["accepted_at"] = "accepted", accepted
            events.append(_event(IncidentEventKind.ACCEPTED, accepted))
        if deadline < reference and row["escalation_level"] < 2:
            row["escalation_level"] = 2
            events.append(
                _event(IncidentEventKind.ESCALATED, deadline, {"level": 2, "automatic": True})
            )
        return row, events
    outcome = rng.random()
    if kind == "trapped" and outcome < 0.03:
        closed = reported + timedelta(minutes=rng.randint(3, 12))
        row["status"], row["closed_at"] = "false_alarm", closed
        events.append(_event(IncidentEventKind.FALSE_ALARM, closed))
        return row, events
    row["status"], row["accepted_at"] = "accepted", accepted
    events.append(_event(IncidentEventKind.ACCEPTED, accepted))
    if kind == "trapped" and outcome < 0.07:
        released = reported + timedelta(minutes=rng.uniform(4, 18))
        row["status"], row["released_at"], row["closed_at"] = "self_released", released, released
        events.append(_event(IncidentEventKind.SELF_RELEASED, released))
        return row, events
    arrival_minutes = _arrival_minutes(rng, lift.deadline_minutes)
    arrived = reported + timedelta(minutes=arrival_minutes)
    if arrived > deadline and kind == "trapped":
        row["escalation_level"] = max(row["escalation_level"], 2)
        events.append(
            _event(IncidentEventKind.ESCALATED, deadline, {"level": 2, "automatic": True})
        )
        if arrived > deadline + timedelta(minutes=15):
            row["escalation_level"] = 3
            events.append(
                _event(
                    IncidentEventKind.ESCALATED,
                    deadline + timedelta(minutes=15),
                    {"level": 3, "automatic": True},
                )
            )
    row["arrived_at"] = arrived
    events.append(_event(IncidentEventKind.ARRIVED, arrived))
    if kind == "trapped":
        released = arrived + timedelta(minutes=rng.uniform(2, 10))
        row["released_at"] = released
        events.append(_event(IncidentEventKind.RELEASED, released))
    finished = (row["released_at"] or arrived) + timedelta(minutes=rng.randint(20, 240))
    cause = rng.choices([cause for cause, _ in CAUSES], weights=[weight for _, weight in CAUSES])[0]
    row["status"], row["closed_at"], row["fault_cause_code"] = "closed", finished, cause
    events.append(_event(IncidentEventKind.CLOSED, finished, {"fault_cause_code": str(cause)}))
    return row, events


def _arrival_minutes(rng: random.Random, deadline_minutes: int) -> float:
    """Mostly 10-20 minutes; a tail past 30 (towns have 60 minutes, and go a little further)."""
    draw = rng.random()
    base = rng.uniform(9, 21) if draw < 0.80 else rng.uniform(21, 29.5)
    if draw >= 0.95:
        base = rng.uniform(31, 55)
    if deadline_minutes > 30 and draw >= 0.80:
        base += rng.uniform(0, 12)
    return base


def _event(
    kind: IncidentEventKind, at: datetime, detail: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "kind": kind,
        "at": at,
        "recorded_at": at,
        "actor": ACTOR,
        "backfilled": False,
        "reason": None,
        "detail": detail,
    }
