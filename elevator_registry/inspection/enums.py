"""Inspection kinds and results, assessment conclusions."""

from enum import StrEnum


class InspectionKind(StrEnum):
    """Supervision at installation, periodic inspection, yearly self-test (T7008), re-inspection."""

    INSTALLATION_SUPERVISION = "installation_supervision"
    PERIODIC = "periodic"
    SELF_TEST = "self_test"
    RE_INSPECTION = "re_inspection"


class InspectionResult(StrEnum):
    """合格 / 不合格 / 整改后合格."""

    PASS = "pass"
    FAIL = "fail"
    PASS_AFTER_RECTIFICATION = "pass_after_rectification"

    @classmethod
    def passing(cls) -> frozenset["InspectionResult"]:
        """Results that make the elevator fit for use."""
        return frozenset({cls.PASS, cls.PASS_AFTER_RECTIFICATION})


class AssessmentConclusion(StrEnum):
    """GB/T 42615-2023 conclusions as the registry records them (domain-rules A4)."""

    CONTINUE_USE = "continue_use"
    REPAIR = "repair"
    MODERNISE = "modernise"
    REPLACE = "replace"
