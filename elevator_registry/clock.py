"""Injected time: services take `now`/`today` from a `Clock`, so tests and `as_of` are exact."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from elevator_registry.config import get_settings


@dataclass(frozen=True)
class Clock:
    """The wall clock, read in UTC; `today` is the date in the district's time zone."""

    timezone: str = "Asia/Shanghai"

    def now(self) -> datetime:
        """Current instant, timezone-aware UTC."""
        return datetime.now(UTC)

    def today(self) -> date:
        """Current local date in the district."""
        return self.now().astimezone(ZoneInfo(self.timezone)).date()


@dataclass(frozen=True)
class FixedClock(Clock):
    """A clock stopped at one instant: for tests, sample loading and reproducible runs."""

    at: datetime = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


def get_clock() -> Clock:
    """FastAPI dependency: the real clock (tests override it)."""
    return Clock(timezone=get_settings().timezone)
