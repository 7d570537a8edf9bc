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
