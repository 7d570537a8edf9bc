"""The five KPIs of the plan (DESIGN §5), and insurance coverage beside them, as data: code, titles, target, and the definition.

The API docs, the README table and the CLI read these objects, so the definition a reader sees
is the one the SQL in kpi.service implements. Common to all incident KPIs: *trapped incidents*
are incidents of kind `trapped` reported (local date) within the period, leaving out those
closed as `false_alarm` or `cancelled` (not entrapments).
"""

from dataclasses import dataclass
from enum import StrEnum


class Comparison(StrEnum):
    """How the value is compared with the target."""

    AT_LEAST = ">="
    BELOW = "<"
    AT_MOST = "<="


@dataclass(frozen=True)
class Kpi:
    """One plan target and its measure."""

    code: str
    title_zh: str
    title_en: str
    target: float
    comparison: Comparison
    unit: str
    numerator: str
    denominator: str

    def met(self, value: float) -> bool:
        """Whether `value` meets the target."""
        match self.comparison:
            case Comparison.AT_LEAST:
                return value >= self.target
            case Comparison.BELOW:
                return value < self.target
            case Comparison.AT_MOST:
                return value <= self.target


EMERGENCY_RESPONSE_RATE = Kpi(
    "emergency_response_rate",
    "应急响应率",
    "Emergency response rate",
    0.99,
    Comparison.AT_LEAST,
    "ratio",
    "trapped incidents accepted by a responder within `kpi_response_minutes` (5) of dispatch",
    "trapped incidents dispatched (to the contracted unit, or to level 2 without a contract)",
)
TRAPPED_FAULT_RATE = Kpi(
    "trapped_fault_rate",
    "故障困人率",
    "Trapped-passenger fault rate (per elevator per month)",
    0.005,
    Comparison.BELOW,
    "ratio per elevator-month",
    "trapped incidents whose fault cause is not misuse (人为) or an outside power cut (外部停电); "
    "incidents still without a cause count (the elevator is presumed at fault until classified)",
    "elevator-months: elevators in use today (grouped by street, or by the unit holding their "
    "contract on the period's last day) × calendar months in the period (a partial month counts "
    "by its share of days). `detail.yearly_rate` = value × 12",
)
INSPECTION_PASS_RATE = Kpi(
    "inspection_pass_rate",
    "检验(检测)合格率",
    "Inspection pass rate (first time)",
    0.95,
    Comparison.AT_LEAST,
    "ratio",
    "periodic inspections and self-tests performed in the period whose result is `pass` (a pass "
    "only after rectification, 整改后合格, is not a first-time pass)",
    "periodic inspections and self-tests performed in the period (re-inspections excluded); "
    "grouped by the elevator's street, or the unit holding its contract on the inspection day",
)
AVERAGE_ARRIVAL_MINUTES = Kpi(
    "average_arrival_minutes",
    "救援到场时间平均",
    "Average rescue arrival time",
    30.0,
    Comparison.AT_MOST,
    "minutes",
    "sum of minutes from report to arrival over trapped incidents with an arrival",
    "trapped incidents with an arrival",
)
ON_TIME_ARRIVAL_RATE = Kpi(
    "on_time_arrival_rate",
    "按时到达率",
    "On-time arrival rate",
    0.98,
    Comparison.AT_LEAST,
    "ratio",
    "trapped incidents whose rescuer arrived by the arrival deadline (30 min in 街道, 60 in towns)",
    "trapped incidents with an arrival, or whose deadline passed with nobody there (before the "
    "people got out by themselves, or before now while still waiting)",
)

INSURANCE_COVERAGE = Kpi(
    "insurance_coverage",
    "电梯责任保险覆盖率",
    "Elevator liability insurance coverage",
    0.6,
    Comparison.AT_LEAST,
    "ratio",
    "elevators in use today with a liability or comprehensive (综合保险, which includes "
    "liability) policy in force on the period's last day",
    "elevators in use today (grouped as for the trapped-passenger fault rate); the target is "
    "Chongqing's 60% (domain-rules N2), not one of the plan's five",
)

KPIS: tuple[Kpi, ...] = (
    EMERGENCY_RESPONSE_RATE,
    TRAPPED_FAULT_RATE,
    INSPECTION_PASS_RATE,
    AVERAGE_ARRIVAL_MINUTES,
    ON_TIME_ARRIVAL_RATE,
    INSURANCE_COVERAGE,
)
