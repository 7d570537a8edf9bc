"""Response shapes of GET /kpi."""

from datetime import date, datetime

from pydantic import Field

from elevator_registry.kpi.service import GroupBy
from elevator_registry.schemas import ReadModel


class KpiFigure(ReadModel):
    """One KPI for one group: value = numerator ÷ denominator, null when there is no data."""

    code: str = Field(examples=["on_time_arrival_rate"])
    title_zh: str
    title_en: str
    unit: str
    value: float | None = Field(description="null: no data (the denominator is 0).")
    numerator: float
    denominator: float
    target: float
    comparison: str = Field(examples=[">="])
    met: bool | None = Field(description="null when there is no data.")
    status: str = Field(examples=["met", "not_met", "no_data"])
    detail: dict[str, float | int | None]


class KpiGroup(ReadModel):
    """The KPIs of one street, maintenance unit, month, or of the whole district."""

    key: str | None = Field(description="Street name, unit id, YYYY-MM or `district`.")
    label: str
    kpis: list[KpiFigure]


class KpiReport(ReadModel):
    """The five plan targets for a period, grouped."""

    date_from: date
    date_to: date
    group_by: GroupBy
    generated_at: datetime
    groups: list[KpiGroup]
