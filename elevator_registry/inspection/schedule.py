"""The periodic-inspection and self-test schedule of TSG T7001-2023 §4.1 and TSG T7008-2023.

Pure functions of dates: no database, no clock. The risk-list rules (INSPECTION_OVERDUE,
INSPECTION_DUE_SOON), the elevator read model and the sample generator all use them, so the
definitions below are the registry's one reading of the regulation.

Definitions
-----------
*Base month* (起始月份, T7001-2023 §4.1): the month of the installation supervision inspection
pass (`installation_inspected_on`); if the elevator was modernised later (`modernised_on`, the
modification supervision inspection pass), that month instead. Ledger rows without either fall
back to `commissioned_on` (投用), the best date the registry has.

*Year k* (k = 1, 2, …) is the k-th year after the base month. Its *anniversary month* is the
base month plus 12·k months. **An obligation of year k is due by the last day of its
anniversary month**: base 2018-06 → year 1 due 2019-06-30, year 4 due 2022-06-30. This is how the
inspection certificate and use sign state it (下次检验日期 YYYY年MM月: a month, not a day), so
a 29 February base simply gives February anniversaries, due on 28 or 29 February.

*Which obligation* (regime `t7001_2023`, the default): a periodic inspection (定期检验) in years
1, 4, 7, 9, 11, 13 and 15; a self-test (自行检测, TSG T7008-2023) in the other years up to 15
(2, 3, 5, 6, 8, 10, 12, 14); a periodic inspection every year from year 16 on. Regime `yearly`
(TSG T7001-2009, 一年一检): a periodic inspection every year, no self-tests.

*Early window*: a periodic inspection may be done up to 2 months before its anniversary month
(T7001-2023), a self-test up to 1 month before (T7008-2023), "without moving the schedule". So
the window of year k opens on the first day of the month (anniversary month − 2) for an
inspection, (anniversary month − 1) for a self-test, and stays open after the due date (a late
inspection still meets its year, late).

*Met obligations*: an inspection performed on day L meets every obligation of its kind whose
window has opened by L (the year in hand and any missed earlier years: one inspection brings the
elevator up to date, it is not required to repeat the missed ones). The next obligation of a kind
is therefore the first year of that kind whose window opens *after* the latest inspection of that
kind. A periodic inspection also meets self-test obligations (it covers more than a self-test;
T7008 asks for self-tests only in years without an inspection); a self-test never meets a
periodic one. Results do not matter here: a failed inspection was performed; what a failure
means is the separate rule INSPECTION_FAILED_IN_USE. Re-inspections (复检) and installation
supervision inspections do not count as periodic inspections.

In month numbers (m(d) = 12·year + month − 1), with B = m(base) and L = m(latest), the first
year whose window opens after L is k₀ = max(1, ⌊(L − B + early) / 12⌋ + 1), early = 2 for
inspections, 1 for self-tests; the next obligation is the first year ≥ k₀ of that kind, due on
the last day of month B + 12·k. Without any inspection of the kind, k₀ = 1. That is all a SQL
implementation needs: the base, and the latest `periodic` and latest `self_test`/`periodic`
performed_on per elevator.

*Valid until* (`inspection_valid_until`): the earlier of the two next due dates, the day after
which the elevator is out of its inspection validity unless the next obligation is met; none when
the latest inspection (by performed_on, then id) failed, since nothing is valid then.

Not modelled (documented limits): the skipped year after a major repair (I4), the re-basing after
a restart inspection (I5), and provincial postponements (I8).
"""

from datetime import date, timedelta
from enum import StrEnum


class InspectionRegime(StrEnum):
    """Which schedule applies (setting `inspection_regime`)."""

    T7001_2023 = "t7001_2023"
    YEARLY = "yearly"


class Obligation(StrEnum):
    """What a year of the schedule requires."""

    PERIODIC = "periodic"
    SELF_TEST = "self_test"


PERIODIC_YEARS_T7001_2023 = frozenset({1, 4, 7, 9, 11, 13, 15})
SCHEDULED_YEARS = 15  # after year 15 a periodic inspection every year (T7001-2023 §4.1)
EARLY_MONTHS = {Obligation.PERIODIC: 2, Obligation.SELF_TEST: 1}


