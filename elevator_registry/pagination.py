"""Keyset pagination on the primary key: stable under inserts and O(limit) at any depth."""

import base64
from typing import Any, TypedDict

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from elevator_registry.errors import InvalidValue


def encode_cursor(last_id: int) -> str:
    """Opaque cursor for the row after `last_id`."""
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The id a cursor points after; 422 CURSOR_INVALID for anything we did not issue."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, _, value = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        last_id = int(value)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidValue(
            "CURSOR_INVALID", "cursor was not issued by this API", field="cursor"
        ) from error
    if kind != "id" or not 0 <= last_id < 2**31:
        raise InvalidValue("CURSOR_INVALID", "cursor was not issued by this API", field="cursor")
    return last_id


class PageBody(TypedDict):
    """A list route's response body: the rows of one page and the cursor of the next."""

    items: list[Any]
    next_cursor: str | None


def fetch_page(
    session: Session,
    statement: Select[Any],
    id_column: InstrumentedAttribute[int],
    *,
    limit: int,
    cursor: str | None,
    as_rows: bool = False,
) -> PageBody:
    """Rows after `cursor` ordered by id, and the cursor of the next page (None when done).

    ORM objects of the statement's first entity; with `as_rows`, whole result rows (for
    statements selecting several columns, one of them labelled `id`).
    """
    if cursor is not None:
        statement = statement.where(id_column > decode_cursor(cursor))
    page = statement.order_by(id_column).limit(limit + 1)
    rows = list(session.execute(page) if as_rows else session.scalars(page))
    if len(rows) > limit:
        rows = rows[:limit]
        return {"items": rows, "next_cursor": encode_cursor(rows[-1].id)}
    return {"items": rows, "next_cursor": None}
