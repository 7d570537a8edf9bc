"""GET /kpi: the plan's five targets for a period, grouped."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from elevator_registry.dependencies import AuthenticatedDep, ClockDep, SessionDep, SettingsDep
from elevator_registry.kpi.definitions import KPIS
from elevator_registry.kpi.schemas import KpiReport
from elevator_registry.kpi.service import GroupBy, compute
from elevator_registry.schemas import ERROR_RESPONSES

router = APIRouter(responses=ERROR_RESPONSES, tags=["kpi"])

KpiDate = Annotated[date, Query(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


def _definitions() -> str:
    lines = ["| KPI | target | numerator | denominator |", "|---|---|---|---|"]
    lines += [
        f"| {kpi.title_zh} `{kpi.code}` | {kpi.comparison} {kpi.target:g} | {kpi.numerator} | "
        f"{kpi.denominator} |"
        for kpi in KPIS
    ]
    return "\n".join(lines)


DESCRIPTION = """The five KPIs of the plan for `from`..`to` (local dates, inclusive), by district,
street, maintenance unit or month. Bureau and operators see all; a street office its area; a
maintenance unit itself. Trapped incidents closed as false alarm or cancelled are left out. A
zero denominator gives `value: null, status: no_data`.

"""


@router.get("/kpi", response_model=KpiReport, description=DESCRIPTION + _definitions())
def read_kpis(
    session: SessionDep,
    actor: AuthenticatedDep,
    clock: ClockDep,
    settings: SettingsDep,
    date_from: Annotated[KpiDate, Query(alias="from")],
    date_to: Annotated[KpiDate, Query(alias="to")],
    group_by: GroupBy = GroupBy.DISTRICT,
) -> dict[str, object]:
    """The plan's KPIs (see the route description for the definitions)."""
    return compute(
        session,
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
        actor=actor,
        settings=settings,
        now=clock.now(),
    )
