"""Calendar arithmetic the rules share (anniversaries, periods).

One convention everywhere, in Python and in SQL: an anniversary of 29 February falls on
1 March in common years (what SQLite's date modifiers do, and what `rules.sql.add_years`
reproduces on PostgreSQL), so a period of whole years starting on 29 February ends on
28 February.
"""

from datetime import date, timedelta


def add_years(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes 1 March in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def last_day_of_years(start: date, years: int) -> date:
    """The last day of a period of whole years that starts on `start` (inclusive end)."""
    return add_years(start, years) - timedelta(days=1)
