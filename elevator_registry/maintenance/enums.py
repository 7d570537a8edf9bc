"""Maintenance classes and hazard severities."""

from enum import StrEnum


class RecordClass(StrEnum):
    """TSG T5002 classes; a higher class includes the lower ones (季度 ⊃ 半月 ...)."""

    HALF_MONTH = "half_month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"
    REPAIR = "repair"
    ON_DEMAND = "on_demand"


class HazardSeverity(StrEnum):
    """A serious hazard stops the elevator and is reported to the bureau (plan §三(七)4)."""

    GENERAL = "general"
    SERIOUS = "serious"
