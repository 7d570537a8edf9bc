"""Pydantic building blocks shared by every domain: input/read bases, pages, error envelope, types."""

from datetime import date
from typing import Annotated, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# NUL cannot be stored by PostgreSQL; refusing it in the schema keeps it a 422, never a 500.
_NO_NUL = r"^[^\x00]*$"

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_NO_NUL)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=_NO_NUL)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=_NO_NUL)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=_NO_NUL)]
# Dates outside this window are typos, and date arithmetic near year 9999 would overflow.
PlausibleDate = Annotated[date, Field(ge=date(1950, 1, 1), le=date(2100, 12, 31))]
DbId = Annotated[int, Field(ge=1, le=2_147_483_647)]
PathId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Limit = Annotated[int, Field(ge=1, le=500)]

# Query parameters of the list routes.
Cursor = Annotated[
    str | None, Query(max_length=200, description="`next_cursor` of the previous page")
]
PageLimit = Annotated[Limit, Query()]
FilterId = Annotated[int | None, Query(ge=1, le=2_147_483_647)]
FilterDate = Annotated[date | None, Query(ge=date(1950, 1, 1), le=date(2100, 12, 31))]
FilterText = Annotated[str | None, Query(min_length=1, max_length=60, pattern=_NO_NUL)]

T = TypeVar("T")


class InputModel(BaseModel):
    """Request bodies: a misspelt or unknown field is an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReadModel(BaseModel):
    """Responses, built from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a keyset-paginated list; pass `next_cursor` back as `cursor` for the next."""

    items: list[T]
    next_cursor: str | None = Field(description="Opaque; null on the last page.")


class ErrorBody(BaseModel):
    """The `error` object: a stable code, a human message, and the field and rule when known."""

    code: str = Field(examples=["WARRANTY_BELOW_MINIMUM"])
    message: str
    message_zh: str | None = None
    field: str | None = None
    rule: str | None = None


class ErrorResponse(BaseModel):
    """Every refusal, whatever its status, has this shape."""

    error: ErrorBody


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in {
        401: "Missing or unknown token",
        403: "Role or scope does not allow this",
        404: "Not found (or not visible to the caller)",
        409: "Conflicts with a rule or with existing state",
        422: "Payload or parameter not valid",
    }.items()
}
