"""Inspections, self-tests and in-use safety assessments: append-only evidence."""

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy import UniqueConstraint as Unique
from sqlalchemy.orm import Mapped, mapped_column

from elevator_registry.db import Base, CreatedAtMixin, enum_check
from elevator_registry.inspection.enums import (
    AssessmentConclusion,
    InspectionKind,
    InspectionResult,
)
from elevator_registry.maintenance.models import JsonDocument


class Inspection(CreatedAtMixin, Base):
    """An inspection or self-test; a re-inspection references the inspection it follows."""

    __tablename__ = "inspection"
    __table_args__ = (
        enum_check("kind", InspectionKind),
        enum_check("result", InspectionResult),
        Unique("agency_id", "report_number"),
        CheckConstraint(
            "(kind = 're_inspection') = (follows_id IS NOT NULL)", name="reinspection_follows"
        ),
        CheckConstraint(
            "self_tester_id IS NULL OR kind = 'self_test'", name="self_tester_only_self_test"
        ),
        Index("ix_inspection_elevator_performed", "elevator_id", "performed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"))
    # The responsible inspection agency: the inspector, or the reviewer of a self-test.
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    # The maintenance unit that performed a self-test (TSG T7008-2023), when not the agency.
    self_tester_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(32))
    performed_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(32))
    report_number: Mapped[str] = mapped_column(String(64))
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"))
    filed_by: Mapped[str] = mapped_column(String(120))


class SafetyAssessment(CreatedAtMixin, Base):
    """An in-use safety assessment under GB/T 42615-2023; risk grade 4 is the worst."""

    __tablename__ = "safety_assessment"
    __table_args__ = (
        enum_check("conclusion", AssessmentConclusion),
        CheckConstraint("risk_grade BETWEEN 1 AND 4", name="risk_grade_range"),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        Index("ix_safety_assessment_elevator_assessed", "elevator_id", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    elevator_id: Mapped[int] = mapped_column(ForeignKey("elevator.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    assessed_on: Mapped[date] = mapped_column(Date)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    risk_grade: Mapped[int] = mapped_column(Integer)
    conclusion: Mapped[str] = mapped_column(String(16))
    measures: Mapped[list[Any]] = mapped_column(JsonDocument)
    report_number: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(120))
