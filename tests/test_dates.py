"""The shared anniversary convention."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from elevator_registry.dates import add_years, last_day_of_years


def test_leap_day_anniversary_falls_on_the_first_of_march() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert last_day_of_years(date(2024, 2, 29), 5) == date(2029, 2, 28)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2080, 12, 31)), st.integers(0, 20))
def test_a_period_of_whole_years_ends_the_day_before_the_anniversary(
    start: date, years: int
) -> None:
    end = last_day_of_years(start, years)
    assert end + timedelta(days=1) == add_years(start, years)
    assert (end - start).days >= 365 * years - 1
