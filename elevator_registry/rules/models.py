"""The risk snapshot: every elevator's findings evaluated once for a day, ready to sort.

`elevator_risk` holds one row per elevator with at least one finding on `risk_snapshot`'s day
(elevators without findings have no row), with the street copied from the elevator so one
street's list is an index range scan too. The findings are stored as (rule, ref_date, value)
triples, the same three columns the rule queries return, from which the list's pages render
their findings by the same code as the live path.

Each row also holds those findings rendered as the CSV export's last three cells (rule codes,
Chinese and English details, in the list's order), written by the refresh with that same code,
so the PostgreSQL export is a `COPY` of one query. Rows written before migration 0008 have no
texts until the next whole refresh; `RiskSnapshot.texts_rendered` says when every row has them.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
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
    # True once a whole refresh has stored every row's texts; false for a snapshot refreshed
    # before migration 0008 (its rows are rendered from their findings instead).
    texts_rendered: Mapped[bool] = mapped_column(Boolean, server_default=false())


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
    rules: Mapped[str | None] = mapped_column(Text)
    details_zh: Mapped[str | None] = mapped_column(Text)
    details_en: Mapped[str | None] = mapped_column(Text)


# The list's order, score descending then id ascending, so its first page is one index scan.
Index("ix_elevator_risk_rank", ElevatorRisk.score.desc(), ElevatorRisk.elevator_id)
Index(
    "ix_elevator_risk_street_rank",
    ElevatorRisk.street,
    ElevatorRisk.score.desc(),
    ElevatorRisk.elevator_id,
)
