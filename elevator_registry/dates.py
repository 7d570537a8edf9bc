"""Calendar arithmetic the rules share (anniversaries, periods)."""

from datetime import date, timedelta


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February falls back to 28 February in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_day_of_years(start: date, years: int) -> date:
    """The last day of a period of whole years that starts on `start` (inclusive end)."""
    return add_years(start, years) - timedelta(days=1)
