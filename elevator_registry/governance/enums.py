"""Insurance kinds and rating grades."""

from enum import StrEnum


class InsuranceKind(StrEnum):
    """电梯安全责任险 / 电梯综合保险."""

    LIABILITY = "liability"
    COMPREHENSIVE = "comprehensive"


class RatingGrade(StrEnum):
    """Credit grade; D is the veto grade."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class VetoKind(StrEnum):
    """Findings against a maintenance unit that veto its yearly rating (先决否定项, grade D).

    From the widely copied 电梯维保单位质量信用评价指标 (domain-rules S1) and plan §三(十一).
    """

    SAFETY_ACCIDENT = "safety_accident"  # 安全事故, attributed to the unit
    SAFETY_CIRCUIT_SHORTED = "safety_circuit_shorted"  # 短接安全回路 penalised
    SUBCONTRACTING = "subcontracting"  # 转包、分包维保业务 penalised
