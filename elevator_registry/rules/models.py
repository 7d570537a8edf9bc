"""The risk snapshot: every elevator's findings evaluated once for a day, ready to sort.

`elevator_risk` holds one row per elevator with at least one finding on `risk_snapshot`'s day
(elevators without findings have no row), with the street copied from the elevator so one
street's list is an index range scan too. The findings are stored as (rule, ref_date, value)
triples, the same three columns the rule queries return; the human text is rendered from them
on read, by the same code as the live path.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from elevator_registry.db import Base, UTCDateTime

JsonDocument = JSON().with_variant(JSONB(), "postgresql")


class RiskSnapshot(Base):
    """The day the snapshot was evaluated for (a single row)."""

    __tablename__ = "risk_snapshot"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evaluated_on: Mapped[date] = mapped_column(Date)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ElevatorRisk(Base):
    """One elevator's score and findings on the snapshot's day."""

    __tablename__ = "elevator_risk"
    elevator_id: Mapped[int] = mapped_column(
        ForeignKey("elevator.id", ondelete="CASCADE"), primary_key=True
    )
    street: Mapped[str] = mapped_column(String(40))
    score: Mapped[int] = mapped_column(Integer)
    findings_count: Mapped[int] = mapped_column(Integer)
    findings: Mapped[list[Any]] = mapped_column(JsonDocument)


# The list's order, score descending then id ascending, so its first page is one index scan.
Index("ix_elevator_risk_rank", ElevatorRisk.score.desc(), ElevatorRisk.elevator_id)
Index(
    "ix_elevator_risk_street_rank",
    ElevatorRisk.street,
    ElevatorRisk.score.desc(),
    ElevatorRisk.elevator_id,
)