def schedule_base(
    *,
    installation_inspected_on: date | None,
    modernised_on: date | None,
    commissioned_on: date | None,
) -> date | None:
    """The date whose month starts the schedule: installation pass, or modernisation if later."""
    base = installation_inspected_on or commissioned_on
    if modernised_on is not None and (base is None or modernised_on > base):
        return modernised_on
    return base


def month_number(day: date) -> int:
    """Months since year 0: 12·year + month − 1 (so differences are month counts)."""
    return day.year * 12 + day.month - 1


def month_first_day(number: int) -> date:
    """The first day of month `number` (inverse of `month_number`)."""
    return date(number // 12, number % 12 + 1, 1)


def month_last_day(number: int) -> date:
    """The last day of month `number`."""
    return month_first_day(number + 1) - timedelta(days=1)


def obligation_for_year(year_index: int, regime: str = InspectionRegime.T7001_2023) -> Obligation:
    """What year `year_index` (1, 2, …) after the base month requires."""
    if year_index < 1:
        raise ValueError(f"schedule years start at 1, not {year_index}")
    if regime == InspectionRegime.YEARLY:
        return Obligation.PERIODIC
    if regime != InspectionRegime.T7001_2023:
        raise ValueError(f"unknown inspection regime {regime!r}")
    if year_index > SCHEDULED_YEARS or year_index in PERIODIC_YEARS_T7001_2023:
        return Obligation.PERIODIC
    return Obligation.SELF_TEST


def due_on(base: date, year_index: int) -> date:
    """Last day of the anniversary month of year `year_index`: the obligation's due date."""
    return month_last_day(month_number(base) + 12 * year_index)


def window_opens_on(base: date, year_index: int, obligation: Obligation) -> date:
    """First day on which an inspection (2 months early) or self-test (1 month) meets year k."""
    return month_first_day(month_number(base) + 12 * year_index - EARLY_MONTHS[obligation])


def first_open_year_after(base: date, latest: date | None, obligation: Obligation) -> int:
    """k₀: the first year whose window for `obligation` opens after `latest` (1 without one)."""
    if latest is None:
        return 1
    elapsed = month_number(latest) - month_number(base) + EARLY_MONTHS[obligation]
    return max(1, elapsed // 12 + 1)


def next_year_of(
    obligation: Obligation, from_year: int, regime: str = InspectionRegime.T7001_2023
) -> int | None:
    """The first year ≥ `from_year` requiring `obligation` (None: no such year remains)."""
    year = max(1, from_year)
    if obligation == Obligation.PERIODIC:
        while obligation_for_year(year, regime) != Obligation.PERIODIC:
            year += 1
        return year
    while year <= SCHEDULED_YEARS:
        if obligation_for_year(year, regime) == Obligation.SELF_TEST:
            return year
        year += 1
    return None


def next_due(
    base: date | None,
    last_periodic: date | None,
    last_self_test: date | None,
    regime: str = InspectionRegime.T7001_2023,
) -> tuple[date | None, date | None]:
    """(next_inspection_due_on, next_self_test_due_on) given the latest of each kind.

    Pass the latest periodic inspection and the latest self-test performed on or before the day
    of interest. Both are None without a base; the self-test date is None when no self-test year
    remains (regime `yearly`, or past year 14).
    """
    if base is None:
        return None, None
    periodic_year = next_year_of(
        Obligation.PERIODIC,
        first_open_year_after(base, last_periodic, Obligation.PERIODIC),
        regime,
    )
    covering = max((day for day in (last_periodic, last_self_test) if day), default=None)
    self_test_year = next_year_of(
        Obligation.SELF_TEST,
        first_open_year_after(base, covering, Obligation.SELF_TEST),
        regime,
    )
    return (
        due_on(base, periodic_year) if periodic_year is not None else None,
        due_on(base, self_test_year) if self_test_year is not None else None,
    )


def inspection_valid_until(
    next_inspection_due_on: date | None,
    next_self_test_due_on: date | None,
    *,
    latest_failed: bool = False,
) -> date | None:
    """Until when the elevator's inspection status holds: the earlier next due date.

    None when the latest inspection failed (no validity), or when there is no schedule.
    """
    if latest_failed:
        return None
    dues = [day for day in (next_inspection_due_on, next_self_test_due_on) if day is not None]
    return min(dues, default=None)
