"""The TSG T7001-2023 schedule: boundaries of each year kind, windows, regimes, leap days."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elevator_registry.inspection.schedule import (
    InspectionRegime,
    Obligation,
    due_on,
    first_open_year_after,
    inspection_valid_until,
    next_due,
    obligation_for_year,
    schedule_base,
    window_opens_on,
)

BASE = date(2018, 6, 15)  # installation inspection passed in June 2018
P, S = Obligation.PERIODIC, Obligation.SELF_TEST


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (1, P), (2, S), (3, S), (4, P), (5, S), (6, S), (7, P), (8, S), (9, P), (10, S),
        (11, P), (12, S), (13, P), (14, S), (15, P), (16, P), (17, P), (30, P),
    ],
)  # fmt: skip
def test_which_years_need_an_inspection_and_which_a_self_test(
    year: int, expected: Obligation
) -> None:
    assert obligation_for_year(year) == expected
    assert obligation_for_year(year, InspectionRegime.YEARLY) == P


def test_year_zero_is_not_a_schedule_year() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        obligation_for_year(0)


def test_year_k_is_due_by_the_end_of_its_anniversary_month() -> None:
    assert due_on(BASE, 1) == date(2019, 6, 30)
    assert due_on(BASE, 4) == date(2022, 6, 30)
    assert due_on(BASE, 16) == date(2034, 6, 30)
    assert window_opens_on(BASE, 1, P) == date(2019, 4, 1)
    assert window_opens_on(BASE, 2, S) == date(2020, 5, 1)


def test_a_new_elevator_owes_its_year_1_inspection_and_year_2_self_test() -> None:
    assert next_due(BASE, None, None) == (date(2019, 6, 30), date(2020, 6, 30))


@pytest.mark.parametrize(
    ("performed_on", "next_periodic_due"),
    [
        (date(2019, 3, 31), date(2019, 6, 30)),  # more than 2 months early: year 1 still owed
        (date(2019, 4, 1), date(2022, 6, 30)),  # first day of the window: year 1 met, next year 4
        (date(2019, 6, 30), date(2022, 6, 30)),  # on the due date
        (date(2019, 9, 1), date(2022, 6, 30)),  # late, but year 1 met all the same
        (date(2022, 4, 1), date(2025, 6, 30)),  # year 4 met → year 7
        (date(2025, 5, 20), date(2027, 6, 30)),  # year 7 → year 9
        (date(2027, 6, 1), date(2029, 6, 30)),  # year 9 → year 11
        (date(2029, 6, 1), date(2031, 6, 30)),  # year 11 → year 13
        (date(2031, 6, 1), date(2033, 6, 30)),  # year 13 → year 15
        (date(2033, 6, 1), date(2034, 6, 30)),  # year 15 → year 16: yearly from here on
        (date(2034, 4, 1), date(2035, 6, 30)),  # year 16 → year 17
        (date(2034, 3, 31), date(2034, 6, 30)),  # too early for year 16 (late for 15)
    ],
)
def test_next_periodic_inspection_at_each_boundary(
    performed_on: date, next_periodic_due: date
) -> None:
    assert next_due(BASE, performed_on, None)[0] == next_periodic_due


@pytest.mark.parametrize(
    ("self_tested_on", "next_self_test_due"),
    [
        (date(2020, 4, 30), date(2020, 6, 30)),  # more than 1 month early: year 2 still owed
        (date(2020, 5, 1), date(2021, 6, 30)),  # year 2 met → year 3
        (date(2021, 5, 1), date(2023, 6, 30)),  # year 3 → year 5 (year 4 is an inspection)
        (date(2024, 6, 1), date(2026, 6, 30)),  # year 6 → year 8
        (date(2026, 6, 1), date(2028, 6, 30)),  # year 8 → year 10
        (date(2028, 6, 1), date(2030, 6, 30)),  # year 10 → year 12
        (date(2030, 6, 1), date(2032, 6, 30)),  # year 12 → year 14
        (date(2032, 6, 1), None),  # year 14 was the last self-test year
    ],
)
def test_next_self_test_at_each_boundary(
    self_tested_on: date, next_self_test_due: date | None
) -> None:
    assert next_due(BASE, None, self_tested_on)[1] == next_self_test_due


def test_a_periodic_inspection_also_meets_a_self_test_year() -> None:
    # Inspected (late for year 1) within year 2's self-test window: year 2 needs no self-test.
    assert next_due(BASE, date(2020, 5, 15), None) == (date(2022, 6, 30), date(2021, 6, 30))


def test_a_self_test_never_meets_an_inspection_year() -> None:
    assert next_due(BASE, None, date(2019, 6, 1))[0] == date(2019, 6, 30)


def test_after_fifteen_years_there_is_no_self_test_left() -> None:
    assert next_due(date(2005, 3, 10), date(2026, 2, 1), None) == (date(2027, 3, 31), None)


def test_the_yearly_regime_inspects_every_year_and_self_tests_never() -> None:
    regime = InspectionRegime.YEARLY
    assert next_due(BASE, None, None, regime) == (date(2019, 6, 30), None)
    assert next_due(BASE, date(2022, 4, 1), None, regime) == (date(2023, 6, 30), None)


def test_a_29_february_base_has_february_anniversaries() -> None:
    leap = date(2016, 2, 29)
    assert due_on(leap, 1) == date(2017, 2, 28)
    assert due_on(leap, 4) == date(2020, 2, 29)
    assert window_opens_on(leap, 4, P) == date(2019, 12, 1)
    assert next_due(leap, date(2019, 12, 1), date(2018, 1, 1)) == (
        date(2023, 2, 28),  # year 4 met → year 7, February 2023
        date(2021, 2, 28),  # the 2019-12 inspection also met year 3 (window 2019-01) → year 5
    )
    # One day before year 4's window: year 1 is met (late), year 4 is next, due 29 Feb 2020.
    assert next_due(leap, date(2019, 11, 30), None)[0] == date(2020, 2, 29)


def test_the_base_is_the_installation_or_a_later_modernisation() -> None:
    assert schedule_base(
        installation_inspected_on=date(2010, 5, 1),
        modernised_on=date(2020, 9, 1),
        commissioned_on=date(2010, 6, 1),
    ) == date(2020, 9, 1)
    assert schedule_base(
        installation_inspected_on=date(2010, 5, 1),
        modernised_on=date(2009, 9, 1),
        commissioned_on=date(2010, 6, 1),
    ) == date(2010, 5, 1)
    assert schedule_base(
        installation_inspected_on=None, modernised_on=None, commissioned_on=date(2010, 6, 1)
    ) == date(2010, 6, 1)
    assert (
        schedule_base(installation_inspected_on=None, modernised_on=None, commissioned_on=None)
        is None
    )
    assert next_due(None, None, None) == (None, None)


def test_valid_until_is_the_earlier_due_date_unless_the_latest_inspection_failed() -> None:
    assert inspection_valid_until(date(2027, 6, 30), date(2026, 6, 30)) == date(2026, 6, 30)
    assert inspection_valid_until(date(2027, 6, 30), None) == date(2027, 6, 30)
    assert inspection_valid_until(date(2027, 6, 30), None, latest_failed=True) is None
    assert inspection_valid_until(None, None) is None


# Properties -----------------------------------------------------------------------------------

bases = st.dates(min_value=date(1980, 1, 1), max_value=date(2030, 12, 31))
offsets = st.integers(min_value=-400, max_value=40 * 366)
regimes = st.sampled_from(list(InspectionRegime))


def year_of(base: date, due: date) -> int:
    months = (due.year - base.year) * 12 + due.month - base.month
    assert months % 12 == 0
    return months // 12


@given(base=bases, offset=offsets, regime=regimes)
def test_the_next_inspection_is_the_first_inspection_year_not_met(
    base: date, offset: int, regime: InspectionRegime
) -> None:
    last = base + timedelta(days=offset)
    due, _ = next_due(base, last, None, regime)
    assert due is not None
    assert (due + timedelta(days=1)).day == 1  # a month end
    year = year_of(base, due)
    assert obligation_for_year(year, regime) == P
    assert window_opens_on(base, year, P) > last
    for earlier in range(1, year):
        if obligation_for_year(earlier, regime) == P:
            assert window_opens_on(base, earlier, P) <= last


@given(base=bases, periodic=offsets, self_test=offsets)
def test_the_next_self_test_is_the_first_self_test_year_not_met(
    base: date, periodic: int, self_test: int
) -> None:
    last_periodic = base + timedelta(days=periodic)
    last_self_test = base + timedelta(days=self_test)
    covering = max(last_periodic, last_self_test)
    _, due = next_due(base, last_periodic, last_self_test)
    open_years = [
        year
        for year in range(1, 16)
        if obligation_for_year(year) == S and window_opens_on(base, year, S) > covering
    ]
    if not open_years:
        assert due is None
    else:
        assert due == due_on(base, open_years[0])


@given(base=bases, first=offsets, extra=st.integers(min_value=0, max_value=3000), regime=regimes)
def test_a_later_inspection_never_brings_the_due_date_forward(
    base: date, first: int, extra: int, regime: InspectionRegime
) -> None:
    earlier = base + timedelta(days=first)
    later = earlier + timedelta(days=extra)
    due_earlier, _ = next_due(base, earlier, None, regime)
    due_later, _ = next_due(base, later, None, regime)
    assert due_earlier is not None and due_later is not None
    assert due_later >= due_earlier


@given(base=bases, offset=offsets)
def test_first_open_year_matches_the_windows(base: date, offset: int) -> None:
    last = base + timedelta(days=offset)
    for obligation in (P, S):
        year = first_open_year_after(base, last, obligation)
        assert window_opens_on(base, year, obligation) > last
        if year > 1:
            assert window_opens_on(base, year - 1, obligation) <= last
