"""Finding an elevator by what a person has in hand: its equipment code, use-registration
number, 96333 rescue code, address or 小区 (community), exactly or by a fragment.

Exact identifier matches come first (each identifier has a unique index); then elevators whose
identifiers, address or community contain the text. On PostgreSQL the fragments are served by
pg_trgm GIN indexes (migration 0013), so `LIKE '%…%'` stays fast at a million elevators. SQLite
has no trigram index of its own short of an FTS5 shadow table kept by triggers; it scans the
table instead, which at the size a SQLite deployment holds (the sample's 2,200 elevators) is a
few milliseconds, and keeps one query for both databases.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from elevator_registry.auth.principal import Principal
from elevator_registry.errors import InvalidValue
from elevator_registry.registry.models import Elevator
from elevator_registry.registry.scoping import readable_elevators

MAX_QUERY_LENGTH = 100
MAX_HITS = 50


@dataclass(frozen=True)
class SearchHit:
    """One elevator found, and whether an identifier matched exactly."""

    elevator: Elevator
    exact: bool


def normalised(text: str) -> str:
    """The search text as stored identifiers are written: trimmed, full-width brackets folded."""
    return text.strip().replace("（", "(").replace("）", ")")


def check_query(text: str, *, field: str = "q") -> str:
    """The normalised text, or 422 SEARCH_QUERY_INVALID when it is empty or too long."""
    value = normalised(text)
    if not value or len(value) > MAX_QUERY_LENGTH:
        raise InvalidValue(
            "SEARCH_QUERY_INVALID",
            f"{field} must be 1 to {MAX_QUERY_LENGTH} characters",
            field=field,
            message_zh=f"搜索内容须为 1 至 {MAX_QUERY_LENGTH} 个字符",
        )
    return value


def exact_condition(text: str) -> ColumnElement[bool]:
    """An identifier equals the text (equipment and registration codes in upper case)."""
    upper = text.upper()
    return or_(
        Elevator.equipment_code == upper,
        Elevator.registration_number == upper,
        Elevator.rescue_code == text,
    )


def fragment_condition(text: str, *, identifiers: bool = True) -> ColumnElement[bool]:
    """The address or the community contains the text, or (with `identifiers`) an identifier."""
    upper = text.upper()
    places = [
        Elevator.address.contains(text, autoescape=True),
        Elevator.community.contains(text, autoescape=True),
    ]
    if not identifiers:
        return or_(*places)
    return or_(
        Elevator.equipment_code.contains(upper, autoescape=True),
        Elevator.registration_number.contains(upper, autoescape=True),
        Elevator.rescue_code.contains(text, autoescape=True),
        *places,
    )


def search_elevators(
    session: Session, *, actor: Principal, today: date, text: str, limit: int = 20
) -> list[SearchHit]:
    """Up to `limit` elevators the caller may read: exact identifier matches, then fragments."""
    query = check_query(text)
    scope = readable_elevators(actor, today)
    exact = list(
        session.scalars(select(Elevator).where(scope, exact_condition(query)).order_by(Elevator.id))
    )
    hits = [SearchHit(elevator, exact=True) for elevator in exact[:limit]]
    room = limit - len(hits)
    if room > 0:
        # After an exact match the text is a whole identifier: no other identifier contains
        # one (codes of one kind have one length), and matching it against a million codes
        # that share its catalogue prefix is the one slow query a trigram index has.
        statement = select(Elevator).where(scope, fragment_condition(query, identifiers=not exact))
        if exact:
            statement = statement.where(Elevator.id.not_in([row.id for row in exact]))
        # No ORDER BY in SQL: ordered by id, PostgreSQL walks the primary key hoping to meet
        # `room` matches early, which for a rare text reads the whole table; unordered, it
        # takes the trigram index. The hits are sorted here (all of them when fewer than room).
        found = sorted(session.scalars(statement.limit(room)), key=lambda row: row.id)
        hits.extend(SearchHit(elevator, exact=False) for elevator in found)
    return hits
