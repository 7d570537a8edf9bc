"""KPI summary tables: day-grain sums that the database keeps exact on every write.

The KPIs of a year over a million elevators cannot be recomputed per request (a million
elevators, contracts and inspections to scan and join), so they are summed in advance:

- `kpi_street_day` and `kpi_unit_day`: per local day and street, and per local day and
  maintenance unit (0: no contract), the numerators and denominators of the incident and
  inspection KPIs. Only *settled* trapped incidents are in them (someone arrived, or the people
  are out): whether a waiting incident is late depends on the clock, so compute() adds those
  few from the incident table itself (partial index `ix_incident_waiting`).
- `kpi_fleet`: elevators in use as running sums per (street, unit, day): an in-use elevator
  adds 1 to (its street, unit 0) from the beginning of time, and each of its contracts moves it
  from unit 0 to the contract's unit from the start date to the effective end. The elevators
  of a unit on day D are the sum of its rows up to D; those of a street too (across units
  the moves cancel out).

Triggers of migration 0006 maintain all three in the same transaction as each insert, update
or delete of incident, inspection, elevator and maintenance_contract, on PostgreSQL and SQLite
alike, whichever code path writes. `tests/kpi/test_kpi_summary.py` checks them against a
recomputation from the base tables. The triggers bake in the district's time zone and the
response window below; with other settings compute() falls back to the base tables.
"""

from datetime import date

from sqlalchemy import Date, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from elevator_registry.db import Base

SUMMARY_TIMEZONE = "Asia/Shanghai"
SUMMARY_RESPONSE_MINUTES = 5
NO_UNIT = 0
"""maintenance_unit_id of the elevators and facts with no contract (ids start at 1)."""


class _DaySums:
    """The summed measures of one day and group (see kpi.definitions for their meaning)."""

    incidents: Mapped[int] = mapped_column(Integer, default=0)
    dispatched: Mapped[int] = mapped_column(Integer, default=0)
    responded: Mapped[int] = mapped_column(Integer, default=0)
    fault_trapped: Mapped[int] = mapped_column(Integer, default=0)
    arrived: Mapped[int] = mapped_column(Integer, default=0)
    arrival_seconds: Mapped[float] = mapped_column(Float, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    late_without_arrival: Mapped[int] = mapped_column(Integer, default=0)
    inspections: Mapped[int] = mapped_column(Integer, default=0)
    first_passes: Mapped[int] = mapped_column(Integer, default=0)


class KpiStreetDay(_DaySums, Base):
    """KPI sums of one local day in one street or town."""

    __tablename__ = "kpi_street_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    street: Mapped[str] = mapped_column(String(40), primary_key=True)


class KpiUnitDay(_DaySums, Base):
    """KPI sums of one local day for one maintenance unit (NO_UNIT: without a contract)."""

    __tablename__ = "kpi_unit_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    maintenance_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class KpiFleet(Base):
    """A change, from `day` on, in the elevators in use of a street and maintenance unit."""

    __tablename__ = "kpi_fleet"

    street: Mapped[str] = mapped_column(String(40), primary_key=True)
    maintenance_unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    elevators: Mapped[int] = mapped_column(Integer, default=0)


MEASURES = tuple(_DaySums.__annotations__)
"""The measure columns of the day tables, in order."""
