"""Date arithmetic in SQL that means the same on SQLite and PostgreSQL (see `dates`)."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, DateTime, Integer, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class add_years(FunctionElement[Any]):  # noqa: N801 - reads as a SQL function
    """`date + n years`, with 29 February anniversaries on 1 March (as `dates.add_years`)."""

    type = Date()
    inherit_cache = True
    name = "add_years"

    def __init__(self, day: ColumnElement[Any], years: int) -> None:
        # The year count is a literal clause, so it is part of the statement's cache key.
        super().__init__(day, literal_column(str(int(years))))


@compiles(add_years, "sqlite")
def _add_years_sqlite(element: add_years, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite normalises 2023-02-29 to 2023-03-01, which is our convention already.
    day, years = element.clauses
    return f"date({compiler.process(day, **kw)}, '{int(years.name):+d} years')"


@compiles(add_years, "postgresql")
def _add_years_postgresql(element: add_years, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL clamps to 28 February; shifting by a day either side gives 1 March instead.
    day, years = element.clauses
    return (
        f"(CAST(({compiler.process(day, **kw)} - 1) + make_interval(years => {int(years.name)}) "
        "AS DATE) + 1)"
    )


class minus_days(FunctionElement[Any]):  # noqa: N801 - reads as a SQL function
    """`instant - n days` where n is an integer column or expression."""

    type = DateTime(timezone=True)
    inherit_cache = True
    name = "minus_days"


@compiles(minus_days, "sqlite")
def _minus_days_sqlite(element: minus_days, compiler: SQLCompiler, **kw: Any) -> str:
    instant, days = element.clauses
    return (
        f"strftime('%Y-%m-%d %H:%M:%f000', {compiler.process(instant, **kw)}, "
        f"'-' || ({compiler.process(days, **kw)}) || ' days')"
    )


@compiles(minus_days, "postgresql")
def _minus_days_postgresql(element: minus_days, compiler: SQLCompiler, **kw: Any) -> str:
    instant, days = element.clauses
    return f"({compiler.process(instant, **kw)} - make_interval(days => {compiler.process(days, **kw)}))"


class last_day_of_years(FunctionElement[Any]):  # noqa: N801 - reads as a SQL function
    """The last day of a period of `years` whole years starting on `day` (`dates` twin)."""

    type = Date()
    inherit_cache = True
    name = "last_day_of_years"

    def __init__(self, day: ColumnElement[Any], years: int) -> None:
        super().__init__(day, literal_column(str(int(years))))


@compiles(last_day_of_years, "sqlite")
def _last_day_of_years_sqlite(element: last_day_of_years, compiler: SQLCompiler, **kw: Any) -> str:
    day, years = element.clauses
    return f"date({compiler.process(day, **kw)}, '{int(years.name):+d} years', '-1 day')"


@compiles(last_day_of_years, "postgresql")
def _last_day_of_years_postgresql(
    element: last_day_of_years, compiler: SQLCompiler, **kw: Any
) -> str:
    day, years = element.clauses
    return (
        f"CAST(({compiler.process(day, **kw)} - 1) + make_interval(years => {int(years.name)}) "
        "AS DATE)"
    )


class local_date(FunctionElement[Any]):  # noqa: N801 - reads as a SQL function
    """The local calendar date of a UTC timestamp in the district's zone (fixed offset zones)."""

    type = Date()
    inherit_cache = True
    name = "local_date"

    def __init__(self, instant: ColumnElement[Any], zone: str) -> None:
        super().__init__(instant, literal_column(f"'{zone}'"))


@compiles(local_date, "sqlite")
def _local_date_sqlite(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite has no zone database; the district's zone (Asia/Shanghai) keeps one offset all year.
    instant, zone = element.clauses
    offset = datetime.now(ZoneInfo(zone.name.strip("'"))).utcoffset() or timedelta()
    hours = int(offset.total_seconds() // 3600)
    return f"date({compiler.process(instant, **kw)}, '{hours:+d} hours')"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    instant, zone = element.clauses
    return f"CAST(({compiler.process(instant, **kw)} AT TIME ZONE {zone.name}) AS DATE)"


class day_after(FunctionElement[Any]):  # noqa: N801 - reads as a SQL function
    """The calendar day after a date column."""

    type = Date()
    inherit_cache = True
    name = "day_after"


@compiles(day_after, "sqlite")
def _day_after_sqlite(element: day_after, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = element.clauses
    return f"date({compiler.process(day, **kw)}, '+1 day')"


@compiles(day_after, "postgresql")
def _day_after_postgresql(element: day_after, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = element.clauses
    return f"CAST({compiler.process(day, **kw)} + 1 AS DATE)"


class days_between(FunctionElement[Any]):  # noqa: N801 - reads as a SQL function
    """Whole days from the first date to the second (negative when the second is earlier)."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = element.clauses
    return (
        f"CAST(julianday({compiler.process(later, **kw)}) "
        f"- julianday({compiler.process(earlier, **kw)}) AS INTEGER)"
    )


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = element.clauses
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


class seconds_between(FunctionElement[Any]):  # noqa: N801 - reads as a SQL function
    """`later - earlier` in whole seconds, for two timestamp columns."""

    type = Integer()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite stores UTC text; julianday is a float in days, rounded back to whole seconds.
    earlier, later = element.clauses
    return (
        f"CAST(round((julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)})) * 86400) AS INTEGER)"
    )


@compiles(seconds_between, "postgresql")
def _seconds_between_postgresql(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    earlier, later = element.clauses
    return (
        f"CAST(extract(epoch FROM ({compiler.process(later, **kw)} - "
        f"{compiler.process(earlier, **kw)})) AS INTEGER)"
    )
